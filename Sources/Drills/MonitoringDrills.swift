import Cluster
import Foundation
import KafkaClient
import Synchronization
import Verification

/// What a lag-alert drill saw, and what the client exported.
public struct StallRecord: Sendable {
    public var history = StallHistory()
    /// The client metrics, in Prometheus text, from the last statistics of the stall (lag at its highest).
    public var metrics = ""
    /// Each partition's lag measured on the cluster around that sample, to compare the exported gauge with.
    public var measured: [Int32: LagGauge.Measured] = [:]

    public init(
        history: StallHistory = StallHistory(), metrics: String = "",
        measured: [Int32: LagGauge.Measured] = [:]
    ) {
        self.history = history
        self.metrics = metrics
        self.measured = measured
    }
}

/// A consumer that stalls mid-stream while a paced producer goes on.
public final class StallDrill: @unchecked Sendable {
    public let cluster: any Cluster
    public let group: String, topic: String
    public let partitions: Int32
    public let ledger: DeliveryLedger
    private let clock = DrillClock()
    /// The consumer's statistics in the order they arrived: when librdkafka emitted each (its own
    /// clock, µs) and when the callback got it (ours).
    private let statistics = Mutex<[(emitted: Int64, arrived: ContinuousClock.Instant, value: ClientStatistics)]>([])

    public init(cluster: any Cluster, group: String, topic: String, partitions: Int32, ledger: DeliveryLedger) {
        self.cluster = cluster
        self.group = group
        self.topic = topic
        self.partitions = partitions
        self.ledger = ledger
    }

    private var now: Double { clock.now }

    public func run(stallSeconds: Int, messages: Int) async throws -> StallRecord {
        let consumer = try Consumer(
            config: cluster.config([
                "group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": "true",
                "auto.commit.interval.ms": "200", "statistics.interval.ms": "500", "session.timeout.ms": "6000",
                "heartbeat.interval.ms": "300",
            ]),
            onStatistics: { [self] json in
                guard let value = try? ClientStatistics.decode(json) else { return }
                statistics.withLock { $0.append((value.ts, .now, value)) }
            })
        try consumer.subscribe([topic])
        // Join first: the drill is about a running consumer that stops.
        let joinedBy = ContinuousClock.now + .seconds(20)
        while try consumer.assignment().count < Int(partitions) {
            guard ContinuousClock.now < joinedBy else {
                await consumer.close(within: .seconds(2))
                throw DrillFailure(
                    "the consumer of group \(group) was not assigned all \(partitions) partitions of "
                        + "\(topic) within 20 s")
            }
            _ = try await consumer.records(within: .milliseconds(100))
        }
        var record = StallRecord()
        let sampler = try LagSampler(cluster: cluster, group: group, topic: topic, partitions: partitions, clock: clock)
        let sampling = Task.detached { await sampler.run() }
        // Records at a steady pace over two seconds of reading, the stall, and two more seconds.
        let paced = PacedProducer(
            cluster: cluster, topic: topic, ledger: ledger, total: messages,
            perTick: messages / ((4 + stallSeconds) * 10), keyed: false)
        let producer = Task.detached { try await paced.run() }
        do {
            try await read(consumer, for: .seconds(2))
            try await readUntilCommittedOnEveryPartition(consumer)
            record.history.stallFrom = now
            let stallStart = ContinuousClock.now
            // The stall itself: the consumer does not poll. Its offsets on the cluster every 250 ms, to
            // compare the exported lag with.
            let stallEnds = stallStart + .seconds(stallSeconds)
            var offsets: [OffsetsAt] = []
            while ContinuousClock.now < stallEnds {
                let started = ContinuousClock.now
                offsets.append(OffsetsAt(started: started, ended: .now, value: try await sampler.offsets()))
                offsets[offsets.count - 1].ended = .now
                try await Task.sleep(until: min(started + .milliseconds(250), stallEnds))
            }
            record.history.stallTo = now
            let stallEnd = ContinuousClock.now
            // Still stalled: nothing is committed and the high watermarks only grow.
            offsets.append(OffsetsAt(started: .now, ended: .now, value: try await sampler.offsets()))
            try await producer.value
            // Read on until the group's lag is back to zero (or 30 s pass).
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                try await read(consumer, for: .milliseconds(200))
                if let last = sampler.last, last.seconds > record.history.stallTo, last.lag == 0 { break }
            }
            try await read(consumer, for: .milliseconds(400))  // two more samples at zero
            let last = try await statistics(endingStall: stallStart..<stallEnd, consumer)
            record.metrics = ClientMetrics.prometheusText([last.value], group: group)
            record.measured = Self.measured(offsets, around: last.emitted)
        } catch {
            producer.cancel()
            sampler.stop()
            await consumer.close()
            await sampler.close()
            throw error
        }
        sampler.stop()
        await sampling.value
        await consumer.close()
        await sampler.close()
        record.history.lag = sampler.values
        return record
    }

    public struct OffsetsAt {
        public var started: ContinuousClock.Instant, ended: ContinuousClock.Instant
        public var value: [Int32: (committed: Int64, high: Int64)]
    }

    /// The lag a statistics sample emitted at `emitted` can show: its high watermarks come from fetches
    /// at most fetch.wait.max.ms (0.5 s) older, so above those read 1.5 s before it and below those read
    /// after it; the committed offsets are the last read (none moves during the stall).
    public static func measured(_ offsets: [OffsetsAt], around emitted: ContinuousClock.Instant)
        -> [Int32: LagGauge.Measured]
    {
        guard let committed = offsets.last?.value,
            let before = offsets.last(where: { $0.ended <= emitted - .milliseconds(1500) })?.value,
            let after = (offsets.first { $0.started >= emitted } ?? offsets.last)?.value
        else { return [:] }
        var out: [Int32: LagGauge.Measured] = [:]
        for (p, c) in committed where c.committed >= 0 {
            guard let low = before[p]?.high, let high = after[p]?.high else { continue }
            out[p] = LagGauge.Measured(committed: c.committed, highBefore: low, highAfter: high)
        }
        return out
    }

    private func read(_ consumer: Consumer, for duration: Duration) async throws {
        for r in try await consumer.records(within: duration) { ledger.consumed(r) }
    }

    /// librdkafka reports a partition's consumer lag only once the group has committed an offset
    /// there, and unkeyed records go to one partition per batch, so after two seconds a partition may
    /// have had none: read on until the cluster holds a committed offset for every partition.
    private func readUntilCommittedOnEveryPartition(_ consumer: Consumer) async throws {
        let all = (0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0) }
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let uncommitted = try await consumer.committed(all, timeout: .seconds(5)).filter { $0.offset < 0 }
                .map(\.partition)
            if uncommitted.isEmpty { return }
            guard ContinuousClock.now < deadline else {
                throw DrillFailure(
                    "group \(group) committed no offset on partitions \(uncommitted) of \(topic) "
                        + "within 30 s")
            }
            try await read(consumer, for: .milliseconds(100))
        }
    }

    /// The last statistics the consumer emitted during the stall, when its lag was highest. librdkafka
    /// emits them on its own clock and hands them over only when polled, so those of the stall arrive
    /// after it; the last to arrive before the stall ties its clock to ours.
    private func statistics(endingStall stall: Range<ContinuousClock.Instant>, _ consumer: Consumer) async throws
        -> (value: ClientStatistics, emitted: ContinuousClock.Instant)
    {
        guard let anchor = statistics.withLock({ $0.last { $0.arrived < stall.lowerBound } }) else {
            throw DrillFailure("the consumer of group \(group) delivered no statistics before it stalled")
        }
        func micros(_ d: Duration) -> Int64 {
            d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000
        }
        let from = anchor.emitted + micros(stall.lowerBound - anchor.arrived)
        let to = anchor.emitted + micros(stall.upperBound - anchor.arrived)
        // Once one emitted after the stall has arrived, all of the stall's have.
        let deadline = ContinuousClock.now + .seconds(10)
        while !statistics.withLock({ $0.contains { $0.emitted > to } }) {
            guard ContinuousClock.now < deadline else {
                throw DrillFailure("the consumer of group \(group) delivered no statistics after its stall within 10 s")
            }
            try await read(consumer, for: .milliseconds(100))
        }
        guard let last = statistics.withLock({ $0.last { $0.emitted > from && $0.emitted <= to } }) else {
            throw DrillFailure("the consumer of group \(group) emitted no statistics during its stall")
        }
        return (last.value, anchor.arrived + .microseconds(last.emitted - anchor.emitted))
    }
}
