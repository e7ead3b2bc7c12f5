import Testing
import Verification

/// The KAF-14 oracle on hand-written inputs, with its negative controls: a late record counted, a join
/// outside its window and a lost window must fail. Join window 5 s, windows of 10 s, grace 2 s.
@Suite("Stream oracle")
struct StreamOracleTests {
    static let oracle = StreamOracle(joinWindowMs: 5_000, windowSizeMs: 10_000, graceMs: 2_000)
    static func o(_ key: String, _ amount: Int64, _ t: Int64, _ offset: Int64) -> StreamOracle.Input {
        .init(isOrder: true, partition: 0, offset: offset, key: key, amount: amount, timestamp: t)
    }
    static func p(_ key: String, _ amount: Int64, _ t: Int64, _ offset: Int64) -> StreamOracle.Input {
        .init(isOrder: false, partition: 0, offset: offset, key: key, amount: amount, timestamp: t)
    }
    static let inputs = [o("a", 1, 9_000, 0), o("b", 1, 9_500, 1), p("x", 1, 11_500, 0), p("a", 6, 9_100, 1),
                         p("x", 1, 12_000, 2), p("b", 8, 9_600, 3), p("a", 6, 4_000, 4), o("c", 2, 20_000, 2),
                         p("c", 3, 26_000, 5), p("c", 4, 14_000, 6)]
    static let expected = oracle.expect(inputs)
    static let correct = [StreamOracle.Row(key: "a", start: 0, count: 1, sum: 6)]

    @Test func theOracleWorkedByHand() {
        // a: payment 9.1 s pairs with order 9 s (out of order, within grace) → window 0.
        // b: payment 9.6 s arrives when stream time is 12 s: window [0,10) closed → dropped.
        // a: payment 4 s arrives at stream time 12 s: older than 12 − 5 − 2 → late for the join.
        // c: payment 26 s is 6 s from the order (outside the join window); payment 14 s arrives at
        //    stream time 26 s: 14 < 26 − 7 → late.
        #expect(Self.expected.rows == Self.correct)
        #expect(Self.expected.lateInputs.map(\.offset) == [4, 6])
        #expect(Self.expected.closedWindowPairs.map { $0.later.offset } == [3])
        #expect(StreamOracle.verdict(actual: Self.correct, expected: Self.expected).holds)
        #expect(StreamOracle.droppedVerdict(reported: [(false, 0, 4), (false, 0, 3), (false, 0, 6)],
                                            expected: Self.expected).holds)
    }

    @Test func aLateRecordCountedFails() {
        let counted = [StreamOracle.Row(key: "a", start: 0, count: 2, sum: 12)]
        #expect(StreamOracle.verdict(actual: counted, expected: Self.expected).problems
                == [#"1 windows with wrong results, e.g. ["a@0: count 2 sum 12, expected count 1 sum 6"]"#])
        let closedCounted = Self.correct + [StreamOracle.Row(key: "b", start: 0, count: 1, sum: 8)]
        #expect(!StreamOracle.verdict(actual: closedCounted, expected: Self.expected).holds)
        #expect(StreamOracle.droppedVerdict(reported: [(false, 0, 4), (false, 0, 6)], expected: Self.expected).problems
                == [#"1 late records not reported, e.g. ["payment 0:3"]"#])
    }

    @Test func aJoinOutsideItsWindowFails() {
        let joined = Self.correct + [StreamOracle.Row(key: "c", start: 20_000, count: 1, sum: 3)]
        #expect(StreamOracle.verdict(actual: joined, expected: Self.expected).problems
                == [#"1 windows the oracle does not have, e.g. ["c@20000"]"#])
    }

    @Test func aLostWindowFails() {
        #expect(StreamOracle.verdict(actual: [], expected: Self.expected).problems
                == [#"1 expected windows missing, e.g. ["a@0"]"#])
    }

    @Test func theProcessingOrderIsTheMergeByHeadTimestamp() {
        // Partition order is kept even when a later offset has an earlier timestamp.
        let a = [Self.o("k", 1, 100, 0), Self.o("k", 1, 50, 1), Self.o("k", 1, 300, 2)]
        let b = [Self.p("k", 1, 100, 0), Self.p("k", 1, 200, 1)]
        let order = StreamOracle.order(b + a).map { "\($0.isOrder ? "o" : "p")\($0.offset)" }
        #expect(order == ["o0", "o1", "p0", "p1", "o2"])
    }
}

@Suite("Mirror checks")
struct MirrorCheckTests {
    static func r(_ p: Int32, _ o: Int64, _ v: String, ts: Int64 = 1, headers: [String] = ["h=1"]) -> MirrorChecks.Record {
        .init(partition: p, offset: o, key: Array("k".utf8), value: Array(v.utf8), headers: headers, timestamp: ts)
    }
    static let source = [Self.r(0, 0, "a"), Self.r(0, 1, "b"), Self.r(1, 0, "c")]

    @Test func aFaithfulCopyHolds() {
        let target = [Self.r(0, 5, "a"), Self.r(0, 6, "b"), Self.r(1, 9, "c")]
        #expect(MirrorChecks.fidelity(source: Self.source, target: target).holds)
    }

    @Test func aDroppedRecordFails() {
        let target = [Self.r(0, 5, "a"), Self.r(1, 9, "c")]
        #expect(MirrorChecks.fidelity(source: Self.source, target: target).problems.first
                == "partition 0: 1 of 2 records missing on the target")
    }

    @Test func reorderedChangedTimestampOrHeadersFail() {
        #expect(!MirrorChecks.fidelity(source: Self.source, target: [Self.r(0, 0, "b"), Self.r(0, 1, "a"), Self.r(1, 0, "c")]).holds)
        #expect(MirrorChecks.fidelity(source: Self.source, target: [Self.r(0, 0, "a", ts: 2), Self.r(0, 1, "b"), Self.r(1, 0, "c")])
                    .problems == ["partition 0: record 1 differs in its timestamp (source [0]@0, target [0]@0)"])
        #expect(!MirrorChecks.fidelity(source: Self.source, target: [Self.r(0, 0, "a", headers: []), Self.r(0, 1, "b"), Self.r(1, 0, "c")]).holds)
    }

    @Test func excludedTopicsOnTheTargetFail() {
        #expect(MirrorChecks.excluded(["audit"], sourceAlias: "east", targetTopics: ["east.orders"]).holds)
        #expect(!MirrorChecks.excluded(["audit"], sourceAlias: "east", targetTopics: ["east.orders", "east.audit"]).holds)
    }

    @Test func failoverLossOrDuplicatesBeyondTheBoundFail() {
        let ok = MirrorChecks.Failover(acknowledged: Set(1...10), readOnSource: Array(1...6), readOnTarget: Array(5...10), bound: 2)
        #expect(ok.verdict.holds)
        let lost = MirrorChecks.Failover(acknowledged: Set(1...10), readOnSource: Array(1...6), readOnTarget: Array(8...10), bound: 2)
        #expect(lost.verdict.problems == ["1 acknowledged records never consumed, e.g. [7]"])
        let many = MirrorChecks.Failover(acknowledged: Set(1...10), readOnSource: Array(1...6), readOnTarget: Array(2...10), bound: 2)
        #expect(many.verdict.problems == ["5 records consumed twice, more than the bound 2"])
    }

    typealias Read = MirrorChecks.Failover.Read
    typealias Switch = MirrorChecks.Failover.Switch

    /// Partition 0 holds records 1…10 at offsets 0…9 on both clusters; the group read 1…6 (committed 6)
    /// on the source, the newest checkpoint says source offset 4 is target offset `downstream`, and the
    /// group reads the target from `start`.
    static func failover(downstream: Int64, start: Int64) -> MirrorChecks.Failover {
        let source = (0..<6).map { Read(partition: 0, offset: Int64($0), id: UInt64($0) + 1) }
        let target = (start..<10).map { Read(partition: 0, offset: $0, id: UInt64($0) + 1) }
        let switches = [Switch(partition: 0, committed: 6, upstream: 4, downstream: downstream)]
        return MirrorChecks.Failover(acknowledged: Set(1...10), exact: .init(source: source, target: target,
                                                                           switches: switches))
    }

    @Test func anExactFailoverRepeatsExactlyTheRecordsReadAfterTheCheckpoint() {
        let ok = Self.failover(downstream: 4, start: 4)
        #expect(ok.bound == 2 && ok.duplicates == [5, 6])
        #expect(ok.verdict.holds, "\(ok.verdict)")
    }

    /// A group that started over on the target because no checkpoint of it had arrived loses nothing and
    /// repeats exactly what it read: the offset sync did not work, and the failover says so.
    @Test func aFailoverWithoutAnyCheckpointOfTheGroupFails() {
        let source = (0..<6).map { Read(partition: 0, offset: Int64($0), id: UInt64($0) + 1) }
        let target = (0..<10).map { Read(partition: 0, offset: $0, id: UInt64($0) + 1) }
        let switches = [Switch(partition: 0, committed: 6, upstream: nil, downstream: nil)]
        let restarted = MirrorChecks.Failover(
            acknowledged: Set(1...10), exact: .init(source: source, target: target, switches: switches))
        #expect(restarted.verdict.problems.first?.hasPrefix("no checkpoint of the group reached the target") == true)
    }

    /// A translation one past the record's copy loses nothing (record 5 was read on the source) and
    /// repeats one record fewer: under a bound it passes; exactly, it fails.
    @Test func aTranslationOnePastTheCopyFails() {
        let shifted = Self.failover(downstream: 5, start: 5)
        #expect(shifted.lost.isEmpty && shifted.duplicates.count <= shifted.bound)
        #expect(shifted.verdict.problems == [
            "partition 0: source offset 4 (record 5) was translated to target offset 5, which holds record 6",
            "partition 0: 1 records consumed twice, but the group read 2 after the newest checkpoint "
                + "(committed 6, checkpoint upstream 4)",
        ])
    }

    @Test func aTargetReadThatDoesNotStartAtTheTranslatedOffsetFails() {
        let early = Self.failover(downstream: 4, start: 3)
        #expect(early.verdict.problems.first
                    == "partition 0: the target read started at 3, not at the translated offset 4")
        #expect(early.verdict.problems.count == 2, "and it repeats 3, not 2")
    }
}

@Suite("Late pairs and the grace period")
struct LatePairsTests {
    typealias Row = StreamOracle.Row
    static let counted = [Row(key: "late-in-0", start: 0, count: 1, sum: 100), Row(key: "k", start: 0, count: 3, sum: 9)]

    @Test func countedWithinAndDroppedBeyondPasses() {
        #expect(LatePairs.verdict(within: 1, beyond: 1, rows: Self.counted, droppedKeys: ["late-out-0", "late-out-0"]).holds)
    }

    // A new user's trial: "0 pairs within grace, 0 beyond" passed.
    @Test func noLatePairsIsNoEvidence() {
        #expect(LatePairs.verdict(within: 0, beyond: 0, rows: [], droppedKeys: []).problems == [
            "no evidence: 0 late pairs within the grace period — a claim about nothing cannot pass",
            "no evidence: 0 late pairs beyond the grace period — a claim about nothing cannot pass",
        ])
    }

    @Test func aLatePairDroppedOrCountedOnTheWrongSideFails() {
        #expect(LatePairs.verdict(within: 1, beyond: 1, rows: [], droppedKeys: ["late-in-0", "late-out-0"]).problems == [
            "late-in-0: its pair within the grace period was not counted", "late-in-0 was reported dropped",
            "late-out-0: 1 of its 2 records reported dropped",
        ])
        let beyondCounted = Self.counted + [Row(key: "late-out-0", start: 0, count: 1, sum: 100)]
        #expect(LatePairs.verdict(within: 1, beyond: 1, rows: beyondCounted, droppedKeys: ["late-out-0", "late-out-0"])
                    .problems == ["late-out-0 was counted beyond the grace period"])
    }

    /// Hopping windows of 10 s advancing by 5 s: the same inputs, each pair in two windows; a must-fail shows
    /// the tumbling answer is not the hopping one.
    @Test func hoppingWindowsCountAPairInEveryWindowHoldingIt() {
        let hopping = StreamOracle(joinWindowMs: 5_000, windowSizeMs: 10_000, graceMs: 2_000, advanceMs: 5_000)
        let expected = hopping.expect(StreamOracleTests.inputs)
        // a: pair timed 9.1 s → windows [0, 10) and [5, 15); [0,10) has not closed at stream time 11.5 s.
        // b: pair timed 9.6 s arrives at stream time 12 s: [0, 10) closed (dropped), [5, 15) open (counted).
        #expect(expected.rows == [
            StreamOracle.Row(key: "a", start: 0, count: 1, sum: 6), StreamOracle.Row(key: "a", start: 5_000, count: 1, sum: 6),
            StreamOracle.Row(key: "b", start: 5_000, count: 1, sum: 8),
        ])
        #expect(expected.closedWindowPairs.map { $0.later.offset } == [3])
        #expect(expected.pairs == 2)
        #expect(!StreamOracle.verdict(actual: StreamOracleTests.correct, expected: expected).holds)
        #expect(hopping.starts(-1) == [-10_000, -5_000] && hopping.starts(10_000) == [5_000, 10_000])
    }
}

/// Session windows (gap 3 s, join window 1 s, grace 2 s): the oracle chains a key's pairs in the order their
/// later record came, merges sessions a pair bridges, and drops a pair whose session ended too long ago.
@Suite("Stream oracle: session windows")
struct SessionOracleTests {
    static let oracle = StreamOracle(joinWindowMs: 1_000, windowSizeMs: 3_000, graceMs: 2_000, sessionGapMs: 3_000)
    typealias T = StreamOracleTests

    @Test func aBridgingPairMergesTwoSessions() {
        let inputs = [T.o("k", 1, 10_000, 0), T.p("k", 5, 10_000, 0), T.o("k", 1, 15_000, 1), T.p("k", 6, 15_000, 1),
                      T.o("k", 1, 12_500, 2), T.p("k", 9, 12_500, 2)]
        let expected = Self.oracle.expect(inputs)
        let merged = StreamOracle.Row(key: "k", start: 10_000, count: 3, sum: 20, end: 15_000)
        #expect(expected.rows == [merged])
        #expect(expected.sessionsMerged == 1)
        #expect(StreamOracle.verdict(actual: [merged], expected: expected).holds)
        // A processor that wrote the merged session but no tombstone for the one merged away.
        let kept = [merged, StreamOracle.Row(key: "k", start: 15_000, count: 1, sum: 6, end: 15_000)]
        #expect(StreamOracle.verdict(actual: kept, expected: expected).problems
                == [#"1 windows the oracle does not have, e.g. ["k@15000"]"#])
        // The right count and sum with the wrong end: sessions are compared by their end too.
        var shortEnd = merged
        shortEnd.end = 12_500
        #expect(!StreamOracle.verdict(actual: [shortEnd], expected: expected).holds)
        // Without the bridge, two sessions.
        #expect(Self.oracle.expect(Array(inputs.prefix(4))).rows.map(\.start) == [10_000, 15_000])
    }

    @Test func aPairWhoseSessionEndedTooLongAgoIsDropped() {
        // Stream time 20 s; the pair at 14.9 s is on time for the join (≥ 17 s − …) but its session ends before
        // 20 − 3 − 2 = 15 s. Join window 5 s here, as the topology's test.
        let oracle = StreamOracle(joinWindowMs: 5_000, windowSizeMs: 3_000, graceMs: 2_000, sessionGapMs: 3_000)
        let inputs = [T.o("other", 1, 20_000, 0), T.o("a", 1, 14_900, 1), T.p("a", 2, 14_800, 0),
                      T.o("b", 1, 15_000, 2), T.p("b", 3, 14_900, 1)]
        let expected = oracle.expect(inputs)
        #expect(expected.rows == [StreamOracle.Row(key: "b", start: 15_000, count: 1, sum: 3, end: 15_000)])
        // In the merge by timestamp both payments come first, so the order at 14.9 s (offset 1) drops the pair.
        #expect(expected.closedWindowPairs.map { $0.later.offset } == [1])
        #expect(expected.lateInputs.isEmpty)
        let counted = expected.rows + [StreamOracle.Row(key: "a", start: 14_900, count: 1, sum: 2, end: 14_900)]
        #expect(!StreamOracle.verdict(actual: counted, expected: expected).holds)
    }
}

/// The oracle works task by task (orders and payments partition n); where an instance that processed the first
/// records of the processing order stands, per task.
@Suite("Stream oracle tasks")
struct StreamOracleTaskTests {
    static func input(_ isOrder: Bool, _ partition: Int32, _ offset: Int64, _ key: String, _ t: Int64)
        -> StreamOracle.Input
    {
        .init(isOrder: isOrder, partition: partition, offset: offset, key: key, amount: 5, timestamp: t)
    }
    static let inputs = [
        input(true, 0, 0, "a", 1_000), input(false, 0, 0, "a", 1_500), input(true, 1, 0, "b", 1_200),
        input(false, 1, 0, "b", 2_000), input(true, 1, 1, "b", 9_000),
    ]

    @Test func theFirstRecordsOfTheProcessingOrderPerTask() {
        #expect(StreamOracle.processedPerTask(Self.inputs, first: 3) == [0: 2, 1: 1])
        #expect(StreamOracle.processedPerTask(Self.inputs, first: 0) == [:])
        #expect(StreamOracle.processedPerTask(Self.inputs, first: 99) == [0: 2, 1: 3])
    }

    @Test func eachTaskIsJoinedOnItsOwn() {
        let oracle = StreamOracle(joinWindowMs: 5_000, windowSizeMs: 10_000, graceMs: 2_000)
        let rows = oracle.expect(Self.inputs).rows
        #expect(rows == [.init(key: "a", start: 0, count: 1, sum: 5), .init(key: "b", start: 0, count: 1, sum: 5)])
        // The same key split over two partitions is two tasks: its order and payment never meet.
        let split = [Self.input(true, 0, 0, "a", 1_000), Self.input(false, 1, 0, "a", 1_500)]
        #expect(oracle.expect(split).rows.isEmpty)
    }
}

/// An instance asked for a key of a task it does not hold fails, and says so first.
@Suite("Stream query")
struct StreamQueryTests {
    static let oracle = StreamOracle(joinWindowMs: 5_000, windowSizeMs: 10_000, graceMs: 2_000)
    static let expected = oracle.expect([
        .init(isOrder: true, partition: 2, offset: 0, key: "a", amount: 1, timestamp: 1_000),
        .init(isOrder: false, partition: 2, offset: 0, key: "a", amount: 5, timestamp: 1_500),
    ])
    static let row = StreamOracle.Row(key: "a", start: 0, count: 1, sum: 5)

    @Test func theHoldingInstanceAnswers() {
        #expect(
            StreamOracle.queryVerdict(
                instance: "p2", key: "a", task: 2, held: [2], actual: [Self.row], expected: Self.expected
            ).holds)
    }

    @Test func anInstanceWithoutTheKeysTaskFailsNamingIt() {
        let verdict = StreamOracle.queryVerdict(
            instance: "p1", key: "a", task: 2, held: [0, 1], actual: [], expected: Self.expected)
        #expect(verdict.problems.first?.hasPrefix("a is in task 2, which p1 does not hold (it holds [0, 1])") == true)
        #expect(!StreamOracle.queryVerdict(
            instance: "p2", key: "a", task: 2, held: [2], actual: [], expected: Self.expected).holds)
    }
}
