import Cluster
import Foundation
import KafkaClient
import Synchronization
import Verification

/// KAF-04's consumers with manual commits: one that commits part of what it read and crashes, one that
/// resumes from the committed offsets, one whose rebalance listener commits on revocation.
public enum CommitDrills {
    /// What one consumer read and committed, by payload id and offset.
    public struct Session: Sendable {
        public var read: [(id: UInt64, partition: Int32, offset: Int64)] = []
        public var committed: [Int32: Int64] = [:]
        public var logEnds: [Int32: Int64] = [:]  // when the consumer began

        public init(logEnds: [Int32: Int64] = [:]) { self.logEnds = logEnds }

        mutating func note(_ records: [ConsumedRecord]) {
            for r in records { if let id = Payload.id(in: r.value) { read.append((id, r.partition, r.offset)) } }
        }
    }

    public static func consumer(
        _ cluster: any Cluster, group: String,
        onRebalance: (@Sendable (RebalanceEvent, Consumer.RebalanceActions) -> Void)? = nil
    ) throws -> Consumer {
        cluster.registerCoordinatorKey(group, type: .group)
        return try Consumer(
            config: cluster.config([
                "group.id": group, "enable.auto.commit": "false", "auto.offset.reset": "earliest",
                "session.timeout.ms": "3000", "heartbeat.interval.ms": "300",
            ]),
            onRebalance: onRebalance)
    }

    /// Reads `total` records, commits the offsets of the first `committing`, and goes away without
    /// committing the rest (the crash).
    public static func readCommitAndCrash(
        _ cluster: any Cluster, group: String, topic: String, total: Int, committing: Int
    ) async throws -> Session {
        let c = try consumer(cluster, group: group)
        try c.subscribe([topic])
        let records = try await c.records(atMost: total, within: .seconds(30))
        guard records.count == total else {
            await c.close()
            throw DrillFailure("read only \(records.count) of \(total) records of \(topic)")
        }
        var session = Session()
        session.note(records)
        for r in records.prefix(committing) {
            session.committed[r.partition] = max(session.committed[r.partition] ?? 0, r.offset + 1)
        }
        try await c.commit(
            session.committed.map { TopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value) })
        // The crash: the process goes away; nothing more is committed.
        await c.close()
        return session
    }

    /// A restarted consumer of the group: resumes from the committed offsets and reads to the log ends
    /// as they were when it began.
    public static func resumeToEnd(_ cluster: any Cluster, group: String, topic: String, partitions: Int32)
        async throws -> Session
    {
        let c = try consumer(cluster, group: group)
        var ends = try await c.logEnds(topic, partitions: partitions)
        var session = Session(
            logEnds: Dictionary(
                uniqueKeysWithValues: (0..<partitions).map {
                    ($0, ends["\(topic)/\($0)"] ?? 0)
                }))
        let committed = try await c.committed(
            (0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0) })
        // Partitions already read to the end by the crashed consumer need no further reading.
        for tpo in committed where tpo.offset >= 0 && tpo.offset >= (ends["\(topic)/\(tpo.partition)"] ?? 0) {
            ends["\(topic)/\(tpo.partition)"] = 0
        }
        try c.subscribe([topic])
        let records: [ConsumedRecord]
        do { records = try await c.read(toEnds: ends) } catch {
            await c.close()
            throw error
        }
        await c.close()
        session.note(records)
        return session
    }

    /// A consumer whose rebalance listener commits what it processed when its partitions are taken away;
    /// it reads `total` records and leaves the group. Returns what it processed (as `committed`) and what
    /// the listener committed.
    public static func commitOnRevoke(_ cluster: any Cluster, group: String, topic: String, total: Int)
        async throws -> (session: Session, committedOnRevoke: [Int32: Int64])
    {
        let processed = Mutex<[Int32: Int64]>([:])
        let committedOnRevoke = Mutex<[Int32: Int64]>([:])
        let c = try consumer(cluster, group: group) { event, actions in
            guard event.kind == .revoked else { return }
            let offsets = processed.withLock { p in
                event.partitions.compactMap { tp in p[tp.partition].map { (tp, $0) } }
            }
            try? actions.commit(
                offsets.map {
                    TopicPartitionOffset(
                        topic: $0.0.topic, partition: $0.0.partition,
                        offset: $0.1)
                })
            committedOnRevoke.withLock { c in for (tp, o) in offsets { c[tp.partition] = o } }
        }
        try c.subscribe([topic])
        let records = try await c.records(atMost: total, within: .seconds(30))
        guard records.count == total else {
            await c.close()
            throw DrillFailure("read only \(records.count) of \(total) records")
        }
        processed.withLock { p in for r in records { p[r.partition] = max(p[r.partition] ?? 0, r.offset + 1) } }
        await c.close()  // leaving the group revokes every partition
        var session = Session()
        session.committed = processed.withLock { $0 }
        return (session, committedOnRevoke.withLock { $0 })
    }

    /// The offsets `group` has committed on each partition of `topic` (those it has not are left out).
    public static func committed(_ cluster: any Cluster, group: String, topic: String, partitions: Int32)
        async throws -> [Int32: Int64]
    {
        let c = try consumer(cluster, group: group)
        let committed: [TopicPartitionOffset]
        do {
            committed = try await c.committed(
                (0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0) })
        } catch {
            await c.close()
            throw error
        }
        await c.close()
        return Dictionary(uniqueKeysWithValues: committed.filter { $0.offset >= 0 }.map { ($0.partition, $0.offset) })
    }
}
