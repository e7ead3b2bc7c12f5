import Foundation
import Gherkin
import KafkaClient
import Cluster
import Drills
import Runtime
@testable import Steps
import Testing

/// KAF-06, KAF-09 and KAF-11's Then steps fail when their property is broken: a cluster that claims
/// compaction but never compacts, a client certificate that nothing is wrong with, documents that lack
/// what they must say.
@Suite("KAF-06/09/11 Then steps: negative controls", .serialized)
struct CardStepsNegativeControlTests {
    let base = StepNegativeControlTests()

    /// The embedded mock, claiming log compaction: it takes the compacted topic (without its configs,
    /// which the mock refuses) and keeps every record, as a cluster whose cleaner never runs would.
    final class NoCleanerCluster: Cluster, @unchecked Sendable {
        let mock: EmbeddedCluster
        init() throws { mock = try EmbeddedCluster(brokers: 3) }
        var backend: String { "no-cleaner" }
        var capabilities: Set<ClusterCapability> { mock.capabilities.union([.compaction]) }
        var bootstrapServers: String { mock.bootstrapServers }
        var clientConfig: KafkaConfig { mock.clientConfig }
        func metadata(topic: String?) async throws -> ClusterMetadata { try await mock.metadata(topic: topic) }
        func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64) {
            try await mock.watermarks(topic: topic, partition: partition)
        }
        func createTopic(_ spec: TopicSpec) async throws {
            try await mock.createTopic(TopicSpec(name: spec.name, partitions: spec.partitions,
                                                 replicationFactor: spec.replicationFactor))
        }
        func brokerAddress(_ id: Int32) async throws -> (host: String, port: Int)? { try await mock.brokerAddress(id) }
        func liveBrokers() async throws -> [Int32] { try await mock.liveBrokers() }
        func killBroker(_ id: Int32) async throws { try await mock.killBroker(id) }
        func restartBroker(_ id: Int32) async throws { try await mock.restartBroker(id) }
        func setLatency(broker: Int32, _ latency: Duration) async throws { try await mock.setLatency(broker: broker, latency) }
        func injectErrors(_ request: KafkaRequest, _ errorNames: [String]) async throws {
            try await mock.injectErrors(request, errorNames)
        }
        func moveLeader(topic: String, partition: Int32, to broker: Int32) async throws {
            try await mock.moveLeader(topic: topic, partition: partition, to: broker)
        }
        func registerCoordinatorKey(_ key: String, type: CoordinatorType) { mock.registerCoordinatorKey(key, type: type) }
        func shutdown() async { await mock.shutdown() }
    }

    @Test func compactionFailsOnAClusterThatNeverCompacts() async throws {
        let o = try await base.outcome("""
            Given a 3-broker cluster
            And a compacted topic "accounts" with fast cleaner settings
            When I write 6 keys with 3 updates each to "accounts" and delete every 3th key
            Then within 3 seconds the log of "accounts" keeps only the latest value of each key, and deleted keys are gone
            """, on: KafkaEnvironment(factory: { _ in try NoCleanerCluster() }))
        base.expectFailure(o, mentioning: "superseded records survived compaction")
    }

    @Test func aCertificateNothingIsWrongWithIsNotRefused() async throws {
        let o = try await base.outcome("""
            Given a client certificate that is valid
            Then a TLS client configured with that certificate is refused before it connects, with an error naming "ssl.certificate.location"
            """, on: try KafkaEnvironment(backend: .embedded)) { code in
            code.given("a client certificate that is valid") { ctx in
                let files = try await SecurityDrill.makeClientCertificate(days: 1)
                ctx.world.update(SecuritySteps.State.Key.self) { $0.certificates = files }
            }
        }
        base.expectFailure(o, mentioning: "nothing refused it before it connects")
    }

    @Test func documentsThatLackASectionOrATermFail() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kbdd-doc-\(UUID().uuidString).md").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "# Sheet\n\n## Slow fetches\n\nLikely cause: cold reads. Check: disk reads.\n\n## Lag\n\nLikely cause: slow consumers.\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let environment = try KafkaEnvironment(backend: .embedded)
        base.expectFailure(try await base.outcome("""
            Then the document "\(path)" has at least 2 sections that each mention:
              | likely cause |
              | check        |
            """, on: environment), mentioning: "\"Lag\" does not mention check")
        base.expectFailure(try await base.outcome("""
            Then the document "\(path)" has a section of at least 4 words for each of:
              | Slow fetches |
              | Certificates |
            """, on: environment), mentioning: "has no section \"Certificates\"")
        base.expectFailure(try await base.outcome("""
            Then the document "\(path)" has a section of at least 40 words for each of:
              | Slow fetches |
            """, on: environment), mentioning: "\"Slow fetches\" has 7 words, at least 40 expected")
    }
}
