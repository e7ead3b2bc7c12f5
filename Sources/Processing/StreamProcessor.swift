import Foundation
import KafkaClient
import Streams

/// One instance of KAF-14's stream processor: reads the orders and payments topics, applies the
/// `Streams` topology and writes the result view, the dropped records and the changelog.
///
/// Tasks: as in Kafka Streams, the work is split by input partition number — task `n` joins orders
/// partition `n` with payments partition `n` (the inputs must be co-partitioned: the same key in the same
/// partition number, so equal partition counts) and has its own state, stream time included. Alone, an
/// instance takes every task; with `Options.shareWork` it subscribes in the application's group and the
/// range assignor gives each member both partitions of its tasks. A task the instance gains is restored
/// from the changelog (its entries only: changelog partition `task % partitions`); a task it loses is
/// dropped, its processed records committed (or, when the commit lost to the rebalance, in the changelog,
/// whose positions let the next owner skip them).
///
/// Guarantees: at-least-once. For each batch the results (upserts keyed `key@windowStart`) and the
/// dropped-record reports are written and flushed first, then the changelog entries (one record per
/// processed input record, holding its state change and its offset) are written and flushed, and only
/// then the input offsets are committed. A crash anywhere re-delivers records from the last commit:
/// the restored state skips those whose offsets its changelog already holds, and results re-written
/// for the others carry the same value (idempotent upserts on the result view), so the view ends as
/// an uninterrupted run's.
///
/// Processing order: always the partition head with the least timestamp (`Streams.ProcessingOrder`);
/// a partition with nothing buffered holds processing back until it is caught up with its high
/// watermark, so that the order does not depend on how fetches arrive (reprocessing is deterministic
/// for input written before it is read). A task's records come in the same order whichever instance
/// holds it: the merge's order restricted to some partitions is their own merge's.
public final class StreamProcessor: @unchecked Sendable {
    public struct Options: Sendable {
        public var orders: String
        public var payments: String
        public var results: String
        public var changelog: String
        public var dropped: String
        public var group: String
        public var topology: TopologyConfig
        /// Read the changelog into the state of each task taken (switching it off is the negative control of
        /// a processor that does not restore).
        public var restoreState = true
        /// Take tasks from the group's assignment (several instances of one application), not all of them.
        public var shareWork = false
        public var batchSize = 20

        public init(
            orders: String, payments: String, results: String, changelog: String, dropped: String,
            group: String, topology: TopologyConfig
        ) {
            self.orders = orders
            self.payments = payments
            self.results = results
            self.changelog = changelog
            self.dropped = dropped
            self.group = group
            self.topology = topology
        }
    }

    public let options: Options
    private let config: KafkaConfig
    private struct State {
        var stopping = false
        var killAfter: Int?
        var holdAfter: Int?
        var processed = 0
        var skipped = 0
        var restored = 0
        var restoredTasks: [Int32: Int] = [:]
        var restoring: Duration = .zero
        var killed = false
        var held = false
        var caughtUp = false
        var assigned = false
        var rebalances = 0
        /// Its partitions were revoked and no new assignment has come yet: it processes nothing.
        var suspended = false
        /// Tasks gained from now on start empty (a drill).
        var forgetting = false
        var error: String?
        var tasks: [Int32: TopologyState] = [:]
        var processedTasks: [Int32: Int] = [:]
    }
    private let state = Locked(State())
    private var task: Task<Void, Never>?

    public init(config: KafkaConfig, options: Options) {
        self.config = config
        self.options = options
    }

    public struct Status: Sendable {
        public var processed: Int, skipped: Int, restored: Int
        /// Time spent reading the changelog into tasks' states.
        public var restoring: Duration
        public var killed: Bool, caughtUp: Bool
        /// Stopped processing at `hold(afterProcessing:)`'s count, still in its group.
        public var held: Bool
        public var error: String?
        /// Each task's state (the tasks the instance holds now).
        public var tasks: [Int32: TopologyState]
        /// Distinct changelog entries restored into each task, at the task's last take-over.
        public var restoredTasks: [Int32: Int]
        /// Records this instance processed per task.
        public var processedTasks: [Int32: Int]
        /// Group rebalances this instance took part in (shared work only).
        public var rebalances: Int
        /// The instance's whole view: its tasks' states as one.
        public var state: TopologyState { TopologyState.merged(tasks) }
    }
    public var status: Status {
        state.withLock {
            Status(
                processed: $0.processed, skipped: $0.skipped, restored: $0.restored, restoring: $0.restoring,
                killed: $0.killed,
                caughtUp: $0.caughtUp, held: $0.held, error: $0.error, tasks: $0.tasks,
                restoredTasks: $0.restoredTasks, processedTasks: $0.processedTasks, rebalances: $0.rebalances)
        }
    }

    /// Dies as a crash would, right after the changelog of its `count`th processed record is flushed and
    /// before the input offsets are committed: nothing more is written, flushed or committed.
    public func kill(afterProcessing count: Int) { state.withLock { $0.killAfter = count } }

    /// Stops processing after `count` records (committed), still polling: it stays in its group and takes
    /// part in rebalances until `release()`.
    public func hold(afterProcessing count: Int) { state.withLock { $0.holdAfter = count } }
    /// From now on the tasks it gains start from an empty state instead of the changelog's (a drill).
    public func forgetChangelog() { state.withLock { $0.forgetting = true } }

    public func release() {
        state.withLock {
            $0.holdAfter = nil
            $0.held = false
            $0.caughtUp = false
        }
    }

    public func start() async throws {
        let consumer = try Consumer(
            config: config.merging(
                KafkaConfig([
                    "group.id": options.group, "enable.auto.commit": "false", "auto.offset.reset": "earliest",
                    "fetch.wait.max.ms": "50", "partition.assignment.strategy": "range",
                    "heartbeat.interval.ms": "500", "session.timeout.ms": "6000",
                ])),
            onRebalance: { [state] event, _ in
                state.withLock { s in
                    if event.kind == .assigned { s.rebalances += 1 } else { s.suspended = true }
                }
            })
        let producer = try Producer(
            config: config.merging(
                KafkaConfig([
                    "acks": "all", "max.in.flight.requests.per.connection": "1", "linger.ms": "5",
                ])))
        task = Task.detached { [self] in
            do {
                try await loop(consumer: consumer, producer: producer)
            } catch {
                state.withLock { $0.error = "\(error)" }
            }
            if state.withLock({ $0.killed }) {
                consumer.kill()
                await producer.kill()
            } else {
                await consumer.close(within: .seconds(5))
                await producer.close(flushTimeout: .seconds(5))
            }
        }
    }

    /// Stops after the current batch (committed).
    public func stop() async {
        state.withLock { $0.stopping = true }
        await task?.value
    }

    /// Waits until the processor has caught up with the input's end, died or failed.
    public func waitUntilIdle(within timeout: Duration) async throws {
        try await waitUntil(within: timeout, "caught up with the input") { $0.killed || $0.caughtUp }
    }

    /// Why a processor stopped or could not start (its configuration, or the cluster's error as it came).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Waits until `condition` holds of the status; throws when the processor failed or the time is up.
    public func waitUntil(within timeout: Duration, _ what: String, _ condition: (Status) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let s = status
            if let e = s.error { throw Failure("the stream processor failed: \(e)") }
            if condition(s) { return }
            try await Task.sleep(for: .milliseconds(50))  // polling interval of the deadline loop
        }
        throw KafkaError.timedOut(
            "the stream processor had not \(what) within \(timeout.formatted()) (processed \(status.processed))")
    }

    /// The states of `tasks` as the changelog holds them (empty when restoring is off).
    private func restore(_ tasks: Set<Int32>, changelogPartitions: Int32) async throws -> [Int32: TopologyState] {
        guard options.restoreState, !state.withLock({ $0.forgetting }), !tasks.isEmpty else {
            return Dictionary(uniqueKeysWithValues: tasks.map { ($0, TopologyState()) })
        }
        let began = ContinuousClock.now
        defer { state.withLock { $0.restoring += ContinuousClock.now - began } }
        let partitions = Set(tasks.map { $0 % changelogPartitions }).sorted()
        let records = try await TopicReader.readAll(config: config, topic: options.changelog, partitions: partitions)
        let entries = try records.map { try StreamsCodec.decode(ChangelogEntry.self, $0.value) }
        var out: [Int32: TopologyState] = [:]
        for t in tasks {
            let mine = entries.filter { $0.source.partition == t }
            out[t] = TopologyState.restore(task: t, from: mine)
            let distinct = Set(mine.map { "\($0.source)@\($0.offset)" }).count
            state.withLock {
                $0.restored += mine.count
                $0.restoredTasks[t] = distinct
            }
        }
        return out
    }

    private func loop(consumer: Consumer, producer: Producer) async throws {
        let md = try await consumer.metadata(topic: nil)
        guard let orders = md.topic(options.orders) else {
            throw KafkaError(code: 3, detail: "no topic \(options.orders)")
        }
        guard let payments = md.topic(options.payments) else {
            throw KafkaError(code: 3, detail: "no topic \(options.payments)")
        }
        guard orders.partitions.count == payments.partitions.count else {
            throw Failure(
                "\(options.orders) has \(orders.partitions.count) partitions and \(options.payments) "
                    + "\(payments.partitions.count): a join's inputs must be co-partitioned (as many partitions)")
        }
        let changelogPartitions = Int32(max(1, md.topic(options.changelog)?.partitions.count ?? 1))
        var assigned: [TopicPartitionOffset] = []
        var buffers: [Source: [InputRecord]] = [:]
        var next: [Source: Int64] = [:]  // the next offset to read per partition
        /// Takes the tasks of a new assignment: keeps those still held, restores those gained.
        func take(_ partitions: [TopicPartitionOffset]) async throws {
            let held = Set(assigned.map { source($0.topic, $0.partition) })
            let committed = try await consumer.committed(partitions)
            assigned = committed
            let now = Set(committed.map { source($0.topic, $0.partition) })
            for s in held.subtracting(now) {
                buffers[s] = nil
                next[s] = nil
            }
            for c in committed where !held.contains(source(c.topic, c.partition)) {
                next[source(c.topic, c.partition)] = max(0, c.offset)
            }
            let tasks = Set(committed.map(\.partition))
            let have = state.withLock { s in
                s.tasks = s.tasks.filter { tasks.contains($0.key) }
                s.restoredTasks = s.restoredTasks.filter { tasks.contains($0.key) }
                return Set(s.tasks.keys)
            }
            let gained = try await restore(tasks.subtracting(have), changelogPartitions: changelogPartitions)
            state.withLock { s in
                s.tasks.merge(gained) { a, _ in a }
                s.assigned = true
                s.suspended = false
                s.caughtUp = false  // with new partitions, until it has looked at them
            }
        }
        if options.shareWork {
            try consumer.subscribe([options.orders, options.payments])
        } else {
            let all = [orders, payments].flatMap { t in
                t.partitions.map { TopicPartitionOffset(topic: t.name, partition: $0.id) }
            }
            try await take(all)
            try await consumer.assignKnowingLeaders(
                assigned.map { c in
                    var c = c
                    if c.offset < 0 { c.offset = TopicPartitionOffset.beginning }
                    return c
                })
        }
        let topology = Topology(options.topology)
        var rebalances = 0
        while !state.withLock({ $0.stopping }) {
            let polled = try await consumer.records(atMost: 500, within: .milliseconds(50))
            if state.withLock({ $0.stopping }) { break }  // not a rebalance of the group others are leaving
            if options.shareWork, state.withLock({ $0.rebalances }) != rebalances {
                rebalances = state.withLock { $0.rebalances }
                // Rebalances happen inside a poll, and every batch is committed before the next: what this
                // instance processed is committed (or in the changelog), so a task's state is whole. A task it
                // keeps keeps its state (Kafka Streams' eager protocol suspends and resumes it).
                try await take(try consumer.assignment())
            }
            if state.withLock({ $0.suspended }) { continue }
            for r in polled {
                let s = source(r.topic, r.partition)
                // A partition lost in the poll, or re-fetched from its committed offset after a rebalance.
                guard let at = next[s], r.offset >= at else { continue }
                next[s] = r.offset + 1
                guard let amount = StreamsCodec.amount(r.value), let key = r.keyString else { continue }
                buffers[s, default: []].append(
                    InputRecord(
                        side: s.side, partition: r.partition, offset: r.offset, key: key,
                        amount: amount, timestamp: r.timestamp ?? 0))
            }
            // A partition with nothing buffered must be caught up before the others move on without it.
            var caughtUp = state.withLock { $0.assigned }
            for c in assigned where buffers[source(c.topic, c.partition), default: []].isEmpty {
                let high = try await consumer.watermarks(topic: c.topic, partition: c.partition).high
                if (next[source(c.topic, c.partition)] ?? 0) < high { caughtUp = false }
            }
            var batch: [InputRecord] = []
            let limit =
                state.withLock { s in
                    [s.killAfter, s.holdAfter].compactMap { $0 }.min().map { max(0, $0 - s.processed) }
                } ?? options.batchSize
            while batch.count < min(limit, options.batchSize) {
                let sources = buffers.keys.sorted()
                let heads = sources.compactMap { buffers[$0]?.first }
                let blocked = sources.count < assigned.count || heads.count < sources.count
                if blocked && !caughtUp { break }
                let live = sources.filter { !(buffers[$0]?.isEmpty ?? true) }
                guard let pick = ProcessingOrder.next(live.map { buffers[$0]![0] }) else { break }
                batch.append(buffers[live[pick]]!.removeFirst())
                if buffers[live[pick]]!.isEmpty { break }  // re-check its high watermark before going on
            }
            if batch.isEmpty {
                state.withLock { s in
                    s.caughtUp = caughtUp && buffers.values.allSatisfy(\.isEmpty)
                    if let hold = s.holdAfter, s.processed >= hold { s.held = true }
                }
                if state.withLock({ s in s.killAfter.map { s.processed >= $0 } ?? false }) {
                    state.withLock { $0.killed = true }
                    return
                }
                continue
            }
            state.withLock { $0.caughtUp = false }
            try await process(batch, topology: topology, producer: producer, changelogPartitions: changelogPartitions)
            if state.withLock({ s in s.killAfter.map { s.processed >= $0 } ?? false }) {
                state.withLock { $0.killed = true }
                return  // a crash: the input offsets of this batch are never committed
            }
            var offsets: [String: TopicPartitionOffset] = [:]
            for r in batch {
                let topic = r.side == .order ? options.orders : options.payments
                offsets["\(topic)/\(r.partition)"] = TopicPartitionOffset(
                    topic: topic, partition: r.partition, offset: r.offset + 1)
            }
            do {
                try await consumer.commit(Array(offsets.values))
            } catch let e as KafkaError where options.shareWork && e.isLostToRebalance {
                // The batch is in the changelog: whoever holds its tasks next skips these records.
            }
        }
    }

    private func process(_ batch: [InputRecord], topology: Topology, producer: Producer, changelogPartitions: Int32)
        async throws
    {
        var outputs: [Topology.Output] = []
        state.withLock { s in
            for r in batch {
                let out = topology.process(r, state: &s.tasks[r.partition, default: TopologyState()])
                if out.skipped { s.skipped += 1 } else { s.processedTasks[r.partition, default: 0] += 1 }
                outputs.append(out)
            }
        }
        var token: UInt64 = 0
        for out in outputs {
            for window in out.removed {
                token += 1
                try producer.produce(
                    topic: options.results, key: StreamsCodec.resultKey(window), value: nil, token: token)
            }
            for result in out.results {
                token += 1
                try producer.produce(
                    topic: options.results, key: StreamsCodec.resultKey(result.window),
                    value: StreamsCodec.encode(result), token: token)
            }
            for d in out.dropped {
                token += 1
                try producer.produce(
                    topic: options.dropped, key: Array(d.record.key.utf8), value: StreamsCodec.encode(d),
                    token: token)
            }
        }
        try await producer.flush(timeout: .seconds(30))
        for entry in outputs.compactMap(\.changelog) {
            token += 1
            try producer.produce(
                topic: options.changelog, partition: entry.source.partition % changelogPartitions,
                key: Array("\(entry.source)".utf8),
                value: StreamsCodec.encode(entry), token: token)
        }
        try await producer.flush(timeout: .seconds(30))
        let applied = outputs.filter { !$0.skipped }.count
        state.withLock { $0.processed += applied }
    }

    private func source(_ topic: String, _ partition: Int32) -> Source {
        Source(side: topic == options.orders ? .order : .payment, partition: partition)
    }

    /// The result view as read back from the results topic: the latest upsert of each window, less the
    /// windows whose latest record is a tombstone (a session merged into another).
    public static func readResults(
        config: KafkaConfig, topic: String, partitions: Int32,
        within timeout: Duration = .seconds(20)
    ) async throws -> [WindowResult] {
        let records = try await TopicReader.readAll(
            config: config, topic: topic, partitions: Array(0..<partitions), within: timeout)
        var latest: [String: WindowResult] = [:]
        for r in records.sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
            let key = r.keyString ?? ""
            if r.valueIsNull {
                latest[key] = nil
                continue
            }
            let result = try StreamsCodec.decode(WindowResult.self, r.value)
            latest[key] = result
        }
        return latest.values.sorted { $0.window < $1.window }
    }
}
