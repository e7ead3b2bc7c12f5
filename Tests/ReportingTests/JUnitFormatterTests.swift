import Foundation
@testable import Messages
@testable import Gherkin
@testable import Expressions
@testable import Runtime
@testable import Reporting
import Testing
import TestSupport

/// cucumber/junit-xml-formatter's golden files: each message stream must render to its
/// `.default.xml`, equal once white space and timestamps are normalised.
@Suite("JUnit XML (cucumber/junit-xml-formatter testdata)")
struct JUnitFormatterTests {
    static let dir = Paths.sharedFolder("conformance/junit/cucumber-junit-xml-formatter-testdata")

    static var cases: [String] {
        guard let dir, let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { $0.hasSuffix(".default.xml") }.map { String($0.dropLast(".default.xml".count)) }.sorted()
    }

    static func normalized(_ xml: String) -> String {
        xml.replacingOccurrences(of: #" timestamp="[^"]*""#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #">\s+<"#, with: "><", options: .regularExpression)
            .replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func render(_ name: String) throws -> String {
        JUnitFormatter(reference: true).render(try ReportTests.query(name))
    }

    @Test("stream renders to the golden JUnit XML", .enabled(if: dir != nil, Comment(rawValue: Paths.missingShared)), arguments: cases)
    func golden(_ name: String) throws {
        let expected = try String(contentsOf: Self.dir!.appendingPathComponent("\(name).default.xml"), encoding: .utf8)
        let actual = try Self.render(name)
        let e = Self.normalized(expected), a = Self.normalized(actual)
        if e != a {
            let i = zip(e, a).prefix { $0 == $1 }.count
            Issue.record("differs at \(i):\nexpected …\(e.dropFirst(max(0, i - 80)).prefix(240))\nactual   …\(a.dropFirst(max(0, i - 80)).prefix(240))")
        }
    }

    @Test("our JUnit validates against the Jenkins XSD (xmllint)", .enabled(if: dir != nil, Comment(rawValue: Paths.missingShared)),
          arguments: ["all-statuses", "examples-tables", "rules", "attachments", "empty", "undefined", "parse-error"])
    func jenkinsSchema(_ name: String) throws {
        let q = name == "parse-error" ? Self.withParseError() : try ReportTests.query(name)
        let xml = JUnitFormatter().render(q)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bdd-junit-\(UUID().uuidString).xml")
        try Data(xml.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r: (status: Int32, output: String)
        do {
            r = try ExternalTool.run(["xmllint", "--noout", "--schema", Paths.shared.appendingPathComponent("conformance/junit/jenkins-junit.xsd").path, file.path])
        } catch {
            withKnownIssue("xmllint could not be run (apt-get install libxml2-utils)") { throw error }
            return
        }
        #expect(r.status == 0, "\(r.output)")
    }

    static func withParseError() -> RunQuery {
        var q = RunQuery()
        let error = ParseError(message: "expected: #Step, got 'Givn x'", location: Location(line: 3, column: 5))
        q.update(.parseError(SourcedParseError(uri: "features/broken.feature", error: error)))
        return q
    }

    @Test("a feature file that does not parse is an errored test case")
    func parseErrorIsAnErroredCase() {
        let xml = JUnitFormatter().render(Self.withParseError())
        #expect(xml.contains(#"tests="1" skipped="0" failures="0" errors="1""#), "\(xml)")
        #expect(xml.contains(#"<error type="ParseError" message="expected: #Step, got 'Givn x'">"#), "\(xml)")
        #expect(xml.contains("features/broken.feature:3:5: "), "\(xml)")
    }

    @Test("an undefined step fails with a message, its file:line and the snippet",
          .enabled(if: dir != nil, Comment(rawValue: Paths.missingShared)))
    func undefinedCarriesSnippet() throws {
        let xml = JUnitFormatter().render(try ReportTests.query("undefined"))
        #expect(!xml.contains("<failure/>"), "\(xml)")
        let failure = #"<failure type="Undefined" message="Undefined step: Given a step that is yet to be defined">"#
        #expect(xml.contains(failure))
        #expect(xml.contains("samples/undefined/undefined.feature:"), "the failing step's file:line")
        #expect(xml.contains("Implement it with:"), "the snippet")
    }

    @Test("a skipped case carries its reason", .enabled(if: dir != nil, Comment(rawValue: Paths.missingShared)))
    func skippedReason() throws {
        let xml = JUnitFormatter().render(try ReportTests.query("skipped-exception"))
        #expect(xml.contains("<skipped>") && xml.contains("SkippedException: skipping"), "\(xml)")
    }

    @Test("the file attribute is opt-in (the Jenkins XSD forbids it)",
          .enabled(if: dir != nil, Comment(rawValue: Paths.missingShared)))
    func fileAttribute() throws {
        let q = try ReportTests.query("minimal")
        #expect(!JUnitFormatter().render(q).contains(" file=\""))
        #expect(JUnitFormatter(fileAttribute: true).render(q).contains(#" file="samples/minimal/minimal.feature""#))
    }

    @Test func timesAreNeverInExponentForm() {
        #expect(JUnitFormatter.number(8.4716796875e-05) == "0.000085")
        #expect(JUnitFormatter.number(0.007) == "0.007")
        #expect(JUnitFormatter.number(1) == "1")
        #expect(JUnitFormatter.number(1e-9) == "0")
        #expect(JUnitFormatter.number(12.5) == "12.5")
    }
}
