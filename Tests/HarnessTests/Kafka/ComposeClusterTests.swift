import Foundation
@testable import Messages
@testable import Gherkin
@testable import Expressions
@testable import Runtime
@testable import Reporting
@testable import KafkaClient
@testable import Cluster
@testable import Verification
import Synchronization
import Testing

/// The compose backend cannot run here (no Docker engine): these tests check the commands it issues.
@Suite("Compose cluster commands")
struct ComposeClusterTests {
    final class RecordingRunner: CommandRunner {
        let calls = Mutex<[(args: [String], input: String?)]>([])
        func run(_ arguments: [String], input: String?) async throws -> String {
            calls.withLock { $0.append((arguments, input)) }
            return ""
        }
        var commands: [String] { calls.withLock { $0.map { $0.args.joined(separator: " ") } } }
    }

    @Test func killIsAHardKillAndRestartStartsTheService() async throws {
        let runner = RecordingRunner()
        let cluster = try ComposeCluster(runner: runner)
        try await cluster.killBroker(2)
        try await cluster.restartBroker(2)
        #expect(runner.commands == ["docker compose -f docker-compose.yml kill -s SIGKILL kafka-2",
                                    "docker compose -f docker-compose.yml start kafka-2"])
        await #expect(throws: KafkaError.self) { try await cluster.killBroker(4) }
    }

    @Test func latencyGoesThroughToxiproxy() async throws {
        let runner = RecordingRunner()
        let cluster = try ComposeCluster(runner: runner)
        try await cluster.setLatency(broker: 3, .milliseconds(250))
        #expect(runner.commands.last == "docker compose -f docker-compose.yml exec -T toxiproxy /toxiproxy-cli toxic add -t latency -n latency -a latency=250 kafka-3")
    }

    @Test func capabilitiesAreKafkasPlusFaultsButNoErrorInjection() async throws {
        let cluster = try ComposeCluster(runner: RecordingRunner())
        #expect(cluster.capabilities.isSuperset(of: [.replication, .transactionIsolation, .fencing, .brokerFaults, .latency, .admin]))
        await #expect(throws: Unsupported.self) { try await cluster.injectErrors(.produce, ["NOT_LEADER_FOR_PARTITION"]) }
        #expect(cluster.bootstrapServers == "localhost:29091,localhost:29092,localhost:29093")
    }

    @Test func externalClusterHasNoFaultsAndFailsFastWhenUnreachable() async throws {
        let cluster = try ExternalCluster(bootstrapServers: "127.0.0.1:1", clientConfig: KafkaConfig(["sasl.password": "hunter2"]))
        await #expect(throws: Unsupported.self) { try await cluster.killBroker(1) }
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: KafkaError.self) { try await cluster.checkReachable(timeout: .seconds(2)) }
        #expect(clock.now - start < .seconds(10))
        #expect(!cluster.clientConfig.description.contains("hunter2"))
        #expect(cluster.clientConfig.description.contains("sasl.password=[redacted]"))
        await cluster.shutdown()
    }

    @Test func externalClusterNeedsBootstrapServers() {
        #expect(throws: KafkaError.self) { try ExternalCluster.fromEnvironment([:]) }
    }
}
