/// A plan's list of keys that move when a topic grows, judged against the ledger of what the scenario
/// sent and had acknowledged — never only against the keys a cluster under test gave back on a read.
public enum KeyMoves {
    public struct Move: Sendable, Equatable {
        public var from: Int32
        public var to: Int32

        public init(from: Int32, to: Int32) {
            self.from = from
            self.to = to
        }
    }

    /// - Parameters:
    ///   - listed: the plan's moving keys.
    ///   - expected: every acknowledged key that moves, from where it was acknowledged to where the
    ///     partitioner sends it after the change.
    ///   - acknowledgedKeys: how many distinct keys were acknowledged on the topic.
    ///   - readBack: the partitions each key was read back from.
    public static func verdict(
        listed: [String: Move], expected: [String: Move], acknowledgedKeys: Int,
        readBack: [String: Set<Int32>]
    ) -> Verdict {
        if let empty = Verdict.noEvidence(acknowledgedKeys, "keys acknowledged on the topic") { return empty }
        var problems: [String] = []
        let unlisted = expected.keys.filter { listed[$0] == nil }.sorted()
        if !unlisted.isEmpty {
            problems.append(
                "\(unlisted.count) acknowledged keys that move are not in the plan, e.g. "
                    + "\(unlisted.prefix(5).joined(separator: ", "))")
        }
        let extra = listed.keys.filter { expected[$0] == nil }.sorted()
        if !extra.isEmpty {
            problems.append(
                "the plan lists keys that were not acknowledged there or do not move, e.g. "
                    + "\(extra.prefix(5).joined(separator: ", "))")
        }
        let wrong = listed.filter { key, move in expected[key].map { $0 != move } ?? false }.keys.sorted()
        if !wrong.isEmpty {
            problems.append(
                "keys planned from or to the wrong partition: "
                    + wrong.prefix(5).map {
                        "\($0) plan \(listed[$0]!.from) → \(listed[$0]!.to), "
                            + "acknowledged \(expected[$0]!.from) → \(expected[$0]!.to)"
                    }.joined(separator: "; "))
        }
        let misplaced = listed.filter { key, move in readBack[key] != [move.from] }.keys.sorted()
        if !misplaced.isEmpty {
            problems.append(
                "keys not read back where the plan says they are: "
                    + misplaced.prefix(5).map {
                        "\($0): plan says partition \(listed[$0]!.from), read back in "
                            + (readBack[$0].map { "\($0.sorted())" } ?? "no partition")
                    }.joined(separator: "; "))
        }
        return Verdict(problems)
    }
}
