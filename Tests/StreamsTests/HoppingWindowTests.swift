import Streams
import Testing

/// Hopping windows of 10 s advancing by 5 s, join window 5 s, grace 2 s: each time falls in two windows,
/// and a pair is dropped only from the one that closed. Worked out by hand.
@Suite("Hopping-window topology")
struct HoppingWindowTests {
    static let config = TopologyConfig(joinWindow: 5_000, windowSize: 10_000, grace: 2_000, advance: 5_000)

    static func view(_ records: [InputRecord]) -> [String: String] {
        var driver = TopologyTestDriver(config)
        driver.pipe(records)
        return Dictionary(
            uniqueKeysWithValues: driver.view.map { ("\($0.window)", "\($0.aggregate.count)/\($0.aggregate.sum)") })
    }

    @Test func windowStartsHoldTheTimeOldestFirst() {
        #expect(Self.config.windowStarts(12_000) == [5_000, 10_000])
        #expect(Self.config.windowStarts(10_000) == [5_000, 10_000])
        #expect(Self.config.windowStarts(9_999) == [0, 5_000])
        #expect(Self.config.windowStarts(-1) == [-10_000, -5_000])
        let tumbling = TopologyConfig(joinWindow: 5_000, windowSize: 10_000, grace: 2_000)
        #expect(tumbling.windowStarts(12_000) == [10_000])
        #expect(TopologyConfig(joinWindow: 0, windowSize: 10, grace: 0, advance: 10).windowStarts(12) == [10])
    }

    @Test func aPairIsCountedInEveryWindowHoldingItsTime() {
        let records = [
            TopologyTests.order("k", 10, at: 6_000, offset: 0), TopologyTests.payment("k", 7, at: 8_000, offset: 0),
        ]
        // Timed 8 000: windows [0, 10 000) and [5 000, 15 000).
        #expect(Self.view(records) == ["k@0": "1/7", "k@5000": "1/7"])
    }

    @Test func aPairIsDroppedOnlyFromTheWindowThatClosed() {
        // Stream time 17 000 (another key's order). The order at 10 500 and the payment at 10 400 are on time
        // (≥ 17 000 − 5 000 − 2 000) and pair, timed 10 500: window [5 000, 15 000) ends 15 000, + grace =
        // 17 000 ≤ stream time, so closed (dropped and reported); [10 000, 20 000) is open (counted).
        let records = [
            TopologyTests.order("other", 1, at: 17_000, offset: 0),
            TopologyTests.order("k", 10, at: 10_500, offset: 1),
            TopologyTests.payment("k", 4, at: 10_400, offset: 0),
        ]
        var driver = TopologyTestDriver(Self.config)
        driver.pipe(records)
        #expect(Self.view(records) == ["k@10000": "1/4"])
        #expect(driver.dropped.map { $0.window?.start } == [5_000])
    }
}
