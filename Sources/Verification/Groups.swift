/// Claims about keys, partitions and consumer groups (KAF-01, KAF-04), judged on what the steps saw.
public enum Groups {
    /// Every acknowledged keyed record with the same key landed in one partition.
    public static func keysInOnePartition(_ partitionsByKey: [String: Set<Int32>]) -> Verdict {
        guard !partitionsByKey.isEmpty else { return .fails("no acknowledged keyed record to check") }
        let spread = partitionsByKey.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }
        guard !spread.isEmpty else { return Verdict() }
        return .fails(
            "keys in more than one partition: "
                + spread.prefix(5).map { "\($0.key) → \($0.value.sorted())" }.joined(separator: ", "))
    }

    /// A fresh producer sends every key already seen to the partition it went to before.
    public static func keysStayPut(before: [String: Int32], again: [String: Int32]) -> Verdict {
        if let empty = Verdict.noEvidence(before.count, "keyed records acknowledged before") { return empty }
        let moved = before.sorted { $0.key < $1.key }.compactMap { key, partition -> String? in
            guard let now = again[key] else { return "\(key): \(partition) then not sent" }
            return now == partition ? nil : "\(key): \(partition) then \(now)"
        }
        return moved.isEmpty ? Verdict() : .fails("keys changed partition: \(moved.prefix(5).joined(separator: ", "))")
    }

    /// A group's reads hold every acknowledged payload id.
    public static func receivedEveryAcknowledged(
        group: String, read: Set<UInt64>,
        acknowledged: Set<UInt64>
    ) -> Verdict {
        guard !acknowledged.isEmpty else { return .fails("nothing was acknowledged, so nothing can be checked") }
        let missing = acknowledged.subtracting(read)
        guard !missing.isEmpty else { return Verdict() }
        return .fails(
            "group \(group) missed \(missing.count) of \(acknowledged.count) acknowledged messages, "
                + "e.g. \(missing.sorted().prefix(5))")
    }

    /// Each of `partitions` partitions is assigned to exactly one consumer, and no consumer is idle while
    /// partitions remain (`assignments`: one list of partitions per consumer).
    public static func splitWithNoneShared(partitions: Int32, assignments: [[Int32]]) -> Verdict {
        if let empty = Verdict.noEvidence(assignments.count, "consumers in the group") { return empty }
        let all = assignments.flatMap { $0 }
        let shared = Dictionary(grouping: all, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        let missing = Set(0..<partitions).subtracting(all).sorted()
        var problems: [String] = []
        if !shared.isEmpty { problems.append("partitions assigned twice: \(shared)") }
        if !missing.isEmpty { problems.append("partitions nobody reads: \(missing)") }
        if assignments.count <= Int(partitions), assignments.contains(where: \.isEmpty) {
            problems.append("an idle consumer while partitions remain: \(assignments)")
        }
        return Verdict(problems)
    }
}
