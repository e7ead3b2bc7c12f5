/// A consumer-lag alert evaluated the way Prometheus evaluates a rule with `for:`: the condition
/// (lag above the threshold) must hold continuously for `holdFor` before the alert fires, and the
/// alert resolves at the first evaluation where the condition no longer holds.
public struct LagAlertRule: Sendable, Equatable {
    public enum State: String, Sendable { case inactive, pending, firing }
    public struct Transition: Sendable, Equatable {
        public let seconds: Double
        public let state: State
        public let lag: Int64
    }

    public let threshold: Int64
    public let holdFor: Double

    public init(threshold: Int64, holdFor seconds: Double) {
        self.threshold = threshold
        self.holdFor = seconds
    }

    /// The alert's state changes over time-ordered lag samples.
    public func evaluate(_ samples: [(seconds: Double, lag: Int64)]) -> [Transition] {
        var state = State.inactive
        var since = 0.0
        var out: [Transition] = []
        for (t, lag) in samples {
            let next: State
            if lag > threshold {
                if state == .inactive { since = t }
                next = t - since >= holdFor ? .firing : .pending
            } else {
                next = .inactive
            }
            if next != state { out.append(Transition(seconds: t, state: next, lag: lag)) }
            state = next
        }
        return out
    }

    /// The intervals during which the alert was firing (the last may be open: `to` is nil).
    public func firing(_ samples: [(seconds: Double, lag: Int64)]) -> [(from: Double, to: Double?)] {
        var spans: [(from: Double, to: Double?)] = []
        for t in evaluate(samples) {
            if t.state == .firing { spans.append((t.seconds, nil)) } else if let last = spans.last, last.to == nil { spans[spans.count - 1].to = t.seconds }
        }
        return spans
    }
}

/// A service-level objective measured in a run.
public struct SLOCheck: Sendable, Equatable {
    public let objective: String
    public let measured: Double
    public let limit: Double
    public var met: Bool { measured <= limit }

    public init(objective: String, measured: Double, limit: Double) {
        self.objective = objective
        self.measured = measured
        self.limit = limit
    }
}

public enum Percentile {
    /// The nearest-rank percentile (0 for no values).
    public static func of(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
