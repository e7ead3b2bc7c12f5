import Harness

/// Sentences about producing.
enum ProducingSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.parameterType("acks", regexps: ["0", "1", "all", "-1"], typeName: "String", useForSnippets: false) { g in g[0] ?? "all" }

        code.when("I produce {int} keyed message(s) to {string} with acks={acks}",
                  doc: "Sends that many records with 50 rotating keys, each carrying a payload id, and waits for every delivery report.",
                  example: #"When I produce 10000 keyed messages to "events" with acks=all"#) { ctx in
            try await produce(ctx, count: try ctx.int(0), topic: try ctx.topic(try ctx.string(1)), acks: try ctx.argument(2), keys: 50, whileDoing: nil)
        }

        code.when("I produce {int} keyed message(s) to {string} with acks={acks} while broker {int} is killed",
                  doc: "Kills the broker half-way through sending.",
                  example: #"When I produce 20000 keyed messages to "events" with acks=all while broker 2 is killed"#) { ctx in
            let cluster = try ctx.cluster()
            try cluster.require(.brokerFaults)
            let broker = Int32(try ctx.int(3))
            try await produce(ctx, count: try ctx.int(0), topic: try ctx.topic(try ctx.string(1)), acks: try ctx.argument(2), keys: 50) {
                try await cluster.killBroker(broker)
            }
        }
    }

    static func produce(_ ctx: StepContext, count: Int, topic: String, acks: String, keys: Int,
                        whileDoing halfway: (@Sendable () async throws -> Void)?) async throws {
        let ledger = ctx.ledger
        let idempotent = acks == "all" || acks == "-1"
        let config = try ctx.cluster().config([
            "acks": acks, "enable.idempotence": String(idempotent), "linger.ms": "5", "message.timeout.ms": "30000", "log_level": "0",
        ])
        try await ledger.produce(count, to: topic, config: config, keys: keys, flushTimeout: .seconds(45), halfway: halfway)
        let failed = ledger.verdict().failed
        ctx.log("sent \(count) to \(topic) with acks=\(acks): \(ledger.acknowledgedCount) acknowledged, \(failed) failed")
    }
}
