import Foundation
import Testing

/// The admin steps' negative controls: each fixture scenario claims what a refused or dry-run admin
/// command did not do, and must fail at its last step (the claim is checked on the cluster).
@Suite("Admin claims that must fail", .serialized)
struct AdminMustFailTests {
    static let fixtures = HarnessBehaviourTests.fixtures
    static let cases = fixtures.cases(card: "KAF-00-admin")

    @Test func everyScenarioIsThere() { #expect(Self.cases.count == 15) }

    @Test(arguments: cases)
    func failsAtItsClaim(_ c: AcceptanceCase) async throws {
        let text = try String(contentsOf: AcceptanceSuite.packageRoot.appendingPathComponent(c.uri), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // The scenario's last step: the line before the next blank line or the end.
        var last = c.line
        while last < lines.count, !lines[last].trimmingCharacters(in: .whitespaces).isEmpty { last += 1 }
        let claim = last
        try await withKnownIssue("the fixture claims what the cluster shows false") {
            try await Self.fixtures.run(c)
        } matching: { issue in
            issue.sourceLocation?.line == claim && issue.sourceLocation?.fileName == "admin-must-fail.feature"
        }
    }
}
