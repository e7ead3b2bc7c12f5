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

/// Every Then step fails when its property is broken.
@Suite("Then steps: negative controls", .serialized)
struct StepNegativeControlTests {
    /// Runs one scenario with the real vocabulary plus test-only steps that break things.
    func outcome(_ steps: String, on environment: KafkaEnvironment? = nil,
                 _ extra: (inout SupportCode) -> Void = { _ in }) async throws -> TestCaseOutcome {
        var support = Steps.supportCode(environment: try environment ?? KafkaEnvironment(backend: .embedded))
        extra(&support)
        let file = FeatureFile(uri: "negative.feature", source: "Feature: negative control\n  Scenario: broken\n" + steps)
        #expect(file.errors.isEmpty)
        return await Runner(support: support) { _ in }.run([file]).outcomes[0]
    }

    func expectFailure(_ o: TestCaseOutcome, mentioning text: String) {
        #expect(o.status == .failed, "\(o.steps.map { ($0.text, $0.result.status) })")
        #expect(o.decisive?.result.message?.contains(text) == true, "\(o.decisive?.result.message ?? "")")
    }

    /// A cluster that models replication and creates topics as asked (the Given reads them back), then
    /// reports a partition with a replica twice on one broker and a shrunk ISR.
    final class BrokenReplicasCluster: Cluster, @unchecked Sendable {
        let backend = "fake"
        let capabilities: Set<ClusterCapability> = [.replication, .retention]
        let bootstrapServers = "127.0.0.1:1"
        let clientConfig = KafkaConfig()
        var topics: [(name: String, partitions: Int)] = []
        var reads = 0
        func metadata(topic: String?) async throws -> ClusterMetadata {
            if topic != nil { reads += 1 }
            let second = reads <= 1 ? PartitionMetadata(id: 1, leader: 2, replicas: [2, 3, 1], isr: [2, 3, 1], error: 0)
                : PartitionMetadata(id: 1, leader: 1, replicas: [1, 1, 2], isr: [1], error: 0)
            let brokers = [1, 2, 3].map { BrokerInfo(id: $0, host: "127.0.0.1", port: 1) }
            let layout = [PartitionMetadata(id: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3], error: 0), second]
            return ClusterMetadata(brokers: brokers, topics: topics.map { t in
                TopicMetadata(name: t.name, partitions: Array(layout.prefix(t.partitions)), error: 0)
            })
        }
        func createTopic(_ spec: TopicSpec) async throws { topics.append((spec.name, Int(spec.partitions))) }
        /// Records are written but retention never deletes any.
        func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64) { (0, 10) }
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
        let o = try await outcome("""
            Given a 3-broker cluster
            And a topic "t" with 2 partitions and replication factor 3
            Then every partition of "t" has 3 replicas on distinct brokers
            """, on: KafkaEnvironment(factory: { _ in BrokenReplicasCluster() }))
        expectFailure(o, mentioning: "t partition 1 lists broker 1 more than once in its replicas [1, 1, 2]")
    }

    @Test func inSyncFailsForAShrunkISR() async throws {
        let o = try await outcome("""
            Given a 3-broker cluster
            And a topic "t" with 2 partitions and replication factor 3
            Then every replica of "t" is in sync
            """, on: KafkaEnvironment(factory: { _ in BrokenReplicasCluster() }))
        expectFailure(o, mentioning: "partition 1 lists broker 1 more than once in its replicas [1, 1, 2]")
    }

    @Test func retentionFailsWhenRecordsOutliveIt() async throws {
        let o = try await outcome("""
            Given a 3-broker cluster
            And a topic "t" with 1 partition, replication factor 3 and retention.ms=100
            Then within 1 seconds the records of "t" written before are gone
            """, on: KafkaEnvironment(factory: { _ in BrokenReplicasCluster() }))
        expectFailure(o, mentioning: "after 1 s records are still there: partition 0: 10")
    }

    @Test func replicasStepIsSkippedWhereReplicationIsNotModelled() async throws {
        let o = try await outcome("""
                Given a 3-broker cluster
                And a topic "t" with 3 partitions and replication factor 1
                Then every partition of "t" has 3 replicas on distinct brokers
            """)
        #expect(o.status == .skipped)
        #expect(o.decisive?.result.message?.hasPrefix("step 'every partition of \"t\" has 3 replicas") == true)
        #expect(o.decisive?.result.message?.hasSuffix(
            "was not verified: embedded cluster does not model replication, acks and ISR — run with --cluster compose") == true)
    }

    /// Claims the mock cannot falsify after a broker kill (one shared log: a killed leader loses nothing)
    /// skip naming the capability — both "none lost" and "a loss is found". Mutant: a skip that passes.
    @Test(arguments: ["no acknowledged message is lost", "the checker finds acknowledged messages that were lost"])
    func lossClaimsAfterABrokerKillSkipOnTheMock(_ claim: String) async throws {
        let o = try await outcome("""
                Given a 3-broker cluster
                And a topic "t" with 3 partitions and replication factor 3
                When I produce 300 keyed messages to "t" with acks=all while broker 2 is killed
                Then \(claim)
            """)
        #expect(o.status == .skipped, "\(o.steps.map { ($0.text, $0.result.status) })")
        #expect(o.decisive?.result.message?.contains("replication, acks and ISR") == true,
                "\(o.decisive?.result.message ?? "")")
    }

    // A new user's trial: with no fault nothing makes an idempotent producer retry, so "written twice"
    // can fail on the mock — it was skipped as if a fault had happened.
    @Test func duplicatesFromAFaultFreeIdempotentRunAreJudgedOnTheMock() async throws {
        expectFailure(try await outcome("""
                Given a 3-broker cluster
                And a topic "t" with 3 partitions and replication factor 3
                When I produce 300 keyed messages to "t" with these producer settings:
                  | acks               | all  |
                  | enable.idempotence | true |
                Then the checker finds messages that were written twice
            """), mentioning: "no message was written twice")
    }

    @Test func inventoryReplicationFactorSkipsWhereReplicationIsNotModelled() async throws {
        let o = try await outcome("""
                Given a 3-broker cluster
                And a topic "t" with 3 partitions and replication factor 1
                When the admin tool takes an inventory
                Then the inventory lists topic "t" with 3 partitions and replication factor 3
            """)
        #expect(o.status == .skipped, "\(o.steps.map { ($0.text, $0.result.status) })")
        expectFailure(try await outcome("""
                Given a 3-broker cluster
                And a topic "t" with 3 partitions and replication factor 1
                When the admin tool takes an inventory
                Then the inventory lists topic "t" with 4 partitions and replication factor 1
            """), mentioning: "with 3 partitions, not 4")
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
            """), mentioning: "broker 2 is not serving")
    }

    /// The lying cluster's kill is a no-op reported as done: the kill step itself must fail.
    @Test func aKillThatDidNothingFailsTheKillStep() async throws {
        let liar = KafkaEnvironment(factory: { brokers in LyingCluster(try EmbeddedCluster(brokers: brokers), lying: [.kill]) })
        expectFailure(try await outcome("""
                Given a 3-broker cluster
                When broker 2 is killed
                Then no partition of "t" is led by broker 2
            """, on: liar), mentioning: "was killed but still answered ApiVersions")
    }

    /// A restart that did nothing: the broker is still down when the step's deadline passes.
    @Test func aRestartThatDidNothingFailsTheRestartStep() async throws {
        let liar = KafkaEnvironment(factory: { brokers in
            LyingCluster(try EmbeddedCluster(brokers: brokers), lying: [.restart])
        })
        let o = try await outcome("""
                Given a 3-broker cluster
                When broker 2 is killed
                And broker 2 is restarted
            """, on: liar)
        #expect(o.status == .failed)
        #expect(o.decisive?.result.message?.contains("was restarted but after") == true, "\(o.decisive?.result.message ?? "")")
    }

    /// Latency that was never applied does not show in the measured round trip.
    @Test func latencyThatDidNothingFailsTheLatencyStep() async throws {
        let liar = KafkaEnvironment(factory: { brokers in LyingCluster(try EmbeddedCluster(brokers: brokers), lying: [.latency]) })
        expectFailure(try await outcome("""
                Given a 3-broker cluster
                When the network to broker 1 is slowed by 200 ms
            """, on: liar), mentioning: "was slowed by 200 ms but answers in")
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
            let producer = try Producer(config: try ctx.cluster().config())
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

    @Test func exactlyOnceFailsOnADuplicateNoFaultExplains() async throws {
        let o = try await outcome("""
                Given a 3-broker cluster
                And a topic "t" with 1 partition and replication factor 3
                When I produce 10 keyed messages to "t" with acks=all
                And the consumer sees one message twice at different offsets
                Then every acknowledged message is consumed exactly once
            """, Self.dropOne)
        // No fault made the idempotent producer retry: a duplicate is a real defect, even on the mock.
        #expect(o.status == .failed)
        #expect(o.decisive?.result.message?.contains("1 duplicated") == true)
    }
}
