/// Claims about committed offsets and redelivery (KAF-05), judged on what consumers read and committed.
public enum Commits {
    /// One record a consumer read: its payload id and where it was.
    public typealias Read = PlacedRecord

    /// The restarted consumer's first record of each partition is at the offset the crashed one committed
    /// (0 where it committed nothing). `logEnds`, each partition's log end when the restarted consumer began:
    /// a committed offset beyond it is not plausible (the cluster dropped acknowledged records, or misreports
    /// offsets), and is named, whatever else was read.
    public static func restartedAtCommitted(
        committed: [Int32: Int64], restarted: [Read],
        logEnds: [Int32: Int64] = [:]
    ) -> Verdict {
        let beyond = committed.filter { p, offset in logEnds[p].map { offset > $0 } ?? false }
            .sorted { $0.key < $1.key }
        let implausible =
            beyond.isEmpty
            ? []
            : [
                "the group's committed offsets " + beyond.map { "[\($0.key)]@\($0.value)" }.joined(separator: " ")
                    + " lie beyond the log ends the cluster reports ("
                    + beyond.map { "[\($0.key)]@\(logEnds[$0.key] ?? 0)" }.joined(separator: " ") + "): not plausible"
            ]
        if let empty = Verdict.noEvidence(restarted.count, "records read after the restart") {
            return Verdict(empty.problems + implausible)
        }
        var firsts: [Int32: Int64] = [:]
        for r in restarted where firsts[r.partition] == nil { firsts[r.partition] = r.offset }
        let wrong = firsts.filter { partition, first in first != (committed[partition] ?? 0) }
            .sorted { $0.key < $1.key }
        let restartedWrong =
            wrong.isEmpty
            ? []
            : [
                "restarted at "
                    + wrong.map { "[\($0.key)]@\($0.value), committed \(committed[$0.key] ?? 0)" }.joined(
                        separator: "; ")
            ]
        return Verdict(restartedWrong + implausible)
    }

    /// Exactly the records read before the crash but not committed are read again — `expected` of them — and
    /// every acknowledged record was read by one consumer or the other.
    public static func redeliveredExactlyUncommitted(
        _ expected: Int, crashed: [Read], committed: [Int32: Int64],
        restarted: [Read], acknowledged: Set<UInt64>
    ) -> Verdict {
        let uncommitted = Set(crashed.filter { $0.offset >= (committed[$0.partition] ?? 0) }.map(\.id))
        let twice = Set(crashed.map(\.id)).intersection(restarted.map(\.id))
        let lost = acknowledged.subtracting(crashed.map(\.id)).subtracting(restarted.map(\.id))
        var problems: [String] = []
        if twice != uncommitted {
            problems.append("redelivered \(twice.count) records, expected the \(uncommitted.count) uncommitted ones")
        }
        if twice.count != expected { problems.append("redelivered \(twice.count), expected \(expected)") }
        if !lost.isEmpty {
            problems.append("\(lost.count) acknowledged records never read, e.g. \(lost.sorted().prefix(5))")
        }
        return Verdict(problems)
    }

    /// The group's committed offsets (partitions without one left out) are the positions processed.
    public static func committedAsProcessed(committed: [Int32: Int64], processed: [Int32: Int64]) -> Verdict {
        if let empty = Verdict.noEvidence(processed.count, "partitions processed") { return empty }
        guard committed != processed else { return Verdict() }
        return .fails(
            "committed \(committed.sorted { $0.key < $1.key }), "
                + "processed \(processed.sorted { $0.key < $1.key })")
    }

    /// A backfill read exactly offsets `first`…`last` of `partition`, each once and in order.
    public static func backfill(
        read: [(partition: Int32, offset: Int64)], first: Int64, last: Int64,
        partition: Int32
    ) -> Verdict {
        let expected = first <= last ? Array(first...last) : []
        guard read.map(\.partition) != expected.map({ _ in partition }) || read.map(\.offset) != expected else {
            return Verdict()
        }
        let from = read.first.map { "\($0.offset)" } ?? "-", to = read.last.map { "\($0.offset)" } ?? "-"
        return .fails(
            "processed \(read.count) records, offsets \(from)–\(to) of partitions "
                + "\(Set(read.map(\.partition)).sorted()); expected \(first)–\(last) of \(partition)")
    }
}
