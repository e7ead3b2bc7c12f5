/// The topology under test, as pure functions over timestamped records (what Kafka Streams'
/// TopologyTestDriver gives a Java topology): orders (A) joined with payments (B) by key within a
/// join window, then a tumbling-window count and sum per key with a grace period.
///
/// Time is stream time: the largest timestamp processed so far.
/// - An input record older than stream time − join window − grace is late for the join: dropped
///   and reported (its partners may already be gone from the join buffers).
/// - Otherwise it joins every buffered record of the other side with the same key whose timestamp
///   differs by at most the join window; each pair is timed at the later of the two.
/// - A pair goes to window [k·size, (k+1)·size) of its time — with hopping windows, to every window
///   [k·advance, k·advance + size) holding it — unless that window has closed (its end + grace ≤ stream
///   time): then it is dropped from it and reported.
/// - Session windows instead: a pair at time t joins every session of its key with start − gap ≤ t ≤ end +
///   gap into one [min start, max end] (the others are deleted from the result view), unless the merged
///   session's end < stream time − gap − grace: then the pair is dropped and reported (Kafka Streams' rule).
/// - Buffers keep records no older than stream time − 2·join window − grace: a record on time
///   (≥ stream time − window − grace) can only pair with one at most a join window older.
public struct Topology: Sendable, Hashable {
    public let config: TopologyConfig

    public init(_ config: TopologyConfig) { self.config = config }

    /// What processing one record did.
    public struct Output: Sendable, Hashable {
        /// The record was at or below its partition's applied position (a redelivery after a restart):
        /// nothing changed.
        public var skipped = false
        public var joined: [JoinedRecord] = []
        /// Upserts of the result view, in order.
        public var results: [WindowResult] = []
        /// Sessions merged away, deleted from the result view before `results` are written.
        public var removed: [WindowKey] = []
        public var dropped: [DroppedRecord] = []
        /// The state change, as one changelog record (nil when skipped).
        public var changelog: ChangelogEntry?
    }

    /// The start of the tumbling window holding `timestamp` (floor division, negatives included).
    public func windowStart(_ timestamp: Int64) -> Int64 {
        TumblingWindows(size: config.windowSize).start(of: timestamp)
    }

    public func process(_ record: InputRecord, state: inout TopologyState) -> Output {
        var out = Output()
        if let applied = state.positions[record.source], record.offset <= applied {
            out.skipped = true
            return out
        }
        let streamTime = max(state.streamTime ?? record.timestamp, record.timestamp)
        var entry = ChangelogEntry(source: record.source, offset: record.offset, streamTime: streamTime)
        if record.timestamp < streamTime - config.joinWindow - config.grace {
            out.dropped.append(DroppedRecord(record: record, reason: .lateForJoin, streamTime: streamTime))
        } else {
            entry.buffered = record
            for partner in state.buffer(record.side.other)
            where partner.key == record.key && abs(partner.timestamp - record.timestamp) <= config.joinWindow {
                let pair =
                    record.side == .order
                    ? JoinedRecord(key: record.key, order: record, payment: partner)
                    : JoinedRecord(key: record.key, order: partner, payment: record)
                out.joined.append(pair)
                if let gap = config.sessionGap {
                    session(pair, gap: gap, streamTime: streamTime, record: record, state: &state, out: &out)
                    continue
                }
                for start in config.windowStarts(pair.timestamp) {
                    let window = WindowKey(key: record.key, start: start)
                    let end = window.start + config.windowSize
                    if end + config.grace <= streamTime {
                        out.dropped.append(
                            DroppedRecord(
                                record: record, reason: .windowClosed, streamTime: streamTime,
                                window: window))
                        continue
                    }
                    var aggregate = state.windows[window] ?? WindowAggregate()
                    aggregate.count += 1
                    aggregate.sum += pair.amount
                    state.windows[window] = aggregate
                    out.results.append(WindowResult(window: window, end: end, aggregate: aggregate))
                }
            }
        }
        entry.retainFrom = streamTime - 2 * config.joinWindow - config.grace
        entry.windows = out.results
        entry.removed = out.removed.isEmpty ? nil : out.removed
        entry.dropped = out.dropped
        state.apply(entry)
        out.changelog = entry
        return out
    }

    /// Merges a pair into its key's sessions within the gap, or drops it when the merged session has closed.
    private func session(
        _ pair: JoinedRecord, gap: Int64, streamTime: Int64, record: InputRecord, state: inout TopologyState,
        out: inout Output
    ) {
        let t = pair.timestamp
        var start = t, last = t
        var merged = WindowAggregate(count: 1, sum: pair.amount)
        let touching = state.windows.filter { w in
            w.key.key == pair.key && w.key.start - gap <= t && t <= (w.value.last ?? w.key.start) + gap
        }
        for (window, aggregate) in touching {
            start = min(start, window.start)
            last = max(last, aggregate.last ?? window.start)
            merged.count += aggregate.count
            merged.sum += aggregate.sum
        }
        merged.last = last
        let window = WindowKey(key: pair.key, start: start)
        if last < streamTime - gap - config.grace {
            out.dropped.append(
                DroppedRecord(record: record, reason: .windowClosed, streamTime: streamTime, window: window))
            return
        }
        for old in touching.keys.sorted() where old != window {
            state.windows[old] = nil
            out.removed.append(old)
            out.results.removeAll { $0.window == old }
        }
        state.windows[window] = merged
        out.results.removeAll { $0.window == window }
        out.results.append(WindowResult(window: window, end: last, aggregate: merged))
    }

    /// Processes records in the given order.
    public func process(_ records: [InputRecord], state: inout TopologyState) -> [Output] {
        records.map { process($0, state: &state) }
    }

    /// The current result view, as results sorted by key and window.
    public func view(_ state: TopologyState) -> [WindowResult] {
        state.windows.sorted { $0.key < $1.key }.map {
            WindowResult(window: $0.key, end: $0.value.last ?? $0.key.start + config.windowSize, aggregate: $0.value)
        }
    }
}

/// The order in which a processor takes records from several partitions: always the partition
/// head with the smallest timestamp (ties: orders before payments, then the lower partition), never
/// reordering a partition. Given the same partitions it gives the same order however they arrive,
/// which is what makes reprocessing deterministic.
public enum ProcessingOrder {
    /// The index of the head to take next.
    public static func next(_ heads: [InputRecord]) -> Int? {
        heads.indices.min { a, b in
            (heads[a].timestamp, heads[a].side, heads[a].partition) < (
                heads[b].timestamp, heads[b].side, heads[b].partition
            )
        }
    }

    /// The whole merge of complete partitions.
    public static func merge(_ partitions: [[InputRecord]]) -> [InputRecord] {
        var cursors = partitions.map { _ in 0 }
        var out: [InputRecord] = []
        out.reserveCapacity(partitions.reduce(0) { $0 + $1.count })
        while true {
            let live = partitions.indices.filter { cursors[$0] < partitions[$0].count }
            guard let pick = next(live.map { partitions[$0][cursors[$0]] }) else { return out }
            let p = live[pick]
            out.append(partitions[p][cursors[p]])
            cursors[p] += 1
        }
    }
}
