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
        JUnitFormatter().render(try ReportTests.query(name))
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
          arguments: ["all-statuses", "examples-tables", "rules", "attachments", "empty"])
    func jenkinsSchema(_ name: String) throws {
        let xml = try Self.render(name)
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
}
