import Testing
import Verification

/// The rolling restart's availability verdict on hand-made timings, with its negative controls.
@Suite("Rolling restart availability")
struct RollingRestartTests {
    static let steady = stride(from: 0.0, through: 3_000, by: 10).map { $0 }
    static let both: [Int32: [Double]] = [0: steady, 1: steady]

    static func verdict(acks: [Int32: [Double]] = both, reads: [Int32: [Double]] = both, restarts: Int = 3,
                        bound: Double = 500) -> Verdict {
        RollingRestart.availability(
            acknowledgedAt: acks, readAt: reads, partitions: 2, roll: (1_000, 2_000), restarts: restarts, bound: bound)
    }

    @Test func steadyLoadThroughTheRollHolds() {
        #expect(RollingRestart.longestGap(Self.steady, from: 1_000, to: 2_000).gap == 10)
        #expect(Self.verdict().holds)
    }

    @Test func aPartitionStalledInsideTheRollFailsNamingItAndWhen() {
        let stalled = Self.steady.filter { $0 < 1_400 || $0 > 2_100 }
        #expect(RollingRestart.longestGap(stalled, from: 1_000, to: 2_000) == (gap: 720, at: 1_390))
        #expect(Self.verdict(acks: [0: Self.steady, 1: stalled]).problems == [
            "partition 1: producing stopped for 720 ms from 1.4 s into the drill, over the bound of 500 ms"
        ])
    }

    @Test func readsThatEndBeforeTheRollDoesFail() {
        let early = Self.steady.filter { $0 < 1_500 }
        #expect(RollingRestart.longestGap(early, from: 1_000, to: 2_000).gap == 510)
        #expect(!Self.verdict(reads: [0: early, 1: Self.steady]).holds)
    }

    @Test func noRestartOrAPartitionWithoutEventsIsNoEvidence() {
        #expect(!RollingRestart.availability(
            acknowledgedAt: Self.both, readAt: Self.both, partitions: 2, roll: (1_000, 2_000), restarts: 0,
            bound: 500).holds)
        #expect(Self.verdict(reads: [0: Self.steady], bound: 5_000).problems
                == ["partition 1: no read during the roll (1.0–2.0 s)"])
    }
}
