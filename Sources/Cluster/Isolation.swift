import KafkaClient
import Synchronization

/// A shared cluster that was not handed back as it was found: what could not be restored.
public struct ClusterNotRestored: Error, Sendable, CustomStringConvertible {
    public let description: String
}

extension Cluster {
    /// Why this shared cluster is not fit to start a scenario on: a configured broker that does not answer
    /// ApiVersions or is missing from the metadata, or a fault left in place (a stopped service, a toxic).
    public func healthProblems(expecting brokers: [Int32]) async -> [String] {
        var problems: [String] = []
        var listed: Set<Int32> = []
        do { listed = Set(try await metadata(topic: nil).brokers.map(\.id)) } catch {
            problems.append("no metadata: \(error)")
        }
        for id in brokers {
            do {
                let outcome = try await probe(broker: id, timeout: .seconds(3))
                if !outcome.answered {
                    problems.append("broker \(id) is down (\(outcome))")
                } else if !listed.isEmpty, !listed.contains(id) {
                    problems.append("broker \(id) answers but is missing from the metadata")
                }
            } catch {
                problems.append("broker \(id) cannot be probed: \(error)")
            }
        }
        do { problems += try await faultsInPlace() } catch {
            problems.append("cannot list the faults in place: \(error)")
        }
        return problems
    }
}

/// A shared cluster as one scenario uses it. Every broker the scenario kills, every latency it sets and
/// every topic it creates is recorded as the call is made, so that `restore(within:)` can hand the next
/// scenario the cluster this one found, whichever step made the change. Its clients' group and
/// transactional ids get the scenario's suffix: a group of an earlier scenario (or run) may still hold
/// members or offsets, and a transactional id would fence the earlier producer.
public final class IsolatedCluster: Cluster, @unchecked Sendable {
    public let shared: any Cluster
    /// Appended to group.id and transactional.id, e.g. `k3x9-12`.
    public let scope: String
    private struct Record {
        var down: Set<Int32> = []  // killed and not restarted
        var bounced: Set<Int32> = []  // killed at some point: must be back in every ISR
        var slowed: Set<Int32> = []
        var topics: [String] = []
    }
    private let record = Mutex(Record())

    public init(_ shared: any Cluster, scope: String) {
        self.shared = shared
        self.scope = scope
    }

    public func scoped(_ config: KafkaConfig) -> KafkaConfig {
        var c = shared.scoped(config)
        for key in ["group.id", "transactional.id"] {
            if let id = c[key], !id.hasSuffix("-" + scope) { c[key] = id + "-" + scope }
        }
        return c
    }

    public var backend: String { shared.backend }
    public var capabilities: Set<ClusterCapability> { shared.capabilities }
    public var bootstrapServers: String { shared.bootstrapServers }
    public var clientConfig: KafkaConfig { shared.clientConfig }
    public var failoverDeadline: Duration { shared.failoverDeadline }
    public func unsupportedHint(_ capability: ClusterCapability) -> String { shared.unsupportedHint(capability) }
    public var minInsyncReplicas: Int32 { shared.minInsyncReplicas }

    public func metadata(topic: String?) async throws -> ClusterMetadata { try await shared.metadata(topic: topic) }
    public func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64) {
        try await shared.watermarks(topic: topic, partition: partition)
    }
    public func createTopic(_ spec: TopicSpec) async throws {
        record.withLock { $0.topics.append(spec.name) }
        try await shared.createTopic(spec)
    }
    public func deleteTopics(_ names: [String]) async throws { try await shared.deleteTopics(names) }
    public func reassign(_ partitions: [(topic: String, partition: Int32, replicas: [Int32])]) async throws {
        try await shared.reassign(partitions)
    }
    public func electPreferredLeaders(_ partitions: [(topic: String, partition: Int32)]) async throws {
        try await shared.electPreferredLeaders(partitions)
    }
    public func brokerAddress(_ id: Int32) async throws -> (host: String, port: Int)? {
        try await shared.brokerAddress(id)
    }
    public func liveBrokers() async throws -> [Int32] { try await shared.liveBrokers() }
    public func configuredBrokers() async throws -> [Int32] { try await shared.configuredBrokers() }
    public func faultsInPlace() async throws -> [String] { try await shared.faultsInPlace() }

    public func killBroker(_ id: Int32) async throws {
        record.withLock {
            _ = $0.down.insert(id); _ = $0.bounced.insert(id)
        }
        try await shared.killBroker(id)
    }
    public func stopBroker(_ id: Int32) async throws {
        record.withLock {
            _ = $0.down.insert(id); _ = $0.bounced.insert(id)
        }
        try await shared.stopBroker(id)
    }
    public func restartBroker(_ id: Int32) async throws {
        try await shared.restartBroker(id)
        _ = record.withLock { $0.down.remove(id) }
    }
    public func restoreBrokers(_ ids: [Int32]) async throws {
        try await shared.restoreBrokers(ids)
        record.withLock { $0.down.subtract(ids) }
    }
    public func setLatency(broker: Int32, _ latency: Duration) async throws {
        _ = record.withLock { $0.slowed.insert(broker) }
        try await shared.setLatency(broker: broker, latency)
    }
    public func injectErrors(_ request: KafkaRequest, _ errorNames: [String]) async throws {
        try await shared.injectErrors(request, errorNames)
    }
    public func delayResponses(_ request: KafkaRequest, count: Int, by delay: Duration) async throws {
        try await shared.delayResponses(request, count: count, by: delay)
    }
    public func moveLeader(topic: String, partition: Int32, to broker: Int32) async throws {
        try await shared.moveLeader(topic: topic, partition: partition, to: broker)
    }
    public func registerCoordinatorKey(_ key: String, type: CoordinatorType) {
        shared.registerCoordinatorKey(key, type: type)
    }
    /// The shared cluster outlives the scenario: its owner shuts it down.
    public func shutdown() async {}

    /// What this scenario changed and has not undone.
    public var changes: (down: [Int32], bounced: [Int32], slowed: [Int32], topics: [String]) {
        record.withLock { ($0.down.sorted(), $0.bounced.sorted(), $0.slowed.sorted(), $0.topics) }
    }

    /// Undoes what the scenario did, within `limit`: removes its latency, starts the brokers it stopped
    /// and waits until each answers ApiVersions, is in the metadata and is back in the ISR of every
    /// partition it replicates; then deletes its topics. Returns what it did, for the report; throws
    /// `ClusterNotRestored` when a broker or a toxic could not be put back (a topic that cannot be
    /// deleted is only noted: its name is unique to the run and no later scenario reads it).
    public func restore(within limit: Duration) async throws -> [String] {
        let deadline = ContinuousClock.now + limit
        let (down, bounced, slowed, topics) = changes
        var done: [String] = [], problems: [String] = []
        for broker in slowed {
            do {
                try await shared.setLatency(broker: broker, .zero)
                _ = record.withLock { $0.slowed.remove(broker) }
                done.append("latency on broker \(broker) removed")
            } catch {
                problems.append("latency on broker \(broker) not removed: \(error)")
            }
        }
        if !down.isEmpty {
            do {
                try await restoreBrokers(down)
                done.append("brokers \(down) started")
            } catch {
                problems.append("brokers \(down) not started: \(error)")
            }
        }
        // Every broker the scenario took down, restarted by a step or just now, must be back in full.
        await withTaskGroup(of: String?.self) { group in
            for broker in bounced {
                group.addTask {
                    do {
                        try await self.shared.awaitBack(broker: broker, within: deadline - ContinuousClock.now)
                        try await self.shared.awaitInSync(broker: broker, within: deadline - ContinuousClock.now)
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
            }
            for await problem in group { if let problem { problems.append(problem) } }
        }
        if !bounced.isEmpty, problems.isEmpty { done.append("brokers \(bounced) back and in sync") }
        record.withLock { $0.bounced.removeAll() }
        if !topics.isEmpty {
            do {
                try await shared.deleteTopics(topics)
                done.append("topics deleted: \(topics.joined(separator: ", "))")
            } catch {
                done.append("topics left (names unique to this run): \(topics.joined(separator: ", ")) — \(error)")
            }
            record.withLock { $0.topics.removeAll() }
        }
        guard problems.isEmpty else {
            throw ClusterNotRestored(
                description: "the shared \(backend) cluster could not be restored after the "
                    + "scenario: " + problems.joined(separator: "; "))
        }
        return done
    }
}
