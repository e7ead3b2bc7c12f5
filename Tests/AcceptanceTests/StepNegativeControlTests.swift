import Foundation
import Harness
@testable import Steps
import Testing

/// Every Then step fails when its property is broken.
@Suite("Then steps: negative controls", .serialized)
struct StepNegativeControlTests {
    /// Runs one scenario with the real vocabulary plus test-only steps that break things.
    func outcome(_ steps: String, _ extra: (inout SupportCode) -> Void = { _ in }) async throws -> TestCaseOutcome {
        var support = Steps.supportCode(environment: try KafkaEnvironment(backend: .embedded))
        extra(&support)
        let file = FeatureFile(uri: "negative.feature", source: "Feature: negative control\n  Scenario: broken\n" + steps)
        #expect(file.errors.isEmpty)
        return await Runner(support: support) { _ in }.run([file]).outcomes[0]
    }

    func expectFailure(_ o: TestCaseOutcome, mentioning text: String) {
        #expect(o.status == .failed, "\(o.steps.map { ($0.text, $0.result.status) })")
        #expect(o.decisive?.result.message?.contains(text) == true, "\(o.decisive?.result.message ?? "")")
    }

    /// A cluster that models replication but reports a partition with a replica twice on one broker.
    final class BrokenReplicasCluster: Cluster, @unchecked Sendable {
        let backend = "fake"
        let capabilities: Set<ClusterCapability> = [.replication]
        let bootstrapServers = "127.0.0.1:1"
        let clientConfig = KafkaConfig()
        var topics: [String] = []
        func metadata(topic: String?) async throws -> ClusterMetadata {
            ClusterMetadata(brokers: [], topics: topics.map { name in
                TopicMetadata(name: name, partitions: [PartitionMetadata(id: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3], error: 0),
                                                       PartitionMetadata(id: 1, leader: 1, replicas: [1, 1, 2], isr: [1, 2], error: 0)], error: 0)
            })
        }
        func createTopic(_ spec: TopicSpec) async throws { topics.append(spec.name) }
        func liveBrokers() async throws -> [Int32] { [1, 2, 3] }
        func killBroker(_ id: Int32) async throws {}
        func restartBroker(_ id: Int32) async throws {}
        func setLatency(broker: Int32, _ latency: Duration) async throws {}
        func injectErrors(_ request: KafkaRequest, _ errorNames: [String]) async throws {}
        func moveLeader(topic: String, partition: Int32, to broker: Int32) async throws {}
        func registerCoordinatorKey(_ key: String, type: CoordinatorType) {}
        func shutdown() async {}
    }

    @Test func replicasOnDistinctBrokersFailsForAReplicaTwiceOnOneBroker() async throws {
        let file = FeatureFile(uri: "n.feature", source: """
            Feature: n
              Scenario: s
                Given a 3-broker cluster
                And a topic "t" with 2 partitions and replication factor 3
                Then every partition of "t" has 3 replicas on distinct brokers
            """)
        let support = Steps.supportCode(environment: KafkaEnvironment(factory: { _ in BrokenReplicasCluster() }))
        let o = await Runner(support: support) { _ in }.run([file]).outcomes[0]
        expectFailure(o, mentioning: "1 → [1, 1, 2]")
    }

    @Test func replicasStepIsSkippedWhereReplicationIsNotModelled() async throws {
        let o = try await outcome("""
                Given a 3-broker cluster
                And a topic "t" with 3 partitions and replication factor 1
                Then every partition of "t" has 3 replicas on distinct brokers
            """)
        #expect(o.status == .skipped)
        #expect(o.decisive?.result.message == "embedded cluster does not model replication, acks and ISR — run with --cluster compose")
    }

    @Test func leadersSpreadFailsWhenFewerPartitionsThanBrokers() async throws {
        expectFailure(try await outcome("""
                Given a 3-broker cluster
                And a topic "t" with 2 partitions and replication factor 3
                Then the leaders of "t" are spread over 3 brokers
            """), mentioning: "expected 3")
    }

    @Test func noPartitionLedByBrokerFailsWhenItStillLeads() async throws {
        expectFailure(try await outcome("""
                Given a 3-broker cluster
                And a topic "t" with 3 partitions and replication factor 3
                Then no partition of "t" is led by broker 2
            """), mentioning: "still leads")
    }

    @Test func backInTheClusterFailsWhileTheBrokerIsDown() async throws {
        expectFailure(try await outcome("""
                Given a 3-broker cluster
                When broker 2 is killed
                Then broker 2 is back in the cluster
            """), mentioning: "is not running")
    }

    /// A record the ledger says was acknowledged but that never reached the cluster: a loss.
    static func dropOne(_ code: inout SupportCode) {
        code.when("the cluster silently drops an acknowledged message") { ctx in
            ctx.ledger.sent(999_999, key: "key-x")
            ctx.ledger.acknowledged(999_999, partition: 0, offset: 1_000_000)
        }
        code.when("the consumer sees one message twice at different offsets") { ctx in
            // A duplicate in the log as a broken idempotent producer would leave it.
            let topic = try ctx.topic("t")
            let producer = try Producer(config: try ctx.cluster().config(["log_level": "0"]))
            defer { producer.close() }
            _ = try await producer.send(topic: topic, partition: 0, key: Array("key-1".utf8), value: Payload.make(id: 1, size: 100))
        }
    }

    @Test func exactlyOnceFailsOnALoss() async throws {
        expectFailure(try await outcome("""
                Given a 3-broker cluster
                And a topic "t" with 3 partitions and replication factor 3
                When I produce 100 keyed messages to "t" with acks=all
                And the cluster silently drops an acknowledged message
                Then every acknowledged message is consumed exactly once
            """, Self.dropOne), mentioning: "1 acknowledged messages lost")
    }

    @Test func noLossFailsOnALoss() async throws {
        expectFailure(try await outcome("""
                Given a 3-broker cluster
                And a topic "t" with 3 partitions and replication factor 3
                When I produce 100 keyed messages to "t" with acks=all
                And the cluster silently drops an acknowledged message
                Then no acknowledged message is lost
            """, Self.dropOne), mentioning: "[999999]")
    }

    @Test func exactlyOnceReportsDuplicatesButHoldsOnlyLossesAgainstTheEmbeddedCluster() async throws {
        let o = try await outcome("""
                Given a 3-broker cluster
                And a topic "t" with 1 partition and replication factor 3
                When I produce 10 keyed messages to "t" with acks=all
                And the consumer sees one message twice at different offsets
                Then every acknowledged message is consumed exactly once
            """, Self.dropOne)
        // The embedded cluster does not model idempotent de-duplication: the duplicate is logged, not failed.
        #expect(o.status == .passed)
    }
}
