import Foundation
import KafkaClient
import Streams

/// A row of the capstone's source table `orders`.
public struct Order: Sendable, Equatable, Codable {
    public var id: Int64
    public var customer: String
    public var amount: Int64
    /// Event time, milliseconds since the Unix epoch: what the windows are cut by.
    public var placedAt: Int64

    public init(id: Int64, customer: String, amount: Int64, placedAt: Int64) {
        self.id = id
        self.customer = customer
        self.amount = amount
        self.placedAt = placedAt
    }

    enum CodingKeys: String, CodingKey { case id, customer, amount, placedAt = "placed_at" }

    init?(_ row: [String: String?]) {
        func number(_ name: String) -> Int64? { (row[name] ?? nil).flatMap { Int64($0) } }
        guard let id = number("id"), let customer = row["customer"] ?? nil, let amount = number("amount"),
            let placed = number("placed_at")
        else { return nil }
        self.init(id: id, customer: customer, amount: amount, placedAt: placed)
    }
}

/// Where a change stands in the source's commit order: its transaction's commit LSN, then its index
/// in that transaction. The same change re-published after a restart has the same position.
public struct ChangePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var commitLSN: UInt64
    public var index: Int

    public init(commitLSN: UInt64, index: Int) {
        self.commitLSN = commitLSN
        self.index = index
    }

    public static func < (a: Self, b: Self) -> Bool { (a.commitLSN, a.index) < (b.commitLSN, b.index) }
    public var description: String { "\(commitLSN)#\(index)" }
}

/// One change of `orders` as a Kafka record on the CDC topic: key = the primary key, value = the new row
/// as JSON, a tombstone (null value) for a delete; headers carry the operation, position and commit time.
public struct CapturedChange: Sendable, Equatable {
    public enum Operation: String, Sendable { case insert, update, delete }

    public var operation: Operation
    public var id: Int64
    /// The row after the change; nil for a delete.
    public var order: Order?
    public var position: ChangePosition
    /// Microseconds since the Unix epoch.
    public var committedAt: Int64

    public init(operation: Operation, id: Int64, order: Order?, position: ChangePosition, committedAt: Int64) {
        self.operation = operation
        self.id = id
        self.order = order
        self.position = position
        self.committedAt = committedAt
    }

    public var key: [UInt8] { Array(String(id).utf8) }
    public var value: [UInt8]? { order.map { try! JSONEncoder.sorted.encode($0) }.map { Array($0) } }
    public var headers: [(String, [UInt8])] {
        [
            ("op", Array(operation.rawValue.utf8)), ("commit_lsn", Array(String(position.commitLSN).utf8)),
            ("index", Array(String(position.index).utf8)), ("committed_at", Array(String(committedAt).utf8)),
        ]
    }

    /// Reads one back from the topic; nil for a record that is not a change of `orders`.
    public init?(_ record: ConsumedRecord) {
        func header(_ name: String) -> String? {
            record.headers.last { $0.0 == name }.map { String(decoding: $0.1, as: UTF8.self) }
        }
        guard let op = header("op").flatMap(Operation.init(rawValue:)),
            let lsn = header("commit_lsn").flatMap({ UInt64($0) }),
            let index = header("index").flatMap({ Int($0) }), let at = header("committed_at").flatMap({ Int64($0) }),
            let id = record.keyString.flatMap({ Int64($0) })
        else { return nil }
        let order = record.valueIsNull ? nil : try? JSONDecoder().decode(Order.self, from: Data(record.value))
        if op != .delete, order == nil { return nil }
        self.init(
            operation: op, id: id, order: order, position: ChangePosition(commitLSN: lsn, index: index),
            committedAt: at)
    }
}

/// A window of one customer's orders: the sink table's key.
public struct WindowKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var customer: String
    /// Milliseconds since the Unix epoch, a multiple of the window size.
    public var windowStart: Int64

    public init(customer: String, windowStart: Int64) {
        self.customer = customer
        self.windowStart = windowStart
    }

    /// The order's window by its event time, as the streams topology (KAF-14) assigns windows.
    public init(_ order: Order, windowMillis: Int64) {
        self.init(customer: order.customer, windowStart: TumblingWindows(size: windowMillis).start(of: order.placedAt))
    }

    public static func < (a: Self, b: Self) -> Bool { (a.customer, a.windowStart) < (b.customer, b.windowStart) }
    public var description: String { "\(customer)@\(windowStart)" }
    enum CodingKeys: String, CodingKey { case customer, windowStart = "window_start" }
}

/// The aggregate of one window, as the totals topic carries it and the sink stores it.
public struct WindowTotal: Sendable, Equatable, Codable {
    public var key: WindowKey
    /// Sum of the amounts of the window's live orders, and how many there are.
    public var total: Int64
    public var orders: Int64
    /// The highest commit LSN among the source changes folded into this window.
    public var sourceLSN: UInt64
    /// Increases with every total the aggregator emits for a window: the sink keeps the highest.
    public var version: Int64

    public init(key: WindowKey, total: Int64, orders: Int64, sourceLSN: UInt64, version: Int64) {
        self.key = key
        self.total = total
        self.orders = orders
        self.sourceLSN = sourceLSN
        self.version = version
    }

    enum CodingKeys: String, CodingKey { case key, total, orders, sourceLSN = "source_lsn", version }

    public var recordKey: [UInt8] { Array("\(key.customer)|\(key.windowStart)".utf8) }
    public var recordValue: [UInt8] { Array(try! JSONEncoder.sorted.encode(self)) }
    public init?(_ record: ConsumedRecord) {
        guard let t = try? JSONDecoder().decode(WindowTotal.self, from: Data(record.value)) else { return nil }
        self = t
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return e
    }
}
