/// Claims about brokers and leadership checked on the wire, and about retention, judged on values the
/// steps read from the cluster.
extension Placement {
    /// `expected` replicas on distinct brokers cannot exist on a cluster of fewer brokers, whatever it models.
    public static func distinctReplicasPossible(_ expected: Int, brokers: Int) -> Verdict {
        brokers > 0 && expected > brokers
            ? .fails("\(expected) replicas on distinct brokers cannot exist on a cluster of \(brokers) brokers")
            : Verdict()
    }

    /// `noneLedBy`, judged after waiting `seconds` for leadership to move: a partition still led by the
    /// broker, or without a leader, is reported with how long was waited.
    public static func noneLedBy(
        _ broker: Int32, topic: String, partitions: [Plausibility.Partition],
        brokers: [Int32], waited seconds: Int64
    ) -> Verdict {
        let verdict = noneLedBy(broker, topic: topic, partitions: partitions, brokers: brokers)
        let waited = verdict.problems.contains { $0.contains("still leads") || $0.contains("no leader") }
        return waited ? Verdict(["\(verdict) (after \(seconds) s)"]) : verdict
    }

    /// A broker's answer to an ApiVersions probe: whether it answered, and what the probe saw.
    public struct Probe: Sendable, Equatable {
        public var broker: Int32
        public var answered: Bool
        public var summary: String

        public init(broker: Int32, answered: Bool, summary: String) {
            self.broker = broker
            self.answered = answered
            self.summary = summary
        }
    }

    /// Every broker named leader of the topic's partitions answered its probe.
    public static func leadersServing(topic: String, probes: [Probe]) -> Verdict {
        if let empty = Verdict.noEvidence(probes.count, "leaders of \(topic) probed") { return empty }
        return Verdict(
            probes.filter { !$0.answered }.map {
                "broker \($0.broker), named leader of partitions of \(topic), is not serving: \($0.summary)"
            })
    }

    /// A restarted broker is back: it answers a probe and the metadata lists it.
    public static func brokerBack(_ probe: Probe, listed: [Int32]) -> Verdict {
        guard probe.answered else { return .fails("broker \(probe.broker) is not serving: \(probe.summary)") }
        return listed.contains(probe.broker)
            ? Verdict()
            : .fails("broker \(probe.broker) is missing from the metadata (brokers \(listed))")
    }
}

/// Records expire: retention deletes what was written before (KAF-06).
public enum Retention {
    /// `remaining`: per partition, how many of the records written before are still there after `seconds`;
    /// `written`: how many were written before (none written is nothing to see deleted).
    public static func recordsGone(written: Int64, remaining: [Int32: Int64], after seconds: Int) -> Verdict {
        if let empty = Verdict.noEvidence(Int(clamping: written), "records written before") { return empty }
        let left = remaining.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        return left.isEmpty
            ? Verdict()
            : .fails(
                "after \(seconds) s records are still there: "
                    + left.map { "partition \($0.key): \($0.value)" }.joined(separator: ", "))
    }
}
