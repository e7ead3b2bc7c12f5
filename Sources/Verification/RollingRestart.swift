/// KAF-12's rolling restart under load: producing and consuming went on through it. Times are milliseconds
/// on one clock: each acknowledgement, each record read, and the roll's span.
public enum RollingRestart {
    /// The longest wait within the roll: from its start (the load was running) through every event to the
    /// first event at or after its end; with no event after the end, up to the end.
    public static func longestGap(_ times: [Double], from start: Double, to end: Double) -> (gap: Double, at: Double) {
        var previous = start
        var longest = (gap: 0.0, at: start)
        for t in times.sorted() where t > start {
            if t - previous > longest.gap { longest = (t - previous, previous) }
            previous = t
            if t >= end { return longest }
        }
        if end - previous > longest.gap { longest = (end - previous, previous) }
        return longest
    }

    /// On every partition, producing (acknowledgements) and consuming (reads) never waited longer than
    /// `bound` during the roll: a partition stuck behind a broker that left shows. No broker restarted, or a
    /// partition with no acknowledgement or read during the roll, is no evidence.
    public static func availability(
        acknowledgedAt: [Int32: [Double]], readAt: [Int32: [Double]], partitions: Int32,
        roll: (start: Double, end: Double), restarts: Int, bound: Double
    ) -> Verdict {
        if let empty = Verdict.noEvidence(restarts, "brokers restarted") { return empty }
        if let empty = Verdict.noEvidence(Int(partitions), "partitions") { return empty }
        var problems: [String] = []
        for partition in 0..<partitions {
            for (what, times) in [
                ("producing", acknowledgedAt[partition] ?? []), ("consuming", readAt[partition] ?? []),
            ] {
                guard times.contains(where: { $0 > roll.start && $0 < roll.end }) else {
                    problems.append(
                        "partition \(partition): no \(what == "producing" ? "acknowledgement" : "read") during the roll "
                            + "(\(seconds(roll.start))–\(seconds(roll.end)) s)")
                    continue
                }
                let (gap, at) = longestGap(times, from: roll.start, to: roll.end)
                if gap > bound {
                    problems.append(
                        "partition \(partition): \(what) stopped for \(Int(gap.rounded())) ms from \(seconds(at)) s "
                            + "into the drill, over the bound of \(Int(bound)) ms")
                }
            }
        }
        return Verdict(problems)
    }

    static func seconds(_ ms: Double) -> String { String(Double(Int((ms / 100).rounded())) / 10) }
}
