import KafkaClient
import Foundation

/// Any running Kafka cluster, reached by bootstrap servers and client properties (security.protocol,
/// sasl.*, ssl.*). It models everything Kafka does, but offers no fault operations.
public final class ExternalCluster: Cluster, @unchecked Sendable {
    public let backend: String
    public let capabilities: Set<ClusterCapability>
    public let bootstrapServers: String
    public let clientConfig: KafkaConfig
    private let admin: Admin

    public static let kafkaCapabilities: Set<ClusterCapability> = [
        .consumerGroups, .replication, .idempotentDeduplication, .transactions, .transactionIsolation,
        .transactionalOffsets, .fencing, .admin, .topicConfigs, .compaction, .retention,
    ]

    public init(bootstrapServers: String, clientConfig: KafkaConfig = KafkaConfig(), backend: String = "external",
                extraCapabilities: Set<ClusterCapability> = []) throws {
        self.backend = backend
        self.bootstrapServers = bootstrapServers
        self.clientConfig = clientConfig
        var caps = Self.kafkaCapabilities.union(extraCapabilities)
        if clientConfig["security.protocol"].map({ $0.uppercased() != "PLAINTEXT" }) == true { caps.insert(.security) }
        self.capabilities = caps
        admin = try Admin(config: KafkaConfig(["bootstrap.servers": bootstrapServers, "log_level": "0"]).merging(clientConfig))
    }

    /// From the environment: `KAFKA_BDD_BOOTSTRAP` and, optionally, `KAFKA_BDD_CLIENT_PROPERTIES`
    /// (a properties file with security settings).
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> ExternalCluster {
        guard let bootstrap = env["KAFKA_BDD_BOOTSTRAP"], !bootstrap.isEmpty else {
            throw KafkaError(code: -186, detail: "--cluster external needs KAFKA_BDD_BOOTSTRAP=host:port[,host:port…]")
        }
        var config = KafkaConfig()
        if let path = env["KAFKA_BDD_CLIENT_PROPERTIES"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw KafkaError(code: -186, detail: "cannot read client properties file \(path)")
            }
            config = KafkaConfig.load(propertiesFile: text)
        }
        return try ExternalCluster(bootstrapServers: bootstrap, clientConfig: config)
    }

    /// Fails within `timeout` when the cluster cannot be reached, naming the bootstrap servers.
    public func checkReachable(timeout: Duration = .seconds(10)) async throws {
        do {
            _ = try await admin.metadata(topic: nil, timeout: timeout)
        } catch {
            throw KafkaError(code: -195, detail: "cannot reach the Kafka cluster at \(bootstrapServers) within \(timeout.formatted()): \(error)")
        }
    }

    public func metadata(topic: String?) async throws -> ClusterMetadata {
        try await admin.metadata(topic: topic)
    }

    public func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64) {
        try await admin.watermarks(topic: topic, partition: partition)
    }

    public func createTopic(_ spec: TopicSpec) async throws {
        try await admin.createTopics([spec])
    }

    public func liveBrokers() async throws -> [Int32] {
        try await metadata(topic: nil).brokers.map(\.id)
    }

    func unsupported(_ capability: ClusterCapability) -> Unsupported {
        Unsupported(capability: capability, backend: backend, hint: "fault drills need --cluster embedded or compose")
    }

    public func killBroker(_ id: Int32) async throws { throw unsupported(.brokerFaults) }
    public func restartBroker(_ id: Int32) async throws { throw unsupported(.brokerFaults) }
    public func setLatency(broker: Int32, _ latency: Duration) async throws { throw unsupported(.latency) }
    public func injectErrors(_ request: KafkaRequest, _ errorNames: [String]) async throws { throw unsupported(.errorInjection) }
    public func moveLeader(topic: String, partition: Int32, to broker: Int32) async throws { throw unsupported(.leaderMoves) }
    public func registerCoordinatorKey(_ key: String, type: CoordinatorType) {}
    public func shutdown() async { admin.close() }
}
