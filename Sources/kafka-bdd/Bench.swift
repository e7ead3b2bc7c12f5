import ArgumentParser
import Foundation
import Messages
import Gherkin
import Expressions
import Runtime
import Reporting
import KafkaClient
import Cluster

/// `kafka-bdd bench produce|consume`: client throughput and latency against a cluster.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure producer or consumer throughput (and producer delivery latency).",
        subcommands: [Produce.self, Consume.self]
    )

    struct Target: ParsableArguments {
        @Option(help: "Bootstrap servers of the cluster to use; without it an embedded cluster is started.")
        var bootstrap: String?

        @Option(help: "Brokers of the embedded cluster.")
        var brokers = 3

        @Option(help: "Topic to use (created on the embedded cluster).")
        var topic = "bench"

        @Option(help: "Partitions of the topic.")
        var partitions: Int32 = 6

        @Option(name: .customLong("replication-factor"), help: "Replication factor of the topic.")
        var replicationFactor: Int32 = 3

        @Option(help: "Number of messages.")
        var messages = 1_000_000

        @Option(help: "Value size in bytes.")
        var size = 100

        @OptionGroup var client: ClientProperties

        func validate() throws {
            guard messages > 0, size >= 0 else {
                throw ValidationError("--messages must be positive and --size not negative")
            }
        }

        var extra: [String: String] { client.values }

        /// The cluster and whether this command started it.
        func cluster() async throws -> (Cluster, Bool) {
            if let bootstrap { return (try ExternalCluster(bootstrapServers: bootstrap), false) }
            let c = try EmbeddedCluster(brokers: brokers)
            try await c.createTopic(
                TopicSpec(name: topic, partitions: partitions, replicationFactor: replicationFactor))
            return (c, true)
        }
    }

    struct ProducerSettings: ParsableArguments {
        @Option(help: "acks: 0, 1 or all.")
        var acks = "all"

        @Option(name: .customLong("linger-ms"), help: "linger.ms.")
        var lingerMs = 5

        @Option(help: "compression.type: none, gzip, snappy, lz4, zstd.")
        var compression = "none"

        @Option(help: "enable.idempotence (true or false).")
        var idempotence = true

        var properties: [String: String] {
            [
                "acks": acks, "linger.ms": String(lingerMs), "compression.type": compression,
                "enable.idempotence": String(idempotence),
            ]
        }
    }

    static func report(_ what: String, _ result: BenchmarkResult) {
        print("\(what): \(result)")
        var line = String(
            format: "msgs_per_sec=%.0f mb_per_sec=%.2f messages=%d seconds=%.3f", result.messagesPerSecond,
            result.megabytesPerSecond, result.messages, result.seconds)
        if let p50 = result.p50, let p99 = result.p99 { line += String(format: " p50_ms=%.3f p99_ms=%.3f", p50, p99) }
        print(line)
    }

    struct Produce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Producer throughput and delivery latency.")
        @OptionGroup var target: Target
        @OptionGroup var settings: ProducerSettings

        @Option(help: "Keyless records enqueued per produce call, all to one partition (partitions take turns).")
        var batch = 1024

        func validate() throws {
            guard batch > 0 else { throw ValidationError("--batch must be positive") }
        }

        func run() async throws {
            let (cluster, _) = try await target.cluster()
            let config = cluster.config(settings.properties.merging(target.extra) { _, b in b })
            let result = try await Benchmark.produce(
                config: config, topic: target.topic, messages: target.messages, size: target.size,
                batch: batch)
            Bench.report("produce", result)
            await cluster.shutdown()
            if result.errors > 0 { throw ExitCode(1) }
        }
    }

    struct Consume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Consumer throughput, reading every partition from the beginning by assignment.",
            discussion:
                "On the embedded cluster the topic is first filled with --messages messages (the mock keeps about 5 "
                + "MiB per partition, so keep it at 200,000 or fewer)."
        )
        @OptionGroup var target: Target

        func run() async throws {
            let (cluster, started) = try await target.cluster()
            if started {
                let fill = try await Benchmark.produce(
                    config: cluster.config(["acks": "1", "linger.ms": "5"]),
                    topic: target.topic, messages: target.messages, size: target.size)
                print("filled: \(fill.messages) messages")
            }
            let config = cluster.config(target.extra.merging(["group.id": "kafka-bdd-bench"]) { a, _ in a })
            let result = try await Benchmark.consume(
                config: config, topic: target.topic, partitions: target.partitions,
                messages: target.messages)
            Bench.report("consume", result)
            await cluster.shutdown()
            if result.messages < target.messages { throw ExitCode(1) }
        }
    }
}
