import Foundation
import Messages
import Gherkin
import Runtime
import Reporting
import KafkaClient
import Cluster
import Drills
import Verification
@testable import Steps
import Testing

@Suite("Then steps of KAF-04: negative controls", .serialized)
struct CommitStepNegativeControlTests {
    let base = StepNegativeControlTests()

    static func breakers(_ code: inout SupportCode) {
        code.when("the restarted consumer began one record after the committed offset") { ctx in
            ctx.world.update(CommitState.Key.self) { s in
                var crashed = CommitSteps.Session()
                crashed.read = [(1, 0, 0), (2, 0, 1), (3, 0, 2)]
                crashed.committed = [0: 1]
                var restarted = CommitSteps.Session()
                restarted.read = [(3, 0, 2)] // skipped offset 1: id 2 is lost
                s.sessions["crashed"] = crashed
                s.sessions["restarted"] = restarted
            }
            for id in UInt64(1)...3 { ctx.ledger.sent(id, key: nil); ctx.ledger.acknowledged(id, partition: 0, offset: Int64(id - 1)) }
        }
        code.when("an acknowledged record was read by neither consumer") { ctx in
            ctx.ledger.sent(4, key: nil)
            ctx.ledger.acknowledged(4, partition: 0, offset: 3)
        }
        code.when("the group's committed offsets differ from what was processed") { ctx in
            var session = CommitSteps.Session()
            session.committed = [0: 999]
            ctx.world.update(CommitState.Key.self) { $0.sessions["listener"] = session }
        }
        code.when("the backfill read offsets 10 to 33 only") { ctx in
            ctx.world.update(CommitState.Key.self) { $0.backfill = (10...33).map { (0, Int64($0)) } }
        }
    }

    func run(_ steps: String) async throws -> TestCaseOutcome {
        try await base.outcome("    Given a 3-broker cluster\n    And a topic \"orders\" with 6 partitions and replication factor 3\n" + steps, Self.breakers)
    }

    @Test func restartAfterTheCommittedOffsetFails() async throws {
        base.expectFailure(try await run("""
                When the restarted consumer began one record after the committed offset
                Then the new consumer started at the first uncommitted record of every partition
            """), mentioning: "restarted at [0]@2, committed 1")
    }

    @Test func skippingAnUncommittedRecordIsNotARedelivery() async throws {
        base.expectFailure(try await run("""
                When the restarted consumer began one record after the committed offset
                Then exactly the 2 uncommitted records were delivered twice, and nothing was lost
            """), mentioning: "redelivered 1 records, expected the 2 uncommitted ones")
    }

    @Test func recordReadByNeitherConsumerIsLost() async throws {
        base.expectFailure(try await run("""
                When the restarted consumer began one record after the committed offset
                And an acknowledged record was read by neither consumer
                Then exactly the 1 uncommitted records were delivered twice, and nothing was lost
            """), mentioning: "1 acknowledged records never read, e.g. [4]")
    }

    @Test func commitOtherThanProcessedFails() async throws {
        base.expectFailure(try await run("""
                When the group's committed offsets differ from what was processed
                Then group "billing" has committed on "orders" exactly the offsets that consumer processed
            """), mentioning: "processed [(key: 0, value: 999)]")
    }

    @Test func shortBackfillFails() async throws {
        base.expectFailure(try await run("""
                When the backfill read offsets 10 to 33 only
                Then the backfill processed exactly offsets 10 to 34 of partition 0
            """), mentioning: "processed 24 records, offsets 10–33")
    }
}

@Suite("Then steps of the KAF-04 scaling drill: negative controls", .serialized)
struct ScalingStepNegativeControlTests {
    let base = StepNegativeControlTests()

    /// A drill record as the scaling step leaves it, broken in one way per test.
    static func record(unowned: Bool = false, silentPhase: Bool = false, revokedWhileGrowing: [Int32] = [2],
                       lag: Int64 = 100) -> ScalingHistory {
        var r = ScalingHistory()
        r.partitions = 6
        r.phases = [
            .init(consumers: 2, from: 0, to: 5, settledAt: 3, settled: ["c0": [0, 1, 2], "c1": [3, 4, 5]]),
            .init(consumers: 3, from: 5, to: 9, settledAt: 8, settled: ["c0": [0, 1], "c1": [3, 4], "c2": unowned ? [5] : [2, 5]]),
            .init(consumers: 1, from: 9, to: 12, settledAt: 11, settled: ["c2": [0, 1, 2, 3, 4, 5]]),
        ]
        r.rebalances = [
            .init(seconds: 3, member: "c0", kind: .assigned, partitions: [0, 1, 2], protocolName: "COOPERATIVE"),
            .init(seconds: 6, member: "c0", kind: .revoked, partitions: revokedWhileGrowing,
                  protocolName: "COOPERATIVE"),
            .init(seconds: 6, member: "c1", kind: .revoked, partitions: [5], protocolName: "COOPERATIVE"),
            .init(seconds: 7, member: "c2", kind: .assigned, partitions: [2, 5], protocolName: "COOPERATIVE"),
        ]
        if !silentPhase {
            r.rebalances.append(.init(seconds: 10, member: "c2", kind: .assigned, partitions: [0, 1, 3, 4],
                                      protocolName: "COOPERATIVE"))
        }
        r.lag = [LagSample(seconds: 1, lag: 50), LagSample(seconds: 6, lag: lag), LagSample(seconds: 11, lag: 0)]
        return r
    }

    func run(_ record: ScalingHistory, _ then: String) async throws -> TestCaseOutcome {
        try await base.outcome("    Given the drill of group \"g\" went like this\n    " + then) { code in
            code.given("the drill of group {string} went like this") { ctx in
                let group = try ctx.string(0)
                ctx.world.update(ScalingState.Key.self) { $0.drills[group] = record }
            }
        }
    }

    @Test func cleanRecordPassesEveryStep() async throws {
        for then in ["Then each scaling step of group \"g\" was a logged rebalance after which every partition had exactly one consumer",
                     "Then while group \"g\" grew, its consumers gave up only the partitions that moved", "Then the lag of group \"g\" stayed under 2500 records"] {
            #expect(try await run(Self.record(), then).status == .passed, "\(then)")
        }
    }

    @Test func partitionWithoutAConsumerFails() async throws {
        base.expectFailure(try await run(Self.record(unowned: true),
                                         "Then each scaling step of group \"g\" was a logged rebalance after which every partition had exactly one consumer"),
                           mentioning: "with 3 consumers, partitions nobody owned: [2]")
    }

    @Test func phaseWithoutARebalanceFails() async throws {
        base.expectFailure(try await run(Self.record(silentPhase: true),
                                         "Then each scaling step of group \"g\" was a logged rebalance after which every partition had exactly one consumer"),
                           mentioning: "no rebalance was logged with 1 consumer")
    }

    @Test func eagerRevocationWhereCooperativeWasExpectedFails() async throws {
        base.expectFailure(try await run(Self.record(revokedWhileGrowing: [0, 1, 2]), "Then while group \"g\" grew, its consumers gave up only the partitions that moved"),
                           mentioning: "c0 gave up [0, 1, 2] though it kept [0, 1]")
    }

    @Test func incrementalRevocationWhereEagerWasExpectedFails() async throws {
        base.expectFailure(try await run(Self.record(), "Then while group \"g\" grew, its consumers gave up all their partitions"),
                           mentioning: "c0 held [0, 1, 2] but gave up only [2]")
    }

    @Test func growthWhereNothingMovedFails() async throws {
        var r = Self.record()
        r.rebalances.removeAll { $0.kind == .revoked }
        base.expectFailure(try await run(r, "Then while group \"g\" grew, its consumers gave up only the partitions that moved"),
                           mentioning: "no consumer gave up a partition")
    }

    @Test func lagOverTheBoundFails() async throws {
        base.expectFailure(try await run(Self.record(lag: 2600), "Then the lag of group \"g\" stayed under 2500 records"),
                           mentioning: "lag reached 2600 records at 6.0 s, over the bound of 2500")
    }
}
