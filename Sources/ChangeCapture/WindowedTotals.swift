import Foundation
import KafkaClient
import Synchronization

/// The capstone's windowed aggregate, as a table: for each customer and tumbling window of the orders'
/// event time (KAF-14's `TumblingWindows`, the streams topology's window definition), the sum of the
/// amounts of the live orders and their count. Unlike KAF-14's insert-only count and sum, a change here
/// can retract: so this table, not the topology's state, keeps the rows, and windows have no grace
/// period (a late update still moves its old amount out). Built from a changelog keyed by
/// primary key, so it keeps each order's latest row: an update moves its amount (and, if it moved, its
/// window), a delete takes it out. A change at or before the position already applied to its order is a
/// re-published duplicate and changes nothing.
public struct WindowedTotals: Sendable {
    public let windowMillis: Int64
    private var rows: [Int64: Order] = [:]
    private var applied: [Int64: ChangePosition] = [:]
    private var windows: [WindowKey: (total: Int64, orders: Int64, sourceLSN: UInt64)] = [:]
    public private(set) var duplicates = 0

    public init(windowMillis: Int64) { self.windowMillis = windowMillis }

    /// Applies one change; returns the windows whose totals it changed (none for a duplicate).
    public mutating func apply(_ change: CapturedChange) -> [WindowKey] {
        if let seen = applied[change.id], change.position <= seen {
            duplicates += 1
            return []
        }
        applied[change.id] = change.position
        var touched: [WindowKey] = []
        if let old = rows[change.id] {
            let key = WindowKey(old, windowMillis: windowMillis)
            windows[key, default: (0, 0, 0)].total -= old.amount
            windows[key, default: (0, 0, 0)].orders -= 1
            windows[key]!.sourceLSN = max(windows[key]!.sourceLSN, change.position.commitLSN)
            touched.append(key)
        }
        rows[change.id] = change.order
        if let new = change.order {
            let key = WindowKey(new, windowMillis: windowMillis)
            windows[key, default: (0, 0, 0)].total += new.amount
            windows[key, default: (0, 0, 0)].orders += 1
            windows[key]!.sourceLSN = max(windows[key]!.sourceLSN, change.position.commitLSN)
            if !touched.contains(key) { touched.append(key) }
        }
        return touched
    }

    /// A window's current total (zero orders once all of them were deleted: the row stays).
    public func total(_ key: WindowKey, version: Int64) -> WindowTotal {
        let w = windows[key] ?? (0, 0, 0)
        return WindowTotal(key: key, total: w.total, orders: w.orders, sourceLSN: w.sourceLSN, version: version)
    }
}

/// Runs `WindowedTotals` between two topics: reads every partition of the CDC topic from the beginning
/// (its state is rebuilt from the changelog at each start), and after each change publishes the totals of
/// the windows it changed to the totals topic, keyed by customer and window. Versions grow with every
/// total it publishes (microseconds of the wall clock, made strictly increasing), so the sink can keep
/// the newest and ignore a re-delivered older one.
public final class WindowedTotalsProcessor: Sendable {
    public let source: String, sink: String
    let partitions: Int32
    let windowMillis: Int64
    let consumerConfig: KafkaConfig, producerConfig: KafkaConfig
    private let lastVersion = Mutex<Int64>(0)
    private let counts = Mutex((read: 0, duplicates: 0, published: 0))
    private let polled = Atomic<Bool>(false)

    /// True once its first poll returned: assigned and fetching.
    public var isReady: Bool { polled.load(ordering: .acquiring) }

    public init(from source: String, partitions: Int32, to sink: String, windowMillis: Int64, config: KafkaConfig) {
        self.source = source
        self.sink = sink
        self.partitions = partitions
        self.windowMillis = windowMillis
        var c = config
        // A group id only because librdkafka's consumer needs one; nothing is committed under it.
        for (k, v) in [
            "fetch.wait.max.ms": "10", "enable.auto.commit": "false",
            "group.id": "kafka-bdd-totals-\(UUID().uuidString)",
        ] { c[k] = v }
        consumerConfig = c
        var p = config
        for (k, v) in [
            "acks": "all", "enable.idempotence": "false", "max.in.flight.requests.per.connection": "1",
            "retries": "1000", "retry.backoff.ms": "50", "message.timeout.ms": "30000", "linger.ms": "2",
        ] { p[k] = v }
        producerConfig = p
    }

    public var read: (records: Int, duplicates: Int, published: Int) {
        counts.withLock { ($0.read, $0.duplicates, $0.published) }
    }

    private func nextVersion() -> Int64 {
        lastVersion.withLock { last in
            last = max(last + 1, Int64(Date().timeIntervalSince1970 * 1_000_000))
            return last
        }
    }

    public func run(until stop: @escaping @Sendable () -> Bool) async throws {
        let consumer = try Consumer(config: consumerConfig)
        // Metadata first, for the same reason as the producer's below: the first fetch otherwise waited for it.
        _ = try await consumer.metadata(topic: source)
        try await consumer.assignKnowingLeaders(
            (0..<partitions).map {
                TopicPartitionOffset(topic: source, partition: $0, offset: TopicPartitionOffset.beginning)
            })
        let failure = Mutex<KafkaError?>(nil)
        let producer = try Producer(
            config: producerConfig,
            onDelivery: { r in
                if let e = r.error { failure.withLock { $0 = $0 ?? e } }
            })
        var totals = WindowedTotals(windowMillis: windowMillis)
        do {
            // As in the CDC reader: the first record to a topic without metadata waits about a second.
            _ = try await producer.metadata(topic: sink)
            while !stop() {
                let records = try await consumer.records(atMost: 500, within: .milliseconds(50))
                polled.store(true, ordering: .releasing)
                if !records.isEmpty { StageTrace.mark("totals-read", "\(records.count)") }
                for record in records {
                    guard let change = CapturedChange(record) else { continue }
                    for key in totals.apply(change) {
                        let t = totals.total(key, version: nextVersion())
                        try producer.produce(topic: sink, key: t.recordKey, value: t.recordValue, token: 0)
                        counts.withLock { $0.published += 1 }
                    }
                }
                counts.withLock {
                    $0.read += records.count; $0.duplicates = totals.duplicates
                }
                if let e = failure.withLock({ $0 }) { throw e }
            }
            try await producer.flush(timeout: .seconds(40))
        } catch {
            await producer.close(flushTimeout: .zero)
            await consumer.close(within: .seconds(2))
            throw error
        }
        await producer.close()
        // librdkafka's close of a group consumer can block for long on a loaded machine; it goes on in
        // the background past this bound, and the stage ends.
        await consumer.close(within: .seconds(2))
    }
}
