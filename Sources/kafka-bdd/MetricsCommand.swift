import ArgumentParser
import Foundation
import Messages
import Gherkin
import Expressions
import Runtime
import Reporting
import KafkaClient
import Cluster
import Synchronization

/// `kafka-bdd metrics`: a consumer group member's client metrics in the Prometheus text format.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract:
            "Print a consumer's client metrics (lag per partition, committed offsets, brokers) in the Prometheus text "
            + "format.",
        discussion: """
            Joins --group on --topic, reads --read records and commits them, then waits for librdkafka's statistics \
            and prints them as Prometheus metrics. Without --bootstrap an embedded cluster is started and the topic \
            filled with --messages records first. Write the output where a node_exporter textfile collector reads it \
            to scrape it.
            """
    )

    @Option(help: "Bootstrap servers; without it an embedded cluster is started.")
    var bootstrap: String?

    @Option(help: "Topic to consume.")
    var topic = "events"

    @Option(help: "Consumer group.")
    var group = "kafka-bdd-metrics"

    @Option(help: "Partitions of the topic created on the embedded cluster.")
    var partitions: Int32 = 6

    @Option(help: "Records to fill the embedded cluster's topic with.")
    var messages = 1000

    @Option(help: "Records to read and commit before exporting.")
    var read = 0

    @Option(name: .customLong("wait-seconds"), help: "How long to wait for the group and for statistics.")
    var waitSeconds = 30

    @OptionGroup var client: ClientProperties

    func validate() throws {
        guard partitions > 0, messages >= 0, read >= 0, waitSeconds > 0 else {
            throw ValidationError(
                "--partitions and --wait-seconds must be positive, --messages and --read not negative")
        }
    }

    func run() async throws {
        let cluster: any Cluster
        if let bootstrap {
            cluster = try ExternalCluster(bootstrapServers: bootstrap)
        } else {
            let embedded = try EmbeddedCluster(brokers: 3)
            try await embedded.createTopic(TopicSpec(name: topic, partitions: partitions, replicationFactor: 3))
            if messages > 0 {
                // The same number of records in every partition.
                _ = try await Benchmark.produce(
                    config: embedded.config(["acks": "all", "linger.ms": "5"]), topic: topic,
                    messages: messages, size: 100, batch: max(1, messages / Int(partitions)))
            }
            cluster = embedded
        }
        defer { Task { await cluster.shutdown() } }
        let statistics = Mutex<(count: Int, json: String?)>((0, nil))
        let consumer = try Consumer(
            config: cluster.config(
                client.values.merging([
                    "group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": "false",
                    "statistics.interval.ms": "200",
                ]) { a, _ in a }), onStatistics: { json in statistics.withLock { $0 = ($0.count + 1, json) } })
        try consumer.subscribe([topic])
        let deadline = ContinuousClock.now + .seconds(waitSeconds)
        var records: [ConsumedRecord] = []
        while ContinuousClock.now < deadline {
            let assignedSoFar = try consumer.assignment()
            if records.count >= read, !assignedSoFar.isEmpty { break }
            // Always poll: the group's join and assignment only progress while the consumer polls.
            let got = try await consumer.records(atMost: max(1, read - records.count), within: .milliseconds(100))
            records += got.prefix(max(0, read - records.count))
        }
        let assigned = try consumer.assignment()
        guard !assigned.isEmpty else {
            StandardOutput.error("kafka-bdd: the consumer got no partitions of \(topic) within \(waitSeconds) s")
            throw ExitCode(1)
        }
        var next: [Int32: Int64] = [:]
        for r in records { next[r.partition] = max(next[r.partition] ?? 0, r.offset + 1) }
        if !next.isEmpty {
            try await consumer.commit(
                next.map { TopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value) })
        }
        try consumer.pause(assigned)
        // Statistics emitted after the commit, with the lag of every partition it committed (a partition
        // the group never committed has no lag, as in kafka-consumer-groups).
        let seenAtCommit = statistics.withLock { $0.count }
        var latest: ClientStatistics?
        while ContinuousClock.now < deadline {
            _ = try await consumer.records(within: .milliseconds(100))
            let (count, json) = statistics.withLock { $0 }
            guard count >= seenAtCommit + 2, let json, let stats = try? ClientStatistics.decode(json) else { continue }
            let lagged = Set(stats.consumerLag.keys.filter { $0.topic == topic }.map(\.partition))
            if lagged.isSuperset(of: next.keys) { latest = stats; break }
        }
        await consumer.close()
        guard let latest else {
            StandardOutput.error(
                "kafka-bdd: no statistics with the lag of the committed partitions within \(waitSeconds) s")
            throw ExitCode(1)
        }
        print(ClientMetrics.prometheusText([latest], group: group), terminator: "")
    }
}
