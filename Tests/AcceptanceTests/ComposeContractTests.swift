import Cluster
import Foundation
import KafkaClient
import Runtime
import Session
import Steps
import Testing

/// ComposeCluster against a fake `docker` (no engine runs here): the commands it issues for each fault,
/// wait and restore, and that a run of every chapter leaves the shared cluster as it found it.
@Suite("Compose contract (fake docker)", .serialized)
struct ComposeContractTests {
    static let composeFile = AcceptanceSuite.packageRoot.appendingPathComponent("docker-compose.yml").path

    /// A compose cluster whose brokers are the embedded mock's, stopped and slowed by the fake docker, and
    /// reached through a proxy that keeps Kafka's rules the mock ignores (KafkaRulesProxy).
    static func cluster(_ fake: FakeDocker, topology: ComposeCluster.Topology = .standard,
                        tools: Set<ClusterCapability> = ComposeCluster.kafkaTools) throws
        -> (ComposeCluster, EmbeddedCluster) {
        let (compose, mock, _) = try ruledCluster(fake, topology: topology, tools: tools)
        return (compose, mock)
    }

    static func ruledCluster(_ fake: FakeDocker, topology: ComposeCluster.Topology = .standard,
                             tools: Set<ClusterCapability> = ComposeCluster.kafkaTools) throws
        -> (ComposeCluster, EmbeddedCluster, RuledCluster) {
        let mock = try EmbeddedCluster(brokers: 3)
        let ruled = try RuledCluster(mock)
        let docker = MirroredDocker(fake, mock, rules: ruled.proxy)
        return (ComposeCluster(composeFile: composeFile, topology: topology, runner: docker,
                               kafka: ruled, tools: tools), mock, ruled)
    }

    @Test func killAndStartAreHardKillsAndStartsOfTheBrokerService() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (cluster, mock) = try Self.cluster(fake)
        try await cluster.kill(broker: 2)
        #expect(fake.stopped == ["kafka-2"])
        #expect(try await !cluster.probe(broker: 2).answered)
        try await cluster.restart(broker: 2)
        try await cluster.restoreBrokers([1, 3])
        #expect(fake.commands == ["compose kill -s SIGKILL kafka-2", "compose start kafka-2",
                                  "compose start kafka-1 kafka-3"])
        #expect(fake.stopped.isEmpty)
        #expect(try await cluster.liveBrokers() == [1, 2, 3])
        await mock.shutdown()
    }

    @Test func aGracefulStopIsComposeStopAndItsLeadershipsAreGoneBeforeTheBrokerIs() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (cluster, mock) = try Self.cluster(fake)
        try await mock.createTopic(TopicSpec(name: "rolled", partitions: 6, replicationFactor: 3))
        #expect(try await !cluster.partitionsLed(by: 2).isEmpty)
        try await cluster.stop(broker: 2)
        #expect(fake.stopped == ["kafka-2"])
        #expect(try await !cluster.probe(broker: 2).answered)
        #expect(try await cluster.partitionsLed(by: 2).isEmpty)
        try await cluster.restart(broker: 2)
        #expect(fake.commands == ["compose stop -t 60 kafka-2", "compose start kafka-2"])
        #expect(try await cluster.liveBrokers() == [1, 2, 3])
        await mock.shutdown()
    }

    @Test func latencyGoesBothWaysAndIsReplacedOrRemovedWhole() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (cluster, mock) = try Self.cluster(fake)
        let (_, after) = try await cluster.slow(broker: 3, by: .milliseconds(250))
        #expect(after >= .milliseconds(225))
        #expect(fake.toxics == ["kafka-3/kafka-bdd-latency-downstream downstream 125",
                                "kafka-3/kafka-bdd-latency-upstream upstream 125"])
        try await cluster.setLatency(broker: 3, .milliseconds(101))
        try await cluster.setLatency(broker: 3, .zero)
        let exec = "compose exec -T toxiproxy /toxiproxy-cli"
        #expect(fake.commands == [
            "\(exec) inspect kafka-3",
            "\(exec) toxic add -t latency -n kafka-bdd-latency-upstream -u -a latency=125 kafka-3",
            "\(exec) toxic add -t latency -n kafka-bdd-latency-downstream -d -a latency=125 kafka-3",
            "\(exec) inspect kafka-3",
            "\(exec) toxic remove -n kafka-bdd-latency-downstream kafka-3",
            "\(exec) toxic remove -n kafka-bdd-latency-upstream kafka-3",
            "\(exec) toxic add -t latency -n kafka-bdd-latency-upstream -u -a latency=50 kafka-3",
            "\(exec) toxic add -t latency -n kafka-bdd-latency-downstream -d -a latency=51 kafka-3",
            "\(exec) inspect kafka-3",
            "\(exec) toxic remove -n kafka-bdd-latency-downstream kafka-3",
            "\(exec) toxic remove -n kafka-bdd-latency-upstream kafka-3",
        ])
        #expect(fake.toxics.isEmpty)
        await mock.shutdown()
    }

    @Test func faultsInPlaceNameStoppedServicesAndToxics() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (cluster, mock) = try Self.cluster(fake)
        #expect(try await cluster.faultsInPlace() == [])
        _ = try await fake.runner.run(["docker", "compose", "kill", "-s", "SIGKILL", "controller-2"], input: nil)
        try await cluster.setLatency(broker: 1, .milliseconds(20))
        #expect(try await cluster.faultsInPlace() == [
            "controller-2 is not running",
            "toxic kafka-bdd-latency-downstream (latency, downstream) on proxy kafka-1",
            "toxic kafka-bdd-latency-upstream (latency, upstream) on proxy kafka-1",
        ])
        #expect(await cluster.healthProblems(expecting: [1, 2, 3]).count == 3)
        await mock.shutdown()
    }

    @Test func controllersAreNotKillableAndACombinedQuorumKeepsItsMajority() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (cluster, mock) = try Self.cluster(fake)
        await #expect(throws: NoSuchBroker.self) { try await cluster.killBroker(101) }
        await mock.shutdown()

        // Brokers that are also the controllers: one may die, a second would take the quorum with it.
        let combined = ComposeCluster.Topology(brokers: [1: "kafka-1", 2: "kafka-2", 3: "kafka-3"],
                                               controllers: [1: "kafka-1", 2: "kafka-2", 3: "kafka-3"])
        let (risky, mock2) = try Self.cluster(fake, topology: combined)
        fake.clearLog()
        try await risky.killBroker(1)
        await #expect(throws: QuorumProtection.self) { try await risky.killBroker(2) }
        #expect(fake.commands == ["compose ps --status running --services", "compose kill -s SIGKILL kafka-1",
                                  "compose ps --status running --services"])
        #expect(fake.stopped == ["kafka-1"])
        await mock2.shutdown()
    }

    /// Kafka moves a dead broker's group coordinators; the embedded stand-in behind the fake does it for
    /// the keys registered through the compose cluster. (Unregistered, a capstone sink's coordinator once
    /// stayed on the killed broker: its commits hung and its table stopped at the moment of the kill.)
    @Test func aGroupKeepsCommittingWhicheverBrokerIsKilled() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (compose, mock) = try Self.cluster(fake)
        try await compose.createTopic(TopicSpec(name: "commits", partitions: 1, replicationFactor: 3))
        let group = "committer-\(UUID().uuidString)"
        compose.registerCoordinatorKey(group, type: .group)
        let consumer = try Consumer(config: compose.config(["group.id": group, "enable.auto.commit": "false"]))
        let offsets = [TopicPartitionOffset(topic: "commits", partition: 0, offset: 0)]
        try consumer.assign(offsets)
        try await consumer.commit(offsets)
        // One of the three holds the group's coordinator: each is killed in turn, and a commit (retried, as
        // a consumer would) must be answered within 15 s while it is down.
        for broker in Int32(1)...3 {
            try await compose.kill(broker: broker)
            let deadline = ContinuousClock.now + .seconds(15)
            var last: (any Error)?
            while ContinuousClock.now < deadline {
                do {
                    try await consumer.commit(offsets, within: .seconds(3))
                    last = nil
                    break
                } catch {
                    last = error
                    try await Task.sleep(for: .milliseconds(200))  // a consumer's retry backoff
                }
            }
            #expect(last == nil, "broker \(broker) down: \(String(describing: last))")
            try await compose.restart(broker: broker)
        }
        consumer.kill()
        await mock.shutdown()
    }

    @Test func theAfterCleanupRestartsRemovesAndWaits() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (compose, mock) = try Self.cluster(fake)
        let scenario = IsolatedCluster(compose, scope: "t-1")
        try await scenario.createTopic(TopicSpec(name: "orders-x-1", partitions: 3, replicationFactor: 3))
        try await scenario.slow(broker: 1, by: .milliseconds(40))
        try await scenario.kill(broker: 2)
        try await scenario.kill(broker: 3)
        #expect(try await scenario.partitionsLed(by: 2).isEmpty, "the kill waited for leadership to move")
        fake.clearLog()
        let done = try await scenario.restore(within: .seconds(20))
        let exec = "compose exec -T toxiproxy /toxiproxy-cli"
        #expect(fake.commands == ["\(exec) inspect kafka-1",
                                  "\(exec) toxic remove -n kafka-bdd-latency-downstream kafka-1",
                                  "\(exec) toxic remove -n kafka-bdd-latency-upstream kafka-1",
                                  "compose start kafka-2 kafka-3"])
        #expect(done.contains("brokers [2, 3] back and in sync"))
        #expect(done.contains { $0.hasPrefix("topics left") }, "the mock deletes no topics: noted, not failed")
        #expect(fake.stopped.isEmpty && fake.toxics.isEmpty)
        #expect(await compose.healthProblems(expecting: [1, 2, 3]).isEmpty)
        #expect(scenario.changes.down.isEmpty && scenario.changes.slowed.isEmpty)
        await mock.shutdown()
    }

    @Test func aBrokerThatDoesNotComeBackFailsTheCleanupWithItsReason() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let mock = try EmbeddedCluster(brokers: 3)
        // docker says started, but the broker never serves again (its JVM dies at boot).
        let compose = ComposeCluster(composeFile: Self.composeFile, runner: StartsNothing(MirroredDocker(fake, mock)),
                                     kafka: mock)
        let scenario = IsolatedCluster(compose, scope: "t-1")
        try await scenario.kill(broker: 3)
        let error = await #expect(throws: ClusterNotRestored.self) { try await scenario.restore(within: .seconds(2)) }
        #expect(error?.description.contains("broker 3") == true)
        await mock.shutdown()
    }
}

/// Passes every command on, except that `docker compose start` starts nothing.
struct StartsNothing: CommandRunner {
    let inner: CommandRunner
    init(_ inner: CommandRunner) { self.inner = inner }
    func run(_ arguments: [String], input: String?) async throws -> String {
        arguments.contains("start") ? "" : try await inner.run(arguments, input: input)
    }
}
