import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// Sentences about the keyed-message workload: sent under acks or any producer settings, optionally while a
/// fault is applied half-way (the workload the reliability and fault drills judge).
enum KeyedMessagesSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.parameterType("acks", regexps: ["0", "1", "all", "-1"], typeName: "String", useForSnippets: false) { g in
            g[0] ?? "all"
        }

        code.when(
            "I produce {int} keyed message(s) to {string} with acks={acks}",
            doc: "Sends that many records with 50 rotating keys, each carrying a payload id, and waits for "
                + "every delivery report. "
                + "With acks=all (or -1) the producer is idempotent (enable.idempotence=true, Kafka's default "
                + "since 3.0); "
                + "the settings form turns it off.",
            example: #"When I produce 10000 keyed messages to "events" with acks=all"#
        ) { (ctx, count: Int, topicName: String, acks: String) in
            try await produce(ctx, count: count, topic: try ctx.topic(topicName), acks: acks, keys: 50, whileDoing: nil)
        }

        code.when(
            "I produce {int} keyed message(s) to {string} with acks={acks} while broker {int} is killed",
            doc: "Kills the broker half-way through sending.",
            example: #"When I produce 20000 keyed messages to "events" with acks=all while broker 2 is killed"#
        ) { (ctx, count: Int, topicName: String, acks: String, broker: Int32) in
            let cluster = try ctx.cluster()
            try cluster.require(.brokerFaults)
            try await produce(ctx, count: count, topic: try ctx.topic(topicName), acks: acks, keys: 50) {
                try await ctx.kill(broker: broker)
            }
        }

        code.when(
            "I produce {int} keyed message(s) to {string} with these producer settings:",
            doc: "Like the acks form, with any producer properties from a two-column table (acks, "
                + "enable.idempotence, max.in.flight.requests.per.connection, retries, linger.ms, …).",
            example: #"When I produce 2000 keyed messages to "ledger" with these producer settings:"#
        ) { (ctx, count: Int, topicName: String) in
            let settings = try settings(ctx)
            try await produce(
                ctx, count: count, topic: try ctx.topic(topicName), acks: settings["acks"] ?? "all", keys: 50,
                settings: settings, whileDoing: nil)
        }
    }

    static func produce(
        _ ctx: StepContext, count: Int, topic: String, acks: String, keys: Int, settings: [String: String] = [:],
        whileDoing fault: (@Sendable () async throws -> Void)?
    ) async throws {
        let ledger = ctx.ledger
        let idempotent = acks == "all" || acks == "-1"
        let properties = [
            "acks": acks, "enable.idempotence": String(idempotent), "linger.ms": "5", "message.timeout.ms": "30000",
        ]
        .merging(settings) { _, b in b }
        ctx.produced(idempotent: properties["enable.idempotence"] == "true", acknowledging: properties["acks"] != "0")
        let config = try ctx.cluster().config(properties)
        let timing = try await ledger.produce(
            count, to: topic, config: config, keys: keys, flushTimeout: .seconds(45),
            fault: fault)
        let failed = ledger.verdict().failed
        let shown =
            settings.isEmpty
            ? "acks=\(acks)"
            : settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        ctx.log("sent \(count) to \(topic) with \(shown): \(ledger.acknowledgedCount) acknowledged, \(failed) failed")
        if let timing {
            ctx.attach(Evidence.table(timing.table.header, timing.table.rows), mediaType: "text/markdown")
            try timing.verdict().enforce()
        }
    }

    /// A two-column table of client properties (`| acks | 1 |`), with or without a `property | value` header.
    static func settings(_ ctx: StepContext) throws -> [String: String] {
        guard let table = ctx.dataTable, !table.isEmpty, table.allSatisfy({ $0.count == 2 }) else {
            throw StepFailure("give the producer settings as a two-column table: | acks | 1 |")
        }
        let rows = table.first == ["property", "value"] ? Array(table.dropFirst()) : table
        var settings: [String: String] = [:]
        for row in rows {
            guard settings.updateValue(row[1], forKey: row[0]) == nil else {
                throw StepFailure(
                    "\(row[0]) is set twice")
            }
            if KafkaConfig.isSecret(row[0]) {
                throw StepFailure(
                    "\(row[0]) is a secret: give it through the cluster's client properties, not a feature file")
            }
        }
        return settings
    }
}
