import Foundation
@testable import Messages
@testable import Gherkin
@testable import Expressions
@testable import Runtime
@testable import Reporting
@testable import KafkaClient
@testable import Cluster
@testable import Verification
import Testing

/// The human-readable reports carry what their readers need.
@Suite("HTML, Cucumber JSON and rerun reports")
struct ReportTests {
    static let dir = Paths.sharedFolder("conformance/junit/cucumber-junit-xml-formatter-testdata")

    static func query(_ name: String) throws -> RunQuery {
        var q = RunQuery()
        let data = try Data(contentsOf: dir!.appendingPathComponent("\(name).ndjson"))
        try EnvelopeDecoder().decode(stream: data) { q.update($0) }
        return q
    }

    @Test("HTML has the summary, the matrix, every scenario's steps and the errors",
          .enabled(if: dir != nil, Comment(rawValue: Paths.missingShared)))
    func html() throws {
        let html = HTMLFormatter().render(try Self.query("all-statuses"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains(#"<section id="summary">"#))
        #expect(html.contains(#"<section id="matrix">"#))
        #expect(html.contains(#"<ol class="steps">"#))
        #expect(html.contains("a failing step"))
        #expect(html.contains("whoops"), "the failure message is shown")
        #expect(html.contains(#"<p id="verdict" class="verdict failed">"#))
        #expect(!html.contains("<script"), "self-contained and script-free")
        #expect(!html.contains("http://") && !html.contains("https://"), "no network resources")
    }

    @Test func markdownTablesAndChartsBecomeHTML() {
        let f = HTMLFormatter()
        #expect(HTMLFormatter.markdownTable("| a | b |\n| --- | --- |\n| 1 | 2 |") == [["a", "b"], ["1", "2"]])
        #expect(HTMLFormatter.markdownTable("not a table") == nil)
        let svg = f.attachment(Attachment(body: "<svg onload=\"x()\"><script>x()</script><rect/></svg>",
                                          contentEncoding: .identity, mediaType: "image/svg+xml"))
        #expect(svg.contains("<rect/>") && !svg.contains("script") && !svg.contains("onload"))
        #expect(f.esc("<a & \"b\">") == "&lt;a &amp; &quot;b&quot;&gt;")
    }

    @Test("Cucumber JSON and rerun", .enabled(if: dir != nil, Comment(rawValue: Paths.missingShared)))
    func jsonAndRerun() throws {
        let q = try Self.query("all-statuses")
        let json = try CucumberJSONFormatter().render(q)
        let features = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(features.count == 1)
        #expect((features[0]["elements"] as? [Any])?.count == 6)
        let rerun = RerunFormatter().render(q)
        #expect(rerun.hasPrefix("samples/all-statuses/all-statuses.feature:"))
        #expect(rerun.split(separator: ":").count == 5, "failing, pending, undefined and ambiguous scenarios: \(rerun)")
    }

    @Test("Cucumber JSON validates against cucumber-js's schema", .enabled(if: dir != nil, Comment(rawValue: Paths.missingShared)))
    func jsonSchema() throws {
        let json = try CucumberJSONFormatter().render(try Self.query("examples-tables"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bdd-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = "import json,sys,jsonschema; jsonschema.Draft7Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2]))); print('ok')"
        guard let r = try ExternalTool.python(["-c", script, Paths.shared.appendingPathComponent("conformance/cucumber-json/cucumber-js.json").path, file.path])
        else { return }
        #expect(r.status == 0, "\(r.output)")
    }
}
