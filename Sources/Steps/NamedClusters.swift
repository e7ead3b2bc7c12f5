import Foundation
import Runtime
import KafkaClient
import Cluster

/// A cluster a scenario named, with the topics it made there.
struct NamedCluster: Sendable {
    var cluster: any Cluster
    var topics: [String: String] = [:]
    var partitions: [String: Int32] = [:]
}

extension KafkaEnvironment {
    /// A scenario's second cluster: another mock (embedded); the `mirror` profile's west cluster (compose);
    /// the cluster at KAFKA_BDD_TARGET_BOOTSTRAP (external), or a skip when it is unset.
    func secondCluster(brokers: Int) async throws -> any Cluster {
        if let factory { return try await factory(brokers) }
        switch backend {
        case .embedded: return try EmbeddedCluster(brokers: brokers)
        case .compose:
            let west = try ComposeCluster(bootstrapServers: ComposeCluster.westBootstrap, topology: .west)
            // The profile is optional: a west cluster that does not answer at all is a missing capability.
            guard (try? await west.metadata(topic: nil)) != nil else {
                throw StepSkipped("the compose target cluster (profile mirror) is not running at "
                                  + "\(ComposeCluster.westBootstrap) — start it with `make up-mirror`")
            }
            let problems = await west.healthProblems(expecting: ComposeCluster.Topology.west.brokerIds)
            guard problems.isEmpty else {
                throw StepFailure("the compose target cluster (profile mirror) is not healthy: "
                                  + problems.joined(separator: "; ") + " — start it with `make up-mirror`")
            }
            return IsolatedCluster(west, scope: "\(UInt32.random(in: 0...UInt32.max))")
        case .external:
            guard let bootstrap = ProcessInfo.processInfo.environment["KAFKA_BDD_TARGET_BOOTSTRAP"] else {
                throw StepSkipped("a second cluster needs KAFKA_BDD_TARGET_BOOTSTRAP on --cluster external")
            }
            return try ExternalCluster(bootstrapServers: bootstrap)
        }
    }
}

extension StepContext {
    /// Makes `name` the cluster the following steps act on (its topics included).
    func actOn(cluster name: String) throws {
        try scenario.state.withLock { s in
            if let current = s.current, let cluster = s.cluster {
                s.named[current] = NamedCluster(cluster: cluster, topics: s.topics, partitions: s.partitions)
            }
            guard let target = s.named[name] else {
                throw StepFailure("no cluster \"\(name)\" in this scenario (clusters: \(s.named.keys.sorted())); "
                                  + "start it with `Given a source cluster \"east\" and a target cluster \"west\" "
                                  + "with 3 brokers each`")
            }
            s.current = name
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
            if s.current == name, let c = s.cluster { return NamedCluster(cluster: c, topics: s.topics, partitions: s.partitions) }
            guard let n = s.named[name] else { throw StepFailure("no cluster \"\(name)\" in this scenario") }
            return n
        }
    }
}
