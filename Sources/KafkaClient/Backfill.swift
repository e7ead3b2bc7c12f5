/// Reads exactly one range of one partition — from an offset, for a count or to the log end —
/// by assignment, without a group or commits: what a backfill or a replay job processes.
public enum Backfill {
    public struct Range: Sendable {
        public let records: [ConsumedRecord]
        /// The log end offset when reading started.
        public let logEnd: Int64
        public var first: Int64? { records.first?.offset }
        public var last: Int64? { records.last?.offset }
    }

    public static func read(
        config: KafkaConfig, topic: String, partition: Int32, from offset: Int64, count: Int? = nil,
        within timeout: Duration = .seconds(30)
    ) async throws -> Range {
        let consumer = try Consumer(
            config: config.merging(KafkaConfig(["enable.auto.commit": "false", "enable.partition.eof": "false"])))
        let (low, high) = try await consumer.watermarks(topic: topic, partition: partition)
        guard offset >= low, offset <= high else {
            await consumer.close()
            throw KafkaError(
                code: 1,
                detail:
                    "offset \(offset) is outside \(topic)[\(partition)], which holds offsets "
                    + "\(low)–\(max(low, high - 1))"
            )
        }
        let wanted = min(count ?? Int(high - offset), Int(high - offset))
        try await consumer.assignKnowingLeaders(
            [TopicPartitionOffset(topic: topic, partition: partition, offset: offset)]
        )
        let records = wanted == 0 ? [] : try await consumer.records(atMost: wanted, within: timeout)
        await consumer.close()
        guard records.count == wanted else {
            throw KafkaError.timedOut(
                "read \(records.count) of the \(wanted) records of \(topic)[\(partition)] from \(offset) within "
                    + "\(timeout.formatted())"
            )
        }
        return Range(records: records, logEnd: high)
    }
}
