import Cluster
import Foundation
import KafkaClient

public enum LogEndReads {
    /// Every record of one topic, from the beginning to the log ends as they are now. With
    /// `readCommitted`, as an isolation.level=read_committed consumer sees them (transaction markers
    /// and aborted records are passed over, so the read ends by position, not by the last record).
    public static func readTopic(
        _ cluster: any Cluster, topic: String, partitions: Int32,
        readCommitted: Bool = false
    ) async throws -> [ConsumedRecord] {
        try await readTopicReporting(cluster, topic: topic, partitions: partitions, readCommitted: readCommitted)
            .records
    }

    /// The records, and the isolation level the reading consumer ran with, as its librdkafka reports it.
    public static func readTopicReporting(
        _ cluster: any Cluster, topic: String, partitions: Int32,
        readCommitted: Bool = false
    )
        async throws -> (records: [ConsumedRecord], isolation: String?)
    {
        let consumer = try Consumer(
            config: cluster.config([
                "group.id": "kafka-bdd-reader-\(UUID().uuidString)", "enable.auto.commit": "false",
                "isolation.level": readCommitted ? "read_committed" : "read_uncommitted",
            ]))
        let isolation = consumer.configured("isolation.level")
        let ends = try await consumer.logEnds(topic, partitions: partitions)
        try await consumer.assignKnowingLeaders(
            (0..<partitions).map {
                TopicPartitionOffset(topic: topic, partition: $0, offset: TopicPartitionOffset.beginning)
            })
        do {
            let records = try await readCommitted ? consumer.read(pastEnds: ends) : consumer.read(toEnds: ends)
            await consumer.close()
            return (records, isolation)
        } catch {
            await consumer.close()
            throw error
        }
    }
}

extension Consumer {
    /// Polls (as assigned or subscribed) until every partition has been read up to its end in `ends`,
    /// or 30 s pass: no idle timeout decides when to stop.
    public func read(toEnds ends: [String: Int64]) async throws -> [ConsumedRecord] {
        let progress = LogEndProgress(ends: ends)
        let records = try await records(within: .seconds(30), until: { $0.last.map(progress.observe) ?? progress.done })
        // A partial read is no evidence: what was not read would count as lost, or hide a duplicate.
        guard progress.done else {
            let unfinished = progress.unfinished.joined(separator: ", ")
            throw DrillFailure(
                "the verifying read did not reach the log end of \(unfinished) "
                    + "within 30 s (\(records.count) records read)")
        }
        return records
    }

    /// Polls (as assigned) until the consumer's position in every partition has reached its end in
    /// `ends`, or 30 s pass. Unlike `read(toEnds:)` it does not need the last record to sit just
    /// before the end: a read_committed consumer moves past transaction markers and aborted records
    /// without returning them.
    public func read(pastEnds ends: [String: Int64]) async throws -> [ConsumedRecord] {
        let wanted = ends.filter { $0.value > 0 }.map { key, end -> (TopicPartitionOffset, Int64) in
            let i = key.lastIndex(of: "/")!
            return (TopicPartitionOffset(topic: String(key[..<i]), partition: Int32(key[key.index(after: i)...])!), end)
        }
        return try await records(
            within: .seconds(30),
            until: { [self] _ in
                guard let positions = try? self.positions(wanted.map(\.0)) else { return false }
                return zip(positions, wanted).allSatisfy { $0.offset >= $1.1 }
            })
    }
}

/// How far a read got towards each partition's log end; checked once per record, in constant time.
public final class LogEndProgress: @unchecked Sendable {
    // Only touched from the one thread that polls the consumer.
    private var remaining: Set<String>
    private let ends: [String: Int64]

    public init(ends: [String: Int64]) {
        self.ends = ends
        remaining = Set(ends.filter { $0.value > 0 }.keys)
    }

    public var done: Bool { remaining.isEmpty }
    public var unfinished: [String] { remaining.sorted() }

    public func observe(_ record: ConsumedRecord) -> Bool {
        let key = "\(record.topic)/\(record.partition)"
        if let end = ends[key], record.offset + 1 >= end { remaining.remove(key) }
        return remaining.isEmpty
    }
}
