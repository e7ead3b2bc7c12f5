import Foundation

/// What a scaling drill saw: every rebalance callback, the group's lag over time, and the
/// assignment the group settled on in each phase.
public struct ScalingHistory: Sendable, Equatable {
    public enum RebalanceKind: String, Sendable { case assigned, revoked, lost }

    public struct Rebalance: Sendable, Equatable {
        public var seconds: Double
        public var member: String
        public var kind: RebalanceKind
        public var partitions: [Int32]
        /// EAGER or COOPERATIVE, as the consumer reported it.
        public var protocolName: String

        public init(seconds: Double, member: String, kind: RebalanceKind, partitions: [Int32], protocolName: String) {
            self.seconds = seconds
            self.member = member
            self.kind = kind
            self.partitions = partitions
            self.protocolName = protocolName
        }
    }

    /// A span of the drill with one number of consumers.
    public struct Phase: Sendable, Equatable {
        public var consumers: Int
        public var from: Double
        public var to: Double
        /// When the group had settled with this many consumers.
        public var settledAt: Double?
        /// Partitions per live member once the group settled.
        public var settled: [String: [Int32]]

        public init(consumers: Int, from: Double, to: Double, settledAt: Double? = nil, settled: [String: [Int32]]) {
            self.consumers = consumers
            self.from = from
            self.to = to
            self.settledAt = settledAt
            self.settled = settled
        }

        public var label: String { "\(consumers) consumer\(consumers == 1 ? "" : "s")" }
    }

    /// What one consumer that was in the group before it grew did until it settled again.
    public struct Revocation: Sendable, Equatable {
        public var member: String
        public var held: Set<Int32>
        public var gaveUp: Set<Int32>
        public var kept: Set<Int32>

        public init(member: String, held: Set<Int32>, gaveUp: Set<Int32>, kept: Set<Int32>) {
            self.member = member
            self.held = held
            self.gaveUp = gaveUp
            self.kept = kept
        }
    }

    public var partitions: Int32
    public var phases: [Phase]
    public var rebalances: [Rebalance]
    public var lag: [LagSample]

    public init(partitions: Int32 = 0, phases: [Phase] = [], rebalances: [Rebalance] = [], lag: [LagSample] = []) {
        self.partitions = partitions
        self.phases = phases
        self.rebalances = rebalances
        self.lag = lag
    }

    /// The first phase in which the group has more consumers than before.
    public var growth: Int? { phases.indices.dropFirst().first { phases[$0].consumers > phases[$0 - 1].consumers } }

    /// For each consumer that was in the group before it grew: the partitions it held, the ones it
    /// gave up until the group settled again (however many rounds that took), and the ones it still
    /// held afterwards. Nil when the group never grew.
    public func revocationsWhileGrowing() -> [Revocation]? {
        guard let g = growth else { return nil }
        let before = phases[g - 1].settled, after = phases[g].settled
        let window = phases[g].from...(phases[g].settledAt ?? phases[g].to)
        return before.keys.sorted().map { member in
            let gaveUp = rebalances.filter {
                $0.member == member && $0.kind != .assigned && window.contains($0.seconds)
            }
            let held = Set(before[member] ?? [])
            return Revocation(
                member: member, held: held, gaveUp: Set(gaveUp.flatMap(\.partitions)),
                kept: held.intersection(after[member] ?? []))
        }
    }

    public func maxLag(in phase: Phase) -> Int64 {
        lag.filter { $0.seconds >= phase.from && $0.seconds <= phase.to }.map(\.lag).max() ?? 0
    }

    /// Every phase had a logged assignment, and settled with each partition owned by one live
    /// consumer, as many consumers as the phase had, and none idle while partitions remain.
    public func everyPhaseSettled() -> Verdict {
        var problems: [String] = []
        for phase in phases {
            let label = "with \(phase.label)"
            let assigned = rebalances.filter { $0.kind == .assigned }
            if !assigned.contains(where: { $0.seconds >= phase.from && $0.seconds <= phase.to }) {
                problems.append("no rebalance was logged \(label)")
            }
            let owned = phase.settled.values.flatMap { $0 }
            let twice = Dictionary(grouping: owned, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
            let unowned = Set(0..<partitions).subtracting(owned).sorted()
            if !twice.isEmpty { problems.append("\(label), partitions owned twice: \(twice)") }
            if !unowned.isEmpty { problems.append("\(label), partitions nobody owned: \(unowned)") }
            if phase.settled.count != phase.consumers {
                problems.append("\(label), \(phase.settled.count) consumers were in the group")
            }
            if phase.consumers <= partitions, phase.settled.values.contains(where: \.isEmpty) {
                problems.append("\(label), a consumer was idle: \(phase.settled)")
            }
        }
        return Verdict(problems)
    }

    /// Eager rebalancing stops the world: every consumer gave up every partition it held.
    public static func gaveUpEverything(_ rows: [Revocation]) -> Verdict {
        Verdict(
            rows.filter { !$0.held.isSubset(of: $0.gaveUp) }.map {
                "\($0.member) held \($0.held.sorted()) but gave up only \($0.gaveUp.sorted())"
            })
    }

    /// Cooperative rebalancing is incremental: no consumer gave up a partition it kept, and some moved.
    public static func gaveUpOnlyWhatMoved(_ rows: [Revocation]) -> Verdict {
        let needless = rows.filter { !$0.gaveUp.isDisjoint(with: $0.kept) }
        guard needless.isEmpty else {
            return Verdict(
                needless.map {
                    "\($0.member) gave up \($0.gaveUp.sorted()) though it kept \($0.kept.sorted())"
                })
        }
        guard rows.contains(where: { !$0.gaveUp.isEmpty }) else {
            return .fails("no consumer gave up a partition: nothing moved to the new consumer")
        }
        return Verdict()
    }

    /// Every lag sample below the bound.
    public func lagStayed(under bound: Int64, group: String) -> Verdict {
        let plausible = Plausibility.lagSamples(lag, group: group)
        guard plausible.holds else { return plausible }
        guard let worst = lag.max(by: { $0.lag < $1.lag }) else {
            return .fails("no lag was sampled for group \(group)")
        }
        guard worst.lag < bound else {
            let at = String(format: "%.1f", worst.seconds)
            return .fails("lag reached \(worst.lag) records at \(at) s, over the bound of \(bound)")
        }
        return Verdict()
    }
}
