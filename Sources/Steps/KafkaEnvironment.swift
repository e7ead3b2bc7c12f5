import Foundation
import Runtime
import KafkaClient
import Cluster
import Verification
import Synchronization

/// Which cluster a run uses, and the scenario-scoped state the steps share.
public final class KafkaEnvironment: Sendable {
    public enum Backend: String, Sendable, CaseIterable {
        case embedded, compose, external
    }

    public let backend: Backend
    let shared: (any Cluster)?
    /// Tests substitute clusters (a fake that misbehaves) here.
    let factory: (@Sendable (Int) async throws -> any Cluster)?
    /// Makes topic names unique per scenario on shared clusters.
    private let counter = Atomic<Int>(0)
    private let runId = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    /// The step and hook time limit the run uses; waits inside steps stay below it.
    public let stepTimeout: Duration

    public init(backend: Backend, stepTimeout: Duration = .seconds(60)) throws {
        self.backend = backend
        self.stepTimeout = stepTimeout
        self.factory = nil
        switch backend {
        case .embedded: shared = nil
        case .compose: shared = try ComposeCluster()
        case .external: shared = try ExternalCluster.fromEnvironment()
        }
    }

    /// One cluster shared by every scenario, made elsewhere (tests: a compose cluster over a fake docker);
    /// `second` makes a scenario's second cluster in place of the backend's (tests: a fake west cluster).
    public init(backend: Backend, shared: any Cluster, stepTimeout: Duration = .seconds(60),
                second: (@Sendable (Int) async throws -> any Cluster)? = nil) {
        self.backend = backend
        self.stepTimeout = stepTimeout
        self.shared = shared
        self.factory = second
    }

    /// Clusters made by `factory`, one per scenario (for tests).
    init(factory: @escaping @Sendable (Int) async throws -> any Cluster) {
        backend = .embedded
        stepTimeout = .seconds(60)
        shared = nil
        self.factory = factory
    }

    /// From `KAFKA_BDD_CLUSTER` (embedded when unset).
    public static func fromEnvironment() throws -> KafkaEnvironment {
        let name = ProcessInfo.processInfo.environment["KAFKA_BDD_CLUSTER"] ?? "embedded"
        guard let backend = Backend(rawValue: name) else {
            throw KafkaError.invalidArgument("KAFKA_BDD_CLUSTER=\(name): expected embedded, compose or external")
        }
        return try KafkaEnvironment(backend: backend)
    }

    /// Checks a shared cluster answers, within a bounded time.
    public func checkReachable(timeout: Duration = .seconds(10)) async throws {
        if let external = shared as? ExternalCluster { try await external.checkReachable(timeout: timeout) }
        if let shared, !(shared is ExternalCluster) {
            do { _ = try await shared.metadata(topic: nil) } catch {
                throw KafkaError.transport("cannot reach the \(backend.rawValue) cluster at \(shared.bootstrapServers): \(error)")
            }
        }
    }

    /// The cluster for one scenario: a fresh embedded one, or the shared one as this scenario sees it
    /// (an `IsolatedCluster`, which the After hook restores). A shared cluster must be healthy at the
    /// start of a scenario: a broker down or a fault left in place fails the scenario with that reason,
    /// since its verdict would be about an earlier scenario's leftovers. Too few brokers for the
    /// scenario is what the cluster is, not a fault: a skip.
    func cluster(brokers: Int) async throws -> any Cluster {
        if let shared {
            let configured = try await configuredBrokers(shared)
            guard configured.count >= brokers else {
                throw StepSkipped("the \(backend.rawValue) cluster has \(configured.count) brokers; "
                                  + "this scenario needs \(brokers)")
            }
            let problems = await shared.healthProblems(expecting: configured)
            guard problems.isEmpty else {
                throw StepFailure("the shared \(backend.rawValue) cluster is not healthy at the start of this "
                                  + "scenario: " + problems.joined(separator: "; ")
                                  + " (an earlier scenario or someone else left it so)")
            }
            return IsolatedCluster(shared, scope: "\(runId)-\(counter.wrappingAdd(1, ordering: .relaxed).oldValue)")
        }
        if let factory { return try await factory(brokers) }
        return try EmbeddedCluster(brokers: brokers)
    }

    /// The brokers a shared cluster had when the run first looked (compose: those of its topology).
    private let baseline = Mutex<[Int32]?>(nil)
    private func configuredBrokers(_ shared: any Cluster) async throws -> [Int32] {
        if let known = baseline.withLock({ $0 }) { return known }
        let brokers = try await shared.configuredBrokers()
        baseline.withLock { $0 = $0 ?? brokers }
        return brokers
    }

    /// What the After hook may spend restoring a shared cluster: the hook's time limit less a margin,
    /// so that its own message, not the runner's, says what could not be restored.
    var restoreDeadline: Duration { max(stepTimeout - .seconds(5), stepTimeout * 0.8) }

    /// The physical name of a scenario's topic: as written on a per-scenario cluster, suffixed on a shared one.
    func physicalTopic(_ name: String) -> String {
        shared == nil ? name : "\(name)-\(runId)-\(counter.wrappingAdd(1, ordering: .relaxed).oldValue)"
    }

    var ownsClusters: Bool { shared == nil }

    public func shutdown() async { await shared?.shutdown() }
}

/// What every domain of one scenario shares: its cluster, its topics and the delivery ledger. Each
/// domain keeps the rest under its own World key, beside its steps.
final class ScenarioState: Sendable {
    let state = Mutex(State())

    struct State {
        var cluster: (any Cluster)?
        var topics: [String: String] = [:] // as written → physical
        var partitions: [String: Int32] = [:]
        /// The replication factor each topic was created with, as asked (physical name → factor).
        var replicationFactors: [String: Int32] = [:]
        var ledger = DeliveryLedger()
        /// An admin command its safety checks accepted but this cluster has no API to send: the cluster is
        /// not as the scenario expects after it, so every later step that reads the cluster skips with this.
        var unsent: Unsupported?
        /// Clusters a scenario named (KAF-10's source and target), and which one the steps act on now:
        /// `cluster`, `topics` and `partitions` above are the current one's (NamedClusters.swift).
        var named: [String: NamedCluster] = [:]
        var current: String?
    }
}

enum ScenarioKey: WorldKey {
    static var defaultValue: ScenarioState { ScenarioState() }
}

extension StepContext {
    var scenario: ScenarioState { world[ScenarioKey.self] }

    func cluster() throws -> any Cluster {
        if let unsent = scenario.state.withLock({ $0.unsent }) { throw unsent }
        guard let c = scenario.state.withLock({ $0.cluster }) else {
            throw StepFailure("no cluster yet: start the scenario with `Given a 3-broker cluster`")
        }
        return c
    }

    /// The physical topic behind a name the feature file uses.
    func topic(_ name: String) throws -> String {
        guard let t = scenario.state.withLock({ $0.topics[name] }) else {
            throw StepFailure("topic \"\(name)\" was not created in this scenario (use `Given a topic \"\(name)\" with 6 partitions and replication factor 3`)")
        }
        return t
    }

    var ledger: DeliveryLedger { scenario.state.withLock { $0.ledger } }
}
