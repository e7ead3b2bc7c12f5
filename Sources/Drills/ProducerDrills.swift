import Cluster
import Foundation
import KafkaClient
import Synchronization
import Verification

/// KAF-03's producers: JSON orders sent synchronously or with a delivery callback, each recorded in the
/// ledger (sent, then acknowledged) as it goes, and the producer benchmark over a table of configurations.
public enum ProducerDrills {
    /// An order's JSON, by id.
    public static func order(_ id: UInt64) -> String {
        #"{"id":\#(id),"customer":"c-\#(id % 7)","amount":\#(Double(id % 1000) / 10),"currency":"EUR"}"#
    }

    /// Ids continue the ledger's: orders sent to two topics in one scenario never share one.
    static func ids(_ count: Int, after ledger: DeliveryLedger) -> Range<UInt64> {
        let first = UInt64(ledger.sentCount) + 1
        return first..<first + UInt64(count)
    }

    /// Sends each order and waits for its delivery report before the next; returns the JSON sent by id.
    public static func sendOneAtATime(_ count: Int, to topic: String, config: KafkaConfig, ledger: DeliveryLedger)
        async throws -> [UInt64: String]
    {
        let producer = try Producer(config: config)
        defer { producer.close() }
        var sent: [UInt64: String] = [:]
        for id in ids(count, after: ledger) {
            let json = order(id)
            ledger.sending(id, key: "order-\(id)", topic: topic)
            let report = try await producer.send(topic: topic, key: Array("order-\(id)".utf8), value: Array(json.utf8))
            ledger.acknowledged(id, partition: report.partition, offset: report.offset)
            sent[id] = json
        }
        return sent
    }

    /// Enqueues every order at once, a delivery callback recording each report, and flushes; returns the
    /// JSON sent by id and the reports the callback saw.
    public static func sendWithCallback(_ count: Int, to topic: String, config: KafkaConfig, ledger: DeliveryLedger)
        async throws -> (sent: [UInt64: String], reports: [DeliveryReport])
    {
        let reports = Mutex<[DeliveryReport]>([])
        let producer = try Producer(
            config: config,
            onDelivery: { r in
                reports.withLock { $0.append(r) }
                ledger.record(r)
            })
        defer { producer.close() }
        var sent: [UInt64: String] = [:]
        for id in ids(count, after: ledger) {
            let json = order(id)
            ledger.sending(id, key: "order-\(id)", topic: topic)
            sent[id] = json
            try producer.produce(topic: topic, key: Array("order-\(id)".utf8), value: Array(json.utf8), token: id)
        }
        try await producer.flush()
        return (sent, reports.withLock { $0 })
    }

    /// Where each order (by the id in its key) is read back from the topics, each read to its end.
    public static func orderPlaces(_ cluster: any Cluster, topics: [(topic: String, partitions: Int32)])
        async throws -> [UInt64: [DeliveryReports.Place]]
    {
        var readBack: [UInt64: [DeliveryReports.Place]] = [:]
        for (topic, partitions) in topics {
            for r in try await LogEndReads.readTopic(cluster, topic: topic, partitions: partitions) {
                guard let key = r.keyString, key.hasPrefix("order-"), let id = UInt64(key.dropFirst(6)) else {
                    continue
                }
                readBack[id, default: []].append(.init(partition: r.partition, offset: r.offset))
            }
        }
        return readBack
    }

    /// One benchmark run per row of configurations (the header names the properties).
    public struct BenchmarkRuns: Sendable {
        public var runs: [(label: String, result: BenchmarkResult)] = []
        /// Markdown: each row with its throughput, latency percentiles and errors.
        public var table = ""
        /// SVG: throughput and p99 latency per configuration.
        public var charts: [String] = []
    }

    public static func benchmark(
        _ cluster: any Cluster, topic: String, messages: Int, size: Int, header: [String], rows: [[String]]
    ) async throws -> BenchmarkRuns {
        var out = BenchmarkRuns()
        var cells: [[String]] = []
        let f = { (format: String, v: Double) in String(format: format, v) }
        for row in rows {
            var props = Dictionary(uniqueKeysWithValues: zip(header, row))
            props["enable.idempotence"] = props["acks"] == "all" ? "true" : "false"
            let result = try await Benchmark.produce(
                config: cluster.config(props), topic: topic, messages: messages, size: size)
            out.runs.append((zip(header, row).map { "\($0)=\($1)" }.joined(separator: " "), result))
            cells.append(
                row + [
                    f("%.0f", result.messagesPerSecond), f("%.1f", result.megabytesPerSecond),
                    f("%.2f", result.p50 ?? 0), f("%.2f", result.p95 ?? 0), f("%.2f", result.p99 ?? 0),
                    "\(result.errors)",
                ])
        }
        out.table = Evidence.table(header + ["msg/s", "MB/s", "p50 ms", "p95 ms", "p99 ms", "errors"], cells)
        out.charts = [
            Evidence.barChart(
                title: "Producer throughput (msg/s)",
                bars: out.runs.map { ($0.label, $0.result.messagesPerSecond) }),
            Evidence.barChart(
                title: "Delivery latency p99 (ms)", bars: out.runs.map { ($0.label, $0.result.p99 ?? 0) }),
        ]
        return out
    }
}
