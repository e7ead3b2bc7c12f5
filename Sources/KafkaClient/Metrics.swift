import Foundation
import Prometheus

/// Client metrics in the Prometheus text exposition format, from librdkafka's statistics: what
/// `kafka-bdd metrics` prints and a node_exporter textfile collector (or any scraper) can serve.
public enum ClientMetrics {
    /// The metrics, their names shared with monitoring/ (alert rules and dashboard).
    static func metric(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "kafka_bdd", metricName: name, unitName: unit, helpText: help)
    }
    static var lagMetric: MetricNameDescriptor {
        metric(
            "consumer_lag", "records", "Records between the partition's end and the consumer group's committed offset.")
    }
    static var committedMetric: MetricNameDescriptor {
        metric("consumer_committed", "offset", "The consumer group's committed offset.")
    }
    static var highWatermarkMetric: MetricNameDescriptor {
        metric("partition_high_watermark", "offset", "The partition's high watermark as the client last saw it.")
    }
    static var brokerUpMetric: MetricNameDescriptor {
        metric("broker_up", "", "1 when the client's connection to the broker is up.")
    }
    static var rttMetric: MetricNameDescriptor {
        metric("broker_rtt_p95", "seconds", "95th percentile request round-trip time to the broker.")
    }
    static var transmittedMetric: MetricNameDescriptor {
        metric("client_transmitted_messages", "total", "Messages the client has sent to brokers.")
    }
    static var receivedMetric: MetricNameDescriptor {
        metric("client_received_messages", "total", "Messages the client has received from brokers.")
    }
    static var rebalancesMetric: MetricNameDescriptor {
        metric("consumer_group_rebalances", "total", "Rebalances the consumer took part in.")
    }

    public static let consumerLag = lagMetric.name
    public static let all = [
        lagMetric, committedMetric, highWatermarkMetric, brokerUpMetric, rttMetric, transmittedMetric, receivedMetric,
        rebalancesMetric,
    ].map(\.name)

    /// The latest statistics of each client, rendered once.
    public static func prometheusText(_ statistics: [ClientStatistics], group: String? = nil) -> String {
        let registry = PrometheusCollectorRegistry()
        for s in statistics {
            let client = [("client_id", s.client_id)]
            registry.makeCounter(descriptor: transmittedMetric, labels: client).increment(
                by: Int64(max(0, s.txmsgs ?? 0)))
            registry.makeCounter(descriptor: receivedMetric, labels: client).increment(by: Int64(max(0, s.rxmsgs ?? 0)))
            for b in s.brokers.values where b.nodeid >= 0 {
                let labels = client + [("broker", String(b.nodeid))]
                registry.makeGauge(descriptor: brokerUpMetric, labels: labels).set(to: b.state == "UP" ? 1 : 0)
                if let p95 = b.rtt?.p95, (b.rtt?.cnt ?? 0) > 0 {
                    registry.makeGauge(descriptor: rttMetric, labels: labels).set(to: Double(p95) / 1e6)
                }
            }
            if let cgrp = s.cgrp, let n = cgrp.rebalance_cnt {
                registry.makeCounter(descriptor: rebalancesMetric, labels: client + [("group", group ?? "")]).increment(
                    by: n)
            }
            for t in s.topics.values {
                for p in t.partitions.values where p.partition >= 0 {
                    let labels =
                        client + [("group", group ?? ""), ("topic", t.topic), ("partition", String(p.partition))]
                    if let lag = p.consumer_lag, lag >= 0 {
                        registry.makeGauge(descriptor: lagMetric, labels: labels).set(to: Double(lag))
                    }
                    if let c = p.committed_offset, c >= 0 {
                        registry.makeGauge(descriptor: committedMetric, labels: labels).set(to: Double(c))
                    }
                    if let hi = p.hi_offset, hi >= 0 {
                        registry.makeGauge(
                            descriptor: highWatermarkMetric,
                            labels: client + [("topic", t.topic), ("partition", String(p.partition))]
                        ).set(to: Double(hi))
                    }
                }
            }
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The samples of one metric in exposition text, as (labels, value): enough for checks; CI parses
    /// the same text with the Prometheus project's own Python parser.
    public static func samples(named name: String, in text: String) -> [([String: String], Double)] {
        text.split(separator: "\n").compactMap { line -> ([String: String], Double)? in
            guard !line.hasPrefix("#"), line.hasPrefix(name) else { return nil }
            let rest = line.dropFirst(name.count)
            var labels: [String: String] = [:]
            var valueText = rest
            if rest.first == "{", let close = rest.firstIndex(of: "}") {
                for pair in rest[rest.index(after: rest.startIndex)..<close].split(separator: ",") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    if kv.count == 2 { labels[String(kv[0])] = String(kv[1].dropFirst().dropLast()) }
                }
                valueText = rest[rest.index(after: close)...]
            } else if rest.first != " " {
                return nil  // another metric whose name starts with this one
            }
            guard let value = Double(valueText.trimmingCharacters(in: .whitespaces)) else { return nil }
            return (labels, value)
        }
    }
}
