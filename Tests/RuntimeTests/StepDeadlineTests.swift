import Foundation
@testable import Runtime
import Testing

/// A step that states its own deadline ("within 90 seconds") gets a limit above it, so its own message —
/// what it saw by then — is what the report shows; one that overruns its stated deadline is blamed for it.
@Suite("Step limits follow the step")
struct StepDeadlineTests {
    @Test func aStepWithALongerDeadlineThanTheRunsLimitIsNotAbandoned() async {
        var options = RunOptions()
        options.stepTimeout = .seconds(1)
        let feature = "Feature: F\n  Scenario: S\n    Then within 3 seconds it is done\n"
        let (summary, _) = await RunnerTests().run(feature, options: options) { s in
            s.then("within {int} seconds it is done", deadline: .seconds(argument: 0)) { _ in
                try await Task.sleep(for: .milliseconds(1500)) // longer than the run's limit, inside its own
            }
        }
        #expect(summary.success, "\(summary.outcomes.first?.decisive?.result.message ?? "")")
    }

    @Test func withoutADeadlineTheRunsLimitHolds() async {
        var options = RunOptions()
        options.stepTimeout = .seconds(1)
        let feature = "Feature: F\n  Scenario: S\n    Then it is done in 3 seconds\n"
        let (summary, _) = await RunnerTests().run(feature, options: options) { s in
            s.then("it is done in {int} seconds") { _ in try await Task.sleep(for: .milliseconds(1500)) }
        }
        #expect(!summary.success)
        #expect(summary.outcomes[0].decisive?.result.message?.contains("time limit of 1 s") == true)
    }

    @Test func theLimitLeavesTimeToReportAndTheMessageBlamesTheStep() {
        #expect(StepDeadline.limit(own: .seconds(90), run: .seconds(60)) == .seconds(112.5))
        #expect(StepDeadline.limit(own: .seconds(30), run: .seconds(60)) == .seconds(60))
        #expect(StepDeadline.limit(own: .seconds(60), run: .seconds(60)) == .seconds(75))
        let overran = TimeLimitExceeded(limit: .seconds(75), what: "step 'x'", own: .seconds(60))
        #expect(overran.description.contains("did not keep its own deadline of 60 s"))
        #expect(!overran.description.contains("--step-timeout"), "raising the run's limit would not help")
        let plain = TimeLimitExceeded(limit: .seconds(60), what: "step 'x'")
        #expect(plain.description.contains("raise the limit with --step-timeout"))
    }

    @Test func aStepsDeadlineIsReadFromItsArgument() throws {
        var s = SupportCode()
        s.then("within {int} seconds it is done", deadline: .seconds(argument: 0)) { _ in }
        let definition = try #require(s.stepDefinitions.first)
        let match = try #require(definition.expression.match("within 90 seconds it is done"))
        #expect(definition.deadline?.duration(match) == .seconds(90))
    }
}
