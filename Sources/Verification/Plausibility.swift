/// What a cluster says about itself, checked before any verdict is judged on it. A real Kafka never
/// lists a broker twice in a replica set, names a broker its metadata does not know, or reports a
/// committed offset beyond the log end; a cluster that does is broken or lying, and a verdict built
/// on its answer would certify nothing.
public enum Plausibility {
    /// One partition as the cluster's metadata reports it.
    public struct Partition: Sendable, Equatable {
        public var id: Int32
        public var leader: Int32
        public var replicas: [Int32]
        public var isr: [Int32]

        public init(id: Int32, leader: Int32, replicas: [Int32], isr: [Int32]) {
            self.id = id
            self.leader = leader
            self.replicas = replicas
            self.isr = isr
        }

        /// The replication factor: distinct brokers holding a replica (a repeated id is not a copy).
        public var replicationFactor: Int { Set(replicas).count }
    }

    /// A topic's metadata: partition ids unique, no broker twice in a replica or in-sync set, the ISR
    /// a subset of the replicas, every broker named (leader, replica, ISR) listed among the brokers,
    /// and a leader (when there is one, id ≥ 0) among the replicas.
    public static func metadata(topic: String, partitions: [Partition], brokers: [Int32]) -> Verdict {
        var problems: [String] = []
        let known = Set(brokers)
        let ids = partitions.map(\.id)
        if Set(ids).count != ids.count {
            problems.append("\(topic) lists partition ids more than once: \(ids.sorted())")
        }
        for p in partitions.sorted(by: { $0.id < $1.id }) {
            let here = "\(topic) partition \(p.id)"
            if let twice = repeated(p.replicas) {
                problems.append("\(here) lists broker \(twice) more than once in its replicas \(p.replicas)")
            }
            if let twice = repeated(p.isr) {
                problems.append("\(here) lists broker \(twice) more than once in its ISR \(p.isr)")
            }
            let outside = Set(p.isr).subtracting(p.replicas).sorted()
            if !outside.isEmpty {
                problems.append("\(here) has in-sync replicas \(outside) that are not replicas \(p.replicas)")
            }
            let unknown = Set(p.replicas + p.isr + (p.leader >= 0 ? [p.leader] : [])).subtracting(known).sorted()
            if !unknown.isEmpty {
                problems.append("\(here) names brokers \(unknown) that the metadata does not list \(brokers.sorted())")
            }
            if p.leader >= 0, !p.replicas.isEmpty, !p.replicas.contains(p.leader) {
                problems.append("\(here) is led by broker \(p.leader), which is not one of its replicas \(p.replicas)")
            }
        }
        return Verdict(problems, context: problems.isEmpty ? nil : "the cluster's metadata is not plausible")
    }

    /// A claim about broker `id` is only meaningful on a cluster that has it.
    public static func knownBroker(_ id: Int32, brokers: [Int32]) -> Verdict {
        brokers.contains(id)
            ? Verdict()
            : .fails("the cluster has no broker \(id) (its metadata lists brokers \(brokers.sorted()))")
    }

    /// A lag is a log end minus a committed offset: below zero, the cluster committed beyond its log end.
    public static func lags(_ lags: [(label: String, lag: Int64)]) -> Verdict {
        let negative = lags.filter { $0.lag < 0 }
        return Verdict(negative.map { "\($0.label): lag \($0.lag) is negative (an offset beyond the log end)" })
    }

    public static func repeated(_ ids: [Int32]) -> Int32? {
        var seen = Set<Int32>()
        return ids.first { !seen.insert($0).inserted }
    }
}

/// Claims about where a topic's partitions live, judged on metadata that first passed `Plausibility`.
public enum Placement {
    /// Every partition has `expected` replicas, each on a different broker.
    public static func replicasOnDistinctBrokers(
        _ expected: Int, topic: String, partitions: [Plausibility.Partition],
        brokers: [Int32]
    ) -> Verdict {
        if let empty = Verdict.noEvidence(partitions.count, "partitions of \(topic) in the metadata") { return empty }
        let plausible = Plausibility.metadata(topic: topic, partitions: partitions, brokers: brokers)
        guard plausible.holds else { return plausible }
        let wrong = partitions.filter { $0.replicas.count != expected || $0.replicationFactor != expected }
        return Verdict(
            wrong.isEmpty
                ? []
                : [
                    "partitions without \(expected) distinct replicas: "
                        + wrong.map { "\($0.id) → \($0.replicas)" }.joined(separator: ", ")
                ])
    }

    /// Every partition's in-sync set holds all its replicas.
    public static func allInSync(topic: String, partitions: [Plausibility.Partition], brokers: [Int32]) -> Verdict {
        if let empty = Verdict.noEvidence(partitions.count, "partitions of \(topic) in the metadata") { return empty }
        let plausible = Plausibility.metadata(topic: topic, partitions: partitions, brokers: brokers)
        guard plausible.holds else { return plausible }
        let lagging = partitions.filter { Set($0.isr) != Set($0.replicas) }
        return Verdict(
            lagging.isEmpty
                ? []
                : [
                    "partitions with replicas out of sync: "
                        + lagging.map { "\($0.id) replicas \($0.replicas) isr \($0.isr)" }.joined(separator: ", ")
                ])
    }

    /// The partitions' leaders are exactly `expected` distinct brokers, every partition led.
    public static func leadersSpread(
        over expected: Int, topic: String, partitions: [Plausibility.Partition],
        brokers: [Int32]
    ) -> Verdict {
        if let empty = Verdict.noEvidence(partitions.count, "partitions of \(topic) in the metadata") { return empty }
        let plausible = Plausibility.metadata(topic: topic, partitions: partitions, brokers: brokers)
        guard plausible.holds else { return plausible }
        let leaderless = partitions.filter { $0.leader < 0 }.map(\.id).sorted()
        if !leaderless.isEmpty { return .fails("partitions \(leaderless) of \(topic) have no leader") }
        let leaders = Set(partitions.map(\.leader))
        return leaders.count == expected
            ? Verdict()
            : .fails(
                "leaders of \(topic) are on \(leaders.count) broker\(leaders.count == 1 ? "" : "s") "
                    + "\(leaders.sorted()), expected \(expected)")
    }

    /// A topic as created: the cluster reports the partitions asked for and, where it models per-topic
    /// replication, that many distinct replicas on each (after the metadata passed `Plausibility`).
    public static func created(
        topic: String, partitions expected: Int, replicationFactor: Int,
        reported: [Plausibility.Partition], brokers: [Int32],
        modelsReplication: Bool
    ) -> Verdict {
        let plausible = Plausibility.metadata(topic: topic, partitions: reported, brokers: brokers)
        guard plausible.holds else { return plausible }
        guard reported.count == expected else {
            return .fails("\(topic) was created with \(expected) partitions; the cluster reports \(reported.count)")
        }
        guard modelsReplication else { return Verdict() }
        let wrong = reported.filter { $0.replicationFactor != replicationFactor }
        return Verdict(
            wrong.isEmpty
                ? []
                : [
                    "\(topic) was created with replication factor \(replicationFactor); "
                        + "the cluster reports "
                        + wrong.map { "partition \($0.id) replicas \($0.replicas)" }.joined(separator: ", ")
                ])
    }

    /// No partition is led by `broker`, a broker the cluster has (or had: `brokers` are the configured
    /// ones), and every partition has a leader.
    /// Replicas exactly on these brokers, in any order, each listed once.
    public static func isOn(_ wanted: [Int32], _ replicas: [Int32]) -> Bool {
        Set(replicas) == Set(wanted) && replicas.count == wanted.count
    }

    /// Every partition's replicas are exactly these brokers (in any order), each listed once.
    public static func replicasOn(
        _ wanted: [Int32], topic: String, partitions: [Plausibility.Partition],
        brokers: [Int32]
    ) -> Verdict {
        if let empty = Verdict.noEvidence(partitions.count, "partitions of \(topic) in the metadata") { return empty }
        let plausible = Plausibility.metadata(topic: topic, partitions: partitions, brokers: brokers)
        guard plausible.holds else { return plausible }
        return Verdict(
            partitions.filter { !isOn(wanted, $0.replicas) }
                .map { "\(topic)[\($0.id)] has its replicas on brokers \($0.replicas), not \(wanted)" })
    }

    public static func noneLedBy(
        _ broker: Int32, topic: String, partitions: [Plausibility.Partition],
        brokers: [Int32]
    ) -> Verdict {
        if let empty = Verdict.noEvidence(partitions.count, "partitions of \(topic) in the metadata") { return empty }
        let known = Plausibility.knownBroker(broker, brokers: brokers)
        guard known.holds else { return known }
        let plausible = Plausibility.metadata(topic: topic, partitions: partitions, brokers: brokers)
        guard plausible.holds else { return plausible }
        let led = partitions.filter { $0.leader == broker }.map(\.id).sorted()
        if !led.isEmpty { return .fails("broker \(broker) still leads partitions \(led) of \(topic)") }
        let leaderless = partitions.filter { $0.leader < 0 }.map(\.id).sorted()
        return leaderless.isEmpty ? Verdict() : .fails("partitions \(leaderless) of \(topic) have no leader")
    }
}

extension Verdict {
    /// Empty evidence never passes: nil when there is some, otherwise the failing verdict naming what was empty.
    public static func noEvidence(_ count: Int, _ what: String) -> Verdict? {
        count > 0 ? nil : .fails("no evidence: 0 \(what) — a claim about nothing cannot pass")
    }
}
