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

@Suite("Then steps of KAF-13: negative controls", .serialized)
struct MonitoringStepNegativeControlTests {
    let base = StepNegativeControlTests()

    static func stall(lag: [(Double, Int64)], metrics: String = "") -> StallRecord {
        let history = StallHistory(lag: lag.map { LagSample(seconds: $0.0, lag: $0.1) }, stallFrom: 2, stallTo: 5)
        return StallRecord(history: history, metrics: metrics)
    }

    static func breakers(_ code: inout SupportCode) {
        code.given("group {string} never fell behind") { ctx in
            let g = try ctx.string(0)
            ctx.world.update(MonitoringState.Key.self) { $0.stalls[g] = stall(lag: [(0, 10), (1, 20), (3, 50), (5, 40), (7, 0)]) }
        }
        code.given("group {string} never caught up") { ctx in
            let g = try ctx.string(0)
            ctx.world.update(MonitoringState.Key.self) { $0.stalls[g] = stall(lag: [(0, 10), (2, 100), (3, 600), (4, 900), (6, 1200), (8, 1500)]) }
        }
        code.given("the exported metrics of group {string} lack partition {int}") { ctx in
            let g = try ctx.string(0), missing = try ctx.int(1)
            let topic = try ctx.topic("orders")
            let lines = (0..<3).filter { $0 != missing }.map { "kafka_bdd_consumer_lag_records{client_id=\"c\",group=\"\(g)\",topic=\"\(topic)\",partition=\"\($0)\"} 5.0" }
            ctx.world.update(MonitoringState.Key.self) { $0.stalls[g] = stall(lag: [], metrics: "# TYPE kafka_bdd_consumer_lag_records gauge\n" + lines.joined(separator: "\n")) }
        }
        code.given("the round trips took {int} ms") { ctx in
            let ms = Double(try ctx.int(0))
            ctx.world.update(MonitoringState.Key.self) { $0.probes = Array(repeating: ms, count: 20) }
        }
        code.given("one probe never came back") { ctx in
            ctx.world.update(MonitoringState.Key.self) { $0.probes = [10, 12, nil, 11] }
        }
    }

    func run(_ steps: String) async throws -> TestCaseOutcome {
        try await base.outcome("""
                Given a 3-broker cluster
                And a topic "orders" with 3 partitions and replication factor 3

            """ + steps, Self.breakers)
    }

    @Test func alertThatNeverFiresFails() async throws {
        base.expectFailure(try await run("""
                Given group "g" never fell behind
                Then the lag alert (lag over 300 records for 1 second) fired while the consumer stalled and resolved after it caught up
            """), mentioning: "the alert never fired")
    }

    @Test func alertThatNeverResolvesFails() async throws {
        base.expectFailure(try await run("""
                Given group "g" never caught up
                Then the lag alert (lag over 300 records for 1 second) fired while the consumer stalled and resolved after it caught up
            """), mentioning: "still firing at the end")
    }

    @Test func metricsWithoutAPartitionsLagFail() async throws {
        base.expectFailure(try await run("""
                Given the exported metrics of group "g" lack partition 1
                Then the exported metrics of group "g" give the lag of every partition of "orders"
            """), mentioning: "for partitions [1] of orders")
    }

    @Test func slowProbeIsRed() async throws {
        base.expectFailure(try await run("""
                Given the round trips took 300 ms
                Then the probe is green with a p95 round trip under 250 ms
            """), mentioning: "red: p95 round trip 300.0 ms")
    }

    @Test func lostProbeIsRed() async throws {
        base.expectFailure(try await run("""
                Given one probe never came back
                Then the probe is green with a p95 round trip under 250 ms
            """), mentioning: "red: 1 of 4 probes never came back")
    }

    @Test func probeThroughASlowNetworkIsRed() async throws {
        base.expectFailure(try await run("""
                Given a topic "heartbeat" with 1 partition and replication factor 3
                When the network to every broker is slowed by 150 ms
                And the heartbeat probe makes 5 round trips through "heartbeat"
                Then the probe is green with a p95 round trip under 250 ms
            """), mentioning: "red: p95 round trip")
    }

    @Test func sloFailsWithAnOfflinePartition() async throws {
        base.expectFailure(try await run("""
                When I measure produce and end-to-end latency of 200 messages on "orders"
                And every replica of partition 0 of "orders" is killed
                Then the SLOs hold: produce p95 under 250 ms, end-to-end p95 under 500 ms, and no offline partition of "orders"
            """), mentioning: "offline partitions is 3.0, over the objective")
    }

    @Test func sloFailsOverTheLatencyObjective() async throws {
        base.expectFailure(try await run("""
                When the network to every broker is slowed by 100 ms
                And I measure produce and end-to-end latency of 50 messages on "orders"
                Then the SLOs hold: produce p95 under 50 ms, end-to-end p95 under 500 ms, and no offline partition of "orders"
            """), mentioning: "produce p95 (ms) is")
    }

    @Test func sloFailsOverTheEndToEndObjective() async throws {
        base.expectFailure(try await run("""
                When the network to every broker is slowed by 100 ms
                And I measure produce and end-to-end latency of 50 messages on "orders"
                Then the SLOs hold: produce p95 under 5000 ms, end-to-end p95 under 50 ms, and no offline partition of "orders"
            """), mentioning: "end-to-end p95 (ms) is")
    }

    @Test func breachStepFailsWhenEveryPartitionIsOnline() async throws {
        base.expectFailure(try await run("""
                Then the offline-partitions SLO of "orders" is breached
            """), mentioning: "no partition is offline")
    }
}
