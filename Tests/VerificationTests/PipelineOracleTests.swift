import Testing
import Verification

/// The capstone's oracle and changelog check on hand-written histories, with the negative controls
/// each must fail.
@Suite("Capstone oracle and changelog check")
struct PipelineOracleTests {
    static let history: [SourceChange] = [
        .init(.insert, id: 1, customer: "a", amount: 10, placedAt: 1_000),
        .init(.insert, id: 2, customer: "a", amount: 5, placedAt: 1_500),
        .init(.insert, id: 3, customer: "b", amount: 7, placedAt: 2_100),
        .init(.update, id: 1, customer: "a", amount: 12, placedAt: 1_000),
        .init(.delete, id: 3, customer: "b", amount: 7, placedAt: 2_100),
        .init(.insert, id: 4, customer: "a", amount: 1, placedAt: 2_999),
    ]

    @Test func expectedSinkFoldsTheHistoryPerWindowAndKeepsEmptiedWindows() {
        let rows = PipelineOracle.expectedSink(Self.history, windowMillis: 1_000)
        #expect(rows == [
            WindowRow(customer: "a", windowStart: 1_000, total: 17, orders: 2),
            WindowRow(customer: "a", windowStart: 2_000, total: 1, orders: 1),
            WindowRow(customer: "b", windowStart: 2_000, total: 0, orders: 0),
        ])
    }

    @Test func theSinkMustEqualTheOracle() {
        let expected = PipelineOracle.expectedSink(Self.history, windowMillis: 1_000)
        #expect(PipelineOracle.sinkMatches(expected, expected: expected).holds)
        // Negative controls: a dropped update (the stale 10 instead of 12), a missing row, an extra row.
        var stale = expected
        stale[0].total = 15
        let v = PipelineOracle.sinkMatches(stale, expected: expected)
        #expect(!v.holds && v.description.contains(
            "sink has (a, 1000): total 15, 2 orders, the oracle (a, 1000): total 17"))
        #expect(!PipelineOracle.sinkMatches(Array(expected.dropLast()), expected: expected).holds)
        let missing = PipelineOracle.sinkMatches(Array(expected.dropLast()), expected: expected)
        #expect(missing.description.contains("sink lacks (b, 2000)"))
        let extra = expected + [WindowRow(customer: "z", windowStart: 0, total: 1, orders: 1)]
        #expect(PipelineOracle.sinkMatches(extra, expected: expected).description
            .contains("no change of the source explains"))
    }

    @Test func theHistoryMustExplainTheSourceTable() {
        let table = PipelineOracle.finalRows(Self.history).values.sorted { $0.id < $1.id }
        #expect(PipelineOracle.historyExplains(table, Self.history).holds)
        var changed = table
        changed[0].amount = 99
        #expect(!PipelineOracle.historyExplains(changed, Self.history).holds)
        #expect(!PipelineOracle.historyExplains(Array(table.dropFirst()), Self.history).holds)
    }

    /// The topic as a faithful CDC reader writes it: each change keyed by its order, deletes as tombstones.
    static func topic(_ history: [SourceChange], partitions: Int32 = 2) -> [ChangelogRecord] {
        var offsets: [Int32: Int64] = [:]
        return history.enumerated().map { i, c in
            let p = Int32(c.id) % partitions
            defer { offsets[p, default: 0] += 1 }
            return ChangelogRecord(partition: p, offset: offsets[p, default: 0], key: String(c.id),
                                   operation: c.operation,
                                   commitLSN: UInt64(100 + i), index: 0, row: c.operation == .delete ? nil : c,
                                   valueIsNull: c.operation == .delete)
        }
    }

    @Test func aFaithfulTopicPassesAndDuplicatesAreCountedAgainstTheBound() {
        let records = Self.topic(Self.history)
        let ok = ChangelogCheck(history: Self.history, records: records, maxDuplicates: 0)
        #expect(ok.verdict.holds && ok.duplicates == 0 && ok.distinct == 6)
        // A restart re-publishes the last two changes of partition 1 after them.
        let p1 = records.filter { $0.partition == 1 }
        let again = p1.suffix(2).enumerated().map { i, r in
            var r = r
            r.offset = Int64(p1.count + i)
            return r
        }
        #expect(ChangelogCheck(history: Self.history, records: records + again, maxDuplicates: 2).verdict.holds)
        let over = ChangelogCheck(history: Self.history, records: records + again, maxDuplicates: 1)
        #expect(!over.verdict.holds && over.duplicates == 2)
    }

    @Test func lossReorderingWrongKeysAndValuedDeletesFail() {
        let records = Self.topic(Self.history)
        // A lost update (what a reader that confirms before Kafka acknowledged leaves behind).
        let lost = ChangelogCheck(history: Self.history, records: records.filter { !($0.operation == .update) },
                                  maxDuplicates: 10)
        #expect(lost.verdict.description.contains(
            "order 1: 1 of its 2 changes never reached the topic, from its update (a, 12, 1000) on"))
        // The last change of an order lost.
        let tail = ChangelogCheck(history: Self.history, records: records.filter { $0.operation != .delete },
                                  maxDuplicates: 10)
        #expect(tail.verdict.description.contains("order 3: 1 of its 2 changes never reached the topic"))
        // Two changes of order 1 swapped on its partition.
        var swapped = records
        let i = swapped.firstIndex { $0.key == "1" && $0.operation == .insert }!
        let j = swapped.firstIndex { $0.key == "1" && $0.operation == .update }!
        (swapped[i].offset, swapped[j].offset) = (swapped[j].offset, swapped[i].offset)
        #expect(!ChangelogCheck(history: Self.history, records: swapped, maxDuplicates: 10).verdict.holds)
        // A record keyed by something else than its primary key.
        var badKey = records
        badKey[0].key = "x"
        #expect(ChangelogCheck(history: Self.history, records: badKey, maxDuplicates: 10).verdict.description
            .contains("not by its primary key"))
        // A delete that carries a value instead of being a tombstone.
        var valued = records
        let d = valued.firstIndex { $0.operation == .delete }!
        valued[d].valueIsNull = false
        #expect(ChangelogCheck(history: Self.history, records: valued, maxDuplicates: 10).verdict.description
            .contains("not a tombstone"))
    }
}

@Suite("histogram_quantile as Prometheus computes it")
struct HistogramQuantileTests {
    @Test func interpolatesInsideTheBucketAndCapsAtTheHighestFiniteBound() {
        let buckets: [(le: Double, count: Double)] = [(0.1, 50), (0.5, 90), (1, 100), (.infinity, 100)]
        #expect(HistogramQuantile.of(0.5, buckets: buckets) == 0.1)
        #expect(abs(HistogramQuantile.of(0.7, buckets: buckets)! - 0.3) < 1e-9)
        #expect(abs(HistogramQuantile.of(0.99, buckets: buckets)! - 0.95) < 1e-9)
        // Everything beyond the last finite bound: Prometheus answers that bound.
        #expect(HistogramQuantile.of(0.99, buckets: [(0.1, 0), (1, 1), (.infinity, 100)]) == 1)
        #expect(HistogramQuantile.of(0.5, buckets: [(0.1, 0), (.infinity, 0)]) == nil)
    }

    @Test func statedRowsAreJudgedWithWindowsNumberedFromTheBase() {
        let base: Int64 = 1_796_000_000_000
        let sink = [
            WindowRow(customer: "alice", windowStart: base, total: 40, orders: 1),
            WindowRow(customer: "bob", windowStart: base + 1000, total: 0, orders: 0),
        ]
        let stated = [
            WindowRow(customer: "alice", windowStart: 0, total: 40, orders: 1),
            WindowRow(customer: "bob", windowStart: 1, total: 0, orders: 0),
        ]
        #expect(PipelineOracle.sinkHoldsStated(sink, stated: stated, base: base, windowMillis: 1000).holds)
        let wrong = [WindowRow(customer: "alice", windowStart: 0, total: 30, orders: 1)]
        #expect(
            PipelineOracle.sinkHoldsStated(sink, stated: wrong, base: base, windowMillis: 1000).problems == [
                "the sink table differs from the rows stated in 2 of 2 rows: sink has (alice, 0): total 40, 1 orders, "
                    + "stated (alice, 0): total 30, 1 orders; sink has (bob, 1): total 0, 0 orders, which no stated "
                    + "row names"
            ])
        #expect(!PipelineOracle.sinkHoldsStated(sink, stated: [], base: base, windowMillis: 1000).holds)
    }
}
