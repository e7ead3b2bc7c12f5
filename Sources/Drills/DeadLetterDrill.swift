import Cluster
import Foundation
import KafkaClient
import Verification

/// A consumer's processing loop with a dead-letter topic: each record whose payload id the policy fails is
/// retried with exponential backoff (10 ms, doubling), then sent to the dead-letter topic with headers error,
/// attempts and its origin (topic, partition, offset); every other record is written to the processed topic.
public enum DeadLetterDrill {
    public struct Counts: Sendable {
        public var processed = 0, retried = 0, deadLettered = 0
    }

    public static func process(
        _ records: [ConsumedRecord], policy: DeadLetterPolicy, retries: Int,
        producerConfig: KafkaConfig, processedTopic: String,
        deadLetterTopic dlq: String
    ) async throws -> Counts {
        let producer = try Producer(config: producerConfig)
        defer { producer.close() }
        var counts = Counts()
        for r in records {
            guard let id = Payload.id(in: r.value) else { continue }
            var attempt = 0
            var backoff = Duration.milliseconds(10)
            while true {
                attempt += 1
                if !policy.fails(id) {
                    try await producer.send(
                        topic: processedTopic, partition: r.partition, key: r.key,
                        value: r.value)
                    counts.processed += 1
                    break
                }
                guard attempt > retries else {
                    counts.retried += 1
                    try await Task.sleep(for: backoff)  // the retry policy's backoff
                    backoff *= 2
                    continue
                }
                let error = "payment \(id) rejected: amount exceeds the account limit"
                try await producer.send(
                    topic: dlq, key: r.key, value: r.value,
                    headers: [
                        ("dlq.error", Array(error.utf8)), ("dlq.attempts", Array(String(attempt).utf8)),
                        ("dlq.topic", Array(r.topic.utf8)), ("dlq.partition", Array(String(r.partition).utf8)),
                        ("dlq.offset", Array(String(r.offset).utf8)),
                    ])
                counts.deadLettered += 1
                break
            }
        }
        return counts
    }
}

extension DeadLetterDrill {
    /// The processing run of a scenario: the output topic made beside the source, the source read to its
    /// end, and each record processed; returns a table of how many were read and what became of them.
    public static func run(
        cluster: any Cluster, source: String, partitions: Int32, policy: DeadLetterPolicy, retries: Int,
        processedTopic: String, deadLetterTopic: String
    ) async throws -> String {
        let replication = min(3, Int32(try await cluster.liveBrokers().count))
        try await cluster.createTopic(
            TopicSpec(
                name: processedTopic, partitions: partitions,
                replicationFactor: replication))
        let records = try await LogEndReads.readTopic(cluster, topic: source, partitions: partitions)
        let counts = try await process(
            records, policy: policy, retries: retries,
            producerConfig: cluster.config(["acks": "all", "enable.idempotence": "true"]),
            processedTopic: processedTopic, deadLetterTopic: deadLetterTopic)
        return Evidence.table(
            ["read", "processed", "retries", "dead-lettered"],
            [["\(records.count)", "\(counts.processed)", "\(counts.retried)", "\(counts.deadLettered)"]])
    }

    /// The three topics of a run read back — the source's records with their origin, the dead letters with
    /// their headers, and the ids on the processed topic — and judged by `policy` against the acknowledged ids.
    /// `names` are the source and dead-letter topics as the scenario wrote them, for the table and the verdict.
    public static func judge(
        _ policy: DeadLetterPolicy, acknowledged: Set<UInt64>, cluster: any Cluster, source sourceTopic: String,
        partitions: Int32, deadLetterTopic: String, deadLetterPartitions: Int32, processedTopic: String,
        names: (source: String, deadLetters: String)
    ) async throws -> (verdict: Verdict, table: String) {
        let source = try await LogEndReads.readTopic(cluster, topic: sourceTopic, partitions: partitions).compactMap {
            r in
            Payload.id(in: r.value).map {
                DeadLetterPolicy.SourceRecord(id: $0, partition: r.partition, offset: r.offset)
            }
        }
        let letters = try await LogEndReads.readTopic(cluster, topic: deadLetterTopic, partitions: deadLetterPartitions)
            .map { DeadLetter(id: Payload.id(in: $0.value), offset: $0.offset, headers: $0.headerStrings) }
        let processed = try await LogEndReads.readTopic(cluster, topic: processedTopic, partitions: partitions)
            .compactMap { Payload.id(in: $0.value) }
        let table = Evidence.table(
            ["on \(names.source)", "on \(names.deadLetters)", "on the processed topic"],
            [["\(source.count)", "\(letters.count)", "\(processed.count)"]])
        let verdict = policy.verdict(
            acknowledged: acknowledged, source: source, sourceTopic: sourceTopic, letters: letters,
            deadLetterTopic: names.deadLetters, processed: processed)
        return (verdict, table)
    }
}
