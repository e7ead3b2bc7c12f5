import Foundation
@testable import Messages
@testable import Runtime
@testable import Reporting
import Synchronization
import Testing
import TestSupport

/// --retry N, cucumber-js's semantics: a failed test case runs again (a new attempt, the earlier one
/// finished with willBeRetried), at most N times; one that passes on a retry is flaky — the run passes,
/// the console lists it, JUnit carries Surefire's <flakyFailure> per failed attempt.
@Suite("Retrying failed scenarios")
struct RetryTests {
    static let feature = """
        Feature: F
          Scenario: passes the second time
            Given a step that passes on attempt 2
          Scenario: always fails
            Given a step that always fails
          Scenario: undefined
            Given a step nobody defined

        """

    static func run(retry: Int) async -> (RunSummary, RunQuery) {
        var options = RunOptions()
        options.retry = retry
        let calls = Mutex(0)
        let (summary, stream) = await RunnerTests().run(feature, options: options) { s in
            s.given("a step that passes on attempt {int}") { ctx in
                let n = calls.withLock { $0 += 1; return $0 }
                if n < (try ctx.int(0)) { throw StepFailure("attempt \(n) failed") }
            }
            s.given("a step that always fails") { _ in throw StepFailure("it always fails") }
        }
        var q = RunQuery()
        for e in stream.envelopes.withLock({ $0 }) { q.update(e) }
        return (summary, q)
    }

    @Test func aFailedScenarioPassingOnARetryIsFlakyAndTheRunPasses() async {
        let (summary, q) = await Self.run(retry: 2)
        #expect(summary.outcomes.map(\.status) == [.passed, .failed, .undefined])
        #expect(summary.outcomes.map(\.attempts) == [2, 3, 1], "undefined is not retried")
        #expect(summary.outcomes[0].flaky)
        let finals = q.testCasesStarted
        #expect(finals.map(\.attempt) == [1, 2, 0])
        #expect(q.retriedAttempts(of: finals[0].id).map(\.attempt) == [0])
        #expect(q.retriedAttempts(of: finals[1].id).map(\.attempt) == [0, 1])
    }

    @Test func withoutRetryNothingRunsTwice() async {
        let (summary, q) = await Self.run(retry: 0)
        #expect(summary.outcomes.map(\.status) == [.failed, .failed, .undefined])
        #expect(summary.outcomes.allSatisfy { $0.attempts == 1 && !$0.flaky })
        #expect(q.testCasesStarted.count == 3)
        #expect(!JUnitFormatter().render(q).contains("flakyFailure"))
    }

    @Test func junitCarriesFlakyAndRerunFailuresInSurefiresOrder() async throws {
        let (_, q) = await Self.run(retry: 2)
        let xml = JUnitFormatter().render(q)
        #expect(xml.contains("tests=\"3\""), "one testcase per scenario, not per attempt")
        let flaky = try #require(
            xml.range(of: "<flakyFailure type=\"Failure\" message=\"attempt 1: attempt 1 failed\">"))
        #expect(xml[flaky.upperBound...].hasPrefix("\n<stackTrace><![CDATA["))
        #expect(xml.components(separatedBy: "<rerunFailure").count - 1 == 2)
        let failure = try #require(xml.range(of: "<failure"))
        let rerun = try #require(xml.range(of: "<rerunFailure"))
        #expect(failure.lowerBound < rerun.lowerBound, "Surefire: failure, then rerunFailure")
        #expect(!JUnitFormatter(reference: true).render(q).contains("flakyFailure"), "cucumber's reference has none")
        guard let junit = Paths.sharedFolder("conformance/junit") else { return }
        let xsd = junit.appendingPathComponent("surefire-test-report-3.0.2.xsd")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bdd-retry-\(UUID()).xml")
        // Surefire's schema has no testsuite timestamp (Jenkins' has); the retry elements are what is checked.
        try Data(xml.replacingOccurrences(of: #" timestamp="[^"]*""#, with: "", options: .regularExpression).utf8)
            .write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try ExternalTool.run(["xmllint", "--noout", "--schema", xsd.path, file.path])
        #expect(r.status == 0, "\(r.output)")
    }

    @Test func theHTMLMarksTheFlakyScenarioAndSaysWhyEachAttemptFailed() async {
        let (_, q) = await Self.run(retry: 2)
        let html = HTMLFormatter(title: "t", cardTags: .studyPlan).render(q)
        #expect(html.components(separatedBy: "<span class=\"badge flaky\">flaky</span>").count - 1 == 1, "one flaky")
        #expect(html.contains("Flaky — failed before it passed: attempt 1: attempt 1 failed"))
        #expect(html.contains("Retried: attempt 1: it always fails; attempt 2: it always fails"))
        let model = ReportModel(q)
        #expect(model.cases.map(\.flaky) == [true, false, false])
    }

    @Test func theConsoleListsTheFlakyScenario() async {
        let (_, q) = await Self.run(retry: 1)
        let out = Mutex("")
        let console = ConsoleFormatter(style: .summary, colour: false, heartbeat: nil) { s in out.withLock { $0 += s } }
        if let finished = q.testRunFinished {
            console.handle(.testRunFinished(testRunStartedId: finished.testRunStartedId, success: finished.success,
                                            message: finished.message, exception: finished.exception,
                                            timestamp: finished.timestamp), query: q)
        }
        let text = out.withLock { $0 }
        #expect(text.contains("Flaky (failed, then passed on a retry):\n  test.feature:2 passes the second time "
                              + "(passed on attempt 2)"), "\(text)")
        #expect(text.contains("1 passed, 2 failed, 0 skipped"), "\(text)")
    }
}
