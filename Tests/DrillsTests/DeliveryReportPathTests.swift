import Cluster
import Drills
import KafkaClient
import Testing
import Verification

/// The path from librdkafka's delivery reports to the ledger: an error must never become an
/// acknowledgement, or every loss verdict downstream would be computed from a lie.
@Suite("Delivery reports into the ledger")
struct DeliveryReportPathTests {
    @Test func rejectedWritesAreFailuresNotAcknowledgements() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try await cluster.createTopic(TopicSpec(name: "t", partitions: 1, replicationFactor: 1))
        // Every produce request is rejected by the broker with a non-retriable error.
        try await cluster.injectErrors(.produce, Array(repeating: "MSG_SIZE_TOO_LARGE", count: 100))
        let ledger = DeliveryLedger()
        try await ledger.produce(20, to: "t", config: cluster.config(["enable.idempotence": "false", "linger.ms": "0"]))
        let verdict = ledger.verdict()
        #expect(verdict.acknowledged == 0, "\(verdict)")
        #expect(verdict.failed == 20, "\(verdict)")
        #expect(!verdict.preconditions().holds, "nothing acknowledged voids any delivery claim")
        await cluster.shutdown()
    }
}
