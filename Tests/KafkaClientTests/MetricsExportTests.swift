import ChangeCapture
import Foundation
@testable import KafkaClient
import Testing
import Yams
import TestSupport

@Suite("Monitoring: exported metrics, monitoring/ files")
struct MetricsExportTests {
    static let statistics = #"""
    {"name":"c#consumer-1","client_id":"billing-1","type":"consumer","ts":1,"txmsgs":0,"rxmsgs":120,
     "brokers":{"b1":{"name":"b1","nodeid":1,"state":"UP","rtt":{"p95":2000,"cnt":4}},"b2":{"name":"b2","nodeid":2,"state":"DOWN"}},
     "topics":{"orders":{"topic":"orders","partitions":{
        "0":{"partition":0,"hi_offset":100,"committed_offset":60,"consumer_lag":40},
        "1":{"partition":1,"hi_offset":20,"committed_offset":-1001,"consumer_lag":-1},
        "-1":{"partition":-1}}}},
     "cgrp":{"state":"up","rebalance_cnt":3}}
    """#

    @Test func statisticsBecomePrometheusText() throws {
        let text = ClientMetrics.prometheusText([try ClientStatistics.decode(Self.statistics)], group: "billing")
        let lag = ClientMetrics.samples(named: ClientMetrics.consumerLag, in: text)
        #expect(lag.count == 1)
        #expect(lag.first?.0 == ["client_id": "billing-1", "group": "billing", "topic": "orders", "partition": "0"])
        #expect(lag.first?.1 == 40)
        #expect(ClientMetrics.samples(named: "kafka_bdd_broker_up", in: text).map(\.1).sorted() == [0, 1])
        #expect(ClientMetrics.samples(named: "kafka_bdd_broker_rtt_p95_seconds", in: text).first?.1 == 0.002)
        #expect(ClientMetrics.samples(named: "kafka_bdd_consumer_group_rebalances_total", in: text).first?.1 == 3)
        #expect(text.contains("# TYPE kafka_bdd_consumer_lag_records gauge"))
    }

    static var monitoring: URL { Paths.packageRoot.appendingPathComponent("monitoring") }

    /// Every kafka_bdd_* name an alert rule or dashboard panel uses, with the suffixes PromQL adds.
    static func metricNames(in text: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: "kafka_bdd_[a-z0-9_]+")
        return Set(regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) })
    }

    @Test func alertRulesParseAndUseExportedMetrics() throws {
        let yaml = try String(contentsOf: Self.monitoring.appendingPathComponent("prometheus-alerts.yml"), encoding: .utf8)
        let doc = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        let groups = try #require(doc["groups"] as? [[String: Any]])
        let rules = groups.flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }
        #expect(rules.count >= 3)
        for rule in rules {
            let name = rule["alert"] as? String ?? "?"
            let expr = try #require(rule["expr"] as? String, "\(name) has no expr")
            #expect(rule["for"] != nil, "\(name) has no for:")
            #expect((rule["labels"] as? [String: Any])?["severity"] != nil, "\(name) has no severity")
            let unknown = Self.metricNames(in: expr).subtracting(ClientMetrics.all).subtracting(PipelineMetrics.names)
            #expect(unknown.isEmpty, "\(name) uses metrics nothing exports: \(unknown)")
        }
    }

    @Test(arguments: ["grafana-dashboard.json", "capstone-dashboard.json"])
    func dashboardParsesAndUsesExportedMetrics(_ file: String) throws {
        let data = try Data(contentsOf: Self.monitoring.appendingPathComponent(file))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        #expect(!panels.isEmpty)
        for panel in panels {
            let exprs = ((panel["targets"] as? [[String: Any]]) ?? []).compactMap { $0["expr"] as? String }
            #expect(!exprs.isEmpty, "panel \(panel["title"] ?? "?") has no query")
            let unknown = exprs.reduce(into: Set<String>()) { $0.formUnion(Self.metricNames(in: $1)) }.subtracting(ClientMetrics.all)
                .subtracting(PipelineMetrics.names)
            #expect(unknown.isEmpty, "panel \(panel["title"] ?? "?") uses metrics nothing exports: \(unknown)")
        }
    }
}
