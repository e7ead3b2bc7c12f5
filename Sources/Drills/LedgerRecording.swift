import Cluster
import Foundation
import KafkaClient
import Verification

// Where the Kafka layer meets the pure ledger: delivery reports and consumed records become history.
extension DeliveryLedger {
    /// Applies a delivery report whose token is the payload id.
    public func record(_ report: DeliveryReport) {
        if let error = report.error {
            failed(report.token, error: error.description)
        } else {
            acknowledged(report.token, partition: report.partition, offset: report.offset)
        }
    }

    /// Records a consumed Kafka record whose value carries a payload id; others are ignored.
    @discardableResult
    public func consumed(_ record: ConsumedRecord) -> Bool {
        guard let id = Payload.id(in: record.value) else { return false }
        consumed(
            id, key: record.keyString, topic: record.topic, partition: record.partition, offset: record.offset,
            headers: record.headerStrings, timestamp: record.timestamp)
        return true
    }

    /// Records a send about to be handed to the producer, stamped with the wall clock.
    public func sending(_ id: UInt64, key: String?, topic: String) {
        sent(id, key: key, topic: topic, timestamp: Int64(Date().timeIntervalSince1970 * 1000))
    }

    /// Sends `count` keyed records — payload ids from `firstId` (after the ledger's last by default),
    /// keys cycling through `keys` values — with every send and delivery report recorded here, and
    /// waits for every report. With `fault`, runs it once half the records are sent and some are in
    /// flight (a fault drill's moment), and returns when it landed and what was acknowledged after.
    @discardableResult
    public func produce(
        _ count: Int, to topic: String, config: KafkaConfig, keys: Int = 50, firstId: UInt64? = nil,
        valueSize: Int = 100, flushTimeout: Duration = .seconds(60),
        fault: (@Sendable () async throws -> Void)? = nil
    ) async throws -> DrillTiming? {
        let producer = try Producer(config: config, onDelivery: { self.record($0) })
        defer { producer.close() }
        let first = firstId ?? UInt64(sentCount) + 1
        var atFault: (sent: Int, acknowledged: Int, pending: Int)?
        for i in 0..<count {
            let id = first + UInt64(i)
            let key = "key-\(id % UInt64(max(1, keys)))"
            sending(id, key: key, topic: topic)
            try producer.produce(
                topic: topic, key: Array(key.utf8), value: Payload.make(id: id, size: valueSize), token: id)
            // The fault waits for records in flight: one that lands on an idle producer tests nothing.
            if let fault, atFault == nil, i >= count / 2, pendingCount > 0 || i == count - 1 {
                let now = counts
                if now.pending > 0 || i == count - 1 {
                    atFault = now
                    try await fault()
                }
            }
        }
        try await producer.flush(timeout: flushTimeout)
        return atFault.map {
            DrillTiming(
                sentAtFault: $0.sent, acknowledgedAtFault: $0.acknowledged,
                pendingAtFault: $0.pending,
                acknowledgedAfterFault: acknowledgedCount - $0.acknowledged)
        }
    }
}

extension DeliveryLedger {
    /// Sends `count` unkeyed records to one partition, recorded as `produce` records them.
    public func produceUnkeyed(
        _ count: Int, to topic: String, partition: Int32, config: KafkaConfig,
        flushTimeout: Duration = .seconds(60)
    ) async throws {
        let producer = try Producer(config: config, onDelivery: { self.record($0) })
        defer { producer.close() }
        let first = UInt64(sentCount) + 1
        for i in 0..<count {
            let id = first + UInt64(i)
            sending(id, key: nil, topic: topic)
            try producer.produce(
                topic: topic, partition: partition, key: nil, value: Payload.make(id: id, size: 100),
                token: id)
        }
        try await producer.flush(timeout: flushTimeout)
    }
}

extension ConsumedRecord {
    /// Headers as text; of a name given twice, the first value.
    public var headerStrings: [String: String] {
        Dictionary(headers.map { ($0.0, String(decoding: $0.1, as: UTF8.self)) }, uniquingKeysWith: { a, _ in a })
    }
}

extension DeliveryLedger {
    /// Reads every topic (feature name → physical name) from the beginning to its log ends as they are now,
    /// with a consumer of its own group, as this ledger's reads (earlier reads of those topics forgotten),
    /// and returns the ledger's verdict.
    public func readBack(from cluster: any Cluster, topics: [String: String], partitions: [String: Int32])
        async throws -> DeliveryVerdict
    {
        let consumer = try Consumer(
            config: cluster.config([
                "group.id": "kafka-bdd-verifier-\(UUID().uuidString)", "enable.auto.commit": "false",
            ]))
        defer { Task { await consumer.close() } }
        var assignment: [TopicPartitionOffset] = []
        var ends: [String: Int64] = [:]
        for (name, physical) in topics {
            let count = partitions[name] ?? 1
            assignment += (0..<count).map {
                TopicPartitionOffset(topic: physical, partition: $0, offset: TopicPartitionOffset.beginning)
            }
            ends.merge(try await consumer.logEnds(physical, partitions: count)) { a, _ in a }
        }
        try await consumer.assignKnowingLeaders(assignment)
        let records = try await consumer.read(toEnds: ends)
        forgetReads(of: Set(topics.values))
        for r in records { consumed(r) }
        return verdict()
    }
}
