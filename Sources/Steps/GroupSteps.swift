import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// Sentences about keys, partitions and consumer groups (KAF-01, KAF-04).
enum GroupSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.when(
            "I produce {int} messages with {int} distinct keys to {string}",
            doc: "Sends that many records whose keys cycle through that many values (key-0, key-1, …).",
            example: #"When I produce 1000 messages with 20 distinct keys to "events""#
        ) { (ctx, count: Int, keys: Int, topicName: String) in
            try await KeyedMessagesSteps.produce(
                ctx, count: count, topic: try ctx.topic(topicName), acks: "all",
                keys: keys, whileDoing: nil)
        }

        code.then(
            "each key's messages are all in one partition",
            doc: "Every acknowledged record with the same key landed in the same partition.",
            example: "Then each key's messages are all in one partition"
        ) { ctx in
            let partitions = ctx.ledger.partitionsByKey()
            try Groups.keysInOnePartition(partitions).enforce()
            ctx.attach(
                Evidence.table(
                    ["key", "partition"], partitions.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value.first!)"] }),
                mediaType: "text/markdown")
        }

        code.then(
            "a new producer sends each key to the same partition again",
            doc: "Keyed partitioning is deterministic: a fresh producer maps every key already seen to the same "
                + "partition.",
            example: "Then a new producer sends each key to the same partition again"
        ) { ctx in
            let seen = ctx.ledger.partitionsByKey().compactMapValues(\.first)
            let topic = try ctx.scenario.state.withLock { s in
                guard let t = s.topics.values.first else { throw StepFailure("no topic in this scenario") }
                return t
            }
            let again = try await GroupDrills.placements(
                try ctx.cluster(), topic: topic,
                keys: seen.keys.sorted())
            try Groups.keysStayPut(before: seen, again: again).enforce()
        }

        code.then(
            "every partition holds its messages in the order they were sent",
            doc: "Reads the topics and checks that within each partition records appear in send order.",
            example: "Then every partition holds its messages in the order they were sent"
        ) { ctx in
            try await ConsumingSteps.readAll(ctx).inPartitionOrder().enforce()
        }

        code.when(
            "consumer group {string} reads {string} to the end",
            doc: "One consumer of that group subscribes from the earliest offset and reads until it has every "
                + "acknowledged record (or 30 s pass).",
            example: #"When consumer group "billing" reads "events" to the end"#
        ) { (ctx, group: String, name: String) in
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let ids = try await GroupDrills.readToEnd(
                try ctx.cluster(), group: group, topic: topic,
                partitions: partitions)
            ctx.world.update(GroupState.Key.self) { $0.reads[group, default: []] += ids }
            ctx.log("group \(group) read \(ids.count) records of \(topic)")
        }

        code.then(
            "consumer group {string} received every acknowledged message",
            doc: "The group's reads contain every acknowledged payload id.",
            example: #"Then consumer group "billing" received every acknowledged message"#
        ) { (ctx, group: String) in
            let read = Set(ctx.world[GroupState.Key.self].reads[group] ?? [])
            let acknowledged = ctx.ledger.acknowledgedIds()
            try Groups.receivedEveryAcknowledged(group: group, read: read, acknowledged: acknowledged).enforce()
        }

        code.when(
            "{int} consumers join group {string} on {string}",
            doc: "Starts that many consumers in one group subscribed to the topic and waits (up to 30 s) until "
                + "the group has assigned every partition.",
            example: #"When 3 consumers join group "billing" on "events""#
        ) { (ctx, count: Int, group: String, name: String) in
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let joined = try await GroupDrills.join(
                try ctx.cluster(), group: group, topic: topic,
                partitions: partitions, count: count)
            let assignments = joined.assignments
            ctx.world.update(GroupState.Key.self) { $0.assignments[group] = assignments }
            ctx.attach(
                Evidence.table(
                    ["consumer", "partitions"],
                    assignments.enumerated().map {
                        ["\($0.offset)", $0.element.map(String.init).joined(separator: ", ")]
                    }),
                mediaType: "text/markdown")
            ctx.log(joined.rebalances.joined(separator: "\n"))
        }

        code.then(
            "the consumers of group {string} split the partitions of {string} with none shared",
            doc: "Every partition is assigned to exactly one consumer of the group, and no consumer is idle "
                + "while partitions remain.",
            example: #"Then the consumers of group "billing" split the partitions of "events" with none shared"#
        ) { (ctx, group: String, name: String) in
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            guard let assignments = ctx.world[GroupState.Key.self].assignments[group] else {
                throw StepFailure("no consumers of group \(group) joined in this scenario")
            }
            try Groups.splitWithNoneShared(partitions: partitions, assignments: assignments).enforce()
        }
    }
}

/// What a scenario's group steps remember: ids each group read, and assignments seen.
struct GroupState: Sendable {
    enum Key: WorldKey { static var defaultValue: GroupState { GroupState() } }
    var reads: [String: [UInt64]] = [:]
    var assignments: [String: [[Int32]]] = [:]
}
