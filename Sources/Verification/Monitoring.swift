import Foundation

/// A consumer group's lag, in records, some seconds into a drill.
public struct LagSample: Sendable, Equatable {
    public var seconds: Double
    public var lag: Int64
    /// Partitions whose committed offset was beyond their log end when sampled, with that (negative) lag.
    public var negative: [Int32: Int64]

    public init(seconds: Double, lag: Int64, negative: [Int32: Int64] = [:]) {
        self.seconds = seconds
        self.lag = lag
        self.negative = negative
    }
}

extension Plausibility {
    /// Lag samples a real Kafka could give: no partition's and no total lag below zero.
    public static func lagSamples(_ samples: [LagSample], group: String) -> Verdict {
        var found: [(label: String, lag: Int64)] = []
        for s in samples {
            let at = String(format: "%.1f s", s.seconds)
            found += s.negative.sorted { $0.key < $1.key }.map {
                ("group \(group) partition \($0.key) at \(at)", $0.value)
            }
            if s.lag < 0 { found.append(("group \(group) at \(at)", s.lag)) }
        }
        let verdict = lags(Array(found.prefix(5)))
        return verdict.holds ? verdict : Verdict(verdict.problems, context: "the cluster's offsets are not plausible")
    }
}

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
    public func evaluate(_ samples: [LagSample]) -> [Transition] {
        var state = State.inactive
        var since = 0.0
        var out: [Transition] = []
        for s in samples {
            let next: State
            if s.lag > threshold {
                if state == .inactive { since = s.seconds }
                next = s.seconds - since >= holdFor ? .firing : .pending
            } else {
                next = .inactive
            }
            if next != state { out.append(Transition(seconds: s.seconds, state: next, lag: s.lag)) }
            state = next
        }
        return out
    }

    /// The intervals during which the alert was firing (the last may be open: `to` is nil).
    public func firing(_ samples: [LagSample]) -> [(from: Double, to: Double?)] {
        var spans: [(from: Double, to: Double?)] = []
        for t in evaluate(samples) {
            if t.state == .firing {
                spans.append((t.seconds, nil))
            } else if let last = spans.last, last.to == nil {
                spans[spans.count - 1].to = t.seconds
            }
        }
        return spans
    }

    /// Fired while the consumer stalled and resolved after it caught up: not before the stall, no
    /// later than the hold time (and a second of sampling) after it ended, and not still at the end.
    public func firedDuringStallAndResolved(_ history: StallHistory, group: String = "") -> Verdict {
        let plausible = Plausibility.lagSamples(history.lag, group: group)
        guard plausible.holds else { return plausible }
        let firing = firing(history.lag)
        guard let first = firing.first else {
            return .fails("the alert never fired: the highest lag was \(history.lag.map(\.lag).max() ?? 0) records")
        }
        if first.from < history.stallFrom {
            return .fails(
                String(
                    format: "the alert fired at %.1f s, before the consumer stalled at %.1f s",
                    first.from, history.stallFrom))
        }
        if first.from > history.stallTo + holdFor + 1 {
            return .fails(
                String(
                    format: "the alert fired only at %.1f s, after the stall ended at %.1f s",
                    first.from, history.stallTo))
        }
        if let open = firing.last, open.to == nil {
            return .fails(
                String(
                    format: "the alert was still firing at the end (%.1f s): the consumer never caught up",
                    history.lag.last?.seconds ?? 0))
        }
        return Verdict()
    }
}

/// What a lag-alert drill saw: the group's lag over time, and when its consumer stopped polling.
public struct StallHistory: Sendable, Equatable {
    public var lag: [LagSample]
    public var stallFrom: Double
    public var stallTo: Double

    public init(lag: [LagSample] = [], stallFrom: Double = 0, stallTo: Double = 0) {
        self.lag = lag
        self.stallFrom = stallFrom
        self.stallTo = stallTo
    }
}

/// A metric exported per partition: the partitions of a topic it has no sample for.
public enum PartitionCoverage {
    public static func verdict(metric: String, topic: String, partitions: Int32, covered: Set<Int32>) -> Verdict {
        let missing = Set(0..<partitions).subtracting(covered).sorted()
        return missing.isEmpty ? Verdict() : .fails("no \(metric) for partitions \(missing) of \(topic)")
    }
}

/// An exported per-partition lag gauge against the lag measured on the cluster during a stall: the
/// group's committed offset (it cannot move while the consumer does not poll) and the partition's high
/// watermark a while before the gauge's sample and after it. The gauge is high watermark minus committed
/// at some moment between, so it lies between the two lags.
public enum LagGauge {
    public struct Measured: Sendable, Equatable {
        public var committed: Int64
        public var highBefore: Int64
        public var highAfter: Int64
        public init(committed: Int64, highBefore: Int64, highAfter: Int64) {
            self.committed = committed
            self.highBefore = highBefore
            self.highAfter = highAfter
        }
        public var range: ClosedRange<Int64> { highBefore - committed...max(highBefore, highAfter) - committed }
    }

    public static func verdict(
        metric: String, topic: String, partitions: Int32, exported: [Int32: Double],
        measured: [Int32: Measured]
    ) -> Verdict {
        var problems = PartitionCoverage.verdict(
            metric: metric, topic: topic, partitions: partitions,
            covered: Set(exported.keys)
        ).problems
        for p in 0..<partitions {
            guard let gauge = exported[p] else { continue }
            guard let m = measured[p] else {
                problems.append("partition \(p): no lag was measured on the cluster to compare \(metric) with")
                continue
            }
            if !gauge.isFinite || gauge != gauge.rounded() || !m.range.contains(Int64(gauge)) {
                problems.append(
                    "partition \(p): \(metric) is \(gauge), the cluster's lag was \(m.range.lowerBound)"
                        + "…\(m.range.upperBound) (committed \(m.committed), high watermark "
                        + "\(m.highBefore)…\(m.highAfter))")
            }
        }
        if problems.isEmpty, !measured.values.contains(where: { $0.range.lowerBound > 0 }) {
            problems.append("the cluster measured no lag on any partition of \(topic): a gauge stuck at 0 would pass")
        }
        return Verdict(problems, context: "\(exported.count) partitions exported, \(measured.count) measured")
    }
}

/// Heartbeat round trips in milliseconds; nil for a probe that never came back.
public struct HeartbeatProbes: Sendable, Equatable {
    public var roundTrips: [Double?]

    public init(roundTrips: [Double?]) { self.roundTrips = roundTrips }

    public var failed: Int { roundTrips.count { $0 == nil } }
    public var p95: Double { Percentile.of(roundTrips.compactMap { $0 }, 95) }

    /// Green: every probe came back within `timeout` seconds, and the p95 round trip is under the bound.
    public func green(p95Under bound: Double, timeout: Int) -> Verdict {
        if failed > 0 {
            return .fails("red: \(failed) of \(roundTrips.count) probes never came back within \(timeout) s")
        }
        if p95 >= bound {
            return .fails(String(format: "red: p95 round trip %.1f ms, the bound is %.0f ms", p95, bound))
        }
        return Verdict()
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

    /// Every objective met, over a measurement that saw records at all and timed every one it
    /// produced (`consumed`: the records whose end-to-end latency was measured).
    public static func verdict(_ checks: [SLOCheck], produced: Int, consumed: Int) -> Verdict {
        var problems = checks.filter { !$0.met }.map {
            "\($0.objective) is \(String(format: "%.1f", $0.measured)), over the objective of "
                + "\(String(format: "%g", $0.limit))"
        }
        if produced == 0 || consumed == 0 {
            problems.append("nothing was measured (\(produced) produced, \(consumed) consumed)")
        } else if consumed < produced {
            let unmeasured = produced - consumed
            problems.append("\(unmeasured) of \(produced) records were never consumed: their latency is unmeasured")
        }
        return Verdict(problems)
    }
}

extension SLOCheck {
    /// KAF-13's latency objectives, "under" each bound: the 95th percentile of produce latency and of
    /// end-to-end latency, from the measured distributions (milliseconds).
    public static func latencyP95(
        produce: [Double], endToEnd: EndToEndLatency, produceUnder: Double,
        endToEndUnder: Double
    ) -> [SLOCheck] {
        [
            SLOCheck(objective: "produce p95 (ms)", measured: Percentile.of(produce, 95), limit: produceUnder - 1e-9),
            SLOCheck(objective: "end-to-end p95 (ms)", measured: endToEnd.p95, limit: endToEndUnder - 1e-9),
        ]
    }

    /// The capstone's objective, "under" the bound: the 99th percentile of commit-to-sink latency
    /// (milliseconds), exactly and as the alert rule's histogram_quantile(0.99) sees it in the exported
    /// buckets (seconds).
    public static func commitToSinkP99(
        _ latencies: [Double], buckets: [(le: Double, count: Double)],
        under bound: Double
    ) -> [SLOCheck] {
        commitToSink(latencies, buckets: buckets, bounds: [(99, bound)])
    }

    /// The capstone's objectives as a table states them: for each percentile (0 < p ≤ 100), "under" its bound
    /// (milliseconds), exactly and as a histogram_quantile of the exported buckets (seconds) would read it.
    public static func commitToSink(
        _ latencies: [Double], buckets: [(le: Double, count: Double)],
        bounds: [(percentile: Double, under: Double)]
    ) -> [SLOCheck] {
        bounds.flatMap { percentile, bound -> [SLOCheck] in
            let name = PercentileName.of(percentile)
            let rule = (HistogramQuantile.of(percentile / 100, buckets: buckets) ?? 0) * 1000
            return [
                SLOCheck(
                    objective: "commit-to-sink \(name) (ms)", measured: Percentile.of(latencies, percentile),
                    limit: bound - 1e-9),
                SLOCheck(
                    objective: (percentile == 99 ? "alert rule's " : "")
                        + "histogram_quantile(\(PercentileName.fraction(percentile))) (ms)", measured: rule,
                    limit: bound - 1e-9),
            ]
        }
    }
}

/// A percentile as an objective names it: `p99`, `p99.9`, and as histogram_quantile takes it: `0.99`.
public enum PercentileName {
    public static func of(_ percentile: Double) -> String {
        "p" + (percentile == percentile.rounded() ? String(Int(percentile)) : String(percentile))
    }

    static func fraction(_ percentile: Double) -> String {
        let f = (percentile * 10_000).rounded() / 1_000_000  // 99.9 / 100 is 0.9990000000000001
        return f == 1 ? "1" : String(f)
    }

    /// `p50`, `p99.9` → 50, 99.9; nil unless 0 < p ≤ 100.
    public static func parse(_ text: String) -> Double? {
        guard text.hasPrefix("p"), let p = Double(text.dropFirst()), p > 0, p <= 100 else { return nil }
        return p
    }
}

/// End-to-end latency per record: from when it was produced (its timestamp) to the first time a
/// consumer read it. A later read of the same record (a redelivery) does not re-time it.
public struct EndToEndLatency: Sendable, Equatable {
    /// One record read: its id, when it was produced and when it was read, in milliseconds of one clock.
    public struct Read: Sendable, Equatable {
        public var id: UInt64
        public var producedAt: Double
        public var readAt: Double

        public init(id: UInt64, producedAt: Double, readAt: Double) {
            self.id = id
            self.producedAt = producedAt
            self.readAt = readAt
        }
    }

    /// Milliseconds from production to first read, by record id.
    public private(set) var byRecord: [UInt64: Double] = [:]

    /// From the reads in the order they happened.
    public init(_ reads: [Read]) {
        for r in reads where byRecord[r.id] == nil { byRecord[r.id] = r.readAt - r.producedAt }
    }

    public var count: Int { byRecord.count }
    public var p50: Double { Percentile.of(Array(byRecord.values), 50) }
    public var p95: Double { Percentile.of(Array(byRecord.values), 95) }
}

/// Which partitions of a topic are offline, from its partitions' leaders and replicas and the live brokers.
public enum PartitionAvailability {
    public struct Partition: Sendable, Equatable {
        public var id: Int32
        /// Negative when the partition has no leader.
        public var leader: Int32
        public var replicas: [Int32]

        public init(id: Int32, leader: Int32, replicas: [Int32]) {
            self.id = id
            self.leader = leader
            self.replicas = replicas
        }
    }

    /// A partition is offline when no live broker leads it or none of its replicas is live. With no
    /// broker live, all `count` partitions are (there is no metadata to ask then).
    public static func offline(_ partitions: [Partition], count: Int32, live: [Int32]) -> [Int32] {
        guard !live.isEmpty else { return Array(0..<count) }
        return partitions.filter { p in
            p.leader < 0 || !live.contains(p.leader) || !p.replicas.contains(where: live.contains)
        }.map(\.id)
    }

    /// The breach drill's verdict: at least one partition is offline.
    public static func breached(_ offline: [Int32]) -> Verdict {
        offline.isEmpty ? .fails("no partition is offline: the SLO holds") : Verdict()
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

extension SLOCheck {
    /// The exported latency histogram counts every latency measured: the alert rule sees what was measured.
    public static func exportedHistogram(counts exported: Int, measured: Int) -> Verdict {
        exported == measured
            ? Verdict()
            : .fails("the exported histogram counts \(exported) latencies, \(measured) were measured")
    }
}
