import ChangeCapture
import Drills
import Foundation
import KafkaClient
import Postgres
import Runtime
import Verification

/// Sentences of the capstone: a PostgreSQL source captured into Kafka, a windowed aggregate, an
/// idempotent PostgreSQL sink, checked against an oracle by SQL, timed, and put through chaos.
enum CapstoneSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.after(name: "drop the capstone's database objects") { ctx in
            if let db = ctx.world[CapstoneState.Key.self].pipeline?.database { await db.drop() }
        }

        code.given(
            "the capstone pipeline: CDC from PostgreSQL into {string}, totals per customer and {int}-second "
                + "window into {string}, upserted into a PostgreSQL sink table",
            doc: "Needs PostgreSQL with wal_level=logical at `KAFKA_BDD_POSTGRES` (a libpq connection string; "
                + "default `\(DSN.default)`, what `make postgres` starts); skipped with the reason when it "
                + "cannot be reached within 10 s. Creates the scenario's own schema: the source table "
                + "`orders` with a change history kept by a trigger, the sink table `window_totals`, a "
                + "publication and a logical replication slot (pgoutput). Both topics must exist.",
            example: #"Given the capstone pipeline: CDC from PostgreSQL into "orders-cdc", totals per "#
                + #"customer and 1-second window into "order-totals", upserted into a PostgreSQL sink "#
                + "table"
        ) { (ctx, cdc: String, seconds: Int, totals: String) in
            guard seconds > 0 else { throw StepFailure("the window must be at least 1 second") }
            let dsn = DSN.fromEnvironment()
            if let reason = await PipelineDatabase.unavailable(dsn) {
                throw StepSkipped("the capstone needs PostgreSQL: \(reason)")
            }
            let (cdcPartitions, totalsPartitions) = ctx.scenario.state.withLock {
                ($0.partitions[cdc] ?? 1, $0.partitions[totals] ?? 1)
            }
            let database = PipelineDatabase(dsn: dsn, scope: String(UUID().uuidString.prefix(12)))
            ctx.world.update(CapstoneState.Key.self) {
                $0.pipeline = .init(
                    database: database, cdcTopic: "", cdcName: cdc, cdcPartitions: cdcPartitions,
                    totalsTopic: "", totalsPartitions: totalsPartitions,
                    windowMillis: Int64(seconds) * 1000)
            }
            let (cdcTopic, totalsTopic) = (try ctx.topic(cdc), try ctx.topic(totals))
            ctx.world.update(CapstoneState.Key.self) {
                $0.pipeline?.cdcTopic = cdcTopic
                $0.pipeline?.totalsTopic = totalsTopic
            }
            try await database.create()
            ctx.log(
                "schema \(database.schema) on \(dsn.redacted); slot \(database.slot), "
                    + "publication \(database.publication)")
        }

        code.when(
            "{int} changes to orders are made in PostgreSQL at {int} per second",
            doc: "Runs the pipeline — CDC reader, windowed totals, sink, and an observer reading the sink "
                + "table by SQL every 20 ms — while one writer makes that many inserts, updates and deletes (a "
                + "seeded mix, one change per transaction, every tenth transaction three), paced; then waits "
                + "up to 20 s until every source commit shows in the sink. The chaos plan's actions, if any, "
                + "happen as the changes reach them. Attaches the timeline.",
            example: "When 600 changes to orders are made in PostgreSQL at 100 per second"
        ) { (ctx, changes: Int, perSecond: Int) in
            try await runDrill(ctx, changes: changes, perSecond: perSecond, chaos: [])
        }

        code.when(
            "{int} changes to orders are made in PostgreSQL at {int} per second while broker {int} is killed "
                + "and the CDC reader and the sink are restarted mid-stream",
            doc: "As the step above, and: after a quarter of the changes the broker is killed (confirmed on "
                + "the wire); after half the CDC reader is killed in the middle of a round (half of it "
                + "acknowledged by Kafka, the rest dropped unsent, the slot not confirmed) and a new one "
                + "started; after three quarters the sink is killed after writing a batch and before "
                + "committing its offsets, and a new one started. Attaches the chaos timeline.",
            example: "When 800 changes to orders are made in PostgreSQL at 100 per second while broker 2 is "
                + "killed and the CDC reader and the sink are restarted mid-stream"
        ) { (ctx, changes: Int, perSecond: Int, killBroker: Int32) in
            try await runDrill(
                ctx, changes: changes, perSecond: perSecond,
                chaos: ChaosAction.standard(changes: changes, killBroker: killBroker))
        }

        code.when(
            "these changes to orders are made in PostgreSQL at {int} per second:",
            doc: "Runs the pipeline as the step above does, making the changes of a `| change | order | customer "
                + "| amount | second |` table (its first row) instead of the seeded mix, one per transaction, in "
                + "order: `insert` (customer, amount, and the second of event time it was placed at, counted "
                + "from the start of a window: second 0 is in window 0), `update` (the new amount) or `delete` "
                + "of an order the table inserted. The chaos plan's actions, if any, happen as the changes "
                + "reach them.",
            example: "When these changes to orders are made in PostgreSQL at 20 per second:"
        ) { (ctx, perSecond: Int) in
            let script = try scriptedChanges(ctx)
            try await runDrill(ctx, changes: script.count, perSecond: perSecond, chaos: [], script: script)
        }

        code.then(
            "the sink table holds exactly these totals:",
            doc: "The sink table, read by SQL, against the rows a `| customer | window | total | orders |` table "
                + "states (windows numbered from the stated changes' second 0; a window whose orders were all "
                + "deleted stays, at total 0 and 0 orders): an oracle the pipeline never saw, written by hand. "
                + "Every row of either side must be in the other, equal.",
            example: "Then the sink table holds exactly these totals:"
        ) { ctx in
            let (run, pipeline) = try ran(ctx)
            let rows = try ctx.tableRows(under: ["customer", "window", "total", "orders"], each: "window total")
            let stated = try rows.map { row -> WindowRow in
                guard let window = Int64(row[1]), let total = Int64(row[2]), let orders = Int64(row[3]) else {
                    throw StepFailure("window, total and orders of a stated row are whole numbers")
                }
                return WindowRow(customer: row[0], windowStart: window, total: total, orders: orders)
            }
            try PipelineOracle.sinkHoldsStated(
                run.sink, stated: stated, base: run.windowBase, windowMillis: pipeline.windowMillis
            ).enforce()
        }

        code.given(
            "the chaos plan kills broker {int} after {int} changes",
            doc: "Schedules a chaos action for the next run of the pipeline: once the source has made that "
                + "many changes the broker is killed, confirmed on the wire (needs a cluster with fault "
                + "operations). Each action of the plan is its own step; the run fails if one falls outside "
                + "its changes.",
            example: "Given the chaos plan kills broker 2 after 200 changes"
        ) { (ctx, broker: Int32, after: Int) in
            try ctx.cluster().require(.brokerFaults)
            ctx.world.update(CapstoneState.Key.self) {
                $0.chaos.append(.init(afterChanges: after, .killBroker(broker)))
            }
        }

        code.given(
            "the chaos plan kills the CDC reader mid-round after {int} changes",
            doc: "Schedules the CDC reader's kill for the next run: in the middle of a round (half of it "
                + "acknowledged by Kafka, the rest dropped unsent, the slot not confirmed); a new reader starts "
                + "from the slot's confirmed position and publishes the unconfirmed round again. The kill waits for "
                + "a round of two changes or more (the seeded mix makes every tenth transaction three changes; a "
                + "table's changes are one per transaction, so rounds of two come only when the reader falls "
                + "behind); one that never came fails the run.",
            example: "Given the chaos plan kills the CDC reader mid-round after 400 changes"
        ) { (ctx, after: Int) in
            ctx.world.update(CapstoneState.Key.self) { $0.chaos.append(.init(afterChanges: after, .killReader)) }
        }

        code.given(
            "the chaos plan kills the sink before it commits its offsets after {int} changes",
            doc: "Schedules the sink's kill for the next run: after it wrote a batch and before it committed "
                + "its offsets; a new sink starts from its group's committed offsets and writes the batch again "
                + "(its upserts make that harmless). The kill waits for a batch; one that never came fails the run.",
            example: "Given the chaos plan kills the sink before it commits its offsets after 600 changes"
        ) { (ctx, after: Int) in
            ctx.world.update(CapstoneState.Key.self) { $0.chaos.append(.init(afterChanges: after, .killSink)) }
        }

        code.then(
            "the sink table equals the oracle computed from the source table's change history",
            doc: "Reads the source table, its change history and the sink table by SQL. The history must "
                + "explain the source table; the oracle (Verification, independent of the pipeline) folds the "
                + "history into the expected sink table — per customer and window, the sum and count of the "
                + "live orders, a window emptied by deletes at zero — and the sink table must equal it row for "
                + "row. Attaches row counts.",
            example: "Then the sink table equals the oracle computed from the source table's change history"
        ) {
            ctx in
            let (run, pipeline) = try ran(ctx)
            let expected = PipelineOracle.expectedSink(run.history, windowMillis: pipeline.windowMillis)
            let distinct = ChangelogCheck(history: run.history, records: run.changelog, maxDuplicates: .max).distinct
            ctx.attach(
                Evidence.table(
                    [
                        "source rows", "history rows", "CDC records", "distinct changes on CDC",
                        "totals records", "sink rows", "oracle rows",
                    ],
                    [
                        [
                            "\(run.table.count)", "\(run.history.count)", "\(run.changelog.count)",
                            "\(distinct)", "\(run.totalsRecords)", "\(run.sink.count)",
                            "\(expected.count)",
                        ]
                    ]),
                mediaType: "text/markdown")
            try PipelineOracle.historyExplains(run.table, run.history).enforce()
            guard !run.history.isEmpty else { throw StepFailure("the source made no change: nothing to compare") }
            var verdict = PipelineOracle.sinkMatches(run.sink, expected: expected)
            if !verdict.holds, !run.drained {
                verdict.context = "\(run.unmeasured) source commits never showed in the sink; see the drill's timeline"
            }
            try verdict.enforce()
        }

        code.then(
            "every change of each order is on {string} in commit order, keyed by its primary key, deletes as "
                + "tombstones, with at most {int} duplicates",
            doc: "Reads the CDC topic back from the beginning and checks it against the source's change "
                + "history: per order, every change once or more, in the order made, none the source did not "
                + "make; a change published again (same commit LSN and index) counts as a duplicate, up to the "
                + "bound.",
            example: #"Then every change of each order is on "orders-cdc" in commit order, keyed by its "#
                + #"primary key, deletes as tombstones, with at most 0 duplicates"#
        ) { (ctx, topicName: String, maxDuplicates: Int) in
            let (run, pipeline) = try ran(ctx)
            guard topicName == pipeline.cdcName else {
                throw StepFailure("the pipeline captured into \"\(pipeline.cdcName)\", not \"\(topicName)\"")
            }
            let check = ChangelogCheck(history: run.history, records: run.changelog, maxDuplicates: maxDuplicates)
            ctx.log(
                "\(check.distinct) distinct changes, \(check.duplicates) duplicates; \(run.readerRestarts) CDC "
                    + "reader restarts, at most \(run.readerBatch) messages a round")
            try check.verdict.enforce()
        }

        code.then(
            "the end-to-end latency from source commit to sink row has p99 under {int} ms",
            doc: "Every source transaction must have been seen in the sink table (or its latency is unmeasured "
                + "and the step fails), and the 99th percentile of commit-to-visible must be under the bound, "
                + "both exactly and as the alert rule KafkaBddPipelineLatencyHigh (monitoring/) computes it "
                + "from the exported histogram kafka_bdd_pipeline_latency_seconds. Attaches p50/p95/p99, a "
                + "histogram, the latency over the run and the Prometheus text. A miss no larger than the "
                + "harness's own scheduling delay during the drill (measured) is inconclusive: skipped, "
                + "naming both.",
            example: "Then the end-to-end latency from source commit to sink row has p99 under 2000 ms"
        ) { (ctx, p99Bound: Int) in
            let (run, pipeline) = try ran(ctx)
            let bound = Double(p99Bound)
            let l = run.latencies
            let e = CapstoneLatencyEvidence(run, schema: pipeline.database.schema)
            ctx.attach(e.table, mediaType: "text/markdown")
            ctx.attach(e.histogram, mediaType: "image/svg+xml")
            ctx.attach(e.series, mediaType: "image/svg+xml")
            ctx.attach(e.exported, mediaType: "text/plain", fileName: "pipeline-latency.prom")
            try SLOCheck.exportedHistogram(counts: Int(e.exportedCount), measured: l.count).enforce()
            let checks = SLOCheck.commitToSinkP99(l, buckets: e.buckets, under: bound)
            MonitoringSteps.attach(ctx, checks)
            // The alert rule's quantile is the same samples through coarse buckets: the exact p99 is the miss.
            try TimedJudgement.judge(
                SLOCheck.verdict(checks, produced: run.marks, consumed: l.count),
                claim: "commit-to-sink p99", excess: [e.percentiles.p99 - bound],
                otherProblems: l.isEmpty || l.count < run.marks,
                delay: ctx.world[CapstoneState.Key.self].delay
            ).enforce()
        }

        code.then(
            "the end-to-end latency from source commit to sink row stays under these bounds:",
            doc: "The p99 step with a `| percentile | under ms |` table (its first row), one objective per row "
                + "(`p50`, `p95`, `p99`, `p99.9`, …): each percentile of commit-to-visible under its bound, "
                + "exactly and as histogram_quantile reads it from the exported histogram. Every source "
                + "transaction must have been seen in the sink table; a miss no larger than the harness's own "
                + "scheduling delay is inconclusive (skipped, naming both), as in the p99 step.",
            example: "Then the end-to-end latency from source commit to sink row stays under these bounds:"
        ) { ctx in
            let (run, pipeline) = try ran(ctx)
            let bounds = try latencyBounds(ctx)
            let l = run.latencies
            let e = CapstoneLatencyEvidence(run, schema: pipeline.database.schema)
            ctx.attach(e.table, mediaType: "text/markdown")
            ctx.attach(e.histogram, mediaType: "image/svg+xml")
            ctx.attach(e.exported, mediaType: "text/plain", fileName: "pipeline-latency.prom")
            try SLOCheck.exportedHistogram(counts: Int(e.exportedCount), measured: l.count).enforce()
            let checks = SLOCheck.commitToSink(l, buckets: e.buckets, bounds: bounds)
            MonitoringSteps.attach(ctx, checks)
            try TimedJudgement.judge(
                SLOCheck.verdict(checks, produced: run.marks, consumed: l.count),
                claim: "commit-to-sink " + bounds.map { PercentileName.of($0.percentile) }.joined(separator: "/"),
                excess: bounds.map { Percentile.of(l, $0.percentile) - $0.under },
                otherProblems: l.isEmpty || l.count < run.marks,
                delay: ctx.world[CapstoneState.Key.self].delay
            ).enforce()
        }
    }

    /// The `| change | order | customer | amount | second |` rows: each update and delete of an order inserted
    /// before it and still there.
    static func scriptedChanges(_ ctx: StepContext) throws -> [ScriptedChange] {
        let rows = try ctx.tableRows(
            under: ["change", "order", "customer", "amount", "second"], each: "change to the orders table")
        var live = Set<Int64>()
        return try rows.enumerated().map { index, row in
            let n = index + 1
            guard let order = Int64(row[1]), order > 0 else {
                throw StepFailure("change \(n) of the table: the order is a positive whole number")
            }
            // Bounded so that no window's sum can overflow.
            let amount = Int64(row[3]).flatMap { (0...1_000_000_000).contains($0) ? $0 : nil }
            switch (row[0], live.contains(order)) {
            case ("insert", false):
                guard !row[2].isEmpty, let amount, let second = Int64(row[4]), second >= 0, second < 86_400 else {
                    throw StepFailure(
                        "change \(n) of the table: an insert names a customer, an amount (0 to 10^9) and a "
                            + "second (0 to 86399)")
                }
                live.insert(order)
                return ScriptedChange(order: order, .insert(customer: row[2], amount: amount, second: second), line: n)
            case ("update", true):
                guard let amount else {
                    throw StepFailure("change \(n) of the table: an update names an amount (0 to 10^9)")
                }
                return ScriptedChange(order: order, .update(amount: amount), line: n)
            case ("delete", true):
                live.remove(order)
                return ScriptedChange(order: order, .delete, line: n)
            case ("insert", true), ("update", false), ("delete", false):
                throw StepFailure(
                    "change \(n) of the table: \(row[0]) of order \(order), which "
                        + (row[0] == "insert" ? "is already there" : "is not there"))
            default:
                throw StepFailure("change \(n) of the table: a change is insert, update or delete")
            }
        }
    }

    /// The `| percentile | under ms |` rows of the step's table: `p50 | 500`.
    static func latencyBounds(_ ctx: StepContext) throws -> [(percentile: Double, under: Double)] {
        let rows = try ctx.tableRows(under: ["percentile", "under ms"], each: "latency objective")
        return try rows.enumerated().map { index, row -> (percentile: Double, under: Double) in
            // An hour bounds any latency objective here, and keeps every bound a whole number of ms can hold.
            guard let p = PercentileName.parse(row[0]), let bound = Double(row[1]), bound > 0, bound <= 3_600_000
            else {
                throw StepFailure(
                    "each row of the bounds table is a percentile (p50, p99.9: above 0, at most 100) and a "
                        + "positive bound in ms, at most 3600000: row \(index + 1) is not")
            }
            return (p, bound)
        }
    }

    static func ran(_ ctx: StepContext) throws -> (CapstoneRun, CapstoneState.Pipeline) {
        let state = ctx.world[CapstoneState.Key.self]
        guard let pipeline = state.pipeline else { throw StepFailure("no capstone pipeline in this scenario") }
        guard let run = state.run else { throw StepFailure("the pipeline has not run in this scenario") }
        return (run, pipeline)
    }

    static func runDrill(
        _ ctx: StepContext, changes: Int, perSecond: Int, chaos: [ChaosAction], script: [ScriptedChange]? = nil
    ) async throws {
        guard changes > 0, perSecond > 0 else { throw StepFailure("changes and rate must be positive") }
        let state = ctx.world[CapstoneState.Key.self]
        guard let pipeline = state.pipeline else {
            throw StepFailure("no capstone pipeline: start with `Given the capstone pipeline: …`")
        }
        let cluster = try ctx.cluster()
        let chaos = state.chaos + chaos
        if chaos.contains(where: { if case .killBroker = $0.kind { true } else { false } }) {
            try cluster.require(.brokerFaults)
            // Recorded before the drill kills it: the claims are judged only after the drill returned.
            ctx.record(.brokerKill)
        }
        let drill = CapstoneDrill(cluster: cluster, pipeline: pipeline, writer: state.writer, confirm: state.confirm)
        let (run, delay) = try await HarnessDelay.during {
            try await drill.run(changes: changes, perSecond: perSecond, chaos: chaos, script: script)
        }
        ctx.world.update(CapstoneState.Key.self) {
            $0.run = run; $0.delay = delay
        }
        ctx.log("the harness's own scheduling delay during the drill: \(delay.description)")
        ctx.attach(
            Evidence.table(["s", "event"], run.timeline.map { [String(format: "%.2f", $0.seconds), $0.event] }),
            mediaType: "text/markdown")
    }
}

/// The capstone pipeline as one scenario sets it up, and what its steps may swap for the negative
/// controls (a sink writer that drops updates, a CDC reader that confirms before Kafka acknowledged).
struct CapstoneState: Sendable {
    enum Key: WorldKey { static var defaultValue: CapstoneState { CapstoneState() } }

    typealias Pipeline = CapstonePipeline

    var pipeline: Pipeline?
    var writer: @Sendable (String) -> any SinkWriter = { UpsertWriter(table: $0) }
    var confirm: CDCReader.Confirm = .afterAcknowledged
    var run: CapstoneRun?
    /// What the chaos plan's steps scheduled for the next run.
    var chaos: [ChaosAction] = []
    /// The harness's own scheduling delay while the drill ran.
    var delay: SchedulingDelay?
}
