/// A topic to create: name, partitions, replication factor and configs.
public struct TopicSpec: Sendable, Equatable {
    public var name: String
    public var partitions: Int32
    public var replicationFactor: Int32
    public var configs: [String: String]

    public init(name: String, partitions: Int32 = 1, replicationFactor: Int32 = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }

    /// `events:6:3` → 6 partitions, replication factor 3.
    public init?(shorthand: String) {
        let parts = shorthand.split(separator: ":").map(String.init)
        guard let name = parts.first, !name.isEmpty, parts.count <= 3 else { return nil }
        let partitions = parts.count > 1 ? Int32(parts[1]) : 1
        let rf = parts.count > 2 ? Int32(parts[2]) : 1
        guard let partitions, let rf, partitions > 0, rf > 0 else { return nil }
        self.init(name: name, partitions: partitions, replicationFactor: rf)
    }
}
