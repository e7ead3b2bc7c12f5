import Foundation
import Testing

/// The acceptance harness itself: a failure lands on the feature file's line.
@Suite("Acceptance harness", .serialized)
struct HarnessBehaviourTests {
    static let fixtures = AcceptanceSuite(folder: AcceptanceSuite.packageRoot.appendingPathComponent("Tests/AcceptanceTests/Fixtures"))

    @Test func aFailingScenarioIsReportedAtItsFeatureLine() async throws {
        let cases = Self.fixtures.cases(card: "KAF-00")
        #expect(cases.count == 1)
        #expect(cases[0].testDescription == "KAF-00 · a partition count that does not hold (Tests/AcceptanceTests/Fixtures/failing.feature:5)")
        try await withKnownIssue("the fixture fails on purpose") {
            try await Self.fixtures.run(cases[0])
        } matching: { issue in
            issue.sourceLocation?.line == 8 && issue.sourceLocation?.fileName == "failing.feature"
                && "\(issue)".contains("leaders of")
        }
    }
}
