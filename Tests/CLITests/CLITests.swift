import Foundation
import Launching
import Testing
@testable import Messages
@testable import Gherkin
@testable import Expressions
@testable import Runtime
@testable import Reporting
@testable import KafkaClient
@testable import Cluster
@testable import Verification
import Drills
import Steps
import TestSupport

/// The kafka-bdd binary as users meet it: exit codes and messages for bad input.
@Suite("kafka-bdd command line")
struct CLITests {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kafka-bdd")
    }

    struct Result { let status: Int32; let out: String; let err: String; let seconds: Double }

    /// Runs the binary on a dispatch queue, so a long run does not hold a concurrency-pool thread.
    static func run(_ args: [String], environment: [String: String] = [:]) async throws -> Result {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async {
                do { c.resume(returning: try runBlocking(args, environment: environment)) } catch { c.resume(throwing: error) }
            }
        }
    }

    static func runBlocking(_ args: [String], environment: [String: String]) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = Paths.packageRoot
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, b in b }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let start = Date()
        try ChildProcess.launch(p)
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self),
                      seconds: Date().timeIntervalSince(start))
    }

    static func fixture(_ text: String, name: String = "x.feature") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bdd-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static let enabled = ConditionTrait.enabled(if: FileManager.default.isExecutableFile(atPath: binary.path), "kafka-bdd binary not built")

    @Test(enabled) func unknownTagSyntaxIsAUsageError() async throws {
        let r = try await Self.run(["run", "--tags", "@a and or", "Features"])
        #expect(r.status == 2)
        #expect(r.err.contains("could not be parsed because of syntax error: Expected operand"))
    }

    @Test(enabled) func streamsReplayRefusesABadSessionGap() async throws {
        let base = ["streams", "replay", "--bootstrap", "127.0.0.1:1", "--output", "o"]
        let both = try await Self.run(base + ["--session-gap-ms", "3000", "--advance-ms", "5000"])
        #expect(both.status == 2)
        #expect(both.err.contains("--session-gap-ms and --advance-ms exclude each other"))
        let huge = try await Self.run(base + ["--session-gap-ms", "9223372036854775807"])
        #expect(huge.status == 2)
        #expect(huge.err.contains("at most a day"))
        let zero = try await Self.run(base + ["--session-gap-ms", "0"])
        #expect(zero.status == 2)
        #expect(zero.err.contains("--session-gap-ms must be positive"))
    }

    @Test(enabled) func missingFileIsAUsageError() async throws {
        let r = try await Self.run(["run", "no/such.feature"])
        #expect(r.status == 2)
        #expect(r.err.contains("no/such.feature: no such file or directory"))
    }

    @Test(enabled) func lineWithoutAScenarioIsAnError() async throws {
        let r = try await Self.run(["run", "Features/kaf02-installing-kafka.feature:4"])
        #expect(r.status == 2)
        #expect(r.err.contains("kaf02-installing-kafka.feature:4: no scenario or example at line 4"))
    }

    @Test(enabled) func parseErrorIsReportedWithFileLineColumn() async throws {
        let path = try Self.fixture("Feature: F\n  Scenario: S\n    Given a\n      | a |\n      | b | c |\n")
        let r = try await Self.run(["run", "--format", "summary", path])
        #expect(r.status == 2)
        #expect(r.out.contains("\(path):5:7: inconsistent cell count within the table"))
    }

    @Test(enabled) func unreachableExternalClusterFailsWithinBoundedTime() async throws {
        let r = try await Self.run(["run", "--cluster", "external", "Features"], environment: ["KAFKA_BDD_BOOTSTRAP": "127.0.0.1:1"])
        #expect(r.status == 2)
        #expect(r.err.contains("cannot reach the Kafka cluster at 127.0.0.1:1"))
        #expect(r.seconds < 30)
    }

    @Test(enabled) func failingScenarioExitsOneAndUndefinedTooUnlessNotStrict() async throws {
        let failing = try Self.fixture("Feature: F\n  Scenario: S\n    Given a 3-broker cluster\n    And a topic \"t\" with 2 partitions and replication factor 3\n    Then the leaders of \"t\" are spread over 3 brokers\n")
        let r = try await Self.run(["run", "--format", "summary", failing])
        #expect(r.status == 1)
        #expect(r.out.contains("0 passed, 1 failed, 0 skipped"))
        let undefined = try Self.fixture("Feature: F\n  Scenario: S\n    Given something nobody defined\n")
        #expect(try await Self.run(["run", "--format", "summary", undefined]).status == 1)
        #expect(try await Self.run(["run", "--format", "summary", "--no-strict", undefined]).status == 0)
    }

    @Test(enabled) func dryRunMatchesWithoutACluster() async throws {
        let r = try await Self.run(["run", "--dry-run", "--format", "summary", "--cluster", "external", "Features"],
                             environment: ["KAFKA_BDD_BOOTSTRAP": "127.0.0.1:1"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.range(of: #"0 passed, 0 failed, [1-9][0-9]* skipped"#, options: .regularExpression) != nil, "\(r.out)")
    }

    @Test(enabled) func badReportSpecificationIsAUsageError() async throws {
        let r = try await Self.run(["run", "--report", "pdf:x.pdf"])
        #expect(r.status == 2, "usage errors exit 2, as documented")
        #expect(r.err.contains("expected html:PATH"))
    }

    @Test(enabled, arguments: [["--bogus"], ["--report", "html"], ["--format", "fancy"], ["--step-timeout", "0"]])
    func usageErrorsExitTwo(_ arguments: [String]) async throws {
        let r = try await Self.run(["run", "--dry-run"] + arguments)
        #expect(r.status == 2, "\(arguments): \(r.err)")
    }

    @Test(enabled) func timingsThatCannotBeReadAreAUsageError() async throws {
        let missing = try await Self.run(["run", "--dry-run", "--timings", "/nonexistent/run.ndjson", "Features"])
        #expect(missing.status == 2)
        #expect(missing.err.contains("--timings /nonexistent/run.ndjson: cannot read the file"))
        let notAStream = FileManager.default.temporaryDirectory.appendingPathComponent("timings-\(UUID()).ndjson")
        try Data("not json\n".utf8).write(to: notAStream)
        defer { try? FileManager.default.removeItem(at: notAStream) }
        let bad = try await Self.run(["run", "--dry-run", "--timings", notAStream.path, "Features"])
        #expect(bad.status == 2)
        #expect(bad.err.contains("\(notAStream.path):1: not a message envelope"), "\(bad.err)")
    }

    /// A mistyped CI gate must not go green by running nothing.
    @Test(enabled) func anEmptySelectionIsAnError() async throws {
        let r = try await Self.run(["run", "--dry-run", "--tags", "@KAF-99", "Features"])
        #expect(r.status == 2)
        #expect(r.err.contains("no scenario matched"))
        let wrongCase = try await Self.run(["run", "--dry-run", "--tags", "@kaf-02", "Features"])
        #expect(wrongCase.status == 2)
        let allowed = try await Self.run(["run", "--dry-run", "--allow-empty", "--tags", "@KAF-99", "Features"])
        #expect(allowed.status == 0, "\(allowed.err)")
    }

    @Test(enabled) func anUnwritableReportPathFailsBeforeTheRun() async throws {
        let r = try await Self.run(["run", "--dry-run", "--report", "junit:/proc/kafka-bdd/junit.xml", "Features"])
        #expect(r.status == 2)
        #expect(r.err.contains("cannot write /proc/kafka-bdd/junit.xml"))
        #expect(!r.out.contains("passed"), "nothing ran")
    }
}

@Suite("kafka-bdd backfill")
struct BackfillCLITests {
    @Test(CLITests.enabled) func backfillProcessesExactlyTheRange() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "orders", partitions: 1, replicationFactor: 1))
        let ledger = DeliveryLedger()
        try await ledger.produce(100, to: "orders", config: cluster.config())
        let r = try await CLITests.run(["backfill", "--bootstrap", cluster.bootstrapServers, "--topic", "orders", "--partition", "0",
                                        "--offset", "10", "--count", "25"])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 26)
        #expect(lines.first?.hasPrefix("10\t") == true)
        #expect(lines.dropLast().last?.hasPrefix("34\t") == true)
        #expect(lines.last == "backfill: 25 records, offsets 10–34")
        let outside = try await CLITests.run(["backfill", "--bootstrap", cluster.bootstrapServers, "--topic", "orders", "--partition", "0", "--offset", "500"])
        #expect(outside.status == 1)
        #expect(outside.err.contains("offset 500 is outside orders[0], which holds offsets 0–99"))
    }
}

/// Secrets planted every way a user can give client properties never come back out.
@Suite("Secrets stay out of output")
struct SecretsCLITests {
    static let planted = ["HUNTER2-JAAS", "HUNTER2-TYPO", "HUNTER2-INFO", "HUNTER2-FILE", "HUNTER2-ACKS"]

    func expectClean(_ r: CLITests.Result, _ what: String, files: [String] = []) throws {
        var texts = [r.out, r.err]
        for f in files where FileManager.default.fileExists(atPath: f) { texts.append(try String(contentsOfFile: f, encoding: .utf8)) }
        for secret in Self.planted {
            #expect(!texts.contains { $0.contains(secret) }, "\(what) echoes \(secret)")
        }
    }

    @Test(CLITests.enabled) func propertyFlagsAreNeverEchoed() async throws {
        let r = try await CLITests.run([
            "backfill", "--bootstrap", "127.0.0.1:1", "--topic", "t", "--partition", "0", "--offset", "0",
            "--property", #"sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required password="HUNTER2-JAAS";"#,
            "--property", "sasl.pasword=HUNTER2-TYPO",
        ])
        #expect(r.status != 0)
        try expectClean(r, "backfill --property")
        let invalid = try await CLITests.run([
            "backfill", "--bootstrap", "127.0.0.1:1", "--topic", "t", "--partition", "0", "--offset", "0",
            "--property", "acks=HUNTER2-ACKS",
        ])
        #expect(invalid.status != 0)
        try expectClean(invalid, "an invalid value")
    }

    @Test(CLITests.enabled) func clientPropertiesFileIsNeverEchoed() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bdd-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let properties = dir.appendingPathComponent("client.properties").path
        try """
            security.protocol=SASL_PLAINTEXT
            sasl.mechanism=PLAIN
            sasl.username=alice
            sasl.password=HUNTER2-FILE
            basic.auth.user.info=alice:HUNTER2-INFO
            """.write(toFile: properties, atomically: true, encoding: .utf8)
        let reports = ["html", "junit", "message", "json", "rerun"].map { dir.appendingPathComponent("report.\($0)").path }
        let r = try await CLITests.run(
            ["run", "--cluster", "external", "--format", "pretty", "Features/kaf01-meet-kafka.feature"]
                + zip(["html", "junit", "message", "json", "rerun"], reports).flatMap { ["--report", "\($0):\($1)"] },
            environment: ["KAFKA_BDD_BOOTSTRAP": "127.0.0.1:1", "KAFKA_BDD_CLIENT_PROPERTIES": properties])
        #expect(r.status == 2, "an unreachable cluster is a usage-class error: \(r.err)")
        try expectClean(r, "run --cluster external", files: reports)
    }
}

@Suite("kafka-bdd metrics")
struct MetricsCLITests {
    /// As documented, with defaults (`--read 0`): the consumer must poll to join its group at all.
    @Test(CLITests.enabled) func defaultsJoinTheGroupAndExport() async throws {
        let r = try await CLITests.run(["metrics", "--topic", "T", "--group", "G", "--wait-seconds", "5"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("kafka_bdd_broker_up"))
    }
}

@Suite("kafka-bdd run, interrupted")
struct InterruptCLITests {
    /// Ctrl-C mid-run still leaves the reports of what ran.
    @Test(CLITests.enabled) func sigintWritesTheReportsSoFar() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bdd-sigint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let junit = dir.appendingPathComponent("junit.xml").path, stream = dir.appendingPathComponent("m.ndjson").path
        let p = Process()
        p.executableURL = CLITests.binary
        p.currentDirectoryURL = Paths.packageRoot
        p.arguments = ["run", "Features/kaf04-consumers.feature", "--format", "summary",
                       "--report", "junit:\(junit)", "--report", "message:\(stream)"]
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        try ChildProcess.launch(p)
        // Wait (with a deadline) until one scenario has finished, then interrupt.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, p.isRunning,
              !((try? String(contentsOfFile: stream, encoding: .utf8))?.contains("testCaseFinished") ?? false) {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(p.isRunning, "the run must still be going when interrupted")
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        let report = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(report.contains("<testcase"), "the finished scenario is in the JUnit report")
        // No scenario starts after the interrupt: the reports hold what had started, and say how many.
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let cases = report.components(separatedBy: "<testcase ").count - 1
        #expect(said.contains("the reports hold \(cases) scenario"), "\(said)")
        let scenarios = try String(contentsOfFile: "Features/kaf04-consumers.feature", encoding: .utf8)
            .components(separatedBy: "Scenario").count - 1
        #expect(cases < scenarios, "\(cases) of \(scenarios) scenarios in the report")
    }
}

@Suite("kafka-bdd run --parallel")
struct ParallelCLITests {
    /// Scenarios run at once, but the stream reads as a serial run: cases in file order, none interleaved.
    @Test(CLITests.enabled) func outputKeepsScenarioOrder() async throws {
        let step = #"Then the document "docs/kaf-01/why-kafka.md" has 3 use cases that each name producers, "#
            + "topics and partitions, and consumers"
        let feature = "Feature: P\n" + (1...8).map { "  Scenario: s\($0)\n    \(step)\n" }.joined()
        let path = try CLITests.fixture(feature)
        let stream = path + ".ndjson"
        let r = try await CLITests.run(["run", "--parallel", "4", "--format", "summary", "--report", "message:\(stream)", path])
        #expect(r.status == 0, "\(r.err)")
        var started: [String] = []
        var open = false
        var interleaved = false
        let lines = try String(contentsOfFile: stream, encoding: .utf8).split(separator: "\n")
        var pickleOfCase: [String: String] = [:], nameOfPickle: [String: String] = [:]
        for line in lines {
            let e = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            if let p = e["pickle"] as? [String: Any] { nameOfPickle[p["id"] as! String] = p["name"] as? String }
            if let t = e["testCase"] as? [String: Any] { pickleOfCase[t["id"] as! String] = t["pickleId"] as? String }
            if let s = e["testCaseStarted"] as? [String: Any] {
                if open { interleaved = true }
                open = true
                started.append(nameOfPickle[pickleOfCase[s["testCaseId"] as! String]!]!)
            }
            if e["testCaseFinished"] != nil { open = false }
        }
        #expect(started == (1...8).map { "s\($0)" })
        #expect(!interleaved)
        let shared = try await CLITests.run(["run", "--parallel", "2", "--cluster", "external", path],
                                            environment: ["KAFKA_BDD_BOOTSTRAP": "127.0.0.1:1"])
        #expect(shared.status == 2, "parallel scenarios on one shared cluster are refused")
    }
}

@Suite("librdkafka's log lines")
struct ClientLogCLITests {
    /// An unreachable bootstrap is reported once, in our words; librdkafka's lines only on request.
    @Test(CLITests.enabled) func rawLinesOnlyThroughTheLogger() async throws {
        let args = ["backfill", "--bootstrap", "127.0.0.1:1", "--topic", "t", "--partition", "0", "--offset", "0"]
        let quiet = try await CLITests.run(args)
        #expect(!quiet.err.contains("%3|") && !quiet.err.contains("FAIL"), "\(quiet.err)")
        let verbose = try await CLITests.run(args, environment: ["KAFKA_BDD_LOG_LEVEL": "error"])
        #expect(verbose.err.contains("error librdkafka"), "\(verbose.err)")
    }
}
