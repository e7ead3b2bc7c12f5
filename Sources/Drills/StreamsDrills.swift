import Foundation
import KafkaClient
import Cluster
import Processing
import Streams
import Synchronization
import Verification

/// KAF-14's drills: the input records with their event times, and the processor's runs.
public enum StreamsDrills {
    /// A fixed epoch, so that a scenario's windows are the same on every run.
    public static let epoch: Int64 = 1_700_000_000_000

    public struct Planned: Sendable {
        public var isOrder: Bool
        public var key: String
        public var amount: Int64
        public var timestamp: Int64
    }

    /// Orders and payments for `keys` keys over `seconds` of event time, in timestamp order, payments
    /// trailing or leading their orders by amounts that put some inside and some outside the join window;
    /// then late pairs written last: `within` pairs (key `late-in-N`) half a grace period behind the
    /// newest time, and `beyond` pairs (key `late-out-N`) a join window, a grace period and a window
    /// behind it.
    public static func plan(keys: Int, seconds: Int, within: Int, beyond: Int, config: TopologyConfig) -> [Planned] {
        let n = max(1, keys * 12)
        let step = Int64(seconds) * 1000 / Int64(n)
        let w = config.joinWindow
        let offsets: [Int64] = [-w / 2, w / 4, w * 3 / 2, w / 2, -w * 2, 0]
        var out: [Planned] = []
        for j in 0..<n {
            let t = epoch + Int64(j) * step
            let key = "customer-\(j % keys)"
            out.append(Planned(isOrder: true, key: key, amount: Int64(10 + j % 7), timestamp: t))
            out.append(
                Planned(isOrder: false, key: key, amount: Int64(5 + j % 11), timestamp: t + offsets[j % offsets.count]))
        }
        out.sort { $0.timestamp < $1.timestamp }
        let newest = out.map(\.timestamp).max() ?? epoch
        for i in 0..<within {
            let t = newest - config.grace / 2 + Int64(i)
            out.append(Planned(isOrder: true, key: "late-in-\(i)", amount: 1, timestamp: t))
            out.append(Planned(isOrder: false, key: "late-in-\(i)", amount: 100, timestamp: t))
        }
        for i in 0..<beyond {
            let t = newest - config.joinWindow - config.grace - config.windowSize - Int64(i)
            out.append(Planned(isOrder: true, key: "late-out-\(i)", amount: 1, timestamp: t))
            out.append(Planned(isOrder: false, key: "late-out-\(i)", amount: 100, timestamp: t))
        }
        return out + edges(after: newest, config: config)
    }

    /// Records on the topology's boundaries, after everything else in event time. Where one must be
    /// processed at a chosen stream time it is written behind a record of its key carrying that time:
    /// the same partition, so it cannot be taken first.
    /// - `edge-join`: a pair exactly one join window apart (joined); `edge-apart`: one ms more (not).
    /// - `edge-retained`: an order exactly join window + grace behind stream time (on time, not late),
    ///   joining a payment exactly 2·join window + grace behind it (still buffered): one pair counted.
    /// - `edge-closed`: a pair on a window's last millisecond, joined when stream time is exactly that
    ///   window's end + grace (closed: dropped and reported).
    public static func edges(after newest: Int64, config: TopologyConfig) -> [Planned] {
        let w = config.joinWindow, g = config.grace, size = config.windowSize
        let b = (newest / size + 3) * size, c = b + 3 * size, e = c + 2 * size
        func order(_ key: String, _ amount: Int64, _ t: Int64) -> Planned {
            Planned(isOrder: true, key: key, amount: amount, timestamp: t)
        }
        func payment(_ key: String, _ amount: Int64, _ t: Int64) -> Planned {
            Planned(isOrder: false, key: key, amount: amount, timestamp: t)
        }
        return [
            order("edge-join", 1, b + 100), order("edge-apart", 2, b + 200),
            payment("edge-join", 31, b + 100 + w), payment("edge-apart", 32, b + 201 + w),
            payment("edge-retained", 33, c + 1 - w), order("edge-retained", 3, c + 1 + w + g),
            order("edge-retained", 4, c + 1),
            order("edge-closed", 5, e - 1), payment("edge-closed", 35, e + g), payment("edge-closed", 36, e - 1),
        ]
    }

    /// Writes the planned records in order (keyed, with their event times) and returns them as the
    /// oracle's inputs, placed where the cluster acknowledged them.
    public static func produce(_ planned: [Planned], orders: String, payments: String, config: KafkaConfig) async throws
        -> [StreamOracle.Input]
    {
        let placed = Mutex<[UInt64: (Int32, Int64)]>([:])
        let failures = Mutex<[String]>([])
        let producer = try Producer(
            config: config.merging(
                KafkaConfig([
                    "acks": "all",
                    "max.in.flight.requests.per.connection": "1",
                ])),
            onDelivery: { r in
                if let e = r.error {
                    failures.withLock { $0.append("\(e)") }
                } else {
                    placed.withLock { $0[r.token] = (r.partition, r.offset) }
                }
            })
        defer { producer.close() }
        for (i, p) in planned.enumerated() {
            try producer.produce(
                topic: p.isOrder ? orders : payments, key: Array(p.key.utf8),
                value: StreamsCodec.value(amount: p.amount), timestamp: p.timestamp, token: UInt64(i))
        }
        try await producer.flush(timeout: .seconds(60))
        if let first = failures.withLock({ $0.first }) {
            throw KafkaError.transport("an input record failed: \(first)")
        }
        let where_ = placed.withLock { $0 }
        return try planned.enumerated().map { i, p in
            guard let (partition, offset) = where_[UInt64(i)] else {
                throw KafkaError.transport("input record \(i) has no delivery report")
            }
            return StreamOracle.Input(
                isOrder: p.isOrder, partition: partition, offset: offset, key: p.key,
                amount: p.amount, timestamp: p.timestamp)
        }
    }

    /// The result view read back from the results topic, as the oracle's rows.
    public static func rows(config: KafkaConfig, results: String, partitions: Int32) async throws
        -> [StreamOracle.Row]
    {
        try await StreamProcessor.readResults(config: config, topic: results, partitions: partitions).map {
            StreamOracle.Row(
                key: $0.window.key, start: $0.window.start, count: $0.aggregate.count, sum: $0.aggregate.sum,
                end: $0.aggregate.last)
        }
    }

    /// The dropped-record reports read back from their topic.
    public static func dropped(config: KafkaConfig, topic: String) async throws -> [DroppedRecord] {
        try await TopicReader.readAll(config: config, topic: topic, partitions: [0]).map {
            try StreamsCodec.decode(DroppedRecord.self, $0.value)
        }
    }
}

/// A stream processor stopped and started again from its options, as a restarted instance of the same
/// application: with its state restored from the changelog, or (the drill) without.
public enum StreamsRestart {
    /// Runs the new instance until it caught up with its input; throws if it failed. Returns the new
    /// processor (stopped) and a Markdown table of the restore and the recovery.
    public static func run(
        _ old: StreamProcessor, config: KafkaConfig, restoring: Bool, within limit: Duration
    ) async throws -> (processor: StreamProcessor, table: String) {
        await old.stop()
        var options = old.options
        options.restoreState = restoring
        let began = ContinuousClock.now
        let processor = StreamProcessor(config: config, options: options)
        try await processor.start()
        do { try await processor.waitUntilIdle(within: limit) } catch {
            await processor.stop()
            throw error
        }
        let caughtUp = ContinuousClock.now
        await processor.stop()
        let s = processor.status
        if let e = s.error { throw DrillFailure("the stream processor failed: \(e)") }
        let restore = "\(s.restored) changelog entries in \(s.restoring.milliseconds) ms"
        return (
            processor,
            Evidence.table(
                ["", ""],
                [
                    ["state restored", restoring ? restore : "no (drill)"],
                    ["re-delivered records skipped (already in the restored state)", "\(s.skipped)"],
                    ["records processed after the restart", "\(s.processed)"],
                    ["recovery time (restart → caught up with the input)", "\((caughtUp - began).milliseconds) ms"],
                ])
        )
    }
}

/// Two instances of one application sharing its tasks (KAF-14 scaling): the first has processed some records
/// alone and holds, still in the group; the second joins; once the group has split the tasks between them
/// (every task held by exactly one), the first goes on and both run until they have caught up, and go on
/// running (the scenario's end stops them). An instance that leaves hands its tasks to those that stay.
public enum StreamsScaling {
    public static func join(
        _ first: StreamProcessor, config: KafkaConfig, restoring: Bool, tasks: Set<Int32>, within limit: Duration
    ) async throws -> StreamProcessor {
        var options = first.options
        options.restoreState = restoring
        options.shareWork = true
        let joiner = StreamProcessor(config: config, options: options)
        try await joiner.start()
        do {
            try await joiner.waitUntil(within: limit, "been given its tasks with the other instance") { s in
                let other = first.status
                let mine = Set(s.tasks.keys), theirs = Set(other.tasks.keys)
                return !mine.isEmpty && mine.isDisjoint(with: theirs) && mine.union(theirs) == tasks
            }
            first.release()
            for p in [first, joiner] { try await p.waitUntilIdle(within: limit) }
        } catch {
            await stop([first, joiner])
            throw error
        }
        return joiner
    }

    /// `leaver` stops (committing, leaving the group); returns once the instances that stay hold every task
    /// between them and have caught up.
    public static func leave(
        _ leaver: StreamProcessor, staying: [StreamProcessor], tasks: Set<Int32>, within limit: Duration
    ) async throws {
        await leaver.stop()
        if let e = leaver.status.error { throw DrillFailure("the leaving stream processor failed: \(e)") }
        guard let first = staying.first else { return }
        try await first.waitUntil(within: limit, "taken the tasks of the instance that left") { _ in
            staying.reduce(into: Set<Int32>()) { $0.formUnion($1.status.tasks.keys) } == tasks
                && staying.allSatisfy { $0.status.caughtUp }
        }
    }

    /// Stops every instance at once: one by one, each leaving would hand its tasks to the others first.
    public static func stop(_ processors: [StreamProcessor]) async {
        await withTaskGroup(of: Void.self) { group in
            for p in processors { group.addTask { await p.stop() } }
        }
    }

    /// Who held which task, what each restored and processed.
    public static func table(_ instances: [(name: String, processor: StreamProcessor)]) -> String {
        Evidence.table(
            ["instance", "tasks held at the end", "changelog entries restored per task", "records processed per task"],
            instances.map { name, p in
                let s = p.status
                func show(_ d: [Int32: Int]) -> String {
                    d.isEmpty
                        ? "–" : d.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                }
                return [
                    name, s.tasks.keys.sorted().map(String.init).joined(separator: ", "), show(s.restoredTasks),
                    show(s.processedTasks),
                ]
            })
    }
}
