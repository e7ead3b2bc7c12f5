import Cluster
import KafkaClient
import Synchronization

/// The embedded cluster with some faults switched off but reported as done — the harness's own
/// record says the broker is down, the latency set, the errors injected, and nothing happened.
/// A drill run on it must fail or skip, never pass: "this could have failed, and didn't" depends on it.
final class LyingCluster: Cluster, @unchecked Sendable {
    enum Lie: String, CaseIterable, Sendable {
        case kill, stop, restart, latency, errorInjection, delayedResponses
    }

    let inner: EmbeddedCluster
    let lies: Set<Lie>
    private let claimedDown = Mutex<Set<Int32>>([])

    init(_ inner: EmbeddedCluster, lying lies: Set<Lie> = Set(Lie.allCases)) {
        self.inner = inner
        self.lies = lies
    }

    var backend: String { inner.backend }  // it passes itself off as the real thing
    var capabilities: Set<ClusterCapability> { inner.capabilities }
    var bootstrapServers: String { inner.bootstrapServers }
    var clientConfig: KafkaConfig { inner.clientConfig }
    func metadata(topic: String?) async throws -> ClusterMetadata { try await inner.metadata(topic: topic) }
    func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64) {
        try await inner.watermarks(topic: topic, partition: partition)
    }
    func createTopic(_ spec: TopicSpec) async throws { try await inner.createTopic(spec) }
    func brokerAddress(_ id: Int32) async throws -> (host: String, port: Int)? { try await inner.brokerAddress(id) }
    func configuredBrokers() async throws -> [Int32] { try await inner.configuredBrokers() }
    func liveBrokers() async throws -> [Int32] {
        let down = claimedDown.withLock { $0 }
        return try await inner.liveBrokers().filter { !down.contains($0) }
    }
    func killBroker(_ id: Int32) async throws {
        if lies.contains(.kill) { _ = claimedDown.withLock { $0.insert(id) } } else { try await inner.killBroker(id) }
    }
    func stopBroker(_ id: Int32) async throws {
        if lies.contains(.stop) { _ = claimedDown.withLock { $0.insert(id) } } else { try await inner.stopBroker(id) }
    }
    func restartBroker(_ id: Int32) async throws {
        _ = claimedDown.withLock { $0.remove(id) }
        if !lies.contains(.restart) { try await inner.restartBroker(id) }
    }
    func setLatency(broker: Int32, _ latency: Duration) async throws {
        if !lies.contains(.latency) { try await inner.setLatency(broker: broker, latency) }
    }
    func injectErrors(_ request: KafkaRequest, _ errorNames: [String]) async throws {
        if !lies.contains(.errorInjection) { try await inner.injectErrors(request, errorNames) }
    }
    func delayResponses(_ request: KafkaRequest, count: Int, by delay: Duration) async throws {
        if !lies.contains(.delayedResponses) { try await inner.delayResponses(request, count: count, by: delay) }
    }
    func moveLeader(topic: String, partition: Int32, to broker: Int32) async throws {
        try await inner.moveLeader(topic: topic, partition: partition, to: broker)
    }
    func registerCoordinatorKey(_ key: String, type: CoordinatorType) { inner.registerCoordinatorKey(key, type: type) }
    func shutdown() async { await inner.shutdown() }
}
