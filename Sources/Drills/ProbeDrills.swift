import Cluster
import Foundation
import KafkaClient
import Synchronization
import Verification

/// The KAF-13 measurements: a heartbeat probe's round trips, produce and end-to-end latency.
public enum ProbeDrills {
    /// How long the heartbeat probe waits for each round trip.
    public static let probeTimeout = Duration.seconds(5)

    /// A consumer assigned every partition at its log end, fetching eagerly: it sees only what comes next.
    static func tail(_ cluster: any Cluster, _ topic: String, partitions: Int32) async throws -> Consumer {
        let consumer = try Consumer(
            config: cluster.config([
                "group.id": "kafka-bdd-tail-\(UUID().uuidString)",
                "enable.auto.commit": "false", "fetch.wait.max.ms": "10",
            ]))
        let ends = try await consumer.logEnds(topic, partitions: partitions)
        try await consumer.assignKnowingLeaders(
            (0..<partitions).map {
                TopicPartitionOffset(topic: topic, partition: $0, offset: ends["\(topic)/\($0)"] ?? 0)
            })
        return consumer
    }

    /// Each probe produces one record (acks=all) and waits, up to `probeTimeout`, for a consumer to read it
    /// back: the round trips in ms, nil for one that never came back.
    public static func probeRoundTrips(_ cluster: any Cluster, topic: String, partitions: Int32, count: Int)
        async throws -> [Double?]
    {
        let consumer = try await tail(cluster, topic, partitions: partitions)
        let producer = try Producer(config: cluster.config(["acks": "all", "linger.ms": "0"]))
        defer { producer.close() }
        var probes: [Double?] = []
        for i in 0..<count {
            let marker = Array("probe=\(i);\(UUID().uuidString)".utf8)
            let start = ContinuousClock.now
            try producer.produce(
                topic: topic, partition: Int32(i) % partitions, key: nil, value: marker,
                token: UInt64(i))
            let got = try await consumer.records(
                within: probeTimeout,
                until: { $0.contains { $0.value == marker } })
            let elapsed = ContinuousClock.now - start
            probes.append(
                got.contains { $0.value == marker }
                    ? Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
                    : nil)
        }
        await consumer.close()
        return probes
    }

    /// Produce latencies (ms, from the delivery reports) and when each record was first read.
    public struct Latencies: Sendable {
        public var produce: [Double]
        public var reads: [EndToEndLatency.Read]
    }

    /// Produces `count` records (acks=all) while a consumer reads them.
    public static func latency(_ cluster: any Cluster, topic: String, partitions: Int32, count: Int) async throws
        -> Latencies
    {
        let consumer = try await tail(cluster, topic, partitions: partitions)
        let produceLatencies = Mutex<[Double]>([])
        let reads = Mutex(ReadTimes())
        let reader = Task.detached {
            _ = try await consumer.records(
                within: .seconds(30),
                until: { records in
                    reads.withLock { $0.stamp(records, at: Date().timeIntervalSince1970 * 1000) >= count }
                })
        }
        let producer = try Producer(
            config: cluster.config(["acks": "all", "linger.ms": "5"]),
            onDelivery: { r in
                guard r.error == nil else { return }
                produceLatencies.withLock { $0.append(Double(r.latencyMicroseconds) / 1000) }
            })
        for i in 0..<count {
            try producer.produce(
                topic: topic, key: nil, value: Payload.make(id: UInt64(i + 1), size: 100),
                token: UInt64(i + 1))
        }
        try await producer.flush()
        await producer.close()
        try await reader.value
        await consumer.close()
        return Latencies(produce: produceLatencies.withLock { $0 }, reads: reads.withLock { $0.reads })
    }
}

/// When each record was first read, as the measuring consumer's polls return it.
struct ReadTimes: Sendable {
    private var seen = 0
    private var ids: Set<UInt64> = []
    private(set) var reads: [EndToEndLatency.Read] = []

    /// Times the records not seen before at `now` (ms since the epoch); returns how many distinct
    /// records have been read.
    mutating func stamp(_ records: [ConsumedRecord], at now: Double) -> Int {
        for r in records.dropFirst(seen) {
            guard let id = Payload.id(in: r.value), let produced = r.timestamp else { continue }
            reads.append(.init(id: id, producedAt: Double(produced), readAt: now))
            ids.insert(id)
        }
        seen = records.count
        return ids.count
    }
}
