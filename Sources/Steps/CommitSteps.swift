import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// Sentences about offsets, commits and replays (KAF-04).
enum CommitSteps {
    typealias Session = CommitDrills.Session

    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.when(
            "a consumer in group {string} reads {int} records of {string}, commits after the first {int}, and "
                + "crashes",
            doc: "Reads with manual commits, commits the offsets of the first records it processed, then stops "
                + "without committing the rest.",
            example: #"When a consumer in group "billing" reads 600 records of "orders", commits after the "#
                + #"first 400, and crashes"#
        ) { (ctx, group: String, total: Int, topicName: String, committedCount: Int) in
            let topic = try ctx.topic(topicName)
            guard committedCount <= total else {
                throw StepFailure(
                    "cannot commit after \(committedCount) of \(total) records")
            }
            let session = try await CommitDrills.readCommitAndCrash(
                try ctx.cluster(), group: group, topic: topic, total: total, committing: committedCount)
            ctx.world.update(CommitState.Key.self) { $0.sessions["crashed"] = session }
            let committed = session.committed.sorted { $0.key < $1.key }.map { "[\($0.key)]@\($0.value)" }
            ctx.log("read \(total), committed \(committed.joined(separator: " "))")
        }

        code.when(
            "a new consumer in group {string} reads {string} to the end",
            doc: "A restarted consumer of the group resumes from the committed offsets and reads to the log end.",
            example: #"When a new consumer in group "billing" reads "orders" to the end"#
        ) { (ctx, group: String, name: String) in
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let session = try await CommitDrills.resumeToEnd(
                try ctx.cluster(), group: group, topic: topic, partitions: partitions)
            ctx.world.update(CommitState.Key.self) { $0.sessions["restarted"] = session }
        }

        code.then(
            "the new consumer started at the first uncommitted record of every partition",
            doc: "Each partition's first record read after the restart is at the committed offset.",
            example: "Then the new consumer started at the first uncommitted record of every partition"
        ) { ctx in
            let (crashed, restarted) = try sessions(ctx)
            try Commits.restartedAtCommitted(
                committed: crashed.committed, restarted: reads(restarted),
                logEnds: restarted.logEnds
            ).enforce()
        }

        code.then(
            "exactly the {int} uncommitted records were delivered twice, and nothing was lost",
            doc: "The records read before the crash but not committed are read again, no others are, and every "
                + "acknowledged record was read.",
            example: "Then exactly the 200 uncommitted records were delivered twice, and nothing was lost"
        ) { (ctx, expected: Int) in
            let (crashed, restarted) = try sessions(ctx)
            try Commits.redeliveredExactlyUncommitted(
                expected, crashed: reads(crashed), committed: crashed.committed,
                restarted: reads(restarted),
                acknowledged: ctx.ledger.acknowledgedIds()
            ).enforce()
        }

        code.when(
            "a consumer in group {string} reads {int} records of {string}, committing only when its partitions "
                + "are revoked, and leaves",
            doc: "A consumer whose rebalance listener commits the offsets it processed when its partitions are "
                + "taken away; then it leaves the group.",
            example: #"When a consumer in group "billing" reads 300 records of "orders", committing only when "#
                + #"its partitions are revoked, and leaves"#
        ) { (ctx, group: String, total: Int, topicName: String) in
            let topic = try ctx.topic(topicName)
            let (session, committedOnRevoke) = try await CommitDrills.commitOnRevoke(
                try ctx.cluster(), group: group, topic: topic, total: total)
            ctx.world.update(CommitState.Key.self) { $0.sessions["listener"] = session }
            ctx.log(
                "processed \(session.committed.sorted { $0.key < $1.key }); committed on revocation "
                    + "\(committedOnRevoke.sorted { $0.key < $1.key })")
        }

        code.then(
            "group {string} has committed on {string} exactly the offsets that consumer processed",
            doc: "The group's committed offsets equal the processed positions recorded by the "
                + "rebalance-listener consumer.",
            example: #"Then group "billing" has committed on "orders" exactly the offsets that consumer "#
                + #"processed"#
        ) { (ctx, group: String, name: String) in
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            guard let processed = ctx.world[CommitState.Key.self].sessions["listener"]?.committed else {
                throw StepFailure("no rebalance-listener consumer ran in this scenario")
            }
            let actual = try await CommitDrills.committed(
                try ctx.cluster(), group: group, topic: topic,
                partitions: partitions)
            try Commits.committedAsProcessed(committed: actual, processed: processed).enforce()
        }

        code.when(
            "I backfill partition {int} of {string} from offset {int} for {int} records",
            doc: "Reads exactly that range by assignment, as `kafka-bdd backfill` does.",
            example: #"When I backfill partition 0 of "orders" from offset 10 for 25 records"#
        ) { (ctx, partition: Int32, topicName: String, from: Int64, count: Int) in
            let topic = try ctx.topic(topicName)
            let range = try await Backfill.read(
                config: try ctx.cluster().config(["group.id": "kafka-bdd-backfill"]),
                topic: topic, partition: partition, from: from, count: count)
            ctx.world.update(CommitState.Key.self) { $0.backfill = range.records.map { ($0.partition, $0.offset) } }
        }

        code.then(
            "the backfill processed exactly offsets {int} to {int} of partition {int}",
            doc: "The backfill read that partition's offsets, first to last, each once and in order.",
            example: "Then the backfill processed exactly offsets 10 to 34 of partition 0"
        ) { (ctx, first: Int64, last: Int64, partition: Int32) in
            let read = ctx.world[CommitState.Key.self].backfill
            try Commits.backfill(
                read: read.map { (partition: $0.0, offset: $0.1) }, first: first, last: last,
                partition: partition
            ).enforce()
        }
    }

    static func reads(_ session: Session) -> [Commits.Read] {
        session.read.map { Commits.Read(id: $0.id, partition: $0.partition, offset: $0.offset) }
    }

    static func sessions(_ ctx: StepContext) throws -> (Session, Session) {
        let s = ctx.world[CommitState.Key.self].sessions
        guard let crashed = s["crashed"], let restarted = s["restarted"] else {
            throw StepFailure("this step needs a crashed consumer and a restarted one earlier in the scenario")
        }
        return (crashed, restarted)
    }
}

/// What a scenario's commit steps remember: each consumer session, and the backfilled range.
struct CommitState: Sendable {
    enum Key: WorldKey { static var defaultValue: CommitState { CommitState() } }
    var sessions: [String: CommitSteps.Session] = [:]
    var backfill: [(Int32, Int64)] = []
}
