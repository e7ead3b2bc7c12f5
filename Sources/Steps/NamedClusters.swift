import Foundation
import Drills
import Runtime
import KafkaClient
import Cluster

/// A cluster a scenario named, with the topics it made there.
struct NamedCluster: Sendable {
    var cluster: any Cluster
    var topics: [String: String] = [:]
    var partitions: [String: Int32] = [:]
}

extension StepContext {
    /// Makes `name` the cluster the following steps act on (its topics included).
    func actOn(cluster name: String) throws {
        try scenario.state.withLock { s in
            if let current = s.current, let cluster = s.cluster {
                s.named[current] = NamedCluster(cluster: cluster, topics: s.topics, partitions: s.partitions)
            }
            guard let target = s.named[name] else {
                throw StepFailure(
                    "no cluster \"\(name)\" in this scenario (clusters: \(s.named.keys.sorted())); start it with "
                        + "`Given a source cluster \"east\" and a target cluster \"west\" with 3 brokers each`"
                )
            }
            s.current = name
            s.ledger.scope(to: name)
            s.cluster = target.cluster
            s.topics = target.topics
            s.partitions = target.partitions
        }
    }

    /// Runs `body` with `name` as the current cluster, then goes back to the one that was current.
    func on<T>(cluster name: String, _ body: () async throws -> T) async throws -> T {
        let previous = scenario.state.withLock { $0.current }
        try actOn(cluster: name)
        defer { if let previous { try? actOn(cluster: previous) } }
        return try await body()
    }

    /// A named cluster, whether or not it is the current one.
    func named(_ name: String) throws -> NamedCluster {
        try scenario.state.withLock { s in
            if s.current == name, let c = s.cluster {
                return NamedCluster(cluster: c, topics: s.topics, partitions: s.partitions)
            }
            guard let n = s.named[name] else { throw StepFailure("no cluster \"\(name)\" in this scenario") }
            return n
        }
    }
}
