import Foundation

/// Claims about a running mirror and a failover to it (KAF-10), judged on what the drills measured.
public enum MirrorClaims {
    /// The included topic's remote copy is on the target: the mirror looked at the source's topics, so
    /// the absence of the excluded one means something.
    public static func includedMirrored(
        _ included: String, physical: String, target: String, topics: [String],
        excluded: String
    ) -> Verdict {
        topics.contains(physical)
            ? Verdict()
            : .fails(
                "\(included) is not on \(target) (topics \(topics.sorted())): it was not mirrored "
                    + "(excluded, or not yet copied), so the exclusion of \(excluded) proves nothing")
    }

    /// The newest heartbeat (ms timestamp; nil: none read) is at most `bound` ms older than `asked`.
    public static func heartbeat(newest: Int64?, asked: Int64, bound: Int) -> Verdict {
        guard let newest else { return .fails("no heartbeat on the target") }
        let age = max(0, asked - newest)
        return age <= Int64(bound) ? Verdict() : .fails("the newest heartbeat is \(age) ms old, more than \(bound) ms")
    }

    /// Every record reached the target, the lag peaked at `low` ms or more during the pause (`during`) and
    /// stayed under `high` ms outside it (`outside`).
    public static func lagAroundPause(
        read: Int, sent: Int, during: Double, outside: Double, low: Double,
        high: Double
    ) -> Verdict {
        guard read == sent else { return .fails("only \(read) of \(sent) records reached the target") }
        var problems: [String] = []
        if during < low {
            problems.append(String(format: "the lag during the pause peaked at %.0f ms, under %.0f", during, low))
        }
        if outside >= high { problems.append(String(format: "the lag outside the pause reached %.0f ms", outside)) }
        return Verdict(problems)
    }

    /// The last record sent during the pause was read within `seconds` of the resume (`after`: seconds;
    /// nil when none was read).
    public static func caughtUp(after: Double?, within seconds: Int) -> Verdict {
        guard let after else { return .fails("no record sent during the pause was read") }
        return after <= Double(seconds) ? Verdict() : .fails(String(format: "caught up %.2f s after the resume", after))
    }

    /// No more than `bound` messages were consumed twice in the failover.
    public static func duplicates(_ count: Int, atMost bound: Int) -> Verdict {
        count <= bound ? Verdict() : .fails("\(count) consumed twice, more than \(bound)")
    }

    /// The group read its first record on the target within `seconds` of the switch (nil: it read nothing).
    public static func resumed(after recovery: Duration?, within seconds: Int) -> Verdict {
        guard let recovery else { return .fails("the group read nothing on the target") }
        guard recovery > .seconds(seconds) else { return Verdict() }
        let c = recovery.components
        let milliseconds = c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
        return .fails("the group resumed \(milliseconds) ms after the switch")
    }
}
