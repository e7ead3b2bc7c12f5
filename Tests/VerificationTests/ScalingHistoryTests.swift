import Testing
import Verification

/// The scaling drill's checkers on hand-written rebalance logs: 6 partitions, the group grows 2 → 3
/// consumers and shrinks to 1.
@Suite("Scaling drill checkers")
struct ScalingHistoryTests {
    typealias Rebalance = ScalingHistory.Rebalance

    static func event(_ seconds: Double, _ member: String, _ kind: ScalingHistory.RebalanceKind, _ partitions: [Int32],
                      _ protocolName: String = "COOPERATIVE") -> Rebalance {
        Rebalance(seconds: seconds, member: member, kind: kind, partitions: partitions, protocolName: protocolName)
    }

    static func phases(thirdOwns: [Int32] = [2, 5]) -> [ScalingHistory.Phase] {
        [.init(consumers: 2, from: 0, to: 5, settledAt: 3, settled: ["c0": [0, 1, 2], "c1": [3, 4, 5]]),
         .init(consumers: 3, from: 5, to: 9, settledAt: 8, settled: ["c0": [0, 1], "c1": [3, 4], "c2": thirdOwns]),
         .init(consumers: 1, from: 9, to: 12, settledAt: 11, settled: ["c2": [0, 1, 2, 3, 4, 5]])]
    }

    /// Cooperative: while the group grows, c0 gives up 2 and c1 gives up 5, which c2 takes.
    static func cooperative() -> ScalingHistory {
        ScalingHistory(partitions: 6, phases: phases(), rebalances: [
            Self.event(1, "c0", .assigned, [0, 1, 2]),
            Self.event(1, "c1", .assigned, [3, 4, 5]),
            Self.event(6, "c0", .revoked, [2]),
            Self.event(6, "c1", .revoked, [5]),
            Self.event(7, "c2", .assigned, [2, 5]),
            Self.event(10, "c2", .assigned, [0, 1, 3, 4]),
        ], lag: [LagSample(seconds: 1, lag: 50), LagSample(seconds: 6, lag: 900), LagSample(seconds: 11, lag: 0)])
    }

    /// Eager: while the group grows, every consumer gives up everything and gets its share back.
    static func eager() -> ScalingHistory {
        var h = cooperative()
        h.rebalances = [
            Self.event(1, "c0", .assigned, [0, 1, 2], "EAGER"),
            Self.event(1, "c1", .assigned, [3, 4, 5], "EAGER"),
            Self.event(6, "c0", .revoked, [0, 1, 2], "EAGER"),
            Self.event(6, "c1", .revoked, [3, 4, 5], "EAGER"),
            Self.event(7, "c0", .assigned, [0, 1], "EAGER"),
            Self.event(7, "c1", .assigned, [3, 4], "EAGER"),
            Self.event(7, "c2", .assigned, [2, 5], "EAGER"),
            Self.event(10, "c2", .assigned, [0, 1, 3, 4], "EAGER"),
        ]
        return h
    }

    @Test func settledPhasesPass() {
        #expect(Self.cooperative().everyPhaseSettled().holds)
        #expect(Self.eager().everyPhaseSettled().holds)
    }

    @Test func aPartitionNobodyOwnsFails() {
        var h = Self.cooperative()
        h.phases = Self.phases(thirdOwns: [5])
        #expect(h.everyPhaseSettled().problems == ["with 3 consumers, partitions nobody owned: [2]"])
    }

    @Test func aPartitionOwnedTwiceAndAnIdleConsumerFail() {
        var h = Self.cooperative()
        h.phases[1].settled = ["c0": [0, 1, 2], "c1": [2, 3, 4, 5], "c2": []]
        #expect(h.everyPhaseSettled().problems == [
            "with 3 consumers, partitions owned twice: [2]",
            #"with 3 consumers, a consumer was idle: \#(h.phases[1].settled)"#,
        ])
    }

    @Test func aConsumerMissingFromTheGroupFails() {
        var h = Self.cooperative()
        h.phases[0].settled = ["c0": [0, 1, 2, 3, 4, 5]]
        #expect(h.everyPhaseSettled().problems == ["with 2 consumers, 1 consumers were in the group"])
    }

    @Test func aPhaseWithoutALoggedAssignmentFails() {
        var h = Self.cooperative()
        h.rebalances.removeLast()
        #expect(h.everyPhaseSettled().problems == ["no rebalance was logged with 1 consumer"])
    }

    @Test func revocationsAreWhatEachConsumerGaveUpUntilTheGroupSettled() {
        #expect(Self.cooperative().revocationsWhileGrowing() == [
            .init(member: "c0", held: [0, 1, 2], gaveUp: [2], kept: [0, 1]),
            .init(member: "c1", held: [3, 4, 5], gaveUp: [5], kept: [3, 4]),
        ])
        // A revocation after the group settled belongs to no growth.
        var late = Self.cooperative()
        late.rebalances.append(Self.event(8.5, "c0", .revoked, [0]))
        #expect(late.revocationsWhileGrowing() == Self.cooperative().revocationsWhileGrowing())
        // A lost partition is given up too.
        var lost = Self.cooperative()
        lost.rebalances.append(Self.event(7.5, "c1", .lost, [4]))
        #expect(lost.revocationsWhileGrowing()?[1].gaveUp == [4, 5])
    }

    @Test func aGroupThatNeverGrewHasNoRevocations() {
        var h = Self.cooperative()
        h.phases = [h.phases[0], h.phases[2]]
        #expect(h.growth == nil)
        #expect(h.revocationsWhileGrowing() == nil)
    }

    @Test func cooperativeHistoryPassesTheCooperativeCheckAndFailsTheEagerOne() throws {
        let rows = try #require(Self.cooperative().revocationsWhileGrowing())
        #expect(ScalingHistory.gaveUpOnlyWhatMoved(rows).holds)
        #expect(ScalingHistory.gaveUpEverything(rows).problems == [
            "c0 held [0, 1, 2] but gave up only [2]", "c1 held [3, 4, 5] but gave up only [5]",
        ])
    }

    @Test func eagerHistoryPassesTheEagerCheckAndFailsTheCooperativeOne() throws {
        let rows = try #require(Self.eager().revocationsWhileGrowing())
        #expect(ScalingHistory.gaveUpEverything(rows).holds)
        #expect(ScalingHistory.gaveUpOnlyWhatMoved(rows).problems == [
            "c0 gave up [0, 1, 2] though it kept [0, 1]", "c1 gave up [3, 4, 5] though it kept [3, 4]",
        ])
    }

    @Test func growthWhereNothingMovedFailsTheCooperativeCheck() throws {
        var h = Self.cooperative()
        h.rebalances.removeAll { $0.kind == .revoked }
        let rows = try #require(h.revocationsWhileGrowing())
        #expect(ScalingHistory.gaveUpOnlyWhatMoved(rows).problems == [
            "no consumer gave up a partition: nothing moved to the new consumer",
        ])
    }

    @Test func lagUnderTheBoundPassesAndOverItFails() {
        let h = Self.cooperative()
        #expect(h.lagStayed(under: 901, group: "g").holds)
        #expect(h.lagStayed(under: 900, group: "g").problems
                    == ["lag reached 900 records at 6.0 s, over the bound of 900"])
        #expect(ScalingHistory().lagStayed(under: 10, group: "g").problems == ["no lag was sampled for group g"])
        // KAF-04 on a foreign broker: a highest lag of -44 is no evidence of keeping up.
        let negative = ScalingHistory(lag: [LagSample(seconds: 1, lag: 30), LagSample(seconds: 2, lag: -44)])
        #expect(negative.lagStayed(under: 3000, group: "g").problems
                    == ["group g at 2.0 s: lag -44 is negative (an offset beyond the log end)"])
        #expect(h.maxLag(in: h.phases[1]) == 900)
        #expect(h.maxLag(in: h.phases[2]) == 0)
    }
}
