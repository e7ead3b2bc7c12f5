import Cluster
import Foundation
import KafkaClient
import Runtime
import Session
import Steps
import Testing
import Verification
import Drills

/// The KAF-06, KAF-09 and KAF-11 sides of ComposeCluster against a fake `docker` and a fake Connect REST
/// endpoint: the commands and requests each step issues, the cleanup after it, and that no password
/// reaches a command line or a report.
@Suite("Compose services contract (fake docker, fake Connect)", .serialized, .timeLimit(.minutes(3)))
struct ComposeServicesContractTests {
    static func cluster(_ fake: FakeDocker, extras: ComposeCluster.Extras) throws -> (ComposeCluster, EmbeddedCluster) {
        let mock = try EmbeddedCluster(brokers: 3)
        return (ComposeCluster(composeFile: ComposeContractTests.composeFile, runner: MirroredDocker(fake, mock),
                               kafka: mock, extras: extras), mock)
    }

    static func run(_ paths: [String], on compose: ComposeCluster, reports: URL? = nil,
                    stepTimeout: Duration = .seconds(60)) async throws -> RunSummary {
        var configuration = Session.Configuration()
        configuration.paths = paths
        configuration.root = AcceptanceSuite.packageRoot.path
        configuration.options.stepTimeout = stepTimeout
        configuration.options.hookTimeout = stepTimeout
        if let reports {
            configuration.reports = Session.Report.Kind.allCases.filter { $0 != .rerun }.map {
                Session.Report(kind: $0, path: reports.appendingPathComponent("report.\($0.rawValue)").path)
            }
        }
        let session = try Session(configuration)
        let environment = KafkaEnvironment(backend: .compose, shared: compose, stepTimeout: stepTimeout)
        return try await session.run(support: Steps.supportCode(environment: environment))
    }

    @Test func connectStepsCreateRestartAndDeleteConnectorsThroughTheRESTAPI() async throws {
        let fake = try FakeDocker(), connect = try FakeConnect()
        defer { fake.remove(); connect.stop() }
        let (compose, mock) = try Self.cluster(fake, extras: .init(connectURL: connect.url))
        #expect(compose.capabilities.contains(.connect) && !compose.capabilities.contains(.security))
        let feature = AcceptanceSuite.packageRoot.appendingPathComponent("Tests/AcceptanceTests/Fixtures/connect-contract.feature")
        let summary = try await Self.run([feature.path], on: compose)

        // No worker moves records here: each scenario fails at its Then, after every request was made.
        let failures = summary.outcomes.map { $0.decisive?.result.message ?? "" }
        #expect(summary.outcomes.map(\.status) == [.failed, .failed])
        #expect(failures[0].contains("6 of 6 records did not arrive"), "\(failures[0])")
        #expect(failures[1].contains("2 malformed records are not on the dead-letter topic"), "\(failures[1])")

        let requests = connect.requests.map { $0.split(separator: " ", maxSplits: 2).prefix(2).joined(separator: " ") }
        let amounts = try #require(requests.first { $0.hasPrefix("PUT /connectors/amounts-") }?
            .dropFirst("PUT /connectors/".count).split(separator: "/").first.map(String.init))
        let sink = try #require(requests.first { $0.hasPrefix("PUT /connectors/orders-out-") }?
            .dropFirst("PUT /connectors/".count).split(separator: "/").first.map(String.init))
        #expect(requests == [
            "GET /connector-plugins", "PUT /connectors/\(amounts)/config", "GET /connectors/\(amounts)/status",
            "POST /connectors/\(amounts)/restart?includeTasks=true&onlyFailed=false",
            "GET /connectors/\(amounts)/status", "DELETE /connectors/\(amounts)",
            "GET /connector-plugins", "PUT /connectors/\(sink)/config", "GET /connectors/\(sink)/status",
            "DELETE /connectors/\(sink)",
        ])
        let source = try #require(connect.requests.first { $0.hasPrefix("PUT /connectors/\(amounts)") })
        #expect(source.contains(#""transforms": "t1""#) && source.contains(#""transforms.t1.field": "amount""#))
        #expect(source.contains(#""transforms.t1.type": "org.apache.kafka.connect.transforms.HoistField$Value""#))
        let dlq = try #require(connect.requests.first { $0.hasPrefix("PUT /connectors/\(sink)") })
        #expect(dlq.contains(#""errors.tolerance": "all""#) && dlq.contains(#""errors.deadletterqueue.topic.name": "orders-dlq-"#))
        #expect(dlq.contains(#""errors.deadletterqueue.context.headers.enable": "true""#))

        // The source file went in through stdin, then the appended lines; both files were removed.
        let file = "/tmp/kafka-bdd/\(amounts).txt"
        #expect(fake.commands.contains("compose exec -T connect sh -c mkdir -p /tmp/kafka-bdd && cat > \(file)"))
        #expect(fake.stdin.contains("== connect sh -c mkdir -p /tmp/kafka-bdd && cat > \(file)\n25\n50\n75\n100\n"))
        #expect(fake.stdin.contains("== connect sh -c mkdir -p /tmp/kafka-bdd && cat >> \(file)\n125\n150\n"))
        #expect(fake.commands.contains("compose exec -T connect rm -f \(file)"))
        #expect(fake.commands.contains("compose exec -T connect rm -f /tmp/kafka-bdd/\(sink).out"))
        // The topics were handed to the cluster for deletion (the mock under the fake keeps them, and says so).
        let cleanup = summary.outcomes.flatMap { $0.steps.compactMap(\.result.message) }
        #expect(cleanup.isEmpty || !cleanup.contains { $0.contains("not healthy") })
        await mock.shutdown()
    }

    @Test func segmentLayoutComesFromTheLeadersOwnTools() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        try fake.answerExec(#"""
        case "$*" in
          *"ls -ln /tmp/kraft-logs/accounts-0"*)
            printf 'total 24\n-rw-r--r-- 1 1000 1000 10485760 Nov 28 07:00 00000000000000000000.index\n'
            printf -- '-rw-r--r-- 1 1000 1000 1234 Nov 28 07:00 00000000000000000000.log\n'
            printf -- '-rw-r--r-- 1 1000 1000 10485756 Nov 28 07:00 00000000000000000105.index\n'
            printf -- '-rw-r--r-- 1 1000 1000 77 Nov 28 07:00 00000000000000000105.log\n'
            printf -- '-rw-r--r-- 1 1000 1000 8 Nov 28 07:00 leader-epoch-checkpoint\n' ;;
          *kafka-dump-log.sh*)
            echo "Dumping /tmp/kraft-logs/accounts-0/00000000000000000000.index"
            echo "offset: 0 position: 0"
            echo "Dumping /tmp/kraft-logs/accounts-0/00000000000000000000.log"
            echo "Log starting offset: 0"
            echo "baseOffset: 90 lastOffset: 90 count: 1 baseSequence: 0 lastSequence: 0 producerId: 0 isTransactional: false"
            echo "| offset: 90 CreateTime: 1764313200000 keySize: 8 valueSize: 11 sequence: 0 headerKeys: [] key: key-0003 payload: key-0003:v5"
            echo "| offset: 100 CreateTime: 1764313200000 keySize: 8 valueSize: -1 sequence: 0 headerKeys: [] key: key-0004"
            echo "Dumping /tmp/kraft-logs/accounts-0/00000000000000000105.log"
            echo "| offset: 105 CreateTime: 1764313200000 keySize: 6 valueSize: 6 sequence: 0 headerKeys: [] key: roll-1 payload: roll-1" ;;
          *kafka-log-dirs.sh*)
            echo "Querying brokers for log directories information"
            echo '{"version":1,"brokers":[{"broker":2,"logDirs":[{"logDir":"/tmp/kraft-logs","error":null,"partitions":[{"partition":"accounts-0","size":1311,"offsetLag":0,"isFuture":false}]}]},{"broker":1,"logDirs":[{"logDir":"/tmp/kraft-logs","error":null,"partitions":[{"partition":"accounts-0","size":1311,"offsetLag":0,"isFuture":false}]}]}]}' ;;
          *) exit 3 ;;
        esac
        """#)
        let (compose, mock) = try Self.cluster(fake, extras: .init())
        try await compose.createTopic(TopicSpec(name: "accounts", partitions: 1, replicationFactor: 3))
        let leader = try #require(try await compose.metadata(topic: "accounts").topic("accounts")?.partitions.first?.leader)
        let (broker, files) = try await compose.segmentFiles(topic: "accounts", partition: 0)
        #expect(broker == leader)
        #expect(files.map(\.name) == ["00000000000000000000.index", "00000000000000000000.log",
                                      "00000000000000000105.index", "00000000000000000105.log", "leader-epoch-checkpoint"])
        #expect(files.compactMap(\.baseOffset) == [0, 0, 105, 105] && files[1].bytes == 1234)
        let dumps = try await compose.dumpLog(topic: "accounts", partition: 0, files: ["00000000000000000000.index",
                                                                                      "00000000000000000000.log",
                                                                                      "00000000000000000105.log"])
        #expect(dumps.map(\.name) == ["00000000000000000000.index", "00000000000000000000.log", "00000000000000000105.log"])
        #expect(dumps[0].indexEntries == 1 && dumps[1].records.count == 2 && dumps[2].records.count == 1)
        #expect(dumps[1].records[1].offset == 100 && dumps[1].records[1].key == "key-0004" && dumps[1].records[1].valueSize == -1)
        let sizes = try await compose.replicaSizes(topic: "accounts")
        #expect(sizes.map { "\($0.broker) \($0.partition) \($0.bytes)" } == ["1 accounts-0 1311", "2 accounts-0 1311"])
        let dir = "/tmp/kraft-logs/accounts-0"
        #expect(fake.commands == [
            "compose exec -T kafka-\(leader) ls -ln \(dir)",
            "compose exec -T kafka-\(leader) /opt/kafka/bin/kafka-dump-log.sh --print-data-log --files "
                + "\(dir)/00000000000000000000.index,\(dir)/00000000000000000000.log,\(dir)/00000000000000000105.log",
            "compose exec -T kafka-1 /opt/kafka/bin/kafka-log-dirs.sh --bootstrap-server kafka-1:19092 --describe "
                + "--topic-list accounts",
        ])
        await mock.shutdown()
    }

    @Test func scramUsersAndACLsGoThroughTheBrokersToolsWithThePasswordOnStdinOnly() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let (compose, mock) = try Self.cluster(fake, extras: .init(security: .init(certificates: "/nowhere")))
        #expect(compose.capabilities.contains(.security))
        let password = "Secret-\(UUID().uuidString.prefix(8))"
        try await compose.setScramUser("alice-t1", password: password)
        let acl = ComposeCluster.ACL(principal: "User:alice-t1", operation: "Write", resource: "topic:orders-t1")
        try await compose.addACLs([acl, .init(principal: "User:alice-t1", operation: "Read", resource: "group:billing-t1")])
        try await compose.removeACLs([acl])
        try await compose.deleteScramUser("alice-t1")
        let acls = "compose exec -T kafka-1 /opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka-1:19092"
        #expect(fake.commands == [
            "compose exec -T kafka-1 bash -c read -r p && /opt/kafka/bin/kafka-configs.sh --bootstrap-server "
                + "kafka-1:19092 --alter --entity-type users --entity-name alice-t1 --add-config "
                + "\"SCRAM-SHA-512=[iterations=8192,password=$p]\"",
            "\(acls) --add --allow-principal User:alice-t1 --operation Write --topic orders-t1",
            "\(acls) --add --allow-principal User:alice-t1 --operation Read --group billing-t1",
            "\(acls) --remove --force --allow-principal User:alice-t1 --operation Write --topic orders-t1",
            "compose exec -T kafka-1 /opt/kafka/bin/kafka-configs.sh --bootstrap-server kafka-1:19092 --alter "
                + "--entity-type users --entity-name alice-t1 --delete-config SCRAM-SHA-512",
        ])
        #expect(!fake.commands.joined().contains(password))
        #expect(fake.stdin.contains("\(password)\n"))
        await mock.shutdown()
    }

    /// KAF-11's user scenarios on the fake: the generated passwords reach the brokers (stdin) and the
    /// clients, and the steps fail (the mock speaks no TLS); no report holds a password.
    @Test func noGeneratedPasswordReachesAnyReport() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("kbdd-secrets-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let certs = work.appendingPathComponent("certs")
        _ = try await ProcessRunner(timeout: .seconds(60)).run(
            ["bash", AcceptanceSuite.packageRoot.appendingPathComponent("scripts/make-certs.sh").path, certs.path], input: nil)
        let mock = try EmbeddedCluster(brokers: 3)
        let security = ComposeCluster.Extras.Security(saslBootstrap: mock.bootstrapServers,
                                                      mtlsBootstrap: mock.bootstrapServers, certificates: certs.path)
        let compose = ComposeCluster(composeFile: ComposeContractTests.composeFile, runner: MirroredDocker(fake, mock),
                                     kafka: mock, extras: .init(security: security))
        let feature = AcceptanceSuite.packageRoot.appendingPathComponent("Tests/AcceptanceTests/Fixtures/security-contract.feature")
        let reports = work.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        let summary = try await Self.run([feature.path], on: compose, reports: reports, stepTimeout: .seconds(30))
        #expect(summary.outcomes.map(\.status) == [.failed, .failed], "the mock speaks no TLS")
        // Each password is the line after a kafka-configs.sh --add-config command on the fake's stdin.
        let lines = fake.stdin.split(separator: "\n").map(String.init)
        let passwords = zip(lines, lines.dropFirst()).filter { $0.0.contains("--add-config") }.map(\.1)
        #expect(passwords.count == 3, "alice, then alice and bob")
        #expect(passwords.allSatisfy { $0.count == 24 })
        let texts = try FileManager.default.contentsOfDirectory(atPath: reports.path).map { name in
            (name: name, text: try String(contentsOfFile: reports.appendingPathComponent(name).path, encoding: .utf8))
        }
        #expect(texts.count == 4 && texts.allSatisfy { !$0.text.isEmpty })
        #expect(SecretLeaks.find(passwords, in: texts + [(name: "docker commands", text: fake.commands.joined())]).holds)
        // The control: the same search finds a password planted in a report.
        #expect(!SecretLeaks.find(passwords, in: [(name: "planted", text: "x \(passwords[0]) y")]).holds)
        #expect(fake.commands.contains { $0.contains("kafka-acls.sh") && $0.contains("--add") })
        #expect(fake.commands.contains { $0.contains("kafka-acls.sh") && $0.contains("--remove") }, "the After hook")
        await mock.shutdown()
    }
}
