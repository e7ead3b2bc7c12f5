import Testing
import Verification

/// KAF-10's loop-prevention verdict: what comes back to the first cluster fails it, and so does evidence
/// that could not have shown a loop.
@Suite struct MirrorLoopTests {
    static func evidence(
        acknowledged: Set<UInt64> = [1, 2, 3], otherTopics: [String] = ["east.orders", "heartbeats"],
        originTopics: [String] = ["orders", "heartbeats"], readBack: [String: [UInt64]] = ["orders": [1, 2, 3]],
        scans: Int = 1, copied: Set<UInt64>? = nil, backSelects: Bool? = true
    ) -> MirrorLoop.Evidence {
        var e = MirrorLoop.Evidence(
            origin: "east", other: "west", topic: "orders", acknowledged: acknowledged, otherTopics: otherTopics,
            originTopics: originTopics, readBack: readBack, scansAfterCopy: scans)
        e.copied = copied ?? acknowledged
        e.backSelectsCopy = backSelects
        return e
    }

    @Test func aCopyMissingRecordsNoMirrorBackOrOneThatCannotSelectTheCopyFails() {
        #expect(MirrorLoop.verdict(Self.evidence(copied: [1])).description.contains("holds 1 of the 3"))
        #expect(MirrorLoop.verdict(Self.evidence(backSelects: nil)).description.contains("no mirror from west"))
        #expect(MirrorLoop.verdict(Self.evidence(backSelects: false)).description.contains("does not select"))
        var same = Self.evidence()
        same.other = "east"
        #expect(!MirrorLoop.verdict(same).holds)
    }

    @Test func nothingBackHolds() {
        #expect(MirrorLoop.verdict(Self.evidence()).holds)
        // The mirror back's own copies of west's topics are fine when none of east's records is in them.
        #expect(
            MirrorLoop.verdict(
                Self.evidence(
                    originTopics: ["orders", "west.payments"], readBack: ["orders": [1, 2, 3], "west.payments": [9]])
            ).holds)
    }

    @Test func aCopyOfTheCopyFails() {
        let v = MirrorLoop.verdict(
            Self.evidence(
                originTopics: ["orders", "west.east.orders"], readBack: ["orders": [1, 2, 3], "west.east.orders": [1]]))
        #expect(!v.holds)
        #expect(v.problems.count == 2)
        #expect(v.description.contains("west.east.orders, named as a copy of its own topic come back (1 records)"))
    }

    @Test func recordsBackInAnotherTopicOrTwiceInTheirOwnFail() {
        #expect(
            !MirrorLoop.verdict(Self.evidence(readBack: ["orders": [1, 2, 3], "west.audit": [2]])).holds)
        let twice = MirrorLoop.verdict(Self.evidence(readBack: ["orders": [1, 2, 3, 1, 2]]))
        #expect(twice.description.contains("2 records sent to orders are in it twice (e.g. id 1)"))
    }

    @Test func evidenceThatCouldNotShowALoopFails() {
        #expect(!MirrorLoop.verdict(Self.evidence(acknowledged: [])).holds)
        #expect(MirrorLoop.verdict(Self.evidence(otherTopics: ["heartbeats"])).description.contains("never copied"))
        #expect(MirrorLoop.verdict(Self.evidence(scans: 0)).description.contains("no chance to loop"))
    }
}

/// The unplanned failover's verdict: what the mirror never copied is lost with the source and counted;
/// a copied record never consumed fails it.
@Suite struct UnplannedFailoverTests {
    typealias F = MirrorChecks.Failover
    static func failover(copied: Set<UInt64>?, target: [UInt64]) -> F {
        var f = F(
            acknowledged: [1, 2, 3, 4],
            exact: .init(
                source: [.init(partition: 0, offset: 0, id: 1)],
                target: target.enumerated().map { .init(partition: 0, offset: Int64($0.offset + 1), id: $0.element) },
                switches: [.init(partition: 0, committed: 1, upstream: 1, downstream: 1)]))
        f.copied = copied
        return f
    }

    @Test func recordsNeverCopiedAreLostWithTheSourceOnly() {
        let f = Self.failover(copied: [1, 2, 3], target: [2, 3])
        #expect(f.verdict.holds)
        #expect(f.lostWithSource == [4])
        #expect(f.lostWithSource(atMost: 1).holds)
        #expect(!f.lostWithSource(atMost: 0).holds)
    }

    @Test func aCopiedRecordNeverConsumedFails() {
        let f = Self.failover(copied: [1, 2, 3, 4], target: [2, 3])
        #expect(!f.verdict.holds)
        #expect(f.verdict.description.contains("1 acknowledged records the mirror had copied never consumed"))
        // Planned (nothing copied is known): every lost record fails.
        #expect(!Self.failover(copied: nil, target: [2, 3]).verdict.holds)
        #expect(!Self.failover(copied: nil, target: [2, 3, 4]).lostWithSource(atMost: 5).holds)
    }

    @Test func aGroupThatReadNothingOnTheTargetFails() {
        #expect(!Self.failover(copied: [1], target: []).verdict.holds)
    }
}
