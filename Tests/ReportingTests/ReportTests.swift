import Foundation
@testable import Messages
@testable import Gherkin
@testable import Expressions
@testable import Runtime
@testable import Reporting
import Testing
import TestSupport

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
        #expect(svg.contains(#"<img alt="attachment" src="data:image/svg+xml;base64,"#), "\(svg)")
        #expect(!svg.contains("<svg") && !svg.contains("script") && !svg.contains("onload"))
        #expect(f.esc("<a & \"b\">") == "&lt;a &amp; &quot;b&quot;&gt;")
    }

    static let hostile = Paths.packageRoot.appendingPathComponent("scripts/fixtures/hostile.ndjson")

    @Test("a hostile stream renders to markup with no script, handler, inline SVG or javascript: link")
    func hostileStream() throws {
        var q = RunQuery()
        try EnvelopeDecoder().decode(stream: try Data(contentsOf: Self.hostile)) { q.update($0) }
        let html = HTMLFormatter().render(q)
        #expect(html.contains("PWNED"), "the fixture's payload is in the report, as text")
        #expect(html.contains(#"content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">"#))
        let lower = html.lowercased()
        for active in ["<script", "<svg", "<iframe", "<object", "<embed", "=\"javascript:"] {
            #expect(!lower.contains(active), "\(active)")
        }
        // Attribute values are quoted and escaped; a handler would be an attribute of its own.
        let tags = html.replacing(try Regex(#"="[^"]*""#), with: "=\"\"")
        let handler = try Regex(#"<[a-zA-Z][^<>]*\son[a-z]+\s*="#)
        #expect(tags.firstMatch(of: handler) == nil)
        let dataTypes = html.matches(of: try Regex(#"(?:src|href)="data:([^;,"]*)"#))
            .compactMap { $0.output[1].substring.map(String.init) }
        let allowed: Set = ["image/png", "image/svg+xml", "application/octet-stream"]
        #expect(Set(dataTypes).isSubset(of: allowed), "\(Set(dataTypes))")
    }

    /// WCAG 2 contrast of white badge text on each status colour, and of that colour as text on white.
    @Test func statusColoursHaveContrast() throws {
        func luminance(_ hex: Substring) -> Double {
            let v = Int(hex, radix: 16)!
            let channels: [Int] = [v >> 16, (v >> 8) & 0xFF, v & 0xFF]
            let c: [Double] = channels.map { (byte: Int) -> Double in
                let x = Double(byte) / 255
                return x <= 0.03928 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4)
            }
            let r: Double = 0.2126 * c[0], g: Double = 0.7152 * c[1], b: Double = 0.0722 * c[2]
            return r + g + b
        }
        let colours = HTMLFormatter.css.matches(of: try Regex(#"--c:#([0-9a-f]{6})"#))
            .compactMap { $0.output[1].substring }
        #expect(colours.count == 7)
        for c in colours { #expect((1.05 / (luminance(c) + 0.05)) >= 4.5, "#\(c)") }
    }

    @Test func descriptionsAreASafeMarkdownSubset() {
        let source = "Some *emphasis*, **strong** and `code` with [a link](http://x).\n\n- one\n- <b>two</b>"
        let h = HTMLFormatter.markdown(source)
        #expect(h == "<div class=\"description\"><p>Some <em>emphasis</em>, <strong>strong</strong> and "
            + "<code>code</code> with a link.</p><ul><li>one</li><li>&lt;b&gt;two&lt;/b&gt;</li></ul></div>")
    }

    @Test("statuses are told by icon and text, scenarios collapse, and failing steps give their file:line",
          .enabled(if: dir != nil, Comment(rawValue: Paths.missingShared)))
    func statusesNotByColourAlone() throws {
        let html = HTMLFormatter().render(try Self.query("all-statuses"))
        for (icon, name) in [("✔", "passed"), ("✘", "failed"), ("↷", "skipped"), ("?", "undefined")] {
            #expect(html.contains(#"<span class="badge \#(name)">\#(icon) \#(name)</span>"#), "\(name)")
        }
        #expect(html.contains("<details open><summary>") && html.contains("<details><summary>"))
        #expect(html.contains(#"<span class="at">samples/all-statuses/all-statuses.feature:13</span>"#))
        #expect(html.contains(##"<a href="#only-failed">"##) && html.contains(#"<i id="only-failed""#))
        #expect(html.contains("<dt>started</dt>") && html.contains("<dt>duration</dt>"))
        let withCI = HTMLFormatter().render(try Self.query("attachments"))
        #expect(withCI.contains("<dt>commit</dt><dd>99684bcacf01d95875834d87903dcb072306c9ad · main</dd>"))
        let outline = HTMLFormatter().render(try Self.query("examples-tables"))
        #expect(outline.contains(#"<span class="row">"#), "outline rows are indicated")
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
