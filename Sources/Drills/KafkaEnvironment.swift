import Foundation
import KafkaClient
import Cluster
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
    public init(
        backend: Backend, shared: any Cluster, stepTimeout: Duration = .seconds(60),
        second: (@Sendable (Int) async throws -> any Cluster)? = nil
    ) {
        self.backend = backend
        self.stepTimeout = stepTimeout
        self.shared = shared
        self.factory = second
    }

    /// Clusters made by `factory`, one per scenario (for tests).
    public init(factory: @escaping @Sendable (Int) async throws -> any Cluster) {
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
                throw KafkaError.transport(
                    "cannot reach the \(backend.rawValue) cluster at \(shared.bootstrapServers): \(error)")
            }
        }
    }

    /// The cluster for one scenario: a fresh embedded one, or the shared one as this scenario sees it
    /// (an `IsolatedCluster`, which the After hook restores). A shared cluster must be healthy at the
    /// start of a scenario: a broker down or a fault left in place fails the scenario with that reason,
    /// since its verdict would be about an earlier scenario's leftovers. Too few brokers for the
    /// scenario is what the cluster is, not a fault: a skip.
    public func cluster(brokers: Int) async throws -> any Cluster {
        if let shared {
            let configured = try await configuredBrokers(shared)
            guard configured.count >= brokers else {
                throw CannotRunHere(
                    "the \(backend.rawValue) cluster has \(configured.count) brokers; "
                        + "this scenario needs \(brokers)")
            }
            let problems = await shared.healthProblems(expecting: configured)
            guard problems.isEmpty else {
                throw DrillFailure(
                    "the shared \(backend.rawValue) cluster is not healthy at the start of this "
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
    public var restoreDeadline: Duration { max(stepTimeout - .seconds(5), stepTimeout * 0.8) }

    /// The physical name of a scenario's topic: as written on a per-scenario cluster, suffixed on a shared one.
    public func physicalTopic(_ name: String) -> String {
        shared == nil ? name : "\(name)-\(runId)-\(counter.wrappingAdd(1, ordering: .relaxed).oldValue)"
    }

    public var ownsClusters: Bool { shared == nil }

    public func shutdown() async { await shared?.shutdown() }
}

extension KafkaEnvironment {
    /// A scenario's second cluster: another mock (embedded); the `mirror` profile's west cluster (compose);
    /// the cluster at KAFKA_BDD_TARGET_BOOTSTRAP (external), or a skip when it is unset.
    public func secondCluster(brokers: Int) async throws -> any Cluster {
        if let factory { return try await factory(brokers) }
        switch backend {
        case .embedded: return try EmbeddedCluster(brokers: brokers)
        case .compose:
            let west = try ComposeCluster(bootstrapServers: ComposeCluster.westBootstrap, topology: .west)
            // The profile is optional: a west cluster that does not answer at all is a missing capability.
            guard (try? await west.metadata(topic: nil)) != nil else {
                throw CannotRunHere(
                    "the compose target cluster (profile mirror) is not running at "
                        + "\(ComposeCluster.westBootstrap) — start it with `make up-mirror`")
            }
            let problems = await west.healthProblems(expecting: ComposeCluster.Topology.west.brokerIds)
            guard problems.isEmpty else {
                throw DrillFailure(
                    "the compose target cluster (profile mirror) is not healthy: "
                        + problems.joined(separator: "; ") + " — start it with `make up-mirror`")
            }
            return IsolatedCluster(west, scope: "\(UInt32.random(in: 0...UInt32.max))")
        case .external:
            guard let bootstrap = ProcessInfo.processInfo.environment["KAFKA_BDD_TARGET_BOOTSTRAP"] else {
                throw CannotRunHere("a second cluster needs KAFKA_BDD_TARGET_BOOTSTRAP on --cluster external")
            }
            return try ExternalCluster(bootstrapServers: bootstrap)
        }
    }
}

/// What a scenario asked for cannot be had or shown here (too few brokers, an optional profile not started,
/// a claim this cluster cannot falsify): a skip with the reason, not a failure (Steps makes it skip).
public struct CannotRunHere: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
