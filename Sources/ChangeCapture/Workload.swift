import Foundation
import Postgres
import Synchronization

/// One source transaction's effect on a window, for timing: the WAL insert position read inside the
/// transaction before its changes (every commit before it ends at or before this position, its own
/// commit after it), and when its COMMIT returned. A sink row whose `source_lsn` is past `walBefore`
/// holds this transaction's change or a later one of the same window.
public struct ChangeMark: Sendable {
    public var window: WindowKey
    public var walBefore: UInt64
    /// Milliseconds since the Unix epoch.
    public var committedAt: Double
}

/// The source's writers: `changes` row changes to `orders` in transactions of one change (every tenth of
/// three), paced at `perSecond`, one at a time on one connection. About half inserts, a third updates of
/// an amount and the rest deletes, of rows picked by a seeded generator; each order's event time is its
/// insert's scheduled time, so the windows fill as the drill goes.
public struct SourceWorkload: Sendable {
    public let changes: Int
    public let perSecond: Int
    public let customers: Int
    public let windowMillis: Int64
    public let seed: UInt64
    /// The changes a feature states, made instead of the seeded mix, one per transaction; an insert's event
    /// time is `base` plus its second.
    public var script: [ScriptedChange]?
    /// Event time 0 of a script: the start of the window after the one the drill started in, so that a
    /// script's seconds fall in the windows it names.
    public var base: Int64 = 0

    public init(changes: Int, perSecond: Int, customers: Int = 4, windowMillis: Int64, seed: UInt64 = 14) {
        self.changes = changes
        self.perSecond = perSecond
        self.customers = customers
        self.windowMillis = windowMillis
        self.seed = seed
    }

    /// Makes the changes; after each commit, `committed` gets its marks and `made` the number of changes
    /// made so far.
    public func run(
        _ database: PipelineDatabase, committed: @escaping @Sendable ([ChangeMark]) -> Void,
        made: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        let c = try await Connection.connect(database.dsn)
        defer { c.close() }
        if let script {
            try await run(script, database, c, committed: committed, made: made)
            return
        }
        var random = SplitMix(seed)
        var live: [Order] = []
        var nextId: Int64 = 1
        let start = ContinuousClock.now
        let epochStart = Int64(Date().timeIntervalSince1970 * 1000)
        var done = 0, transaction = 0
        while done < changes {
            let size = min(transaction % 10 == 9 ? 3 : 1, changes - done)
            transaction += 1
            try await c.execute("BEGIN")
            let wal = try await c.execute("SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint").int(0, 0) ?? 0
            var windows: [WindowKey] = []
            for _ in 0..<size {
                let at = epochStart + Int64(done) * 1000 / Int64(perSecond)
                let pick = random.next() % 100
                if live.count < 4 || pick < 50 {
                    let o = Order(
                        id: nextId, customer: "c\(random.next() % UInt64(customers) + 1)",
                        amount: Int64(random.next() % 100 + 1), placedAt: at)
                    nextId += 1
                    try await c.execute(
                        "INSERT INTO \(database.orders) VALUES ($1, $2, $3, $4)",
                        [String(o.id), o.customer, String(o.amount), String(o.placedAt)])
                    live.append(o)
                    windows.append(WindowKey(o, windowMillis: windowMillis))
                } else if pick < 83 {
                    let i = Int(random.next() % UInt64(live.count))
                    live[i].amount = Int64(random.next() % 100 + 1)
                    try await c.execute(
                        "UPDATE \(database.orders) SET amount = $1 WHERE id = $2",
                        [String(live[i].amount), String(live[i].id)])
                    windows.append(WindowKey(live[i], windowMillis: windowMillis))
                } else {
                    let o = live.remove(at: Int(random.next() % UInt64(live.count)))
                    try await c.execute("DELETE FROM \(database.orders) WHERE id = $1", [String(o.id)])
                    windows.append(WindowKey(o, windowMillis: windowMillis))
                }
                done += 1
            }
            try await c.execute("COMMIT")
            let committedAt = Date().timeIntervalSince1970 * 1000
            StageTrace.mark("source-commit", "\(done)")
            committed(Set(windows).map { ChangeMark(window: $0, walBefore: UInt64(wal), committedAt: committedAt) })
            try await made(done)
            // Paced: the next transaction starts at its scheduled time.
            let due = start + .milliseconds(done * 1000 / perSecond)
            if due > .now { try await Task.sleep(until: due) }
        }
    }
}

extension SourceWorkload {
    private func run(
        _ script: [ScriptedChange], _ database: PipelineDatabase, _ c: Connection,
        committed: @escaping @Sendable ([ChangeMark]) -> Void, made: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        var live: [Int64: Order] = [:]
        let start = ContinuousClock.now
        for (done, change) in script.enumerated() {
            try await c.execute("BEGIN")
            let wal = try await c.execute("SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint").int(0, 0) ?? 0
            let touched: Order
            switch change.kind {
            case .insert(let customer, let amount, let second):
                let o = Order(id: change.order, customer: customer, amount: amount, placedAt: base + second * 1000)
                try await c.execute(
                    "INSERT INTO \(database.orders) VALUES ($1, $2, $3, $4)",
                    [String(o.id), o.customer, String(o.amount), String(o.placedAt)])
                live[o.id] = o
                touched = o
            case .update(let amount):
                guard var o = live[change.order] else { throw ScriptError(change, "updates an order not inserted") }
                o.amount = amount
                try await c.execute(
                    "UPDATE \(database.orders) SET amount = $1 WHERE id = $2", [String(amount), String(o.id)])
                live[o.id] = o
                touched = o
            case .delete:
                guard let o = live.removeValue(forKey: change.order) else {
                    throw ScriptError(change, "deletes an order not inserted")
                }
                try await c.execute("DELETE FROM \(database.orders) WHERE id = $1", [String(o.id)])
                touched = o
            }
            try await c.execute("COMMIT")
            let committedAt = Date().timeIntervalSince1970 * 1000
            committed([
                ChangeMark(
                    window: WindowKey(touched, windowMillis: windowMillis), walBefore: UInt64(wal),
                    committedAt: committedAt)
            ])
            try await made(done + 1)
            let due = start + .milliseconds((done + 1) * 1000 / perSecond)
            if due > .now { try await Task.sleep(until: due) }
        }
    }
}

/// One change a feature states for the capstone's source table (its row number, for errors).
public struct ScriptedChange: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// An order placed at that second of the script's event time.
        case insert(customer: String, amount: Int64, second: Int64)
        case update(amount: Int64)
        case delete
    }

    public var order: Int64
    public var kind: Kind
    public var line: Int

    public init(order: Int64, _ kind: Kind, line: Int) {
        self.order = order
        self.kind = kind
        self.line = line
    }
}

/// A stated change that cannot be made: it names the change's line.
public struct ScriptError: Error, CustomStringConvertible {
    public let description: String
    init(_ change: ScriptedChange, _ problem: String) {
        description = "line \(change.line): order \(change.order) \(problem)"
    }
}

/// Reads the sink table by SQL every `interval` and times each source transaction: from its commit to
/// the first read in which its window's row holds it (`source_lsn` past the mark's `walBefore`).
public final class SinkObserver: Sendable {
    public let database: PipelineDatabase
    let interval: Duration
    private let state = Mutex(
        (
            pending: [ChangeMark](), measured: [(committedAt: Double, latency: Double)](),
            polls: 0
        ))

    public init(database: PipelineDatabase, interval: Duration = .milliseconds(20)) {
        self.database = database
        self.interval = interval
    }

    public func expect(_ marks: [ChangeMark]) { state.withLock { $0.pending += marks } }

    /// Milliseconds from commit to visible, one per transaction and window seen so far, with the commit
    /// time (ms since the Unix epoch).
    public var measured: [(committedAt: Double, latency: Double)] { state.withLock { $0.measured } }
    public var pending: Int { state.withLock { $0.pending.count } }
    /// True once it has read the sink table.
    public var isReady: Bool { state.withLock { $0.polls > 0 } }

    public func run(until stop: @escaping @Sendable () -> Bool) async throws {
        let c = try await Connection.connect(database.dsn)
        defer { c.close() }
        while !stop() {
            let r = try await c.execute("SELECT customer, window_start, source_lsn FROM \(database.sink)")
            let now = Date().timeIntervalSince1970 * 1000
            var rows: [WindowKey: UInt64] = [:]
            for i in 0..<r.rows.count {
                rows[WindowKey(customer: try r.value(i, 0), windowStart: try r.value(i, 1))] =
                    try r.value(i, 2)
            }
            state.withLock { s in
                s.polls += 1
                s.pending.removeAll { m in
                    guard let lsn = rows[m.window], lsn > m.walBefore else { return false }
                    s.measured.append((m.committedAt, max(0, now - m.committedAt)))
                    StageTrace.mark("observed", "\(Int64(m.committedAt) % 100_000) +\(Int(now - m.committedAt)) ms")
                    return true
                }
            }
            try await Task.sleep(for: interval)
        }
    }
}

/// A small seeded generator (SplitMix64): the same seed makes the same workload.
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
