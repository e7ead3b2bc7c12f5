import Foundation
import Postgres

/// One scenario's objects in the database, all named after it so scenarios never share one: a schema
/// holding the source table `orders`, its change history `orders_history` (filled by a trigger in the
/// same transaction as each change: an account of what happened that owes nothing to logical decoding),
/// the sink table `window_totals`; a publication and a logical replication slot (pgoutput).
public struct PipelineDatabase: Sendable {
    public let dsn: DSN
    public let schema: String

    public var orders: String { "\(schema).orders" }
    public var history: String { "\(schema).orders_history" }
    public var sink: String { "\(schema).window_totals" }
    public var publication: String { "\(schema)_pub" }
    public var slot: String { "\(schema)_slot" }

    public init(dsn: DSN, scope: String) {
        self.dsn = dsn
        schema = "kbdd_" + scope.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// Why the capstone cannot run here, or nil: the database answers and decodes logically.
    public static func unavailable(_ dsn: DSN) async -> String? {
        let c: Connection
        do { c = try await Connection.connect(dsn) } catch {
            return "\(error) — start one with `make postgres`, or set \(DSN.environmentVariable)"
        }
        defer { c.close() }
        guard let level = try? await c.execute("SHOW wal_level").string(0, 0) else { return "cannot read wal_level" }
        return level == "logical"
            ? nil
            : "PostgreSQL at \(dsn.redacted) has wal_level=\(level); logical decoding needs "
                + "wal_level=logical (`make postgres` starts one with it)"
    }

    public func create() async throws {
        let c = try await Connection.connect(dsn)
        defer { c.close() }
        try await c.execute("CREATE SCHEMA \(schema)")
        try await c.execute(
            """
            CREATE TABLE \(orders) (id bigint PRIMARY KEY, customer text NOT NULL, amount bigint NOT NULL,
                                    placed_at bigint NOT NULL)
            """)
        try await c.execute(
            """
            CREATE TABLE \(history) (seq bigserial PRIMARY KEY, op text NOT NULL, id bigint NOT NULL,
                                     customer text NOT NULL, amount bigint NOT NULL, placed_at bigint NOT NULL)
            """)
        try await c.execute(
            """
            CREATE FUNCTION \(schema).record_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'DELETE' THEN
                INSERT INTO \(history) (op, id, customer, amount, placed_at)
                  VALUES ('delete', OLD.id, OLD.customer, OLD.amount, OLD.placed_at);
                RETURN OLD;
              END IF;
              INSERT INTO \(history) (op, id, customer, amount, placed_at)
                VALUES (lower(TG_OP), NEW.id, NEW.customer, NEW.amount, NEW.placed_at);
              RETURN NEW;
            END $$
            """)
        try await c.execute(
            """
            CREATE TRIGGER history AFTER INSERT OR UPDATE OR DELETE ON \(orders)
              FOR EACH ROW EXECUTE FUNCTION \(schema).record_change()
            """)
        try await c.execute(
            """
            CREATE TABLE \(sink) (customer text NOT NULL, window_start bigint NOT NULL, total bigint NOT NULL,
                                  orders bigint NOT NULL, source_lsn bigint NOT NULL, version bigint NOT NULL,
                                  PRIMARY KEY (customer, window_start))
            """)
        try await c.execute("CREATE PUBLICATION \(publication) FOR TABLE \(orders)")
        try await c.execute("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot])
    }

    /// Drops the slot (so the server keeps no WAL for it), the publication and the schema.
    public func drop() async {
        guard let c = try? await Connection.connect(dsn) else { return }
        defer { c.close() }
        _ = try? await c.execute(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                + "WHERE slot_name = $1", [slot])
        _ = try? await c.execute("DROP PUBLICATION IF EXISTS \(publication)")
        _ = try? await c.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
    }

    /// The change history, in the order the changes were made.
    public func readHistory(_ c: Connection) async throws -> [(op: String, order: Order)] {
        let r = try await c.execute("SELECT op, id, customer, amount, placed_at FROM \(history) ORDER BY seq")
        return try (0..<r.rows.count).map { i in
            (
                try r.value(i, 0),
                Order(
                    id: try r.value(i, 1), customer: try r.value(i, 2), amount: try r.value(i, 3),
                    placedAt: try r.value(i, 4))
            )
        }
    }

    public func readOrders(_ c: Connection) async throws -> [Order] {
        let r = try await c.execute("SELECT id, customer, amount, placed_at FROM \(orders) ORDER BY id")
        return try (0..<r.rows.count).map { i in
            Order(
                id: try r.value(i, 0), customer: try r.value(i, 1), amount: try r.value(i, 2),
                placedAt: try r.value(i, 3))
        }
    }

    /// The sink table as SQL reads it.
    public func readSink(_ c: Connection) async throws -> [WindowTotal] {
        let r = try await c.execute(
            "SELECT customer, window_start, total, orders, source_lsn, version FROM \(sink) "
                + "ORDER BY customer, window_start")
        return try (0..<r.rows.count).map { i in
            WindowTotal(
                key: WindowKey(customer: try r.value(i, 0), windowStart: try r.value(i, 1)),
                total: try r.value(i, 2), orders: try r.value(i, 3),
                sourceLSN: try r.value(i, 4), version: try r.value(i, 5))
        }
    }

    /// The slot's confirmed position: what the CDC reader has told the server it need not send again.
    public func confirmedLSN(_ c: Connection) async throws -> LSN? {
        let r = try await c.execute(
            "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1",
            [slot])
        return r.rows.isEmpty ? nil : r.string(0, 0).flatMap(LSN.init)
    }
}
