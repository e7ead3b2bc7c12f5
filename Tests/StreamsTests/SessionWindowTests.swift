import Streams
import Testing

/// Session windows with an inactivity gap of 3 s, join window 5 s, grace 2 s. Worked out by hand.
@Suite("Session-window topology")
struct SessionWindowTests {
    static let config = TopologyConfig.sessions(joinWindow: 5_000, gap: 3_000, grace: 2_000)

    static func view(_ driver: TopologyTestDriver) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: driver.view.map {
                ("\($0.window)", "\($0.end) \($0.aggregate.count)/\($0.aggregate.sum)")
            })
    }

    @Test func pairsWithinTheGapAreOneSessionAndOthersStartAnother() {
        var driver = TopologyTestDriver(Self.config)
        driver.pipe([
            TopologyTests.order("k", 1, at: 10_000, offset: 0), TopologyTests.payment("k", 5, at: 10_000, offset: 0),
            // Pairs with both earlier records' partners: timed 12 000 (≤ 10 000 + gap: the same session).
            TopologyTests.payment("k", 7, at: 12_000, offset: 1),
        ])
        #expect(Self.view(driver) == ["k@10000": "12000 2/12"])
        // 16 000 pairs with the payment at 12 000 only (the one at 10 000 is 6 000 away): a new session, 4 000
        // after the last (more than the gap).
        driver.pipe([TopologyTests.order("k", 1, at: 16_000, offset: 1)])
        #expect(Self.view(driver) == ["k@10000": "12000 2/12", "k@16000": "16000 1/7"])
        #expect(driver.removed.isEmpty)
    }

    @Test func aPairBetweenTwoSessionsMergesThemAndDeletesTheLaterOne() {
        // A join window of 1 s, so that each order pairs only with the payment beside it.
        var driver = TopologyTestDriver(.sessions(joinWindow: 1_000, gap: 3_000, grace: 2_000))
        driver.pipe([
            TopologyTests.order("k", 1, at: 10_000, offset: 0), TopologyTests.payment("k", 5, at: 10_000, offset: 0),
            TopologyTests.order("k", 1, at: 15_000, offset: 1), TopologyTests.payment("k", 6, at: 15_000, offset: 1),
        ])
        #expect(Self.view(driver) == ["k@10000": "10000 1/5", "k@15000": "15000 1/6"])
        // A pair at 12 500, out of order but on time (≥ 15 000 − 1 000 − 2 000), is within 3 000 of both
        // sessions: they become one [10 000, 15 000], and k@15000 is deleted.
        driver.pipe([
            TopologyTests.order("k", 1, at: 12_500, offset: 2), TopologyTests.payment("k", 9, at: 12_500, offset: 2),
        ])
        #expect(Self.view(driver) == ["k@10000": "15000 3/20"])
        #expect(driver.removed == [WindowKey(key: "k", start: 15_000)])
        #expect(driver.changelog.last?.removed == [WindowKey(key: "k", start: 15_000)])
        // The changelog restores the same sessions, the merged one deleted.
        let restored = TopologyTestDriver(driver.topology.config, restoringFrom: driver.changelog)
        #expect(Self.view(restored) == Self.view(driver))
    }

    @Test func aPairWhoseSessionEndedBeforeStreamTimeLessGapAndGraceIsDropped() {
        // Stream time 20 000. A pair timed 14 900 is on time for the join (≥ 13 000) but its session ends
        // 14 900 < 20 000 − 3 000 − 2 000 = 15 000: dropped and reported. One timed 15 000 is kept.
        var driver = TopologyTestDriver(Self.config)
        driver.pipe([
            TopologyTests.order("other", 1, at: 20_000, offset: 0),
            TopologyTests.order("a", 1, at: 14_900, offset: 1), TopologyTests.payment("a", 2, at: 14_800, offset: 0),
            TopologyTests.order("b", 1, at: 15_000, offset: 2), TopologyTests.payment("b", 3, at: 14_900, offset: 1),
        ])
        #expect(Self.view(driver) == ["b@15000": "15000 1/3"])
        #expect(driver.dropped.map(\.window) == [WindowKey(key: "a", start: 14_900)])
        #expect(driver.dropped.map(\.reason) == [.windowClosed])
    }
}
