import Runtime
import KafkaClient
import Cluster
import Verification
import Drills

/// Sentences about the cluster and its topics.
enum ClusterSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.after(name: "stop the scenario's cluster") { ctx in
            let cluster = ctx.scenario.state.withLock { s in
                defer { s.cluster = nil }; return s.cluster
            }
            // A shared cluster is handed to the next scenario as this one found it.
            if let isolated = cluster as? IsolatedCluster {
                for line in try await isolated.restore(within: env.restoreDeadline) { ctx.log(line) }
            }
            // Tearing a mock cluster down takes about a second; the next scenario need not wait for it.
            if env.ownsClusters, let cluster { Task.detached { await cluster.shutdown() } }
        }

        code.given(
            "a {int}-broker cluster",
            doc: "Starts a fresh cluster of that many brokers (embedded), or takes the shared one (compose, "
                + "external): it is skipped when it has fewer brokers, and fails when a broker is down or a "
                + "fault is left in place. After the scenario its brokers are restarted, its latency removed "
                + "and its topics deleted.",
            example: "Given a 3-broker cluster"
        ) { (ctx, brokers: Int) in
            let cluster = try await env.cluster(brokers: brokers)
            ctx.scenario.state.withLock { $0.cluster = cluster }
        }

        code.given(
            "a topic {string} with {int} partition(s) and replication factor {int}",
            doc: "Creates a topic and reads it back: the cluster must report that many partitions and, where "
                + "it models replication, that many distinct replicas of each. On embedded (whose mock lists "
                + "every broker as every partition's replicas) a different factor is logged, and the claims "
                + "that rest on it skip.",
            example: #"Given a topic "events" with 6 partitions and replication factor 3"#
        ) { (ctx, name: String, partitions: Int32, replicationFactor: Int32) in
            try await createTopic(ctx, env, name: name, partitions: partitions, replicationFactor: replicationFactor)
        }

        code.parameterType(
            "brokers", regexps: [#"\d+(?:(?:, | and )\d+)*"#], typeName: "[Int32]",
            useForSnippets: false, description: "broker ids, e.g. `1, 2 and 3`"
        ) { g in
            (g[0] ?? "").split(whereSeparator: { !$0.isNumber }).compactMap { Int32($0) }
        }

        code.given(
            "every partition of {string} has its replicas on brokers {brokers}",
            doc: "Puts each partition's replicas on exactly those brokers (preferred leaders rotated over "
                + "them) with a partition reassignment, then reads the metadata back. A cluster that placed "
                + "them there itself needs no reassignment (librdkafka 2.0.2's mock puts every partition on "
                + "the first brokers); one that cannot reassign skips the scenario, naming the layout it made.",
            example: #"Given every partition of "logs" has its replicas on brokers 1, 2 and 3"#
        ) { (ctx, name: String, brokers: [Int32]) in
            try await placeReplicas(ctx, name: name, on: brokers)
        }

        code.given(
            "a topic {string} with {int} partition(s), replication factor {int} and retention.ms={int}",
            doc: "Creates a topic whose records expire after that many milliseconds (needs a cluster that "
                + "models retention).",
            example: #"Given a topic "clicks" with 1 partition, replication factor 3 and retention.ms=2000"#
        ) { (ctx, name: String, partitions: Int32, replicationFactor: Int32, retentionMs: Int) in
            try ctx.cluster().require(.retention)
            try await createTopic(
                ctx, env, name: name, partitions: partitions, replicationFactor: replicationFactor,
                configs: ["retention.ms": String(retentionMs), "segment.ms": "1000"])
        }

        code.then(
            "within {int} seconds the records of {string} written before are gone",
            deadline: .seconds(argument: 0),
            doc: "Polls the partitions' log start offsets until every record written so far has been deleted by "
                + "retention, or the time is up.",
            example: #"Then within 50 seconds the records of "clicks" written before are gone"#
        ) { (ctx, seconds: Int, name: String) in
            let topic = try ctx.topic(name)
            let cluster = try ctx.cluster()
            try cluster.require(.retention)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            try await RetentionDrill.awaitDeletion(
                topic: topic, partitions: partitions, cluster: cluster, within: seconds
            )
            .enforce()
        }

        code.when(
            "broker {int} is killed",
            doc: "Kills a broker (SIGKILL on compose) and confirms it on the wire: the broker stops answering "
                + "an ApiVersions probe within 10 s. Then waits until the metadata names no partition led "
                + "by it: "
                + "at once on embedded, where the suite plays the controller; on compose within the broker "
                + "session timeout (9 s) plus 6 s, since the KRaft controller moves leadership only when the "
                + "broker's session expires. Only brokers: the KRaft controllers are never killed.",
            example: "When broker 2 is killed"
        ) { (ctx, broker: Int32) in
            try await ctx.kill(broker: broker)
        }

        code.when(
            "within {int} seconds, a rolling restart stops each broker gracefully, keeps it down {int} ms and starts "
                + "it again while {int} records per second are produced to {string} and read back",
            deadline: .seconds(argument: 0),
            doc: "KAF-12's rolling restart under load. A producer (keyed, idempotent, acks=all, every send and "
                + "report in the delivery ledger) sends at that rate and a consumer reads the topic from the "
                + "beginning; once both are under way each broker in turn is stopped gracefully — a controlled "
                + "shutdown: leadership moves away while it still serves (on compose `docker compose stop`, "
                + "SIGTERM) — confirmed silent on the wire, left down that long (a restart takes its time; the "
                + "load runs on without it), started again and confirmed back (and, where the "
                + "cluster models replication, back in every ISR) before the next; load goes on 0.5 s past "
                + "the roll, then the consumer reads until it has every acknowledged record (20 s at most). "
                + "The rate is 1 to 10000 records a second; a roll that takes longer than the time given fails "
                + "the step (the table's \"stop began at\" is when each broker's controlled shutdown began). "
                + "The clients reconnect to a broker at most 1 s apart (reconnect.backoff.max.ms=1000 unless the "
                + "client properties set it): with librdkafka's 10 s, a client backing off from the broker just "
                + "back waited out its backoff when the next shutdown made that broker leader. "
                + "Needs a cluster with fault operations.",
            example: "When within 30 seconds, a rolling restart stops each broker gracefully, keeps it down 2000 ms "
                + #"and starts it again while 200 records per second are produced to "orders" and read back"#
        ) { (ctx, within: Int, downMs: Int, perSecond: Int, name: String) in
            let cluster = try ctx.cluster()
            try cluster.require(.brokerFaults)
            guard perSecond > 0, perSecond <= 10_000, downMs >= 0, within > 0 else {
                throw StepFailure(
                    "the rate is 1 to 10000 records a second, the time down not negative and the time positive")
            }
            let brokers = try await cluster.configuredBrokers().count
            // In Double: a huge time down must not overflow.
            let atLeast = Double(brokers) * Double(downMs) / 1000
            guard atLeast <= Double(within) else {
                throw StepFailure(
                    "keeping each of the \(brokers) brokers down \(downMs) ms takes \(Int(min(atLeast, 1e15))) s or "
                        + "more, over the \(within) s given")
            }
            let topic = try ctx.topic(name)
            ctx.record(.brokerStop)
            ctx.produced(idempotent: true)
            let run = try await RollingRestartDrill.run(
                cluster: cluster, ledger: ctx.ledger, topic: topic,
                partitions: ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }, perSecond: perSecond,
                config: cluster.config(["acks": "all", "enable.idempotence": "true", "linger.ms": "5"]),
                down: .milliseconds(downMs))
            ctx.world[RollingRestartKey.self] = run
            ctx.attach(RollingRestartDrill.table(run), mediaType: "text/markdown")
            let took = (run.roll.end - run.roll.start) / 1000
            guard took <= Double(within) else {
                throw StepFailure(
                    "the rolling restart took \(String(format: "%.1f", took)) s, over the \(within) s it was given")
            }
        }

        code.then(
            "producing and consuming never stopped for more than {int} ms during the rolling restart",
            doc: "The rolling restart's availability, partition by partition: the longest wait between "
                + "acknowledgements, and between records read, from the roll's start to the first one after its "
                + "end, each under the bound (milliseconds). Needs a broker restarted and, on every partition, "
                + "something acknowledged and read during the roll. "
                + "That nothing acknowledged was lost is the delivery steps' claim (`every acknowledged message "
                + "is consumed exactly once`).",
            example: "Then producing and consuming never stopped for more than 9000 ms during the rolling restart"
        ) { (ctx, bound: Int) in
            guard let run = ctx.world[RollingRestartKey.self] else {
                throw StepFailure("no rolling restart ran in this scenario")
            }
            try RollingRestart.availability(
                acknowledgedAt: run.acknowledgedAt, readAt: run.readAt, partitions: run.partitions, roll: run.roll,
                restarts: run.restarts.count, bound: Double(bound)
            ).enforce()
        }

        code.when(
            "broker {int} is restarted",
            doc: "Brings a killed broker back, and waits (10 s embedded, 45 s otherwise) until it answers an "
                + "ApiVersions probe and is listed in the metadata. It may still be catching up: the "
                + "scenario's After hook waits for it to be back in every ISR.",
            example: "When broker 2 is restarted"
        ) { (ctx, broker: Int32) in
            let cluster = try ctx.cluster()
            try cluster.require(.brokerFaults)
            try await cluster.restart(broker: broker)
        }

        code.when(
            "the network to broker {int} is slowed by {int} ms",
            doc: "Adds that much to a client's round trip to the broker, confirmed by an ApiVersions probe. "
                + "Embedded: the mock delays every response of that broker (its RTT), to every client. "
                + "Compose: toxiproxy delays the client traffic through the broker's proxy, half on requests "
                + "(upstream) and half on responses (downstream); replication between brokers and "
                + "controller traffic bypass toxiproxy and are not slowed. Removed after the scenario.",
            example: "When the network to broker 1 is slowed by 50 "
                + "ms"
        ) { (ctx, broker: Int32, milliseconds: Int) in
            try await ctx.slow(broker: broker, by: .milliseconds(milliseconds))
        }

        code.when(
            "the network to every broker is slowed by {int} ms",
            doc: "Slows the network to each live broker as the single-broker step does (client traffic only "
                + "on compose).",
            example: "When the network to every broker is slowed by 20 ms"
        ) { (ctx, milliseconds: Int) in
            let cluster = try ctx.cluster()
            try cluster.require(.latency)
            for broker in try await cluster.liveBrokers() {
                try await ctx.slow(broker: broker, by: .milliseconds(milliseconds))
            }
        }

        code.then(
            "every partition of {string} has {int} replicas on distinct brokers",
            doc: "Checks the replica assignment in the cluster's metadata (first checked for plausibility: "
                + "no broker twice, none the cluster does not list); needs a cluster that models replication "
                + "(skipped on embedded, whose mock lists every broker as every partition's replicas).",
            example: #"Then every partition of "events" has 3 replicas on distinct brokers"#
        ) { (ctx, topicName: String, expected: Int) in
            let topic = try ctx.topic(topicName)
            // More distinct replicas than brokers is false on any cluster: that needs no replication model.
            let brokers = try await ctx.cluster().metadata(topic: nil).brokers.count
            try Placement.distinctReplicasPossible(expected, brokers: brokers).enforce()
            // The mock gives every partition all its brokers as replicas whatever was asked: no verdict there.
            try ctx.cluster().require(.replication)
            let (partitions, known) = try await placement(ctx, topic)
            let rows = partitions.map { ["\($0.id)", "\($0.leader)", "\($0.replicas)"] }
            ctx.attach(
                Evidence.table(["partition", "leader", "replicas"], rows),
                mediaType: "text/markdown")
            try Placement.replicasOnDistinctBrokers(expected, topic: topic, partitions: partitions, brokers: known)
                .enforce()
        }

        code.then(
            "every replica of {string} is in sync",
            doc: "Every partition's in-sync replica set holds all its replicas (no broker twice, none the "
                + "cluster does not list); needs a cluster that models replication (skipped on embedded).",
            example: #"Then every replica of "events" is in sync"#
        ) { (ctx, topicName: String) in
            let topic = try ctx.topic(topicName)
            // The mock reports every replica in sync whatever happens: no verdict there.
            try ctx.cluster().require(.replication)
            let (partitions, known) = try await placement(ctx, topic)
            try Placement.allInSync(topic: topic, partitions: partitions, brokers: known).enforce()
        }

        code.then(
            "the leaders of {string} are spread over {int} brokers",
            doc: "Checks how many distinct brokers "
                + "lead the topic's partitions.",
            example: #"Then the leaders of "events" are spread over 3 brokers"#
        ) { (ctx, topicName: String, over: Int) in
            let topic = try ctx.topic(topicName)
            let (partitions, known) = try await placement(ctx, topic)
            try Placement.leadersSpread(over: over, topic: topic, partitions: partitions, brokers: known)
                .enforce()
        }

        code.then(
            "broker {int} is back in the cluster",
            doc: "Checks on the wire that the broker answers an ApiVersions probe, and that the metadata lists "
                + "it.",
            example: "Then broker 2 is back in the cluster"
        ) { (ctx, broker: Int32) in
            let cluster = try ctx.cluster()
            let probe = try await cluster.probe(broker: broker)
            let listed = try await cluster.metadata(topic: nil).brokers.map(\.id)
            ctx.log("broker \(broker) \(probe)")
            try Placement.brokerBack(
                Placement.Probe(broker: broker, answered: probe.answered, summary: "\(probe)"),
                listed: listed
            ).enforce()
        }

        code.then(
            "no partition of {string} is led by broker {int}",
            doc: "Checks leadership moved away from a broker the cluster has (a broker it never had fails the "
                + "step): polls the cluster's metadata until it names "
                + "another leader for every partition (within the failover deadline: 5 s embedded, the "
                + "broker session timeout 9 s plus 6 s on compose), and each of those leaders answers an "
                + "ApiVersions probe.",
            example: #"Then no partition of "events" is led by broker 2"#
        ) { (ctx, topicName: String, broker: Int32) in
            let topic = try ctx.topic(topicName)
            for verdict in try await PlacementReads.awaitNoneLedBy(broker, topic: topic, on: try ctx.cluster()) {
                try verdict.enforce()
            }
        }
    }

    static func placement(_ ctx: StepContext, _ topic: String) async throws -> ([Plausibility.Partition], [Int32]) {
        try await PlacementReads.placement(try ctx.cluster(), topic)
    }

    /// A claim that rests on a topic's replica layout skips where the cluster ignored the replication
    /// factor the scenario asked for (the mock lists every broker as every partition's replicas).
    static func requireReplicaLayout(_ ctx: StepContext, topics physical: [String], claim: String) async throws {
        let cluster = try ctx.cluster()
        guard !cluster.capabilities.contains(.replication) else { return }
        let asked = ctx.scenario.state.withLock { $0.replicationFactors }
        for topic in physical.sorted() {
            guard let factor = asked[topic] else { continue }
            let (partitions, _) = try await placement(ctx, topic)
            if let p = partitions.first(where: { $0.replicationFactor != Int(factor) }) {
                throw StepSkipped(
                    "'\(claim)' cannot be judged on the \(cluster.backend) cluster: it does not model "
                        + "\(ClusterCapability.replication.rawValue) — \(topic) was created with replication factor "
                        + "\(factor), and the cluster lists \(p.replicas) as its partitions' replicas"
                )
            }
        }
    }

    static func placeReplicas(_ ctx: StepContext, name: String, on brokers: [Int32]) async throws {
        let topic = try ctx.topic(name)
        let (before, known) = try await placement(ctx, topic)
        try Verdict(brokers.map { Plausibility.knownBroker($0, brokers: known) }.flatMap(\.problems)).enforce()
        if let twice = Plausibility.repeated(brokers) { throw StepFailure("broker \(twice) is named twice") }
        ctx.log(
            "the cluster had placed the replicas of \(name) on "
                + before.map { "\($0.replicas)" }.joined(separator: ", "))
        if try await AdminDrills(cluster: try ctx.cluster()).placeReplicas(topic, on: brokers) { ctx.log("reassigned") }
        let (partitions, brokersNow) = try await placement(ctx, topic)
        try Placement.replicasOn(brokers, topic: name, partitions: partitions, brokers: brokersNow).enforce()
    }

    /// Creates a scenario's topic (under its physical name on a shared cluster) and remembers it.
    static func createTopic(
        _ ctx: StepContext, _ env: KafkaEnvironment, name: String, partitions: Int32, replicationFactor: Int32,
        configs: [String: String] = [:]
    ) async throws {
        let physical = env.physicalTopic(name)
        let cluster = try ctx.cluster()
        let (verdict, reported) = try await PlacementReads.create(
            TopicSpec(name: physical, partitions: partitions, replicationFactor: replicationFactor, configs: configs),
            as: name, on: cluster)
        try verdict.enforce()
        let models = cluster.capabilities.contains(.replication)
        if !models, let first = reported.first, first.replicationFactor != Int(replicationFactor) {
            ctx.log(
                "the \(cluster.backend) cluster does not model per-topic replication: it lists brokers "
                    + "\(first.replicas) as the replicas of every partition of \(name), not \(replicationFactor); "
                    + "claims about its replication skip here")
        }
        ctx.scenario.state.withLock { s in
            s.topics[name] = physical
            s.partitions[name] = partitions
            s.replicationFactors[physical] = replicationFactor
        }
    }
}

enum RollingRestartKey: WorldKey { static var defaultValue: RollingRestartDrill.Run? { nil } }
