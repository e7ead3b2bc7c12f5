import Foundation
import Testing

/// A run that stops before its first scenario still writes its reports, saying why: a CI job shows the
/// reason (one JUnit error, a failed run in the message stream and the HTML) instead of no report at all.
@Suite("Reports of a run that did not start")
struct RunNotStartedTests {
    static func reports() throws -> (dir: URL, args: [String]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bdd-nostart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let args = ["--report", "junit:\(dir.path)/j.xml", "--report", "html:\(dir.path)/i.html",
                    "--report", "message:\(dir.path)/m.ndjson"]
        return (dir, args)
    }

    @Test(CLITests.enabled, arguments: ["unreachable", "no scenario", "invalid UTF-8"])
    func theReportsSayWhy(_ cause: String) async throws {
        let (dir, reportArgs) = try Self.reports()
        let feature = try CLITests.fixture("Feature: f\n  @here\n  Scenario: s\n    Given a 1-broker cluster\n")
        let r: CLITests.Result
        let why: String
        if cause == "invalid UTF-8" {
            // A Latin-1 "é" (0xE9) on line 3, after "  Scenario: caf" — column 16.
            let bytes = Array("Feature: f\n  @here\n  Scenario: caf".utf8) + [0xE9] + Array("\n".utf8)
            try Data(bytes).write(to: URL(fileURLWithPath: feature))
            r = try await CLITests.run(["run", feature] + reportArgs)
            why = "\(feature):3:16: not valid UTF-8 (byte offset 34)"
        } else if cause == "unreachable" {
            r = try await CLITests.run(["run", feature, "--cluster", "external"] + reportArgs,
                                       environment: ["KAFKA_BDD_BOOTSTRAP": "127.0.0.1:1"])
            why = "cannot reach the Kafka cluster at 127.0.0.1:1"
        } else {
            r = try await CLITests.run(["run", feature, "--tags", "@elsewhere"] + reportArgs)
            why = "no scenario matched"
        }
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.contains(why), "\(r.err)")
        let junit = try String(contentsOf: dir.appendingPathComponent("j.xml"), encoding: .utf8)
        #expect(junit.contains("errors=\"1\""), "\(junit)")
        #expect(junit.contains("<error type=\"RunNotStarted\" message=\"") && junit.contains(why), "\(junit)")
        let messages = try String(contentsOf: dir.appendingPathComponent("m.ndjson"), encoding: .utf8)
        #expect(messages.contains("\"success\":false") && messages.contains(why), "\(messages)")
        let html = try String(contentsOf: dir.appendingPathComponent("i.html"), encoding: .utf8)
        #expect(html.contains("Run failed") && html.contains(why), "the HTML says the run failed and why")
    }
}
