import Foundation
@testable import Messages
@testable import Gherkin
@testable import Runtime
@testable import Reporting
import Synchronization
import Testing

/// A failed scenario's `<failure>` from a stream the runner makes here: the golden tests that check it
/// too need ../shared, which a user's clone does not have.
@Suite("JUnit XML of a run made here")
struct JUnitFailureTests {
    static func query(_ feature: String, _ define: (inout SupportCode) -> Void) async -> RunQuery {
        var support = SupportCode()
        define(&support)
        let envelopes = Mutex<[Envelope]>([])
        let ids = IdGenerator()
        let file = FeatureFile(uri: "features/orders.feature", source: feature, ids: ids)
        _ = await Runner(support: support, options: RunOptions(), ids: ids,
                         emit: { e in envelopes.withLock { $0.append(e) } }).run([file])
        var q = RunQuery()
        for e in envelopes.withLock({ $0 }) { q.update(e) }
        return q
    }

    static let feature = """
        Feature: Orders
          Scenario: every order arrives
            Given 3 orders were sent
            Then every order arrives
          Scenario: nothing is lost
            Given 3 orders were sent
        """

    @Test(arguments: [false, true])
    func aFailedScenarioIsAFailureCarryingItsMessage(reference: Bool) async throws {
        let q = await Self.query(Self.feature) { s in
            s.given("{int} orders were sent") { _ in }
            s.then("every order arrives") { _ in throw StepFailure("2 of 3 orders never arrived, e.g. [3]") }
        }
        let xml = JUnitFormatter(reference: reference).render(q)
        #expect(xml.contains(#"tests="2" skipped="0" failures="1""#), "\(xml)")
        let failed = try #require(xml.range(of: #"<testcase classname="Orders" name="every order arrives""#),
                                  "\(xml)")
        let passed = try #require(xml.range(of: #"<testcase classname="Orders" name="nothing is lost""#))
        let failedCase = xml[failed.lowerBound..<passed.lowerBound]
        #expect(failedCase.contains("<failure"), "\(failedCase)")
        #expect(failedCase.contains("2 of 3 orders never arrived, e.g. [3]"), "\(failedCase)")
        #expect(!xml[passed.lowerBound...].contains("<failure"), "the passing scenario: \(xml)")
    }
}
