/// One record of a partition's log, as written or as read back: a nil value is a tombstone.
public struct LogRecord: Sendable, Equatable, CustomStringConvertible {
    public var offset: Int64
    public var key: String
    public var value: String?

    public init(offset: Int64, key: String, value: String?) {
        self.offset = offset
        self.key = key
        self.value = value
    }

    public var description: String { "\(key)=\(value ?? "<tombstone>")@\(offset)" }
}

/// What log compaction must leave of one partition, judged from what was written (offsets from the
/// delivery reports) and what a consumer reads back from offset 0. Kafka's cleaner never touches the
/// active segment, so the claim covers the offsets below `cleanedBelow` (the active segment's base
/// offset, from the broker's own segment listing); everything from there on must still be there.
public struct CompactionExpectation: Sendable {
    public var written: [LogRecord]
    public var cleanedBelow: Int64
    /// delete.retention.ms has passed since the cleaner first kept the tombstones: they must be gone.
    public var tombstonesExpired: Bool

    public init(written: [LogRecord], cleanedBelow: Int64, tombstonesExpired: Bool) {
        self.written = written
        self.cleanedBelow = cleanedBelow
        self.tombstonesExpired = tombstonesExpired
    }

    /// The latest value of each key: what a consumer rebuilding a table from the topic must end with.
    public static func state(of log: [LogRecord]) -> [String: String] {
        var state: [String: String] = [:]
        for r in log.sorted(by: { $0.offset < $1.offset }) { state[r.key] = r.value }
        return state
    }

    /// Why the written history could not show compaction below the horizon, or nil when it can: a key
    /// updated there and a key deleted there.
    public var vacuity: String? {
        let below = written.filter { $0.offset < cleanedBelow }
        let perKey = Dictionary(grouping: below, by: \.key)
        let updated = perKey.values.contains { $0.count > 1 }
        let deleted = below.contains { $0.value == nil }
        if updated && deleted { return nil }
        return "below offset \(cleanedBelow) (the active segment's base) the history has "
            + (updated ? "" : "no key written twice") + (!updated && !deleted ? " and " : "")
            + (deleted ? "" : "no tombstone") + ", so compaction there could not be told from no compaction"
    }

    /// Every record read back was written at that offset with that key and value; offsets only increase;
    /// below the horizon only each key's latest record survives (a tombstone only until it expired);
    /// from the horizon on, every written record survives; the state read back equals the state written.
    public func verdict(readBack: [LogRecord]) -> Verdict {
        if let vacuity { return .fails(vacuity) }
        var problems: [String] = []
        let writtenAt = Dictionary(written.map { ($0.offset, $0) }) { a, _ in a }
        for (previous, next) in zip(readBack, readBack.dropFirst()) where next.offset <= previous.offset {
            problems.append("offsets do not only increase: \(previous) then \(next)")
        }
        for r in readBack {
            guard let w = writtenAt[r.offset] else {
                problems.append("\(r) was never written at offset \(r.offset)")
                continue
            }
            if w != r { problems.append("offset \(r.offset) holds \(r), but \(w) was written there") }
        }
        let survivors = Set(readBack.map(\.offset))
        var latestBelow: [String: LogRecord] = [:]
        for w in written where w.offset < cleanedBelow {
            if let seen = latestBelow[w.key], seen.offset > w.offset { continue }
            latestBelow[w.key] = w
        }
        var keptOld: [LogRecord] = [], lost: [LogRecord] = [], keptTombstone: [LogRecord] = []
        for w in written.sorted(by: { $0.offset < $1.offset }) {
            let present = survivors.contains(w.offset)
            if w.offset >= cleanedBelow {
                if !present { lost.append(w) }
            } else if latestBelow[w.key]?.offset != w.offset {
                if present { keptOld.append(w) }
            } else if w.value == nil {
                if present && tombstonesExpired { keptTombstone.append(w) }
            } else if !present {
                lost.append(w)
            }
        }
        if !keptOld.isEmpty {
            problems.append("\(keptOld.count) superseded records survived compaction, e.g. \(keptOld.prefix(3))")
        }
        if !keptTombstone.isEmpty {
            problems.append(
                "\(keptTombstone.count) tombstones outlived delete.retention.ms, e.g. "
                    + "\(keptTombstone.prefix(3))")
        }
        if !lost.isEmpty { problems.append("\(lost.count) records that must survive are gone, e.g. \(lost.prefix(3))") }
        let expected = Self.state(of: written), observed = Self.state(of: readBack)
        let wrongKeys = Set(expected.keys).union(observed.keys).filter { expected[$0] != observed[$0] }.sorted()
        if !wrongKeys.isEmpty {
            let shown = wrongKeys.prefix(3).map {
                "\($0): \(observed[$0] ?? "absent") instead of \(expected[$0] ?? "absent")"
            }
            problems.append("the state read back differs on \(wrongKeys.count) keys, e.g. \(shown)")
        }
        return Verdict(
            problems,
            context: "\(written.count) written, \(readBack.count) read back, cleaned below "
                + "offset \(cleanedBelow)")
    }
}

/// A partition before any compaction: it reads back exactly what was written.
public enum WrittenLog {
    /// Every record written is read back at the offset its delivery report gave, with its key and its value
    /// (a tombstone as a tombstone), in offset order, and nothing else is read back.
    public static func readsBackAsWritten(_ written: [LogRecord], readBack: [LogRecord]) -> Verdict {
        if let empty = Verdict.noEvidence(written.count, "records written") { return empty }
        var problems: [String] = []
        let wanted = Dictionary(written.map { ($0.offset, $0) }) { a, _ in a }
        let got = Dictionary(readBack.map { ($0.offset, $0) }) { a, _ in a }
        let missing = written.filter { got[$0.offset] == nil }
        if !missing.isEmpty { problems.append("written, not read back: \(missing.map(\.description))") }
        for r in readBack {
            guard let w = wanted[r.offset] else { continue }
            if w != r { problems.append("read back \(r) where \(w) was written") }
        }
        let extra = readBack.filter { wanted[$0.offset] == nil }
        if !extra.isEmpty { problems.append("read back, never written: \(extra.map(\.description))") }
        for (previous, next) in zip(readBack, readBack.dropFirst()) where next.offset <= previous.offset {
            problems.append("offsets do not only increase: \(previous) then \(next)")
        }
        return Verdict(problems)
    }
}
