import Foundation
import KafkaClient
import Synchronization

/// A mirror from a source cluster to a target cluster following MirrorMaker 2's conventions, built
/// on our Kafka layer (the embedded clusters have no Connect):
/// - topics chosen by include/exclude regular expressions (whole-name matches; excluded wins);
///   internal topics, heartbeats, checkpoints and the target's own remote topics are never mirrored;
/// - a source topic `orders` becomes `east.orders` on the target (source alias, a dot, the name),
///   with as many partitions, each record going to the same partition number;
/// - keys, values, headers and timestamps are kept; each partition's order is kept (one request in
///   flight, and every batch is flushed before the next is read);
/// - offsets translated for consumer groups: every checkpoint interval each listed group's committed
///   offsets on the source are translated through the offset map (source offset → target offset,
///   learnt from each mirrored record's delivery report) and written to `east.checkpoints.internal`
///   on the target (JSON, where MM2 writes its binary struct);
/// - a heartbeat to `heartbeats` on the target every heartbeat interval.
/// Blocking librdkafka calls run through `Blocking.run`, off the Swift concurrency pool.
public final class Mirror: @unchecked Sendable {
    public struct Options: Sendable {
        public var sourceAlias = "east"
        public var targetAlias = "west"
        public var include: [String] = [".*"]
        public var exclude: [String] = []
        public var groups: [String] = []
        public var checkpointInterval: Duration = .seconds(1)
        public var heartbeatInterval: Duration = .seconds(1)
        public var topicRefreshInterval: Duration = .seconds(5)
        /// Of the topics the mirror creates on the target (copies, checkpoints, heartbeats), which it writes
        /// with acks=all: at least the target's min.insync.replicas, or Kafka refuses every write.
        public var replicationFactor: Int32 = 1
        public init() {}
    }

    /// A defect switched on by a negative control: the mirror under test misbehaving.
    public enum Defect: Sendable, Equatable {
        /// The next record read is not written to the target.
        case dropNextRecord
        /// Topics named for the target (`west.…` on a mirror to west) are mirrored too: two mirrors in
        /// opposite directions copy each other's copies back.
        case noLoopPrevention
    }

    /// A checkpoint as written to the checkpoints topic.
    public struct Checkpoint: Codable, Sendable, Hashable {
        public var group: String
        public var topic: String
        public var partition: Int32
        public var upstreamOffset: Int64
        public var downstreamOffset: Int64
        public var timestamp: Int64
    }

    public struct Heartbeat: Codable, Sendable, Hashable {
        public var sourceClusterAlias: String
        public var targetClusterAlias: String
        public var timestamp: Int64
    }

    public static func remoteTopic(_ topic: String, sourceAlias: String) -> String { "\(sourceAlias).\(topic)" }
    public static func checkpointsTopic(sourceAlias: String) -> String { "\(sourceAlias).checkpoints.internal" }
    public static let heartbeatsTopic = "heartbeats"

    public let options: Options
    private let source: KafkaConfig
    private let target: KafkaConfig
    private let createTopic: @Sendable (TopicSpec) async throws -> Void

    private struct State {
        var paused = false
        var stopping = false
        var defect: Defect?
        var mirrored = 0
        var dropped = 0
        var checkpoints = 0
        var heartbeats = 0
        var lastCheckpoint: String?
        var offsetMap: [String: [Int64: Int64]] = [:]  // "topic/partition" → source → target
        var topics: [String: Int32] = [:]
        var scans = 0
        var error: String?
        /// The last look for new source topics that failed (the source unreachable): the mirror goes on.
        var refreshError: String?
        /// Told at stop that the source cluster died: its clients are dropped, not closed (a close would wait
        /// on a group coordinator that is gone).
        var sourceGone = false
    }
    private let state = Mutex(State())
    private var task: Task<Void, Never>?
    private var beatsTask: Task<Void, Never>?

    /// - Parameter createTopic: creates a topic on the target (the embedded mock has no CreateTopics API).
    public init(
        source: KafkaConfig, target: KafkaConfig, options: Options,
        createTopic: @escaping @Sendable (TopicSpec) async throws -> Void
    ) {
        self.source = source
        self.target = target
        self.options = options
        self.createTopic = createTopic
    }

    /// Whether the include and exclude patterns alone take `topic` (the loop rule aside).
    public func patternsSelect(_ topic: String) -> Bool {
        func matches(_ patterns: [String]) -> Bool {
            patterns.contains { p in (try? Regex(p)).map { topic.wholeMatch(of: $0) != nil } ?? false }
        }
        return matches(options.include) && !matches(options.exclude)
    }

    public func selects(_ topic: String) -> Bool {
        let loops = state.withLock { $0.defect == .noLoopPrevention }
        if topic.hasPrefix("__") || topic == Self.heartbeatsTopic || topic.hasSuffix(".internal")
            || (topic.hasPrefix(options.targetAlias + ".") && !loops) || topic.hasPrefix("mm2-")
        {
            return false
        }
        return patternsSelect(topic)
    }

    public func pause() { state.withLock { $0.paused = true } }
    public func resume() { state.withLock { $0.paused = false } }
    public func inject(_ defect: Defect) { state.withLock { $0.defect = defect } }

    public struct Status: Sendable {
        public var mirrored: Int, dropped: Int, checkpoints: Int, heartbeats: Int
        public var topics: [String: Int32]
        public var paused: Bool
        public var error: String?
        /// What the last checkpoint round did, per group.
        public var lastCheckpoint: String?
        /// How many times it has listed the source's topics for new ones to mirror.
        public var scans: Int
        /// Why its last look for new source topics failed (it looks again next round), if it did.
        public var refreshError: String?
    }
    public var status: Status {
        state.withLock {
            Status(
                mirrored: $0.mirrored, dropped: $0.dropped, checkpoints: $0.checkpoints,
                heartbeats: $0.heartbeats, topics: $0.topics, paused: $0.paused, error: $0.error,
                lastCheckpoint: $0.lastCheckpoint, scans: $0.scans, refreshError: $0.refreshError)
        }
    }

    /// The target offset a consumer should start from for a committed source offset `upstream`.
    public func translate(topic: String, partition: Int32, upstream: Int64) -> Int64? {
        state.withLock { s in s.offsetMap["\(topic)/\(partition)"].flatMap { Self.translate(upstream, through: $0) } }
    }

    /// Through a partition's offset map (source offset → target offset of each mirrored record): a
    /// committed offset is the next record to read, so one mirrored maps to that record's copy, and
    /// one not mirrored yet to the offset after the newest copy below it.
    public static func translate(_ upstream: Int64, through map: [Int64: Int64]) -> Int64? {
        if let exact = map[upstream] { return exact }
        guard let below = map.keys.filter({ $0 < upstream }).max() else { return nil }
        return map[below]! + 1
    }

    /// Starts mirroring in the background, the topics selected now with their remote copies made; throws
    /// when the clients or those copies cannot be made.
    public func start() async throws {
        let consumer = try Consumer(
            config: source.merging(
                KafkaConfig([
                    "group.id": "mirror-\(options.sourceAlias)-\(options.targetAlias)", "enable.auto.commit": "false",
                    "auto.offset.reset": "earliest", "fetch.wait.max.ms": "50",
                ])))
        let delivered = Locked<[UInt64: (String, Int32, Int64)]>([:])
        let producer = try Producer(
            config: target.merging(
                KafkaConfig([
                    "acks": "all", "max.in.flight.requests.per.connection": "1", "linger.ms": "5",
                ])),
            onDelivery: { [weak self] report in
                guard let self, report.error == nil,
                    let origin = delivered.withLock({ $0.removeValue(forKey: report.token) })
                else { return }
                self.state.withLock { $0.offsetMap["\(origin.0)/\(origin.1)", default: [:]][origin.2] = report.offset }
            })
        try await createTopic(
            TopicSpec(
                name: Self.checkpointsTopic(sourceAlias: options.sourceAlias), partitions: 1,
                replicationFactor: options.replicationFactor))
        try await createTopic(
            TopicSpec(
                name: Self.heartbeatsTopic, partitions: 1,
                replicationFactor: options.replicationFactor))
        // The topics selected now get their remote copies before start returns, so a fault a scenario
        // injects next (a target broker killed) lands on a running mirror, not on its first topic creation:
        // under load that creation could come after the kill and be refused (too few live brokers), and the
        // mirror stopped with nothing copied (a CI run: "200 source records, 0 on the target").
        let initial = try await refresh(consumer: consumer, producer: producer, assigned: [])
        let beatsProducer = try Producer(config: target.merging(KafkaConfig(["acks": "all"])))
        beatsTask = Task.detached { [self] in
            do { try await beats(producer: beatsProducer) } catch { state.withLock { $0.error = "\(error)" } }
            await beatsProducer.close(flushTimeout: .seconds(5))
        }
        task = Task.detached { [self] in
            do {
                try await loop(consumer: consumer, producer: producer, delivered: delivered, assigned: initial)
            } catch {
                state.withLock { $0.error = "\(error)" }
            }
            state.withLock { $0.stopping = true }
            if state.withLock({ $0.sourceGone }) { consumer.kill() } else { await consumer.close(within: .seconds(5)) }
            await producer.close(flushTimeout: .seconds(5))
        }
    }

    /// Stops copying and checkpointing. `sourceGone`: the source cluster died, so its clients are dropped at
    /// once instead of closed (each close would wait seconds for brokers that are gone).
    public func stop(sourceGone: Bool = false) async {
        state.withLock {
            $0.stopping = true
            $0.sourceGone = $0.sourceGone || sourceGone
        }
        await task?.value
        await beatsTask?.value
    }

    private func loop(
        consumer: Consumer, producer: Producer, delivered: Locked<[UInt64: (String, Int32, Int64)]>,
        assigned initial: [TopicPartitionOffset]
    ) async throws {
        var token: UInt64 = 0
        var nextRefresh = ContinuousClock.now + options.topicRefreshInterval
        var assigned = initial
        while !state.withLock({ $0.stopping }) {
            if state.withLock({ $0.paused }) {
                try await Task.sleep(for: .milliseconds(20))  // idle while paused; stop and resume are flags
                continue
            }
            let now = ContinuousClock.now
            if now >= nextRefresh {
                nextRefresh = now + options.topicRefreshInterval
                assigned = try await refresh(consumer: consumer, producer: producer, assigned: assigned)
            }
            if !assigned.isEmpty {
                let records = try await consumer.records(atMost: 500, within: .milliseconds(50))
                if !records.isEmpty {
                    for r in records {
                        if state.withLock({ s in
                            guard s.defect == .dropNextRecord else { return false }
                            s.defect = nil
                            s.dropped += 1
                            return true
                        }) {
                            continue
                        }
                        token += 1
                        delivered.withLock { $0[token] = (r.topic, r.partition, r.offset) }
                        try producer.produce(
                            topic: Self.remoteTopic(r.topic, sourceAlias: options.sourceAlias),
                            partition: r.partition, key: r.key, value: r.value, headers: r.headers,
                            timestamp: r.timestamp ?? Int64(Date().timeIntervalSince1970 * 1000), token: token)
                    }
                    try await producer.flush(timeout: .seconds(30))
                    let n = records.count
                    state.withLock { $0.mirrored += n }
                }
                // Only records are progress; an assignment keeps its offsets in the consumer itself.
                assigned = assigned.map {
                    var tp = $0; tp.offset = -1001; return tp
                }
            } else {
                try await Task.sleep(for: .milliseconds(20))  // nothing to mirror yet: wait for the next refresh
            }
        }
    }

    /// Looks for source topics the mirror selects and has no copy of yet: creates each one's remote topic on
    /// the target and assigns its partitions (those already read keep their place). Returns the assignment.
    private func refresh(
        consumer: Consumer, producer: Producer,
        assigned current: [TopicPartitionOffset]
    ) async throws -> [TopicPartitionOffset] {
        var assigned = current
        // A source that does not answer (it died, or is slow) is looked at again next round; the bound keeps
        // the loop, and so a stop, from waiting on it longer than that.
        let md: ClusterMetadata
        do { md = try await consumer.metadata(topic: nil, timeout: .seconds(2)) } catch {
            state.withLock { $0.refreshError = "\(error)" }
            return assigned
        }
        var changed = false
        for t in md.topics where selects(t.name) && state.withLock({ $0.topics[t.name] == nil }) {
            let count = Int32(t.partitions.count)
            let remote = Self.remoteTopic(t.name, sourceAlias: options.sourceAlias)
            try await createTopic(
                TopicSpec(
                    name: remote, partitions: count,
                    replicationFactor: options.replicationFactor))
            // The first record to a topic the producer has no metadata for waits about a second for it
            // (measured in the capstone's CDC reader): that is start-up, not the mirror's lag.
            _ = try? await producer.metadata(topic: remote)
            state.withLock { $0.topics[t.name] = count }
            assigned += (0..<count).map {
                TopicPartitionOffset(topic: t.name, partition: $0, offset: TopicPartitionOffset.beginning)
            }
            changed = true
        }
        state.withLock { $0.scans += 1 }
        guard changed else { return assigned }
        // Partitions already read keep their place: assign from the next offset of each.
        let positions = (try? consumer.positions(assigned.filter { $0.offset != TopicPartitionOffset.beginning })) ?? []
        let byKey = Dictionary(
            positions.map { ("\($0.topic)/\($0.partition)", $0.offset) },
            uniquingKeysWith: { a, _ in a })
        assigned = assigned.map { tp in
            var tp = tp
            if let o = byKey["\(tp.topic)/\(tp.partition)"], o >= 0 { tp.offset = o }
            return tp
        }
        try await consumer.assignKnowingLeaders(assigned)
        return assigned
    }

    /// Checkpoints and heartbeats, on their own task and producer (MM2's checkpoint and heartbeat
    /// connectors are apart from its source connector too): a slow round never holds up the copying.
    private func beats(producer: Producer) async throws {
        var nextCheckpoint = ContinuousClock.now + options.checkpointInterval, nextHeartbeat = ContinuousClock.now
        var groupClients: [String: Consumer] = [:]
        defer { for c in groupClients.values { c.kill() } }
        var token: UInt64 = 0
        while !state.withLock({ $0.stopping }) {
            try await Task.sleep(for: .milliseconds(20))  // the rounds' clock: they are due at their intervals
            if state.withLock({ $0.paused }) { continue }
            if ContinuousClock.now >= nextCheckpoint {
                nextCheckpoint = nextCheckpoint + options.checkpointInterval
                if nextCheckpoint < ContinuousClock.now {
                    nextCheckpoint = ContinuousClock.now + options.checkpointInterval
                }
                try await checkpoint(producer: producer, clients: &groupClients)
            }
            if ContinuousClock.now >= nextHeartbeat {
                nextHeartbeat = ContinuousClock.now + options.heartbeatInterval
                let beat = Heartbeat(
                    sourceClusterAlias: options.sourceAlias, targetClusterAlias: options.targetAlias,
                    timestamp: Int64(Date().timeIntervalSince1970 * 1000))
                token += 1
                try producer.produce(
                    topic: Self.heartbeatsTopic, partition: 0,
                    key: Array("\(options.sourceAlias)->\(options.targetAlias)".utf8),
                    value: Array(try JSONEncoder().encode(beat)), token: token)
                state.withLock { $0.heartbeats += 1 }
            }
        }
    }

    private func checkpoint(producer: Producer, clients: inout [String: Consumer]) async throws {
        let topics = state.withLock { $0.topics }
        guard !topics.isEmpty else { return }
        var token: UInt64 = 1 << 40
        for group in options.groups {
            // Kept across rounds: destroying a client can block the copy loop for most of a second.
            let client = try clients[group] ?? Consumer(config: source.merging(KafkaConfig(["group.id": group])))
            clients[group] = client
            let partitions = topics.sorted { $0.key < $1.key }.flatMap { t in
                (0..<t.value).map { TopicPartitionOffset(topic: t.key, partition: $0) }
            }
            let committed: [TopicPartitionOffset]
            do { committed = try await client.committed(partitions, timeout: .seconds(2)) } catch {
                state.withLock { $0.lastCheckpoint = "group \(group): committed offsets unreadable: \(error)" }
                continue
            }
            var written = 0
            defer {
                state.withLock {
                    $0.lastCheckpoint = "group \(group): \(written) partitions checkpointed of \(committed)"
                }
            }
            for c in committed where c.offset >= 0 {
                guard let downstream = translate(topic: c.topic, partition: c.partition, upstream: c.offset) else {
                    continue
                }
                written += 1
                let cp = Checkpoint(
                    group: group, topic: Self.remoteTopic(c.topic, sourceAlias: options.sourceAlias),
                    partition: c.partition, upstreamOffset: c.offset, downstreamOffset: downstream,
                    timestamp: Int64(Date().timeIntervalSince1970 * 1000))
                token += 1
                try producer.produce(
                    topic: Self.checkpointsTopic(sourceAlias: options.sourceAlias), partition: 0,
                    key: Array("\(group)|\(cp.topic)|\(c.partition)".utf8),
                    value: Array(try JSONEncoder().encode(cp)), token: token)
            }
        }
        try await producer.flush(timeout: .seconds(30))
        state.withLock { $0.checkpoints += 1 }
    }

    /// The newest checkpoint of each partition for `group`, read back from the target's checkpoints topic.
    public static func readCheckpoints(
        target: KafkaConfig, sourceAlias: String, group: String,
        within timeout: Duration = .seconds(10)
    ) async throws -> [Checkpoint] {
        let topic = checkpointsTopic(sourceAlias: sourceAlias)
        let records = try await TopicReader.readAll(config: target, topic: topic, partitions: [0], within: timeout)
        var latest: [String: Checkpoint] = [:]
        for r in records {
            guard let cp = try? JSONDecoder().decode(Checkpoint.self, from: Data(r.value)), cp.group == group else {
                continue
            }
            latest["\(cp.topic)/\(cp.partition)"] = cp
        }
        return latest.values.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }
}

/// Reads partitions from the beginning up to their high watermarks at the time of the call, all of it
/// (watermarks, metadata, the read) within `timeout`.
public enum TopicReader {
    public static func readAll(
        config: KafkaConfig, topic: String, partitions: [Int32],
        within timeout: Duration = .seconds(20)
    ) async throws -> [ConsumedRecord] {
        let consumer = try Consumer(
            config: config.merging(
                KafkaConfig([
                    "group.id": "kafka-bdd-reader-\(UUID().uuidString)",
                    "enable.auto.commit": "false",
                ])))
        defer { consumer.kill() }
        let deadline = ContinuousClock.now + timeout
        let left = { max(.milliseconds(1), deadline - ContinuousClock.now) }
        var ends: [Int32: Int64] = [:]
        for p in partitions {
            ends[p] = try await consumer.watermarks(topic: topic, partition: p, timeout: left()).high
        }
        let wanted = partitions.filter { (ends[$0] ?? 0) > 0 }
        guard !wanted.isEmpty else { return [] }
        try await consumer.assignKnowingLeaders(
            wanted.map { TopicPartitionOffset(topic: topic, partition: $0, offset: TopicPartitionOffset.beginning) }
        )
        let target = ends
        let records = try await consumer.records(within: left()) { got in
            var last: [Int32: Int64] = [:]
            for r in got { last[r.partition] = max(last[r.partition] ?? -1, r.offset) }
            return wanted.allSatisfy { (last[$0] ?? -1) + 1 >= target[$0]! }
        }
        let got = Dictionary(grouping: records, by: \.partition).mapValues { ($0.map(\.offset).max() ?? -1) + 1 }
        let short = wanted.filter { (got[$0] ?? 0) < target[$0]! }
        if !short.isEmpty {
            throw KafkaError.timedOut(
                "read \(topic) partitions \(short) only up to \(short.map { got[$0] ?? 0 }) of "
                    + "\(short.map { target[$0]! }) within \(timeout.formatted())")
        }
        return records.filter { $0.offset < target[$0.partition]! }
    }
}

/// A value behind a lock, shareable between a client's callbacks and its loop.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func withLock<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
