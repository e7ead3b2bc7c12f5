/// Checkers for cross-cluster mirroring (KAF-10): what the source holds against what the target
/// holds, read back from both; and a consumer group's failover from one to the other.
public enum MirrorChecks {
    /// A record as read from either cluster. Headers as (name, bytes) in their order.
    public struct Record: Sendable, Hashable, CustomStringConvertible {
        public var partition: Int32
        public var offset: Int64
        public var key: [UInt8]?
        public var value: [UInt8]
        public var headers: [String]
        public var timestamp: Int64?
        public init(
            partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8], headers: [String], timestamp: Int64?
        ) {
            self.partition = partition
            self.offset = offset
            self.key = key
            self.value = value
            self.headers = headers
            self.timestamp = timestamp
        }
        public var description: String { "[\(partition)]@\(offset)" }
        /// Everything the mirror must carry over unchanged.
        var content: [String] {
            [
                key.map { String(decoding: $0, as: UTF8.self) } ?? "∅", String(decoding: value, as: UTF8.self),
                headers.joined(separator: ","), timestamp.map(String.init) ?? "∅",
            ]
        }
    }

    /// The remote topic holds the source topic's records, partition for partition, in the same order,
    /// with keys, values, headers and timestamps unchanged; headers the mirror adds are allowed only
    /// when named in `addedHeaders`.
    public static func fidelity(source: [Record], target: [Record], addedHeaders: Set<String> = []) -> Verdict {
        var problems: [String] = []
        let src = Dictionary(grouping: source, by: \.partition).mapValues { $0.sorted { $0.offset < $1.offset } }
        let dst = Dictionary(grouping: target, by: \.partition).mapValues { $0.sorted { $0.offset < $1.offset } }
        for partition in Set(src.keys).union(dst.keys).sorted() {
            let s = src[partition] ?? [],
                t = (dst[partition] ?? []).map { r -> Record in
                    var r = r
                    r.headers.removeAll { h in addedHeaders.contains(where: { h.hasPrefix($0 + "=") }) }
                    return r
                }
            if t.count < s.count {
                let missing = s.count - t.count
                problems.append("partition \(partition): \(missing) of \(s.count) records missing on the target")
            } else if t.count > s.count {
                problems.append(
                    "partition \(partition): \(t.count - s.count) records more on the target than the source's "
                        + "\(s.count)"
                )
            }
            if let i = s.indices.first(where: { $0 < t.count && s[$0].content != t[$0].content }) {
                let a = s[i], b = t[i]
                let field = ["key", "value", "headers", "timestamp"][
                    a.content.indices.first { a.content[$0] != b.content[$0] }!]
                problems.append(
                    "partition \(partition): record \(i + 1) differs in its \(field) "
                        + "(source \(a), target \(b))")
            }
        }
        return Verdict(problems, context: "\(source.count) source records, \(target.count) on the target")
    }

    /// Fidelity with the ledger as oracle: every record the scenario had acknowledged on the source
    /// topic is among the source records read back (a source that loses records on read would otherwise
    /// shrink what the copy is compared with), and the copy is faithful to them. No record, no pass.
    public static func fidelity(
        acknowledged: Set<UInt64>, source: [Record], target: [Record],
        addedHeaders: Set<String> = []
    ) -> Verdict {
        if let empty = Verdict.noEvidence(acknowledged.count, "records acknowledged on the source topic") {
            return empty
        }
        let readBack = Set(source.compactMap { Payload.id(in: $0.value) })
        let lost = acknowledged.subtracting(readBack).sorted()
        var verdict = fidelity(source: source, target: target, addedHeaders: addedHeaders)
        if !lost.isEmpty {
            verdict.problems.insert(
                "\(lost.count) acknowledged records were not read back from the source, "
                    + "e.g. \(lost.prefix(5))", at: 0)
        }
        return verdict
    }

    /// No topic on the target is the remote copy of an excluded source topic.
    public static func excluded(_ excludedTopics: [String], sourceAlias: String, targetTopics: [String]) -> Verdict {
        let found = excludedTopics.filter { targetTopics.contains("\(sourceAlias).\($0)") || targetTopics.contains($0) }
        return found.isEmpty
            ? Verdict()
            : .fails("excluded topics appear on the target: \(found.sorted()) (target has \(targetTopics.sorted()))")
    }

    /// A consumer group that read part of a topic on the source, then moved to the target at the
    /// translated offsets. `bound` is the duplicates allowed: the records the group read on the source
    /// after the last checkpoint the mirror emitted before the switch.
    public struct Failover: Sendable {
        public var acknowledged: Set<UInt64>
        public var readOnSource: [UInt64]
        public var readOnTarget: [UInt64]
        public var bound: Int
        public init(acknowledged: Set<UInt64>, readOnSource: [UInt64], readOnTarget: [UInt64], bound: Int) {
            self.acknowledged = acknowledged
            self.readOnSource = readOnSource
            self.readOnTarget = readOnTarget
            self.bound = bound
        }

        /// Where each record was read on either side, and each partition at the switch: with them the
        /// verdict is exact (see `exactProblems`), not a bound.
        public var exact: Exact?

        /// After an unplanned failover (the source died), the records the target's copy held: an acknowledged
        /// record the mirror never copied is lost with the source — the outage's cost, counted, not a failure
        /// of the failover; nil for a planned one, where nothing may be lost.
        public var copied: Set<UInt64>?

        /// A record the group read: where, and which (its ledger id).
        public struct Read: Sendable, Hashable {
            public var partition: Int32
            public var offset: Int64
            public var id: UInt64
            public init(partition: Int32, offset: Int64, id: UInt64) {
                self.partition = partition
                self.offset = offset
                self.id = id
            }
        }

        /// A partition at the switch: the group's committed offset on the source, and the newest
        /// checkpoint there (source offset → translated target offset), nil when there was none.
        public struct Switch: Sendable, Hashable {
            public var partition: Int32
            public var committed: Int64
            public var upstream: Int64?
            public var downstream: Int64?
            public init(partition: Int32, committed: Int64, upstream: Int64?, downstream: Int64?) {
                self.partition = partition
                self.committed = committed
                self.upstream = upstream
                self.downstream = downstream
            }
        }

        public struct Exact: Sendable {
            public var source: [Read], target: [Read], switches: [Switch]
            public init(source: [Read], target: [Read], switches: [Switch]) {
                self.source = source
                self.target = target
                self.switches = switches
            }
        }

        /// The records read on the source after the newest checkpoint: committed minus the checkpoint's
        /// upstream offset, per partition (all of them where there was no checkpoint).
        public static func bound(_ switches: [Switch]) -> Int {
            switches.reduce(0) { $0 + Int(max(0, $1.committed - ($1.upstream ?? 0))) }
        }

        public init(acknowledged: Set<UInt64>, exact: Exact) {
            self.init(
                acknowledged: acknowledged, readOnSource: exact.source.map(\.id),
                readOnTarget: exact.target.map(\.id), bound: Self.bound(exact.switches))
            self.exact = exact
        }

        /// Per partition: the target read starts at the translated offset; the record there is the one
        /// at the checkpoint's upstream offset on the source (when the group read that one); and exactly
        /// the records read on the source after the checkpoint are read twice.
        public var exactProblems: [String] {
            guard let exact else { return [] }
            var problems: [String] = []
            let onSource = Set(exact.source.map(\.id))
            for s in exact.switches.sorted(by: { $0.partition < $1.partition }) {
                let target = exact.target.filter { $0.partition == s.partition }
                if let down = s.downstream, let first = target.first, first.offset != down {
                    problems.append(
                        "partition \(s.partition): the target read started at \(first.offset), "
                            + "not at the translated offset \(down)")
                }
                if let up = s.upstream, let down = s.downstream, up < s.committed,
                    let origin = exact.source.first(where: { $0.partition == s.partition && $0.offset == up }),
                    let there = target.first(where: { $0.offset == down }), there.id != origin.id
                {
                    problems.append(
                        "partition \(s.partition): source offset \(up) (record \(origin.id)) was "
                            + "translated to target offset \(down), which holds record \(there.id)")
                }
                let twice = Set(target.map(\.id)).intersection(onSource).count
                let expected = Int(max(0, s.committed - (s.upstream ?? 0)))
                if twice != expected {
                    problems.append(
                        "partition \(s.partition): \(twice) records consumed twice, but the group read "
                            + "\(expected) after the newest checkpoint (committed \(s.committed), checkpoint "
                            + "upstream \(s.upstream.map(String.init) ?? "none"))")
                }
            }
            return problems
        }

        public var lost: [UInt64] { acknowledged.subtracting(readOnSource).subtracting(readOnTarget).sorted() }
        /// Lost records the mirror had never copied (unplanned failover only).
        public var lostWithSource: [UInt64] { copied.map { c in lost.filter { !c.contains($0) } } ?? [] }
        /// Records read on both sides, or twice on one.
        public var duplicates: [UInt64] {
            var seen: Set<UInt64> = [], twice: Set<UInt64> = []
            for id in readOnSource + readOnTarget where !seen.insert(id).inserted { twice.insert(id) }
            return twice.sorted()
        }

        /// At most `bound` acknowledged records lost with the source (never copied before it died).
        public func lostWithSource(atMost bound: Int) -> Verdict {
            guard copied != nil else {
                return .fails("not an unplanned failover: nothing could be lost with the source")
            }
            return lostWithSource.count <= bound
                ? Verdict()
                : .fails(
                    "\(lostWithSource.count) acknowledged records were lost with the source (never copied), "
                        + "more than \(bound), e.g. \(lostWithSource.prefix(5))")
        }

        public var verdict: Verdict {
            var problems: [String] = []
            let unexplained = copied.map { c in lost.filter(c.contains) } ?? lost
            if !unexplained.isEmpty {
                problems.append(
                    "\(unexplained.count) acknowledged records "
                        + (copied == nil ? "" : "the mirror had copied ") + "never consumed, e.g. "
                        + "\(unexplained.prefix(5))")
            }
            if copied != nil, readOnTarget.isEmpty {
                problems.append("the group read nothing on the target: the switch was never exercised")
            }
            if let exact, !exact.switches.isEmpty, exact.switches.allSatisfy({ $0.upstream == nil }),
                exact.switches.contains(where: { $0.committed > 0 })
            {
                problems.append(
                    "no checkpoint of the group reached the target before the switch: it started over from the "
                        + "copy's beginning (a failover waits for the mirror's checkpoints of the group)")
            }
            if exact != nil {
                problems += exactProblems
            } else if duplicates.count > bound {
                problems.append("\(duplicates.count) records consumed twice, more than the bound \(bound)")
            }
            return Verdict(
                problems,
                context: "\(acknowledged.count) acknowledged, \(readOnSource.count) read on the "
                    + "source, \(readOnTarget.count) on the target, \(duplicates.count) twice (bound \(bound))"
                    + (copied == nil ? "" : ", \(lostWithSource.count) lost with the source (never copied)"))
        }
    }
}
