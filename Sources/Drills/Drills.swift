import Foundation
import KafkaClient
import Cluster
import Verification
import Synchronization

/// Seconds since a drill began: the time axis of its samples, phases and charts.
public struct DrillClock: Sendable {
    public let start = ContinuousClock.now

    public init() {}

    public var now: Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Records at a steady pace — `perTick` every 100 ms until `total` were sent — with every send and
/// delivery report in the scenario's ledger: the traffic drills run under.
public final class PacedProducer: Sendable {
    /// Records enqueued so far.
    public let sent = Atomic<Int>(0)
    private let cluster: any Cluster
    private let topic: String
    private let ledger: DeliveryLedger
    private let total: Int, perTick: Int
    private let keyed: Bool

    /// - Parameter keyed: keys rotate over 50 values (`key-N`); otherwise records have no key.
    public init(cluster: any Cluster, topic: String, ledger: DeliveryLedger, total: Int, perTick: Int, keyed: Bool) {
        self.cluster = cluster
        self.topic = topic
        self.ledger = ledger
        self.total = total
        self.perTick = max(1, perTick)
        self.keyed = keyed
    }

    public func run() async throws {
        let producer = try Producer(
            config: cluster.config(["acks": "all", "enable.idempotence": "true", "linger.ms": "5"]),
            onDelivery: { [ledger] in ledger.record($0) })
        defer { producer.close() }
        var next = ContinuousClock.now
        while sent.load(ordering: .acquiring) < total {
            for _ in 0..<min(perTick, total - sent.load(ordering: .acquiring)) {
                let id = UInt64(ledger.sentCount) + 1
                let key = keyed ? "key-\(id % 50)" : nil
                ledger.sending(id, key: key, topic: topic)
                try producer.produce(
                    topic: topic, key: key.map { Array($0.utf8) }, value: Payload.make(id: id), token: id)
                sent.add(1, ordering: .releasing)
            }
            next += .milliseconds(100)
            try await Task.sleep(until: next)  // the producer's pace
        }
        try await producer.flush(timeout: .seconds(30))
    }
}

/// A consumer group's lag as Kafka tools report it — log end minus committed offset, summed over
/// partitions (a partition with nothing committed counts from its log start) — sampled every 200 ms
/// until stopped, by a consumer configured with the group's id that never joins it.
public final class LagSampler: Sendable {
    private let cluster: any Cluster
    private let topic: String
    private let partitions: Int32
    private let clock: DrillClock
    private let monitor: Consumer
    private let running = Atomic<Bool>(true)
    private let samples = Mutex<[LagSample]>([])

    public init(cluster: any Cluster, group: String, topic: String, partitions: Int32, clock: DrillClock) throws {
        self.cluster = cluster
        self.topic = topic
        self.partitions = partitions
        self.clock = clock
        monitor = try Consumer(config: cluster.config(["group.id": group, "enable.auto.commit": "false"]))
    }

    public var values: [LagSample] { samples.withLock { $0 } }
    public var last: LagSample? { samples.withLock { $0.last } }

    public func run() async {
        while running.load(ordering: .acquiring) {
            if let (lag, negative) = try? await sample() {
                samples.withLock { $0.append(LagSample(seconds: clock.now, lag: lag, negative: negative)) }
            }
            try? await Task.sleep(for: .milliseconds(200))  // the sampling interval
        }
    }

    public func stop() { running.store(false, ordering: .releasing) }

    public func close() async { await monitor.close() }

    /// Each partition's committed offset for the group (-1 for none) and high watermark, now.
    public func offsets() async throws -> [Int32: (committed: Int64, high: Int64)] {
        let all = (0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0) }
        var out: [Int32: (committed: Int64, high: Int64)] = [:]
        for c in try await monitor.committed(all, timeout: .seconds(5)) {
            out[c.partition] = (c.offset, try await cluster.watermarks(topic: topic, partition: c.partition).high)
        }
        return out
    }

    private func sample() async throws -> (Int64, [Int32: Int64]) {
        let all = (0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0) }
        let committed = try await monitor.committed(all, timeout: .seconds(5))
        var lag: Int64 = 0
        var negative: [Int32: Int64] = [:]
        for c in committed {
            let (low, high) = try await cluster.watermarks(topic: topic, partition: c.partition)
            let partitionLag = high - (c.offset >= 0 ? c.offset : low)
            if partitionLag < 0 { negative[c.partition] = partitionLag }
            lag += partitionLag
        }
        return (lag, negative)
    }
}
