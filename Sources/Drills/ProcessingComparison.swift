import Cluster
import Foundation
import KafkaClient
import Processing
import Verification

/// KAF-08's comparison: the transactional and the at-least-once processor over the same input, each into
/// its own output topic, timed. It measures what the transactional protocol costs; the verdict reads the
/// outputs back.
public struct ProcessingComparison: Sendable {
    /// The capabilities without which exactly-once delivery is not what the numbers measure.
    public static let exactlyOnceCapabilities: [ClusterCapability] = [
        .transactions, .transactionIsolation, .transactionalOffsets,
    ]

    public var exactlyOnceOutput = ""
    public var atLeastOnceOutput = ""
    /// Markdown: one row per processing mode, with a note where the cluster does not model exactly-once.
    public var table = ""
    /// SVG: records per second of each mode.
    public var chart = ""

    /// Runs both processors; `output` names the physical output topic of a suffix ("eos", "alo").
    public static func run(
        cluster: any Cluster, input: String, partitions: Int32, output: (String) -> String
    ) async throws -> ProcessingComparison {
        let replication = min(3, Int32(try await cluster.liveBrokers().count))
        var rows: [[String]] = [], bars: [(String, Double)] = []
        var result = ProcessingComparison()
        let modes = [
            ("exactly-once", CopyProcessor.Mode.exactlyOnce(transactionalId: "compare-eos")),
            ("at-least-once", .atLeastOnce),
        ]
        for (label, mode) in modes {
            let topic = output(label == "exactly-once" ? "eos" : "alo")
            try await cluster.createTopic(
                TopicSpec(name: topic, partitions: partitions, replicationFactor: replication))
            if label == "exactly-once" { result.exactlyOnceOutput = topic } else { result.atLeastOnceOutput = topic }
            let p = CopyProcessor(
                cluster: cluster, mode: mode, group: "compare-\(label)", input: input,
                output: topic, partitions: partitions)
            // The processors' own counts measure throughput only; the verdict reads the outputs back.
            let written = try await p.run(killPoints: []).reduce(0, +)
            let seconds = max(
                1e-6,
                Double(p.processingTime.components.attoseconds) / 1e18
                    + Double(p.processingTime.components.seconds))
            rows.append([
                label, "\(written)", String(format: "%.2f", seconds),
                String(format: "%.0f", Double(written) / seconds),
            ])
            bars.append((label, Double(written) / seconds))
        }
        result.table = Evidence.table(
            ["processing", "records", "seconds (first record to last commit)", "records/s"], rows)
        if let missing = exactlyOnceCapabilities.first(where: { !cluster.capabilities.contains($0) }) {
            result.table +=
                "\n\nThe \(cluster.backend) cluster runs the transactions but does not model "
                + "\(missing.rawValue): these numbers are the cost of the transactional protocol as the clients "
                + "pay it, not a measurement of exactly-once delivery."
        }
        result.chart = Evidence.barChart(title: "Read-process-write throughput (records/s)", bars: bars)
        return result
    }
}

extension ProcessingComparison {
    /// The input and both outputs read back (the exactly-once output with isolation.level=read_committed),
    /// with the isolation level that read ran with, and a Markdown table of what each output holds.
    public static func readBack(
        cluster: any Cluster, input: [[UInt8]], exactlyOnceOutput: String, atLeastOnceOutput: String, partitions: Int32
    ) async throws -> (exactlyOnce: [[UInt8]], isolation: String?, atLeastOnce: [[UInt8]], table: String) {
        let eosRead = try await LogEndReads.readTopicReporting(
            cluster, topic: exactlyOnceOutput,
            partitions: partitions, readCommitted: true)
        let eos = eosRead.records.map(\.value)
        let alo = try await LogEndReads.readTopic(cluster, topic: atLeastOnceOutput, partitions: partitions).map(
            \.value)
        let rows = [("exactly-once", eos), ("at-least-once", alo)].map { label, values in
            let v = CopyVerdict(input: input, output: values)
            return [label, "\(values.count)", "\(v.outputCounts.count)", "\(v.doubled.count)", "\(v.missing.count)"]
        }
        let header = ["output", "records read back", "orders", "orders twice", "orders missing"]
        return (eos, eosRead.isolation, alo, Evidence.table(header, rows))
    }
}

extension CopyProcessor {
    /// A processor on a cluster of a scenario: its client configuration, and its group and transactional id
    /// registered with the cluster's coordinator.
    public convenience init(
        cluster: any Cluster, mode: Mode, group: String, input: String, output: String, partitions: Int32
    ) {
        let connection = Connection(
            config: { cluster.config($0) },
            uses: { cluster.registerCoordinatorKey($0, type: $1 ? .transaction : .group) })
        self.init(
            connection: connection, mode: mode, group: group, input: input, output: output, partitions: partitions)
    }
}
