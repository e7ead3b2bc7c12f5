import Messages
import Reporting
import Testing

/// `run --parallel N --timings FILE`: durations read from an earlier run's stream start the longest first.
@Suite("Scenario timings from an earlier run")
struct ScenarioTimingsTests {
    static func at(_ s: Int64, _ nanos: Int32 = 0) -> Timestamp { Timestamp(seconds: s, nanos: nanos) }

    static func stream(_ runs: [(pickle: String, line: Int, from: Timestamp, to: Timestamp?)]) -> [Envelope] {
        var out: [Envelope] = []
        for (i, r) in runs.enumerated() {
            out.append(.pickle(Pickle(id: r.pickle, uri: "f.feature", location: Location(line: r.line, column: 3),
                                      name: r.pickle, language: "en", steps: [], tags: [], astNodeIds: [])))
            out.append(.testCase(TestCaseMessage(id: "tc\(i)", pickleId: r.pickle, testSteps: [],
                                                 testRunStartedId: "run")))
            out.append(.testCaseStarted(id: "s\(i)", testCaseId: "tc\(i)", attempt: 0, timestamp: r.from))
            if let to = r.to {
                out.append(.testCaseFinished(testCaseStartedId: "s\(i)", willBeRetried: false, timestamp: to))
            }
        }
        return out
    }

    @Test func durationsByLocation() {
        let t = ScenarioTimings.read(Self.stream([("a", 3, Self.at(10), Self.at(12, 500_000_000)),
                                                  ("b", 9, Self.at(10), Self.at(11)),
                                                  ("c", 15, Self.at(10), nil)]))
        #expect(t == ["f.feature:3": 2.5, "f.feature:9": 1.0])
    }

    @Test func unknownFirstThenLongestFirstTiesInOrder() {
        let timings = ["f:1": 1.0, "f:2": 9.0, "f:3": 1.0, "f:4": 5.0]
        let order = ScenarioTimings.order(["f:1", "f:2", "f:3", "f:4", "f:5"], timings: timings) { $0 }
        #expect(order == ["f:5", "f:2", "f:4", "f:1", "f:3"])
    }

    @Test func withoutTimingsTheOrderIsKept() {
        #expect(ScenarioTimings.order(["b", "a"], timings: [:]) { $0 } == ["b", "a"])
    }
}
