import Foundation
import Runtime
import KafkaClient
import Cluster
import Verification

/// Sentences about consuming and the delivery verdict.
enum ConsumingSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.then("every acknowledged message is consumed exactly once",
                  doc: "Reads the scenario's topics from the beginning and checks the ledger: something was acknowledged, "
                      + "no send failed, every acknowledged record is read once, at the offset it was acknowledged at, "
                      + "none duplicated, each partition and key in send order, nothing read that was not sent. A part the "
                      + "cluster cannot falsify given what the scenario did (no loss after a broker kill without "
                      + "replication; no duplicates from an idempotent producer without the broker's sequence checks) "
                      + "skips the step, naming it, once every other part held.",
                  example: "Then every acknowledged message is consumed exactly once") { ctx in
            let verdict = try await readAll(ctx)
            try verdict.preconditions().enforce()
            try ClaimJudgement(parts: [
                .init(claim: .noLoss, failure: verdict.lossProblem()),
                .init(claim: .noDuplicates, failure: verdict.duplicateProblem()),
                .init(claim: .partitionOrder, failure: verdict.orderProblem()),
            ]).judge(on: try ctx.cluster(), conduct: ctx.conduct, claim: "every acknowledged message is consumed exactly once",
                     context: verdict.description)
        }

        code.then("some key's messages are consumed out of the order they were sent",
                  doc: "The hazard of retries without idempotence: reads the topics and expects at least one key whose records are not in send order; lists them.",
                  example: "Then some key's messages are consumed out of the order they were sent") { ctx in
            let verdict = try await readAll(ctx)
            try verdict.showsReorderingByKey().enforce()
            ctx.log("\(verdict.reorderedByKey.count) messages came after a later message of their key, e.g. ids \(verdict.reorderedByKey.prefix(10))")
        }

        code.then("no acknowledged message is lost",
                  doc: "Reads the scenario's topics from the beginning: something was acknowledged, no send failed, and every "
                      + "acknowledged id is there, at the offset it was acknowledged at. Skipped, with the reason, where the "
                      + "cluster could not lose it given the scenario's faults (see the exactly-once step).",
                  example: "Then no acknowledged message is lost") { ctx in
            let verdict = try await readAll(ctx)
            try verdict.preconditions().enforce()
            try ClaimJudgement(parts: [.init(claim: .noLoss, failure: verdict.lossProblem())])
                .judge(on: try ctx.cluster(), conduct: ctx.conduct, claim: "no acknowledged message is lost",
                       context: verdict.description)
        }
    }

    /// Reads every scenario topic from the beginning into the ledger, until everything acknowledged
    /// was read or the deadline passed, and returns the verdict (attached to the report).
    static func readAll(_ ctx: StepContext) async throws -> DeliveryVerdict {
        let ledger = ctx.ledger
        let cluster = try ctx.cluster()
        let (topics, partitions) = ctx.scenario.state.withLock { s in (s.topics, s.partitions) }
        let consumer = try Consumer(config: cluster.config(["group.id": "kafka-bdd-verifier-\(UUID().uuidString)", "enable.auto.commit": "false"]))
        defer { Task { await consumer.close() } }
        var assignment: [TopicPartitionOffset] = []
        var ends: [String: Int64] = [:]
        for (name, physical) in topics {
            let count = partitions[name] ?? 1
            assignment += (0..<count).map { TopicPartitionOffset(topic: physical, partition: $0, offset: TopicPartitionOffset.beginning) }
            ends.merge(try await consumer.logEnds(physical, partitions: count)) { a, _ in a }
        }
        try consumer.assign(assignment)
        let records = try await consumer.read(toEnds: ends)
        ledger.forgetReads(of: Set(topics.values))
        for r in records { ledger.consumed(r) }
        let verdict = ledger.verdict()
        ctx.attach(Evidence.table(["sent", "acknowledged", "read", "lost", "duplicated", "reordered by key"],
                                  [["\(verdict.sent)", "\(verdict.acknowledged)", "\(verdict.distinctRead)", "\(verdict.lost.count)",
                                    "\(verdict.duplicated.count)", "\(verdict.reorderedByKey.count)"]]), mediaType: "text/markdown")
        return verdict
    }
}

extension ConsumingSteps {
    /// Every record of one topic, from the beginning to the log ends as they are now. With
    /// `readCommitted`, as an isolation.level=read_committed consumer sees them (transaction markers
    /// and aborted records are passed over, so the read ends by position, not by the last record).
    static func readTopic(_ ctx: StepContext, topic: String, partitions: Int32, readCommitted: Bool = false) async throws -> [ConsumedRecord] {
        try await readTopicReporting(ctx, topic: topic, partitions: partitions, readCommitted: readCommitted).records
    }

    /// The records, and the isolation level the reading consumer ran with, as its librdkafka reports it.
    static func readTopicReporting(_ ctx: StepContext, topic: String, partitions: Int32, readCommitted: Bool = false)
        async throws -> (records: [ConsumedRecord], isolation: String?) {
        let consumer = try Consumer(config: try ctx.cluster().config([
            "group.id": "kafka-bdd-reader-\(UUID().uuidString)", "enable.auto.commit": "false",
            "isolation.level": readCommitted ? "read_committed" : "read_uncommitted",
        ]))
        let isolation = consumer.configured("isolation.level")
        let ends = try await consumer.logEnds(topic, partitions: partitions)
        try consumer.assign((0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0, offset: TopicPartitionOffset.beginning) })
        do {
            let records = try await readCommitted ? consumer.read(pastEnds: ends) : consumer.read(toEnds: ends)
            await consumer.close()
            return (records, isolation)
        } catch {
            await consumer.close()
            throw error
        }
    }
}

extension Consumer {
    /// Each partition's log end offset now, keyed `topic/partition`: where a read "to the end" stops.
    func logEnds(_ topic: String, partitions: Int32) async throws -> [String: Int64] {
        var ends: [String: Int64] = [:]
        for p in 0..<partitions { ends["\(topic)/\(p)"] = try await watermarks(topic: topic, partition: p).high }
        return ends
    }

    /// Polls (as assigned or subscribed) until every partition has been read up to its end in `ends`,
    /// or 30 s pass: no idle timeout decides when to stop.
    func read(toEnds ends: [String: Int64]) async throws -> [ConsumedRecord] {
        let progress = LogEndProgress(ends: ends)
        let records = try await records(within: .seconds(30), until: { $0.last.map(progress.observe) ?? progress.done })
        // A partial read is no evidence: what was not read would count as lost, or hide a duplicate.
        guard progress.done else {
            throw StepFailure("the verifying read did not reach the log end of \(progress.unfinished.joined(separator: ", ")) "
                              + "within 30 s (\(records.count) records read)")
        }
        return records
    }

    /// Polls (as assigned) until the consumer's position in every partition has reached its end in
    /// `ends`, or 30 s pass. Unlike `read(toEnds:)` it does not need the last record to sit just
    /// before the end: a read_committed consumer moves past transaction markers and aborted records
    /// without returning them.
    func read(pastEnds ends: [String: Int64]) async throws -> [ConsumedRecord] {
        let wanted = ends.filter { $0.value > 0 }.map { key, end -> (TopicPartitionOffset, Int64) in
            let i = key.lastIndex(of: "/")!
            return (TopicPartitionOffset(topic: String(key[..<i]), partition: Int32(key[key.index(after: i)...])!), end)
        }
        return try await records(within: .seconds(30), until: { [self] _ in
            guard let positions = try? self.positions(wanted.map(\.0)) else { return false }
            return zip(positions, wanted).allSatisfy { $0.offset >= $1.1 }
        })
    }
}

/// How far a read got towards each partition's log end; checked once per record, in constant time.
final class LogEndProgress: @unchecked Sendable {
    // Only touched from the one thread that polls the consumer.
    private var remaining: Set<String>
    private let ends: [String: Int64]

    init(ends: [String: Int64]) {
        self.ends = ends
        remaining = Set(ends.filter { $0.value > 0 }.keys)
    }

    var done: Bool { remaining.isEmpty }
    var unfinished: [String] { remaining.sorted() }

    func observe(_ record: ConsumedRecord) -> Bool {
        let key = "\(record.topic)/\(record.partition)"
        if let end = ends[key], record.offset + 1 >= end { remaining.remove(key) }
        return remaining.isEmpty
    }
}
