import KafkaClient
import Foundation
import Synchronization

/// Any running Kafka cluster, reached by bootstrap servers and client properties (security.protocol,
/// sasl.*, ssl.*). It models everything Kafka does, but offers no fault operations — unless its
/// metadata shows a librdkafka mock cluster (`kafka-bdd cluster up`), which models what the embedded
/// backend models and creates topics only through a requests folder (KAFKA_BDD_TOPIC_REQUESTS).
public final class ExternalCluster: Cluster, @unchecked Sendable {
    public let backend: String
    public var capabilities: Set<ClusterCapability> { state.withLock { $0.capabilities } }
    public let bootstrapServers: String
    public let clientConfig: KafkaConfig
    /// A folder served by `kafka-bdd cluster up --topic-requests`, for a cluster without CreateTopics.
    public let topicRequests: String?
    private let admin: Admin
    private struct State {
        var capabilities: Set<ClusterCapability>
        var mockClusterId: String?
        /// Capabilities the brokers' ApiVersions answers showed missing, with the requests they lack.
        var missingApis: [ClusterCapability: [ApiCapabilities.Request]] = [:]
    }
    private let state: Mutex<State>

    /// What a librdkafka mock cluster models, seen from another process (no faults reach it from here).
    public static let mockCapabilities: Set<ClusterCapability> = [.consumerGroups, .transactions]

    public static let kafkaCapabilities: Set<ClusterCapability> = [
        .consumerGroups, .replication, .idempotentDeduplication, .transactions, .transactionIsolation,
        .transactionalOffsets, .fencing, .admin, .topicConfigs, .partitionIncrease, .deleteRecords,
        .compaction, .retention,
    ]

    public init(
        bootstrapServers: String, clientConfig: KafkaConfig = KafkaConfig(), backend: String = "external",
        extraCapabilities: Set<ClusterCapability> = [], topicRequests: String? = nil
    ) throws {
        self.backend = backend
        self.bootstrapServers = bootstrapServers
        self.clientConfig = clientConfig
        self.topicRequests = topicRequests
        var caps = Self.kafkaCapabilities.union(extraCapabilities)
        if clientConfig["security.protocol"].map({ $0.uppercased() != "PLAINTEXT" }) == true { caps.insert(.security) }
        state = Mutex(State(capabilities: caps))
        admin = try Admin(config: KafkaConfig(["bootstrap.servers": bootstrapServers]).merging(clientConfig))
    }

    /// From the environment: `KAFKA_BDD_BOOTSTRAP` and, optionally, `KAFKA_BDD_CLIENT_PROPERTIES`
    /// (a properties file with security settings) and `KAFKA_BDD_TOPIC_REQUESTS`. No error shows a
    /// property's value: the file may hold secrets, and the names are enough to find a mistake.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ExternalCluster
    {
        guard let bootstrap = env["KAFKA_BDD_BOOTSTRAP"], !bootstrap.isEmpty else {
            throw KafkaError.invalidArgument("--cluster external needs KAFKA_BDD_BOOTSTRAP=host:port[,host:port…]")
        }
        var config = KafkaConfig()
        if let path = env["KAFKA_BDD_CLIENT_PROPERTIES"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw KafkaError.invalidArgument("cannot read client properties file \(path)")
            }
            config = try KafkaConfig.load(propertiesFile: text)
        }
        let requests = env["KAFKA_BDD_TOPIC_REQUESTS"].flatMap { $0.isEmpty ? nil : $0 }
        return try ExternalCluster(bootstrapServers: bootstrap, clientConfig: config, topicRequests: requests)
    }

    /// Fails within `timeout` when the cluster cannot be reached, naming the bootstrap servers.
    /// Learns whether the cluster is a librdkafka mock (its cluster id), which narrows what it models,
    /// and which requests its brokers support (ApiVersions), which narrows it further.
    public func checkReachable(timeout: Duration = .seconds(10)) async throws {
        let id: String?
        // A look of our own runs alongside, to tell why if the client fails (ConnectionDiagnosis).
        let security = clientConfig["security.protocol"] ?? "PLAINTEXT"
        let look = Task { [bootstrapServers] in
            await ConnectionDiagnosis.observe(
                bootstrap: bootstrapServers, securityProtocol: security,
                within: timeout * 6 / 10)
        }
        let md: ClusterMetadata
        do {
            md = try await admin.metadata(topic: nil, timeout: timeout)
            id = try await admin.clusterId(timeout: timeout)
        } catch {
            throw ConnectionDiagnosis.error(
                bootstrap: bootstrapServers, timeout: timeout, servers: await look.value,
                errors: admin.recentErrors(), config: clientConfig, underlying: error)
        }
        if let id, id.hasPrefix("mockCluster") {
            state.withLock { s in
                s.mockClusterId = id
                s.capabilities = Self.mockCapabilities.intersection(s.capabilities)
            }
        }
        // A mock's capabilities are declared above, exactly; ApiVersions is for a cluster nobody declared.
        if id?.hasPrefix("mockCluster") != true { await discoverApis(md.brokers) }
    }

    /// Drops the capabilities whose requests some broker does not list in its ApiVersions answer. The
    /// probe speaks plaintext: behind TLS it cannot ask (SASL_PLAINTEXT answers ApiVersions before
    /// authentication), and a broker that does not answer leaves the capabilities as assumed — a step
    /// then fails with the broker's own "not supported", as before.
    func discoverApis(
        _ brokers: [BrokerInfo],
        probe: @escaping @Sendable (String, Int) async -> BrokerProbe.Discovery = {
            await BrokerProbe.supportedApis(host: $0, port: $1, timeout: .seconds(2))
        }
    ) async {
        let proto = (clientConfig["security.protocol"] ?? "PLAINTEXT").uppercased()
        guard proto == "PLAINTEXT" || proto == "SASL_PLAINTEXT", !brokers.isEmpty else { return }
        // All brokers at once: the whole discovery takes one probe's time limit at most.
        let results = await withTaskGroup(of: BrokerProbe.Discovery.self) { group in
            for b in brokers {
                group.addTask { await probe(b.host, Int(b.port)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var answers: [[BrokerProbe.ApiVersionRange]] = []
        for case .success(let apis) in results { answers.append(apis) }
        guard answers.count == brokers.count else { return }
        let missing = ApiCapabilities.missing(supported: ApiCapabilities.common(answers))
        state.withLock { s in
            s.missingApis = missing
            s.capabilities.subtract(missing.keys)
        }
    }

    /// The capabilities the brokers' ApiVersions answers showed missing (known after `checkReachable`).
    public var missingApis: [ClusterCapability: [ApiCapabilities.Request]] { state.withLock { $0.missingApis } }

    public func unsupportedHint(_ capability: ClusterCapability) -> String {
        guard let lacking = missingApis[capability] else { return Self.hint(for: capability, backend: backend) }
        return "its brokers do not list " + lacking.map(\.description).joined(separator: ", ")
            + " in their ApiVersions answer"
    }

    /// The cluster id when the cluster is a librdkafka mock (known after `checkReachable`).
    public var mockClusterId: String? { state.withLock { $0.mockClusterId } }

    public func metadata(topic: String?) async throws -> ClusterMetadata {
        try await admin.metadata(topic: topic)
    }

    public func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64) {
        try await admin.watermarks(topic: topic, partition: partition)
    }

    public func createTopic(_ spec: TopicSpec) async throws {
        guard mockClusterId != nil else { return try await admin.createTopics([spec]) }
        if !spec.configs.isEmpty {
            throw Unsupported(
                capability: .topicConfigs, backend: backend,
                hint: "a librdkafka mock cluster has none; a real Kafka has (make up, --cluster compose)")
        }
        guard let topicRequests else {
            throw Unsupported(
                capability: .admin, backend: backend,
                hint: "this librdkafka mock cluster creates topics only through "
                    + "`kafka-bdd cluster up --topic-requests DIR` and KAFKA_BDD_TOPIC_REQUESTS=DIR; "
                    + "a real Kafka through its Admin API (make up, --cluster compose)")
        }
        try await TopicRequests.request(spec, in: topicRequests)
    }

    public func deleteTopics(_ names: [String]) async throws {
        guard mockClusterId == nil else {
            throw Unsupported(
                capability: .admin, backend: backend,
                hint: "a librdkafka mock cluster deletes no topics; a real Kafka does "
                    + "(make up, --cluster compose)")
        }
        try await admin.deleteTopics(names)
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
    public func injectErrors(_ request: KafkaRequest, _ errorNames: [String]) async throws {
        throw unsupported(.errorInjection)
    }
    public func moveLeader(topic: String, partition: Int32, to broker: Int32) async throws {
        throw unsupported(.leaderMoves)
    }
    public func registerCoordinatorKey(_ key: String, type: CoordinatorType) {}
    public func shutdown() async { admin.close() }
}
