import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification
import Synchronization

/// Sentences about keys, partitions and consumer groups (KAF-01, KAF-04).
enum GroupSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.when("I produce {int} messages with {int} distinct keys to {string}",
                  doc: "Sends that many records whose keys cycle through that many values (key-0, key-1, …).",
                  example: #"When I produce 1000 messages with 20 distinct keys to "events""#) { ctx in
            try await ProducingSteps.produce(ctx, count: try ctx.int(0), topic: try ctx.topic(try ctx.string(2)), acks: "all",
                                             keys: try ctx.int(1), whileDoing: nil)
        }

        code.then("each key's messages are all in one partition",
                  doc: "Every acknowledged record with the same key landed in the same partition.",
                  example: "Then each key's messages are all in one partition") { ctx in
            let partitions = ctx.ledger.partitionsByKey()
            try Groups.keysInOnePartition(partitions).enforce()
            ctx.attach(Evidence.table(["key", "partition"], partitions.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value.first!)"] }), mediaType: "text/markdown")
        }

        code.then("a new producer sends each key to the same partition again",
                  doc: "Keyed partitioning is deterministic: a fresh producer maps every key already seen to the same partition.",
                  example: "Then a new producer sends each key to the same partition again") { ctx in
            let seen = ctx.ledger.partitionsByKey().compactMapValues(\.first)
            let topic = try ctx.scenario.state.withLock { s in
                guard let t = s.topics.values.first else { throw StepFailure("no topic in this scenario") }
                return t
            }
            let producer = try Producer(config: try ctx.cluster().config(["acks": "all"]))
            defer { producer.close() }
            var again: [String: Int32] = [:]
            for (key, _) in seen.sorted(by: { $0.key < $1.key }) {
                let report = try await producer.send(topic: topic, key: Array(key.utf8), value: Array("placement probe".utf8))  // no payload id: not part of the ledger
                again[key] = report.partition
            }
            try Groups.keysStayPut(before: seen, again: again).enforce()
        }

        code.then("every partition holds its messages in the order they were sent",
                  doc: "Reads the topics and checks that within each partition records appear in send order.",
                  example: "Then every partition holds its messages in the order they were sent") { ctx in
            try await ConsumingSteps.readAll(ctx).inPartitionOrder().enforce()
        }

        code.when("consumer group {string} reads {string} to the end",
                  doc: "One consumer of that group subscribes from the earliest offset and reads until it has every acknowledged record (or 30 s pass).",
                  example: #"When consumer group "billing" reads "events" to the end"#) { ctx in
            let group = try ctx.string(0)
            let name = try ctx.string(1)
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let cluster = try ctx.cluster()
            cluster.registerCoordinatorKey(group, type: .group)
            let consumer = try Consumer(config: cluster.config(["group.id": group, "auto.offset.reset": "earliest",
                                                                "enable.auto.commit": "false"]))
            defer { Task { await consumer.close() } }
            let ends = try await consumer.logEnds(topic, partitions: partitions)
            try consumer.subscribe([topic])
            let records = try await consumer.read(toEnds: ends)
            let ids = records.compactMap { Payload.id(in: $0.value) }
            ctx.world.update(GroupState.Key.self) { $0.reads[group, default: []] += ids }
            ctx.log("group \(group) read \(ids.count) records of \(topic)")
        }

        code.then("consumer group {string} received every acknowledged message",
                  doc: "The group's reads contain every acknowledged payload id.",
                  example: #"Then consumer group "billing" received every acknowledged message"#) { ctx in
            let group = try ctx.string(0)
            let read = Set(ctx.world[GroupState.Key.self].reads[group] ?? [])
            let acknowledged = ctx.ledger.acknowledgedIds()
            try Groups.receivedEveryAcknowledged(group: group, read: read, acknowledged: acknowledged).enforce()
        }

        code.when("{int} consumers join group {string} on {string}",
                  doc: "Starts that many consumers in one group subscribed to the topic and waits (up to 30 s) until the group has assigned every partition.",
                  example: #"When 3 consumers join group "billing" on "events""#) { ctx in
            let count = try ctx.int(0)
            let group = try ctx.string(1)
            let name = try ctx.string(2)
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let cluster = try ctx.cluster()
            cluster.registerCoordinatorKey(group, type: .group)
            let rebalances = Mutex<[String]>([])
            let consumers = try (0..<count).map { i in
                try Consumer(config: cluster.config(["group.id": group, "session.timeout.ms": "6000",
                                                     "heartbeat.interval.ms": "300", "client.id": "\(group)-\(i)"]),
                             onRebalance: { e, _ in
                                 rebalances.withLock { $0.append("consumer \(i): \(e.kind.rawValue) \(e.partitions.map { "\($0.partition)" }.joined(separator: ","))") }
                             })
            }
            for c in consumers { try c.subscribe([topic]) }
            // Each consumer polls (that is how it takes part in the rebalance) until the group holds every partition.
            let deadline = ContinuousClock.now + .seconds(30)
            var assignments: [[Int32]] = []
            repeat {
                for c in consumers { _ = try await c.records(within: .milliseconds(100)) }
                assignments = try consumers.map { try $0.assignment().map(\.partition).sorted() }
                let settled = assignments.reduce(0, { $0 + $1.count }) == Int(partitions)
                    && !(count <= partitions && assignments.contains(where: \.isEmpty))
                if settled { break }
            } while ContinuousClock.now < deadline
            ctx.world.update(GroupState.Key.self) { $0.assignments[group] = assignments }
            ctx.attach(Evidence.table(["consumer", "partitions"], assignments.enumerated().map { ["\($0.offset)", $0.element.map(String.init).joined(separator: ", ")] }),
                       mediaType: "text/markdown")
            ctx.log(rebalances.withLock { $0.joined(separator: "\n") })
            // All leave at once, each within a deadline: one by one, each close set off a rebalance the
            // others (no longer polling) had to sit through, and a close could block past the step's limit.
            await withTaskGroup(of: Void.self) { group in
                for c in consumers { group.addTask { await c.close(within: .seconds(10)) } }
            }
        }

        code.then("the consumers of group {string} split the partitions of {string} with none shared",
                  doc: "Every partition is assigned to exactly one consumer of the group, and no consumer is idle while partitions remain.",
                  example: #"Then the consumers of group "billing" split the partitions of "events" with none shared"#) { ctx in
            let group = try ctx.string(0)
            let name = try ctx.string(1)
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
