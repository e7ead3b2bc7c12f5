import Foundation
@testable import Messages
import Gherkin
import Runtime
@testable import Reporting
import Synchronization
import Testing
import TestSupport

/// The one read model the reports share: fed envelopes as they come, it answers with the same
/// reports as a saved stream decoded afterwards.
@Suite("Run query")
struct RunQueryTests {
    static let t0 = Timestamp(seconds: 0, nanos: 0)

    /// A one-pickle run whose steps end with these results.
    static func run(tags: [String] = [], _ results: [TestStepResult]) -> RunQuery {
        var q = RunQuery()
        let steps = results.indices.map { PickleStep(id: "ps\($0)", text: "step \($0)", astNodeIds: []) }
        q.update(.pickle(Pickle(id: "p", uri: "a.feature", location: Location(line: 3, column: 3), name: "case",
                                language: "en", steps: steps, tags: tags.map { PickleTag(name: $0, astNodeId: "") },
                                astNodeIds: [])))
        q.update(.testRunStarted(id: "run", timestamp: t0))
        let testSteps = results.indices.map {
            TestStep(id: "ts\($0)",
                     kind: .pickleStep(pickleStepId: "ps\($0)", stepDefinitionIds: [], argumentLists: []))
        }
        q.update(.testCase(TestCaseMessage(id: "tc", pickleId: "p", testSteps: testSteps, testRunStartedId: "run")))
        q.update(.testCaseStarted(id: "s", testCaseId: "tc", attempt: 0, timestamp: t0))
        for (i, r) in results.enumerated() {
            q.update(.testStepFinished(testCaseStartedId: "s", testStepId: "ts\(i)", result: r, timestamp: t0))
        }
        q.update(.testCaseFinished(testCaseStartedId: "s", willBeRetried: false, timestamp: t0))
        q.update(.testRunFinished(testRunStartedId: "run", success: true, message: nil, exception: nil, timestamp: t0))
        return q
    }

    @Test func mostSevereResultIsTheFirstWithAMessageAmongEquals() {
        let q = Self.run([TestStepResult(status: .passed), TestStepResult(status: .skipped),
                          TestStepResult(status: .skipped, message: "no broker 4"),
                          TestStepResult(status: .skipped, message: "later")])
        #expect(q.mostSevereResult(startedId: "s")?.message == "no broker 4")
        #expect(q.status(startedId: "s") == .skipped)
        let failed = Self.run([TestStepResult(status: .failed), TestStepResult(status: .skipped, message: "x"),
                               TestStepResult(status: .failed, message: "boom")])
        #expect(failed.mostSevereResult(startedId: "s")?.message == "boom")
        #expect(Self.run([]).mostSevereResult(startedId: "s") == nil)
        #expect(Self.run([]).status(startedId: "s") == .passed)
    }

    @Test func aSkippedCaseCarriesItsReasonIntoJUnit() {
        let q = Self.run([TestStepResult(status: .skipped, message: "embedded cluster"),
                          TestStepResult(status: .skipped)])
        #expect(JUnitFormatter().render(q).contains("<skipped>\n<![CDATA[embedded cluster]]>\n</skipped>"))
    }

    @Test func cardTagsAreConfiguration() {
        let q = Self.run(tags: ["@slow", "@TEAM-7"], [TestStepResult(status: .passed)])
        #expect(ReportModel(q).cases.first?.card == nil)
        let team = CardTags(prefixes: ["@TEAM-"], names: [])
        #expect(ReportModel(q, cardTags: team).cases.first?.card == "TEAM-7")
        #expect(HTMLFormatter(cardTags: team).render(q).contains("<tr><th>TEAM-7</th>"))
        #expect(HTMLFormatter().render(q).contains("<tr><th>untagged</th>"))
        #expect(CardTags.studyPlan.card(of: ["@wip", "@KAF-07"]) == "KAF-07")
        #expect(CardTags.studyPlan.card(of: ["@Capstone"]) == "Capstone")
        #expect(CardTags(prefixes: [], names: ["@Smoke"]).card(of: ["@smoke"]) == "smoke")
    }

    static let cck = Paths.sharedFolder("conformance/cck")

    @Test("lineage: rule, scenario, examples and row of a pickle",
          .enabled(if: cck != nil, Comment(rawValue: Paths.missingShared)))
    func lineage() throws {
        func query(_ sample: String) throws -> RunQuery {
            var q = RunQuery()
            let data = try Data(contentsOf: Self.cck!.appendingPathComponent("\(sample)/\(sample).ndjson"))
            try EnvelopeDecoder().decode(stream: data) { q.update($0) }
            return q
        }
        let rules = try query("rules")
        let first = try #require(rules.testCasesStarted.first.flatMap { rules.pickle(startedId: $0.id) })
        let rule = "A sale cannot happen if the customer does not have enough money"
        #expect(rules.lineage(of: first)?.rule?.name == rule)
        #expect(rules.lineage(of: first)?.scenario.name == first.name && rules.lineage(of: first)?.uri == first.uri)
        let outline = try query("examples-tables")
        let row = try #require(outline.testCasesStarted.first.flatMap { outline.pickle(startedId: $0.id) })
        let l = try #require(outline.lineage(of: row))
        #expect(l.rule == nil && l.examplesIndex == 0 && l.exampleIndex == 0)
        #expect(l.examples?.id == l.scenario.examples.first?.id && l.example?.id == l.examples?.tableBody.first?.id)
    }

    @Test("fed as the run goes, the query gives the reports a decoded stream gives",
          .enabled(if: cck != nil, Comment(rawValue: Paths.missingShared)),
          arguments: ["rules", "examples-tables", "hooks", "undefined", "skipped", "data-tables", "doc-strings"])
    func incrementalEqualsDecoded(_ sample: String) async throws {
        let dir = Self.cck!.appendingPathComponent(sample)
        let ids = IdGenerator()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".feature") }
            .sorted().map { name in
                FeatureFile(uri: "samples/\(sample)/\(name)",
                            source: try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8), ids: ids)
            }
        let stream = Mutex<(query: RunQuery, lines: [String])>((RunQuery(), []))
        let runner = Runner(support: ReferenceSteps.support(for: sample), ids: ids) { envelope in
            stream.withLock { $0.query.update(envelope); $0.lines.append(envelope.ndjsonLine) }
        }
        _ = await runner.run(files)
        let (live, lines) = stream.withLock { ($0.query, $0.lines) }
        var decoded = RunQuery()
        try EnvelopeDecoder().decode(stream: Data(lines.joined().utf8)) { decoded.update($0) }
        #expect(HTMLFormatter().render(live) == HTMLFormatter().render(decoded))
        #expect(JUnitFormatter().render(live) == JUnitFormatter().render(decoded))
        #expect(try CucumberJSONFormatter().render(live) == CucumberJSONFormatter().render(decoded))
        #expect(RerunFormatter().render(live) == RerunFormatter().render(decoded))
        #expect(!live.testCasesStarted.isEmpty)
    }
}
