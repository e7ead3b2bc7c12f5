/// The expected results of KAF-14's join + tumbling-window topology, computed from the input
/// histories alone. Written apart from the `Streams` target on purpose (and not calling it): a
/// processor is judged against this, so a shared mistake cannot pass unseen.
///
/// It reads the rules as a specification over the whole input at once, where the topology works
/// record by record, task by task (a task: orders and payments partition n): the processing order is the
/// task's partitions' merge by head timestamp (ties: orders first); stream time at a record is the largest
/// timestamp up to it in its task's order;
/// a record older than its stream time − join window − grace is dropped as late; an order and a
/// payment of the same key whose times differ by at most the join window form a pair when neither is
/// late, timed at the later time, counted in the tumbling window of that time (with hopping windows, in
/// every window k·advance ≤ time < k·advance + size) unless the window's end + grace ≤ the stream time of
/// whichever of the two came later (then the pair is dropped from it). With session windows a key's pairs,
/// taken in the order their later record was processed, chain into sessions: a pair at time t takes in every
/// session with start − gap ≤ t ≤ end + gap, unless the chained session ends before that stream time − gap −
/// grace (then the pair is dropped).
public struct StreamOracle: Sendable {
    public struct Input: Sendable, Hashable, CustomStringConvertible {
        public var isOrder: Bool
        public var partition: Int32
        public var offset: Int64
        public var key: String
        public var amount: Int64
        public var timestamp: Int64
        public init(isOrder: Bool, partition: Int32, offset: Int64, key: String, amount: Int64, timestamp: Int64) {
            self.isOrder = isOrder
            self.partition = partition
            self.offset = offset
            self.key = key
            self.amount = amount
            self.timestamp = timestamp
        }
        public var description: String { "\(isOrder ? "order" : "payment") \(partition):\(offset) \(key)@\(timestamp)" }
    }

    /// A window's result as read back from the output (its latest upsert).
    public struct Row: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var key: String
        public var start: Int64
        public var count: Int64
        public var sum: Int64
        /// A session's last pair time; nil for time windows (their end follows from the start).
        public var end: Int64?
        public init(key: String, start: Int64, count: Int64, sum: Int64, end: Int64? = nil) {
            self.key = key
            self.start = start
            self.count = count
            self.sum = sum
            self.end = end
        }
        public static func < (a: Row, b: Row) -> Bool { (a.key, a.start) < (b.key, b.start) }
        public var description: String {
            "\(key)@\(start)" + (end.map { "–\($0)" } ?? "") + " count \(count) sum \(sum)"
        }
    }

    public struct Expectation: Sendable {
        public var rows: [Row]
        /// Inputs dropped as late for the join.
        public var lateInputs: [Input]
        /// Pairs dropped because their window had closed (once per closed window), with the one of the two
        /// processed later (whose arrival dropped the pair, and which a processor reports).
        public var closedWindowPairs: [(order: Input, payment: Input, later: Input)]
        public var pairs: Int
        /// Session windows: how many sessions a later pair merged into an earlier one (tombstones expected).
        public var sessionsMerged = 0
    }

    public let joinWindow: Int64, windowSize: Int64, grace: Int64
    /// The hop between window starts (the window size for tumbling windows).
    public let advance: Int64
    /// Session windows' inactivity gap; nil for time windows.
    public let sessionGap: Int64?

    public init(
        joinWindowMs: Int64, windowSizeMs: Int64, graceMs: Int64, advanceMs: Int64? = nil, sessionGapMs: Int64? = nil
    ) {
        joinWindow = joinWindowMs
        windowSize = windowSizeMs
        grace = graceMs
        advance = advanceMs ?? windowSizeMs
        sessionGap = sessionGapMs
    }

    /// Every window start k·advance with k·advance ≤ time < k·advance + size.
    public func starts(_ time: Int64) -> [Int64] {
        let last = Int64((Double(time) / Double(advance)).rounded(.down))
        let first = Int64((Double(time - windowSize + 1) / Double(advance)).rounded(.up))
        return first <= last ? (first...last).map { $0 * advance } : []
    }

    /// The processing order: repeatedly the partition head with the least (timestamp, orders first, partition).
    public static func order(_ inputs: [Input]) -> [Input] {
        var queues: [String: [Input]] = [:]
        for i in inputs { queues["\(i.isOrder ? 0 : 1)/\(i.partition)", default: []].append(i) }
        for k in queues.keys { queues[k]!.sort { $0.offset < $1.offset } }
        var out: [Input] = []
        while let (name, _) = queues.filter({ !$0.value.isEmpty }).min(by: { a, b in
            let x = a.value[0], y = b.value[0]
            if x.timestamp != y.timestamp { return x.timestamp < y.timestamp }
            if x.isOrder != y.isOrder { return x.isOrder }
            return x.partition < y.partition
        }) {
            out.append(queues[name]!.removeFirst())
        }
        return out
    }

    /// Each task (an input partition number: orders partition n with payments partition n) on its own, with
    /// its own stream time, as Kafka Streams splits a co-partitioned join; a key lives in one task.
    public func expect(_ inputs: [Input]) -> Expectation {
        let tasks = Dictionary(grouping: inputs, by: \.partition)
        var all = Expectation(rows: [], lateInputs: [], closedWindowPairs: [], pairs: 0)
        for task in tasks.keys.sorted() {
            let one = expectTask(tasks[task]!)
            all.rows += one.rows
            all.lateInputs += one.lateInputs
            all.closedWindowPairs += one.closedWindowPairs
            all.pairs += one.pairs
            all.sessionsMerged += one.sessionsMerged
        }
        all.rows.sort()
        return all
    }

    /// The records a task takes in its first `count` records, per task: where an instance that processed
    /// `count` records in the processing order stands (what its changelog holds per task).
    public static func processedPerTask(_ inputs: [Input], first count: Int) -> [Int32: Int] {
        Dictionary(grouping: order(inputs).prefix(max(0, count)), by: \.partition).mapValues(\.count)
    }

    private func expectTask(_ inputs: [Input]) -> Expectation {
        let ordered = Self.order(inputs)
        var streamTimes: [Int64] = []
        var running = Int64.min
        for i in ordered {
            running = max(running, i.timestamp)
            streamTimes.append(running)
        }
        let late = ordered.indices.filter { ordered[$0].timestamp < streamTimes[$0] - joinWindow - grace }
        let lateSet = Set(late)
        var rows: [String: Row] = [:]
        var closed: [(Input, Input, Input)] = []
        var pairs = 0
        if let gap = sessionGap {
            return sessions(ordered, streamTimes: streamTimes, late: late, gap: gap)
        }
        for o in ordered.indices where ordered[o].isOrder && !lateSet.contains(o) {
            for p in ordered.indices where !ordered[p].isOrder && !lateSet.contains(p) {
                let order = ordered[o], payment = ordered[p]
                guard order.key == payment.key, abs(order.timestamp - payment.timestamp) <= joinWindow else { continue }
                let time = max(order.timestamp, payment.timestamp)
                var counted = false
                for start in starts(time) {
                    if start + windowSize + grace <= streamTimes[max(o, p)] {
                        closed.append((order, payment, ordered[max(o, p)]))
                        continue
                    }
                    counted = true
                    let id = "\(order.key)\u{0}\(start)"
                    rows[id, default: Row(key: order.key, start: start, count: 0, sum: 0)].count += 1
                    rows[id]!.sum += payment.amount
                }
                if counted { pairs += 1 }
            }
        }
        return Expectation(
            rows: rows.values.sorted(), lateInputs: late.map { ordered[$0] },
            closedWindowPairs: closed, pairs: pairs)
    }

    /// Session windows: each key's pairs in the order their later record came, chained by the gap.
    private func sessions(_ ordered: [Input], streamTimes: [Int64], late: [Int], gap: Int64) -> Expectation {
        let lateSet = Set(late)
        var found: [(later: Int, earlier: Int)] = []
        for a in ordered.indices where !lateSet.contains(a) {
            for b in ordered.indices where b < a && !lateSet.contains(b) {
                let x = ordered[a], y = ordered[b]
                if x.isOrder != y.isOrder, x.key == y.key, abs(x.timestamp - y.timestamp) <= joinWindow {
                    found.append((a, b))
                }
            }
        }
        var open: [String: [Row]] = [:]
        var closed: [(Input, Input, Input)] = []
        var pairs = 0, merged = 0
        for (a, b) in found {
            let x = ordered[a], y = ordered[b]
            let order = x.isOrder ? x : y, payment = x.isOrder ? y : x
            let time = max(x.timestamp, y.timestamp)
            var chained = Row(key: x.key, start: time, count: 1, sum: payment.amount, end: time)
            let touched = (open[x.key] ?? []).filter { $0.start - gap <= time && time <= ($0.end ?? $0.start) + gap }
            for row in touched {
                chained.start = min(chained.start, row.start)
                chained.end = max(chained.end ?? time, row.end ?? row.start)
                chained.count += row.count
                chained.sum += row.sum
            }
            if (chained.end ?? time) < streamTimes[a] - gap - grace {
                closed.append((order, payment, x))
                continue
            }
            open[x.key] = (open[x.key] ?? []).filter { row in !touched.contains(row) } + [chained]
            merged += touched.filter { $0.start != chained.start }.count
            pairs += 1
        }
        var expectation = Expectation(
            rows: open.values.flatMap { $0 }.sorted(), lateInputs: late.map { ordered[$0] },
            closedWindowPairs: closed, pairs: pairs)
        expectation.sessionsMerged = merged
        return expectation
    }

    /// The result view read back against the oracle: every expected window with its count and sum,
    /// no other window.
    public static func verdict(actual: [Row], expected: Expectation) -> Verdict {
        var problems: [String] = []
        let want = Dictionary(uniqueKeysWithValues: expected.rows.map { ("\($0.key)@\($0.start)", $0) })
        var got: [String: Row] = [:]
        for row in actual {
            let id = "\(row.key)@\(row.start)"
            if got[id] != nil { problems.append("window \(id) appears twice in the result view") }
            got[id] = row
        }
        let missing = want.keys.filter { got[$0] == nil }.sorted()
        if !missing.isEmpty { problems.append("\(missing.count) expected windows missing, e.g. \(missing.prefix(5))") }
        let extra = got.keys.filter { want[$0] == nil }.sorted()
        if !extra.isEmpty {
            problems.append("\(extra.count) windows the oracle does not have, e.g. \(extra.prefix(5))")
        }
        let wrong = want.keys.sorted().compactMap { id -> String? in
            guard let g = got[id], let w = want[id], g != w else { return nil }
            return "\(id): count \(g.count) sum \(g.sum), expected count \(w.count) sum \(w.sum)"
        }
        if !wrong.isEmpty { problems.append("\(wrong.count) windows with wrong results, e.g. \(wrong.prefix(3))") }
        return Verdict(
            problems,
            context: "\(expected.rows.count) windows expected from \(expected.pairs) pairs, "
                + "\(actual.count) read back")
    }

    /// An interactive query of one instance for one key against the oracle's windows of the key. An instance
    /// answers for the tasks it holds: when it does not hold the key's task, the failure says so first.
    public static func queryVerdict(
        instance: String, key: String, task: Int32?, held: Set<Int32>, actual: [Row], expected: Expectation
    ) -> Verdict {
        var judged = verdict(actual: actual, expected: expected)
        judged.context = "\(expected.rows.count) windows of \(key) expected, \(actual.count) in \(instance)'s state"
        guard let task, !held.contains(task), !judged.holds else { return judged }
        return Verdict(
            [
                "\(key) is in task \(task), which \(instance) does not hold (it holds \(held.sorted())): an instance "
                    + "answers for its own tasks; `querying the application of stream processor \"\(instance)\" for "
                    + "key \"\(key)\"` asks the one holding it"
            ] + judged.problems, context: judged.context)
    }

    /// The dropped records a processor reported against the oracle's: the same inputs, by partition and offset.
    public static func droppedVerdict(
        reported: [(isOrder: Bool, partition: Int32, offset: Int64)],
        expected: Expectation
    ) -> Verdict {
        func id(_ isOrder: Bool, _ p: Int32, _ o: Int64) -> String { "\(isOrder ? "order" : "payment") \(p):\(o)" }
        let want = Set(
            expected.lateInputs.map { id($0.isOrder, $0.partition, $0.offset) }
                + expected.closedWindowPairs.map { id($0.later.isOrder, $0.later.partition, $0.later.offset) })
        let got = Set(reported.map { id($0.isOrder, $0.partition, $0.offset) })
        var problems: [String] = []
        let unreported = want.subtracting(got).sorted()
        if !unreported.isEmpty {
            problems.append("\(unreported.count) late records not reported, e.g. \(unreported.prefix(5))")
        }
        let wrongly = got.subtracting(want).sorted()
        if !wrongly.isEmpty {
            problems.append("\(wrongly.count) reported as dropped but on time, e.g. \(wrongly.prefix(5))")
        }
        return Verdict(problems)
    }
}

/// KAF-14's grace-period claim on the late pairs a workload wrote last: each pair within the grace
/// period counted once (count 1, sum 100) and never reported dropped; each record beyond it reported
/// dropped and its key never counted. Both halves need late pairs: with none the claim is empty.
public enum LatePairs {
    public static func verdict(within: Int, beyond: Int, rows: [StreamOracle.Row], droppedKeys: [String]) -> Verdict {
        var problems: [String] = []
        if let empty = Verdict.noEvidence(within, "late pairs within the grace period") { problems += empty.problems }
        if let empty = Verdict.noEvidence(beyond, "late pairs beyond the grace period") { problems += empty.problems }
        for i in 0..<max(0, within) {
            let key = "late-in-\(i)"
            if !rows.contains(where: { $0.key == key && $0.count == 1 && $0.sum == 100 }) {
                problems.append("\(key): its pair within the grace period was not counted")
            }
            if droppedKeys.contains(key) { problems.append("\(key) was reported dropped") }
        }
        for i in 0..<max(0, beyond) {
            let key = "late-out-\(i)"
            if rows.contains(where: { $0.key == key }) { problems.append("\(key) was counted beyond the grace period") }
            let reported = droppedKeys.count { $0 == key }
            if reported < 2 { problems.append("\(key): \(reported) of its 2 records reported dropped") }
        }
        return Verdict(problems)
    }
}
