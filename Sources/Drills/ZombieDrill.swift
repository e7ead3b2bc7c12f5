import Cluster
import KafkaClient
import Verification

/// The zombie drill (KAF-08): a transactional producer begins a transaction and writes, a second instance
/// initialises with the same transactional id, then the first tries to commit. Returns how that commit
/// ended: "committed", "fenced: …" or "failed otherwise: …".
public enum ZombieDrill {
    public static func run(_ cluster: any Cluster, transactionalId id: String, topic: String) async throws
        -> String {
        cluster.registerCoordinatorKey(id, type: .transaction)
        let first = try Producer(config: cluster.config(["transactional.id": id]))
        let second = try Producer(config: cluster.config(["transactional.id": id]))
        defer { first.close(flushTimeout: .zero); second.close() }
        try await first.initTransactions()
        try first.beginTransaction()
        try first.produce(topic: topic, key: nil, value: Payload.make(id: 1), token: 1)
        try await second.initTransactions()
        var outcome = "committed"
        do { try await first.commitTransaction() } catch let e as KafkaError where e.isFenced {
            outcome = "fenced: \(e)"
        } catch {
            outcome = "failed otherwise: \(error)"
        }
        return outcome
    }
}
