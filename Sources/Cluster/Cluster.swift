import KafkaClient
/// What a cluster backend can do or faithfully model. A scenario that needs a capability its
/// backend lacks is skipped with the reason, never passed.
public enum ClusterCapability: String, Sendable, CaseIterable, Comparable {
    case brokerFaults = "broker kill and restart"
    case latency = "network latency"
    case errorInjection = "request error injection"
    case leaderMoves = "leader and coordinator moves"
    case consumerGroups = "consumer groups"
    case replication = "replication, acks and ISR"
    case idempotentDeduplication = "idempotent de-duplication"
    case transactions = "transactions"
    case transactionIsolation = "transaction isolation"
    case transactionalOffsets = "transactional offset commits"
    case fencing = "producer fencing"
    case admin = "the Admin API"
    case topicConfigs = "topic configurations"
    case partitionIncrease = "adding partitions (CreatePartitions)"
    case deleteRecords = "deleting records (DeleteRecords)"
    case compaction = "log compaction"
    case retention = "retention"
    case security = "TLS, SASL and ACLs"
    case reassignment = "partition reassignment"
    case leaderElection = "preferred leader election"
    case connect = "a Kafka Connect worker"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A broker id the cluster does not have: the message names the ones it has.
public struct NoSuchBroker: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Asked for something the backend does not do or model: the answer names the capability.
public struct Unsupported: Error, Sendable, Equatable, CustomStringConvertible {
    public let capability: ClusterCapability
    public let backend: String
    public let hint: String

    public init(capability: ClusterCapability, backend: String, hint: String) {
        self.capability = capability
        self.backend = backend
        self.hint = hint
    }

    public var description: String { "\(backend) cluster does not model \(capability.rawValue) — \(hint)" }
}

/// A Kafka request type, for error injection.
public enum KafkaRequest: Int16, Sendable, CaseIterable {
    case produce = 0, fetch = 1, listOffsets = 2, metadata = 3, offsetCommit = 8, offsetFetch = 9
    case findCoordinator = 10, joinGroup = 11, heartbeat = 12, leaveGroup = 13, syncGroup = 14
    case initProducerId = 22, addPartitionsToTxn = 24, addOffsetsToTxn = 25, endTxn = 26, txnOffsetCommit = 28
}

/// One protocol for every cluster a suite can run against.
public protocol Cluster: Sendable {
    /// `embedded`, `compose` or `external`.
    var backend: String { get }
    var capabilities: Set<ClusterCapability> { get }
    var bootstrapServers: String { get }
    /// Properties every client of this cluster needs (security, for an external cluster).
    var clientConfig: KafkaConfig { get }

    func metadata(topic: String?) async throws -> ClusterMetadata
    /// The oldest and next offsets of a partition.
    func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64)
    func createTopic(_ spec: TopicSpec) async throws
    /// Where a broker listens, for probes from outside any client (default: the cluster's metadata).
    func brokerAddress(_ id: Int32) async throws -> (host: String, port: Int)?
    /// Brokers the cluster currently runs (not killed).
    func liveBrokers() async throws -> [Int32]
    func killBroker(_ id: Int32) async throws
    /// A graceful stop (SIGTERM: Kafka's controlled shutdown moves the broker's leadership away first);
    /// default: Unsupported.
    func stopBroker(_ id: Int32) async throws
    func restartBroker(_ id: Int32) async throws
    func setLatency(broker: Int32, _ latency: Duration) async throws
    func injectErrors(_ request: KafkaRequest, _ errorNames: [String]) async throws
    func moveLeader(topic: String, partition: Int32, to broker: Int32) async throws
    /// Every broker handles its next `count` requests of this type, then answers only after `delay`
    /// (a response that outlives the client's request timeout makes it retry what was written).
    func delayResponses(_ request: KafkaRequest, count: Int, by delay: Duration) async throws
    /// Consumers and transactional producers register the coordinator keys they use, so a backend
    /// that plays the controller can move their coordinators away from a killed broker.
    func registerCoordinatorKey(_ key: String, type: CoordinatorType)
    func shutdown() async

    /// The brokers the cluster is meant to have, whether or not they run now (default: the metadata's).
    func configuredBrokers() async throws -> [Int32]
    /// Faults in place that no step of the running scenario made: stopped services, toxics.
    func faultsInPlace() async throws -> [String]
    /// Starts stopped brokers again, all at once where the backend can (default: one by one).
    func restoreBrokers(_ ids: [Int32]) async throws
    func deleteTopics(_ names: [String]) async throws
    /// Moves partitions to the given replicas (Kafka's AlterPartitionReassignments) and waits until the
    /// metadata shows them; default: Unsupported (librdkafka 2.0.2 has no such request).
    func reassign(_ partitions: [(topic: String, partition: Int32, replicas: [Int32])]) async throws
    /// Runs a preferred leader election for these partitions (Kafka's ElectLeaders); default: Unsupported.
    func electPreferredLeaders(_ partitions: [(topic: String, partition: Int32)]) async throws
    /// The deadline of a wait for leadership to leave a killed broker: how long the controller takes
    /// to notice (a KRaft controller waits for the broker's session to expire) plus a margin.
    var failoverDeadline: Duration { get }
    /// The brokers' min.insync.replicas: a write with acks=all to a partition with fewer replicas in sync is
    /// refused (NOT_ENOUGH_REPLICAS). Kafka's default, 1, unless the cluster says otherwise.
    var minInsyncReplicas: Int32 { get }
    /// A client configuration as this cluster's clients use it (a shared cluster scopes group and
    /// transactional ids to the scenario); the default leaves it as it is.
    func scoped(_ config: KafkaConfig) -> KafkaConfig
    /// What to do about a capability the backend lacks, for the skip reason (default: another backend).
    func unsupportedHint(_ capability: ClusterCapability) -> String
}

public enum CoordinatorType: String, Sendable { case group, transaction }

extension Cluster {
    public func configuredBrokers() async throws -> [Int32] {
        try await metadata(topic: nil).brokers.map(\.id).sorted()
    }
    public func faultsInPlace() async throws -> [String] { [] }
    public func restoreBrokers(_ ids: [Int32]) async throws {
        for id in ids { try await restartBroker(id) }
    }
    public func deleteTopics(_ names: [String]) async throws {
        throw Unsupported(capability: .admin, backend: backend, hint: "its topics stay until the cluster is stopped")
    }
    public func reassign(_ partitions: [(topic: String, partition: Int32, replicas: [Int32])]) async throws {
        throw Unsupported(capability: .reassignment, backend: backend, hint: Self.adminToolHint(backend))
    }
    public func electPreferredLeaders(_ partitions: [(topic: String, partition: Int32)]) async throws {
        throw Unsupported(capability: .leaderElection, backend: backend, hint: Self.adminToolHint(backend))
    }
    static func adminToolHint(_ backend: String) -> String {
        backend == "embedded"
            ? "run with --cluster compose"
            : "librdkafka 2.0.2 has no request for it; run Kafka's own tool (kafka-reassign-partitions.sh, "
                + "kafka-leader-election.sh) with the plan file"
    }
    /// Kafka's default broker.session.timeout.ms (9 s) and 6 s of margin.
    public var failoverDeadline: Duration { .seconds(15) }
    public var minInsyncReplicas: Int32 { 1 }

    /// The replication factor of a topic the suite writes with acks=all (a mirror's copies, a stream
    /// processor's outputs): min.insync.replicas in sync and one broker to spare, so a drill's broker kill
    /// leaves every partition led and the writes accepted — at most the brokers there are.
    public func replicationFactorForAcksAll() async throws -> Int32 {
        ClusterRules.replicationFactorForAcksAll(
            minInsyncReplicas: minInsyncReplicas,
            brokers: try await configuredBrokers().count)
    }
    public func scoped(_ config: KafkaConfig) -> KafkaConfig { config }

    public func delayResponses(_ request: KafkaRequest, count: Int, by delay: Duration) async throws {
        throw Unsupported(
            capability: .errorInjection, backend: backend, hint: "delayed responses need --cluster embedded")
    }

    /// Throws Unsupported unless the backend has the capability.
    public func require(_ capability: ClusterCapability) throws(Unsupported) {
        guard capabilities.contains(capability) else {
            throw Unsupported(capability: capability, backend: backend, hint: unsupportedHint(capability))
        }
    }

    public func unsupportedHint(_ capability: ClusterCapability) -> String {
        Self.hint(for: capability, backend: backend)
    }

    public func stopBroker(_ id: Int32) async throws {
        throw Unsupported(capability: .brokerFaults, backend: backend, hint: unsupportedHint(.brokerFaults))
    }

    static func hint(for capability: ClusterCapability, backend: String) -> String {
        if capability == .security, backend != "external" {
            return "run with --cluster compose on the secured listeners "
                + "(make certs && make up-secure, KAFKA_BDD_SECURE=1)"
        }
        return backend == "embedded" ? "run with --cluster compose" : "use a cluster that supports it"
    }

    /// A client configuration for this cluster with the given extra properties.
    public func config(_ extra: [String: String] = [:]) -> KafkaConfig {
        scoped(KafkaConfig(["bootstrap.servers": bootstrapServers]).merging(clientConfig).merging(KafkaConfig(extra)))
    }

    public func metadata() async throws -> ClusterMetadata { try await metadata(topic: nil) }
}

public enum ClusterRules {
    /// With one replica, a killed broker takes its partitions with it (librdkafka 2.16's mock places an
    /// RF-1 topic's partitions round-robin; 2.0.2's ignores the factor and lists brokers 1–3 as every
    /// partition's replicas, which hid that).
    public static func replicationFactorForAcksAll(minInsyncReplicas: Int32, brokers: Int) -> Int32 {
        max(1, min(Int32(brokers), max(minInsyncReplicas, 1) + 1))
    }
}
