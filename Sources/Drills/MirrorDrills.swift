import Foundation
import KafkaClient
import Cluster
import Processing
import Synchronization
import Verification

/// KAF-10's drills: records with headers and old timestamps, mirror lag under link degradation and
/// a pause, and a consumer group's planned failover at translated offsets.
public enum MirrorDrills {
    public static let hour: Int64 = 3_600_000
    public static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Sends `count` keyed records with two headers each and timestamps an hour old (a mirror that
    /// re-stamped them would show), every send and report in the ledger.
    public static func produceWithHeaders(
        _ count: Int, to topic: String, config: KafkaConfig, ledger: DeliveryLedger,
        timestampBase: Int64? = nil
    ) async throws {
        guard count >= 0 else { throw DrillFailure("produce 0 messages or more") }
        let producer = try Producer(config: config, onDelivery: { ledger.record($0) })
        defer { producer.close() }
        let first = UInt64(ledger.sentCount) + 1
        let base = timestampBase ?? nowMs() - hour
        for i in 0..<count {
            let id = first + UInt64(i)
            let key = "key-\(id % 20)"
            ledger.sent(id, key: key, topic: topic, timestamp: base + Int64(i))
            try producer.produce(
                topic: topic, key: Array(key.utf8), value: Payload.make(id: id, size: 64),
                headers: [("trace-id", Array("t-\(id)".utf8)), ("origin", Array("kafka-bdd".utf8))],
                timestamp: base + Int64(i), token: id)
        }
        try await producer.flush(timeout: .seconds(60))
    }

    public static func records(_ consumed: [ConsumedRecord]) -> [MirrorChecks.Record] {
        consumed.map {
            MirrorChecks.Record(
                partition: $0.partition, offset: $0.offset, key: $0.key, value: $0.value,
                headers: $0.headers.map { "\($0.0)=\(String(decoding: $0.1, as: UTF8.self))" },
                timestamp: $0.timestamp)
        }
    }

    /// Reads the source once and the target until `complete` says the copy is whole or `seconds` are up.
    /// A failed read of the target (a partition without a leader) counts as an empty copy; the last
    /// such failure is returned, for the step to show.
    public static func awaitCopy(
        source: any Cluster, topic: String, target: any Cluster, remote: String,
        partitions: Int32, within seconds: Int,
        complete: ([MirrorChecks.Record], [MirrorChecks.Record]) -> Bool
    ) async throws
        -> (source: [MirrorChecks.Record], target: [MirrorChecks.Record], readFailure: String?)
    {
        // One deadline for the source's read and the target's: a busy machine's slow source read once took
        // the step past its runner limit (twice the stated seconds) when each read had its own.
        let deadline = ContinuousClock.now + .seconds(seconds)
        let sourceRecords = records(
            try await TopicReader.readAll(
                config: source.config(), topic: topic,
                partitions: Array(0..<partitions),
                within: max(.seconds(1), deadline - .now)))
        while true {
            var targetRecords: [MirrorChecks.Record] = [], failure: String?
            do {
                // Each attempt within what is left of the deadline: the step keeps its own.
                let left = max(.seconds(1), deadline - ContinuousClock.now)
                targetRecords = records(
                    try await TopicReader.readAll(
                        config: target.config(), topic: remote,
                        partitions: Array(0..<partitions), within: left))
            } catch {
                failure = "\(error)"
            }
            if complete(sourceRecords, targetRecords) || ContinuousClock.now >= deadline {
                return (sourceRecords, targetRecords, failure)
            }
            try await Task.sleep(for: .milliseconds(250))  // polling interval of the deadline loop
        }
    }

    public struct LagResult: Sendable {
        public var samples: [(sent: Double, lag: Double)]
        public var pause: (from: Double, to: Double)
        public var caughtUpAfterResume: Double?
        public var sent: Int
        public var read: Int
    }

    /// Produces `rate` records/s to `topic` on the source for `seconds`, pausing the mirror between
    /// `pauseFrom` and `pauseTo` seconds; a reader on the target measures each record's lag as the
    /// time it is read there minus its (preserved) timestamp.
    public static func lag(
        mirror: Mirror, source: any Cluster, target: any Cluster, topic: String, remote: String,
        partitions: Int32, rate: Int, seconds: Int, pauseFrom: Int, pauseTo: Int,
        ledger: DeliveryLedger
    ) async throws -> LagResult {
        let reader = try Consumer(
            config: target.config([
                "group.id": "kafka-bdd-lag-\(UUID().uuidString)",
                "fetch.wait.max.ms": "50",
            ]))
        defer { reader.kill() }
        var starts: [TopicPartitionOffset] = []
        for p in 0..<partitions {
            starts.append(
                TopicPartitionOffset(
                    topic: remote, partition: p,
                    offset: try await target.watermarks(topic: remote, partition: p).high))
        }
        try await reader.assignKnowingLeaders(starts)
        // The reader's first fetches open its connections to the slowed brokers (several round trips):
        // done before the first record, so they are not counted as the mirror's lag.
        _ = try await reader.records(atMost: 1, within: .seconds(1))
        let producer = try Producer(
            config: source.config(["linger.ms": "0"]),
            onDelivery: { ledger.record($0) })
        defer { producer.close() }
        // As the mirror does for its target: without metadata the first record would wait about a second.
        _ = try await producer.metadata(topic: topic)
        let start = ContinuousClock.now
        let startMs = nowMs()
        let total = rate * seconds
        let first = UInt64(ledger.sentCount) + 1
        let samples = Mutex<[(Double, Double)]>([])
        let seen = Mutex<Set<UInt64>>([])
        // The reader runs beside the producer, off the concurrency pool (records(…) uses Blocking.run).
        let readTask = Task {
            let deadline = ContinuousClock.now + .seconds(seconds + 30)
            while ContinuousClock.now < deadline, seen.withLock({ $0.count }) < total {
                for r in try await reader.records(atMost: 500, within: .milliseconds(100)) {
                    guard let id = Payload.id(in: r.value), id >= first, let ts = r.timestamp else { continue }
                    let now = nowMs()
                    if seen.withLock({ $0.insert(id).inserted }) {
                        samples.withLock { $0.append((Double(ts - startMs) / 1000, Double(now - ts))) }
                    }
                }
            }
        }
        var paused = false, resumed = false
        for i in 0..<total {
            let due = start + .milliseconds(i * 1000 / rate)
            if due > ContinuousClock.now { try await Task.sleep(until: due) }  // the producer's pace
            let elapsed = (ContinuousClock.now - start) / .seconds(1)
            if !paused, elapsed >= Double(pauseFrom) { mirror.pause(); paused = true }
            if paused, !resumed, elapsed >= Double(pauseTo) { mirror.resume(); resumed = true }
            let id = first + UInt64(i)
            ledger.sent(id, key: "key-\(id % 20)", topic: topic, timestamp: nowMs())
            try producer.produce(
                topic: topic, key: Array("key-\(id % 20)".utf8), value: Payload.make(id: id, size: 64),
                timestamp: nowMs(), token: id)
        }
        if !resumed { mirror.resume() }
        try await producer.flush(timeout: .seconds(30))
        try await readTask.value
        let all = samples.withLock { $0 }.sorted { $0.0 < $1.0 }
        let during = all.filter { $0.0 >= Double(pauseFrom) && $0.0 < Double(pauseTo) }
        // When the last record sent during the pause was read, counted from the resume.
        let caughtUp = during.map { $0.0 + $0.1 / 1000 }.max().map { $0 - Double(pauseTo) }
        return LagResult(
            samples: all.map { (sent: $0.0, lag: $0.1) }, pause: (Double(pauseFrom), Double(pauseTo)),
            caughtUpAfterResume: caughtUp, sent: total, read: all.count)
    }

    public struct FailoverResult: Sendable {
        public var history: MirrorChecks.Failover
        public var recovery: Duration?
        public var checkpoints: [Mirror.Checkpoint]
        public var committedOnSource: [TopicPartitionOffset]
        public var checkpointAge: Duration?
    }

    /// A group reads `count` records of `topic` on the source at `rate` per second, committing every
    /// `commitEvery`; it stops, and starts on the target at the offsets of the newest checkpoints there
    /// (read back from the checkpoints topic), reading until every acknowledged record was consumed.
    public static func failover(
        group: String, topic: String, partitions: Int32, count: Int, rate: Int,
        commitEvery: Int, source: any Cluster, target: any Cluster, sourceAlias: String,
        remote: String, ledger: DeliveryLedger, deadline: Duration
    ) async throws
        -> FailoverResult
    {
        let run = try await consume(
            group: group, topic: topic, partitions: partitions, count: count, rate: rate, commitEvery: commitEvery,
            source: source, deadline: deadline, closing: false)
        // The switch, right after the group's last commit: whatever checkpoints the target holds now.
        let switchedAt = ContinuousClock.now
        let checkpoints = try await Mirror.readCheckpoints(
            target: target.config(), sourceAlias: sourceAlias, group: run.scopedGroup
        )
        .filter { $0.topic == remote }
        await run.consumer?.close(within: .seconds(10))
        // Nothing commits after the last explicit commit (auto-commit is off): these are the offsets at the switch.
        let probe = try Consumer(config: run.config)
        let committed = try await probe.committed(
            (0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0) })
        probe.kill()
        return try await resume(
            run, committed: committed.map { ($0.partition, max(0, $0.offset)) }, checkpoints: checkpoints,
            switchedAt: switchedAt, target: target, remote: remote, ledger: ledger, sourceAlias: sourceAlias,
            copied: nil,
            deadline: deadline)
    }

    /// What the group read on the source before the switch.
    public struct SourceRun: @unchecked Sendable {
        public var group: String, topic: String, partitions: Int32
        public var scopedGroup: String
        var config: KafkaConfig
        var reads: [MirrorChecks.Failover.Read]
        /// Still open for the planned switch; closed when the source is left to die.
        var consumer: Consumer?
        public var readCount: Int { reads.count }
    }

    /// The group's part before an unplanned failover: it reads and commits on the source at its pace, then
    /// goes on no further (the source is about to die).
    public static func consume(
        group: String, topic: String, partitions: Int32, count: Int, rate: Int, commitEvery: Int,
        source: any Cluster, deadline: Duration, closing: Bool = true
    ) async throws -> SourceRun {
        guard count > 0, rate > 0, commitEvery > 0 else {
            throw DrillFailure("a group reads a positive count at a positive rate, committing every positive batch")
        }
        let sourceConfig = source.config([
            "group.id": group, "enable.auto.commit": "false",
            "auto.offset.reset": "earliest", "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
        ])
        let east = try Consumer(config: sourceConfig)
        try east.subscribe([topic])
        var readOnSource: [MirrorChecks.Failover.Read] = []
        var start: ContinuousClock.Instant?  // the pace counts from the first record, after the group's join
        let limit = ContinuousClock.now + deadline
        while readOnSource.count < count, ContinuousClock.now < limit {
            let batch = try await east.records(
                atMost: min(commitEvery, count - readOnSource.count), within: .seconds(1))
            if start == nil, !batch.isEmpty { start = ContinuousClock.now }
            guard let start else { continue }
            readOnSource += batch.compactMap { r in
                Payload.id(in: r.value).map {
                    MirrorChecks.Failover.Read(partition: r.partition, offset: r.offset, id: $0)
                }
            }
            if !batch.isEmpty { try await east.commit() }
            if readOnSource.count >= count { break }  // the switch follows the last commit at once
            let due = start + .milliseconds(readOnSource.count * 1000 / rate)
            if due > ContinuousClock.now { try await Task.sleep(until: due) }  // the consumer's pace
        }
        if closing { await east.close(within: .seconds(10)) }
        guard readOnSource.count >= count else {
            if !closing { await east.close(within: .seconds(10)) }
            throw DrillFailure(
                "group \(group) read \(readOnSource.count) of the \(count) messages asked for within "
                    + "\(deadline.formatted()): the topic holds fewer (produce more, or consume fewer)")
        }
        return SourceRun(
            group: group, topic: topic, partitions: partitions, scopedGroup: sourceConfig["group.id"] ?? group,
            config: sourceConfig, reads: readOnSource, consumer: closing ? nil : east)
    }

    /// The unplanned switch: the source is gone, so the group's committed offsets are where its reads ended
    /// (it committed after every batch), the checkpoints are whatever reached the target before the source
    /// died, and the records the mirror had copied are what the target's copy holds.
    public static func unplannedFailover(
        _ run: SourceRun, target: any Cluster, sourceAlias: String, ledger: DeliveryLedger, deadline: Duration
    ) async throws -> FailoverResult {
        let remote = Mirror.remoteTopic(run.topic, sourceAlias: sourceAlias)
        let switchedAt = ContinuousClock.now
        let checkpoints = try await Mirror.readCheckpoints(
            target: target.config(), sourceAlias: sourceAlias, group: run.scopedGroup
        )
        .filter { $0.topic == remote }
        let copy = try await TopicReader.readAll(
            config: target.config(), topic: remote, partitions: Array(0..<run.partitions), within: deadline)
        let committed = (0..<run.partitions).map { p in
            (p, run.reads.filter { $0.partition == p }.map(\.offset).max().map { $0 + 1 } ?? 0)
        }
        return try await resume(
            run, committed: committed, checkpoints: checkpoints, switchedAt: switchedAt, target: target,
            remote: remote, ledger: ledger, sourceAlias: sourceAlias,
            copied: Set(copy.compactMap { Payload.id(in: $0.value) }),
            deadline: deadline)
    }

    /// The group starts on the target at the newest checkpoints' translated offsets and reads until every
    /// acknowledged record (of those copied, when the source died) was consumed on one side or the other and
    /// every partition is read to its end.
    static func resume(
        _ run: SourceRun, committed: [(Int32, Int64)], checkpoints: [Mirror.Checkpoint],
        switchedAt: ContinuousClock.Instant, target: any Cluster, remote: String, ledger: DeliveryLedger,
        sourceAlias: String, copied: Set<UInt64>?, deadline: Duration
    ) async throws -> FailoverResult {
        let newest = checkpoints.map(\.timestamp).max()
        let checkpointAge = newest.map { Duration.milliseconds(nowMs() - $0) }
        let switches = committed.map { partition, offset in
            let cp = checkpoints.first { $0.partition == partition }
            return MirrorChecks.Failover.Switch(
                partition: partition, committed: offset, upstream: cp?.upstreamOffset, downstream: cp?.downstreamOffset)
        }
        // The group joins on the target as its consumers would (a member, so that its commits count and a later
        // failback can join the same group), and moves to the translated offsets once it holds the partitions.
        let west = try Consumer(
            config: target.config([
                "group.id": run.group, "enable.auto.commit": "false", "auto.offset.reset": "earliest",
                "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
            ]))
        do {
            let result = try await resume(
                west, run, committed: committed, checkpoints: checkpoints, switchedAt: switchedAt,
                checkpointAge: checkpointAge, switches: switches, target: target, remote: remote, ledger: ledger,
                sourceAlias: sourceAlias, copied: copied, deadline: deadline)
            // Closed, not killed: a member that only vanished holds the group's next join for its session timeout.
            await west.close(within: .seconds(10))
            return result
        } catch {
            west.kill()
            throw error
        }
    }

    private static func resume(
        _ west: Consumer, _ run: SourceRun, committed: [(Int32, Int64)], checkpoints: [Mirror.Checkpoint],
        switchedAt: ContinuousClock.Instant, checkpointAge: Duration?, switches: [MirrorChecks.Failover.Switch],
        target: any Cluster, remote: String, ledger: DeliveryLedger, sourceAlias: String, copied: Set<UInt64>?,
        deadline: Duration
    ) async throws -> FailoverResult {
        typealias Read = MirrorChecks.Failover.Read
        let partitions = run.partitions
        try west.subscribe([remote])
        let joinLimit = ContinuousClock.now + deadline
        while Set(try west.assignment().map(\.partition)).count < partitions {
            guard ContinuousClock.now < joinLimit else {
                throw DrillFailure("the group did not get the \(partitions) partitions of \(remote) on the target")
            }
            _ = try await west.records(atMost: 1, within: .milliseconds(100))  // serves the join; read again below
        }
        for p in 0..<partitions {
            let offset = checkpoints.first { $0.partition == p }?.downstreamOffset ?? TopicPartitionOffset.beginning
            try await west.seek(TopicPartitionOffset(topic: remote, partition: p, offset: offset))
        }
        let history = ledger.history()
        let acknowledged = history.acknowledgedIds(on: run.topic, cluster: sourceAlias)
        let wanted = copied.map { acknowledged.intersection($0) } ?? acknowledged
        var readOnTarget: [Read] = []
        var firstAt: ContinuousClock.Instant?
        let westLimit = ContinuousClock.now + deadline
        let sourceIds = Set(run.reads.map(\.id))
        while ContinuousClock.now < westLimit {
            let batch = try await west.records(atMost: 500, within: .milliseconds(200))
            if firstAt == nil, !batch.isEmpty { firstAt = ContinuousClock.now }
            readOnTarget += batch.compactMap { r in
                Payload.id(in: r.value).map { Read(partition: r.partition, offset: r.offset, id: $0) }
            }
            guard wanted.isSubset(of: sourceIds.union(readOnTarget.map(\.id))) else { continue }
            // The duplicates of a partition the group had read to its end come after nothing new: read
            // every partition to its end too, or they would go uncounted.
            var atEnd = true
            for p in 0..<partitions {
                let high = try await target.watermarks(topic: remote, partition: p).high
                let next =
                    readOnTarget.last { $0.partition == p }.map { $0.offset + 1 }
                    ?? switches.first { $0.partition == p }?.downstream ?? 0
                if next < high { atEnd = false }
            }
            if atEnd { break }
        }
        if !readOnTarget.isEmpty { try await west.commit() }
        var judged = MirrorChecks.Failover(
            acknowledged: acknowledged, exact: .init(source: run.reads, target: readOnTarget, switches: switches))
        judged.copied = copied
        return FailoverResult(
            history: judged, recovery: firstAt.map { $0 - switchedAt }, checkpoints: checkpoints,
            committedOnSource: committed.map { TopicPartitionOffset(topic: run.topic, partition: $0.0, offset: $0.1) },
            checkpointAge: checkpointAge)
    }
}
