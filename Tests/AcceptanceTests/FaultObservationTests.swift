import Cluster
import KafkaClient
import Testing

/// Faults are confirmed on the wire: a probe from outside any client sees them.
@Suite("Faults observed on the cluster")
struct FaultObservationTests {
    @Test func aLiveBrokerAnswersApiVersions() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { Task { await cluster.shutdown() } }
        for broker in Int32(1)...3 {
            let outcome = try await cluster.probe(broker: broker)
            #expect(outcome.answered, "broker \(broker): \(outcome)")
        }
    }

    @Test func killAndRestartShowOnTheWire() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        try await cluster.kill(broker: 2)
        #expect(try await !cluster.probe(broker: 2).answered)
        #expect(try await cluster.probe(broker: 1).answered, "the others keep serving")
        try await cluster.restart(broker: 2)
        #expect(try await cluster.probe(broker: 2).answered)
        await cluster.shutdown()
    }

    @Test func injectedLatencyShowsInTheRoundTrip() async throws {
        let cluster = try EmbeddedCluster(brokers: 2)
        let (before, after) = try await cluster.slow(broker: 1, by: .milliseconds(150))
        #expect(after >= .milliseconds(135))
        #expect(before < .milliseconds(100))
        #expect(try await cluster.probe(broker: 2).roundTrip.map { $0 < .milliseconds(100) } == true, "only broker 1 is slowed")
        await cluster.shutdown()
    }

    /// A backend whose faults are no-ops, reported as done: every confirmed fault must fail.
    @Test func aLyingClusterIsCaught() async throws {
        let liar = LyingCluster(try EmbeddedCluster(brokers: 3))
        await #expect(throws: FaultNotObserved.self) { try await liar.kill(broker: 2, within: .seconds(1)) }
        await #expect(throws: FaultNotObserved.self) { try await liar.slow(broker: 1, by: .milliseconds(150)) }
        await liar.shutdown()
    }

    @Test func anUnreachableAddressIsNotAnAnswer() async {
        let outcome = await BrokerProbe.apiVersions(host: "127.0.0.1", port: 1, timeout: .milliseconds(500))
        #expect(!outcome.answered)
    }
}
