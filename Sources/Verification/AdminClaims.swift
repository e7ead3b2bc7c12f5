/// Claims about what the admin tool did and what the cluster shows after it (KAF-05, KAF-12), judged on
/// the tool's outcome and on values read back from the cluster.
public enum AdminClaims {
    /// What the last admin command came to, as far as a refusal claim cares.
    public enum Outcome: Sendable, Equatable {
        case refused(reason: String)
        /// The checks accepted it: `text` is the plan, `dryRun` whether it was only planned.
        case accepted(text: String, dryRun: Bool)
        /// Accepted by the checks; the cluster lacks what sending it needs.
        case unsent(String)
    }

    /// The command was refused, for a reason containing `text`.
    public static func refused(_ outcome: Outcome, because text: String) -> Verdict {
        switch outcome {
        case .refused(let reason):
            return reason.contains(text) ? Verdict() : .fails("refused, but because \"\(reason)\", not \"\(text)\"")
        case .accepted(let plan, let dry):
            return .fails("the admin tool did not refuse; it \(dry ? "planned" : "ran"):\n\(plan)")
        case .unsent(let unsupported):
            return .fails(
                "the admin tool did not refuse: its checks accepted the command, which then "
                    + "needed what this cluster lacks (\(unsupported))")
        }
    }

    /// One line of a plan: what changes, from what, to what.
    public struct Change: Sendable, Equatable {
        public var subject: String
        public var before: String
        public var after: String

        public init(_ subject: String, _ before: String, _ after: String) {
            self.subject = subject
            self.before = before
            self.after = after
        }
    }

    /// The plan's first change whose subject contains `subject` goes from `before` (when given) to `after`.
    public static func changes(
        _ subject: String, before: String?, after: String, plan: [Change],
        planText: String
    ) -> Verdict {
        guard let c = plan.first(where: { $0.subject.contains(subject) }) else {
            return .fails("the plan changes nothing about \"\(subject)\":\n\(planText)")
        }
        guard before.map({ c.before == $0 }) ?? true, c.after == after else {
            return .fails("the plan changes \(c.subject) from \"\(c.before)\" to \"\(c.after)\"")
        }
        return Verdict()
    }

    /// The cluster's topic list does not name `topic`.
    public static func topicAbsent(_ topic: String, listed: [String]) -> Verdict {
        listed.contains(topic) ? .fails("the cluster lists topic \(topic): \(listed.sorted())") : Verdict()
    }

    /// The cluster lists `topic` (`reported` partitions; nil when it does not list it) with `expected` partitions.
    public static func partitionCount(_ topic: String, reported: Int?, expected: Int) -> Verdict {
        guard let reported else { return .fails("the cluster does not list topic \(topic)") }
        return reported == expected
            ? Verdict()
            : .fails("topic \(topic) has \(reported) partitions on the cluster, expected \(expected)")
    }

    /// The topic's non-default configuration entries include `key` = `value` (nil values are sensitive).
    public static func nonDefaultConfig(
        _ topic: String, key: String, value: String,
        entries: [(name: String, value: String?)]
    ) -> Verdict {
        guard !entries.contains(where: { $0.name == key && $0.value == value }) else { return Verdict() }
        return .fails(
            "\(topic) has no non-default \(key)=\(value): "
                + entries.map { "\($0.name)=\($0.value ?? "?")" }.joined(separator: ", "))
    }

    /// The topic's non-default configuration entries do not include `key`: its override was removed.
    public static func noNonDefaultConfig(_ topic: String, key: String, entries: [(name: String, value: String?)])
        -> Verdict
    {
        guard let e = entries.first(where: { $0.name == key }) else { return Verdict() }
        return .fails("\(topic) still has a non-default \(key)=\(e.value ?? "?")")
    }

    /// The partition's log starts at `expected`.
    public static func lowWatermark(
        _ topic: String, partition: Int32, low: Int64, high: Int64,
        expected: Int64
    ) -> Verdict {
        low == expected
            ? Verdict()
            : .fails("\(topic)[\(partition)] starts at \(low) (high \(high)), expected \(expected)")
    }

    /// Reading the partition from its log start gives exactly offsets `first`…`last`, none missing.
    public static func readsBack(
        _ topic: String, partition: Int32, offsets: [Int64], first: Int64,
        last: Int64
    ) -> Verdict {
        if offsets.first == first, offsets.last == last, offsets.count == Int(last - first + 1) { return Verdict() }
        let records = offsets.count == 1 ? "1 record" : "\(offsets.count) records"
        return .fails(
            "\(topic)[\(partition)] reads back \(records), offsets "
                + "\(offsets.first.map(String.init) ?? "-") to \(offsets.last.map(String.init) ?? "-"), "
                + "expected \(first) to \(last)")
    }

    /// The group has committed `expected` on each of the topic's `partitions` partitions.
    public static func committedOnEveryPartition(
        group: String, offsets: [(partition: Int32, offset: Int64)],
        expected: Int64, partitions: Int32
    ) -> Verdict {
        if offsets.count == Int(partitions), offsets.allSatisfy({ $0.offset == expected }) { return Verdict() }
        return .fails(
            "group \(group) has committed "
                + "\(offsets.map { "[\($0.partition)]@\($0.offset)" }.joined(separator: " ")), "
                + "expected \(expected) on each of \(partitions) partitions")
    }

    /// The group listing names `group`, described with `members` members (nil: not described).
    public static func groupListed(_ group: String, members: Int, listed: [(name: String, members: Int?)]) -> Verdict {
        guard let g = listed.first(where: { $0.name == group }) else {
            return .fails("group \(group) is not listed: \(listed.map(\.name))")
        }
        return g.members == members
            ? Verdict()
            : .fails("group \(group) has \(g.members.map(String.init) ?? "?") members, expected \(members)")
    }

    /// The inventory lists `topic` with `partitions` partitions and, when `replicationFactor` is given, that
    /// replication factor (nil: the cluster cannot say, and the caller skips that claim).
    public static func inventoryLists(
        _ topic: String, partitions: Int, replicationFactor: Int?,
        listed: [(name: String, partitions: Int, replicationFactor: Int)]
    ) -> Verdict {
        guard let t = listed.first(where: { $0.name == topic }) else {
            return .fails("the inventory does not list \(topic): \(listed.map(\.name))")
        }
        guard t.partitions == partitions else {
            return .fails("the inventory lists \(topic) with \(t.partitions) partitions, not \(partitions)")
        }
        guard let replicationFactor, t.replicationFactor != replicationFactor else { return Verdict() }
        return .fails(
            "the inventory lists \(topic) with \(t.partitions) partitions and replication factor "
                + "\(t.replicationFactor)")
    }

    /// `topics list` shows the topic with that many partitions (a listing that is empty shows nothing).
    public static func topicListed(_ topic: String, partitions: Int, listed: [(name: String, partitions: Int)])
        -> Verdict
    {
        if let empty = Verdict.noEvidence(listed.count, "topics in the listing") { return empty }
        guard let t = listed.first(where: { $0.name == topic }) else {
            return .fails("the topic listing does not show \(topic): \(listed.map(\.name).sorted())")
        }
        return t.partitions == partitions
            ? Verdict() : .fails("the topic listing shows \(topic) with \(t.partitions) partitions, not \(partitions)")
    }

    /// `topics describe` shows that many partitions, the metadata plausible, and each partition led by a
    /// live broker that is one of its in-sync replicas.
    public static func described(
        _ topic: String, partitions expected: Int, partitions: [Plausibility.Partition], brokers: [Int32]
    ) -> Verdict {
        if let empty = Verdict.noEvidence(partitions.count, "partitions in the description of \(topic)") {
            return empty
        }
        let plausible = Plausibility.metadata(topic: topic, partitions: partitions, brokers: brokers)
        guard plausible.holds else { return plausible }
        var problems: [String] = []
        if partitions.count != expected {
            problems.append("the description of \(topic) shows \(partitions.count) partitions, not \(expected)")
        }
        for p in partitions.sorted(by: { $0.id < $1.id }) where p.leader < 0 || !p.isr.contains(p.leader) {
            problems.append(
                p.leader < 0
                    ? "\(topic) partition \(p.id) has no leader"
                    : "\(topic) partition \(p.id) is led by broker \(p.leader), not one of its in-sync replicas "
                        + "\(p.isr)"
            )
        }
        return Verdict(problems)
    }

    /// `groups describe` shows, on every partition of the topic, the committed offset `expected` and a lag equal
    /// to the records acknowledged after it (the ledger's end: the last acknowledged offset + 1); no lag
    /// negative (a commit beyond the log end is the cluster's implausible answer).
    public static func groupDescribed(
        _ group: String, topic: String, partitions: Int32, expected: Int64,
        described: [(partition: Int32, committed: Int64, lag: Int64?)], acknowledgedEnds: [Int32: Int64]
    ) -> Verdict {
        if let empty = Verdict.noEvidence(described.count, "partitions of \(topic) in the description of \(group)") {
            return empty
        }
        let plausible = Plausibility.lags(described.compactMap { d in d.lag.map { ("\(topic)[\(d.partition)]", $0) } })
        guard plausible.holds else { return plausible }
        var problems: [String] = []
        for p in 0..<partitions {
            guard let d = described.first(where: { $0.partition == p }) else {
                problems.append("the description of \(group) shows nothing for \(topic)[\(p)]")
                continue
            }
            if d.committed != expected {
                problems.append("\(topic)[\(p)]: committed \(d.committed), expected \(expected)")
            }
            let end = acknowledgedEnds[p] ?? 0
            if d.lag != end - d.committed {
                problems.append(
                    "\(topic)[\(p)]: lag \(d.lag.map(String.init) ?? "unknown"), but \(end - d.committed) records "
                        + "were acknowledged after the committed offset")
            }
        }
        return Verdict(problems)
    }

    /// `inventory --diff` found nothing.
    public static func noDrift(_ drift: [String]) -> Verdict {
        drift.isEmpty ? Verdict() : .fails("drift: " + drift.joined(separator: "; "))
    }

    /// `inventory --diff` reported exactly this line of drift.
    public static func showsDrift(_ expected: String, drift: [String]) -> Verdict {
        drift.contains(expected)
            ? Verdict()
            : .fails("no drift \"\(expected)\"; found: " + (drift.isEmpty ? "none" : drift.joined(separator: "; ")))
    }

    /// The plan's first move (subjects `topic[partition] …`) is that partition.
    public static func movesFirst(_ topic: String, partition: Int32, subjects: [String]) -> Verdict {
        guard let first = subjects.first else { return .fails("the plan moves nothing") }
        return first.hasPrefix("\(topic)[\(partition)] ") ? Verdict() : .fails("the plan moves \(first) first")
    }

    /// Verifying a reassignment before it ran reports every partition it moves as not yet in place
    /// (`problems`: the verification's lines, `topic[partition] replicas …` for one not in place).
    public static func notVerifiedBeforeRun(moved: [(topic: String, partition: Int32)], problems: [String]) -> Verdict {
        if let empty = Verdict.noEvidence(moved.count, "partitions the plan moves") { return empty }
        let unmoved = moved.filter { e in !problems.contains { $0.hasPrefix("\(e.topic)[\(e.partition)] replicas ") } }
        return unmoved.isEmpty
            ? Verdict()
            : .fails(
                "verification passes partitions that have not moved: "
                    + "\(unmoved.map { "\($0.topic)[\($0.partition)]" })")
    }

    /// A preferred-leader election plan moves exactly the partitions whose in-sync first replica does not
    /// lead, each to that replica. `planned` and `expected` are lines `[p] leader: a → b`.
    public static func electionPlan(_ topic: String, planned: Set<String>, expected: Set<String>) -> Verdict {
        guard !expected.isEmpty else {
            return .fails(
                "every partition of \(topic) is already led by its preferred replica: nothing to elect, "
                    + "so the plan cannot be judged")
        }
        return planned == expected
            ? Verdict()
            : .fails("the plan moves \(planned.sorted()), the metadata calls for \(expected.sorted())")
    }

    /// One partition whose leader is not its preferred replica.
    public struct OffPreferred: Sendable, Equatable {
        public var partition: Int32
        public var leader: Int32
        public var replicas: [Int32]

        public init(partition: Int32, leader: Int32, replicas: [Int32]) {
            self.partition = partition
            self.leader = leader
            self.replicas = replicas
        }
    }

    /// Every one of the topic's `reported` partitions is led by its preferred replica (`off`: those that are not).
    public static func ledByPreferred(_ topic: String, reported: Int, off: [OffPreferred]) -> Verdict {
        guard reported > 0 else { return .fails("the cluster reports no partitions for \(topic)") }
        return off.isEmpty
            ? Verdict()
            : .fails(
                "partitions of \(topic) not led by their preferred replica: "
                    + off.map { "[\($0.partition)] leader \($0.leader), replicas \($0.replicas)" }
                    .joined(separator: ", "))
    }

    /// The gap between the heaviest and lightest broker's load.
    public static func gap(_ load: [Int32: Int64]) -> Int64 { (load.values.max() ?? 0) - (load.values.min() ?? 0) }

    /// A plan moving `moves` partitions narrows the load gap, from the loads `before` to those `after` it, by at
    /// least `percent` percent; loads already even leave nothing to narrow.
    public static func gapNarrowed(before: [Int32: Int64], after: [Int32: Int64], moves: Int, percent: Int) -> Verdict {
        let (from, to) = (gap(before), gap(after))
        guard from > 0 else { return .fails("the brokers' loads are already even: the plan cannot narrow anything") }
        guard moves > 0 else { return .fails("the plan moves nothing (gap \(from) records)") }
        let narrowed = Double(from - to) * 100 / Double(from)
        return narrowed >= Double(percent)
            ? Verdict()
            : .fails(
                "the plan narrows the load gap from \(from) to \(to) records, "
                    + "\(Int(narrowed)) %, not \(percent) %")
    }

    /// The load gap measured after the reassignment ran is the one the plan predicted.
    public static func gapAsPredicted(measured load: [Int32: Int64], predicted: Int64, before: Int64) -> Verdict {
        let measured = gap(load)
        return measured == predicted
            ? Verdict()
            : .fails("the load gap is \(measured) records; the plan predicted \(predicted) (before: \(before))")
    }

    /// `replicas verify` found nothing wrong (`problems`: its findings).
    public static func reassignmentVerified(_ problems: [String]) -> Verdict {
        problems.isEmpty ? Verdict() : .fails("not verified: " + problems.joined(separator: "; "))
    }
}
