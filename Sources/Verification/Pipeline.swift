/// The capstone's oracle and checks: what the sink table must hold, computed from the source table's
/// change history alone, and whether the CDC topic carries that history faithfully.

/// One row change as the source's history records it: the row after an insert or update, the row
/// before a delete.
public struct SourceChange: Sendable, Equatable {
    public enum Operation: String, Sendable { case insert, update, delete }

    public var operation: Operation
    public var id: Int64
    public var customer: String
    public var amount: Int64
    /// Event time, ms since the Unix epoch.
    public var placedAt: Int64

    public init(_ operation: Operation, id: Int64, customer: String, amount: Int64, placedAt: Int64) {
        self.operation = operation
        self.id = id
        self.customer = customer
        self.amount = amount
        self.placedAt = placedAt
    }
}

/// A row of the sink table: a customer's window, the sum of its live orders' amounts and their count.
public struct WindowRow: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var customer: String
    public var windowStart: Int64
    public var total: Int64
    public var orders: Int64

    public init(customer: String, windowStart: Int64, total: Int64, orders: Int64) {
        self.customer = customer
        self.windowStart = windowStart
        self.total = total
        self.orders = orders
    }

    public static func < (a: Self, b: Self) -> Bool { (a.customer, a.windowStart) < (b.customer, b.windowStart) }
    public var description: String { "(\(customer), \(windowStart)): total \(total), \(orders) orders" }
}

public enum PipelineOracle {
    /// The window an event time falls in (tumbling, aligned to the epoch).
    public static func windowStart(_ placedAt: Int64, windowMillis: Int64) -> Int64 {
        placedAt - ((placedAt % windowMillis) + windowMillis) % windowMillis
    }

    /// Each order's row once the whole history has happened (deleted ones absent).
    public static func finalRows(_ history: [SourceChange]) -> [Int64: SourceChange] {
        var rows: [Int64: SourceChange] = [:]
        for c in history { rows[c.id] = c.operation == .delete ? nil : c }
        return rows
    }

    /// The sink table the history implies: a row for every window any order was ever in (a window whose
    /// orders were all deleted stays, at zero), holding the final sum and count of its live orders.
    public static func expectedSink(_ history: [SourceChange], windowMillis: Int64) -> [WindowRow] {
        var windows: [String: WindowRow] = [:]
        func key(_ c: SourceChange) -> String {
            "\(c.customer)\u{0}\(windowStart(c.placedAt, windowMillis: windowMillis))"
        }
        for c in history where windows[key(c)] == nil {
            windows[key(c)] = WindowRow(
                customer: c.customer,
                windowStart: windowStart(c.placedAt, windowMillis: windowMillis),
                total: 0, orders: 0)
        }
        for row in finalRows(history).values {
            windows[key(row)]!.total += row.amount
            windows[key(row)]!.orders += 1
        }
        return windows.values.sorted()
    }

    /// The history accounts for the source table as it is now.
    public static func historyExplains(_ table: [SourceChange], _ history: [SourceChange]) -> Verdict {
        let replayed = finalRows(history)
        var problems: [String] = []
        for row in table where replayed[row.id].map({ !same($0, row) }) ?? true {
            problems.append(
                "order \(row.id) is \(describe(row)) in the table, "
                    + "\(replayed[row.id].map(describe) ?? "absent") by its history")
        }
        let present = Set(table.map(\.id))
        for id in replayed.keys.sorted() where !present.contains(id) {
            problems.append("order \(id) is absent from the table but live by its history")
        }
        return Verdict(Array(problems.prefix(5)) + (problems.count > 5 ? ["… \(problems.count - 5) more"] : []))
    }

    /// The sink table, as SQL read it, equals the oracle's.
    public static func sinkMatches(
        _ sink: [WindowRow], expected: [WindowRow], oracle: String = "the oracle", row: String = "the oracle",
        unexplained: String = "which no change of the source explains"
    ) -> Verdict {
        var expectedByKey: [String: WindowRow] = [:]
        for r in expected { expectedByKey["\(r.customer)\u{0}\(r.windowStart)"] = r }
        var problems: [String] = []
        var seen: Set<String> = []
        for r in sink.sorted() {
            let k = "\(r.customer)\u{0}\(r.windowStart)"
            seen.insert(k)
            guard let e = expectedByKey[k] else {
                problems.append("sink has \(r), \(unexplained)")
                continue
            }
            if e != r { problems.append("sink has \(r), \(row) \(e)") }
        }
        for e in expected.sorted() where !seen.contains("\(e.customer)\u{0}\(e.windowStart)") {
            problems.append("sink lacks \(e)")
        }
        let shown = Array(problems.prefix(5)) + (problems.count > 5 ? ["… \(problems.count - 5) more"] : [])
        guard !shown.isEmpty else { return Verdict() }
        return .fails(
            "the sink table differs from \(oracle) in \(problems.count) of "
                + "\(max(sink.count, expected.count)) rows: " + shown.joined(separator: "; "))
    }

    /// The sink against the rows a feature states, windows numbered from the script's event time 0 (`base`):
    /// the stated values are an oracle the pipeline never saw. No stated row is no evidence.
    public static func sinkHoldsStated(
        _ sink: [WindowRow], stated: [WindowRow], base: Int64, windowMillis: Int64
    ) -> Verdict {
        if let empty = Verdict.noEvidence(stated.count, "stated sink rows") { return empty }
        let numbered = sink.map { r in
            WindowRow(
                customer: r.customer, windowStart: (r.windowStart - base) / windowMillis, total: r.total,
                orders: r.orders)
        }
        return sinkMatches(
            numbered, expected: stated, oracle: "the rows stated", row: "stated",
            unexplained: "which no stated row names")
    }

    private static func same(_ a: SourceChange, _ b: SourceChange) -> Bool {
        a.id == b.id && a.customer == b.customer && a.amount == b.amount && a.placedAt == b.placedAt
    }

    static func describe(_ c: SourceChange) -> String { "(\(c.customer), \(c.amount), \(c.placedAt))" }
}

/// A record read back from the CDC topic.
public struct ChangelogRecord: Sendable, Equatable {
    public var partition: Int32
    public var offset: Int64
    /// The record key as text (the primary key).
    public var key: String?
    public var operation: SourceChange.Operation
    /// The source position: commit LSN and index in the transaction. Equal for a re-published change.
    public var commitLSN: UInt64
    public var index: Int
    /// The row the value carries; nil when the value is null.
    public var row: SourceChange?
    public var valueIsNull: Bool

    public init(
        partition: Int32, offset: Int64, key: String?, operation: SourceChange.Operation, commitLSN: UInt64,
        index: Int, row: SourceChange?, valueIsNull: Bool
    ) {
        self.partition = partition
        self.offset = offset
        self.key = key
        self.operation = operation
        self.commitLSN = commitLSN
        self.index = index
        self.row = row
        self.valueIsNull = valueIsNull
    }
}

/// Whether a CDC topic carries the source's history: every order's changes, none lost, in the order they
/// were made (per key, as the topic's partition holds them), each keyed by its primary key, a delete as a
/// tombstone; a change published again (same position) is a duplicate, allowed up to a bound.
public struct ChangelogCheck: Sendable {
    public let verdict: Verdict
    public let duplicates: Int
    public let distinct: Int

    public init(history: [SourceChange], records: [ChangelogRecord], maxDuplicates: Int) {
        var problems: [String] = []
        var seen: Set<String> = []
        var duplicates = 0
        var byOrder: [Int64: [ChangelogRecord]] = [:]
        var partitionOf: [Int64: Int32] = [:]
        for r in records.sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
            guard seen.insert("\(r.commitLSN)#\(r.index)").inserted else {
                duplicates += 1
                continue
            }
            let id = r.operation == .delete ? r.key.flatMap { Int64($0) } : r.row?.id
            guard let id, r.key == String(id) else {
                problems.append(
                    "record \(r.partition)@\(r.offset) is keyed \(r.key ?? "null"), "
                        + "not by its primary key")
                continue
            }
            if r.operation == .delete, !r.valueIsNull {
                problems.append("the delete of order \(id) at \(r.partition)@\(r.offset) is not a tombstone")
            }
            if let p = partitionOf[id], p != r.partition {
                problems.append("order \(id)'s changes are on partitions \(p) and \(r.partition)")
            }
            partitionOf[id] = r.partition
            byOrder[id, default: []].append(r)
        }
        var expected: [Int64: [SourceChange]] = [:]
        for c in history { expected[c.id, default: []].append(c) }
        for id in Set(expected.keys).union(byOrder.keys).sorted() {
            let want = expected[id] ?? [], got = byOrder[id] ?? []
            for (i, w) in want.enumerated() {
                guard i < got.count else {
                    problems.append(
                        "order \(id): \(want.count - i) of its \(want.count) changes never reached the "
                            + "topic, from its \(w.operation.rawValue) \(PipelineOracle.describe(w)) on")
                    break
                }
                let g = got[i]
                let matches =
                    g.operation == w.operation
                    && (w.operation == .delete
                        || g.row.map {
                            $0.customer == w.customer && $0.amount == w.amount
                                && $0.placedAt == w.placedAt
                        } == true)
                if !matches {
                    problems.append(
                        "order \(id): change \(i + 1) is \(w.operation.rawValue) "
                            + "\(PipelineOracle.describe(w)) in the source, \(g.operation.rawValue) "
                            + "\(g.row.map(PipelineOracle.describe) ?? "") "
                            + "at \(g.partition)@\(g.offset) on the topic")
                    break
                }
            }
            if got.count > want.count {
                problems.append("order \(id): the topic has \(got.count - want.count) changes the source never made")
            }
        }
        if duplicates > maxDuplicates {
            problems.append("\(duplicates) changes were published more than once, over the bound of \(maxDuplicates)")
        }
        let shown = Array(problems.prefix(6)) + (problems.count > 6 ? ["… \(problems.count - 6) more"] : [])
        self.verdict = Verdict(shown)
        self.duplicates = duplicates
        self.distinct = seen.count
    }
}

/// `histogram_quantile` as Prometheus computes it from cumulative buckets (`le` upper bounds, +Inf
/// last): the bucket the rank falls in, linearly interpolated; a rank in the +Inf bucket gives the
/// highest finite bound. An alert rule on a latency histogram sees this, not the exact percentile.
public enum HistogramQuantile {
    public static func of(_ q: Double, buckets: [(le: Double, count: Double)]) -> Double? {
        let sorted = buckets.sorted { $0.le < $1.le }
        guard let total = sorted.last?.count, total > 0, sorted.count >= 2 else { return nil }
        let rank = q * total
        var lowerBound = 0.0, lowerCount = 0.0
        for b in sorted {
            if b.count >= rank {
                if b.le == .infinity { return lowerBound }
                let inBucket = b.count - lowerCount
                return inBucket > 0 ? lowerBound + (b.le - lowerBound) * (rank - lowerCount) / inBucket : b.le
            }
            lowerBound = b.le
            lowerCount = b.count
        }
        return lowerBound
    }
}
