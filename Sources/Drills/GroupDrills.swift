import Cluster
import Foundation
import KafkaClient
import Synchronization
import Verification

/// Keys, partitions and consumer groups (KAF-01, KAF-04) as the group steps drive them.
public enum GroupDrills {
    /// Where a fresh producer sends each key now (records without a payload id: not part of any ledger).
    public static func placements(_ cluster: any Cluster, topic: String, keys: [String]) async throws
        -> [String: Int32]
    {
        let producer = try Producer(config: cluster.config(["acks": "all"]))
        defer { producer.close() }
        var again: [String: Int32] = [:]
        for key in keys {
            let report = try await producer.send(
                topic: topic, key: Array(key.utf8),
                value: Array("placement probe".utf8))
            again[key] = report.partition
        }
        return again
    }

    /// One consumer of `group` subscribes from the earliest offset and reads to the log ends as they are
    /// now: the payload ids it read.
    public static func readToEnd(_ cluster: any Cluster, group: String, topic: String, partitions: Int32)
        async throws -> [UInt64]
    {
        cluster.registerCoordinatorKey(group, type: .group)
        let consumer = try Consumer(
            config: cluster.config([
                "group.id": group, "auto.offset.reset": "earliest",
                "enable.auto.commit": "false",
            ]))
        defer { Task { await consumer.close() } }
        let ends = try await consumer.logEnds(topic, partitions: partitions)
        try consumer.subscribe([topic])
        let records = try await consumer.read(toEnds: ends)
        return records.compactMap { Payload.id(in: $0.value) }
    }

    /// What joining saw: each consumer's partitions once settled (or at the deadline), and the rebalance
    /// callbacks up to then.
    public struct Joined: Sendable {
        public var assignments: [[Int32]]
        public var rebalances: [String]
    }

    /// Starts `count` consumers of one group subscribed to `topic`, waits (up to 30 s) until the group has
    /// assigned every partition, then lets them all leave.
    public static func join(_ cluster: any Cluster, group: String, topic: String, partitions: Int32, count: Int)
        async throws -> Joined
    {
        cluster.registerCoordinatorKey(group, type: .group)
        let rebalances = Mutex<[String]>([])
        let consumers = try (0..<count).map { i in
            try Consumer(
                config: cluster.config([
                    "group.id": group, "session.timeout.ms": "6000",
                    "heartbeat.interval.ms": "300", "client.id": "\(group)-\(i)",
                ]),
                onRebalance: { e, _ in
                    let partitions = e.partitions.map { "\($0.partition)" }.joined(separator: ",")
                    rebalances.withLock { $0.append("consumer \(i): \(e.kind.rawValue) \(partitions)") }
                })
        }
        for c in consumers { try c.subscribe([topic]) }
        // Each consumer polls (that is how it takes part in the rebalance) until the group holds every partition.
        let deadline = ContinuousClock.now + .seconds(30)
        var assignments: [[Int32]] = []
        repeat {
            for c in consumers { _ = try await c.records(within: .milliseconds(100)) }
            assignments = try consumers.map { try $0.assignment().map(\.partition).sorted() }
            let settled =
                assignments.reduce(0, { $0 + $1.count }) == Int(partitions)
                && !(count <= partitions && assignments.contains(where: \.isEmpty))
            if settled { break }
        } while ContinuousClock.now < deadline
        // The callbacks up to here: leaving revokes everything, which is not what joining did.
        let joined = Joined(assignments: assignments, rebalances: rebalances.withLock { $0 })
        // All leave at once, each within a deadline: one by one, each close set off a rebalance the
        // others (no longer polling) had to sit through, and a close could block past the step's limit.
        await withTaskGroup(of: Void.self) { group in
            for c in consumers { group.addTask { await c.close(within: .seconds(10)) } }
        }
        return joined
    }
}
