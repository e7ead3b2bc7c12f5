import Foundation
@testable import Messages
@testable import Reporting
import Testing
import TestSupport

/// What `kafka-bdd run` prints: each style's end summary explains what did not pass.
@Suite("Console output")
struct ConsoleFormatterTests {
    final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func append(_ s: String) { lock.lock(); text += s; lock.unlock() }
        var value: String { lock.lock(); defer { lock.unlock() }; return text }
    }

    static func envelopes(_ name: String) throws -> [Envelope] {
        let data = try Data(contentsOf: ReportTests.dir!.appendingPathComponent("\(name).ndjson"))
        var all: [Envelope] = []
        try EnvelopeDecoder().decode(stream: data) { all.append($0) }
        return all
    }

    static func render(_ name: String, _ style: ConsoleFormatter.Style) throws -> String {
        let out = Output()
        let console = ConsoleFormatter(style: style, colour: false, heartbeat: nil) { out.append($0) }
        var q = RunQuery()
        for e in try envelopes(name) { q.update(e); console.handle(e, query: q) }
        return out.value
    }

    @Test("every style's summary has the failure message and the undefined step's snippet",
          .enabled(if: ReportTests.dir != nil, Comment(rawValue: Paths.missingShared)),
          arguments: ConsoleFormatter.Style.allCases)
    func summaries(_ style: ConsoleFormatter.Style) throws {
        let text = try Self.render("all-statuses", style)
        let summary = try #require(text.range(of: "Not passed:")).upperBound
        let tail = String(text[summary...])
        #expect(tail.contains("whoops"), "\(tail)")
        #expect(tail.contains("samples/all-statuses/all-statuses.feature:13"), "the failing step's file:line")
        #expect(tail.contains("Undefined step: And an undefined step") && tail.contains("Implement it with:"))
    }

    @Test("pretty shows the feature, keywords, durations and attachments",
          .enabled(if: ReportTests.dir != nil, Comment(rawValue: Paths.missingShared)))
    func pretty() throws {
        let text = try Self.render("all-statuses", .pretty)
        #expect(text.contains("Feature: "), "\(text)")
        #expect(text.contains("✔ Given a step"), "\(text)")
        #expect(text.contains(" passed in 0."), "per-scenario duration")
        let attachments = try Self.render("attachments", .pretty)
        #expect(attachments.contains("📎 "), "\(attachments)")
    }

    @Test("pretty shows a hook only when it failed or attached something",
          .enabled(if: ReportTests.dir != nil, Comment(rawValue: Paths.missingShared)))
    func prettyHooks() throws {
        let quiet = try Self.render("hooks", .pretty)
        #expect(quiet.contains("✘ When a step fails"), "\(quiet)")
        #expect(!quiet.contains("Before") && !quiet.contains("After"), "passing hooks without attachments: \(quiet)")
        let attaching = try Self.render("hooks-attachment", .pretty)
        #expect(attaching.contains("After") || attaching.contains("Before"), "\(attaching)")
    }

    @Test func shortLogsAndSmallTablesAreShownInFullAndControlCharactersNever() {
        let table = Attachment(body: "| p | ms |\n| --- | --- |\n| p99 | 143 |", contentEncoding: .identity,
                               mediaType: "text/markdown")
        #expect(ConsoleFormatter.shown(table) == ["📎 table", "   p │ ms", "   p99 │ 143"])
        let log = Attachment(body: "topic orders: absent → 6 partitions\n\u{1B}[2Jgone", contentEncoding: .identity,
                             mediaType: "text/x.cucumber.log+plain")
        #expect(ConsoleFormatter.shown(log) == ["📎 topic orders: absent → 6 partitions", "   \u{FFFD}[2Jgone"])
        let long = Attachment(body: Array(repeating: "x", count: 20).joined(separator: "\n"),
                              contentEncoding: .identity, mediaType: "text/x.cucumber.log+plain")
        #expect(ConsoleFormatter.shown(long) == ["📎 text/x.cucumber.log+plain 20 lines"])
    }

    @Test func attachmentSummaries() {
        let table = Attachment(body: "| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |", contentEncoding: .identity,
                               mediaType: "text/markdown")
        #expect(ConsoleFormatter.summary(of: table) == "table 3×2")
        let svg = Attachment(body: "<svg/>", contentEncoding: .identity, mediaType: "image/svg+xml")
        #expect(ConsoleFormatter.summary(of: svg) == "svg chart")
    }

    @Test("did you mean: the closest step definition", .enabled(if: ReportTests.dir != nil))
    func didYouMean() throws {
        var q = RunQuery()
        for e in try Self.envelopes("all-statuses") { q.update(e) }
        #expect(q.closestDefinition(to: "a failling step") == "a failing step")
        #expect(q.closestDefinition(to: "something else entirely, nothing like any step") == nil)
    }

    @Test("off a terminal, a running step gets a line every interval",
          .enabled(if: ReportTests.dir != nil, Comment(rawValue: Paths.missingShared)))
    func heartbeat() async throws {
        let out = Output()
        let beat = ConsoleFormatter.Heartbeat(terminal: false, interval: 0.05)
        let console = ConsoleFormatter(style: .summary, colour: false, heartbeat: beat) { out.append($0) }
        var q = RunQuery()
        for e in try Self.envelopes("minimal") {
            q.update(e)
            console.handle(e, query: q)
            if case .testStepStarted = e { break }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(out.value.contains("still running"), "\(out.value)")
        #expect(out.value.contains("Given I have 42 cukes in my belly"), "\(out.value)")
    }

    @Test("on a terminal, the running step and its elapsed time are redrawn in place, then cleared",
          .enabled(if: ReportTests.dir != nil, Comment(rawValue: Paths.missingShared)))
    func terminalHeartbeat() async throws {
        let out = Output()
        let beat = ConsoleFormatter.Heartbeat(terminal: true, interval: 0.05)
        let console = ConsoleFormatter(style: .pretty, colour: false, heartbeat: beat) { out.append($0) }
        var q = RunQuery()
        var rest: [Envelope] = []
        var started = false
        for e in try Self.envelopes("minimal") {
            if started { rest.append(e); continue }
            q.update(e)
            console.handle(e, query: q)
            if case .testStepStarted = e { started = true }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(out.value.contains("\r\u{1B}[K⏱ Given I have 42 cukes in my belly — "), "\(out.value)")
        for e in rest { q.update(e); console.handle(e, query: q) }
        let after = out.value.components(separatedBy: "⏱").last ?? ""
        #expect(after.contains("\r\u{1B}[K    ✔ Given I have 42 cukes in my belly"), "cleared before the step's line")
    }
}

/// A skipped scenario is a claim the cluster could not check: the summary and progress styles name each
/// with the first line of its reason (a new user saw "3 skipped" and no reason).
@Suite("Console output: skipped scenarios")
struct ConsoleSkippedTests {
    static func summary(_ style: ConsoleFormatter.Style) -> String {
        let t0 = Timestamp(seconds: 0, nanos: 0)
        let out = ConsoleFormatterTests.Output()
        let console = ConsoleFormatter(style: style, colour: false, heartbeat: nil) { out.append($0) }
        var q = RunQuery()
        let envelopes: [Envelope] = [
            .pickle(Pickle(id: "p", uri: "a.feature", location: Location(line: 3, column: 3), name: "replicas",
                           language: "en", steps: [PickleStep(id: "ps", text: "x", astNodeIds: [])], tags: [],
                           astNodeIds: [])),
            .testRunStarted(id: "run", timestamp: t0),
            .testCase(TestCaseMessage(id: "tc", pickleId: "p", testSteps: [
                TestStep(id: "ts", kind: .pickleStep(pickleStepId: "ps", stepDefinitionIds: [], argumentLists: []))
            ], testRunStartedId: "run")),
            .testCaseStarted(id: "s", testCaseId: "tc", attempt: 0, timestamp: t0),
            .testStepFinished(testCaseStartedId: "s", testStepId: "ts",
                              result: TestStepResult(status: .skipped, message: "no replication here\nrun with compose"),
                              timestamp: t0),
            .testCaseFinished(testCaseStartedId: "s", willBeRetried: false, timestamp: t0),
            .testRunFinished(testRunStartedId: "run", success: true, message: nil, exception: nil, timestamp: t0),
        ]
        for e in envelopes { q.update(e); console.handle(e, query: q) }
        return out.value
    }

    @Test func summaryAndProgressNameEachSkipAndWhy() {
        for style in [ConsoleFormatter.Style.summary, .progress] {
            let text = Self.summary(style)
            #expect(text.contains("Skipped (not verified here):\n  a.feature:3 replicas — no replication here\n"),
                    "\(style): \(text)")
            #expect(!text.contains("run with compose"), "the first line only")
        }
        #expect(!Self.summary(.pretty).contains("Skipped (not verified here)"), "pretty shows it in place")
    }
}
