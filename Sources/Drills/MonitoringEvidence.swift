import Cluster
import Foundation
import KafkaClient
import Verification

/// What the KAF-13 steps attach and read: charts and tables of the drills' samples, the lag the client
/// exported, and which partitions are offline as probed on the wire.
extension StallRecord {
    /// The lag chart with the stall and the alert's firing shaded, and the rule's state at each sample.
    public func alertEvidence(_ rule: LagAlertRule, group: String) -> (chart: String, table: String) {
        let record = history
        let end = record.lag.last?.seconds ?? 0
        let firing = rule.firing(record.lag).map { (label: "alert firing", from: $0.from, to: $0.to ?? end) }
        let title = "Lag of group \(group) (records); alert over \(rule.threshold) for \(Int(rule.holdFor)) s"
        let chart = Evidence.lineChart(
            title: title, unit: "stall and firing shaded",
            samples: record.lag.map { ($0.seconds, Double($0.lag)) },
            spans: [("consumer stalled", record.stallFrom, record.stallTo)] + firing)
        let table = Evidence.table(
            ["s", "alert", "lag"],
            rule.evaluate(record.lag).map {
                [String(format: "%.1f", $0.seconds), $0.state.rawValue, "\($0.lag)"]
            })
        return (chart, table)
    }

    /// The consumer-lag gauge the client exported for each partition of `topic`, and a table of it beside the
    /// lag measured on the cluster.
    public func exportedLag(topic: String, partitions: Int32) -> (exported: [Int32: Double], table: String) {
        var exported: [Int32: Double] = [:]
        for s in ClientMetrics.samples(named: ClientMetrics.consumerLag, in: metrics) where s.0["topic"] == topic {
            if let p = s.0["partition"].flatMap({ Int32($0) }) { exported[p] = s.1 }
        }
        let table = Evidence.table(
            ["partition", "exported lag", "committed", "high watermark", "cluster's lag"],
            (0..<partitions).map { p in
                let m = measured[p]
                return [
                    "\(p)", exported[p].map { String(format: "%.0f", $0) } ?? "–",
                    m.map { "\($0.committed)" } ?? "–",
                    m.map { "\($0.highBefore)…\($0.highAfter)" } ?? "–",
                    m.map { "\($0.range.lowerBound)…\($0.range.upperBound)" } ?? "–",
                ]
            })
        return (exported, table)
    }
}

extension ProbeDrills {
    /// The heartbeat probes' round trips charted (a lost one at 5000 ms) and summed up in a table.
    public static func roundTripEvidence(_ probes: [Double?]) -> (chart: String, table: String) {
        let ok = probes.compactMap { $0 }
        let ms = { (v: Double) in String(format: "%.1f", v) }
        return (
            Evidence.lineChart(
                title: "Heartbeat round trips (ms)", unit: "x is the probe number",
                samples: probes.enumerated().map { (Double($0.offset), $0.element ?? 5000) }),
            Evidence.table(
                ["probes", "failed", "p50 ms", "p95 ms", "max ms"],
                [
                    [
                        "\(probes.count)", "\(probes.count - ok.count)", ms(Percentile.of(ok, 50)),
                        ms(Percentile.of(ok, 95)), ms(ok.max() ?? 0),
                    ]
                ])
        )
    }

    /// Produce and end-to-end latency percentiles as a table.
    public static func latencyTable(produce p: [Double], endToEnd e: EndToEndLatency) -> String {
        let ms = { (v: Double) in String(format: "%.1f", v) }
        return Evidence.table(
            ["latency", "records", "p50 ms", "p95 ms"],
            [
                ["produce (acknowledged)", "\(p.count)", ms(Percentile.of(p, 50)), ms(Percentile.of(p, 95))],
                ["end to end (first read)", "\(e.count)", ms(e.p50), ms(e.p95)],
            ])
    }

    /// Partitions whose leader does not answer: leaders from the metadata a live broker returns, each
    /// probed on the wire (ApiVersions). When no broker answers metadata, every partition is offline.
    public static func offlinePartitions(_ cluster: any Cluster, topic: String, partitions: Int32)
        async throws -> [Int32]
    {
        // With no broker answering a probe, asking for metadata would only wait out its 10 s deadline.
        var anyAnswers = false
        for broker in (try? await cluster.configuredBrokers()) ?? [] where !anyAnswers {
            anyAnswers = try await cluster.probe(broker: broker).answered
        }
        let known = anyAnswers ? (try? await cluster.metadata(topic: topic))?.topic(topic)?.partitions ?? [] : []
        var serving: [Int32] = []
        for broker in Set(known.flatMap { [$0.leader] + $0.replicas }).sorted() where broker >= 0 {
            if try await cluster.probe(broker: broker).answered { serving.append(broker) }
        }
        return PartitionAvailability.offline(
            known.map { .init(id: $0.id, leader: $0.leader, replicas: $0.replicas) }, count: partitions, live: serving)
    }
}

extension SLOCheck {
    /// Markdown: each objective with what was measured, its limit and whether it was met.
    public static func table(_ checks: [SLOCheck]) -> String {
        Evidence.table(
            ["objective", "measured", "limit", "verdict"],
            checks.map {
                [
                    $0.objective, String(format: "%.1f", $0.measured), String(format: "%.0f", $0.limit.rounded(.up)),
                    $0.met ? "met" : "BREACHED",
                ]
            })
    }
}

/// A Grafana dashboard file's panels, as the dashboard verdict reads them (rows' nested panels included).
public enum DashboardEvidence {
    private struct Dashboard: Decodable {
        var panels: [Panel]?
        /// Grafana's HTTP API wraps the dashboard in `{"dashboard": …, "meta": …}`.
        var dashboard: Inner?
        struct Inner: Decodable { var panels: [Panel]? }
    }
    private struct Panel: Decodable {
        var title: String?
        var targets: [Target]?
        var fieldConfig: FieldConfig?
        var panels: [Panel]?
    }
    private struct Target: Decodable {
        var expr: String?
        var hide: Bool?
        var refId: String?
        var legendFormat: String?
    }
    private struct FieldConfig: Decodable {
        var defaults: Defaults?
        var overrides: [Override]?
    }
    /// A field override: properties for the series its matcher selects (Grafana's fieldConfig.overrides).
    private struct Override: Decodable {
        var matcher: Matcher?
        var properties: [Property]?
        struct Matcher: Decodable {
            var id: String?
            var options: String?
            init(from decoder: Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                id = try c.decodeIfPresent(String.self, forKey: .id)
                options = try? c.decodeIfPresent(String.self, forKey: .options)
            }
            enum CodingKeys: String, CodingKey { case id, options }
        }
        struct Property: Decodable {
            var id: String?
            var unit: String?
            var thresholds: Thresholds?
            init(from decoder: Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                id = try c.decodeIfPresent(String.self, forKey: .id)
                if id == "unit" { unit = try? c.decodeIfPresent(String.self, forKey: .value) }
                if id == "thresholds" { thresholds = try? c.decodeIfPresent(Thresholds.self, forKey: .value) }
            }
            enum CodingKeys: String, CodingKey { case id, value }
        }
        /// Whether it selects the series of this target: by query (refId) or by a literal legend's name.
        func selects(_ t: Target) -> Bool {
            guard let options = matcher?.options else { return false }
            switch matcher?.id {
            case "byFrameRefID": return t.refId == options
            case "byName": return t.legendFormat == options
            case "byRegexp":
                guard let legend = t.legendFormat, let re = try? Regex(options) else { return false }
                return (try? re.wholeMatch(in: legend)) != nil
            default: return false
            }
        }
    }
    private struct Defaults: Decodable {
        var unit: String?
        var thresholds: Thresholds?
    }
    private struct Thresholds: Decodable {
        var mode: String?
        var steps: [Step]?
    }
    private struct Step: Decodable { var value: Double? }

    public static func panels(json text: String, path: String) throws -> [DashboardObjectives.Panel] {
        let dashboard: Dashboard
        do {
            dashboard = try JSONDecoder().decode(Dashboard.self, from: Data(text.utf8))
        } catch DecodingError.dataCorrupted {
            throw DrillFailure("\(path) is not a Grafana dashboard: it is not JSON")
        } catch {
            throw DrillFailure("\(path) is not a Grafana dashboard: its JSON does not have the dashboard's shape")
        }
        func flatten(_ panels: [Panel]) -> [DashboardObjectives.Panel] {
            panels.flatMap { p in series(p) + flatten(p.panels ?? []) }
        }
        return flatten(dashboard.panels ?? dashboard.dashboard?.panels ?? [])
    }

    /// A panel as the verdict reads it: one entry, or with field overrides one per visible query, each with
    /// the unit and thresholds its overrides give it (the last override setting a property wins, as in Grafana).
    private static func series(_ p: Panel) -> [DashboardObjectives.Panel] {
        let title = p.title ?? "(untitled)"
        let targets = (p.targets ?? []).filter { $0.hide != true && $0.expr != nil }
        let defaults = p.fieldConfig?.defaults
        let overrides = p.fieldConfig?.overrides ?? []
        guard !overrides.isEmpty else {
            return [
                .init(
                    title: title, queries: targets.compactMap(\.expr), unit: defaults?.unit,
                    thresholds: marks(defaults?.thresholds))
            ]
        }
        return targets.map { t in
            var unit = defaults?.unit, thresholds = defaults?.thresholds
            for o in overrides where o.selects(t) {
                for property in o.properties ?? [] {
                    if property.id == "unit" { unit = property.unit }
                    if property.id == "thresholds" { thresholds = property.thresholds }
                }
            }
            let name = t.refId ?? t.legendFormat ?? ""
            return .init(
                title: name.isEmpty ? title : "\(title) (\(name))", queries: [t.expr ?? ""], unit: unit,
                thresholds: marks(thresholds))
        }
    }

    /// The values thresholds mark: absolute ones (Grafana's default mode) after the base step, which
    /// Grafana draws from minus infinity whatever value it carries.
    private static func marks(_ t: Thresholds?) -> [Double] {
        guard let t, (t.mode ?? "absolute") == "absolute" else { return [] }
        return (t.steps ?? []).dropFirst().compactMap(\.value)
    }

    public static func table(_ panels: [DashboardObjectives.Panel]) -> String {
        Evidence.table(
            ["panel", "unit", "thresholds", "queries"],
            panels.map { p in
                [
                    p.title, p.unit ?? "", p.thresholds.map { "\($0)" }.joined(separator: ", "),
                    p.queries.joined(separator: "; ").replacingOccurrences(of: "|", with: "\\|"),
                ]
            })
    }
}
