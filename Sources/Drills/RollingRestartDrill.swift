import Cluster
import Foundation
import KafkaClient
import Synchronization
import Verification

/// KAF-12's rolling restart under load: a paced producer (every send and report in the ledger) and a
/// consumer reading the topic from the beginning run while each broker in turn is stopped gracefully
/// (controlled shutdown), confirmed silent on the wire, started again and confirmed back; then producing
/// stops, and the consumer reads on until it has read every acknowledged record or 20 s pass. The times
/// of the acknowledgements and reads are the availability evidence.
public enum RollingRestartDrill {
    public struct Run: Sendable {
        /// Milliseconds since the drill started, by partition: each acknowledgement, each record read; and the
        /// roll's span.
        public var acknowledgedAt: [Int32: [Double]] = [:]
        public var readAt: [Int32: [Double]] = [:]
        public var roll: (start: Double, end: Double) = (0, 0)
        public var partitions: Int32 = 0
        /// (broker, stopped at, back at) in milliseconds since the drill started.
        public var restarts: [(broker: Int32, stopped: Double, back: Double)] = []
    }

    public static func run(
        cluster: any Cluster, ledger: DeliveryLedger, topic: String, partitions: Int32, perSecond: Int,
        config: KafkaConfig, down: Duration
    ) async throws -> Run {
        let clock = ContinuousClock(), start = clock.now
        // librdkafka backs off reconnecting to a broker that is down, up to reconnect.backoff.max.ms (10 s):
        // when the next broker's shutdown hands its leaderships to the one just back, a client still backing
        // off waits that out (7–9 s measured) — a client artefact, not the cluster's availability. As a
        // runbook does, the drill's clients retry at most a second apart; a user's own setting stays.
        let config = KafkaConfig(["reconnect.backoff.max.ms": "1000"]).merging(config)
        @Sendable func elapsed() -> Double {
            let d = clock.now - start
            return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        }
        let acknowledged = Mutex<[Int32: [Double]]>([:]), read = Mutex<[Int32: [Double]]>([:])
        func count(_ m: borrowing Mutex<[Int32: [Double]]>) -> Int {
            m.withLock { $0.values.reduce(0) { $0 + $1.count } }
        }
        final class Flags: Sendable {
            let stopping = Atomic<Bool>(false), giveUp = Atomic<Bool>(false)
        }
        let flags = Flags()
        let producer = try Producer(
            config: config,
            onDelivery: { report in
                ledger.record(report)
                if report.error == nil { acknowledged.withLock { $0[report.partition, default: []].append(elapsed()) } }
            })
        let consumer = try Consumer(
            config: config.merging(
                KafkaConfig(["group.id": "rolling-\(UUID().uuidString)", "enable.auto.commit": "false"])))
        try consumer.assign(
            (0..<partitions).map {
                TopicPartitionOffset(topic: topic, partition: $0, offset: TopicPartitionOffset.beginning)
            })
        // Reads until producing stopped and every acknowledged record was read, or it is told to give up.
        let reading = Task.detached {
            var seen = 0
            while !flags.giveUp.load(ordering: .acquiring),
                !(flags.stopping.load(ordering: .acquiring) && seen >= ledger.acknowledgedCount)
            {
                for r in try await consumer.records(atMost: 50, within: .milliseconds(20)) where ledger.consumed(r) {
                    seen += 1
                    read.withLock { $0[r.partition, default: []].append(elapsed()) }
                }
            }
        }
        let producing = Task.detached {
            let first = UInt64(ledger.sentCount) + 1
            let begun = clock.now
            var id = first
            while !flags.stopping.load(ordering: .acquiring) {
                let key = "key-\(id % 50)"
                ledger.sending(id, key: key, topic: topic)
                try producer.produce(
                    topic: topic, key: Array(key.utf8), value: Payload.make(id: id, size: 100), token: id)
                id += 1
                let due = begun + .milliseconds(Int(id - first) * 1000 / max(1, perSecond))
                if due > clock.now { try await Task.sleep(until: due) }
            }
            try await producer.flush(timeout: .seconds(60))
        }
        var run = Run()
        run.partitions = partitions
        do {
            // The roll starts under load: once records are acknowledged and read.
            let warm = clock.now + .seconds(15)
            while count(acknowledged) == 0 || count(read) == 0 {
                guard clock.now < warm else { throw DrillFailure("no record was acknowledged and read within 15 s") }
                try await Task.sleep(for: .milliseconds(20))  // polling interval of the deadline loop
            }
            run.roll.start = elapsed()
            let replicated = cluster.capabilities.contains(.replication)
            for broker in try await cluster.configuredBrokers().sorted() {
                let stopped = elapsed()
                try await cluster.stop(broker: broker)
                // A restart takes its time: the load runs on without this broker meanwhile.
                try await Task.sleep(for: down)
                try await cluster.restart(broker: broker)
                // As an operator does: the next broker goes only once this one caught up.
                if replicated { try await cluster.awaitInSync(broker: broker, within: .seconds(60)) }
                run.restarts.append((broker, stopped, elapsed()))
            }
            run.roll.end = elapsed()
            // Load goes on past the roll, so that a stall at its end shows as a gap.
            try await Task.sleep(for: .milliseconds(500))
        } catch {
            flags.stopping.store(true, ordering: .releasing)
            flags.giveUp.store(true, ordering: .releasing)
            _ = try? await producing.value
            _ = try? await reading.value
            await consumer.close()
            await producer.close()
            throw error
        }
        flags.stopping.store(true, ordering: .releasing)
        try await producing.value
        let deadline = clock.now + .seconds(20)
        while count(read) < ledger.acknowledgedCount, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))  // polling interval of the deadline loop
        }
        flags.giveUp.store(true, ordering: .releasing)
        try await reading.value
        await consumer.close()
        await producer.close()
        run.acknowledgedAt = acknowledged.withLock { $0 }
        run.readAt = read.withLock { $0 }
        return run
    }

    /// Each broker's restart, and per partition what was acknowledged and read and the longest waits.
    public static func table(_ run: Run) -> String {
        func gap(_ times: [Double]?) -> String {
            String(Int(RollingRestart.longestGap(times ?? [], from: run.roll.start, to: run.roll.end).gap))
        }
        let partitions = Set(run.acknowledgedAt.keys).union(run.readAt.keys).sorted()
        return Evidence.table(
            ["broker", "stop began at (s)", "back at (s)"],
            run.restarts.map {
                [String($0.broker), String(format: "%.2f", $0.stopped / 1000), String(format: "%.2f", $0.back / 1000)]
            })
            + "\n\n"
            + Evidence.table(
                [
                    "partition", "acknowledged", "read", "longest wait between acknowledgements (ms)",
                    "longest wait between reads (ms)",
                ],
                partitions.map { p in
                    [
                        "\(p)", "\(run.acknowledgedAt[p]?.count ?? 0)", "\(run.readAt[p]?.count ?? 0)",
                        gap(run.acknowledgedAt[p]), gap(run.readAt[p]),
                    ]
                })
    }
}
