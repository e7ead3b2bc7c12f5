import Cluster
import KafkaClient
import Verification

/// The zombie drill (KAF-08): a transactional producer begins a transaction and writes, a second instance
/// initialises with the same transactional id, then the first tries to commit. Returns how that commit
/// ended: "committed", "fenced: …" or "failed otherwise: …".
public enum ZombieDrill {
    public static func run(_ cluster: any Cluster, transactionalId id: String, topic: String) async throws
        -> String
    {
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

/// A transactional producer that writes records and then commits or aborts: the ledger learns of the
/// records only after the outcome (an aborted one's records are aborted reads wherever a verifying read
/// meets them).
public enum TransactionDrill {
    public static func write(
        _ count: Int, to topic: String, commit: Bool, cluster: any Cluster, ledger: DeliveryLedger
    ) async throws -> [UInt64] {
        let id = "writer-\(commit ? "committed" : "aborted")"
        cluster.registerCoordinatorKey(id, type: .transaction)
        let producer = try Producer(config: cluster.config(["transactional.id": id]))
        defer { producer.close() }
        try await producer.initTransactions()
        try producer.beginTransaction()
        let first = UInt64(ledger.sentCount) + 1
        let ids = Array(first..<(first + UInt64(count)))
        for id in ids { try producer.produce(topic: topic, key: nil, value: Payload.make(id: id), token: id) }
        try await producer.flush()
        if commit { try await producer.commitTransaction() } else { try await producer.abortTransaction() }
        for i in ids { ledger.sent(i, key: nil, topic: topic, producer: id) }
        if !commit { ledger.aborted(ids) }
        return ids
    }
}

/// KAF-04's retention: the log start offsets of a topic's partitions polled until every record written
/// before (up to the high watermarks read first) has been deleted, or the time is up.
public enum RetentionDrill {
    public static func awaitDeletion(topic: String, partitions: Int32, cluster: any Cluster, within seconds: Int)
        async throws -> Verdict
    {
        var ends: [Int32: Int64] = [:]
        for p in 0..<partitions { ends[p] = try await cluster.watermarks(topic: topic, partition: p).high }
        let written = ends.values.reduce(0, +)
        let deadline = ContinuousClock.now + .seconds(seconds)
        var verdict: Verdict
        repeat {
            var remaining: [Int32: Int64] = [:]
            for p in 0..<partitions where (ends[p] ?? 0) > 0 {
                let low = try await cluster.watermarks(topic: topic, partition: p).low
                if low < ends[p]! { remaining[p] = ends[p]! - low }
            }
            verdict = Retention.recordsGone(written: written, remaining: remaining, after: seconds)
            if verdict.holds || written == 0 { break }
            try await Task.sleep(for: .milliseconds(500))  // polling interval of the deadline loop
        } while ContinuousClock.now < deadline
        return verdict
    }
}
