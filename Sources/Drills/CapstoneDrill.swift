import ChangeCapture
import Cluster
import Foundation
import KafkaClient
import Postgres
import Synchronization
import Verification

/// The capstone pipeline's database and topics, as one scenario set them up.
public struct CapstonePipeline: Sendable {
    public var database: PipelineDatabase
    public var cdcTopic: String, cdcName: String, cdcPartitions: Int32
    public var totalsTopic: String, totalsPartitions: Int32
    public var windowMillis: Int64

    public init(
        database: PipelineDatabase, cdcTopic: String, cdcName: String, cdcPartitions: Int32,
        totalsTopic: String, totalsPartitions: Int32, windowMillis: Int64
    ) {
        self.database = database
        self.cdcTopic = cdcTopic
        self.cdcName = cdcName
        self.cdcPartitions = cdcPartitions
        self.totalsTopic = totalsTopic
        self.totalsPartitions = totalsPartitions
        self.windowMillis = windowMillis
    }
}

/// What one run of the pipeline left: the source's history and table, the sink table and the CDC topic
/// as read back, the latencies, and the chaos timeline.
public struct CapstoneRun: Sendable {
    public var history: [SourceChange] = []
    public var table: [SourceChange] = []
    public var sink: [WindowRow] = []
    public var changelog: [ChangelogRecord] = []
    public var totalsRecords = 0
    public var latencies: [Double] = []
    /// Source transactions whose window row never showed them within the drain deadline.
    public var unmeasured = 0
    public var marks = 0
    /// (seconds into the drill, latency ms) per measured transaction, in commit order.
    public var latencySeries: [(Double, Double)] = []
    public var timeline: [(seconds: Double, event: String)] = []
    public var readerRestarts = 0
    public var readerBatch = 0
    public var drained = false
    /// Event time 0 of a stated script (ms since the Unix epoch, a window start): window N starts N windows later.
    public var windowBase: Int64 = 0

    public init() {}
}

/// One chaos action of a capstone run, done once the source workload has made `afterChanges` changes.
public struct ChaosAction: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The broker killed (confirmed on the wire).
        case killBroker(Int32)
        /// The CDC reader killed in the middle of a round (half of it acknowledged by Kafka, the rest dropped
        /// unsent, the slot not confirmed); a new one starts from the slot's confirmed position.
        case killReader
        /// The sink killed after writing a batch and before committing its offsets; a new one starts from
        /// its group's committed offsets.
        case killSink
    }

    public var afterChanges: Int
    public var kind: Kind

    public init(afterChanges: Int, _ kind: Kind) {
        self.afterChanges = afterChanges
        self.kind = kind
    }

    /// The chaos of the one-sentence drill: the broker at a quarter, the reader at a half, the sink at three
    /// quarters of the changes.
    public static func standard(changes: Int, killBroker broker: Int32) -> [ChaosAction] {
        [
            .init(afterChanges: changes / 4, .killBroker(broker)), .init(afterChanges: changes / 2, .killReader),
            .init(afterChanges: changes * 3 / 4, .killSink),
        ]
    }
}

/// Source workload → CDC reader → Kafka → windowed totals → Kafka → sink, with the SQL observer timing
/// each source commit to its sink row; optionally a broker killed and the reader and the sink killed
/// and restarted mid-stream (at a quarter, a half and three quarters of the changes).
public final class CapstoneDrill: Sendable {
    public let cluster: any Cluster
    public let pipeline: CapstonePipeline
    public let writer: @Sendable (String) -> any SinkWriter
    public let confirm: CDCReader.Confirm
    private let clock = DrillClock()
    private let timeline = Mutex<[(Double, String)]>([])
    private let stopping = Atomic<Bool>(false)
    private let reader = Mutex<CDCReader?>(nil)
    private let sink = Mutex<TotalsSink?>(nil)
    private let restarts = Atomic<Int>(0)
    private let sinkKills = Atomic<Int>(0)
    /// The first error of a pipeline stage: it stops the drill at once.
    private let failure = Mutex<(any Error)?>(nil)

    private func fail(_ error: any Error) {
        failure.withLock { $0 = $0 ?? error }
        stopping.store(true, ordering: .releasing)
    }

    private func checkStages() throws {
        if let e = failure.withLock({ $0 }) { throw e }
    }

    /// - Parameters:
    ///   - writer: the sink's writer for a table (a negative control swaps in one that drops updates).
    ///   - confirm: when the CDC reader confirms its position (a negative control confirms too early).
    public init(
        cluster: any Cluster, pipeline: CapstonePipeline,
        writer: @escaping @Sendable (String) -> any SinkWriter, confirm: CDCReader.Confirm
    ) {
        self.cluster = cluster
        self.pipeline = pipeline
        self.writer = writer
        self.confirm = confirm
    }

    private func note(_ event: String) {
        let now = clock.now
        timeline.withLock { $0.append((now, event)) }
        if ProcessInfo.processInfo.environment["KAFKA_BDD_CAPSTONE_TRACE"] != nil {
            FileHandle.standardError.write(Data(String(format: "capstone %.2f %@\n", now, event).utf8))
        }
    }

    public func run(
        changes: Int, perSecond: Int, chaos: [ChaosAction] = [], script: [ScriptedChange]? = nil
    ) async throws -> CapstoneRun {
        if let late = chaos.first(where: { $0.afterChanges < 1 || $0.afterChanges > changes }) {
            throw DrillFailure(
                "a chaos action after \(late.afterChanges) changes never happens in a run of \(changes) "
                    + "change\(changes == 1 ? "" : "s"): give a number from 1 to \(changes)")
        }
        let db = pipeline.database
        let stop: @Sendable () -> Bool = { [self] in stopping.load(ordering: .acquiring) }
        let observer = SinkObserver(database: db)
        let group = "capstone-sink-\(db.schema)"
        // The suite plays the controller on the embedded cluster: the sink group's coordinator moves off
        // a killed broker only if the cluster knows the group.
        cluster.registerCoordinatorKey(group, type: .group)
        let config = cluster.config()
        let aggregator = WindowedTotalsProcessor(
            from: pipeline.cdcTopic, partitions: pipeline.cdcPartitions,
            to: pipeline.totalsTopic, windowMillis: pipeline.windowMillis,
            config: config)
        let readers = Task.detached { [self] in
            // A reader that crashed (asked to) or failed is replaced at once; five failures end the drill.
            var failures = 0
            while !stop() {
                let r = CDCReader(database: db, topic: pipeline.cdcTopic, config: config, confirm: confirm)
                reader.withLock { $0 = r }
                do {
                    try await r.run(until: stop)
                    if r.progress.crashed {
                        note(
                            "CDC reader killed mid-round: \(r.progress.rounds) rounds confirmed, "
                                + "the last unconfirmed")
                        restarts.wrappingAdd(1, ordering: .relaxed)
                        note("CDC reader restarted from the slot's confirmed position")
                    }
                } catch {
                    failures += 1
                    note("CDC reader failed: \(error)")
                    if failures >= 5 { fail(error) }
                }
            }
        }
        let sinks = Task.detached { [self] in
            var failures = 0
            while !stop() {
                let s = TotalsSink(
                    topic: pipeline.totalsTopic, partitions: pipeline.totalsPartitions, group: group,
                    dsn: db.dsn, writer: writer(db.sink), config: config)
                sink.withLock { $0 = s }
                do {
                    try await s.run(until: stop)
                    if !stop() {
                        sinkKills.wrappingAdd(1, ordering: .relaxed)
                        note("sink killed after writing a batch, before committing its offsets")
                        note("sink restarted from its group's committed offsets")
                    }
                } catch {
                    failures += 1
                    note("sink failed: \(error)")
                    if failures >= 5 { fail(error) }
                }
            }
        }
        let aggregating = Task.detached { [self] in
            do { try await aggregator.run(until: stop) } catch {
                note("windowed totals failed: \(error)")
                fail(error)
            }
        }
        let observing = Task.detached { [self] in
            do { try await observer.run(until: stop) } catch { fail(error) }
        }
        let stages = [
            ("CDC reader", readers), ("sink", sinks), ("windowed totals", aggregating),
            ("observer", observing),
        ]
        note("pipeline started")
        let startedAt = Date().timeIntervalSince1970 * 1000 - clock.now * 1000
        var run = CapstoneRun()
        do {
            // The changes start once every stage is up (the slot read, both consumers fetching, the sink
            // table read): the latency measured is the pipeline's, not its clients' start-up.
            let ready = ContinuousClock.now + .seconds(15)
            while !(reader.withLock { $0 }?.progress.ready ?? false) || !aggregator.isReady
                || !(sink.withLock { $0 }?.isReady ?? false) || !observer.isReady
            {
                try checkStages()
                guard ContinuousClock.now < ready else { throw DrillFailure("the pipeline was not up within 15 s") }
                try await Task.sleep(for: .milliseconds(20))
            }
            note("every stage up")
            var workload = SourceWorkload(changes: changes, perSecond: perSecond, windowMillis: pipeline.windowMillis)
            if let script {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                workload.script = script
                workload.base = (now / pipeline.windowMillis + 1) * pipeline.windowMillis
                run.windowBase = workload.base
            }
            let total = Mutex(0)
            try await workload.run(
                db,
                committed: { marks in
                    observer.expect(marks)
                    total.withLock { $0 += marks.count }
                },
                made: { [self] made in
                    try checkStages()
                    for action in chaos where action.afterChanges == made {
                        switch action.kind {
                        case .killBroker(let broker):
                            note("broker \(broker) killed")
                            try await cluster.kill(broker: broker)
                            note("broker \(broker) confirmed down on the wire")
                        case .killReader:
                            note("CDC reader kill requested")
                            reader.withLock { $0 }?.crash()
                        case .killSink:
                            note("sink kill requested")
                            sink.withLock { $0 }?.crash()
                        }
                    }
                })
            note("source workload done: \(changes) changes")
            run.marks = total.withLock { $0 }
            // Drained when every source transaction shows in the sink, or 20 s pass.
            let deadline = ContinuousClock.now + .seconds(20)
            while observer.pending > 0, ContinuousClock.now < deadline {
                try checkStages()
                try await Task.sleep(for: .milliseconds(50))
            }
            run.drained = observer.pending == 0
            // A kill waits for its moment (a reader's round of two changes or more, a sink's batch): one
            // asked for too late in the run never came, and the run did not test what its plan says.
            for (what, kind, done) in [
                ("CDC reader", ChaosAction.Kind.killReader, restarts.load(ordering: .relaxed)),
                ("sink", .killSink, sinkKills.load(ordering: .relaxed)),
            ] {
                let asked = chaos.filter { $0.kind == kind }
                if done < asked.count, let first = asked.dropFirst(done).first {
                    throw DrillFailure(
                        "the \(what) kill asked for after \(first.afterChanges) changes never happened: a kill "
                            + "waits for \(kind == .killSink ? "a batch to write" : "a round of two changes or more"), "
                            + "and none came after it — make more changes after it")
                }
            }
            note(
                run.drained
                    ? "every source commit visible in the sink"
                    : "\(observer.pending) source commits never visible")
        } catch {
            stopping.store(true, ordering: .releasing)
            _ = await Self.settle(stages, within: .seconds(10))
            throw failure.withLock { $0 } ?? error
        }
        stopping.store(true, ordering: .releasing)
        let running = await Self.settle(stages, within: .seconds(15))
        // A stage still closing its Kafka clients after the bound is left to finish in the background
        // (librdkafka's close and flush can block for long on a loaded machine); a sink still writing
        // to the table is not, as the table is read next.
        if !running.isEmpty, !(sink.withLock { $0 }?.isWriting ?? false) {
            note(
                "\(running.joined(separator: ", ")) not stopped after 15 s (in a Kafka client call); left to "
                    + "finish, the sink writes no more")
        } else if !running.isEmpty {
            throw DrillFailure(
                "pipeline stages did not stop within 15 s: \(running.joined(separator: ", ")); "
                    + "timeline: "
                    + timeline.withLock { $0 }.map { String(format: "%.1f s %@", $0.0, $0.1) }
                    .joined(separator: "; "))
        }
        try checkStages()
        let measured = observer.measured.sorted { $0.committedAt < $1.committedAt }
        run.latencies = measured.map(\.latency)
        run.latencySeries = measured.map { ((($0.committedAt - startedAt) / 1000), $0.latency) }
        run.unmeasured = observer.pending
        run.readerRestarts = restarts.load(ordering: .relaxed)
        run.readerBatch = CDCReader(database: db, topic: "", config: KafkaConfig()).batch
        run.timeline = timeline.withLock { $0 }
        try await readBack(&run)
        return run
    }

    /// Waits for the stages to end, at most `limit` (a stage blocked in a client call keeps running);
    /// returns the names of those still running.
    public static func settle(_ tasks: [(String, Task<Void, Never>)], within limit: Duration) async -> [String] {
        final class Done: Sendable { let names = Mutex<Set<String>>([]) }
        let done = Done()
        for (name, t) in tasks {
            Task {
                await t.value; done.names.withLock { _ = $0.insert(name) }
            }
        }
        let deadline = ContinuousClock.now + limit
        while done.names.withLock({ $0.count }) < tasks.count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let finished = done.names.withLock { $0 }
        return tasks.map(\.0).filter { !finished.contains($0) }
    }

    private func readBack(_ run: inout CapstoneRun) async throws {
        let db = pipeline.database
        let c = try await Connection.connect(db.dsn)
        defer { c.close() }
        run.history = try await db.readHistory(c).map { h in
            SourceChange(
                SourceChange.Operation(rawValue: h.op) ?? .update, id: h.order.id, customer: h.order.customer,
                amount: h.order.amount, placedAt: h.order.placedAt)
        }
        run.table = try await db.readOrders(c).map {
            SourceChange(.insert, id: $0.id, customer: $0.customer, amount: $0.amount, placedAt: $0.placedAt)
        }
        run.sink = try await db.readSink(c).map {
            WindowRow(customer: $0.key.customer, windowStart: $0.key.windowStart, total: $0.total, orders: $0.orders)
        }
        let records = try await LogEndReads.readTopic(
            cluster, topic: pipeline.cdcTopic,
            partitions: pipeline.cdcPartitions)
        run.changelog = records.compactMap { r in
            guard let change = CapturedChange(r) else { return nil }
            let row = change.order.map {
                SourceChange(
                    change.operation == .insert ? .insert : .update, id: $0.id, customer: $0.customer,
                    amount: $0.amount, placedAt: $0.placedAt)
            }
            return ChangelogRecord(
                partition: r.partition, offset: r.offset, key: r.keyString,
                operation: SourceChange.Operation(rawValue: change.operation.rawValue)!,
                commitLSN: change.position.commitLSN, index: change.position.index, row: row,
                valueIsNull: r.valueIsNull)
        }
        run.totalsRecords = try await LogEndReads.readTopic(
            cluster, topic: pipeline.totalsTopic,
            partitions: pipeline.totalsPartitions
        ).count
    }
}

/// The capstone's latency evidence: what the report shows and what the alert rule reads back.
public struct CapstoneLatencyEvidence: Sendable {
    public var percentiles: (p50: Double, p95: Double, p99: Double)
    /// Markdown: transactions, measured, p50/p95/p99/max.
    public var table: String
    /// SVG: transactions per latency bucket of the exported histogram.
    public var histogram: String
    /// SVG: latency by commit time, chaos shaded.
    public var series: String
    /// The Prometheus text exported for the run.
    public var exported: String
    /// The exported histogram's buckets and count, as the alert rule (monitoring/) reads them.
    public var buckets: [(le: Double, count: Double)]
    public var exportedCount: Double

    public init(_ run: CapstoneRun, schema: String) {
        let l = run.latencies
        percentiles = (Percentile.of(l, 50), Percentile.of(l, 95), Percentile.of(l, 99))
        let ms = { (v: Double) in String(format: "%.0f", v) }
        let p = percentiles
        table = Evidence.table(
            ["transactions", "measured", "p50 ms", "p95 ms", "p99 ms", "max ms"],
            [["\(run.marks)", "\(l.count)", ms(p.p50), ms(p.p95), ms(p.p99), ms(l.max() ?? 0)]])
        var bars: [(String, Double)] = []
        var lower = 0.0
        for edge in PipelineMetrics.buckets.map({ $0 * 1000 }) {
            let inBucket = l.filter { $0 > lower && $0 <= edge || (lower == 0 && $0 == 0) }.count
            bars.append(("\(ms(lower))–\(ms(edge)) ms", Double(inBucket)))
            lower = edge
        }
        bars.append(("over \(ms(lower)) ms", Double(l.filter { $0 > lower }.count)))
        histogram = Evidence.barChart(title: "Commit to sink row: transactions per latency bucket", bars: bars)
        series = Evidence.lineChart(
            title: "Commit-to-sink latency (ms) by commit time", unit: "ms; chaos shaded",
            samples: run.latencySeries, spans: Self.chaosSpans(run))
        exported = PipelineMetrics.prometheusText(latenciesMillis: l, pipeline: schema)
        let name = PipelineMetrics.latencyName
        buckets = ClientMetrics.samples(named: name + "_bucket", in: exported).compactMap { s in
            s.0["le"].flatMap { $0 == "+Inf" ? Double.infinity : Double($0) }.map { (le: $0, count: s.1) }
        }
        exportedCount = ClientMetrics.samples(named: name + "_count", in: exported).first?.1 ?? 0
    }

    /// The chaos events as shaded spans of half a second from each.
    static func chaosSpans(_ run: CapstoneRun) -> [(label: String, from: Double, to: Double)] {
        let events = run.timeline.filter { $0.event.contains("killed") || $0.event.contains("kill requested") }
        return events.map { e in
            let label =
                e.event.hasPrefix("broker")
                ? "broker down"
                : e.event.hasPrefix("CDC") ? "CDC reader restart" : "sink restart"
            return (label, e.seconds, e.seconds + 0.5)
        }
    }
}
