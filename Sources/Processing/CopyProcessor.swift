import Foundation
import KafkaClient

/// A read-process-write processor, as Kafka's EOS test driver runs one: it copies every order of an
/// input topic to an output topic, adding the order's amount, either in transactions (the consumer's
/// offsets committed in the same transaction as the output) or at-least-once (output flushed, then
/// offsets committed). It can be killed at a chosen record, mid-transaction, and restarted.
public final class CopyProcessor: @unchecked Sendable {
    public enum Mode: Sendable { case exactlyOnce(transactionalId: String), atLeastOnce }

    /// How the processor reaches its cluster: the client configuration with extra properties, and a hook
    /// told each group and transactional id it uses (the embedded cluster's harness plays their coordinator).
    public struct Connection: Sendable {
        public var config: @Sendable ([String: String]) -> KafkaConfig
        public var uses: @Sendable (_ id: String, _ transactional: Bool) -> Void

        public init(
            config: @escaping @Sendable ([String: String]) -> KafkaConfig,
            uses: @escaping @Sendable (_ id: String, _ transactional: Bool) -> Void = { _, _ in }
        ) {
            self.config = config
            self.uses = uses
        }
    }

    /// The processor could not do its work; the message is the whole of what a failed step says.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public let connection: Connection
    public let mode: Mode
    public let group: String, input: String, output: String
    public let partitions: Int32
    public let batch = 100
    /// Time spent processing, from each instance's first record to its last commit (joining the group excluded).
    public private(set) var processingTime = Duration.zero

    public init(
        connection: Connection, mode: Mode, group: String, input: String, output: String, partitions: Int32
    ) {
        self.connection = connection
        self.mode = mode
        self.group = group
        self.input = input
        self.output = output
        self.partitions = partitions
    }

    /// One instance: runs until the input is read to the log ends it had when started, or until
    /// `killAfter` records were written by it — then it is killed mid-transaction (after writing,
    /// before committing). Returns the records it wrote, whether it was killed, and how many records
    /// it passed over for carrying no payload id (records the produce steps did not write).
    public func runInstance(killAfter: Int?, ends: [String: Int64]) async throws
        -> (written: Int, killed: Bool, skipped: Int)
    {
        let consumer = try Consumer(
            config: connection.config([
                "group.id": group, "enable.auto.commit": "false", "auto.offset.reset": "earliest",
                "isolation.level": "read_committed",
                "session.timeout.ms": "3000", "heartbeat.interval.ms": "300",
            ]))
        var producerConfig = ["acks": "all", "enable.idempotence": "true", "linger.ms": "5"]
        if case .exactlyOnce(let id) = mode { producerConfig["transactional.id"] = id }
        let producer = try Producer(config: connection.config(producerConfig))
        connection.uses(group, false)
        if case .exactlyOnce(let id) = mode {
            connection.uses(id, true)
            try await producer.initTransactions()
        }
        try consumer.subscribe([input])
        // Done when this instance holds every partition and has read each past its end (an instance
        // restarted after the last commit reads nothing and is done at once).
        let all = (0..<partitions).map { TopicPartitionOffset(topic: input, partition: $0) }
        func done() async -> Bool {
            guard let assigned = try? consumer.assignment(), assigned.count == Int(partitions),
                let positions = try? consumer.positions(all), let committed = try? await consumer.committed(all)
            else { return false }
            // A partition this instance has not read from yet has no position: its committed offset is where it stands.
            return zip(positions, committed).allSatisfy {
                max($0.offset, $1.offset) >= (ends["\(input)/\($0.partition)"] ?? 0)
            }
        }
        var written = 0, skipped = 0
        var finished = false
        var firstRecord: ContinuousClock.Instant?, lastCommit: ContinuousClock.Instant?
        defer { if let firstRecord, let lastCommit { processingTime += lastCommit - firstRecord } }
        let deadline = ContinuousClock.now + .seconds(60)
        do {
            while ContinuousClock.now < deadline {
                let records = try await consumer.records(atMost: batch, within: .milliseconds(300))
                if records.isEmpty {
                    if await done() { finished = true; break }
                    continue
                }
                if firstRecord == nil { firstRecord = ContinuousClock.now }
                if case .exactlyOnce = mode { try producer.beginTransaction() }
                var next: [Int32: Int64] = [:]
                for r in records {
                    guard let (id, value) = Self.output(for: r.value) else { skipped += 1; continue }
                    try producer.produce(topic: output, key: r.key, value: value, token: id)
                    written += 1
                    next[r.partition] = r.offset + 1
                    if case .exactlyOnce = mode, let killAfter, written >= killAfter {
                        // Killed mid-transaction: records written, nothing committed.
                        await producer.kill()
                        consumer.kill()
                        return (written, true, skipped)
                    }
                }
                let offsets = next.map { TopicPartitionOffset(topic: input, partition: $0.key, offset: $0.value) }
                switch mode {
                case .exactlyOnce:
                    try await producer.sendOffsets(offsets, of: consumer)
                    try await producer.commitTransaction()
                case .atLeastOnce:
                    try await producer.flush()
                    if let killAfter, written >= killAfter {
                        // Killed between writing the output and committing the input's offsets.
                        await producer.kill()
                        consumer.kill()
                        return (written, true, skipped)
                    }
                    try await consumer.commit(offsets)
                }
                lastCommit = ContinuousClock.now
            }
        } catch {
            await producer.kill()
            consumer.kill()
            throw error
        }
        await producer.close()
        await consumer.close()
        guard finished else { throw Failure("the processor did not reach the end of \(input) within 60 s") }
        return (written, false, skipped)
    }

    /// Runs instances one after another, killing each at the next kill point, until the input is done;
    /// returns the records each instance wrote. With `everyKill`, an instance that reached the end of
    /// the input before its kill point fails the drill: the fault it was to show never happened.
    public func run(killPoints: [Int], everyKill: Bool = false) async throws -> [Int] {
        let reader = try Consumer(config: connection.config([:]))
        let ends = try await reader.logEnds(input, partitions: partitions)
        await reader.close()
        var writtenPerInstance: [Int] = [], skipped = 0
        for k in killPoints {
            let instance = try await runInstance(killAfter: k, ends: ends)
            writtenPerInstance.append(instance.written)
            skipped += instance.skipped
            if everyKill, !instance.killed {
                throw Failure(Self.noKill(k, instance.written, skipped, input))
            }
        }
        let last = try await runInstance(killAfter: nil, ends: ends)
        writtenPerInstance.append(last.written)
        skipped += last.skipped
        if writtenPerInstance.reduce(0, +) == 0, skipped > 0 {
            throw Failure(
                "the processor wrote nothing: the \(skipped) records it read from \(input) carry no "
                    + "payload id (it copies records the produce steps wrote, e.g. keyed messages)")
        }
        return writtenPerInstance
    }

    static func noKill(_ point: Int, _ written: Int, _ skipped: Int, _ input: String) -> String {
        "the processor reached the end of \(input) after writing \(written) records, before its kill point of "
            + "\(point): it was never killed"
            + (skipped > 0
                ? " (\(skipped) records it read carry no payload id: it copies records the produce "
                    + "steps wrote, e.g. keyed messages)" : "")
    }

    /// What the processor writes for an order it reads (`id=N;…`): the order with its amount,
    /// `id=N;amount=A` where A is N mod 100 + 1; nil for a record with no order id. Written apart from the
    /// checker's own (Verification's CopyVerdict), which judges what this writes.
    public static func output(for value: [UInt8]) -> (id: UInt64, value: [UInt8])? {
        guard value.starts(with: Array("id=".utf8)), let end = value.firstIndex(of: UInt8(ascii: ";")), end > 3,
            let id = UInt64(String(decoding: value[3..<end], as: UTF8.self))
        else { return nil }
        return (id, Array("id=\(id);amount=\(id % 100 + 1)".utf8))
    }
}
