import Foundation

/// The topology's whole state as plain values: stream time, the join buffers, the window
/// aggregates, the last applied offset of each input partition and the dropped records.
/// It is written as changelog entries (one per processed record) and restored by applying them.
public struct TopologyState: Sendable, Codable, Hashable {
    public var streamTime: Int64?
    public var orders: [InputRecord] = []
    public var payments: [InputRecord] = []
    public var windows: [WindowKey: WindowAggregate] = [:]
    /// The last offset applied per input partition: a redelivered record at or below it is skipped,
    /// so restoring and then re-reading from the last committed offset counts nothing twice.
    public var positions: [Source: Int64] = [:]
    public var dropped: [DroppedRecord] = []

    public init() {}

    public func buffer(_ side: Side) -> [InputRecord] { side == .order ? orders : payments }

    /// Applies one changelog entry; applying an entry twice changes nothing more.
    public mutating func apply(_ entry: ChangelogEntry) {
        if let applied = positions[entry.source], entry.offset <= applied { return }
        positions[entry.source] = entry.offset
        streamTime = max(streamTime ?? entry.streamTime, entry.streamTime)
        if let r = entry.buffered {
            if r.side == .order { orders.append(r) } else { payments.append(r) }
        }
        if let from = entry.retainFrom {
            orders.removeAll { $0.timestamp < from }
            payments.removeAll { $0.timestamp < from }
        }
        for window in entry.removed ?? [] { windows[window] = nil }
        for result in entry.windows { windows[result.window] = result.aggregate }
        dropped.append(contentsOf: entry.dropped)
    }

    /// The state a changelog describes.
    public static func restore(from changelog: [ChangelogEntry]) -> TopologyState {
        var state = TopologyState()
        for entry in changelog { state.apply(entry) }
        return state
    }

    /// One task's state from a changelog shared by several tasks: the entries of its input partitions only.
    public static func restore(task: Int32, from changelog: [ChangelogEntry]) -> TopologyState {
        restore(from: changelog.filter { $0.source.partition == task })
    }

    /// The tasks' states seen as one (an application's whole view): a key lives in one task, so their windows,
    /// positions and drops do not overlap; stream time is the latest of any task.
    public static func merged(_ tasks: [Int32: TopologyState]) -> TopologyState {
        var all = TopologyState()
        for (_, t) in tasks.sorted(by: { $0.key < $1.key }) {
            if let time = t.streamTime { all.streamTime = max(all.streamTime ?? time, time) }
            all.orders += t.orders
            all.payments += t.payments
            all.windows.merge(t.windows) { a, _ in a }
            all.positions.merge(t.positions) { a, _ in a }
            all.dropped += t.dropped
        }
        return all
    }
}

/// One processed input record's state change: a single changelog record, so a crash leaves the
/// changelog with whole changes only.
public struct ChangelogEntry: Sendable, Codable, Hashable {
    public var source: Source
    public var offset: Int64
    public var streamTime: Int64
    /// Added to its side's join buffer.
    public var buffered: InputRecord?
    /// The buffers keep records with timestamps at or above this.
    public var retainFrom: Int64?
    /// The windows it changed, with their new aggregates.
    public var windows: [WindowResult] = []
    /// Sessions merged into another (tombstones on the result view); nil, and not encoded, when none.
    public var removed: [WindowKey]?
    public var dropped: [DroppedRecord] = []

    public init(source: Source, offset: Int64, streamTime: Int64) {
        self.source = source
        self.offset = offset
        self.streamTime = streamTime
    }
}

/// Bytes on the wire. Input values are the amount in decimal; results are keyed `key@start` with a
/// JSON value; changelog records are keyed by input partition with a JSON value. Keys are sorted so
/// the same result is the same bytes (reprocessing compares bytes).
public enum StreamsCodec {
    public static func amount(_ value: [UInt8]) -> Int64? {
        Int64(String(decoding: value, as: UTF8.self).trimmingCharacters(in: .whitespaces))
    }
    public static func value(amount: Int64) -> [UInt8] { Array(String(amount).utf8) }

    public static func resultKey(_ window: WindowKey) -> [UInt8] { Array("\(window.key)@\(window.start)".utf8) }

    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding these plain structs cannot fail.
        return (try? Array(encoder.encode(value))) ?? []
    }

    public static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}

/// Kafka Streams' TopologyTestDriver, for this topology: pipe records in, read the result view,
/// the emitted upserts, the dropped records and the changelog.
public struct TopologyTestDriver: Sendable {
    public let topology: Topology
    public private(set) var state: TopologyState
    public private(set) var emitted: [WindowResult] = []
    public private(set) var joined: [JoinedRecord] = []
    public private(set) var changelog: [ChangelogEntry] = []
    /// Sessions deleted from the result view, in order.
    public private(set) var removed: [WindowKey] = []

    public init(_ config: TopologyConfig, restoringFrom changelog: [ChangelogEntry] = []) {
        topology = Topology(config)
        state = TopologyState.restore(from: changelog)
        self.changelog = changelog
    }

    public mutating func pipe(_ records: [InputRecord]) {
        for r in records {
            let out = topology.process(r, state: &state)
            emitted += out.results
            joined += out.joined
            if let c = out.changelog { changelog.append(c) }
            removed += out.removed
        }
    }

    /// The current window results (the interactive query).
    public var view: [WindowResult] { topology.view(state) }
    public var dropped: [DroppedRecord] { state.dropped }
}
