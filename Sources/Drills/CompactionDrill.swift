import Foundation
import KafkaClient
import Cluster
import Verification

/// The KAF-06 drill: write a keyed history with tombstones, keep rolling segments until the cleaner
/// has compacted it, and read the segments back with the broker's own tools.
public enum CompactionDrill {
    public static func write(_ cluster: any Cluster, topic: String, keys: Int, updates: Int, deleteEvery: Int)
        async throws -> [LogRecord]
    {
        let producer = try Producer(config: cluster.config(["acks": "all", "linger.ms": "5"]))
        defer { producer.close() }
        var written: [LogRecord] = []
        func key(_ k: Int) -> String { "key-" + String(format: "%04d", k) }
        for round in 1...updates {
            for k in 1...keys {
                let value = "\(key(k)):v\(round)"
                let report = try await producer.send(
                    topic: topic, partition: 0, key: Array(key(k).utf8), value: Array(value.utf8))
                written.append(LogRecord(offset: report.offset, key: key(k), value: value))
            }
        }
        for k in stride(from: deleteEvery, through: keys, by: deleteEvery) {
            let report = try await producer.send(
                topic: topic, partition: 0, key: Array(key(k).utf8), value: [],
                tombstone: true)
            written.append(LogRecord(offset: report.offset, key: key(k), value: nil))
        }
        return written.sorted { $0.offset < $1.offset }
    }

    /// Writes `records` in order to partition 0 of `topic` (acks=all): a nil value is a tombstone. Each
    /// record's offset comes from its delivery report.
    public static func write(_ cluster: any Cluster, topic: String, records: [(key: String, value: String?)])
        async throws -> [LogRecord]
    {
        let producer = try Producer(config: cluster.config(["acks": "all", "linger.ms": "5"]))
        defer { producer.close() }
        var written: [LogRecord] = []
        for r in records {
            let report = try await producer.send(
                topic: topic, partition: 0, key: Array(r.key.utf8), value: Array((r.value ?? "").utf8),
                tombstone: r.value == nil)
            written.append(LogRecord(offset: report.offset, key: r.key, value: r.value))
        }
        return written
    }

    /// Partition 0 of `topic` read from its start, as records, judged against what was written; and the table.
    public static func readBackAsWritten(_ cluster: any Cluster, topic: String, written: [LogRecord])
        async throws -> (verdict: Verdict, table: String)
    {
        let readBack = try await readPartition(cluster, topic: topic).map {
            LogRecord(offset: $0.offset, key: $0.keyString ?? "", value: $0.valueIsNull ? nil : $0.valueString)
        }
        let table = Evidence.table(
            ["offset", "key", "value read back"],
            readBack.prefix(20).map { ["\($0.offset)", $0.key, $0.value ?? "(tombstone)"] })
        return (WrittenLog.readsBackAsWritten(written, readBack: readBack), table)
    }

    public struct Result {
        public var verdict: Verdict
        public var horizon: Int64
        public var readBack: [LogRecord]
        public var summary: String
    }

    /// Once a second: a record under a new key (the active segment rolls, segment.ms being 100, so what
    /// came before becomes cleanable), then the partition read back and judged. Returns the first
    /// verdict that holds, or the last one at the deadline.
    public static func awaitCompaction(
        _ cluster: any Cluster, topic: String, written: [LogRecord],
        within limit: Duration
    ) async throws -> Result {
        let producer = try Producer(config: cluster.config(["acks": "all"]))
        defer { producer.close() }
        let start = ContinuousClock.now, deadline = start + limit
        var history = written, horizon: Int64?, rolls = 0
        var last: Result?
        var firstCompacted: Duration?
        while true {
            try await Task.sleep(for: .seconds(1))  // lets segment.ms pass, so the next record rolls the segment
            rolls += 1
            let key = "roll-\(rolls)", value = "roll-\(rolls)"
            let report = try await producer.send(
                topic: topic, partition: 0, key: Array(key.utf8), value: Array(value.utf8))
            history.append(LogRecord(offset: report.offset, key: key, value: value))
            let h = horizon ?? report.offset
            horizon = h
            let records = try await readPartition(cluster, topic: topic)
            let readBack = records.map {
                LogRecord(offset: $0.offset, key: $0.keyString ?? "", value: $0.valueIsNull ? nil : $0.valueString)
            }
            let pending = CompactionExpectation(written: history, cleanedBelow: h, tombstonesExpired: false)
            if firstCompacted == nil, pending.verdict(readBack: readBack).holds {
                firstCompacted = start.duration(to: .now)
            }
            let verdict = CompactionExpectation(written: history, cleanedBelow: h, tombstonesExpired: true)
                .verdict(readBack: readBack)
            let elapsed = start.duration(to: .now)
            let compacted: String = firstCompacted.map { "\(secs($0)) s" } ?? "—"
            var summary = "\(written.count) records written, \(readBack.count) read back after \(secs(elapsed)) s "
            summary += "(\(rolls) segment rolls); latest values only below offset \(h) after \(compacted); "
            summary += "tombstones gone: \(verdict.holds)"
            last = Result(verdict: verdict, horizon: h, readBack: readBack, summary: summary)
            if verdict.holds || ContinuousClock.now >= deadline { return last! }
        }
    }

    public static func secs(_ d: Duration) -> String {
        String(format: "%.1f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    public struct Layout {
        public var segmentRows: [[String]]
        public var replicaRows: [[String]]
        /// Every record of the dumped .log files, in offset order.
        public var records: [LogRecord]
    }

    public static func layout(_ compose: ComposeCluster, topic: String) async throws -> Layout {
        let (broker, files) = try await compose.segmentFiles(topic: topic, partition: 0)
        let dumpable = files.filter { $0.name.hasSuffix(".log") || $0.name.hasSuffix(".index") }
        let dumps = try await compose.dumpLog(topic: topic, partition: 0, files: dumpable.map(\.name))
        let byName = Dictionary(dumps.map { ($0.name, $0) }) { a, _ in a }
        var rows: [[String]] = []
        for f in files {
            let d = byName[f.name]
            let isLog = f.name.hasSuffix(".log"), isIndex = f.name.hasSuffix(".index")
            rows.append([
                f.name + (f == files.last(where: { $0.name.hasSuffix(".log") }) ? " (active)" : ""),
                f.baseOffset.map(String.init) ?? "", String(f.bytes),
                isLog ? String(d?.records.count ?? 0) : "",
                isLog ? String(d?.records.filter { $0.valueSize < 0 }.count ?? 0) : "",
                isIndex ? String(d?.indexEntries ?? 0) : "",
            ])
        }
        rows.append(["leader", "broker \(broker)", "", "", "", ""])
        let replicas = try await compose.replicaSizes(topic: topic).map {
            [String($0.broker), $0.partition, String($0.bytes)]
        }
        let records = dumps.filter { $0.name.hasSuffix(".log") }.flatMap(\.records).map {
            LogRecord(offset: $0.offset, key: $0.key ?? "", value: $0.valueSize < 0 ? nil : "")
        }
        return Layout(segmentRows: rows, replicaRows: replicas, records: records.sorted { $0.offset < $1.offset })
    }

    /// The dump and the consumer agree on which offsets hold which keys and which are tombstones. The
    /// dump may show records written after the read (later roll records); those are left out.
    public static func compare(dumped: [LogRecord], readBack: [LogRecord]) -> Verdict {
        guard let end = readBack.last?.offset else { return .fails("nothing was read back to compare with the dump") }
        let disk = dumped.filter { $0.offset <= end }
        let shape = { (r: LogRecord) in "\(r.key)@\(r.offset)\(r.value == nil ? " (tombstone)" : "")" }
        let a = disk.map(shape), b = readBack.map(shape)
        guard a != b else { return Verdict() }
        let onlyDisk = Set(a).subtracting(b).sorted().prefix(3), onlyRead = Set(b).subtracting(a).sorted().prefix(3)
        return .fails(
            "the segments on disk hold \(disk.count) records up to offset \(end), the consumer read "
                + "\(readBack.count): only on disk \(Array(onlyDisk)), only read \(Array(onlyRead))")
    }

    /// Partition 0 from its first offset to its end as it is now.
    public static func readPartition(_ cluster: any Cluster, topic: String) async throws -> [ConsumedRecord] {
        let consumer = try Consumer(
            config: cluster.config([
                "group.id": "kafka-bdd-reader-\(UUID().uuidString)", "enable.auto.commit": "false",
            ]))
        let ends = try await consumer.logEnds(topic, partitions: 1)
        try await consumer.assignKnowingLeaders(
            [TopicPartitionOffset(topic: topic, partition: 0, offset: TopicPartitionOffset.beginning)]
        )
        do {
            let records = try await consumer.read(toEnds: ends)
            await consumer.close()
            return records
        } catch {
            await consumer.close()
            throw error
        }
    }
}
