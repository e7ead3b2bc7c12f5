import Foundation

/// Which input a record came from: topic A (orders) or topic B (payments).
public enum Side: String, Sendable, Codable, Hashable, CaseIterable, Comparable {
    case order, payment

    public static func < (a: Self, b: Self) -> Bool { a == .order && b == .payment }
    public var other: Side { self == .order ? .payment : .order }
}

/// One input record as the topology sees it: its origin (side, partition, offset), key, an amount
/// and its event time in milliseconds.
public struct InputRecord: Sendable, Codable, Hashable, CustomStringConvertible {
    public var side: Side
    public var partition: Int32
    public var offset: Int64
    public var key: String
    public var amount: Int64
    public var timestamp: Int64

    public init(side: Side, partition: Int32 = 0, offset: Int64, key: String, amount: Int64, timestamp: Int64) {
        self.side = side
        self.partition = partition
        self.offset = offset
        self.key = key
        self.amount = amount
        self.timestamp = timestamp
    }

    public var description: String { "\(side) \(key) \(amount) @\(timestamp) (\(partition):\(offset))" }
    /// Where the record sits in its input: what the state's positions are keyed by.
    public var source: Source { Source(side: side, partition: partition) }
}

/// An input partition.
public struct Source: Sendable, Codable, Hashable, Comparable, CustomStringConvertible {
    public var side: Side
    public var partition: Int32
    public init(side: Side, partition: Int32) {
        self.side = side
        self.partition = partition
    }
    public static func < (a: Self, b: Self) -> Bool { (a.side, a.partition) < (b.side, b.partition) }
    public var description: String { "\(side)/\(partition)" }
}

/// The topology's parameters, in milliseconds.
public struct TopologyConfig: Sendable, Codable, Hashable {
    /// An order and a payment join when their timestamps differ by at most this.
    public var joinWindow: Int64
    /// The tumbling window's size: windows are [k·size, (k+1)·size).
    public var windowSize: Int64
    /// How long after a window's end (in stream time) records for it are still counted.
    public var grace: Int64
    /// Hopping windows: a window starts every `advance` ms (0 < advance ≤ size), so a time falls in size ÷
    /// advance of them; nil for tumbling windows (advance = size).
    public var advance: Int64?
    /// Session windows: a key's pairs at most this many ms apart are one session, [first, last] (the window
    /// size and advance are then unused); nil for time windows.
    public var sessionGap: Int64?

    public init(joinWindow: Int64, windowSize: Int64, grace: Int64, advance: Int64? = nil, sessionGap: Int64? = nil) {
        self.joinWindow = joinWindow
        self.windowSize = windowSize
        self.grace = grace
        self.advance = advance
        self.sessionGap = sessionGap
    }

    /// Session windows of this inactivity gap.
    public static func sessions(joinWindow: Int64, gap: Int64, grace: Int64) -> TopologyConfig {
        TopologyConfig(joinWindow: joinWindow, windowSize: max(gap, 1), grace: grace, sessionGap: gap)
    }

    /// The starts of the windows holding `timestamp`, oldest first: one for tumbling windows.
    public func windowStarts(_ timestamp: Int64) -> [Int64] {
        guard let advance, advance < windowSize else { return [TumblingWindows(size: windowSize).start(of: timestamp)] }
        var starts: [Int64] = []
        var start = TumblingWindows(size: advance).start(of: timestamp)
        while start + windowSize > timestamp {
            starts.append(start)
            start -= advance
        }
        return starts.reversed()
    }
}

/// Tumbling windows of one size: [k·size, (k+1)·size) in milliseconds. The one window definition of the
/// streams topology (KAF-14) and the capstone's windowed totals.
public struct TumblingWindows: Sendable, Hashable {
    public let size: Int64

    public init(size: Int64) {
        precondition(size > 0, "a window's size is positive")
        self.size = size
    }

    /// The start of the window holding `timestamp` (floor division, negatives included).
    public func start(of timestamp: Int64) -> Int64 {
        let q = timestamp / size
        return (timestamp % size != 0 && timestamp < 0 ? q - 1 : q) * size
    }

    /// The end (exclusive) of the window starting at `start`.
    public func end(ofWindowAt start: Int64) -> Int64 { start + size }
}

/// A window of one key, by its start.
public struct WindowKey: Sendable, Codable, Hashable, Comparable, CustomStringConvertible {
    public var key: String
    public var start: Int64
    public init(key: String, start: Int64) {
        self.key = key
        self.start = start
    }
    public static func < (a: Self, b: Self) -> Bool { (a.key, a.start) < (b.key, b.start) }
    public var description: String { "\(key)@\(start)" }
}

/// A window's aggregate: how many joined pairs fell in it and the sum of their payment amounts.
public struct WindowAggregate: Sendable, Codable, Hashable, CustomStringConvertible {
    public var count: Int64
    public var sum: Int64
    /// A session's last pair time (its end, inclusive); nil for time windows, and then not encoded.
    public var last: Int64?
    public init(count: Int64 = 0, sum: Int64 = 0, last: Int64? = nil) {
        self.count = count
        self.sum = sum
        self.last = last
    }
    public var description: String { "count \(count), sum \(sum)" }
}

/// One upsert of the result view: a window's current aggregate.
public struct WindowResult: Sendable, Codable, Hashable, CustomStringConvertible {
    public var window: WindowKey
    public var end: Int64
    public var aggregate: WindowAggregate
    public init(window: WindowKey, end: Int64, aggregate: WindowAggregate) {
        self.window = window
        self.end = end
        self.aggregate = aggregate
    }
    public var description: String { "\(window.key) [\(window.start), \(end)): \(aggregate)" }
}

/// An order joined with a payment: the join's output, timed at the later of the two.
public struct JoinedRecord: Sendable, Codable, Hashable {
    public var key: String
    public var order: InputRecord
    public var payment: InputRecord
    public var timestamp: Int64 { max(order.timestamp, payment.timestamp) }
    public var amount: Int64 { payment.amount }
}

/// A record the topology did not count, and why.
public struct DroppedRecord: Sendable, Codable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Codable, Hashable {
        /// The input record was older than stream time minus the join window and the grace period.
        case lateForJoin = "late for the join"
        /// The joined pair belonged to a window that had closed (its end plus grace ≤ stream time).
        case windowClosed = "window closed"
    }
    public var record: InputRecord
    public var reason: Reason
    /// The stream time when it was dropped.
    public var streamTime: Int64
    /// For `.windowClosed`, the window it was meant for.
    public var window: WindowKey?

    public init(record: InputRecord, reason: Reason, streamTime: Int64, window: WindowKey? = nil) {
        self.record = record
        self.reason = reason
        self.streamTime = streamTime
        self.window = window
    }
    public var description: String {
        "\(record) dropped: \(reason.rawValue) at stream time \(streamTime)" + (window.map { " (window \($0))" } ?? "")
    }
}
