import Cluster
import Foundation
import Synchronization
import KafkaClient
import Testing

/// KAF-10 on compose: the `mirror` profile of docker-compose.yml and ComposeCluster.Topology.west agree,
/// and the same fault steps act on the west cluster's own services and proxy (fake docker, no engine).
@Suite("Compose mirror profile contract (fake docker)", .serialized)
struct ComposeMirrorContractTests {
    static let root = AcceptanceSuite.packageRoot

    @Test func theWestTopologyIsTheMirrorProfilesServices() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        for service in ComposeCluster.Topology.west.services {
            let block = try #require(text.components(separatedBy: "\n  \(service):").dropFirst().first,
                                     "docker-compose.yml has no service \(service)")
            #expect(block.prefix(400).contains("profiles: [\"mirror\"]") || block.prefix(200).contains("<<: *west-kafka"),
                    "\(service) is not in the mirror profile")
        }
        for (id, port) in zip(ComposeCluster.Topology.west.brokerIds, ComposeCluster.westBootstrap.split(separator: ",")) {
            #expect(text.contains("EXTERNAL://\(port)"), "broker \(id) does not advertise \(port)")
        }
        let proxies = try String(contentsOf: Self.root.appendingPathComponent("compose/west-toxiproxy.json"), encoding: .utf8)
        for service in ComposeCluster.Topology.west.brokers.values {
            #expect(proxies.contains("\"name\": \"\(service)\""), "no proxy for \(service)")
        }
        let mm2 = try String(contentsOf: Self.root.appendingPathComponent("compose/mm2.properties"), encoding: .utf8)
        for line in ["clusters = east, west", "east->west.enabled = true", "east->west.topics.exclude = audit.*",
                     "emit.checkpoints.interval.seconds = 1", "replication.policy.separator = ."] {
            #expect(mm2.contains(line), "mm2.properties lacks \(line)")
        }
    }

    /// Records `docker compose` commands and keeps which services run; answers `ps` and toxiproxy's `inspect`.
    final class RecordingDocker: CommandRunner, Sendable {
        struct State { var commands: [String] = []; var stopped: Set<String> = [] }
        let state = Mutex(State())
        let services: [String]
        init(services: [String]) { self.services = services }
        func run(_ arguments: [String], input: String?) async throws -> String {
            var words = Array(arguments.dropFirst()) // "docker"
            if words.count > 2, words[1] == "-f" { words.removeSubrange(1...2) }
            let line = words.joined(separator: " ")
            return state.withLock { s in
                s.commands.append(line)
                if words.count > 1, words[1] == "kill" { s.stopped.formUnion(words.dropFirst(4)) }
                if words.count > 1, words[1] == "start" { s.stopped.subtract(words.dropFirst(2)) }
                if words.count > 1, words[1] == "ps" { return services.filter { !s.stopped.contains($0) }.joined(separator: "\n") }
                return ""
            }
        }
    }

    @Test func faultsOnWestActOnItsOwnServicesAndProxy() async throws {
        let docker = RecordingDocker(services: ComposeCluster.Topology.west.services)
        let mock = try EmbeddedCluster(brokers: 3)
        let west = ComposeCluster(composeFile: ComposeContractTests.composeFile, topology: .west, runner: docker, kafka: mock)
        try await west.setLatency(broker: 1, .milliseconds(100))
        try await west.killBroker(2)
        // Combined nodes: a second kill would take west's quorum with it.
        await #expect(throws: QuorumProtection.self) { try await west.killBroker(3) }
        let commands = docker.state.withLock { $0.commands }
        let exec = "compose exec -T west-toxiproxy /toxiproxy-cli"
        #expect(commands.contains("\(exec) toxic add -t latency -n kafka-bdd-latency-upstream -u -a latency=50 west-kafka-1"))
        #expect(commands.contains("compose kill -s SIGKILL west-kafka-2"))
        #expect(!commands.contains { $0.contains("kill") && $0.contains("west-kafka-3") })
        await mock.shutdown()
    }
}
