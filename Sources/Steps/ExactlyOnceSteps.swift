import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Processing
import Verification

extension CopyVerdict {
    var table: String {
        Evidence.table(
            ["", "count", "sum of amounts"],
            [
                ["recomputed from the acknowledged input", "\(inputIds.count)", "\(expectedSum)"],
                ["read back from the input", inputReadBack.map { "\($0.count)" } ?? "—", ""],
                ["read from the output", "\(outputCount)", "\(outputSum)"],
            ])
    }
}

/// Where a throughput comparison wrote: its input's scenario name and the two physical output topics.
struct Comparison: Sendable {
    var input: String
    var partitions: Int32
    var exactlyOnceOutput: String?
    var atLeastOnceOutput: String?
}

enum ComparisonKey: WorldKey {
    static var defaultValue: Comparison? { nil }
}

/// Sentences about exactly-once processing and its at-least-once counterpart (KAF-08).
enum ExactlyOnceSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.when(
            "an exactly-once processor copies {string} to {string}, killed mid-transaction after {int} records "
                + "and restarted",
            doc: "A transactional read-process-write processor (read_committed consumer, offsets committed "
                + "in the transaction) is killed — not closed — after writing that many records, then restarted "
                + "with the same transactional id. It copies records the produce steps wrote (they carry a "
                + "payload id; JSON orders do not); it fails when it reaches the end of the input before the "
                + "kill.",
            example: #"When an exactly-once processor copies "orders" to "totals", killed mid-transaction after "#
                + #"1000 records and restarted"#
        ) { (ctx, input: String, output: String, killAfter: Int) in
            let processor = try processor(ctx, input, output, mode: .exactlyOnce(transactionalId: "copier"))
            let written = try await processor.run(killPoints: [killAfter], everyKill: true)
            ctx.log("records written per instance: \(written.map(String.init).joined(separator: ", "))")
        }

        code.when(
            "an exactly-once processor copies {string} to {string}, killed at {int} points chosen by seed {int} "
                + "and restarted each time",
            doc: "The replay test: kill points drawn from a seeded generator (the same seed gives the same "
                + "run), each kill mid-transaction, each restart with the same transactional id.",
            example: #"When an exactly-once processor copies "orders" to "totals", killed at 5 points chosen by "#
                + #"seed 42 and restarted each time"#
        ) { (ctx, input: String, output: String, kills: Int, seed: Int) in
            let processor = try processor(ctx, input, output, mode: .exactlyOnce(transactionalId: "copier"))
            var rng = SeededGenerator(seed: UInt64(seed))
            let points = (0..<kills).map { _ in Int.random(in: 1...(3 * processor.batch), using: &rng) }
            ctx.log(
                "seed \(seed): kill after \(points.map(String.init).joined(separator: ", ")) records of each "
                    + "instance")
            let written = try await processor.run(killPoints: points)
            ctx.log("records written per instance: \(written.map(String.init).joined(separator: ", "))")
        }

        code.when(
            "an at-least-once processor copies {string} to {string}, killed after {int} records before "
                + "committing its offsets, and restarted",
            doc: "The same processor without transactions: output flushed, then offsets committed; killed "
                + "between the two, it reprocesses what it had written. It copies records the produce steps "
                + "wrote (they carry a payload id; JSON orders do not); it fails when it reaches the end of the "
                + "input before the kill.",
            example: #"When an at-least-once processor copies "orders" to "totals", killed after 1000 records "#
                + #"before committing its offsets, and restarted"#
        ) { (ctx, input: String, output: String, killAfter: Int) in
            let processor = try processor(ctx, input, output, mode: .atLeastOnce)
            let written = try await processor.run(killPoints: [killAfter], everyKill: true)
            ctx.log("records written per instance: \(written.map(String.init).joined(separator: ", "))")
        }

        code.then(
            "{string} read with read_committed holds every order of {string} exactly once, with the count and "
                + "sum recomputed from the input",
            doc: "Reads both topics (the output with isolation.level=read_committed): every input order "
                + "acknowledged on the input appears once in the output, and the output's count and sum of "
                + "amounts equal those recomputed from them. Needs a cluster that models transactions, "
                + "transaction isolation and transactional offset commits (skipped on embedded, whose mock "
                + "shows aborted output to read_committed readers).",
            example: #"Then "totals" read with read_committed holds every order of "orders" exactly once, with "#
                + #"the count and sum recomputed from the input"#
        ) { (ctx, output: String, input: String) in
            try requireEOS(ctx)
            let verdict = try await copyVerdict(ctx, output: output, input: input)
            ctx.attach(verdict.table, mediaType: "text/markdown")
            try verdict.exactlyOnce().enforce()
        }

        code.then(
            "the checker finds orders of {string} counted twice in {string}, and none missing",
            doc: "The at-least-once verdict: the output holds every input order, and some of them twice — the "
                + "records reprocessed after the restart.",
            example: #"Then the checker finds orders of "orders" counted twice in "totals", and none missing"#
        ) { (ctx, input: String, output: String) in
            let verdict = try await copyVerdict(ctx, output: output, input: input)
            ctx.attach(verdict.table, mediaType: "text/markdown")
            try verdict.atLeastOnceWithRedelivery().enforce()
            ctx.log(
                "\(verdict.doubled.count) orders counted twice (sum \(verdict.outputSum) against "
                    + "\(verdict.expectedSum)), e.g. \(verdict.doubled.prefix(10))")
        }

        code.when(
            "a transaction writing {int} records to {string} is {word}",
            doc: "A transactional producer writes that many records (ids after the ledger's) and then commits "
                + "or aborts.",
            example: #"When a transaction writing 500 records to "totals" is aborted"#
        ) { (ctx, count: Int, topicName: String, outcome: String) in
            let cluster = try ctx.cluster()
            try cluster.require(.transactions)
            let topic = try ctx.topic(topicName)
            guard outcome == "committed" || outcome == "aborted" else {
                throw StepFailure(
                    "a transaction is committed or aborted, not \(outcome)")
            }
            let ids = try await TransactionDrill.write(
                count, to: topic, commit: outcome == "committed", cluster: cluster, ledger: ctx.ledger)
            ctx.world.update(TransactionState.Key.self) { $0.ids[outcome, default: []] += ids }
        }

        code.then(
            "a read_committed consumer of {string} reads the committed records and none of the aborted",
            doc: "Reads the topic with isolation.level=read_committed: every committed id, no aborted id.",
            example: #"Then a read_committed consumer of "totals" reads the committed records and none of the "#
                + #"aborted"#
        ) { (ctx, name: String) in
            try requireEOS(ctx)
            let ids = try await readCommitted(ctx, name).compactMap { Payload.id(in: $0.value) }
            let written = ctx.world[TransactionState.Key.self].ids
            let (committed, aborted) = (Set(written["committed"] ?? []), Set(written["aborted"] ?? []))
            try TransactionIsolation.verdict(read: ids, committed: committed, aborted: aborted).enforce()
        }

        code.when(
            "two instances of a transactional producer with id {string} start, the second after the first",
            doc: "The zombie drill: the first instance begins a transaction, the second initialises with the "
                + "same transactional id, then the first tries to commit.",
            example: #"When two instances of a transactional producer with id "copier" start, the second after "#
                + #"the first"#
        ) { (ctx, id: String) in
            let cluster = try ctx.cluster()
            try cluster.require(.fencing)
            let topic = try ctx.scenario.state.withLock { s in
                guard let t = s.topics.values.first else { throw StepFailure("no topic in this scenario") }
                return t
            }
            let outcome = try await ZombieDrill.run(cluster, transactionalId: id, topic: topic)
            ctx.world.update(TransactionState.Key.self) { $0.zombieOutcome = outcome }
        }

        code.then(
            "the first instance is fenced when it commits",
            doc: "The zombie's commit fails with a fencing error (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH or "
                + "_FENCED).",
            example: "Then the first instance is fenced when it commits"
        ) { ctx in
            guard let outcome = ctx.world[TransactionState.Key.self].zombieOutcome else {
                throw StepFailure(
                    "no zombie drill ran in this scenario")
            }
            ctx.log(outcome)
            try Fencing.zombieFenced(outcome).enforce()
        }

        code.when(
            "I compare exactly-once and at-least-once processing of {string} into {string}",
            doc: "Runs the transactional and the at-least-once processor over the same input (separate "
                + "groups, output topics suffixed -eos and -alo) and attaches their throughput as a table and a "
                + "chart. It measures what the transactional protocol costs, not whether it isolates: on a "
                + "cluster that runs transactions without modelling isolation (embedded) the table says so.",
            example: #"When I compare exactly-once and at-least-once processing of "orders" into "totals""#
        ) { (ctx, inputName: String, name: String) in
            try ctx.cluster().require(.transactions)
            let partitions = ctx.scenario.state.withLock { $0.partitions[inputName] ?? 1 }
            let run = try await ProcessingComparison.run(
                cluster: try ctx.cluster(), input: try ctx.topic(inputName), partitions: partitions,
                output: { env.physicalTopic("\(name)-\($0)") })
            ctx.world[ComparisonKey.self] = Comparison(
                input: inputName, partitions: partitions, exactlyOnceOutput: run.exactlyOnceOutput,
                atLeastOnceOutput: run.atLeastOnceOutput)
            ctx.attach(run.table, mediaType: "text/markdown")
            ctx.attach(run.chart, mediaType: "image/svg+xml")
        }

        code.then(
            "both processors copied all {int} records",
            doc: "Reads the input and both output topics back (the exactly-once output with "
                + "isolation.level=read_committed): the input holds that many orders, the exactly-once output "
                + "holds each once with the count and sum of amounts recomputed from the input, and the "
                + "at-least-once output holds each at least once.",
            example: "Then both processors copied all 5000 records"
        ) { (ctx, expected: Int) in
            guard let run = ctx.world[ComparisonKey.self],
                let eosTopic = run.exactlyOnceOutput, let aloTopic = run.atLeastOnceOutput
            else {
                throw StepFailure("no comparison ran in this scenario")
            }
            let input = try await readCommitted(ctx, run.input).map(\.value)
            let (eos, isolation, alo, table) = try await ProcessingComparison.readBack(
                cluster: try ctx.cluster(), input: input, exactlyOnceOutput: eosTopic, atLeastOnceOutput: aloTopic,
                partitions: run.partitions)
            try TransactionIsolation.verifyingRead(isolation: isolation, of: eosTopic).enforce()
            ctx.attach(table, mediaType: "text/markdown")
            try CopyVerdict.allCopied(input: input, exactlyOnce: eos, atLeastOnce: alo, expected: expected)
                .enforce()
        }
    }

    /// Exactly-once verdicts are only trusted where the cluster models transactions fully.
    static func requireEOS(_ ctx: StepContext) throws {
        let cluster = try ctx.cluster()
        for c in ProcessingComparison.exactlyOnceCapabilities { try cluster.require(c) }
    }

    static func processor(
        _ ctx: StepContext, _ input: String, _ output: String,
        mode: CopyProcessor.Mode
    ) throws -> CopyProcessor {
        if case .exactlyOnce = mode { try requireEOS(ctx) }
        let partitions = ctx.scenario.state.withLock { $0.partitions[input] ?? 1 }
        return CopyProcessor(
            cluster: try ctx.cluster(), mode: mode, group: "copier-\(input)", input: try ctx.topic(input),
            output: try ctx.topic(output), partitions: partitions)
    }

    /// The records of a scenario topic as a read_committed consumer sees them.
    static func readCommitted(_ ctx: StepContext, _ name: String) async throws -> [ConsumedRecord] {
        let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
        let topic = try ctx.topic(name)
        let read = try await ConsumingSteps.readTopicReporting(
            ctx, topic: topic, partitions: partitions,
            readCommitted: true)
        try TransactionIsolation.verifyingRead(isolation: read.isolation, of: topic).enforce()
        return read.records
    }

    /// Judged against the ledger's acknowledged sends to the input, with the input as read back as evidence.
    static func copyVerdict(_ ctx: StepContext, output: String, input: String) async throws -> CopyVerdict {
        let physical = try ctx.topic(input)
        let acknowledged = ctx.ledger.history().acknowledgedIds(on: physical)
        let input = try await readCommitted(ctx, input).map(\.value)
        let output = try await readCommitted(ctx, output).map(\.value)
        return CopyVerdict(acknowledged: acknowledged, input: input, output: output)
    }
}

/// What a scenario's transaction steps remember: the ids each transaction outcome wrote, and the
/// zombie drill's outcome.
struct TransactionState: Sendable {
    enum Key: WorldKey { static var defaultValue: TransactionState { TransactionState() } }
    var ids: [String: [UInt64]] = [:]  // "committed" / "aborted"
    var zombieOutcome: String?
}
