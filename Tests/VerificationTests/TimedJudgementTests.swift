import Testing
import Verification

/// A timing claim that missed by no more than the harness itself was held up is inconclusive; every
/// other miss still fails, and a claim that held is not touched.
@Suite("Timing claims weighed against the harness's own delay")
struct TimedJudgementTests {
    let missed = Verdict.fails("commit-to-sink p99 (ms) is 1260.9, over the objective of 1000")

    @Test func aMissTheHarnessDelayExplainsIsInconclusive() {
        let j = TimedJudgement.judge(missed, claim: "commit-to-sink p99", excess: [260.9], otherProblems: false,
                                     delay: SchedulingDelay(samples: [1, 2, 300]))
        guard case .inconclusive(let message) = j else { Issue.record("expected inconclusive, got \(j)"); return }
        #expect(message.contains("missed its bound by 261 ms"))
        #expect(message.contains("held up by at most 300 ms"))
        #expect(message.contains("1260.9"))
    }

    /// Under 10 ms in tenths: "missed by 0 ms while held up 0 ms" contradicted itself (a new user's trial).
    @Test func smallMissesAndDelaysKeepTheirTenths() {
        let j = TimedJudgement.judge(.fails("red"), claim: "the probe's p95", excess: [0.4], otherProblems: false,
                                     delay: SchedulingDelay(samples: [0.2, 0.6]))
        guard case .inconclusive(let message) = j else { Issue.record("expected inconclusive, got \(j)"); return }
        #expect(message.contains("missed its bound by 0.4 ms"), "\(message)")
        #expect(message.contains("held up by at most 0.6 ms"), "\(message)")
    }

    @Test func aMissLargerThanTheDelayFails() {
        let j = TimedJudgement.judge(missed, claim: "p99", excess: [260.9], otherProblems: false,
                                     delay: SchedulingDelay(samples: [1, 2, 260]))
        #expect(j == .fails(missed.description))
    }

    @Test func otherProblemsFailWhateverTheDelay() {
        let j = TimedJudgement.judge(missed, claim: "p99", excess: [10], otherProblems: true,
                                     delay: SchedulingDelay(samples: [5000]))
        #expect(j == .fails(missed.description))
    }

    @Test func withoutAMeasuredDelayAMissFails() {
        #expect(TimedJudgement.judge(missed, claim: "p99", excess: [10], otherProblems: false, delay: nil)
            == .fails(missed.description))
        #expect(TimedJudgement.judge(missed, claim: "p99", excess: [10], otherProblems: false,
                                     delay: SchedulingDelay(samples: [])) == .fails(missed.description))
    }

    @Test func aVerdictThatFailedWithNoTimingMissFails() {
        // The exact p99 met its bound, the alert rule's coarse quantile did not: no miss to explain.
        let j = TimedJudgement.judge(missed, claim: "p99", excess: [-20], otherProblems: false,
                                     delay: SchedulingDelay(samples: [5000]))
        #expect(j == .fails(missed.description))
    }

    @Test func theLargestMissMustBeExplained() {
        let j = TimedJudgement.judge(missed, claim: "lag", excess: [50, 400], otherProblems: false,
                                     delay: SchedulingDelay(samples: [100]))
        #expect(j == .fails(missed.description))
    }

    @Test func aClaimThatHeldHolds() {
        #expect(TimedJudgement.judge(Verdict(), claim: "p99", excess: [-5], otherProblems: false,
                                     delay: SchedulingDelay(samples: [5000])) == .holds)
    }
}
