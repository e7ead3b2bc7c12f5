import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification
import Synchronization

/// What every domain of one scenario shares: its cluster, its topics and the delivery ledger. Each
/// domain keeps the rest under its own World key, beside its steps.
final class ScenarioState: Sendable {
    let state = Mutex(State())

    struct State {
        var cluster: (any Cluster)?
        var topics: [String: String] = [:]  // as written → physical
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
            throw StepFailure(
                "topic \"\(name)\" was not created in this scenario (use `Given a topic \"\(name)\" with 6 partitions "
                    + "and replication factor 3`)"
            )
        }
        return t
    }

    var ledger: DeliveryLedger { scenario.state.withLock { $0.ledger } }
}

extension StepContext {
    /// The rows of the step's table under its header row, which must be exactly `header`; each row as wide.
    /// The failure names the table's form and `what` a row is.
    func tableRows(under header: [String], each what: String) throws -> [[String]] {
        let rows = dataTable ?? []
        guard rows.first == header, rows.count > 1, rows.dropFirst().allSatisfy({ $0.count == header.count }) else {
            let form = "| " + header.joined(separator: " | ") + " |"
            throw StepFailure("expected a table `\(form)` with a row per \(what)")
        }
        return Array(rows.dropFirst())
    }
}
