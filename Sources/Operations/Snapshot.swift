/// What an admin operation is planned and checked against: a cluster's metadata, watermarks, configs
/// and groups at one moment, as plain values. Built from a live cluster by `Steps.AdminDrills`; written
/// by hand in the unit tests.
public struct Snapshot: Sendable, Equatable, Codable {
    public struct Broker: Sendable, Equatable, Codable {
        public var id: Int32
        public var rack: String?
        public var live: Bool

        public init(id: Int32, rack: String? = nil, live: Bool = true) {
            self.id = id
            self.rack = rack
            self.live = live
        }
    }

    public struct Partition: Sendable, Equatable, Codable {
        public var id: Int32
        public var leader: Int32
        public var replicas: [Int32]
        public var isr: [Int32]
        /// Log start and end offsets (low and high watermarks), when read.
        public var low: Int64?
        public var high: Int64?
        /// Bytes on disk, when the cluster reports log-dir sizes (librdkafka 2.0.2 cannot ask).
        public var bytes: Int64?

        public init(
            id: Int32, leader: Int32, replicas: [Int32], isr: [Int32]? = nil, low: Int64? = nil,
            high: Int64? = nil, bytes: Int64? = nil
        ) {
            self.id = id
            self.leader = leader
            self.replicas = replicas
            self.isr = isr ?? replicas
            self.low = low
            self.high = high
            self.bytes = bytes
        }

        public var records: Int64? {
            guard let low, let high else { return nil }
            return high - low
        }
    }

    /// Keys read back from a topic: each key with the partition it was found in.
    public struct KeySample: Sendable, Equatable, Codable {
        public var placement: [String: Int32]
        public var keyed: Int
        public var unkeyed: Int

        public init(placement: [String: Int32] = [:], keyed: Int = 0, unkeyed: Int = 0) {
            self.placement = placement
            self.keyed = keyed
            self.unkeyed = unkeyed
        }
    }

    public struct Topic: Sendable, Equatable, Codable {
        public var name: String
        public var partitions: [Partition]
        /// Non-default configuration; nil when the cluster could not say (no DescribeConfigs).
        public var configs: [String: String]?
        /// Nil when the topic's records were not sampled.
        public var keys: KeySample?

        public init(name: String, partitions: [Partition], configs: [String: String]? = nil, keys: KeySample? = nil) {
            self.name = name
            self.partitions = partitions
            self.configs = configs
            self.keys = keys
        }

        /// Kafka's own topics (`__consumer_offsets`, `__transaction_state`, …) start with two underscores.
        public var isInternal: Bool { name.hasPrefix("__") }
        /// Distinct brokers holding a replica: a broker listed twice is not a second copy.
        public var replicationFactor: Int { partitions.map { Set($0.replicas).count }.min() ?? 0 }
        public var underReplicated: Int { partitions.filter { Set($0.isr).count < Set($0.replicas).count }.count }
        public var offline: Int { partitions.filter { $0.leader < 0 }.count }
    }

    public struct Group: Sendable, Equatable, Codable {
        public var name: String
        public var state: String
        /// Nil when the cluster cannot describe groups (the librdkafka mock has no DescribeGroups).
        public var members: Int?
        /// Committed offsets by topic and partition, when read.
        public var committed: [String: [Int32: Int64]]?

        public init(name: String, state: String, members: Int? = 0, committed: [String: [Int32: Int64]]? = nil) {
            self.name = name
            self.state = state
            self.members = members
            self.committed = committed
        }
    }

    public var brokers: [Broker]
    public var topics: [Topic]
    public var groups: [Group]
    /// False when the cluster cannot list groups: `groups` holds only those asked for by name.
    public var groupsListed: Bool

    public init(brokers: [Broker], topics: [Topic], groups: [Group] = [], groupsListed: Bool = true) {
        self.brokers = brokers
        self.topics = topics
        self.groups = groups
        self.groupsListed = groupsListed
    }

    public func topic(_ name: String) -> Topic? { topics.first { $0.name == name } }
    public func group(_ name: String) -> Group? { groups.first { $0.name == name } }
    public var liveBrokers: [Broker] { brokers.filter(\.live) }

    /// A group's lag on a topic: the high watermark less the committed offset, summed over the
    /// partitions it committed; nil when offsets or watermarks are unknown.
    public func lag(of group: Group, on topic: String) -> Int64? {
        guard let committed = group.committed?[topic], let t = self.topic(topic) else { return nil }
        var total: Int64 = 0
        for (partition, offset) in committed {
            guard let high = t.partitions.first(where: { $0.id == partition })?.high else { return nil }
            total += max(0, high - offset)
        }
        return total
    }
}
