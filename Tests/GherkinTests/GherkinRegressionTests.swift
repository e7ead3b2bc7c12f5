import Foundation
import Messages
import Gherkin
import Testing
import TestSupport

/// Shapes found in real-world feature files where we once differed from the official parser. Each
/// fixture's expected output was written by the official Python parser (scripts/gherkin_expected.py)
/// and is compared the way the cucumber/gherkin testdata is.
@Suite("Gherkin regression fixtures (expected output from the official parser)")
struct GherkinRegressionTests {
    static let fixtures = Paths.packageRoot.appendingPathComponent("Tests/GherkinTests/Fixtures")

    static func cases(_ folder: String) -> [String] {
        let dir = fixtures.appendingPathComponent(folder).path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".feature") }.sorted()
    }

    static func path(_ folder: String, _ name: String) -> String {
        fixtures.appendingPathComponent(folder).appendingPathComponent(name).path
    }

    @Test func fixturesArePresent() {
        #expect(Self.cases("good").count >= 1)
        #expect(Self.cases("bad").count >= 3)
    }

    @Test("good fixture parses to the reference AST and pickles", arguments: cases("good"))
    func good(_ name: String) throws {
        try GherkinConformanceTests.expectReferenceOutput(goodFile: Self.path("good", name))
        try GherkinConformanceTests.expectReferenceProvenance(goodFile: Self.path("good", name))
    }

    @Test("bad fixture gives the reference errors, verbatim", arguments: cases("bad"))
    func bad(_ name: String) throws {
        try GherkinConformanceTests.expectReferenceErrors(badFile: Self.path("bad", name))
    }
}
