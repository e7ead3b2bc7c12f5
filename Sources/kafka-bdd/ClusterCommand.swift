import ArgumentParser
import Dispatch
import Foundation
import Messages
import Gherkin
import Expressions
import Runtime
import Reporting
import KafkaClient
import Cluster
import Operations

/// `kafka-bdd cluster up`: an embedded cluster in the foreground, for kcat and other clients.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run clusters by hand.",
        subcommands: [Up.self]
    )

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an embedded (librdkafka mock) cluster in the foreground until Ctrl-C.",
            discussion: "Prints its bootstrap servers, so that e.g. `kcat -L -b <bootstrap>` can list its brokers."
        )

        @Option(help: "Number of brokers.")
        var brokers = 3

        @Option(name: .customLong("topic"), help: "A topic to create, as NAME[:PARTITIONS[:REPLICATION]] (repeatable).")
        var topics: [String] = []

        @Option(
            name: .customLong("topic-requests"),
            help: ArgumentHelp(
                "A folder to create topics from while running (the mock has no CreateTopics "
                    + "API): `kafka-bdd run --cluster external` uses it with KAFKA_BDD_TOPIC_REQUESTS=DIR."))
        var topicRequests: String?

        func validate() throws {
            guard (1...32).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 32") }
            for t in topics where TopicSpec(shorthand: t) == nil {
                throw ValidationError("--topic \(t): expected NAME[:PARTITIONS[:REPLICATION]], e.g. events:6:3")
            }
        }

        func run() async throws {
            let cluster = try EmbeddedCluster(brokers: brokers)
            for t in topics { try await cluster.createTopic(TopicSpec(shorthand: t)!) }
            print("bootstrap.servers=\(cluster.bootstrapServers)")
            let listed = topics.isEmpty ? "" : ", topics \(topics.joined(separator: " "))"
            print("embedded cluster: \(counted(brokers, "broker"))\(listed); Ctrl-C stops it")
            var serving: Task<Void, Never>?
            if let topicRequests {
                try FileManager.default.createDirectory(atPath: topicRequests, withIntermediateDirectories: true)
                print("topic requests: \(topicRequests)")
                serving = Task.detached {
                    while !Task.isCancelled {
                        for line in await TopicRequests.serve(topicRequests, cluster.createTopic) { print(line) }
                        fflush(nil)
                        try? await Task.sleep(for: .milliseconds(20))  // polling interval of the folder
                    }
                }
            }
            fflush(nil)
            await Signals.waitForInterrupt()
            serving?.cancel()
            await serving?.value
            await cluster.shutdown()
            print("stopped")
        }
    }
}

enum Signals {
    /// Returns when SIGINT or SIGTERM arrives.
    static func waitForInterrupt() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "kafka-bdd.signals")
            let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
            var resumed = false
            for source in sources {
                source.setEventHandler {
                    guard !resumed else { return }
                    resumed = true
                    sources.forEach { $0.cancel() }
                    continuation.resume()
                }
                source.resume()
            }
        }
    }
}
