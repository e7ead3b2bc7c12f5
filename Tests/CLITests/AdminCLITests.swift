import Cluster
import Foundation
import KafkaClient
import Testing

/// `kafka-bdd admin` as a user meets it, against an embedded cluster in this process.
@Suite("kafka-bdd admin command line", .serialized)
struct AdminCLITests {
    @Test(CLITests.enabled) func aDryRunCreatePrintsThePlanAndCreatesNothing() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "events", partitions: 6, replicationFactor: 3))
        let b = cluster.bootstrapServers
        let r = try await CLITests.run([
            "admin", "topics", "create", "--bootstrap", b, "--topic", "orders", "--partitions", "6",
            "--replication-factor", "3", "--dry-run",
        ])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("topic orders: absent → 6 partitions, replication factor 3"))
        #expect(r.out.contains("dry run: nothing changed"))
        #expect(try await cluster.metadata(topic: nil).topic("orders") == nil)

        let json = try await CLITests.run(["admin", "inventory", "--bootstrap", b, "--format", "json"])
        #expect(json.status == 0, "\(json.err)")
        let inventory = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        let topics = (inventory?["topics"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(topics == ["events"])
    }

    // `--property sasl.password:VALUE` printed the value in its error; `:` is a separator there too now.
    @Test(CLITests.enabled) func aPropertyWithoutASeparatorIsRefusedWithoutItsValue() async throws {
        let r = try await CLITests.run(["admin", "topics", "list", "--bootstrap", "127.0.0.1:1",
                                        "--property", "S3cr3tWithoutSeparator"])
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.contains("--property number 1: expected KEY=VALUE"), "\(r.err)")
        #expect(!r.err.contains("S3cr3t") && !r.out.contains("S3cr3t"))
        let colon = try await CLITests.run(["admin", "topics", "list", "--bootstrap", "127.0.0.1:1",
                                            "--property", "sasl.password:S3cr3t"])
        #expect(!colon.err.contains("expected KEY=VALUE"), "\(colon.err)")
        #expect(!colon.err.contains("S3cr3t") && !colon.out.contains("S3cr3t"))
    }

    @Test(CLITests.enabled) func refusalsAndBadInputExitTwoWithTheReason() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "events", partitions: 6, replicationFactor: 3))
        let b = cluster.bootstrapServers
        let cases: [([String], String)] = [
            (
                ["topics", "create", "--topic", "x", "--partitions", "1", "--replication-factor", "4", "--dry-run"],
                "replication factor 4 is above the 3 live brokers"
            ),
            (["topics", "add-partitions", "--topic", "events", "--partitions", "2", "--dry-run"], "cannot decrease"),
            (["topics", "delete", "--topic", "__consumer_offsets", "--dry-run"], "internal topic"),
            (["topics", "describe", "--topic", "nope"], "no topic nope"),
            (["groups", "describe", "--group", "nobody"], "no consumer group nobody"),
            (
                ["topics", "alter-config", "--topic", "events", "--set", "colour=blue", "--dry-run"],
                "unknown topic config key colour"
            ),
            (
                ["topics", "alter-config", "--topic", "events", "--set", "min.insync.replicas=4", "--dry-run"],
                "min.insync.replicas=4 is above the replication factor 3"
            ),
            (
                ["records", "delete", "--topic", "events", "--partition", "0", "--before", "1", "--dry-run"],
                "beyond the high watermark 0"
            ),
        ]
        for (args, reason) in cases {
            let r = try await CLITests.run(["admin"] + args + ["--bootstrap", b])
            #expect(r.status == 2, "\(args): \(r.out) \(r.err)")
            #expect(r.err.contains(reason), "\(args): \(r.err)")
        }
        let plan = FileManager.default.temporaryDirectory.appendingPathComponent("kbdd-plan-\(UUID().uuidString).json")
        try Data(#"{"version":1,"partitions":[{"topic":"events","partition":"0","replicas":[1]}]}"#.utf8).write(
            to: plan)
        let r = try await CLITests.run(["admin", "replicas", "verify", "--bootstrap", b, "--plan", plan.path])
        #expect(r.status == 2)
        #expect(r.err.contains("malformed plan: partitions[0].partition has the wrong type"), "\(r.err)")
    }

    @Test(CLITests.enabled) func anUnreachableClusterIsReportedWithinTenSeconds() async throws {
        let r = try await CLITests.run(["admin", "inventory", "--bootstrap", "127.0.0.1:1"])
        #expect(r.status == 2)
        #expect(r.err.contains("cannot reach the Kafka cluster at 127.0.0.1:1: connection refused"), "\(r.err)")
        #expect(r.seconds < 10)
    }

    /// KAFKA_BDD_LOG_LEVEL shows librdkafka's own lines (here its failed connect), and nothing by default.
    @Test(CLITests.enabled) func theLogLevelShowsLibrdkafkasLines() async throws {
        let args = ["admin", "inventory", "--bootstrap", "127.0.0.1:1"]
        async let quiet = CLITests.run(args)
        async let debug = CLITests.run(args, environment: ["KAFKA_BDD_LOG_LEVEL": "debug"])
        let (q, d) = try await (quiet, debug)
        #expect(d.err.contains("librdkafka"), "\(d.err)")
        #expect(d.err.contains("Connect to ipv4#127.0.0.1:1 failed: Connection refused"), "\(d.err)")
        #expect(!q.err.contains("librdkafka"), "\(q.err)")
        #expect(!q.err.contains("Connect to ipv4#127.0.0.1:1 failed"), "\(q.err)")
    }
}
