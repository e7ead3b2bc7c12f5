import Foundation
import Postgres

/// One row change decoded from the logical replication stream.
public struct RowChange: Sendable, Equatable {
    public enum Operation: String, Sendable { case insert, update, delete }

    public var operation: Operation
    public var table: String
    /// Column name → text value (nil for NULL). For a delete: the key columns only (replica identity).
    public var row: [String: String?]
    /// For an update that changed the key: the old key columns.
    public var oldKey: [String: String?]?
    /// The key columns of the table, in order.
    public var keyColumns: [String]
}

/// A committed transaction: its changes in order, its commit LSN and end LSN, its commit time.
public struct DecodedTransaction: Sendable {
    public var commitLSN: LSN
    public var endLSN: LSN
    /// Microseconds since the Unix epoch.
    public var committedAt: Int64
    public var changes: [RowChange]
}

/// Decodes pgoutput (protocol version 1) messages: Begin, Relation, Insert, Update, Delete, Commit.
/// Relations are remembered across calls, as the server sends each only once per session.
public struct PgOutputDecoder: Sendable {
    struct Relation: Sendable {
        var name: String
        var columns: [(name: String, key: Bool)]
    }

    private var relations: [UInt32: Relation] = [:]
    private var open: DecodedTransaction?
    /// Seconds from the Unix epoch to PostgreSQL's (2000-01-01).
    static let postgresEpochMicros: Int64 = 946_684_800 * 1_000_000

    public init() {}

    public struct DecodeError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Feeds one message; returns a transaction when this message committed one.
    public mutating func decode(_ message: [UInt8]) throws -> DecodedTransaction? {
        var r = Reader(bytes: message)
        let kind = try r.byte()
        switch kind {
        case UInt8(ascii: "B"):
            let final = try r.uint64()
            let ts = Int64(bitPattern: try r.uint64())
            open = DecodedTransaction(
                commitLSN: LSN(final), endLSN: LSN(final),
                committedAt: ts + Self.postgresEpochMicros, changes: [])
        case UInt8(ascii: "C"):
            _ = try r.byte()
            let commit = try r.uint64(), end = try r.uint64()
            guard var t = open else { throw DecodeError(description: "commit without begin") }
            t.commitLSN = LSN(commit)
            t.endLSN = LSN(end)
            open = nil
            return t
        case UInt8(ascii: "R"):
            let id = try r.uint32()
            let namespace = try r.cString(), name = try r.cString()
            _ = try r.byte()  // replica identity setting
            var columns: [(String, Bool)] = []
            for _ in 0..<(try r.uint16()) {
                let flags = try r.byte()
                let column = try r.cString()
                _ = try r.uint32(); _ = try r.uint32()  // type oid, typmod
                columns.append((column, flags & 1 == 1))
            }
            relations[id] = Relation(name: namespace + "." + name, columns: columns)
        case UInt8(ascii: "I"), UInt8(ascii: "U"), UInt8(ascii: "D"):
            let id = try r.uint32()
            guard let relation = relations[id] else {
                throw DecodeError(description: "change to unknown relation \(id)")
            }
            var oldKey: [String: String?]?
            var row: [String: String?] = [:]
            var marker = try r.byte()
            if kind != UInt8(ascii: "I"), marker == UInt8(ascii: "K") || marker == UInt8(ascii: "O") {
                let old = try r.tuple(relation)
                if kind == UInt8(ascii: "D") {
                    row = old
                } else {
                    oldKey = old
                    marker = try r.byte()
                }
            }
            if kind != UInt8(ascii: "D") {
                guard marker == UInt8(ascii: "N") else { throw DecodeError(description: "expected a new tuple") }
                row = try r.tuple(relation)
            }
            let op: RowChange.Operation =
                kind == UInt8(ascii: "I")
                ? .insert
                : kind == UInt8(ascii: "U") ? .update : .delete
            let keys = relation.columns.filter(\.key).map(\.name)
            open?.changes.append(
                RowChange(
                    operation: op, table: relation.name, row: row, oldKey: oldKey,
                    keyColumns: keys))
        default:
            break  // origin, type, truncate and logical messages: none in the capstone's publication
        }
        return nil
    }

    struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func byte() throws -> UInt8 {
            guard at < bytes.count else { throw DecodeError(description: "message ends early") }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func uint(_ n: Int) throws -> UInt64 {
            var v: UInt64 = 0
            for _ in 0..<n { v = v << 8 | UInt64(try byte()) }
            return v
        }

        mutating func uint16() throws -> Int { Int(try uint(2)) }
        mutating func uint32() throws -> UInt32 { UInt32(try uint(4)) }
        mutating func uint64() throws -> UInt64 { try uint(8) }

        mutating func cString() throws -> String {
            guard let end = bytes[at...].firstIndex(of: 0) else {
                throw DecodeError(description: "unterminated string")
            }
            defer { at = end + 1 }
            return String(decoding: bytes[at..<end], as: UTF8.self)
        }

        mutating func tuple(_ relation: Relation) throws -> [String: String?] {
            let n = try uint16()
            var row: [String: String?] = [:]
            for i in 0..<n {
                let name = i < relation.columns.count ? relation.columns[i].name : "column\(i)"
                switch try byte() {
                case UInt8(ascii: "n"): row[name] = .some(nil)
                case UInt8(ascii: "u"): break  // unchanged TOAST value: not sent
                case UInt8(ascii: "t"):
                    let length = Int(try uint32())
                    guard at + length <= bytes.count else { throw DecodeError(description: "value ends early") }
                    row[name] = String(decoding: bytes[at..<at + length], as: UTF8.self)
                    at += length
                default: throw DecodeError(description: "unknown tuple value kind")
                }
            }
            return row
        }
    }
}
