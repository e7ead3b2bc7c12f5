import Cluster
import Foundation
import KafkaClient
import Synchronization
import Testing

/// ComposeCluster's reassignment and preferred election against a fake `docker`: the Kafka tools it
/// runs in a broker's container, the JSON it feeds them, and that it waits for the metadata to show
/// the result (and fails, with the partition, when the metadata never does).
@Suite("Compose admin contract (fake docker)", .serialized)
struct ComposeAdminContractTests {
    /// The fake docker, plus Kafka's leader-election tool acted out on the embedded mock.
    final class AdminMirror: CommandRunner, Sendable {
        let inner: MirroredDocker
        let mock: EmbeddedCluster
        let elects: Bool
        let inputs = Mutex<[String]>([])

        init(_ fake: FakeDocker, _ mock: EmbeddedCluster, elects: Bool = true) {
            inner = MirroredDocker(fake, mock)
            self.mock = mock
            self.elects = elects
        }

        func run(_ arguments: [String], input: String?) async throws -> String {
            let output = try await inner.run(arguments, input: input)
            if let input { inputs.withLock { $0.append(input) } }
            if elects, let input, arguments.joined(separator: " ").contains("kafka-leader-election.sh") {
                struct Election: Decodable {
                    struct P: Decodable {
                        let topic: String
                        let partition: Int32
                    }
                    let partitions: [P]
                }
                for p in try JSONDecoder().decode(Election.self, from: Data(input.utf8)).partitions {
                    let replicas = try await mock.metadata(topic: p.topic).topic(p.topic)!.partitions[Int(p.partition)]
                        .replicas
                    try await mock.moveLeader(topic: p.topic, partition: p.partition, to: replicas[0])
                }
            }
            return output
        }
    }

    static func cluster(
        _ fake: FakeDocker, elects: Bool = true, sessionTimeout: Duration = .seconds(9)
    ) async throws
        -> (ComposeCluster, EmbeddedCluster, AdminMirror)
    {
        let mock = try EmbeddedCluster(brokers: 3)
        try await mock.createTopic(TopicSpec(name: "orders", partitions: 3, replicationFactor: 3))
        let runner = AdminMirror(fake, mock, elects: elects)
        var topology = ComposeCluster.Topology.standard
        topology.brokerSessionTimeout = sessionTimeout
        return (
            ComposeCluster(
                composeFile: ComposeContractTests.composeFile, topology: topology, runner: runner, kafka: mock),
            mock, runner
        )
    }

    static let tool = "compose exec -T kafka-1 bash -c cat > /tmp/"

    @Test func preferredElectionRunsKafkasToolAndWaitsForTheLeaders() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (cluster, mock, runner) = try await Self.cluster(fake)
        #expect(cluster.capabilities.isSuperset(of: [.reassignment, .leaderElection]))
        // The embedded cluster spreads leaders round-robin: partitions 1 and 2 are off broker 1, their first replica.
        #expect(try await mock.metadata(topic: "orders").topic("orders")!.partitions.map(\.leader) == [1, 2, 3])
        fake.clearLog()
        try await cluster.electPreferredLeaders([("orders", 1), ("orders", 2)])
        #expect(
            fake.commands == [
                Self.tool + "kafka-bdd-elect.json && /opt/kafka/bin/kafka-leader-election.sh "
                    + "--bootstrap-server kafka-1:19092 --election-type preferred --path-to-json-file "
                    + "/tmp/kafka-bdd-elect.json"
            ])
        #expect(
            runner.inputs.withLock { $0 } == [
                #"{"partitions":[{"topic":"orders","partition":1},{"topic":"orders","partition":2}]}"#
            ])
        #expect(try await mock.metadata(topic: "orders").topic("orders")!.partitions.map(\.leader) == [1, 1, 1])
        await mock.shutdown()
    }

    @Test func anElectionTheMetadataNeverShowsFailsNamingThePartition() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (cluster, mock, _) = try await Self.cluster(fake, elects: false, sessionTimeout: .zero)
        await #expect { try await cluster.electPreferredLeaders([("orders", 1)]) } throws: { error in
            "\(error)".contains("orders[1] did not reach its preferred leader within 6 s")
        }
        await mock.shutdown()
    }

    @Test func reassignmentRunsKafkasToolWaitsForTheReplicasThenElects() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (cluster, mock, runner) = try await Self.cluster(fake)
        fake.clearLog()
        // The mock keeps every partition on brokers 1, 2, 3: the plan names that assignment, so the wait can end.
        try await cluster.reassign([("orders", 2, [1, 2, 3])])
        #expect(fake.commands.count == 2)
        #expect(
            fake.commands.first == Self.tool
                + "kafka-bdd-reassign.json && /opt/kafka/bin/kafka-reassign-partitions.sh "
                + "--bootstrap-server kafka-1:19092 --reassignment-json-file /tmp/kafka-bdd-reassign.json --execute")
        #expect(fake.commands.last?.contains("kafka-leader-election.sh") == true)
        #expect(
            runner.inputs.withLock { $0 }.first
                == #"{"version":1,"partitions":[{"topic":"orders","partition":2,"replicas":[1,2,3]}]}"#)
        #expect(try await mock.metadata(topic: "orders").topic("orders")!.partitions[2].leader == 1)
        await mock.shutdown()
    }

    @Test func aReassignmentToAnUnknownBrokerRunsNothing() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (cluster, mock, _) = try await Self.cluster(fake)
        fake.clearLog()
        await #expect(throws: NoSuchBroker.self) { try await cluster.reassign([("orders", 0, [1, 7])]) }
        #expect(fake.commands.isEmpty)
        await mock.shutdown()
    }
}
