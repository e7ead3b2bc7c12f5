import Foundation
import KafkaClient
import Postgres
import Synchronization

/// Writes window totals into the sink table.
public protocol SinkWriter: Sendable {
    func write(_ totals: [WindowTotal], _ connection: Connection) async throws
}

/// The idempotent upsert: by customer and window, and only when the record's version is newer than the
/// row's. A re-delivered record (same version) or an older one changes nothing.
public struct UpsertWriter: SinkWriter {
    public let table: String

    public init(table: String) { self.table = table }

    public func write(_ totals: [WindowTotal], _ c: Connection) async throws {
        guard !totals.isEmpty else { return }
        try await c.execute("BEGIN")
        do {
            for t in totals {
                try await c.execute(
                    """
                    INSERT INTO \(table) AS s (customer, window_start, total, orders, source_lsn, version)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT (customer, window_start) DO UPDATE
                      SET total = EXCLUDED.total, orders = EXCLUDED.orders, source_lsn = EXCLUDED.source_lsn,
                          version = EXCLUDED.version
                      WHERE s.version < EXCLUDED.version
                    """,
                    [
                        t.key.customer, String(t.key.windowStart), String(t.total), String(t.orders),
                        String(Int64(bitPattern: t.sourceLSN)), String(t.version),
                    ])
            }
            try await c.execute("COMMIT")
        } catch {
            _ = try? await c.execute("ROLLBACK")
            throw error
        }
    }
}

/// Reads the totals topic and writes each batch with a `SinkWriter`, committing the consumed offsets
/// only after the batch is in the table (at least once: a sink that dies re-reads what it had not
/// committed, and the upsert makes that harmless). It reads assigned partitions at its group's committed
/// offsets, so a restarted sink resumes at once, without waiting for a rebalance.
public final class TotalsSink: Sendable {
    public let topic: String
    let partitions: Int32
    let dsn: DSN
    let writer: any SinkWriter
    let config: KafkaConfig
    private let crashRequested = Atomic<Bool>(false)
    private let counts = Mutex((records: 0, batches: 0))
    private let writing = Atomic<Bool>(false)
    private let polled = Atomic<Bool>(false)

    /// True once its first poll returned: assigned and fetching.
    public var isReady: Bool { polled.load(ordering: .acquiring) }

    /// True while a batch is being written to the table.
    public var isWriting: Bool { writing.load(ordering: .acquiring) }

    public init(
        topic: String, partitions: Int32, group: String, dsn: DSN, writer: any SinkWriter,
        config: KafkaConfig
    ) {
        self.topic = topic
        self.partitions = partitions
        self.dsn = dsn
        self.writer = writer
        var c = config
        for (k, v) in ["group.id": group, "enable.auto.commit": "false", "fetch.wait.max.ms": "10"] {
            c[k] = v
        }
        self.config = c
    }

    public var written: (records: Int, batches: Int) { counts.withLock { ($0.records, $0.batches) } }

    /// Dies at its next batch: written to the table, offsets not committed.
    public func crash() { crashRequested.store(true, ordering: .releasing) }

    public func run(until stop: @escaping @Sendable () -> Bool) async throws {
        let connection = try await Connection.connect(dsn)
        defer { connection.close() }
        let consumer = try Consumer(config: config)
        // The topic's leaders are learnt before the first fetch, which otherwise waited about half a second
        // for them (measured).
        _ = try await consumer.metadata(topic: topic)
        let all = (0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0) }
        let committed = try await consumer.committed(all)
        try await consumer.assignKnowingLeaders(
            committed.map {
                TopicPartitionOffset(
                    topic: topic, partition: $0.partition,
                    offset: $0.offset >= 0 ? $0.offset : TopicPartitionOffset.beginning)
            })
        do {
            while !stop() {
                let records = try await consumer.records(atMost: 500, within: .milliseconds(50))
                polled.store(true, ordering: .releasing)
                // A kill waits for a batch: it dies after writing one and before committing its offsets.
                if records.isEmpty { continue }
                // Once told to stop, it writes nothing more: the table is read back after that.
                if stop() { break }
                StageTrace.mark("sink-read", "\(records.count)")
                writing.store(true, ordering: .releasing)
                try await writer.write(records.compactMap(WindowTotal.init), connection)
                writing.store(false, ordering: .releasing)
                StageTrace.mark("sink-written", "\(records.count)")
                counts.withLock {
                    $0.records += records.count; $0.batches += 1
                }
                if crashRequested.load(ordering: .acquiring) {
                    consumer.kill()
                    return
                }
                var next: [Int32: Int64] = [:]
                for r in records { next[r.partition] = max(next[r.partition] ?? 0, r.offset + 1) }
                try await consumer.commit(
                    next.map {
                        TopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value)
                    })
            }
        } catch {
            consumer.kill()
            throw error
        }
        // librdkafka's close of a group consumer can block for long on a loaded machine; it goes on in
        // the background past this bound, and the stage ends.
        await consumer.close(within: .seconds(2))
    }
}
