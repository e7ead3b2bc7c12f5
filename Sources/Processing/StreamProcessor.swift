import Foundation
import KafkaClient
import Streams

/// One instance of KAF-14's stream processor: reads the orders and payments topics, applies the
/// `Streams` topology and writes the result view, the dropped records and the changelog.
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
/// for input written before it is read).
public final class StreamProcessor: @unchecked Sendable {
    public struct Options: Sendable {
        public var orders: String
        public var payments: String
        public var results: String
        public var changelog: String
        public var dropped: String
        public var group: String
        public var topology: TopologyConfig
        /// Read the changelog into the state at start (switching it off is the negative control of a
        /// processor that does not restore).
        public var restoreState = true
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
        var processed = 0
        var skipped = 0
        var restored = 0
        var killed = false
        var caughtUp = false
        var error: String?
        var topology = TopologyState()
    }
    private let state = Locked(State())
    private var task: Task<Void, Never>?

    public init(config: KafkaConfig, options: Options) {
        self.config = config
        self.options = options
    }

    public struct Status: Sendable {
        public var processed: Int, skipped: Int, restored: Int
        public var killed: Bool, caughtUp: Bool
        public var error: String?
        public var state: TopologyState
    }
    public var status: Status {
        state.withLock {
            Status(
                processed: $0.processed, skipped: $0.skipped, restored: $0.restored, killed: $0.killed,
                caughtUp: $0.caughtUp, error: $0.error, state: $0.topology)
        }
    }

    /// Dies as a crash would, right after the changelog of its `count`th processed record is flushed and
    /// before the input offsets are committed: nothing more is written, flushed or committed.
    public func kill(afterProcessing count: Int) { state.withLock { $0.killAfter = count } }

    public func start() async throws {
        let topologyState = options.restoreState ? try await restore() : TopologyState()
        state.withLock { $0.topology = topologyState }
        let consumer = try Consumer(
            config: config.merging(
                KafkaConfig([
                    "group.id": options.group, "enable.auto.commit": "false", "auto.offset.reset": "earliest",
                    "fetch.wait.max.ms": "50",
                ])))
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
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let s = status
            if let e = s.error { throw KafkaError.transport("the stream processor failed: \(e)") }
            if s.killed || s.caughtUp { return }
            try await Task.sleep(for: .milliseconds(50))  // polling interval of the deadline loop
        }
        throw KafkaError.timedOut(
            "the stream processor did not catch up within \(timeout.formatted()) "
                + "(processed \(status.processed))")
    }

    private func restore() async throws -> TopologyState {
        let records = try await TopicReader.readAll(config: config, topic: options.changelog, partitions: [0])
        let entries = try records.map { try StreamsCodec.decode(ChangelogEntry.self, $0.value) }
        state.withLock { $0.restored = entries.count }
        return TopologyState.restore(from: entries)
    }

    private func loop(consumer: Consumer, producer: Producer) async throws {
        let md = try await consumer.metadata(topic: nil)
        var partitions: [TopicPartitionOffset] = []
        for (topic, _) in [(options.orders, Side.order), (options.payments, Side.payment)] {
            guard let t = md.topic(topic) else { throw KafkaError(code: 3, detail: "no topic \(topic)") }
            partitions += t.partitions.map { TopicPartitionOffset(topic: topic, partition: $0.id) }
        }
        let committed = try await consumer.committed(partitions)
        try await consumer.assignKnowingLeaders(
            committed.map { c in
                var c = c
                if c.offset < 0 { c.offset = TopicPartitionOffset.beginning }
                return c
            })
        let topology = Topology(options.topology)
        var buffers: [Source: [InputRecord]] = [:]
        var next: [Source: Int64] = [:]  // the next offset to read per partition
        for c in committed { next[source(c.topic, c.partition)] = max(0, c.offset) }
        while !state.withLock({ $0.stopping }) {
            for r in try await consumer.records(atMost: 500, within: .milliseconds(50)) {
                let s = source(r.topic, r.partition)
                next[s] = r.offset + 1
                guard let amount = StreamsCodec.amount(r.value), let key = r.keyString else { continue }
                buffers[s, default: []].append(
                    InputRecord(
                        side: s.side, partition: r.partition, offset: r.offset, key: key,
                        amount: amount, timestamp: r.timestamp ?? 0))
            }
            // A partition with nothing buffered must be caught up before the others move on without it.
            var caughtUp = true
            for c in committed where buffers[source(c.topic, c.partition), default: []].isEmpty {
                let high = try await consumer.watermarks(topic: c.topic, partition: c.partition).high
                if (next[source(c.topic, c.partition)] ?? 0) < high { caughtUp = false }
            }
            var batch: [InputRecord] = []
            let limit = state.withLock { s in s.killAfter.map { max(0, $0 - s.processed) } } ?? options.batchSize
            while batch.count < min(limit, options.batchSize) {
                let sources = buffers.keys.sorted()
                let heads = sources.compactMap { buffers[$0]?.first }
                let blocked = sources.count < committed.count || heads.count < sources.count
                if blocked && !caughtUp { break }
                let live = sources.filter { !(buffers[$0]?.isEmpty ?? true) }
                guard let pick = ProcessingOrder.next(live.map { buffers[$0]![0] }) else { break }
                batch.append(buffers[live[pick]]!.removeFirst())
                if buffers[live[pick]]!.isEmpty { break }  // re-check its high watermark before going on
            }
            if batch.isEmpty {
                state.withLock { $0.caughtUp = caughtUp && buffers.values.allSatisfy(\.isEmpty) }
                if state.withLock({ s in s.killAfter.map { s.processed >= $0 } ?? false }) {
                    state.withLock { $0.killed = true }
                    return
                }
                continue
            }
            state.withLock { $0.caughtUp = false }
            try await process(batch, topology: topology, producer: producer)
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
            try await consumer.commit(Array(offsets.values))
        }
    }

    private func process(_ batch: [InputRecord], topology: Topology, producer: Producer) async throws {
        var outputs: [Topology.Output] = []
        state.withLock { s in
            for r in batch {
                let out = topology.process(r, state: &s.topology)
                if out.skipped { s.skipped += 1 }
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
                topic: options.changelog, partition: 0, key: Array("\(entry.source)".utf8),
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
