import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// A dead-lettering consumer's run: its policy, the source it read (as the scenario names it), and
/// the topic it wrote what it processed to.
struct DeadLetterRun: Sendable {
    var policy: DeadLetterPolicy
    var source: String
    var processedTopic: String
    var partitions: Int32
}

enum DeadLetterRunKey: WorldKey {
    static var defaultValue: DeadLetterRun? { nil }
}

/// Sentences about reliable delivery drills, what weaker settings cost, and dead-lettering (KAF-07).
enum ReliabilitySteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.given(
            "a topic {string} with {int} partition(s), replication factor {int} and min.insync.replicas={int}",
            doc: "Creates a topic whose acks=all writes need that many in-sync replicas. Where the cluster "
                + "does not model replication (embedded), the setting cannot take effect: the topic is created "
                + "without it and the log says so; the drill's verdict is then about the clients.",
            example: #"Given a topic "payments" with 6 partitions, replication factor 3 and "#
                + #"min.insync.replicas=2"#
        ) { (ctx, name: String, partitions: Int32, replicationFactor: Int32, minInsync: Int) in
            let cluster = try ctx.cluster()
            var configs: [String: String] = [:]
            if cluster.capabilities.contains(.replication) && cluster.capabilities.contains(.topicConfigs) {
                configs["min.insync.replicas"] = String(minInsync)
            } else {
                ctx.log(
                    "the \(cluster.backend) cluster does not model \(ClusterCapability.replication.rawValue): "
                        + "min.insync.replicas=\(minInsync) is not applied — run with --cluster compose for the broker "
                        + "side of this drill")
            }
            try await ClusterSteps.createTopic(
                ctx, env, name: name, partitions: partitions,
                replicationFactor: replicationFactor, configs: configs)
        }

        code.when(
            "I produce {int} keyed message(s) to {string} with acks={acks} while the leader of partition {int} "
                + "is killed",
            doc: "Kills whichever broker leads that partition half-way through sending.",
            example: #"When I produce 20000 keyed messages to "payments" with acks=all while the leader of "#
                + #"partition 0 is killed"#
        ) { (ctx, count: Int, topicName: String, acks: String, partition: Int32) in
            try ctx.cluster().require(.brokerFaults)
            let topic = try ctx.topic(topicName)
            try await KeyedMessagesSteps.produce(ctx, count: count, topic: topic, acks: acks, keys: 50) {
                try await killLeader(ctx, topic: topic, partition: partition)
            }
        }

        code.parameterType(
            "fault", regexps: WorkloadFault.patterns, typeName: "WorkloadFault", useForSnippets: false,
            description: "`nothing fails`, `the leader of partition N is killed`, `the network to broker N is "
                + "slowed by M ms`, or both: `the network to broker N is slowed by M ms and the leader of "
                + "partition P is killed`"
        ) { g in
            try WorkloadFault(g[0] ?? "")
        }
        code.parameterType(
            "on-off", regexps: ["on", "off"], typeName: "Bool", useForSnippets: false, description: "`on` or `off`"
        ) { g in
            g[0] == "on"
        }
        code.parameterType(
            "guarantee", regexps: DeliveryGuarantee.allCases.map(\.rawValue), typeName: "DeliveryGuarantee",
            useForSnippets: false,
            description: DeliveryGuarantee.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
        ) { g in
            DeliveryGuarantee(rawValue: g[0] ?? "")
        }

        code.when(
            "I produce {int} keyed message(s) to {string} with acks={acks} and idempotence {on-off} while {fault}",
            doc: "One row of a fault × workload table: sends that many records as the acks form does, with "
                + "enable.idempotence as stated (on needs acks=all, as in Kafka), while the fault is applied: "
                + "the network slowed before the first send, the partition's leader killed half-way, both, or "
                + "nothing (each fault confirmed on the wire as its own step does). A fault needs a cluster "
                + "with fault operations (embedded, compose).",
            example: #"When I produce 2000 keyed messages to "payments" with acks=1 and idempotence off while "#
                + #"the leader of partition 0 is killed"#
        ) { (ctx, count: Int, topicName: String, acks: String, idempotence: Bool, fault: WorkloadFault) in
            let topic = try ctx.topic(topicName)
            if idempotence, acks != "all", acks != "-1" {
                throw StepFailure(
                    "idempotence on needs acks=all (Kafka refuses an idempotent producer with acks=\(acks))")
            }
            if let (broker, milliseconds) = fault.slowed {
                try await ctx.slow(broker: broker, by: .milliseconds(milliseconds))
            }
            let settings = ["acks": acks, "enable.idempotence": String(idempotence)]
            if let partition = fault.killedLeaderOf {
                try ctx.cluster().require(.brokerFaults)
                try await KeyedMessagesSteps.produce(
                    ctx, count: count, topic: topic, acks: acks, keys: 50, settings: settings
                ) {
                    try await killLeader(ctx, topic: topic, partition: partition)
                }
            } else {
                try await KeyedMessagesSteps.produce(
                    ctx, count: count, topic: topic, acks: acks, keys: 50, settings: settings, whileDoing: nil)
            }
        }

        code.then(
            "the delivery is {guarantee}",
            doc: "The row's stated outcome, judged against the ledger after reading the scenario's topics "
                + "from the beginning: `exactly once` — no acknowledged record lost, none written twice, each "
                + "partition in send order; `at least once` — none lost (duplicates and reordering allowed); "
                + "`at most once` — none written twice (loss allowed); `best effort` — only what voids any "
                + "claim. Every guarantee needs something acknowledged and read back and nothing read that "
                + "was not sent; one that claims no loss also needs every send to succeed. A part the cluster "
                + "cannot falsify given the scenario's faults skips the step, naming it, as the exactly-once "
                + "step does (after a broker kill with acks=0 a loss can show on any cluster, and is judged). It "
                + "judges what this run did: a stronger guarantee than the settings keep may hold in a lucky "
                + "run, so the table states Kafka's guarantee for each row, not a run's.",
            example: "Then the delivery is at least once"
        ) { (ctx, guarantee: DeliveryGuarantee) in
            let verdict = try await ConsumingSteps.readAll(ctx)
            try verdict.preconditions(of: guarantee).enforce()
            try ClaimJudgement(guarantee, verdict).judge(
                on: try ctx.cluster(), conduct: ctx.conduct, claim: "the delivery is \(guarantee.rawValue)",
                context: verdict.description)
        }

        code.when(
            "the next {int} produce requests are written but answered only after {int} ms",
            doc: "Delays the brokers' responses: a producer whose socket.timeout.ms is shorter retries "
                + "records that were already written (librdkafka's request.timeout.ms is the broker's ack "
                + "timeout and does not time a request out in the client; embedded cluster only: a real "
                + "broker's answers cannot be held back).",
            example: "When the next 3 produce requests are written but answered only after 1500 ms"
        ) { (ctx, count: Int, milliseconds: Int) in
            try await ctx.delayResponses(.produce, count: count, by: .milliseconds(milliseconds))
        }

        code.then(
            "the checker finds acknowledged messages that were lost",
            doc: "The counter-scenario's verdict: reads the topics and expects acknowledged records missing — "
                + "the price of the weaker settings, reported with their ids. After a broker kill it needs a "
                + "cluster that models replication (the mock keeps one log per partition: a killed leader loses "
                + "nothing), as \"no acknowledged message is lost\" does; skipped there with the reason.",
            example: "Then the checker finds acknowledged messages that were lost"
        ) { ctx in
            let verdict = try await ConsumingSteps.readAll(ctx)
            // Finding a loss needs what a claim of no loss needs: on a cluster that cannot lose an
            // acknowledged record after this scenario's faults (the mock's one shared log), it skips.
            let cluster = try ctx.cluster()
            if let (capability, why) = DeliveryClaim.noLoss.needs(given: ctx.conduct),
                !cluster.capabilities.contains(capability)
            {
                throw StepSkipped(
                    "'the checker finds acknowledged messages that were lost' cannot be judged on the "
                        + "\(cluster.backend) cluster: it needs \(capability.rawValue) (\(why)); seen here: "
                        + "\(verdict.lost.count) lost"
                )
            }
            try verdict.showsLoss().enforce()
            ctx.log("\(verdict.lost.count) acknowledged messages lost, e.g. ids \(verdict.lost.prefix(10))")
        }

        code.then(
            "the checker finds messages that were written twice",
            doc: "The counter-scenario's verdict: reads the topics and expects records read more than once — "
                + "retries without idempotence — reported with their ids.",
            example: "Then the checker finds messages that were written twice"
        ) { ctx in
            let cluster = try ctx.cluster()
            // On a cluster without sequence checks an idempotent producer's retries after a fault duplicate too:
            // a duplicate there would teach that idempotence does not work. Without a fault nothing makes the
            // producer retry, and a duplicate would be a real defect.
            if ctx.conduct.idempotentProducers, !ctx.conduct.faults.isEmpty,
                !cluster.capabilities.contains(.idempotentDeduplication)
            {
                throw StepSkipped(
                    "'the checker finds messages that were written twice' cannot be judged on the \(cluster.backend) "
                        + "cluster: the producer is idempotent and the cluster lacks "
                        + "\(ClusterCapability.idempotentDeduplication.rawValue), so duplicates here say nothing "
                        + "about idempotence"
                )
            }
            let verdict = try await ConsumingSteps.readAll(ctx)
            try verdict.showsDuplicates().enforce()
            ctx.log("\(verdict.duplicated.count) messages written twice, e.g. ids \(verdict.duplicated.prefix(10))")
        }

        code.when(
            "a consumer processes {string}, where every record whose id is a multiple of {int} fails, retrying "
                + "{int} times before sending it to {string}",
            doc: "Reads the topic to its end and writes each record it processes to a new topic, the topic's "
                + "name suffixed -processed; a record that fails is retried with exponential backoff (10 ms, "
                + "doubling), then sent to the dead-letter topic with headers error, attempts, and its origin "
                + "(topic, partition, offset); processing goes on with the next record.",
            example: #"When a consumer processes "payments", where every record whose id is a multiple of 50 "#
                + #"fails, retrying 3 times before sending it to "payments-dlq""#
        ) { (ctx, name: String, period: Int, retries: Int, topicName: String) in
            let topic = try ctx.topic(name), every = UInt64(period)
            let dlq = try ctx.topic(topicName)
            guard every > 0, retries >= 0 else {
                throw StepFailure("the failure period must be positive and the retries not negative")
            }
            let policy = DeadLetterPolicy(failEvery: every, attempts: retries + 1)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let processedTopic = env.physicalTopic("\(name)-processed")
            ctx.world[DeadLetterRunKey.self] = DeadLetterRun(
                policy: policy, source: name,
                processedTopic: processedTopic, partitions: partitions)
            let table = try await DeadLetterDrill.run(
                cluster: try ctx.cluster(), source: topic, partitions: partitions, policy: policy, retries: retries,
                processedTopic: processedTopic, deadLetterTopic: dlq)
            ctx.attach(table, mediaType: "text/markdown")
        }

        code.then(
            "every failing record is on {string} with its error, attempts and origin in headers, and every "
                + "other record was processed once",
            doc: "Judged against the ledger and the topics, read back: every record acknowledged on the source "
                + "topic is read back from it, and the dead-letter topic holds exactly the failing records of "
                + "the source topic, each once, with an error, the policy's number of attempts and an origin "
                + "(topic, partition, offset) that is that very record; the processing's output topic holds "
                + "every other record once, and no failing one.",
            example: #"Then every failing record is on "payments-dlq" with its error, attempts and origin in "#
                + #"headers, and every other record was processed once"#
        ) { (ctx, name: String) in
            let dlq = try ctx.topic(name)
            guard let run = ctx.world[DeadLetterRunKey.self] else {
                throw StepFailure("no consumer processed with a dead-letter topic in this scenario")
            }
            let sourceTopic = try ctx.topic(run.source)
            let (verdict, table) = try await DeadLetterDrill.judge(
                run.policy, acknowledged: ctx.ledger.history().acknowledgedIds(on: sourceTopic),
                cluster: try ctx.cluster(), source: sourceTopic, partitions: run.partitions, deadLetterTopic: dlq,
                deadLetterPartitions: ctx.scenario.state.withLock { $0.partitions[name] ?? 1 },
                processedTopic: run.processedTopic, names: (run.source, name))
            ctx.attach(table, mediaType: "text/markdown")
            try verdict.enforce()
        }
    }

    /// Kills whichever broker leads the partition now, as the metadata names it, and logs which.
    static func killLeader(_ ctx: StepContext, topic: String, partition: Int32) async throws {
        guard
            let p = try await ctx.cluster().metadata(topic: topic).topic(topic)?.partitions.first(where: {
                $0.id == partition
            }), p.leader >= 0
        else {
            throw StepFailure("partition \(partition) of \(topic) has no leader to kill")
        }
        try await ctx.kill(broker: p.leader)
        ctx.log("killed broker \(p.leader), the leader of partition \(partition), half-way")
    }
}

/// A fault × workload row's fault, as its sentence names it: the network to one broker slowed before the
/// first send, a partition's leader killed half-way, both, or nothing.
struct WorkloadFault: Sendable {
    static let patterns = [
        "nothing fails", #"the leader of partition \d+ is killed"#,
        #"the network to broker \d+ is slowed by \d+ ms(?: and the leader of partition \d+ is killed)?"#,
    ]
    var slowed: (broker: Int32, milliseconds: Int)?
    var killedLeaderOf: Int32?

    init(_ text: String) throws {
        let numbers = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        switch (text.hasPrefix("the network"), text.hasSuffix("is killed"), numbers.count) {
        case (false, false, 0): break
        case (false, true, 1): killedLeaderOf = Int32(clamping: numbers[0])
        case (true, false, 2): slowed = (Int32(clamping: numbers[0]), numbers[1])
        case (true, true, 3):
            (slowed, killedLeaderOf) = ((Int32(clamping: numbers[0]), numbers[1]), Int32(clamping: numbers[2]))
        default: throw StepFailure("not a fault this sentence knows: \(text)")
        }
    }
}
