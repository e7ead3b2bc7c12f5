import ArgumentParser
import Drills
import Foundation
import KafkaClient
import Processing
import Streams

/// `kafka-bdd streams`: the KAF-14 topology outside the tests.
struct StreamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streams",
        abstract: "Reprocess the orders/payments topology, or query its window results.",
        subcommands: [Replay.self, Query.self]
    )

    struct TopologyOptions: ParsableArguments {
        @Option(name: .customLong("join-window-ms")) var joinWindowMs: Int64 = 5000
        @Option(name: .customLong("window-ms")) var windowMs: Int64 = 10000
        @Option(name: .customLong("grace-ms")) var graceMs: Int64 = 2000
        @Option(
            name: .customLong("advance-ms"),
            help: "Hopping windows: a window starts every this many ms (at most --window-ms); tumbling if absent.")
        var advanceMs: Int64?
        @Option(
            name: .customLong("session-gap-ms"),
            help: "Session windows of this inactivity gap instead of time windows (--window-ms is then unused).")
        var sessionGapMs: Int64?

        func validate() throws {
            guard joinWindowMs >= 0, windowMs > 0, graceMs >= 0 else {
                throw ValidationError(
                    "--join-window-ms and --grace-ms must not be negative, --window-ms must be positive")
            }
            if let advanceMs, advanceMs <= 0 || advanceMs > windowMs || windowMs / advanceMs > 100 {
                throw ValidationError("--advance-ms must be at most --window-ms and at least a hundredth of it")
            }
            let day: Int64 = 86_400_000
            guard [joinWindowMs, windowMs, graceMs, advanceMs ?? 0, sessionGapMs ?? 0].allSatisfy({ $0 <= day }) else {
                throw ValidationError("the topology's windows, gap and grace are at most a day (86400000 ms)")
            }
            if let sessionGapMs {
                guard sessionGapMs > 0 else { throw ValidationError("--session-gap-ms must be positive") }
                guard advanceMs == nil else {
                    throw ValidationError("--session-gap-ms and --advance-ms exclude each other")
                }
            }
        }
        var config: TopologyConfig {
            if let sessionGapMs { return .sessions(joinWindow: joinWindowMs, gap: sessionGapMs, grace: graceMs) }
            return TopologyConfig(joinWindow: joinWindowMs, windowSize: windowMs, grace: graceMs, advance: advanceMs)
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Process the input topics from the beginning into a new output topic, and compare it with another.",
            discussion: """
                Runs a fresh instance (its own group, changelog <output>-changelog and <output>-dropped) until it has \
                caught up with the input, prints the window results, and with --compare checks that the two topics \
                hold the same records in the same order (exit 1 when they differ): reprocessing is deterministic.
                """
        )
        @Option(help: "Bootstrap servers.") var bootstrap: String
        @Option(help: "The orders topic (A).") var orders = "orders"
        @Option(help: "The payments topic (B).") var payments = "payments"
        @Option(help: "The output topic to write.") var output: String
        @Option(help: "Partitions of the output topic.") var partitions: Int32 = 3
        @Option(help: "An earlier output topic to compare with.") var compare: String?
        @Option(name: .customLong("wait-seconds"), help: "How long to wait for the input's end.") var waitSeconds = 120
        @OptionGroup var topology: TopologyOptions
        @OptionGroup var client: ClientProperties

        func validate() throws {
            guard partitions > 0, waitSeconds > 0 else {
                throw ValidationError("--partitions and --wait-seconds must be positive")
            }
        }

        func run() async throws {
            let config = KafkaConfig(["bootstrap.servers": bootstrap]).merging(KafkaConfig(client.values))
            let admin = try Admin(config: config)
            for (topic, n) in [(output, partitions), ("\(output)-changelog", partitions), ("\(output)-dropped", 1)] {
                do {
                    try await admin.createTopics([TopicSpec(name: topic, partitions: n, replicationFactor: 1)])
                } catch let e as KafkaError where e.code == 36 {}
            }
            admin.close()
            let replayed = try await StreamsDrills.replay(
                config: config,
                options: .init(
                    orders: orders, payments: payments, results: output, changelog: "\(output)-changelog",
                    dropped: "\(output)-dropped", group: "kafka-bdd-replay-\(UUID().uuidString)",
                    topology: topology.config),
                within: .seconds(waitSeconds))
            for r in replayed.windows { print(r) }
            print(replayed.summary)
            guard let compare else { return }
            let a = try await TopicReader.readAll(config: config, topic: compare, partitions: Array(0..<partitions))
            let b = try await TopicReader.readAll(config: config, topic: output, partitions: Array(0..<partitions))
            func shape(_ rs: [ConsumedRecord]) -> [[[UInt8]]] {
                rs.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }.map { [$0.key ?? [], $0.value] }
            }
            if shape(a) == shape(b) {
                print("\(compare) and \(output) hold the same \(a.count) records in the same order")
            } else {
                print("\(compare) (\(a.count) records) and \(output) (\(b.count) records) differ")
                throw ExitCode(1)
            }
        }
    }

    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The interactive query: current window results, from the state a changelog holds.",
            discussion: """
                Restores the topology's state from --changelog (as a restarted instance would) and prints the windows \
                of --key, or of every key.
                """
        )
        @Option(help: "Bootstrap servers.") var bootstrap: String
        @Option(help: "The changelog topic (<output>-changelog).") var changelog = "results-changelog"
        @Option(help: "Only this key's windows.") var key: String?
        @OptionGroup var topology: TopologyOptions
        @OptionGroup var client: ClientProperties

        func run() async throws {
            let config = KafkaConfig(["bootstrap.servers": bootstrap]).merging(KafkaConfig(client.values))
            let consumer = try Consumer(config: config)
            let count = try await consumer.metadata(topic: changelog).topic(changelog)?.partitions.count ?? 1
            consumer.kill()
            let records = try await TopicReader.readAll(
                config: config, topic: changelog, partitions: (0..<Int32(max(1, count))).map { $0 })
            let state = TopologyState.restore(
                from: try records.map { try StreamsCodec.decode(ChangelogEntry.self, $0.value) })
            let view = Topology(topology.config).view(state).filter { key == nil || $0.window.key == key }
            for r in view { print(r) }
            print(
                "\(view.count) windows; stream time \(state.streamTime.map(String.init) ?? "none"); "
                    + "\(state.dropped.count) records dropped as late")
        }
    }
}
