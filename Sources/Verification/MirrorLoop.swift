/// KAF-10's loop-prevention rule, judged on what a cluster holds after two mirrors ran in opposite
/// directions: no record the scenario sent to the origin cluster comes back to it, neither as a copy of
/// its copy (`west.east.orders` on east) nor written again into its own topic.
public enum MirrorLoop {
    /// What the origin cluster holds, read back after the return mirror had its chance.
    public struct Evidence: Sendable {
        /// The origin's alias (`east`) and the other cluster's (`west`).
        public var origin: String, other: String
        /// The topic the scenario produced to on the origin, and the ids acknowledged there (the ledger).
        public var topic: String
        public var acknowledged: Set<UInt64>
        /// Every topic name on the other cluster, and on the origin.
        public var otherTopics: [String], originTopics: [String]
        /// Ids read back from the origin, per topic: the produced topic and each topic the return mirror
        /// writes (`<other>.…`).
        public var readBack: [String: [UInt64]]
        /// Scans of the other cluster's topics the return mirror made after the copy was there.
        public var scansAfterCopy: Int
        /// Ids read back from the copy on the other cluster.
        public var copied: Set<UInt64> = []
        /// Whether a mirror runs back, and whether its include and exclude patterns select the copy (so that
        /// only the loop rule can keep it from coming back); nil when none runs back.
        public var backSelectsCopy: Bool?

        public init(
            origin: String, other: String, topic: String, acknowledged: Set<UInt64>, otherTopics: [String],
            originTopics: [String], readBack: [String: [UInt64]], scansAfterCopy: Int
        ) {
            self.origin = origin
            self.other = other
            self.topic = topic
            self.acknowledged = acknowledged
            self.otherTopics = otherTopics
            self.originTopics = originTopics
            self.readBack = readBack
            self.scansAfterCopy = scansAfterCopy
        }
    }

    public static func verdict(_ e: Evidence) -> Verdict {
        // Without a copy on the other side, or a return mirror that looked at it, nothing could have looped.
        guard e.origin != e.other else { return .fails("a loop needs two clusters: both are \(e.origin)") }
        guard !e.acknowledged.isEmpty else {
            return .fails("nothing sent to \"\(e.topic)\" on \(e.origin) was acknowledged: nothing could come back")
        }
        let copy = "\(e.origin).\(e.topic)"
        guard e.otherTopics.contains(copy) else {
            return .fails(
                "\(e.other) has no \(copy): the mirror from \(e.origin) never copied it, so nothing could "
                    + "come back")
        }
        let held = e.acknowledged.intersection(e.copied).count
        guard held == e.acknowledged.count else {
            return .fails(
                "\(e.other)'s \(copy) holds \(held) of the \(e.acknowledged.count) records acknowledged to "
                    + "\(e.topic): it is not the mirror's copy of them")
        }
        guard let selects = e.backSelectsCopy else {
            return .fails("no mirror from \(e.other) to \(e.origin) runs in this scenario: nothing could come back")
        }
        guard selects else {
            return .fails(
                "the mirror from \(e.other) to \(e.origin) does not select \(copy) by its patterns: only "
                    + "the loop rule could keep it back if it did, so nothing was tested")
        }
        guard e.scansAfterCopy > 0 else {
            return .fails(
                "the mirror from \(e.other) to \(e.origin) never listed \(e.other)'s topics after \(copy) "
                    + "was there: it had no chance to loop")
        }
        var problems: [String] = []
        let back = e.originTopics.filter { $0.hasPrefix("\(e.other).\(e.origin).") }.sorted()
        if !back.isEmpty {
            let records = back.map { e.readBack[$0]?.count ?? 0 }.reduce(0, +)
            problems.append(
                "\(e.origin) has \(back.joined(separator: ", ")), named as a copy of its own topic come "
                    + "back (\(records) records)")
        }
        for (topic, ids) in e.readBack.sorted(by: { $0.key < $1.key }) {
            if topic == e.topic {
                var seen = Set<UInt64>(), twice = Set<UInt64>()
                for id in ids where e.acknowledged.contains(id) && !seen.insert(id).inserted { twice.insert(id) }
                if !twice.isEmpty {
                    problems.append(
                        "\(twice.count) records sent to \(topic) are in it twice (e.g. id "
                            + "\(twice.min()!)): written back into their own topic")
                }
            } else {
                let returned = Set(ids).intersection(e.acknowledged)
                if !returned.isEmpty {
                    problems.append(
                        "\(returned.count) records sent to \(e.topic) on \(e.origin) came back in "
                            + "\(topic) (e.g. id \(returned.min()!))")
                }
            }
        }
        return Verdict(problems)
    }
}
