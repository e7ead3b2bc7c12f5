import Foundation
@testable import Messages
@testable import Gherkin
@testable import Expressions
@testable import Runtime
@testable import Reporting
import Synchronization
import Testing
import TestSupport

/// Runner semantics, each shown failing where it should: undefined, ambiguous, hanging and
/// failing-hook runs are never a pass.
@Suite("Runner")
struct RunnerTests {
    final class Stream: Sendable {
        let envelopes = Mutex<[Envelope]>([])
        var handler: @Sendable (Envelope) -> Void { { e in self.envelopes.withLock { $0.append(e) } } }
        var lines: String { envelopes.withLock { $0.map(\.ndjsonLine).joined() } }
    }

    func run(_ feature: String, options: RunOptions = RunOptions(), _ define: (inout SupportCode) -> Void) async -> (RunSummary, Stream) {
        var support = SupportCode()
        define(&support)
        let stream = Stream()
        let ids = IdGenerator()
        let file = FeatureFile(uri: "test.feature", source: feature, ids: ids)
        let summary = await Runner(support: support, options: options, ids: ids, emit: stream.handler).run([file])
        return (summary, stream)
    }

    static let oneStep = "Feature: F\n  Scenario: S\n    Given a step\n    Then another step\n"

    @Test func passingRunSucceeds() async {
        let (summary, _) = await run(Self.oneStep) { s in
            s.given("a step") { _ in }
            s.then("another step") { _ in }
        }
        #expect(summary.success)
        #expect(summary.outcomes.map(\.status) == [.passed])
    }

    @Test func undefinedStepIsUndefinedWithASnippetAndFailsTheRun() async {
        let (summary, stream) = await run("Feature: F\n  Scenario: S\n    Given I produce 10 messages to \"events\"\n") { _ in }
        #expect(!summary.success)
        #expect(summary.outcomes[0].status == .undefined)
        let snippets = stream.envelopes.withLock { $0.compactMap { if case .suggestion(_, _, let s) = $0 { s } else { nil } } }.flatMap { $0 }
        #expect(snippets.first?.code.contains(#"steps.given("I produce {int} messages to {string}")"#) == true)
        #expect(snippets.first?.code.contains(#"{ (ctx, int: Int, string: String) in"#) == true)
    }

    @Test func undefinedStepPassesOnlyWhenNotStrict() async {
        var options = RunOptions()
        options.strict = false
        let (summary, _) = await run("Feature: F\n  Scenario: S\n    Given nothing defines this\n", options: options) { _ in }
        #expect(summary.success)
        #expect(summary.outcomes[0].status == .undefined)
    }

    @Test func ambiguousStepListsEveryDefinition() async {
        let (summary, _) = await run(Self.oneStep) { s in
            s.given("a step") { _ in }
            s.given("a {word}") { _ in }
            s.then("another step") { _ in }
        }
        #expect(!summary.success)
        let decisive = summary.outcomes[0].decisive
        #expect(decisive?.result.status == .ambiguous)
        #expect(decisive?.result.message?.contains("a step") == true)
        #expect(decisive?.result.message?.contains("a {word}") == true)
        #expect(decisive?.result.message?.contains("RunnerTests.swift") == true)
        // The step after it is skipped, not run.
        #expect(summary.outcomes[0].steps.last?.result.status == .skipped)
    }

    @Test func hangingStepFailsAtItsTimeLimitAndTheRunGoesOn() async {
        var options = RunOptions()
        options.stepTimeout = .seconds(2)
        let feature = "Feature: F\n  Scenario: hangs\n    Given a step that never ends\n  Scenario: next\n    Given a step\n"
        let (summary, _) = await run(feature, options: options) { s in
            s.given("a step that never ends") { _ in
                // An await that never resumes and ignores cancellation, as a stuck client call does
                // (blocking librdkafka calls run on a dispatch queue and are awaited).
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
            }
            s.given("a step") { _ in }
        }
        #expect(!summary.success)
        #expect(summary.outcomes[0].status == .failed)
        #expect(summary.outcomes[0].decisive?.result.message?.contains("time limit of 2 s") == true)
        // The run went on to the next scenario. (Its own status is not asserted: when the parallel
        // test suite saturates the concurrency pool, even a trivial step can wait past 2 s to start.)
        #expect(summary.outcomes.count == 2)
        #expect(summary.outcomes[1].pickle.name == "next")
    }

    @Test func failingAfterHookFailsThePassingScenario() async {
        let (summary, _) = await run(Self.oneStep) { s in
            s.given("a step") { _ in }
            s.then("another step") { _ in }
            s.after { _ in throw StepFailure("cleanup broke") }
        }
        #expect(!summary.success)
        #expect(summary.outcomes[0].status == .failed)
        #expect(summary.outcomes[0].decisive?.text == "After")
    }

    @Test func afterHooksRunEvenWhenAStepFailsAndLaterStepsAreSkipped() async {
        let ran = Mutex<[String]>([])
        let (summary, _) = await run(Self.oneStep) { s in
            s.given("a step") { _ in throw StepFailure("boom") }
            s.then("another step") { _ in ran.withLock { $0.append("another") } }
            s.after { _ in ran.withLock { $0.append("after") } }
        }
        #expect(summary.outcomes[0].steps.map(\.result.status) == [.failed, .skipped, .passed])
        #expect(ran.withLock { $0 } == ["after"])
    }

    @Test func skippedWithReasonIsNotAPassAndKeepsTheReason() async {
        let (summary, _) = await run(Self.oneStep) { s in
            s.given("a step") { _ in throw StepSkipped("embedded cluster does not model transaction isolation — run with --cluster compose") }
            s.then("another step") { _ in }
        }
        #expect(summary.outcomes[0].status == .skipped)
        #expect(summary.outcomes[0].decisive?.result.message?.contains("transaction isolation") == true)
        #expect(summary.success, "a skip is not a failure")
    }

    @Test func freshWorldPerPickleAndTypedArguments() async {
        enum Counter: WorldKey { static var defaultValue: Int { 0 } }
        let seen = Mutex<[Int]>([])
        let feature = "Feature: F\n  Scenario Outline: S\n    Given I add <n>\n    Then I record\n    Examples:\n      | n |\n      | 2 |\n      | 5 |\n"
        let (summary, _) = await run(feature) { s in
            s.given("I add {int}") { ctx in let n = try ctx.int(0); ctx.world.update(Counter.self) { $0 += n } }
            s.then("I record") { ctx in let v = ctx.world[Counter.self]; seen.withLock { $0.append(v) } }
        }
        #expect(summary.success)
        #expect(seen.withLock { $0 } == [2, 5])
    }

    @Test func tagScopedHooksAndTagFilter() async throws {
        let ran = Mutex<[String]>([])
        var options = RunOptions()
        options.tags = try TagExpression(parsing: "not @slow")
        let feature = "Feature: F\n  @kafka\n  Scenario: a\n    Given a step\n  @slow\n  Scenario: b\n    Given a step\n  Scenario: c\n    Given a step\n"
        let (summary, _) = await run(feature, options: options) { s in
            s.before(tags: "@kafka") { ctx in ran.withLock { $0.append("before \(ctx.pickle.name)") } }
            s.given("a step") { ctx in ran.withLock { $0.append(ctx.pickle.name) } }
        }
        #expect(summary.outcomes.map(\.pickle.name) == ["a", "c"])
        #expect(ran.withLock { $0 } == ["before a", "a", "c"])
    }

    @Test func badDefinitionsAreReportedNotCrashedOn() async {
        let (summary, stream) = await run(Self.oneStep) { s in
            s.given("an (unfinished optional", { _ in })
            s.given("{nosuchtype} step") { _ in }
            s.before(tags: "@a and or") { _ in }
        }
        #expect(!summary.success)
        let lines = stream.lines
        #expect(lines.contains("\"undefinedParameterType\""))
        #expect(lines.contains("does not have a matching ')'"))
    }

    @Test func attachmentsReachTheStream() async {
        let (_, stream) = await run(Self.oneStep) { s in
            s.given("a step") { ctx in ctx.attach("| a | b |", mediaType: "text/markdown"); ctx.log("hello") }
            s.then("another step") { ctx in ctx.attach(bytes: [0, 1, 2, 255], mediaType: "application/octet-stream") }
        }
        let lines = stream.lines
        #expect(lines.contains(#""body":"| a | b |""#))
        #expect(lines.contains(#""mediaType":"text\/x.cucumber.log+plain""#) || lines.contains(#""mediaType":"text/x.cucumber.log+plain""#))
        #expect(lines.contains(#""body":"AAEC\/w==""#) || lines.contains(#""body":"AAEC/w==""#))
    }

    @Test func failFastStopsAfterTheFirstFailure() async {
        var options = RunOptions()
        options.failFast = true
        let feature = "Feature: F\n  Scenario: a\n    Given boom\n  Scenario: b\n    Given boom\n"
        let (summary, _) = await run(feature, options: options) { s in s.given("boom") { _ in throw StepFailure("x") } }
        #expect(summary.outcomes.count == 1)
    }

    @Test func dryRunMatchesButRunsNothing() async {
        var options = RunOptions()
        options.dryRun = true
        let ran = Mutex(false)
        let (summary, _) = await run(Self.oneStep, options: options) { s in
            s.given("a step") { _ in ran.withLock { $0 = true } }
        }
        #expect(!ran.withLock { $0 })
        #expect(summary.outcomes[0].steps.map(\.result.status) == [.skipped, .undefined])
    }

    /// Every envelope kind the runner emits, validated against the Cucumber Messages schema by
    /// Python's jsonschema (skipped when python3 or jsonschema or ../shared is missing).
    @Test("a full run's stream validates against messages.schema.json",
          .enabled(if: Paths.sharedFolder("conformance/messages") != nil, Comment(rawValue: Paths.missingShared)))
    func streamValidatesAgainstSchema() async throws {
        let feature = """
            @tagged
            Feature: Everything
              Background:
                Given a step
              Scenario: passes with evidence
                Then another step
              Scenario: fails
                Given it fails
              Scenario: undefined
                Given nobody wrote 3 steps
              Scenario: ambiguous
                Given twice
              Scenario: pending and skipped
                Given pending
                Given skipped
              Scenario Outline: outline <n>
                Given flight LHR-CDG
                  | a | b |
                Examples:
                  | n |
                  | 1 |
            """
        let (_, stream) = await run(feature) { s in
            s.parameterType("flight", regexps: ["([A-Z]{3})-([A-Z]{3})"]) { g in "\(g[0] ?? "")→\(g[1] ?? "")" }
            s.beforeAll { ctx in ctx.log("starting") }
            s.before(tags: "@tagged", name: "setup") { _ in }
            s.given("a step") { _ in }
            s.then("another step") { ctx in ctx.attach(bytes: [1, 2, 3], mediaType: "image/png", fileName: "x.png") }
            s.given("it fails") { _ in throw StepFailure("nope") }
            s.regex("^twice$") { _ in }
            s.given("twice") { _ in }
            s.given("pending") { _ in throw StepPending("later") }
            s.given("skipped") { _ in throw StepSkipped("no cluster") }
            s.given("flight {flight}") { _ in }
            s.given("{unknown} thing") { _ in }
            s.after { _ in }
            s.afterAll { _ in }
        }
        let bad = FeatureFile(uri: "bad.feature", source: "Feature: x\n  Scenario: y\n    Given a\n      | a |\n      | b | c |\n")
        var lines = stream.lines
        lines += bad.errors.map { Envelope.parseError(SourcedParseError(uri: bad.uri, error: $0)).ndjsonLine }.joined()
        let kinds = Set(lines.split(separator: "\n").compactMap { $0.dropFirst(2).split(separator: "\"").first.map(String.init) })
        #expect(kinds.isSuperset(of: ["meta", "source", "gherkinDocument", "pickle", "parameterType", "stepDefinition", "hook",
                                      "undefinedParameterType", "testRunStarted", "testCase", "testCaseStarted", "testStepStarted",
                                      "suggestion", "attachment", "testStepFinished", "testCaseFinished", "testRunHookStarted",
                                      "testRunHookFinished", "testRunFinished", "parseError"]))
        try SchemaValidation.validate(lines)
    }
}

enum SchemaValidation {
    static func validate(_ ndjson: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bdd-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let stream = dir.appendingPathComponent("stream.ndjson")
        try Data(ndjson.utf8).write(to: stream)
        guard let r = try ExternalTool.python([Paths.packageRoot.appendingPathComponent("scripts/validate_messages.py").path,
                                               Paths.shared.appendingPathComponent("conformance/messages/messages.schema.json").path, stream.path])
        else { return }
        #expect(r.status == 0, "\(r.output)")
    }
}
