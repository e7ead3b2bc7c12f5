import Cluster
import Foundation
import KafkaClient
import Synchronization
import Verification

/// Runs a group through a series of sizes while a paced producer writes to its topic.
public final class ScalingDrill: @unchecked Sendable {
    private let cluster: any Cluster
    private let group: String, topic: String, strategy: String
    private let partitions: Int32
    private let ledger: DeliveryLedger
    private let clock = DrillClock()
    private let state = Mutex(ScalingHistory())
    private let reads = Mutex<[UInt64]>([])

    private final class Member: @unchecked Sendable {
        let name: String
        let consumer: Consumer
        let stop = Atomic<Bool>(false)
        var loop: Task<Void, Never>?
        init(name: String, consumer: Consumer) { self.name = name; self.consumer = consumer }
    }

    public init(
        cluster: any Cluster, group: String, topic: String, partitions: Int32, strategy: String,
        ledger: DeliveryLedger
    ) {
        self.cluster = cluster
        self.group = group
        self.topic = topic
        self.partitions = partitions
        self.strategy = strategy
        self.ledger = ledger
    }

    public var readIds: [UInt64] { reads.withLock { $0 } }

    private var now: Double { clock.now }

    private func join(_ index: Int) throws -> Member {
        let name = "consumer-\(index)"
        let consumer = try Consumer(
            config: cluster.config([
                "group.id": group, "client.id": name, "auto.offset.reset": "earliest", "enable.auto.commit": "true",
                "auto.commit.interval.ms": "200", "session.timeout.ms": "3000", "heartbeat.interval.ms": "200",
                "partition.assignment.strategy": strategy,
            ]),
            onRebalance: { [weak self] event, _ in
                guard let self else { return }
                // Plain values from here on: the checkers never see a Kafka type.
                let r = ScalingHistory.Rebalance(
                    seconds: self.now, member: name, kind: .init(event.kind),
                    partitions: event.partitions.map(\.partition).sorted(),
                    protocolName: event.protocolName)
                self.state.withLock { $0.rebalances.append(r) }
            })
        try consumer.subscribe([topic])
        let member = Member(name: name, consumer: consumer)
        member.loop = Task.detached { [ledger, self] in
            while !member.stop.load(ordering: .acquiring) {
                guard let batch = try? await consumer.records(atMost: 500, within: .milliseconds(100)) else { continue }
                for r in batch {
                    ledger.consumed(r)
                    if let id = Payload.id(in: r.value) { self.reads.withLock { $0.append(id) } }
                }
            }
        }
        return member
    }

    private func leave(_ member: Member) async {
        member.stop.store(true, ordering: .releasing)
        await member.loop?.value
        await member.consumer.close()
    }

    /// Waits (up to 30 s) until the live members hold every partition between them, none twice.
    private func settle(_ members: [Member]) async throws -> [String: [Int32]] {
        let deadline = ContinuousClock.now + .seconds(30)
        var last: [String: [Int32]] = [:]
        while ContinuousClock.now < deadline {
            last = Dictionary(
                uniqueKeysWithValues: try members.map {
                    ($0.name, try $0.consumer.assignment().map(\.partition).sorted())
                })
            let owned = last.values.flatMap { $0 }
            let idle = members.count <= partitions && last.values.contains(where: \.isEmpty)
            if owned.count == Int(partitions), Set(owned).count == Int(partitions), !idle { return last }
            try await Task.sleep(for: .milliseconds(50))  // polling interval of the deadline loop
        }
        return last  // the Then step reports what was wrong with it
    }

    private func waitForProduced(_ count: Int, by paced: PacedProducer, producer: Task<Void, Error>) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while paced.sent.load(ordering: .acquiring) < count, ContinuousClock.now < deadline {
            if producer.isCancelled { break }
            try await Task.sleep(for: .milliseconds(20))  // polling interval of the deadline loop
        }
    }

    public func run(sizes: [Int], messages: Int) async throws -> ScalingHistory {
        state.withLock { $0.partitions = partitions }
        let sampler = try LagSampler(cluster: cluster, group: group, topic: topic, partitions: partitions, clock: clock)
        let sampling = Task.detached { await sampler.run() }
        // Two and a half seconds' worth of records per phase.
        let paced = PacedProducer(
            cluster: cluster, topic: topic, ledger: ledger, total: messages, perTick: messages / (25 * sizes.count),
            keyed: true)

        var members: [Member] = []
        var joined = 0
        var producer: Task<Void, Error>?
        do {
            for (i, size) in sizes.enumerated() {
                let from = now
                while members.count < size { members.append(try join(joined)); joined += 1 }
                while members.count > size { await leave(members.removeFirst()) }
                let phase = ScalingHistory.Phase(consumers: size, from: from, to: from, settled: [:])
                state.withLock { $0.phases.append(phase) }
                let settled = try await settle(members)
                state.withLock { s in s.phases[s.phases.count - 1].settledAt = now }
                // Records flow once the first group is in place: what follows is scaling under load.
                if producer == nil { producer = Task.detached { try await paced.run() } }
                try await waitForProduced(messages * (i + 1) / sizes.count, by: paced, producer: producer!)
                state.withLock { s in
                    s.phases[s.phases.count - 1].settled = settled
                    s.phases[s.phases.count - 1].to = now
                }
            }
            try await producer?.value
            // The last members read on until every acknowledged record was read (or 30 s pass).
            let acknowledged = ledger.acknowledgedIds()
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, !acknowledged.isSubset(of: Set(reads.withLock { $0 })) {
                try await Task.sleep(for: .milliseconds(50))  // polling interval of the deadline loop
            }
            // Then until the members committed what they read: the lag comes back to zero (or 5 s pass).
            let settledBy = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < settledBy, (sampler.last?.lag ?? 1) > 0 {
                try await Task.sleep(for: .milliseconds(50))  // polling interval of the deadline loop
            }
            state.withLock { s in s.phases[s.phases.count - 1].to = now }
        } catch {
            producer?.cancel()
            sampler.stop()
            for m in members { await leave(m) }
            await sampler.close()
            throw error
        }
        sampler.stop()
        await sampling.value
        for m in members { await leave(m) }
        await sampler.close()
        let lag = sampler.values
        return state.withLock {
            $0.lag = lag; return $0
        }
    }
}

extension ScalingHistory.RebalanceKind {
    init(_ kind: RebalanceEvent.Kind) {
        switch kind {
        case .assigned: self = .assigned
        case .revoked: self = .revoked
        case .lost: self = .lost
        }
    }
}

extension ScalingHistory {
    /// The drill's evidence: the lag chart with the phases shaded, the highest lag per phase, the rebalance
    /// log and the phases' settled assignments. (content, media type) pairs.
    public func evidence(strategy: String) -> [(String, String)] {
        let spans = phases.map { (label: $0.label, from: $0.from, to: $0.to) }
        let list = { (p: [Int32]) in p.map(String.init).joined(separator: ",") }
        return [
            (
                Evidence.lineChart(
                    title: "Lag of the group (records), \(strategy)", unit: "phases shaded",
                    samples: lag.map { ($0.seconds, Double($0.lag)) }, spans: spans), "image/svg+xml"
            ),
            (
                Evidence.barChart(
                    title: "Highest lag per phase (records)",
                    bars: phases.map { ($0.label, Double(maxLag(in: $0))) }), "image/svg+xml"
            ),
            (
                Evidence.table(
                    ["s", "consumer", "event", "partitions", "protocol"],
                    rebalances.map {
                        [
                            String(format: "%.2f", $0.seconds), $0.member, $0.kind.rawValue, list($0.partitions),
                            $0.protocolName,
                        ]
                    }), "text/markdown"
            ),
            (
                Evidence.table(
                    ["phase", "consumers", "from s", "to s", "settled assignment", "highest lag"],
                    phases.enumerated().map { i, p in
                        [
                            "\(i + 1)", "\(p.consumers)", String(format: "%.1f", p.from),
                            String(format: "%.1f", p.to),
                            p.settled.sorted { $0.key < $1.key }.map { "\($0.key): \(list($0.value))" }
                                .joined(separator: "; "),
                            "\(maxLag(in: p))",
                        ]
                    }), "text/markdown"
            ),
        ]
    }
}
