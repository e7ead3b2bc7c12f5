/// Where `groups reset-offsets` moves a group's committed offsets.
public enum OffsetTarget: Sendable, Equatable {
    case earliest, latest
    case offset(Int64)
    case shift(Int64)

    public init?(_ text: String) {
        switch text {
        case "earliest": self = .earliest
        case "latest": self = .latest
        default:
            if text.hasPrefix("shift:"), let n = Int64(text.dropFirst(6)) {
                self = .shift(n)
            } else if let n = Int64(text), n >= 0 {
                self = .offset(n)
            } else {
                return nil
            }
        }
    }
}

public enum GroupChecks {
    /// The new committed offset of each partition of `topic`, within its watermarks. Refused while the
    /// group has members (Kafka refuses a reset of an active group: stop its consumers first), for an
    /// unknown group or topic, and for an offset outside a partition's log.
    public static func resetOffsets(
        group name: String, topic: String, to target: OffsetTarget,
        in snapshot: Snapshot
    ) throws(Refusal) -> (plan: Plan, offsets: [Int32: Int64]) {
        guard let group = snapshot.group(name) else { throw Refusal("no consumer group \(name) on this cluster") }
        if let members = group.members, members > 0 {
            throw Refusal(
                "group \(name) has \(members) active member\(members == 1 ? "" : "s") "
                    + "(state \(group.state)); stop its consumers before resetting its offsets")
        }
        guard let t = snapshot.topic(topic) else { throw Refusal("no topic \(topic) on this cluster") }
        var changes: [Plan.Change] = []
        var offsets: [Int32: Int64] = [:]
        for p in t.partitions {
            guard let low = p.low, let high = p.high else {
                throw Refusal("the watermarks of \(topic)[\(p.id)] are unknown")
            }
            let current = group.committed?[topic]?[p.id]
            let next: Int64
            switch target {
            case .earliest: next = low
            case .latest: next = high
            case .offset(let n):
                guard (low...high).contains(n) else {
                    throw Refusal("offset \(n) is outside \(topic)[\(p.id)]'s log \(low)…\(high)")
                }
                next = n
            case .shift(let n): next = min(high, max(low, (current ?? low) + n))
            }
            offsets[p.id] = next
            changes.append(.init("\(name) \(topic)[\(p.id)]", current.map(String.init) ?? "(none)", "\(next)"))
        }
        let notes =
            group.members == nil
            ? ["whether the group has members is unknown (the cluster cannot describe groups)"] : []
        return (Plan(action: "reset offsets of group \(name) on \(topic)", changes: changes, notes: notes), offsets)
    }
}
