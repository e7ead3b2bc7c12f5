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

    /// A compose cluster whose brokers are the embedded mock's, stopped and slowed by the fake docker.
    static func cluster(_ fake: FakeDocker, topology: ComposeCluster.Topology = .standard) throws
        -> (ComposeCluster, EmbeddedCluster) {
        let mock = try EmbeddedCluster(brokers: 3)
        return (ComposeCluster(composeFile: composeFile, topology: topology, runner: MirroredDocker(fake, mock),
                               kafka: mock), mock)
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
        await #expect(throws: KafkaError.self) { try await cluster.killBroker(101) }
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

    /// Every chapter's scenarios in sequence on one shared compose cluster (over the fake): each starts on
    /// a healthy cluster, and the run leaves every broker up and no toxic behind.
    @Test func everyChapterInSequenceLeavesTheClusterAsItFoundIt() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (compose, mock) = try Self.cluster(fake)
        var configuration = Session.Configuration()
        configuration.paths = [AcceptanceSuite.packageRoot.appendingPathComponent("Features").path]
        configuration.root = AcceptanceSuite.packageRoot.path
        let session = try Session(configuration)
        let environment = KafkaEnvironment(backend: .compose, shared: compose)
        let summary = try await session.run(support: Steps.supportCode(environment: environment))
        let unhealthy = summary.outcomes.filter { o in
            o.steps.contains { $0.result.message?.contains("not healthy at the start") == true }
        }
        #expect(unhealthy.isEmpty, "\(unhealthy.map(\.pickle.name))")
        let faults = fake.commands.filter { $0.contains(" kill ") || $0.contains("toxic add") }
        #expect(!faults.isEmpty, "the chapters made faults")
        #expect(fake.stopped.isEmpty, "brokers left stopped: \(fake.stopped)")
        #expect(fake.toxics.isEmpty, "toxics left: \(fake.toxics)")
        #expect(await compose.healthProblems(expecting: [1, 2, 3]).isEmpty)
        // Kafka's election and reassignment tools run in a broker container; the fake does not emulate
        // them (it answers nothing), so those two steps fail here, as a tool that did nothing must.
        // ComposeAdminContractTests checks the commands they send.
        let toolSteps = ["the preferred leaders of", "the planned reassignment is executed"]
        let failed = summary.outcomes.filter { o in
            o.status == .failed && !toolSteps.contains { o.decisive?.text.hasPrefix($0) == true }
        }
        #expect(failed.isEmpty, "\(failed.map { "\($0.pickle.name): \($0.decisive?.result.message ?? "")" })")
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
