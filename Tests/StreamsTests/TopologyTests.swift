import Testing
import Streams

/// The topology on hand-written records (TopologyTestDriver style), expectations worked out by hand.
/// Join window 5 s, tumbling windows of 10 s, grace 2 s.
@Suite("Join and tumbling-window topology")
struct TopologyTests {
    static let config = TopologyConfig(joinWindow: 5_000, windowSize: 10_000, grace: 2_000)

    static func order(_ key: String, _ amount: Int64, at t: Int64, offset: Int64, partition: Int32 = 0) -> InputRecord {
        InputRecord(side: .order, partition: partition, offset: offset, key: key, amount: amount, timestamp: t)
    }
    static func payment(_ key: String, _ amount: Int64, at t: Int64, offset: Int64, partition: Int32 = 0) -> InputRecord {
        InputRecord(side: .payment, partition: partition, offset: offset, key: key, amount: amount, timestamp: t)
    }
    static func view(_ records: [InputRecord]) -> [String: String] {
        var driver = TopologyTestDriver(config)
        driver.pipe(records)
        return Dictionary(uniqueKeysWithValues: driver.view.map { ("\($0.window)", "\($0.aggregate.count)/\($0.aggregate.sum)") })
    }

    @Test func pairsWithinTheJoinWindowAreCountedInTheLatersWindow() {
        let records = [Self.order("k1", 10, at: 1_000, offset: 0), Self.payment("k1", 7, at: 3_000, offset: 0),
                       Self.order("k2", 5, at: 8_000, offset: 1), Self.payment("k2", 4, at: 11_000, offset: 1),
                       Self.payment("k1", 3, at: 5_500, offset: 2)]
        // k1: order@1000 pairs with payments @3000 and @5500 (both within 5 s) → window 0, 2 pairs, sum 10.
        // k2: order@8000 with payment@11000 → timed 11000 → window 10000.
        #expect(Self.view(records) == ["k1@0": "2/10", "k2@10000": "1/4"])
    }

    @Test func aPairOutsideTheJoinWindowIsNotJoined() {
        let records = [Self.order("k1", 10, at: 1_000, offset: 0), Self.payment("k1", 7, at: 6_001, offset: 0)]
        #expect(Self.view(records).isEmpty)
        // Must fail: the same records 1 ms closer do join.
        let closer = [Self.order("k1", 10, at: 1_001, offset: 0), Self.payment("k1", 7, at: 6_001, offset: 0)]
        #expect(Self.view(closer) != Self.view(records))
    }

    /// Stream time 17 001: an order at 10 001 is exactly join window + grace behind it (on time), and a
    /// payment at 5 001 exactly 2·join window + grace behind it (still buffered); they are exactly one
    /// join window apart. Every one of those boundaries is inclusive: the pair is counted.
    @Test func onTimeBufferedAndJoinedAtTheirBoundaries() {
        var driver = TopologyTestDriver(Self.config)
        driver.pipe([Self.payment("k", 7, at: 5_001, offset: 0), Self.order("k", 1, at: 17_001, offset: 0),
                     Self.order("k", 2, at: 10_001, offset: 1)])
        #expect(driver.view.map(\.description) == ["k [10000, 20000): count 1, sum 7"])
        #expect(driver.dropped.isEmpty)
        // Must fail: one millisecond further back, the order is late for the join.
        var late = TopologyTestDriver(Self.config)
        late.pipe([Self.payment("k", 7, at: 5_001, offset: 0), Self.order("k", 1, at: 17_002, offset: 0),
                   Self.order("k", 2, at: 10_001, offset: 1)])
        #expect(late.view.isEmpty && late.dropped.map(\.reason) == [.lateForJoin])
    }

    /// A pair on the last millisecond of window [0, 10 000), joined when stream time is exactly its end +
    /// grace: the window has closed, so the pair is dropped and reported; a millisecond earlier it counts.
    @Test func aPairOnAWindowsLastMillisecondAtItsClosingIsDropped() {
        func run(clock: Int64) -> TopologyTestDriver {
            var driver = TopologyTestDriver(Self.config)
            driver.pipe([Self.order("k", 1, at: 9_999, offset: 0), Self.payment("k", 3, at: clock, offset: 0),
                         Self.payment("k", 5, at: 9_999, offset: 1)])
            return driver
        }
        let closed = run(clock: 12_000)
        #expect(closed.view.map(\.description) == ["k [10000, 20000): count 1, sum 3"])
        #expect(closed.dropped.map(\.reason) == [.windowClosed])
        #expect(closed.dropped.first?.record.timestamp == 9_999)
        let open = run(clock: 11_999)
        #expect(open.view.map(\.description) == ["k [0, 10000): count 1, sum 5", "k [10000, 20000): count 1, sum 3"])
        #expect(open.dropped.isEmpty)
    }

    @Test func outOfOrderWithinGraceIsCountedAndBeyondGraceIsDroppedAndReported() {
        var driver = TopologyTestDriver(Self.config)
        driver.pipe([Self.order("a", 1, at: 9_000, offset: 0), Self.order("b", 1, at: 9_500, offset: 1),
                     Self.payment("x", 1, at: 11_500, offset: 0)])  // stream time 11.5 s: window [0,10) open till 12 s
        driver.pipe([Self.payment("a", 6, at: 9_100, offset: 1)])   // out of order, within grace
        driver.pipe([Self.payment("x", 1, at: 12_000, offset: 2)])  // stream time 12 s: window [0,10) closes
        driver.pipe([Self.payment("b", 8, at: 9_600, offset: 3)])   // on time for the join, its window closed
        #expect(driver.view.map(\.description) == ["a [0, 10000): count 1, sum 6"])
        #expect(driver.dropped.map(\.reason) == [.windowClosed])
        #expect(driver.dropped.first?.record.key == "b")
        driver.pipe([Self.payment("a", 6, at: 4_000, offset: 4)])   // 12000 − 5000 − 2000 > 4000: late for the join
        #expect(driver.dropped.map(\.reason) == [.windowClosed, .lateForJoin])
        #expect(driver.view.count == 1)
    }

    @Test func aRestoredInstanceThatReReadsFromItsLastCommitEndsWhereAnUninterruptedOneDoes() {
        let records = (0..<40).map { i -> InputRecord in
            let t = Int64(i) * 700 + (i % 7 == 3 ? -1_500 : 0)
            return i % 2 == 0 ? Self.order("k\(i % 3)", Int64(i), at: t, offset: Int64(i / 2))
                              : Self.payment("k\(i % 3)", Int64(i), at: t, offset: Int64(i / 2))
        }
        var whole = TopologyTestDriver(Self.config)
        whole.pipe(records)
        #expect(!whole.view.isEmpty)

        var first = TopologyTestDriver(Self.config)
        first.pipe(Array(records[..<23]))
        // Crash after 23 records; the last commit was after 15: records 15… are delivered again.
        var restarted = TopologyTestDriver(Self.config, restoringFrom: first.changelog)
        restarted.pipe(Array(records[15...]))
        #expect(restarted.view == whole.view)
        #expect(restarted.state == whole.state)

        // Must fail: an instance that does not restore its state and re-reads from the commit loses
        // what records 0…14 counted.
        var amnesiac = TopologyTestDriver(Self.config)
        amnesiac.pipe(Array(records[15...]))
        #expect(amnesiac.view != whole.view)
        // Must fail too: restored state without the applied positions counts 15…22 twice.
        var noPositions = TopologyState.restore(from: first.changelog)
        noPositions.positions = [:]
        let topology = Topology(Self.config)
        _ = topology.process(Array(records[15...]), state: &noPositions)
        #expect(topology.view(noPositions) != whole.view)
    }

    @Test func theProcessingOrderDoesNotDependOnHowRecordsArrive() {
        let a = [Self.order("k", 1, at: 100, offset: 0), Self.order("k", 1, at: 50, offset: 1),
                 Self.order("k", 1, at: 300, offset: 2)]
        let b = [Self.payment("k", 1, at: 100, offset: 0), Self.payment("k", 1, at: 200, offset: 1)]
        let merged = ProcessingOrder.merge([a, b])
        #expect(merged.map { "\($0.side)\($0.offset)" } == ["order0", "order1", "payment0", "payment1", "order2"])
        #expect(ProcessingOrder.merge([b, a]) == merged)
    }

    @Test func resultsAndChangelogEntriesRoundTripAsBytes() throws {
        var driver = TopologyTestDriver(Self.config)
        driver.pipe([Self.order("k1", 10, at: 1_000, offset: 0), Self.payment("k1", 7, at: 3_000, offset: 0)])
        let bytes = driver.changelog.map { StreamsCodec.encode($0) }
        let decoded = try bytes.map { try StreamsCodec.decode(ChangelogEntry.self, $0) }
        #expect(decoded == driver.changelog)
        #expect(TopologyState.restore(from: decoded) == driver.state)
        let result = try StreamsCodec.decode(WindowResult.self, StreamsCodec.encode(driver.emitted[0]))
        #expect(result == driver.emitted[0])
        #expect(StreamsCodec.encode(driver.emitted[0]) == StreamsCodec.encode(result))
        #expect(StreamsCodec.amount(StreamsCodec.value(amount: -42)) == -42)
        #expect(Topology(Self.config).windowStart(-1) == -10_000)
    }
}

/// Tasks: one state per input partition number, restored from a changelog the tasks share, and seen as one.
@Suite("Topology tasks")
struct TopologyTaskTests {
    @Test func aTaskRestoresOnlyItsOwnEntriesAndTheTasksMergeIntoOneView() {
        let config = TopologyTests.config
        var driver = TopologyTestDriver(config)
        driver.pipe([
            TopologyTests.order("a", 1, at: 1_000, offset: 0, partition: 0),
            TopologyTests.payment("a", 4, at: 1_500, offset: 0, partition: 0),
            TopologyTests.order("b", 1, at: 30_000, offset: 0, partition: 1),
            TopologyTests.payment("b", 6, at: 30_500, offset: 0, partition: 1),
        ])
        let zero = TopologyState.restore(task: 0, from: driver.changelog)
        let one = TopologyState.restore(task: 1, from: driver.changelog)
        #expect(Topology(config).view(zero).map(\.window.key) == ["a"])
        #expect(Topology(config).view(one).map(\.window.key) == ["b"])
        #expect(zero.streamTime == 1_500)
        #expect(one.streamTime == 30_500)
        let merged = TopologyState.merged([0: zero, 1: one])
        #expect(Topology(config).view(merged) == Topology(config).view(driver.state))
        #expect(merged.positions == driver.state.positions)
        #expect(merged.streamTime == 30_500)
    }
}
