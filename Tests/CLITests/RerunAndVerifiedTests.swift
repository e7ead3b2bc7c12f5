import Foundation
import Testing

/// `run @rerun.txt` (cucumber's convention for running again what failed) and `run --require-verified`
/// (a gate that fails on a skipped claim or on nothing verified), as a CI script uses them.
@Suite("kafka-bdd run @rerun and --require-verified")
struct RerunAndVerifiedTests {
    static let feature = """
        Feature: f
          Scenario: passes
            Given a 1-broker cluster
          Scenario: undefined
            Given a 1-broker cluster
            Then nobody defined this step
          Scenario: skipped on the embedded cluster
            Given a 3-broker cluster
            And a topic "events" with 3 partitions and replication factor 3
            Then every partition of "events" has 3 replicas on distinct brokers
        """

    @Test(CLITests.enabled) func theRerunReportRunsWhatDidNotPassAgain() async throws {
        let path = try CLITests.fixture(Self.feature)
        let rerun = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("rerun.txt").path
        let first = try await CLITests.run(["run", path, "--format", "summary", "--report", "rerun:\(rerun)"])
        #expect(first.status == 1)
        #expect(try String(contentsOfFile: rerun, encoding: .utf8) == "\(path):4\n")
        let again = try await CLITests.run(["run", "@\(rerun)", "--format", "summary"])
        #expect(again.status == 1)
        #expect(again.out.contains("0 passed, 1 failed, 0 skipped"), "\(again.out)")

        try Data().write(to: URL(fileURLWithPath: rerun))
        let nothing = try await CLITests.run(["run", "@\(rerun)"])
        #expect(nothing.status == 0, "an empty rerun file: nothing failed before, nothing to run: \(nothing.err)")
        let missing = try await CLITests.run(["run", "@\(rerun).absent"])
        #expect(missing.status == 2)
        #expect(missing.err.contains("cannot read the rerun file"), "\(missing.err)")
    }

    @Test(CLITests.enabled) func requireVerifiedFailsOnASkippedClaim() async throws {
        let path = try CLITests.fixture(Self.feature)
        let verified = try await CLITests.run(["run", "\(path):2", "--require-verified"])
        #expect(verified.status == 0, "\(verified.err)")
        let skipped = try await CLITests.run(["run", "\(path):2:7", "--require-verified"])
        #expect(skipped.status == 1)
        #expect(skipped.err.contains("--require-verified: 1 verified, 1 skipped"), "\(skipped.err)")
        let plain = try await CLITests.run(["run", "\(path):2:7"])
        #expect(plain.status == 0, "without the flag a skip is not a failure")
    }

    @Test(CLITests.enabled) func usageErrorsPointToWhatWasMeant() async throws {
        let path = try CLITests.fixture(Self.feature)
        let format = try await CLITests.run(["run", path, "--format", "junit"])
        #expect(format.status != 0)
        #expect(format.err.contains("reports are written with --report junit:PATH"), "\(format.err)")
        let line = try await CLITests.run(["run", "\(path):abc"])
        #expect(line.status == 2)
        #expect(line.err.contains("\"abc\" is not a line number"), "\(line.err)")
    }

    @Test(CLITests.enabled) func everyUndefinedStepOfAScenarioGetsItsSnippet() async throws {
        let path = try CLITests.fixture("""
            Feature: u
              Scenario: three undefined
                Given first nobody wrote
                When second nobody wrote
                Then third nobody wrote
            """)
        let r = try await CLITests.run(["run", path, "--format", "summary"])
        #expect(r.status == 1)
        for text in ["first nobody wrote", "second nobody wrote", "third nobody wrote"] {
            #expect(r.out.contains("steps.given(\"\(text)\")") || r.out.contains("\"\(text)\")"), "\(text): \(r.out)")
        }
        #expect(r.out.components(separatedBy: "Implement it with").count - 1 == 3, "\(r.out)")
    }

    /// The console's summary shows a set of snippets once; later steps that need the same point to it
    /// (50,000 undefined scenarios printed 600,000 lines). Every report keeps each step's own snippet.
    @Test(CLITests.enabled) func theSameSnippetIsShownOnce() async throws {
        let path = try CLITests.fixture("""
            Feature: u
              Scenario: one
                Given 1 apple nobody wrote
              Scenario: two
                Given 2 apple nobody wrote
            """)
        let junit = path + ".xml"
        let r = try await CLITests.run(["run", path, "--format", "summary", "--report", "junit:\(junit)"])
        #expect(r.status == 1)
        #expect(r.out.components(separatedBy: "steps.given(\"{int} apple nobody wrote\")").count - 1 == 1, "\(r.out)")
        #expect(r.out.contains("Implement it with: the snippets shown above for \(path):3"), "\(r.out)")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.components(separatedBy: "{int} apple nobody wrote").count - 1 >= 2, "\(xml)")
    }
}
