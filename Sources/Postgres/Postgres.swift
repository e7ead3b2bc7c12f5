import CPostgres
import Dispatch
import Foundation
import Synchronization

/// A failed PostgreSQL call. Its message never contains the connection string's password.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// The SQLSTATE the server sent, when it sent one.
    public let sqlState: String?
    /// True when the database could not be reached at all (refused, absent socket, timed out).
    public let unreachable: Bool

    public init(_ message: String, sqlState: String? = nil, unreachable: Bool = false) {
        self.message = message
        self.sqlState = sqlState
        self.unreachable = unreachable
    }

    public var description: String { message }
}

/// A libpq connection string (key=value pairs or a postgresql:// URI). Only `redacted` is ever shown.
public struct DSN: Sendable, CustomStringConvertible {
    /// The one variable the suite reads; unset, it is `DSN.default`, what `make postgres` starts.
    public static let environmentVariable = "KAFKA_BDD_POSTGRES"
    public static let `default` = "host=/tmp/kafka-bdd-postgres port=5432 user=postgres dbname=postgres"

    let text: String

    public init(_ text: String) { self.text = text }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> DSN {
        DSN(environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? Self.default)
    }

    /// The password, as written (nil when the string has none or cannot be parsed).
    var password: String? { options.first { $0.key == "password" }?.value }

    /// The parsed keywords and values libpq sees, in its order.
    var options: [(key: String, value: String)] {
        var error: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(text, &error) else {
            if let error { PQfreemem(error) }
            return []
        }
        defer { PQconninfoFree(parsed) }
        var out: [(String, String)] = []
        var p = parsed
        while let keyword = p.pointee.keyword {
            if let value = p.pointee.val { out.append((String(cString: keyword), String(cString: value))) }
            p += 1
        }
        return out
    }

    /// The connection string with its password replaced by `***`; one libpq cannot parse is not shown.
    public var redacted: String {
        let options = self.options
        guard !options.isEmpty || text.isEmpty else { return "<a connection string libpq cannot parse>" }
        return options.map { "\($0.key)=\($0.key == "password" ? "***" : $0.value)" }.joined(separator: " ")
    }

    public var description: String { redacted }

    /// Removes the password from text libpq wrote (it does not echo it, but a message is checked anyway).
    func scrub(_ message: String) -> String {
        guard let password, !password.isEmpty else { return message }
        return message.replacingOccurrences(of: password, with: "***")
    }
}

/// Blocking libpq calls run on a thread of their own per connection, never on the Swift concurrency
/// pool nor on Dispatch's shared workers: a capstone pipeline keeps several connections busy (a slot
/// polled every 10 ms, an observer every 20 ms) beside librdkafka's blocking calls, and a shared pool
/// that ran out of workers would stall them all.
final class BlockingThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopped = false

    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            guard !stopped else {
                continuation.resume(throwing: PostgresError("the connection is closed"))
                return
            }
            jobs.append {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            condition.signal()
        }
    }

    /// Ends the thread once the jobs already queued have run.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }
}

/// The rows a statement returned: text or binary values as bytes, nil for NULL.
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [[[UInt8]?]]
    /// Rows an INSERT, UPDATE or DELETE touched.
    public let affected: Int

    public func string(_ row: Int, _ column: Int) -> String? {
        rows[row][column].map { String(decoding: $0, as: UTF8.self) }
    }

    public func int(_ row: Int, _ column: Int) -> Int64? { string(row, column).flatMap { Int64($0) } }

    /// A value that must be there: a NULL (or, for `value(…) as Int64`, a non-number) is an error naming
    /// the row and column, never a crash of the whole run.
    public func value(_ row: Int, _ column: Int) throws(PostgresError) -> String {
        guard let v = string(row, column) else { throw PostgresError("row \(row + 1), \(name(column)): NULL") }
        return v
    }

    public func value(_ row: Int, _ column: Int) throws(PostgresError) -> Int64 {
        let text: String = try value(row, column)
        guard let v = Int64(text) else {
            throw PostgresError("row \(row + 1), \(name(column)): not a whole number (\(text.count) characters)")
        }
        return v
    }

    public func value(_ row: Int, _ column: Int) throws(PostgresError) -> UInt64 {
        let v: Int64 = try value(row, column)
        guard let u = UInt64(exactly: v) else { throw PostgresError("row \(row + 1), \(name(column)): negative") }
        return u
    }

    private func name(_ column: Int) -> String {
        column < columns.count ? "column \(columns[column])" : "column \(column + 1)"
    }
}

/// One libpq connection. Calls on it are serialized; each runs off the concurrency pool, and each
/// statement has a server-side time limit (`statement_timeout`).
public final class Connection: @unchecked Sendable {
    private let conn: OpaquePointer
    private let lock = Mutex(false)  // true once closed
    private let thread: BlockingThread
    public let dsn: DSN

    private init(conn: OpaquePointer, dsn: DSN, thread: BlockingThread) {
        self.conn = conn
        self.dsn = dsn
        self.thread = thread
    }

    /// Connects within `timeout` (10 s by default) whatever the server does: refused, absent or silent.
    /// A statement then runs for at most `statementTimeout`.
    public static func connect(
        _ dsn: DSN, timeout: Duration = .seconds(10),
        statementTimeout: Duration = .seconds(30)
    ) async throws -> Connection {
        let thread = BlockingThread(name: "kafka-bdd postgres")
        let c: Connection
        do {
            c = try await thread.run { try connectBlocking(dsn, timeout: timeout, thread: thread) }
        } catch {
            thread.stop()
            throw error
        }
        do {
            _ = try await c.execute("SET statement_timeout = \(statementTimeout.components.seconds * 1000)")
            _ = try await c.execute("SET lock_timeout = \(statementTimeout.components.seconds * 1000)")
            _ = try await c.execute("SET client_min_messages = warning")  // no NOTICE lines on stderr
        } catch {
            c.close()
            throw error
        }
        return c
    }

    private static func connectBlocking(_ dsn: DSN, timeout: Duration, thread: BlockingThread) throws -> Connection {
        let deadline = ContinuousClock.now + timeout
        func failure(_ what: String, _ conn: OpaquePointer?) -> PostgresError {
            let detail = (conn.map { String(cString: PQerrorMessage($0)) } ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if let conn { PQfinish(conn) }
            let message =
                "cannot connect to PostgreSQL (\(dsn.redacted)): "
                + dsn.scrub(what + (detail.isEmpty ? "" : ": " + detail))
            return PostgresError(message, unreachable: true)
        }
        guard !dsn.options.isEmpty || dsn.text.isEmpty else {
            throw PostgresError(
                "cannot connect to PostgreSQL: \(DSN.environmentVariable) is not a connection string "
                    + "libpq can parse (key=value pairs or a postgresql:// URI)")
        }
        guard let conn = PQconnectStart(dsn.text) else { throw failure("out of memory", nil) }
        if PQstatus(conn) == CONNECTION_BAD { throw failure("bad connection settings", conn) }
        var state = PGRES_POLLING_WRITING
        while true {
            switch state {
            case PGRES_POLLING_OK:
                return Connection(conn: conn, dsn: dsn, thread: thread)
            case PGRES_POLLING_FAILED:
                throw failure("connection failed", conn)
            default:
                let left = deadline - ContinuousClock.now
                guard left > .zero else {
                    throw failure("no answer within \(timeout.components.seconds) s", conn)
                }
                var fd = pollfd(
                    fd: PQsocket(conn), events: Int16(state == PGRES_POLLING_READING ? POLLIN : POLLOUT),
                    revents: 0)
                let ms = Int32(
                    max(
                        1,
                        left.components.seconds * 1000
                            + left.components.attoseconds / 1_000_000_000_000_000))
                let ready = poll(&fd, 1, ms)
                if ready == 0 { throw failure("no answer within \(timeout.components.seconds) s", conn) }
                if ready < 0, errno != EINTR { throw failure("poll failed (errno \(errno))", conn) }
            }
            state = PQconnectPoll(conn)
        }
    }

    /// Runs one statement with text parameters ($1, $2, …); `binary` asks for binary result values.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = [], binary: Bool = false) async throws
        -> QueryResult
    {
        try await thread.run { [self] in try executeBlocking(sql, parameters, binary: binary) }
    }

    private func executeBlocking(_ sql: String, _ parameters: [String?], binary: Bool) throws -> QueryResult {
        try lock.withLock { closed in
            guard !closed else { throw PostgresError("the connection is closed") }
            let cStrings = parameters.map { $0.map { strdup($0) } ?? nil }
            defer { cStrings.forEach { free($0) } }
            let values = cStrings.map { UnsafePointer($0) }
            let format: Int32 = binary ? 1 : 0
            guard let result = PQexecParams(conn, sql, Int32(parameters.count), nil, values, nil, nil, format) else {
                throw PostgresError(
                    dsn.scrub(String(cString: PQerrorMessage(conn))),
                    unreachable: PQstatus(conn) == CONNECTION_BAD)
            }
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
                let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
                let message = String(cString: PQresultErrorMessage(result))
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                throw PostgresError(dsn.scrub(message), sqlState: state, unreachable: PQstatus(conn) == CONNECTION_BAD)
            }
            let columns = (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
            var rows: [[[UInt8]?]] = []
            for r in 0..<PQntuples(result) {
                rows.append(
                    (0..<Int32(columns.count)).map { c in
                        if PQgetisnull(result, r, c) == 1 { return nil }
                        let length = Int(PQgetlength(result, r, c))
                        return PQgetvalue(result, r, c).withMemoryRebound(to: UInt8.self, capacity: length) {
                            Array(UnsafeBufferPointer(start: $0, count: length))
                        }
                    })
            }
            return QueryResult(columns: columns, rows: rows, affected: Int(String(cString: PQcmdTuples(result))) ?? 0)
        }
    }

    /// Closes the connection (idempotent). A statement still running is waited for.
    public func close() {
        lock.withLock { closed in
            guard !closed else { return }
            closed = true
            PQfinish(conn)
        }
        thread.stop()
    }

    deinit { close() }
}

/// A PostgreSQL log sequence number, written `X/Y` by the server.
public struct LSN: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let hi = UInt64(parts[0], radix: 16), let lo = UInt64(parts[1], radix: 16) else {
            return nil
        }
        value = hi << 32 | lo
    }

    public var description: String {
        String(value >> 32, radix: 16, uppercase: true) + "/" + String(value & 0xffff_ffff, radix: 16, uppercase: true)
    }

    public static func < (a: LSN, b: LSN) -> Bool { a.value < b.value }
}
