import ArgumentParser
import Foundation
import KafkaClient
import Cluster
import Processing

/// `kafka-bdd mirror`: the KAF-10 mirror between two clusters, outside the tests.
struct MirrorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "Mirror topics from one cluster to another with MirrorMaker 2's conventions.",
        discussion: """
            Topics of --source whose whole name matches --include and not --exclude are copied to --target as \
            <source-alias>.<topic> (same partition; keys, values, headers and timestamps kept). The committed offsets \
            of each --group are translated and written to <source-alias>.checkpoints.internal on the target every \
            --checkpoint-interval-ms; a heartbeat goes to `heartbeats` on the target every second. Runs until Ctrl-C, \
            or for --seconds. See docs/kaf-10/playbook.md.
            """
    )

    @Option(help: "Bootstrap servers of the source cluster.") var source: String
    @Option(help: "Bootstrap servers of the target cluster.") var target: String
    @Option(name: .customLong("source-alias"), help: "The source's name in remote topic names.") var sourceAlias =
        "east"
    @Option(name: .customLong("target-alias"), help: "The target's name (its remote topics are never mirrored back).")
    var targetAlias = "west"
    @Option(help: "Regular expression of topics to mirror (whole name; repeatable).") var include: [String] = []
    @Option(help: "Regular expression of topics never to mirror (repeatable; wins over --include).") var exclude:
        [String] = []
    @Option(help: "Consumer group whose offsets are checkpointed (repeatable).") var group: [String] = []
    @Option(name: .customLong("checkpoint-interval-ms"), help: "How often offsets are checkpointed.")
    var checkpointIntervalMs = 1000
    @Option(help: "Stop after this many seconds (default: run until Ctrl-C).") var seconds: Int?
    @OptionGroup var client: ClientProperties

    func validate() throws {
        guard checkpointIntervalMs > 0, (seconds ?? 1) > 0 else {
            throw ValidationError("--checkpoint-interval-ms and --seconds must be positive")
        }
        for p in include + exclude where (try? Regex(p)) == nil {
            throw ValidationError("--include/--exclude \(p): not a regular expression")
        }
    }

    func run() async throws {
        var options = Mirror.Options()
        options.sourceAlias = sourceAlias
        options.targetAlias = targetAlias
        options.include = include.isEmpty ? [".*"] : include
        options.exclude = exclude
        options.groups = group
        options.checkpointInterval = .milliseconds(checkpointIntervalMs)
        let extra = KafkaConfig(client.values)
        let targetConfig = KafkaConfig(["bootstrap.servers": target]).merging(extra)
        let admin = try Admin(config: targetConfig)
        defer { admin.close() }
        options.replicationFactor = await Self.replicationFactorForAcksAll(admin)
        let mirror = Mirror(
            source: KafkaConfig(["bootstrap.servers": source]).merging(extra), target: targetConfig,
            options: options
        ) { spec in
            do { try await admin.createTopics([spec]) } catch let e as KafkaError where e.code == 36 {
                // already there
            } catch {
                // A cluster without CreateTopics (a mock) creates the topic on first write.
                FileHandle.standardError.write(Data("mirror: could not create \(spec.name): \(error)\n".utf8))
            }
        }
        try await mirror.start()
        let deadline = seconds.map { ContinuousClock.now + .seconds($0) }
        while deadline.map({ ContinuousClock.now < $0 }) ?? true {
            try await Task.sleep(for: .seconds(min(5, seconds ?? 5)))  // the status line's period
            let s = mirror.status
            print(
                "mirrored \(s.mirrored) records of \(s.topics.keys.sorted()), \(s.checkpoints) checkpoint rounds, "
                    + "\(s.heartbeats) heartbeats" + (s.error.map { "; stopped: \($0)" } ?? ""))
            if s.error != nil { break }
        }
        await mirror.stop()
        if let e = mirror.status.error { throw ValidationError("the mirror stopped: \(e)") }
    }

    /// The mirror writes with acks=all: its topics need the target brokers' min.insync.replicas in sync, and
    /// one broker to spare, at most the brokers there are; min.insync.replicas is taken as 1 where it cannot
    /// be read (a mock), and 1 replica where not even the brokers can be listed.
    static func replicationFactorForAcksAll(_ admin: Admin) async -> Int32 {
        guard let metadata = try? await admin.metadata(topic: nil), let broker = metadata.brokers.first else {
            return 1
        }
        let entries = try? await admin.configEntries(.broker, String(broker.id), timeout: .seconds(10))
        let minInsync = entries?.first(where: { $0.name == "min.insync.replicas" }).flatMap { Int32($0.value ?? "") }
        return ClusterRules.replicationFactorForAcksAll(
            minInsyncReplicas: minInsync ?? 1,
            brokers: metadata.brokers.count)
    }
}
