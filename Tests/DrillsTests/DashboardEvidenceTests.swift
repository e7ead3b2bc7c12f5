import Drills
import Testing
import Verification

/// A dashboard whose p99 bound is drawn by a field override on its query, not by the panel's defaults.
@Suite("Grafana dashboard files: field overrides")
struct DashboardEvidenceTests {
    static let metric = "kafka_bdd_pipeline_latency_seconds"

    static func dashboard(matcher: String, options: String, unit: String = "s") -> String {
        let q = { (x: String) in "histogram_quantile(\(x), sum by (le) (rate(\(metric)_bucket[5m])))" }
        return """
            {"panels": [{"title": "latency", "targets": [
                {"refId": "A", "expr": "\(q("0.5"))", "legendFormat": "p50"},
                {"refId": "B", "expr": "\(q("0.99"))", "legendFormat": "p99"}],
              "fieldConfig": {
                "defaults": {"unit": "s", "thresholds": {"mode": "absolute",
                  "steps": [{"color": "green", "value": null}, {"color": "red", "value": 0.5}]}},
                "overrides": [{"matcher": {"id": "\(matcher)", "options": "\(options)"}, "properties": [
                  {"id": "unit", "value": "\(unit)"},
                  {"id": "thresholds", "value": {"mode": "absolute",
                    "steps": [{"color": "green", "value": null}, {"color": "red", "value": 1}]}}]}]}}]}
            """
    }

    static func verdict(_ json: String) throws -> Verdict {
        let panels = try DashboardEvidence.panels(json: json, path: "d.json")
        return DashboardObjectives.verdict(panels, metric: metric, bounds: [(50, 500), (99, 1000)])
    }

    @Test func anOverrideOnTheQueryDrawsItsBound() throws {
        #expect(try Self.verdict(Self.dashboard(matcher: "byFrameRefID", options: "B")).holds)
        #expect(try Self.verdict(Self.dashboard(matcher: "byName", options: "p99")).holds)
        #expect(try Self.verdict(Self.dashboard(matcher: "byRegexp", options: "p9.")).holds)
        let panels = try DashboardEvidence.panels(json: Self.dashboard(matcher: "byFrameRefID", options: "B"), path: "d")
        #expect(panels.map(\.title) == ["latency (A)", "latency (B)"])
        #expect(panels.map(\.thresholds) == [[0.5], [1]])
    }

    @Test func anOverrideOnAnotherQueryOrInAnotherUnitDoesNot() throws {
        // It selects the p50 series: the p99 keeps the defaults' 0.5 s.
        let other = try Self.verdict(Self.dashboard(matcher: "byFrameRefID", options: "A"))
        #expect(other.description.contains("the p99 panel does not mark 1000 ms"), "\(other)")
        #expect(!(try Self.verdict(Self.dashboard(matcher: "byName", options: "p50"))).holds)
        // 1 in milliseconds is not 1000 ms.
        #expect(!(try Self.verdict(Self.dashboard(matcher: "byFrameRefID", options: "B", unit: "ms"))).holds)
        // A matcher this reader does not know selects nothing.
        #expect(!(try Self.verdict(Self.dashboard(matcher: "byType", options: "number"))).holds)
    }
}
