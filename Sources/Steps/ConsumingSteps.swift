import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// Sentences about consuming and the delivery verdict.
enum ConsumingSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.then(
            "every acknowledged message is consumed exactly once",
            doc: "Reads the scenario's topics from the beginning and checks the ledger: something was "
                + "acknowledged, "
                + "no send failed, every acknowledged record is read once, at the offset it was acknowledged at, "
                + "none duplicated, each partition and key in send order, nothing read that was not sent. A "
                + "part the "
                + "cluster cannot falsify given what the scenario did (no loss after a broker kill without "
                + "replication; no duplicates from an idempotent producer without the broker's sequence checks) "
                + "skips the step, naming it, once every other part held.",
            example: "Then every acknowledged message is consumed exactly once"
        ) { ctx in
            let verdict = try await readAll(ctx)
            try verdict.preconditions().enforce()
            try ClaimJudgement(parts: [
                .init(claim: .noLoss, failure: verdict.lossProblem()),
                .init(claim: .noDuplicates, failure: verdict.duplicateProblem()),
                .init(claim: .partitionOrder, failure: verdict.orderProblem()),
            ]).judge(
                on: try ctx.cluster(), conduct: ctx.conduct,
                claim: "every acknowledged message is consumed "
                    + "exactly once",
                context: verdict.description)
        }

        code.then(
            "some key's messages are consumed out of the order they were sent",
            doc: "The hazard of retries without idempotence: reads the topics and expects at least one key "
                + "whose records are not in send order; lists them. A retried batch reorders a key only when a "
                + "later record of that key overtakes it: the produce steps rotate 50 keys, so the batches in "
                + "flight behind it must hold 50 records or more (small batches or few records in flight may "
                + "show none).",
            example: "Then some key's messages are consumed out of the order they were sent"
        ) { ctx in
            let verdict = try await readAll(ctx)
            try verdict.showsReorderingByKey().enforce()
            ctx.log(
                "\(verdict.reorderedByKey.count) messages came after a later message of their key, e.g. ids "
                    + "\(verdict.reorderedByKey.prefix(10))")
        }

        code.then(
            "no acknowledged message is lost",
            doc: "Reads the scenario's topics from the beginning: something was acknowledged, no send failed, "
                + "and every "
                + "acknowledged id is there, at the offset it was acknowledged at. Skipped, with the reason, "
                + "where the "
                + "cluster could not lose it given the scenario's faults (see the exactly-once step).",
            example: "Then no acknowledged message is lost"
        ) { ctx in
            let verdict = try await readAll(ctx)
            try verdict.preconditions().enforce()
            try ClaimJudgement(parts: [.init(claim: .noLoss, failure: verdict.lossProblem())])
                .judge(
                    on: try ctx.cluster(), conduct: ctx.conduct, claim: "no acknowledged message is lost",
                    context: verdict.description)
        }
    }

    /// Reads every scenario topic from the beginning into the ledger, until everything acknowledged
    /// was read or the deadline passed, and returns the verdict (attached to the report).
    static func readAll(_ ctx: StepContext) async throws -> DeliveryVerdict {
        let (topics, partitions) = ctx.scenario.state.withLock { s in (s.topics, s.partitions) }
        let verdict = try await ctx.ledger.readBack(from: try ctx.cluster(), topics: topics, partitions: partitions)
        ctx.attach(
            Evidence.table(
                ["sent", "acknowledged", "read", "lost", "duplicated", "reordered by key"],
                [
                    [
                        "\(verdict.sent)", "\(verdict.acknowledged)", "\(verdict.distinctRead)",
                        "\(verdict.lost.count)",
                        "\(verdict.duplicated.count)", "\(verdict.reorderedByKey.count)",
                    ]
                ]), mediaType: "text/markdown")
        return verdict
    }
}

extension ConsumingSteps {
    /// Every record of one topic, from the beginning to the log ends as they are now. With
    /// `readCommitted`, as an isolation.level=read_committed consumer sees them (transaction markers
    /// and aborted records are passed over, so the read ends by position, not by the last record).
    static func readTopic(_ ctx: StepContext, topic: String, partitions: Int32, readCommitted: Bool = false)
        async throws -> [ConsumedRecord]
    {
        try await readTopicReporting(ctx, topic: topic, partitions: partitions, readCommitted: readCommitted).records
    }

    /// The records, and the isolation level the reading consumer ran with, as its librdkafka reports it.
    static func readTopicReporting(_ ctx: StepContext, topic: String, partitions: Int32, readCommitted: Bool = false)
        async throws -> (records: [ConsumedRecord], isolation: String?)
    {
        try await LogEndReads.readTopicReporting(
            try ctx.cluster(), topic: topic, partitions: partitions,
            readCommitted: readCommitted)
    }
}
