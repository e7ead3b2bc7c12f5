import Foundation

/// How late the harness itself ran while a drill measured time: each sample is how much longer than
/// asked a short sleep took (milliseconds), on a thread of its own and on the concurrency pool, as
/// jHiccup measures a JVM. On a quiet machine a few milliseconds; on a starved one, hundreds.
public struct SchedulingDelay: Sendable, Equatable {
    public var samples: [Double]

    public init(samples: [Double]) { self.samples = samples }

    public var max: Double { samples.max() ?? 0 }
    public var p99: Double { Percentile.of(samples, 99) }
    public var description: String {
        "at most \(Self.ms(max)) (p99 \(Self.ms(p99)), \(samples.count) samples)"
    }

    /// Tenths below 10 ms: a miss of 0.4 ms is not "0 ms".
    static func ms(_ value: Double) -> String { String(format: value < 10 ? "%.1f ms" : "%.0f ms", value) }
}

/// A timing claim judged with the harness's own delay in view: a measurement that missed its bound by
/// no more than the harness was held up while taking it may be the machine's doing, not the cluster's,
/// so it is neither a pass nor a failure but inconclusive. A miss larger than any delay still fails;
/// a claim that held, holds (a delay only makes latencies longer and samples later).
public enum TimedJudgement: Sendable, Equatable {
    case holds
    case fails(String)
    case inconclusive(String)

    /// `excess`: how far past its bound the measurement is, in milliseconds (positive when it missed),
    /// for each timing objective the verdict judged; a verdict that failed for any other reason (records
    /// unmeasured, a partition offline) fails whatever the delay.
    public static func judge(
        _ verdict: Verdict, claim: String, excess: [Double], otherProblems: Bool,
        delay: SchedulingDelay?
    ) -> TimedJudgement {
        guard !verdict.holds else { return .holds }
        let missedBy = excess.filter { $0 > 0 }.max() ?? 0
        guard !otherProblems, missedBy > 0, let delay, !delay.samples.isEmpty, delay.max >= missedBy else {
            return .fails(verdict.description)
        }
        return .inconclusive(
            "inconclusive: \(claim) missed its bound by \(SchedulingDelay.ms(missedBy)) "
                + "while the harness itself was held up by \(delay.description) during the measurement; "
                + "the machine was too busy to tell (\(verdict.description))")
    }
}
