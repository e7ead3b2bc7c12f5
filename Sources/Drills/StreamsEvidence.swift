import KafkaClient
import Processing
import Streams
import Verification

/// What the KAF-14 Then steps read back from the cluster, with the tables that show it beside the oracle.
extension StreamsDrills {
    /// The window results read back from `results`, judged against the oracle's expectation.
    public static func windowResults(
        config: KafkaConfig, results: String, partitions: Int32, expected: StreamOracle.Expectation, inputs: Int
    ) async throws -> (verdict: Verdict, table: String, summary: String) {
        let rows = try await rows(config: config, results: results, partitions: partitions)
        let want = Dictionary(uniqueKeysWithValues: expected.rows.map { ("\($0.key)@\($0.start)", $0) })
        let table = Evidence.table(
            ["window", "count · sum read back", "oracle"],
            rows.prefix(12).map { r in
                let w = want["\(r.key)@\(r.start)"]
                return [
                    "\(r.key) @ \(r.start - epoch)" + (r.end.map { "–\($0 - epoch)" } ?? "") + " ms",
                    "\(r.count) · \(r.sum)",
                    w.map { "\($0.count) · \($0.sum)" } ?? "–",
                ]
            })
        let summary =
            "\(rows.count) windows read back, \(expected.rows.count) expected from \(inputs) inputs "
            + "(\(expected.pairs) pairs counted, \(expected.lateInputs.count) inputs late for the join, "
            + "\(expected.closedWindowPairs.count) pairs for closed windows"
            + (expected.sessionsMerged > 0 ? ", \(expected.sessionsMerged) sessions merged into an earlier one)" : ")")
        return (StreamOracle.verdict(actual: rows, expected: expected), table, summary)
    }

    /// The records a processor reported dropped, read back from `topic`, judged against the oracle's.
    public static func droppedRecords(config: KafkaConfig, topic: String, expected: StreamOracle.Expectation)
        async throws -> (verdict: Verdict, table: String)
    {
        let dropped = try await dropped(config: config, topic: topic)
        let table = Evidence.table(
            ["record", "reason", "stream time"],
            dropped.prefix(12).map {
                [
                    "\($0.record.side) \($0.record.key) @ \($0.record.timestamp - epoch) ms",
                    $0.reason.rawValue, "\($0.streamTime - epoch) ms",
                ]
            })
        let reported = dropped.map { ($0.record.side == .order, $0.record.partition, $0.record.offset) }
        return (StreamOracle.droppedVerdict(reported: reported, expected: expected), table)
    }

    /// Two topics read back, compared partition by partition, record by record.
    public static func sameRecords(config: KafkaConfig, _ a: String, _ b: String, partitions: Int32)
        async throws -> (verdict: Verdict, summary: String)
    {
        let partitions = Array(0..<partitions)
        let first = try await TopicReader.readAll(config: config, topic: a, partitions: partitions)
        let second = try await TopicReader.readAll(config: config, topic: b, partitions: partitions)
        let plain = { (r: ConsumedRecord) in
            Replay.Record(partition: r.partition, offset: r.offset, key: r.key, value: r.value)
        }
        return (
            Replay.sameRecords(a, first.map(plain), second.map(plain), partitions: partitions),
            "\(first.count) records in \(a), \(second.count) in \(b)"
        )
    }
}

extension StreamsDrills {
    /// What a replay did: the fresh instance's counts and its window results as `kafka-bdd streams query`
    /// prints them.
    public struct Replayed: Sendable {
        public var processed: Int
        public var droppedAsLate: Int
        public var windows: [String]
        public var summary: String { "processed \(processed) records, \(droppedAsLate) dropped as late" }
    }

    /// `kafka-bdd streams replay`: a fresh instance of the processor (the options name its own group, changelog
    /// and dropped topic, which must exist) reads the input topics from the beginning until it has caught up
    /// with them, then stops. A processor that failed is a failed replay.
    public static func replay(config: KafkaConfig, options: StreamProcessor.Options, within: Duration)
        async throws -> Replayed
    {
        let processor = StreamProcessor(config: config, options: options)
        try await processor.start()
        try await processor.waitUntilIdle(within: within)
        await processor.stop()
        let s = processor.status
        if let e = s.error { throw DrillFailure("the replay's stream processor failed: \(e)") }
        let windows = Topology(options.topology).view(s.state).map { "\($0)" }
        return Replayed(processed: s.processed, droppedAsLate: s.state.dropped.count, windows: windows)
    }
}
