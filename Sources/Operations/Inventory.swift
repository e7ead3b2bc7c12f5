import Foundation

/// A read-only picture of a cluster for CI: topics with partitions, replication factor, ISR health and
/// non-default configs, and consumer groups with their lag. `diff` compares it with an expected one.
public struct Inventory: Sendable, Equatable, Codable {
    public struct Topic: Sendable, Equatable, Codable {
        public var name: String
        public var partitions: Int
        public var replicationFactor: Int
        public var underReplicated: Int?
        public var offline: Int?
        /// Non-default configs; nil when the cluster could not say.
        public var configs: [String: String]?

        public init(
            name: String, partitions: Int, replicationFactor: Int, underReplicated: Int? = nil,
            offline: Int? = nil, configs: [String: String]? = nil
        ) {
            self.name = name
            self.partitions = partitions
            self.replicationFactor = replicationFactor
            self.underReplicated = underReplicated
            self.offline = offline
            self.configs = configs
        }
    }

    public struct Group: Sendable, Equatable, Codable {
        public var name: String
        public var state: String?
        /// Total lag over the partitions the group committed, by topic.
        public var lag: [String: Int64]?

        public init(name: String, state: String? = nil, lag: [String: Int64]? = nil) {
            self.name = name
            self.state = state
            self.lag = lag
        }
    }

    public var brokers: [Int32]?
    public var topics: [Topic]
    public var groups: [Group]?

    public init(brokers: [Int32]?, topics: [Topic], groups: [Group]?) {
        self.brokers = brokers
        self.topics = topics
        self.groups = groups
    }

    public init(_ snapshot: Snapshot) {
        brokers = snapshot.brokers.map(\.id).sorted()
        topics = snapshot.topics.sorted { $0.name < $1.name }.map { t in
            Topic(
                name: t.name, partitions: t.partitions.count, replicationFactor: t.replicationFactor,
                underReplicated: t.underReplicated, offline: t.offline, configs: t.configs)
        }
        groups =
            !snapshot.groupsListed
            ? nil
            : snapshot.groups.sorted { $0.name < $1.name }.map { g in
                let lag = g.committed.map { committed in
                    Dictionary(
                        uniqueKeysWithValues: committed.keys.compactMap { topic in
                            snapshot.lag(of: g, on: topic).map { (topic, $0) }
                        })
                }
                return Group(name: g.name, state: g.state, lag: lag)
            }
    }

    public func json(pretty: Bool = true) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public static func parse(_ text: String, source: String) throws(Refusal) -> Inventory {
        do {
            return try JSONDecoder().decode(Inventory.self, from: Data(text.utf8))
        } catch let DecodingError.keyNotFound(key, context) {
            throw Refusal("\(source): not an inventory: \(Reassignment.path(context.codingPath + [key])) is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw Refusal("\(source): not an inventory: \(Reassignment.path(context.codingPath)) has the wrong type")
        } catch {
            throw Refusal("\(source): not an inventory (JSON as `kafka-bdd admin inventory --format json` writes it)")
        }
    }

    public struct Drift: Sendable, Equatable, Codable, CustomStringConvertible {
        public var subject: String
        public var expected: String
        public var actual: String
        public var description: String { "\(subject): expected \(expected), found \(actual)" }
    }

    /// What differs from `expected`: topics missing or unexpected (internal ones aside), partition
    /// counts, replication factors, and each config the expected file names (when the cluster can say);
    /// brokers when the expected file lists them; groups the expected file lists that are gone. Health
    /// and lag change by the minute and are not drift.
    public static func diff(expected: Inventory, actual: Inventory) -> [Drift] {
        var drift: [Drift] = []
        if let want = expected.brokers, let have = actual.brokers, want != have {
            drift.append(
                .init(
                    subject: "brokers", expected: want.map(String.init).joined(separator: ","),
                    actual: have.map(String.init).joined(separator: ",")))
        }
        let have = Dictionary(actual.topics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let want = Dictionary(expected.topics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, w) in want.sorted(by: { $0.key < $1.key }) {
            guard let h = have[name] else {
                drift.append(.init(subject: "topic \(name)", expected: "present", actual: "absent"))
                continue
            }
            if w.partitions != h.partitions {
                drift.append(
                    .init(subject: "topic \(name) partitions", expected: "\(w.partitions)", actual: "\(h.partitions)"))
            }
            if w.replicationFactor != h.replicationFactor {
                drift.append(
                    .init(
                        subject: "topic \(name) replication factor", expected: "\(w.replicationFactor)",
                        actual: "\(h.replicationFactor)"))
            }
            if let wc = w.configs, let hc = h.configs {
                for key in Set(wc.keys).union(hc.keys).sorted() where wc[key] != hc[key] {
                    drift.append(
                        .init(
                            subject: "topic \(name) config \(key)", expected: wc[key] ?? "(default)",
                            actual: hc[key] ?? "(default)"))
                }
            }
        }
        for name in have.keys.sorted() where want[name] == nil && !name.hasPrefix("__") {
            drift.append(.init(subject: "topic \(name)", expected: "absent", actual: "present"))
        }
        let groups = Set((actual.groups ?? []).map(\.name))
        for g in expected.groups ?? [] where !groups.contains(g.name) {
            drift.append(.init(subject: "group \(g.name)", expected: "present", actual: "absent"))
        }
        return drift
    }
}
