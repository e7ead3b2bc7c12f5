import Testing
import Verification

@Suite("A running mirror and a failover to it")
struct MirrorClaimsTests {
    @Test func theIncludedTopicMustBeMirroredForTheExclusionToMeanSomething() {
        #expect(MirrorClaims.includedMirrored("east.orders", physical: "east.orders-1", target: "west",
                                              topics: ["east.orders-1"], excluded: "audit").holds)
        #expect(!MirrorClaims.includedMirrored("east.orders", physical: "east.orders-1", target: "west",
                                               topics: [], excluded: "audit").holds)
    }

    @Test func anOldOrMissingHeartbeatFails() {
        #expect(MirrorClaims.heartbeat(newest: 9_000, asked: 10_000, bound: 2500).holds)
        #expect(MirrorClaims.heartbeat(newest: 5_000, asked: 10_000, bound: 2500).problems
            == ["the newest heartbeat is 5000 ms old, more than 2500 ms"])
        #expect(MirrorClaims.heartbeat(newest: nil, asked: 10_000, bound: 2500).problems
            == ["no heartbeat on the target"])
    }

    @Test func theLagMustRiseDuringThePauseOnlyAndEveryRecordArrive() {
        #expect(MirrorClaims.lagAroundPause(read: 10, sent: 10, during: 3000, outside: 200, low: 2500, high: 1500)
            .holds)
        #expect(MirrorClaims.lagAroundPause(read: 10, sent: 10, during: 100, outside: 2000, low: 2500, high: 1500)
            .problems
            == ["the lag during the pause peaked at 100 ms, under 2500", "the lag outside the pause reached 2000 ms"])
        #expect(MirrorClaims.lagAroundPause(read: 9, sent: 10, during: 3000, outside: 200, low: 2500, high: 1500)
            .problems
            == ["only 9 of 10 records reached the target"])
    }

    @Test func catchingUpDuplicatesAndResumingWithinBounds() {
        #expect(MirrorClaims.caughtUp(after: 1.5, within: 3).holds)
        #expect(MirrorClaims.caughtUp(after: 3.25, within: 3).problems == ["caught up 3.25 s after the resume"])
        #expect(!MirrorClaims.caughtUp(after: nil, within: 3).holds)
        #expect(MirrorClaims.duplicates(120, atMost: 120).holds)
        #expect(MirrorClaims.duplicates(121, atMost: 120).problems == ["121 consumed twice, more than 120"])
        #expect(MirrorClaims.resumed(after: .milliseconds(4_999), within: 5).holds)
        #expect(MirrorClaims.resumed(after: .milliseconds(5_250), within: 5).problems
            == ["the group resumed 5250 ms after the switch"])
        #expect(MirrorClaims.resumed(after: nil, within: 5).problems == ["the group read nothing on the target"])
    }

    @Test func aZombieCommitThatWasNotFencedFails() {
        #expect(Fencing.zombieFenced("fenced: PRODUCER_FENCED").holds)
        #expect(Fencing.zombieFenced("committed").problems
            == ["the zombie instance was not fenced: its commit committed"])
    }

    @Test func anExportedHistogramMissingLatenciesFails() {
        #expect(SLOCheck.exportedHistogram(counts: 40, measured: 40).holds)
        #expect(SLOCheck.exportedHistogram(counts: 39, measured: 40).problems
            == ["the exported histogram counts 39 latencies, 40 were measured"])
    }
}
