import Testing
import Verification

@Suite struct DashboardObjectivesTests {
    static let metric = "kafka_bdd_pipeline_latency_seconds"
    static func panel(_ q: Double, unit: String? = "s", thresholds: [Double]) -> DashboardObjectives.Panel {
        DashboardObjectives.Panel(
            title: "p\(q * 100)",
            queries: ["histogram_quantile(\(q), sum by (le) (rate(\(metric)_bucket[5m])))"], unit: unit,
            thresholds: thresholds)
    }

    @Test func eachBoundDrawnAsAThresholdHolds() {
        let panels = [Self.panel(0.5, thresholds: [0.5]), Self.panel(0.99, unit: "ms", thresholds: [1000])]
        #expect(DashboardObjectives.verdict(panels, metric: Self.metric, bounds: [(50, 500), (99, 1000)]).holds)
    }

    @Test func aMissingPanelAnotherThresholdOrAnotherMetricFails() {
        let panels = [Self.panel(0.5, thresholds: [0.5]), Self.panel(0.99, thresholds: [1])]
        let missing = DashboardObjectives.verdict(panels, metric: Self.metric, bounds: [(95, 1000)])
        #expect(missing.description.contains("no panel draws the p95"))
        let other = DashboardObjectives.verdict(panels, metric: Self.metric, bounds: [(99, 2000)])
        #expect(other.description.contains("does not mark 2000 ms"))
        #expect(!DashboardObjectives.verdict(panels, metric: "kafka_bdd_other_seconds", bounds: [(50, 500)]).holds)
        // A panel without a time unit cannot mark a bound in milliseconds.
        #expect(
            !DashboardObjectives.verdict([Self.panel(0.5, unit: nil, thresholds: [0.5])], metric: Self.metric,
                bounds: [(50, 500)]).holds)
    }

    @Test func nothingToCompareFails() {
        #expect(!DashboardObjectives.verdict([], metric: Self.metric, bounds: [(50, 500)]).holds)
        #expect(!DashboardObjectives.verdict([Self.panel(0.5, thresholds: [0.5])], metric: Self.metric, bounds: []).holds)
    }

    @Test func theQuantilesAreReadFromTheQuery() {
        #expect(DashboardObjectives.quantiles(in: "histogram_quantile( 0.95 , sum(rate(m_bucket[1m])))", of: "m") == [0.95])
        #expect(DashboardObjectives.quantiles(in: "sum(rate(m_count[1m]))", of: "m").isEmpty)
        let both = "histogram_quantile(0.5, rate(m_bucket[1m])) or histogram_quantile(0.95, rate(m_bucket[1m]))"
        #expect(DashboardObjectives.quantiles(in: both, of: "m") == [0.5, 0.95])
        // Another metric whose name contains this one's is not this one.
        #expect(DashboardObjectives.quantiles(in: "histogram_quantile(0.5, rate(my_m_bucket[1m]))", of: "m").isEmpty)
        #expect(DashboardObjectives.quantiles(in: "histogram_quantile(0.5, rate(m_bucket_total[1m]))", of: "m").isEmpty)
    }

    @Test func anEmptyOrInvalidMetricNameFails() {
        let panels = [Self.panel(0.5, thresholds: [0.5])]
        #expect(!DashboardObjectives.verdict(panels, metric: "", bounds: [(50, 500)]).holds)
        #expect(!DashboardObjectives.verdict(panels, metric: "a b", bounds: [(50, 500)]).holds)
    }
}
