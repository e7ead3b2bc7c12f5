import KafkaClient
import Foundation

/// Runs a command and returns its output; ComposeCluster's only way to touch Docker, so its
/// commands can be checked without an engine.
public protocol CommandRunner: Sendable {
    func run(_ arguments: [String], input: String?) async throws -> String
}

/// Runs commands as processes, with a time limit.
public struct ProcessRunner: CommandRunner {
    public var timeout: Duration

    public init(timeout: Duration = .seconds(120)) {
        self.timeout = timeout
    }

    public func run(_ arguments: [String], input: String?) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try? inPipe.fileHandleForWriting.close()
        let limit = timeout
        let output: String = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await Blocking.run {
                    let data = out.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    return String(decoding: data, as: UTF8.self)
                }
            }
            group.addTask {
                try await Task.sleep(for: limit)
                process.terminate()
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            guard let text = first else {
                throw KafkaError(code: -185, detail: "`\(arguments.joined(separator: " "))` did not finish within \(limit.formatted())")
            }
            return text
        }
        guard process.terminationStatus == 0 else {
            throw KafkaError(code: -195, detail: "`\(arguments.joined(separator: " "))` exited \(process.terminationStatus): \(output)")
        }
        return output
    }
}

/// The real cluster of `docker-compose.yml`: three KRaft brokers of the official apache/kafka
/// image, each behind a toxiproxy proxy. Faults are Docker and toxiproxy operations.
public final class ComposeCluster: Cluster, @unchecked Sendable {
    public let backend = "compose"
    public var capabilities: Set<ClusterCapability> { kafka.capabilities.union([.brokerFaults, .latency, .leaderMoves]) }
    public var bootstrapServers: String { kafka.bootstrapServers }
    public var clientConfig: KafkaConfig { kafka.clientConfig }

    public static let defaultBootstrap = "localhost:29091,localhost:29092,localhost:29093"
    private let kafka: ExternalCluster
    private let runner: CommandRunner
    private let composeFile: String
    private let brokerCount: Int32

    public init(composeFile: String = "docker-compose.yml", bootstrapServers: String = ComposeCluster.defaultBootstrap,
                brokers: Int32 = 3, runner: CommandRunner = ProcessRunner()) throws {
        self.composeFile = composeFile
        self.runner = runner
        self.brokerCount = brokers
        kafka = try ExternalCluster(bootstrapServers: bootstrapServers, backend: "compose")
    }

    /// `docker compose -f FILE …`
    func compose(_ arguments: [String], input: String? = nil) async throws -> String {
        try await runner.run(["docker", "compose", "-f", composeFile] + arguments, input: input)
    }

    static func service(_ broker: Int32) -> String { "kafka-\(broker)" }

    private func check(_ broker: Int32) throws {
        guard (1...brokerCount).contains(broker) else {
            throw KafkaError(code: -190, detail: "there is no broker \(broker); the compose cluster has brokers 1–\(brokerCount)")
        }
    }

    public func metadata(topic: String?) async throws -> ClusterMetadata { try await kafka.metadata(topic: topic) }
    public func createTopic(_ spec: TopicSpec) async throws { try await kafka.createTopic(spec) }
    public func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64) {
        try await kafka.watermarks(topic: topic, partition: partition)
    }
    public func liveBrokers() async throws -> [Int32] { try await kafka.liveBrokers() }

    /// A hard kill (SIGKILL), as Kafka's system tests do for `hard_bounce`.
    public func killBroker(_ id: Int32) async throws {
        try check(id)
        _ = try await compose(["kill", "-s", "SIGKILL", Self.service(id)])
    }

    public func restartBroker(_ id: Int32) async throws {
        try check(id)
        _ = try await compose(["start", Self.service(id)])
    }

    /// Latency on the broker's proxy, both directions.
    public func setLatency(broker: Int32, _ latency: Duration) async throws {
        try check(broker)
        let proxy = Self.service(broker)
        _ = try? await compose(["exec", "-T", "toxiproxy", "/toxiproxy-cli", "toxic", "remove", "-n", "latency", proxy])
        if latency > .zero {
            _ = try await compose(["exec", "-T", "toxiproxy", "/toxiproxy-cli", "toxic", "add", "-t", "latency", "-n", "latency",
                                   "-a", "latency=\(latency.milliseconds)", proxy])
        }
    }

    public func injectErrors(_ request: KafkaRequest, _ errorNames: [String]) async throws {
        throw Unsupported(capability: .errorInjection, backend: backend, hint: "Kafka error injection needs --cluster embedded")
    }

    /// Makes `broker` the preferred (first) replica and runs a preferred leader election.
    public func moveLeader(topic: String, partition: Int32, to broker: Int32) async throws {
        try check(broker)
        let md = try await metadata(topic: topic)
        guard let p = md.topic(topic)?.partitions.first(where: { $0.id == partition }), p.replicas.contains(broker) else {
            throw KafkaError(code: -186, detail: "broker \(broker) holds no replica of \(topic)[\(partition)]")
        }
        let replicas = [broker] + p.replicas.filter { $0 != broker }
        let plan = #"{"version":1,"partitions":[{"topic":"\#(topic)","partition":\#(partition),"replicas":[\#(replicas.map(String.init).joined(separator: ","))]}]}"#
        _ = try await compose(["exec", "-T", "kafka-1", "bash", "-c",
                               "cat > /tmp/kafka-bdd-move.json && /opt/kafka/bin/kafka-reassign-partitions.sh --bootstrap-server kafka-1:19092 --reassignment-json-file /tmp/kafka-bdd-move.json --execute"],
                              input: plan)
        _ = try await compose(["exec", "-T", "kafka-1", "/opt/kafka/bin/kafka-leader-election.sh", "--bootstrap-server", "kafka-1:19092",
                               "--election-type", "preferred", "--topic", topic, "--partition", String(partition)])
    }

    public func registerCoordinatorKey(_ key: String, type: CoordinatorType) {}

    public func shutdown() async { await kafka.shutdown() }
}
