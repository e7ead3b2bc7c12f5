@testable import Messages
@testable import Reporting
import Testing

/// Reports list scenarios in scenario order whatever order they ran in, and a scenario still running
/// when the reports were written (an interrupt) is not shown as passed.
@Suite("Reports: scenario order and unfinished cases")
struct ReportOrderTests {
    static func at(_ s: Int64) -> Timestamp { Timestamp(seconds: s, nanos: 0) }

    /// Two one-step cases announced a, b; b started first (as `--timings` schedules the longest first).
    static func run(finishA: Bool) -> RunQuery {
        var q = RunQuery()
        q.update(.testRunStarted(id: "run", timestamp: at(0)))
        for name in ["a", "b"] {
            let steps = [PickleStep(id: "ps-\(name)", text: "step \(name)", astNodeIds: []),
                         PickleStep(id: "ps2-\(name)", text: "then \(name)", astNodeIds: [])]
            q.update(.pickle(Pickle(id: name, uri: "x.feature", location: Location(line: name == "a" ? 2 : 5, column: 3),
                                    name: "\(name)-case", language: "en", steps: steps, tags: [], astNodeIds: [])))
            q.update(.testCase(TestCaseMessage(id: "tc-\(name)", pickleId: name, testSteps: steps.map {
                TestStep(id: "t-\($0.id)", kind: .pickleStep(pickleStepId: $0.id, stepDefinitionIds: [], argumentLists: []))
            }, testRunStartedId: "run")))
        }
        q.update(.testCaseStarted(id: "s-b", testCaseId: "tc-b", attempt: 0, timestamp: at(1)))
        q.update(.testCaseStarted(id: "s-a", testCaseId: "tc-a", attempt: 0, timestamp: at(2)))
        for (started, name) in [("s-b", "b")] + (finishA ? [("s-a", "a")] : []) {
            for step in ["t-ps-\(name)", "t-ps2-\(name)"] {
                q.update(.testStepFinished(testCaseStartedId: started, testStepId: step,
                                           result: TestStepResult(status: finishA ? .failed : .passed),
                                           timestamp: at(3)))
            }
            q.update(.testCaseFinished(testCaseStartedId: started, willBeRetried: false, timestamp: at(3)))
        }
        if !finishA {
            q.update(.testStepFinished(testCaseStartedId: "s-a", testStepId: "t-ps-a",
                                       result: TestStepResult(status: .passed), timestamp: at(3)))
        }
        return q
    }

    @Test func scenarioOrderNotStartOrder() {
        let q = Self.run(finishA: true)
        #expect(q.testCasesStarted.map(\.id) == ["s-a", "s-b"])
        let junit = JUnitFormatter().render(q)
        let html = HTMLFormatter(title: "t").render(q)
        for text in [junit, html] {
            let a = text.range(of: "a-case")?.lowerBound, b = text.range(of: "b-case")?.lowerBound
            #expect(a != nil && b != nil && a! < b!, "a before b")
        }
        #expect(RerunFormatter().render(q).hasPrefix("x.feature:2:5"), "\(RerunFormatter().render(q))")
        #expect(q.status(startedId: "s-a") == .failed)
    }

    @Test func aCaseStillRunningFailsAtItsStepAndSkipsTheRest() {
        var q = Self.run(finishA: false)
        #expect(q.status(startedId: "s-a") == .passed, "what the reports said before")
        q.closeUnfinishedCases(why: "interrupted (Ctrl-C) before this step finished")
        #expect(q.status(startedId: "s-a") == .failed)
        #expect(q.stepResults(startedId: "s-a").map(\.result.status) == [.passed, .failed])
        #expect(q.stepResults(startedId: "s-a").last?.result.message == "interrupted (Ctrl-C) before this step finished")
        #expect(q.testCaseFinished(startedId: "s-a") != nil)
        #expect(q.status(startedId: "s-b") == .passed, "a finished case is left alone")
        q.closeUnfinishedCases(why: "again")
        #expect(q.stepResults(startedId: "s-a").count == 2, "closing twice changes nothing")
    }
}
