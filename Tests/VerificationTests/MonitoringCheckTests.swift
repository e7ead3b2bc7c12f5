import Testing
import Verification

/// The monitoring drills' checkers: the lag alert over hand-written lag samples, the heartbeat probe,
/// the SLOs and offline partitions.
@Suite("Monitoring checkers")
struct MonitoringCheckTests {
    static func samples(_ points: [(Double, Int64)]) -> [LagSample] {
        points.map { LagSample(seconds: $0.0, lag: $0.1) }
    }

    @Test func alertFiresOnlyAfterTheConditionHeldAndResolvesAtOnce() {
        let rule = LagAlertRule(threshold: 100, holdFor: 1)
        let samples = Self.samples([(0, 10), (1, 150), (1.5, 200), (2.0, 300), (2.5, 90), (3, 120), (3.5, 130),
                                    (5, 40)])
        let t = rule.evaluate(samples).map { "\($0.seconds):\($0.state.rawValue)" }
        #expect(t == ["1.0:pending", "2.0:firing", "2.5:inactive", "3.0:pending", "5.0:inactive"])
        #expect(rule.firing(samples).map { "\($0.from)-\($0.to.map { "\($0)" } ?? "open")" } == ["2.0-2.5"])
        // Never over the threshold for long enough: never fires.
        #expect(rule.firing(Self.samples([(0, 500), (0.5, 500), (0.9, 0)])).isEmpty)
        // Still over at the end: the firing span stays open.
        #expect(rule.firing(Self.samples([(0, 500), (2, 500)])).first?.to == nil)
    }

    static let rule = LagAlertRule(threshold: 300, holdFor: 1)

    static func stall(_ points: [(Double, Int64)]) -> StallHistory {
        StallHistory(lag: samples(points), stallFrom: 2, stallTo: 5)
    }

    @Test func alertThatFiresDuringTheStallAndResolvesPasses() {
        let h = Self.stall([(0, 10), (2, 100), (3, 400), (4, 800), (5, 900), (6, 200), (7, 0)])
        #expect(Self.rule.firedDuringStallAndResolved(h).holds)
    }

    // The foreign-broker trial: a lag of -114 was taken for "caught up" and the alert resolved.
    @Test func aNegativeLagIsAnImplausibleClusterNotACaughtUpConsumer() {
        let h = Self.stall([(0, 10), (2, 100), (3, 400), (4, 800), (5, 900), (6, 200), (7, -114)])
        #expect(Self.rule.firedDuringStallAndResolved(h, group: "g").problems
                    == ["group g at 7.0 s: lag -114 is negative (an offset beyond the log end)"])
        var hidden = Self.stall([(0, 10), (2, 100), (3, 400), (4, 800), (5, 900), (6, 200), (7, 0)])
        hidden.lag[6].negative = [2: -5]
        #expect(Self.rule.firedDuringStallAndResolved(hidden, group: "g").problems
                    == ["group g partition 2 at 7.0 s: lag -5 is negative (an offset beyond the log end)"])
    }

    @Test func alertThatNeverFiresFails() {
        let h = Self.stall([(0, 10), (1, 20), (3, 50), (5, 40), (7, 0)])
        #expect(Self.rule.firedDuringStallAndResolved(h).problems
                    == ["the alert never fired: the highest lag was 50 records"])
    }

    @Test func alertThatFiresBeforeTheStallFails() {
        let h = Self.stall([(0, 400), (1, 400), (3, 400), (6, 0)])
        #expect(Self.rule.firedDuringStallAndResolved(h).problems == [
            "the alert fired at 1.0 s, before the consumer stalled at 2.0 s",
        ])
    }

    @Test func alertThatFiresLongAfterTheStallFails() {
        let h = Self.stall([(0, 10), (6, 400), (7.5, 400), (8, 0)])
        #expect(Self.rule.firedDuringStallAndResolved(h).problems == [
            "the alert fired only at 7.5 s, after the stall ended at 5.0 s",
        ])
    }

    @Test func alertThatNeverResolvesFails() {
        let h = Self.stall([(0, 10), (2, 100), (3, 600), (4, 900), (6, 1200), (8, 1500)])
        #expect(Self.rule.firedDuringStallAndResolved(h).problems == [
            "the alert was still firing at the end (8.0 s): the consumer never caught up",
        ])
    }

    @Test func nearestRankPercentiles() {
        let values = (1...100).map(Double.init)
        #expect(Percentile.of(values, 95) == 95)
        #expect(Percentile.of(values, 50) == 50)
        #expect(Percentile.of([7], 99) == 7)
        #expect(Percentile.of([], 95) == 0)
    }

    @Test func metricsCoveringEveryPartitionPassAndAGapFails() {
        #expect(PartitionCoverage.verdict(metric: "lag", topic: "orders", partitions: 3, covered: [0, 1, 2]).holds)
        #expect(PartitionCoverage.verdict(metric: "lag", topic: "orders", partitions: 3, covered: [0, 2, 7]).problems
                    == ["no lag for partitions [1] of orders"])
    }

    @Test func fastProbesAreGreen() {
        let probes = HeartbeatProbes(roundTrips: (1...20).map { Double($0) })
        #expect(probes.p95 == 19)
        #expect(probes.green(p95Under: 20, timeout: 5).holds)
    }

    @Test func slowOrLostProbesAreRed() {
        #expect(HeartbeatProbes(roundTrips: Array(repeating: 300, count: 20)).green(p95Under: 250, timeout: 5).problems
                    == ["red: p95 round trip 300.0 ms, the bound is 250 ms"])
        let lost = HeartbeatProbes(roundTrips: [10, 12, nil, 11])
        #expect(lost.failed == 1)
        #expect(lost.green(p95Under: 250, timeout: 5).problems == ["red: 1 of 4 probes never came back within 5 s"])
    }

    @Test func sloVerdict() {
        let met = [SLOCheck(objective: "produce p95 (ms)", measured: 12, limit: 200),
                   SLOCheck(objective: "offline partitions", measured: 0, limit: 0)]
        #expect(SLOCheck.verdict(met, produced: 10, consumed: 10).holds)
        let breached = met + [SLOCheck(objective: "end-to-end p95 (ms)", measured: 612.34, limit: 500)]
        #expect(SLOCheck.verdict(breached, produced: 10, consumed: 10).problems
                    == ["end-to-end p95 (ms) is 612.3, over the objective of 500"])
        #expect(SLOCheck.verdict(met, produced: 10, consumed: 0).problems
                    == ["nothing was measured (10 produced, 0 consumed)"])
        #expect(SLOCheck.verdict(met, produced: 10, consumed: 8).problems
                    == ["2 of 10 records were never consumed: their latency is unmeasured"])
    }

    typealias Read = EndToEndLatency.Read

    /// Twenty records produced 10 ms apart, each read 5 ms after it was produced (record 20: 80 ms).
    static let reads = (UInt64(1)...20).map {
        Read(id: $0, producedAt: Double($0) * 10, readAt: Double($0) * 10 + ($0 == 20 ? 80 : 5))
    }

    @Test func endToEndLatencyIsTimedPerRecordFromItsFirstRead() {
        let latency = EndToEndLatency(Self.reads)
        #expect(latency.count == 20)
        #expect(latency.p50 == 5 && latency.p95 == 5)
        #expect(latency.byRecord[20] == 80)
        // Read again a second later (a redelivery, or an idle poll that saw it last): not re-timed.
        let later = (UInt64(15)...20).map { Read(id: $0, producedAt: Double($0) * 10, readAt: 1200) }
        let again = EndToEndLatency(Self.reads + later)
        #expect(again == latency)
    }

    /// Timed per record, a few slow arrivals show in the p95 and breach the objective.
    @Test func slowArrivalsBreachTheEndToEndObjective() {
        let slow = EndToEndLatency(
            (UInt64(1)...20).map { Read(id: $0, producedAt: 0, readAt: $0 > 15 ? 700 : 20) })
        #expect(slow.p50 == 20 && slow.p95 == 700)
        let check = SLOCheck(objective: "end-to-end p95 (ms)", measured: slow.p95, limit: 500)
        #expect(SLOCheck.verdict([check], produced: 20, consumed: slow.count).problems
                    == ["end-to-end p95 (ms) is 700.0, over the objective of 500"])
    }

    /// Skewed: the median is far under the bound, the tail over it. Slowing every record (as the features'
    /// negative controls do) cannot tell which percentile a verdict compares; this can.
    static func skewed(fast: Int, slow: Int) -> [Double] {
        Array(repeating: 10, count: fast) + Array(repeating: 900, count: slow)
    }

    @Test func kaf13ObjectivesJudgeTheP95NotTheMedian() {
        let tail = Self.skewed(fast: 90, slow: 10) // p50 10 ms, p95 900 ms
        let fast = Self.skewed(fast: 100, slow: 0)
        let endToEnd = { (ms: [Double]) in
            EndToEndLatency(ms.enumerated().map { Read(id: UInt64($0.offset), producedAt: 0, readAt: $0.element) })
        }
        let slowProduce = SLOCheck.latencyP95(produce: tail, endToEnd: endToEnd(fast), produceUnder: 500,
                                              endToEndUnder: 500)
        #expect(SLOCheck.verdict(slowProduce, produced: 100, consumed: 100).problems
                    == ["produce p95 (ms) is 900.0, over the objective of 500"])
        let slowEndToEnd = SLOCheck.latencyP95(produce: fast, endToEnd: endToEnd(tail), produceUnder: 500,
                                               endToEndUnder: 500)
        #expect(SLOCheck.verdict(slowEndToEnd, produced: 100, consumed: 100).problems
                    == ["end-to-end p95 (ms) is 900.0, over the objective of 500"])
        let met = SLOCheck.latencyP95(produce: tail, endToEnd: endToEnd(tail), produceUnder: 901, endToEndUnder: 901)
        #expect(SLOCheck.verdict(met, produced: 100, consumed: 100).holds)
    }

    /// The capstone's p99, exact and from the exported buckets: 97 of 100 fast, so p50 and p95 are 10 ms.
    @Test func capstoneObjectiveJudgesTheP99NotTheMedianOrP95() {
        let latencies = Self.skewed(fast: 97, slow: 3)
        let buckets: [(le: Double, count: Double)] = [(0.05, 97), (1.0, 100), (.infinity, 100)]
        let checks = SLOCheck.commitToSinkP99(latencies, buckets: buckets, under: 500)
        #expect(checks.map(\.measured).map { $0.rounded() } == [900, 683])
        #expect(SLOCheck.verdict(checks, produced: 100, consumed: 100).problems.count == 2)
        let fast = SLOCheck.commitToSinkP99(Self.skewed(fast: 100, slow: 0),
                                            buckets: [(0.05, 100), (1.0, 100), (.infinity, 100)], under: 500)
        #expect(SLOCheck.verdict(fast, produced: 100, consumed: 100).holds)
    }

    @Test func aTableOfBoundsJudgesEachPercentileItNames() {
        let latencies = Self.skewed(fast: 97, slow: 3)
        let buckets: [(le: Double, count: Double)] = [(0.05, 97), (1.0, 100), (.infinity, 100)]
        let checks = SLOCheck.commitToSink(latencies, buckets: buckets, bounds: [(50, 5), (99, 1000)])
        #expect(checks.map(\.objective) == [
            "commit-to-sink p50 (ms)", "histogram_quantile(0.5) (ms)", "commit-to-sink p99 (ms)",
            "alert rule's histogram_quantile(0.99) (ms)",
        ])
        let verdict = SLOCheck.verdict(checks, produced: 100, consumed: 100)
        #expect(verdict.problems.count == 2)
        #expect(verdict.problems.allSatisfy { $0.contains("p50") || $0.contains("(0.5)") })
        #expect(SLOCheck.verdict(
            SLOCheck.commitToSink(latencies, buckets: buckets, bounds: [(50, 100), (99.9, 1000)]),
            produced: 100, consumed: 100).holds)
        #expect([PercentileName.parse("p50"), PercentileName.parse("p99.9"), PercentileName.parse("p0"),
                 PercentileName.parse("p101"), PercentileName.parse("50"), PercentileName.parse("pnan")]
                    == [50, 99.9, nil, nil, nil, nil])
        #expect(PercentileName.of(99.9) == "p99.9" && PercentileName.of(95) == "p95")
    }

    @Test func probeGreenJudgesTheP95NotTheMedian() {
        let probes = HeartbeatProbes(roundTrips: Self.skewed(fast: 90, slow: 10).map { Optional($0) })
        #expect(!probes.green(p95Under: 250, timeout: 5).holds)
    }

    /// Three partitions, committed at 40; high watermarks 100…120, 140…160 and 40…40 during the stall.
    static let measured: [Int32: LagGauge.Measured] = [
        0: .init(committed: 40, highBefore: 100, highAfter: 120),
        1: .init(committed: 40, highBefore: 140, highAfter: 160),
        2: .init(committed: 40, highBefore: 40, highAfter: 40),
    ]

    static func gauge(_ exported: [Int32: Double]) -> Verdict {
        LagGauge.verdict(metric: "lag", topic: "orders", partitions: 3, exported: exported, measured: measured)
    }

    @Test func aLagGaugeWithinTheClusterLagHolds() {
        #expect(Self.gauge([0: 60, 1: 120, 2: 0]).holds)
        #expect(Self.gauge([0: 80, 1: 100, 2: 0]).holds)
    }

    @Test func aLagGaugeStuckAtZeroFails() {
        #expect(Self.gauge([0: 0, 1: 0, 2: 0]).problems == [
            "partition 0: lag is 0.0, the cluster's lag was 60…80 (committed 40, high watermark 100…120)",
            "partition 1: lag is 0.0, the cluster's lag was 100…120 (committed 40, high watermark 140…160)",
        ])
    }

    @Test func aLagGaugeOffByAFewOrMissingFails() {
        #expect(Self.gauge([0: 81, 1: 100, 2: 0]).problems.count == 1)
        #expect(Self.gauge([0: 70, 1: 100, 2: 1]).problems.count == 1)
        #expect(Self.gauge([0: 70, 1: 100]).problems == ["no lag for partitions [2] of orders"])
    }

    @Test func aStallThatBuiltNoLagCannotShowAGaugeIsRight() {
        let idle: [Int32: LagGauge.Measured] = [0: .init(committed: 5, highBefore: 5, highAfter: 5)]
        let v = LagGauge.verdict(metric: "lag", topic: "orders", partitions: 1, exported: [0: 0], measured: idle)
        #expect(v.problems == ["the cluster measured no lag on any partition of orders: a gauge stuck at 0 would pass"])
    }

    @Test func offlinePartitions() {
        typealias P = PartitionAvailability.Partition
        let partitions = [P(id: 0, leader: 1, replicas: [1, 2]), P(id: 1, leader: 3, replicas: [3]),
                          P(id: 2, leader: -1, replicas: [1]), P(id: 3, leader: 2, replicas: [2])]
        #expect(PartitionAvailability.offline(partitions, count: 4, live: [1, 2]) == [1, 2])
        #expect(PartitionAvailability.offline(partitions, count: 4, live: []) == [0, 1, 2, 3])
        #expect(PartitionAvailability.offline(partitions, count: 4, live: [1, 2, 3]) == [2])
        #expect(PartitionAvailability.breached([2]).holds)
        #expect(PartitionAvailability.breached([]).problems == ["no partition is offline: the SLO holds"])
    }
}
