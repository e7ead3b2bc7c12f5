import Foundation
import KafkaClient
import Postgres
import Synchronization

/// Change data capture from a logical replication slot into a Kafka topic.
///
/// Each round peeks at most `batch` decoded messages from the slot (`pg_logical_slot_peek_binary_changes`,
/// pgoutput: whole transactions, so a round can overrun `batch` by one transaction), publishes every
/// change as a keyed record (key = primary key, tombstone for a delete), waits until Kafka acknowledged
/// every record of the round, and only then confirms the slot up to the last transaction's end
/// (`pg_replication_slot_advance`). A reader that dies mid-round confirmed nothing of that round, so its
/// successor peeks the same transactions again: nothing is lost and each row's changes stay in commit
/// order; the records of the unconfirmed round are published twice — at most one round per restart
/// (`batch` messages plus one transaction) beyond the producer's own retries.
public final class CDCReader: Sendable {
    /// When the slot is confirmed. Only `afterAcknowledged` is safe; the other is the mistake the
    /// capstone's negative control makes: it consumes the changes from the slot before publishing them.
    public enum Confirm: Sendable { case afterAcknowledged, beforePublishing }

    public let database: PipelineDatabase
    public let topic: String
    public let batch: Int
    let confirm: Confirm
    let config: KafkaConfig
    private let crashRequested = Atomic<Bool>(false)
    private let state = Mutex(Progress())

    public struct Progress: Sendable {
        public var rounds = 0
        public var published = 0
        public var confirmed: LSN?
        public var crashed = false
        /// True once it has read the slot.
        public var ready = false
    }

    public var progress: Progress { state.withLock { $0 } }

    /// - Parameter config: the cluster's client configuration; producer settings are added here.
    public init(
        database: PipelineDatabase, topic: String, config: KafkaConfig, batch: Int = 100,
        confirm: Confirm = .afterAcknowledged
    ) {
        self.database = database
        self.topic = topic
        self.batch = batch
        self.confirm = confirm
        var config = config
        // acks=all and in order: one request in flight, so a retry after a broker dies cannot overtake.
        // Not idempotent: on librdkafka's mock an idempotent producer may take records as written that are not.
        for (k, v) in [
            "acks": "all", "enable.idempotence": "false", "max.in.flight.requests.per.connection": "1",
            "retries": "1000", "retry.backoff.ms": "50", "message.timeout.ms": "30000", "linger.ms": "2",
        ] {
            config[k] = v
        }
        self.config = config
    }

    /// Asks the reader to die in the middle of its next round of two changes or more: the first half of the
    /// round acknowledged by Kafka, the rest dropped before it was sent, the slot not confirmed (for
    /// `beforePublishing`: the whole round already consumed from the slot).
    public func crash() { crashRequested.store(true, ordering: .releasing) }

    /// Runs until `stop` says so or the reader crashes; errors (a failed delivery, a lost connection) end it.
    public func run(until stop: @escaping @Sendable () -> Bool) async throws {
        let connection = try await Connection.connect(database.dsn)
        defer { connection.close() }
        let round = Mutex((acknowledged: 0, failure: KafkaError?.none))
        let producer = try Producer(
            config: config,
            onDelivery: { report in
                round.withLock { r in
                    if let error = report.error { r.failure = r.failure ?? error } else { r.acknowledged += 1 }
                }
            })
        // The topic's partitions and leaders are learnt before the first round: a producer's first record
        // to a topic it has no metadata for waited about a second for it (measured: the first change took
        // 0.9 s from the slot to Kafka's acknowledgement, the next ones 10 ms).
        _ = try await producer.metadata(topic: topic)
        var decoder = PgOutputDecoder()
        while !stop() {
            let (transactions, rows) = try await take(connection, &decoder)
            state.withLock { $0.ready = true }
            let changes = transactions.flatMap(Self.captured)
            if rows == 0 {
                try await Task.sleep(for: .milliseconds(10))  // the slot's poll interval
                continue
            }
            round.withLock { $0 = (0, nil) }
            StageTrace.mark("cdc-read", "\(changes.count) changes")
            // A crash waits for a round of two changes or more, so that the half acknowledged before it is
            // not empty: the restarted reader publishes it again (a crash between rounds or in a round of
            // one change republished nothing: a new user's chaos runs showed no duplicate two times in three).
            if crashRequested.load(ordering: .acquiring), changes.count >= 2 {
                // Dies in the middle of the round: its first half acknowledged, the rest never sent.
                let half = changes.count / 2
                for (i, change) in changes.prefix(half).enumerated() {
                    try send(producer, change, UInt64(i))
                }
                try await producer.flush(timeout: .seconds(40))
                for (i, change) in changes.dropFirst(half).enumerated() {
                    try send(producer, change, UInt64(half + i))
                }
                producer.killDroppingQueued()
                state.withLock {
                    $0.crashed = true; $0.published += half
                }
                return
            }
            for (i, change) in changes.enumerated() {
                try send(producer, change, UInt64(i))
            }
            try await producer.flush(timeout: .seconds(40))
            let (acknowledged, failure) = round.withLock { $0 }
            StageTrace.mark("cdc-acked", "\(acknowledged)")
            if let failure { throw failure }
            guard acknowledged == changes.count else {
                throw KafkaError.timedOut(
                    "\(changes.count - acknowledged) of \(changes.count) changes unacknowledged")
            }
            if confirm == .afterAcknowledged, let last = transactions.last {
                try await connection.execute(
                    "SELECT pg_replication_slot_advance($1, $2::pg_lsn)",
                    [database.slot, "\(last.endLSN)"])
            }
            state.withLock {
                $0.rounds += 1
                $0.published += changes.count
                $0.confirmed = transactions.last?.endLSN ?? $0.confirmed
            }
        }
        await producer.close()
    }

    /// The next round from the slot: peeked (confirmed later), or consumed at once for `beforePublishing`.
    private func take(_ c: Connection, _ decoder: inout PgOutputDecoder) async throws -> ([DecodedTransaction], Int) {
        let function =
            confirm == .afterAcknowledged
            ? "pg_logical_slot_peek_binary_changes"
            : "pg_logical_slot_get_binary_changes"
        let r = try await c.execute(
            "SELECT data FROM \(function)($1, NULL, $2, 'proto_version', '1', "
                + "'publication_names', $3)",
            [database.slot, String(batch), database.publication], binary: true)
        var out: [DecodedTransaction] = []
        for row in r.rows {
            if let t = try decoder.decode(row[0] ?? []) { out.append(t) }
        }
        return (out, r.rows.count)
    }

    private func send(_ producer: Producer, _ change: CapturedChange, _ token: UInt64) throws {
        try producer.produce(topic: topic, key: change.key, value: change.value, headers: change.headers, token: token)
    }

    /// A transaction's changes as records; the n-th record of a transaction has index n.
    static func captured(_ t: DecodedTransaction) -> [CapturedChange] {
        var out: [CapturedChange] = []
        func add(_ op: CapturedChange.Operation, _ id: Int64, _ order: Order?) {
            out.append(
                CapturedChange(
                    operation: op, id: id, order: order,
                    position: ChangePosition(commitLSN: t.commitLSN.value, index: out.count),
                    committedAt: t.committedAt))
        }
        func id(_ row: [String: String?]) -> Int64? { (row["id"] ?? nil).flatMap { Int64($0) } }
        for change in t.changes {
            switch change.operation {
            case .insert, .update:
                guard let order = Order(change.row) else { continue }
                // A key change: the old key's row is gone (a tombstone), the new key's row appears.
                if let old = change.oldKey.flatMap(id), old != order.id { add(.delete, old, nil) }
                add(change.operation == .insert ? .insert : .update, order.id, order)
            case .delete:
                if let key = id(change.row) { add(.delete, key, nil) }
            }
        }
        return out
    }
}
