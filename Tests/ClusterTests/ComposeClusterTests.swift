import Foundation
@testable import KafkaClient
@testable import Cluster
import Synchronization
import Testing
import Yams
import TestSupport

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

    static let composeFile = Paths.packageRoot.appendingPathComponent("docker-compose.yml").path

    @Test func killIsAHardKillAndRestartStartsTheService() async throws {
        let runner = RecordingRunner()
        let cluster = try ComposeCluster(composeFile: "/p/docker-compose.yml", runner: runner)
        try await cluster.killBroker(2)
        try await cluster.restartBroker(2)
        #expect(runner.commands == ["docker compose -f /p/docker-compose.yml kill -s SIGKILL kafka-2",
                                    "docker compose -f /p/docker-compose.yml start kafka-2"])
        await #expect(throws: NoSuchBroker.self) { try await cluster.killBroker(4) }
    }

    @Test func latencyGoesThroughToxiproxyBothWays() async throws {
        let runner = RecordingRunner()
        let cluster = try ComposeCluster(composeFile: "/p/docker-compose.yml", runner: runner)
        try await cluster.setLatency(broker: 3, .milliseconds(250))
        let cli = "docker compose -f /p/docker-compose.yml exec -T toxiproxy /toxiproxy-cli"
        let add = "\(cli) toxic add -t latency -n kafka-bdd-latency"
        #expect(runner.commands == ["\(cli) inspect kafka-3", "\(add)-upstream -u -a latency=125 kafka-3",
                                    "\(add)-downstream -d -a latency=125 kafka-3"])
    }

    @Test func theComposeFileIsFoundFromTheEnvironmentOrUpTheTree() throws {
        let root = Paths.packageRoot.path
        let fromBelow = try ComposeCluster.locateComposeFile(environment: [:], from: root + "/Sources/Cluster")
        #expect(fromBelow == Self.composeFile)
        #expect(try ComposeCluster.locateComposeFile(environment: ["KAFKA_BDD_COMPOSE_FILE": "docker-compose.yml"],
                                                     from: root) == Self.composeFile)
        let missing = #expect(throws: KafkaError.self) {
            try ComposeCluster.locateComposeFile(environment: ["KAFKA_BDD_COMPOSE_FILE": "/nowhere/compose.yml"])
        }
        #expect(missing?.description.contains("KAFKA_BDD_COMPOSE_FILE") == true)
        let none = #expect(throws: KafkaError.self) {
            try ComposeCluster.locateComposeFile(environment: [:], from: "/proc/self")
        }
        #expect(none?.description.contains("no docker-compose.yml") == true)
    }

    /// docker-compose.yml is the topology the code assumes: three controllers apart from three brokers,
    /// each broker behind its proxy, and the session timeout the leadership waits are built on.
    @Test func theComposeFileMatchesTheTopology() throws {
        let yaml = try String(contentsOfFile: Self.composeFile, encoding: .utf8)
        let services = try #require((try Yams.load(yaml: yaml) as? [String: Any])?["services"] as? [String: Any])
        let topology = ComposeCluster.Topology.standard
        func env(_ service: String) -> [String: String] {
            let e = (services[service] as? [String: Any])?["environment"] as? [String: Any] ?? [:]
            return e.mapValues { "\($0)" }
        }
        let voters = topology.controllers.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value):9093" }
        for (id, service) in topology.controllers {
            #expect(env(service)["KAFKA_PROCESS_ROLES"] == "controller")
            #expect(env(service)["KAFKA_NODE_ID"] == String(id))
        }
        for (id, service) in topology.brokers {
            let e = env(service)
            #expect(e["KAFKA_PROCESS_ROLES"] == "broker", "\(service) must not be a controller")
            #expect(e["KAFKA_NODE_ID"] == String(id))
            #expect(e["KAFKA_CONTROLLER_QUORUM_VOTERS"] == voters.joined(separator: ","))
            #expect(e["KAFKA_ADVERTISED_LISTENERS"]?.contains("EXTERNAL://localhost:2909\(id)") == true)
            let sessionMs = topology.brokerSessionTimeout.components.seconds * 1000
            #expect(e["KAFKA_BROKER_SESSION_TIMEOUT_MS"] == String(sessionMs))
        }
        // Besides the brokers' topology: the Connect worker (KAF-09), which no fault step touches.
        let connect = ComposeCluster.Extras().connectService
        #expect(services.keys.contains(connect))
        // The `mirror` profile's services (KAF-10's second cluster) start only with that profile (the west
        // brokers get it through a YAML merge key, which Yams resolves: the brokers' env above comes that way).
        let inProfile = Set(services.filter { (($0.value as? [String: Any])?["profiles"]) != nil }.keys)
        #expect(Set(services.keys).subtracting([connect]).subtracting(inProfile) == Set(topology.services))
        let proxies = try String(contentsOf: Paths.packageRoot.appendingPathComponent("compose/toxiproxy.json"),
                                 encoding: .utf8)
        for (id, service) in topology.brokers {
            let proxy = #""name": "\#(service)", "listen": "0.0.0.0:2909\#(id)", "upstream": "\#(service):9092""#
            #expect(proxies.contains(proxy))
        }
        let bootstrap = topology.brokerIds.map { "localhost:2909\($0)" }.joined(separator: ",")
        #expect(ComposeCluster.defaultBootstrap == bootstrap)
    }

    @Test func capabilitiesAreKafkasPlusFaultsButNoErrorInjection() async throws {
        let cluster = try ComposeCluster(composeFile: "/p/docker-compose.yml", runner: RecordingRunner())
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
        // Well under librdkafka's own 60 s: the 2 s deadline holds (2.0 s alone; 10.7 s once beside the whole
        // suite on a busy 2-core machine, so the bound is for a hang, not for speed).
        #expect(clock.now - start < .seconds(30))
        #expect(!cluster.clientConfig.description.contains("hunter2"))
        #expect(cluster.clientConfig.description.contains("sasl.password=[redacted]"))
        await cluster.shutdown()
    }

    @Test func externalClusterNeedsBootstrapServers() {
        #expect(throws: KafkaError.self) { try ExternalCluster.fromEnvironment([:]) }
    }
}
