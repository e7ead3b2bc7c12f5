import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification
import Synchronization

/// Sentences about a consumer group that grows and shrinks while records are produced (KAF-04).
enum ScalingSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.when("group {string} scales {int} → {int} → {int} consumers on {string} with the {string} assignor while {int} messages are produced",
                  doc: "Produces at a steady rate while the group runs with each number of consumers in turn; logs every rebalance, samples the group's lag (log end minus committed offset) and attaches the rebalance log and lag charts.",
                  example: #"When group "scalers" scales 2 → 3 → 1 consumers on "orders" with the "cooperative-sticky" assignor while 6000 messages are produced"#) { ctx in
            let group = try ctx.string(0), name = try ctx.string(4), strategy = try ctx.string(5), total = try ctx.int(6)
            let sizes = [try ctx.int(1), try ctx.int(2), try ctx.int(3)]
            guard sizes.allSatisfy({ $0 > 0 }), total > 0 else { throw StepFailure("consumer counts and the message count must be positive") }
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let cluster = try ctx.cluster()
            try cluster.require(.consumerGroups)
            cluster.registerCoordinatorKey(group, type: .group)
            let drill = ScalingDrill(cluster: cluster, group: group, topic: topic, partitions: partitions, strategy: strategy,
                                     ledger: ctx.ledger)
            let record = try await drill.run(sizes: sizes, messages: total)
            ctx.world.update(ScalingState.Key.self) { $0.drills[group] = record }
            ctx.world.update(GroupState.Key.self) { $0.reads[group, default: []] += drill.readIds }
            attachEvidence(ctx, record, sizes: sizes, strategy: strategy)
        }

        code.then("each scaling step of group {string} was a logged rebalance after which every partition had exactly one consumer",
                  doc: "For every phase of the drill: rebalance callbacks were logged, and the group settled with each partition owned by one live consumer and no consumer idle while partitions remain.",
                  example: #"Then each scaling step of group "scalers" was a logged rebalance after which every partition had exactly one consumer"#) { ctx in
            try history(ctx, group: try ctx.string(0)).everyPhaseSettled().enforce()
        }

        code.then("while group {string} grew, its consumers gave up all their partitions",
                  doc: "Eager rebalancing stops the world: until the grown group settled, every consumer already in it gave up every partition it held.",
                  example: #"Then while group "scalers" grew, its consumers gave up all their partitions"#) { ctx in
            try ScalingHistory.gaveUpEverything(try revocations(ctx)).enforce()
        }

        code.then("while group {string} grew, its consumers gave up only the partitions that moved",
                  doc: "Cooperative rebalancing is incremental: until the grown group settled, no consumer gave up a partition it kept, and some partitions did move.",
                  example: #"Then while group "scalers" grew, its consumers gave up only the partitions that moved"#) { ctx in
            try ScalingHistory.gaveUpOnlyWhatMoved(try revocations(ctx)).enforce()
        }

        code.then("the lag of group {string} stayed under {int} records",
                  doc: "Every lag sample of the drill (sum over partitions of log end minus committed offset) is below the bound.",
                  example: #"Then the lag of group "scalers" stayed under 3000 records"#) { ctx in
            let group = try ctx.string(0)
            try history(ctx, group: group).lagStayed(under: Int64(try ctx.int(1)), group: group).enforce()
        }
    }

    static func history(_ ctx: StepContext, group: String) throws -> ScalingHistory {
        guard let history = ctx.world[ScalingState.Key.self].drills[group] else {
            throw StepFailure("group \(group) did not scale in this scenario")
        }
        return history
    }

    static func revocations(_ ctx: StepContext) throws -> [ScalingHistory.Revocation] {
        let group = try ctx.string(0)
        guard let rows = try history(ctx, group: group).revocationsWhileGrowing() else {
            throw StepFailure("group \(group) never grew")
        }
        func list(_ partitions: Set<Int32>) -> String { partitions.sorted().map(String.init).joined(separator: ",") }
        ctx.attach(Evidence.table(["consumer", "held before", "gave up", "kept"], rows.map {
            [$0.member, list($0.held), list($0.gaveUp), list($0.kept)]
        }), mediaType: "text/markdown")
        return rows
    }

    static func attachEvidence(_ ctx: StepContext, _ record: ScalingHistory, sizes: [Int], strategy: String) {
        let spans = record.phases.map { (label: $0.label, from: $0.from, to: $0.to) }
        ctx.attach(Evidence.lineChart(title: "Lag of the group (records), \(strategy)", unit: "phases shaded",
                                      samples: record.lag.map { ($0.seconds, Double($0.lag)) }, spans: spans),
                   mediaType: "image/svg+xml")
        ctx.attach(Evidence.barChart(title: "Highest lag per phase (records)",
                                     bars: record.phases.map { ($0.label, Double(record.maxLag(in: $0))) }),
                   mediaType: "image/svg+xml")
        ctx.attach(Evidence.table(["s", "consumer", "event", "partitions", "protocol"], record.rebalances.map {
            let partitions = $0.partitions.map(String.init).joined(separator: ",")
            return [String(format: "%.2f", $0.seconds), $0.member, $0.kind.rawValue, partitions, $0.protocolName]
        }), mediaType: "text/markdown")
        ctx.attach(Evidence.table(["phase", "consumers", "from s", "to s", "settled assignment", "highest lag"], record.phases.enumerated().map { i, p in
            ["\(i + 1)", "\(p.consumers)", String(format: "%.1f", p.from), String(format: "%.1f", p.to),
             p.settled.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.map(String.init).joined(separator: ","))" }.joined(separator: "; "),
             "\(record.maxLag(in: p))"]
        }), mediaType: "text/markdown")
    }
}

/// Runs a group through a series of sizes while a paced producer writes to its topic.
final class ScalingDrill: @unchecked Sendable {
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

    init(cluster: any Cluster, group: String, topic: String, partitions: Int32, strategy: String, ledger: DeliveryLedger) {
        self.cluster = cluster
        self.group = group
        self.topic = topic
        self.partitions = partitions
        self.strategy = strategy
        self.ledger = ledger
    }

    var readIds: [UInt64] { reads.withLock { $0 } }

    private var now: Double { clock.now }

    private func join(_ index: Int) throws -> Member {
        let name = "consumer-\(index)"
        let consumer = try Consumer(config: cluster.config([
            "group.id": group, "client.id": name, "auto.offset.reset": "earliest", "enable.auto.commit": "true",
            "auto.commit.interval.ms": "200", "session.timeout.ms": "3000", "heartbeat.interval.ms": "200",
            "partition.assignment.strategy": strategy,
        ]), onRebalance: { [weak self] event, _ in
            guard let self else { return }
            // Plain values from here on: the checkers never see a Kafka type.
            let r = ScalingHistory.Rebalance(seconds: self.now, member: name, kind: .init(event.kind),
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
            last = Dictionary(uniqueKeysWithValues: try members.map { ($0.name, try $0.consumer.assignment().map(\.partition).sorted()) })
            let owned = last.values.flatMap { $0 }
            let idle = members.count <= partitions && last.values.contains(where: \.isEmpty)
            if owned.count == Int(partitions), Set(owned).count == Int(partitions), !idle { return last }
            try await Task.sleep(for: .milliseconds(50)) // polling interval of the deadline loop
        }
        return last  // the Then step reports what was wrong with it
    }

    private func waitForProduced(_ count: Int, by paced: PacedProducer, producer: Task<Void, Error>) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while paced.sent.load(ordering: .acquiring) < count, ContinuousClock.now < deadline {
            if producer.isCancelled { break }
            try await Task.sleep(for: .milliseconds(20)) // polling interval of the deadline loop
        }
    }

    func run(sizes: [Int], messages: Int) async throws -> ScalingHistory {
        state.withLock { $0.partitions = partitions }
        let sampler = try LagSampler(cluster: cluster, group: group, topic: topic, partitions: partitions, clock: clock)
        let sampling = Task.detached { await sampler.run() }
        // Two and a half seconds' worth of records per phase.
        let paced = PacedProducer(cluster: cluster, topic: topic, ledger: ledger, total: messages, perTick: messages / (25 * sizes.count), keyed: true)

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
                try await Task.sleep(for: .milliseconds(50)) // polling interval of the deadline loop
            }
            // Then until the members committed what they read: the lag comes back to zero (or 5 s pass).
            let settledBy = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < settledBy, (sampler.last?.lag ?? 1) > 0 {
                try await Task.sleep(for: .milliseconds(50)) // polling interval of the deadline loop
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
        return state.withLock { $0.lag = lag; return $0 }
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

/// What a scenario's scaling steps remember: each group's drill history.
struct ScalingState: Sendable {
    enum Key: WorldKey { static var defaultValue: ScalingState { ScalingState() } }
    var drills: [String: ScalingHistory] = [:]
}
