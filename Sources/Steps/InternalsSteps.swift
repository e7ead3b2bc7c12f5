import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// Sentences about Kafka's internals (KAF-06): log compaction and the segments on disk.
enum InternalsSteps {
    struct State: Sendable {
        enum Key: WorldKey { static var defaultValue: State { State() } }
        /// Per topic as written in the feature: what was written, offsets from the delivery reports.
        var written: [String: [LogRecord]] = [:]
        /// The first offset of the roll records written while waiting for the cleaner: below it lies the history.
        var horizon: [String: Int64] = [:]
        var readBack: [String: [LogRecord]] = [:]
    }

    /// The topic settings of a compacted topic whose cleaner runs within seconds (with the brokers'
    /// log.cleaner.backoff.ms of docker-compose.yml): a segment rolls 100 ms after it was opened, any
    /// dirty share makes the log cleanable, and a tombstone is kept 2 s after its segment was cleaned.
    static let fastCleaner = [
        "cleanup.policy": "compact", "segment.ms": "100", "min.cleanable.dirty.ratio": "0.01",
        "min.compaction.lag.ms": "0", "delete.retention.ms": "2000",
    ]

    /// A `| key | value |` table (the first row is its header); an empty value is a tombstone.
    static func recordTable(_ ctx: StepContext) throws -> [(key: String, value: String?)] {
        try ctx.tableRows(under: ["key", "value"], each: "record (an empty value: a tombstone)").map {
            (key: $0[0], value: $0[1].isEmpty ? nil : $0[1])
        }
    }

    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.given(
            "a compacted topic {string} with fast cleaner settings",
            doc: "Creates a one-partition topic with cleanup.policy=compact, segment.ms=100, "
                + "min.cleanable.dirty.ratio=0.01, min.compaction.lag.ms=0 and delete.retention.ms=2000, "
                + "replicated to every broker up to 3; needs a cluster that models log compaction (compose, "
                + "external).",
            example: #"Given a compacted topic "accounts" with fast cleaner settings"#
        ) { (ctx, name: String) in
            let cluster = try ctx.cluster()
            try cluster.require(.compaction)
            let rf = Int32(min(3, try await cluster.configuredBrokers().count))
            try await ClusterSteps.createTopic(
                ctx, env, name: name, partitions: 1, replicationFactor: rf,
                configs: fastCleaner)
        }

        code.when(
            "I write these records to {string}:",
            doc: "Writes the rows of a `| key | value |` table (its first row) in order to partition 0 of the "
                + "topic, acks=all; an empty value cell writes a tombstone (a record without a value). Each offset "
                + "comes from its delivery report, for the Then steps (the compaction step too).",
            example: #"When I write these records to "accounts":"#
        ) { (ctx, name: String) in
            let topic = try ctx.topic(name)
            let records = try recordTable(ctx)
            let written = try await CompactionDrill.write(try ctx.cluster(), topic: topic, records: records)
            ctx.world.update(State.Key.self) { $0.written[name, default: []] += written }
            ctx.log("wrote \(written.count) records, \(written.filter { $0.value == nil }.count) tombstones")
        }

        code.then(
            "{string} reads back exactly the records written, tombstones included, at their offsets",
            doc: "Reads partition 0 from its start: every record written in this scenario is there at the offset "
                + "its delivery report gave, with its key and value (a tombstone as a tombstone), in offset "
                + "order, and nothing else. Before compaction, on any cluster.",
            example: #"Then "accounts" reads back exactly the records written, tombstones included, at their offsets"#
        ) { (ctx, name: String) in
            guard let written = ctx.world[State.Key.self].written[name] else {
                throw StepFailure("nothing was written to \"\(name)\" in this scenario")
            }
            let (verdict, table) = try await CompactionDrill.readBackAsWritten(
                try ctx.cluster(), topic: try ctx.topic(name), written: written)
            ctx.attach(table, mediaType: "text/markdown")
            try verdict.enforce()
        }

        code.when(
            "I write {int} keys with {int} updates each to {string} and delete every {int}th key",
            doc: "Writes `key-0001` … with values `key-0001:v1` … in rounds (every key once per round), then a "
                + "tombstone (a record without a value) for every Nth key; each offset comes from its delivery "
                + "report (acks=all); needs a cluster that models log compaction (compose, external).",
            example: #"When I write 20 keys with 5 updates each to "accounts" and delete every 4th key"#
        ) { (ctx, keys: Int, updates: Int, name: String, every: Int) in
            let topic = try ctx.topic(name)
            try ctx.cluster().require(.compaction)
            guard keys > 0, updates > 1, every > 0, every <= keys else {
                throw StepFailure("needs at least one key, two updates and a deletion among the keys")
            }
            let written = try await CompactionDrill.write(
                try ctx.cluster(), topic: topic, keys: keys, updates: updates,
                deleteEvery: every)
            ctx.world.update(State.Key.self) { $0.written[name] = written }
            ctx.log(
                "wrote \(written.count) records to \(topic): \(keys * updates) updates, "
                    + "\(written.filter { $0.value == nil }.count) tombstones, offsets 0…\(written.last?.offset ?? -1)")
        }

        code.then(
            "within {int} seconds the log of {string} keeps only the latest value of each key, and deleted keys "
                + "are gone",
            deadline: .seconds(argument: 0),
            doc: "Writes a record under a new key each second (rolling the active segment, so the history "
                + "becomes cleanable) and reads the partition back from offset 0 until the compaction oracle "
                + "holds: below the first of those records only each key's latest record survives, every "
                + "tombstoned key is gone (delete.retention.ms has passed), every later record survives, "
                + "offsets only increase, each record is what was written at its offset, and the state read "
                + "back equals the state written. Fails with the oracle's last verdict at the deadline; needs a "
                + "cluster "
                + "that models log compaction (compose, external).",
            example: #"Then within 50 seconds the log of "accounts" keeps only the latest value of each key, "#
                + #"and deleted keys are gone"#
        ) { (ctx, seconds: Int, name: String) in
            let cluster = try ctx.cluster()
            try cluster.require(.compaction)
            guard let written = ctx.world[State.Key.self].written[name] else {
                throw StepFailure("nothing was written to \"\(name)\" in this scenario")
            }
            let result = try await CompactionDrill.awaitCompaction(
                cluster, topic: try ctx.topic(name), written: written,
                within: .seconds(seconds))
            ctx.world.update(State.Key.self) { s in
                s.horizon[name] = result.horizon
                s.readBack[name] = result.readBack
            }
            ctx.log(result.summary)
            try result.verdict.enforce()
        }

        code.then(
            "the segment files of {string} on disk, as the broker's own tools list them, hold what was read back",
            doc: "On the partition's leader (compose): `ls -ln` of the partition directory, kafka-dump-log.sh "
                + "over its segments and indexes, and kafka-log-dirs.sh, attached as tables (segment, base "
                + "offset, bytes, records, index entries; replica sizes per broker). The records the dump shows "
                + "must be exactly those the consumer read back (offsets, keys, tombstones); needs a cluster "
                + "that models "
                + "log compaction (compose, whose containers run the tools).",
            example: #"Then the segment files of "accounts" on disk, as the broker's own tools list them, hold "#
                + #"what was read back"#
        ) { (ctx, name: String) in
            let compose = try ctx.composeCluster(for: .compaction, tools: "kafka-dump-log.sh and kafka-log-dirs.sh")
            guard let readBack = ctx.world[State.Key.self].readBack[name] else {
                throw StepFailure("\"\(name)\" was not read back after compaction in this scenario")
            }
            let layout = try await CompactionDrill.layout(compose, topic: try ctx.topic(name))
            ctx.attach(
                Evidence.table(
                    ["file", "base offset", "bytes", "records", "tombstones", "index entries"],
                    layout.segmentRows), mediaType: "text/markdown")
            ctx.attach(
                Evidence.table(["broker", "partition", "bytes"], layout.replicaRows), mediaType: "text/markdown")
            try CompactionDrill.compare(dumped: layout.records, readBack: readBack).enforce()
        }
    }
}
