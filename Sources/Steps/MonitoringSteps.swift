import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// Sentences about monitoring: exported client metrics, a lag alert, a heartbeat probe and SLOs (KAF-13).
enum MonitoringSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.when(
            "the consumer of group {string} on {string} stalls for {int} second(s) while {int} messages are "
                + "produced, then catches up",
            doc: "A consumer reads while records are produced at a steady rate — for two seconds and until "
                + "the group has committed an offset on every partition — stops polling for that long, then "
                + "reads on until the group's lag is back to zero; the lag is sampled every 200 ms, and the "
                + "consumer's metrics are exported from the last statistics it emitted during the stall.",
            example: #"When the consumer of group "billing" on "orders" stalls for 3 seconds while 2000 "#
                + #"messages are produced, then catches up"#
        ) { (ctx, group: String, name: String, stall: Int, messages: Int) in
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let cluster = try ctx.cluster()
            try cluster.require(.consumerGroups)
            cluster.registerCoordinatorKey(group, type: .group)
            let record = try await StallDrill(
                cluster: cluster, group: group, topic: topic, partitions: partitions, ledger: ctx.ledger
            )
            .run(stallSeconds: stall, messages: messages)
            ctx.world.update(MonitoringState.Key.self) { $0.stalls[group] = record }
            let (from, to) = (record.history.stallFrom, record.history.stallTo)
            ctx.log(String(format: "the consumer stalled from %.1f s to %.1f s into the drill", from, to))
            ctx.attach(record.metrics, mediaType: "text/plain", fileName: "metrics-\(group).prom")
        }

        code.then(
            "the lag alert \\(lag over {int} records for {int} second(s)\\) fired while the consumer stalled "
                + "and resolved after it caught up",
            doc: "Evaluates the alert rule over the drill's lag samples as Prometheus would (`for:` semantics): "
                + "it must not fire before the stall, must fire during it (or within the hold time after it "
                + "began), and must have resolved by the end. Attaches the lag chart with the stall and the "
                + "firing shaded.",
            example: #"Then the lag alert (lag over 300 records for 1 second) fired while the consumer stalled "#
                + #"and resolved after it caught up"#
        ) { (ctx, threshold: Int64, holdSeconds: Int) in
            let rule = LagAlertRule(threshold: threshold, holdFor: Double(holdSeconds))
            guard let (group, stall) = ctx.world[MonitoringState.Key.self].stalls.first.map({ ($0.key, $0.value) })
            else { throw StepFailure("no consumer stalled in this scenario") }
            let (chart, table) = stall.alertEvidence(rule, group: group)
            ctx.attach(chart, mediaType: "image/svg+xml")
            ctx.attach(table, mediaType: "text/markdown")
            try rule.firedDuringStallAndResolved(stall.history, group: group).enforce()
        }

        code.then(
            "the exported metrics of group {string} give the lag of every partition of {string}",
            doc: "The Prometheus text exported during the drill has a kafka_bdd_consumer_lag_records sample for "
                + "each partition of the topic, equal to a lag measured on the cluster during the stall: the "
                + "group's committed offset and the high watermarks 1.5 s before the stall's end and at it.",
            example: #"Then the exported metrics of group "billing" give the lag of every partition of "orders""#
        ) { (ctx, group: String, name: String) in
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            guard let stall = ctx.world[MonitoringState.Key.self].stalls[group] else {
                throw StepFailure("no metrics were exported for group \(group)")
            }
            let (exported, table) = stall.exportedLag(topic: topic, partitions: partitions)
            ctx.attach(table, mediaType: "text/markdown")
            try LagGauge.verdict(
                metric: ClientMetrics.consumerLag, topic: topic, partitions: partitions,
                exported: exported, measured: stall.measured
            ).enforce()
        }

        code.when(
            "the heartbeat probe makes {int} round trips through {string}",
            doc: "Each probe produces one record (acks=all) and waits, up to 5 s, for a consumer to read it "
                + "back; the round trips are charted.",
            example: #"When the heartbeat probe makes 50 round trips through "heartbeat""#
        ) { (ctx, count: Int, name: String) in
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let cluster = try ctx.cluster()
            let (probes, delay) = try await HarnessDelay.during {
                try await ProbeDrills.probeRoundTrips(cluster, topic: topic, partitions: partitions, count: count)
            }
            ctx.world.update(MonitoringState.Key.self) {
                $0.probes = probes; $0.probeDelay = delay
            }
            ctx.log("the harness's own scheduling delay during the probes: \(delay.description)")
            let (chart, table) = ProbeDrills.roundTripEvidence(probes)
            ctx.attach(chart, mediaType: "image/svg+xml")
            ctx.attach(table, mediaType: "text/markdown")
        }

        code.then(
            "the probe is green with a p95 round trip under {int} ms",
            doc: "Every probe came back, and the 95th percentile round trip is under the bound. A miss no "
                + "larger than the harness's own scheduling delay during the probes (measured) is "
                + "inconclusive: skipped, naming both.",
            example: "Then the probe is green with a p95 round trip under 250 ms"
        ) { (ctx, p95BoundMs: Int) in
            let bound = Double(p95BoundMs)
            let probes = HeartbeatProbes(roundTrips: ctx.world[MonitoringState.Key.self].probes)
            guard !probes.roundTrips.isEmpty else { throw StepFailure("no probe ran in this scenario") }
            let timeout = Int(ProbeDrills.probeTimeout.components.seconds)
            try TimedJudgement.judge(
                probes.green(p95Under: bound, timeout: timeout),
                claim: "the probe's p95 round trip", excess: [probes.p95 - bound],
                otherProblems: probes.failed > 0,
                delay: ctx.world[MonitoringState.Key.self].probeDelay
            ).enforce()
            ctx.log(String(format: "green: p95 round trip %.1f ms", probes.p95))
        }

        code.when(
            "I measure produce and end-to-end latency of {int} messages on {string}",
            doc: "Produces that many records (acks=all) while a consumer reads them: produce latency from the "
                + "delivery reports; end-to-end latency per record, from its timestamp (set when it was "
                + "produced) to the first time the consumer read it. Attaches p50 and p95 of both.",
            example: #"When I measure produce and end-to-end latency of 2000 messages on "events""#
        ) { (ctx, count: Int, name: String) in
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let cluster = try ctx.cluster()
            let (measured, delay) = try await HarnessDelay.during {
                try await ProbeDrills.latency(cluster, topic: topic, partitions: partitions, count: count)
            }
            ctx.world.update(MonitoringState.Key.self) { $0.latencyDelay = delay }
            ctx.log("the harness's own scheduling delay during the measurement: \(delay.description)")
            let p = measured.produce, e = EndToEndLatency(measured.reads)
            ctx.attach(ProbeDrills.latencyTable(produce: p, endToEnd: e), mediaType: "text/markdown")
            ctx.world.update(MonitoringState.Key.self) { $0.latencies = (p, e, count, e.count) }
        }

        code.then(
            "the SLOs hold: produce p95 under {int} ms, end-to-end p95 under {int} ms, and no offline partition "
                + "of {string}",
            doc: "Checks the measured percentiles and the topic's offline partitions (a partition is offline "
                + "when no live broker leads it) against the objectives; every record measured must have been "
                + "read, or its latency is unmeasured and the step fails. Attaches the SLO table. A latency "
                + "miss no larger than the harness's own scheduling delay during the measurement is "
                + "inconclusive: skipped, naming both.",
            example: #"Then the SLOs hold: produce p95 under 200 ms, end-to-end p95 under 500 ms, and no "#
                + #"offline partition of "events""#
        ) { (ctx, produceUnderMs: Int, endToEndUnderMs: Int, topicName: String) in
            guard let m = ctx.world[MonitoringState.Key.self].latencies else {
                throw StepFailure(
                    "no latency was measured in this scenario")
            }
            let offline = try await offlinePartitions(ctx, topicName)
            let latency = SLOCheck.latencyP95(
                produce: m.produce, endToEnd: m.endToEnd,
                produceUnder: Double(produceUnderMs),
                endToEndUnder: Double(endToEndUnderMs))
            let checks =
                latency
                + [SLOCheck(objective: "offline partitions", measured: Double(offline.count), limit: 0)]
            attach(ctx, checks)
            try TimedJudgement.judge(
                SLOCheck.verdict(checks, produced: m.produced, consumed: m.consumed),
                claim: "the latency objectives",
                excess: latency.map { $0.measured - $0.limit },
                otherProblems: !offline.isEmpty || m.produced == 0 || m.consumed < m.produced,
                delay: ctx.world[MonitoringState.Key.self].latencyDelay
            ).enforce()
        }

        code.when(
            "every replica of partition {int} of {string} is killed",
            doc: "Kills each broker that holds a replica of the partition.",
            example: #"When every replica of partition 0 of "events" is killed"#
        ) { (ctx, partition: Int32, topicName: String) in
            let cluster = try ctx.cluster()
            try cluster.require(.brokerFaults)
            let topic = try ctx.topic(topicName)
            guard
                let p = try await cluster.metadata(topic: topic).topic(topic)?.partitions.first(where: {
                    $0.id == partition
                })
            else {
                throw StepFailure("\(topic) has no partition \(partition)")
            }
            let live = try await cluster.liveBrokers()
            for broker in p.replicas where live.contains(broker) { try await ctx.kill(broker: broker) }
            ctx.log("killed brokers \(p.replicas.filter(live.contains)), the replicas of partition \(partition)")
        }

        code.then(
            "the offline-partitions SLO of {string} is breached",
            doc: "The drill's verdict: the SLO check reports at least one offline partition of the topic.",
            example: #"Then the offline-partitions SLO of "events" is breached"#
        ) { (ctx, topicName: String) in
            let offline = try await offlinePartitions(ctx, topicName)
            attach(ctx, [SLOCheck(objective: "offline partitions", measured: Double(offline.count), limit: 0)])
            try PartitionAvailability.breached(offline).enforce()
            ctx.log("offline partitions: \(offline)")
        }

        code.then(
            "the Grafana dashboard {string} draws these percentiles of {string} with their bounds as thresholds:",
            doc: "Reads a Grafana dashboard file (path relative to where kafka-bdd runs) and, for each row of a "
                + "`| percentile | under ms |` table (its first row), looks for a panel that asks that quantile "
                + "of the metric's exported histogram (`histogram_quantile(0.99, …<metric>_bucket…)`) and marks "
                + "the bound as a threshold in the panel's unit (`s`, `ms`): the panel's defaults, or a field override "
                + "selecting that query (by query, `byFrameRefID`; by a literal legend, `byName` or `byRegexp`) with "
                + "its own thresholds and unit. The capstone's is "
                + "monitoring/capstone-dashboard.json over `kafka_bdd_pipeline_latency_seconds`. Checks the "
                + "file, not a running Grafana: any cluster.",
            example: #"Then the Grafana dashboard "monitoring/capstone-dashboard.json" draws these percentiles of "#
                + #""kafka_bdd_pipeline_latency_seconds" with their bounds as thresholds:"#
        ) { (ctx, path: String, metric: String) in
            let bounds = try CapstoneSteps.latencyBounds(ctx)
            let panels = try DashboardEvidence.panels(json: try DocumentSteps.read(path), path: path)
            ctx.attach(DashboardEvidence.table(panels), mediaType: "text/markdown")
            try DashboardObjectives.verdict(panels, metric: metric, bounds: bounds).enforce()
        }
    }

    static func attach(_ ctx: StepContext, _ checks: [SLOCheck]) {
        ctx.attach(SLOCheck.table(checks), mediaType: "text/markdown")
    }

    static func offlinePartitions(_ ctx: StepContext, _ name: String) async throws -> [Int32] {
        try await ProbeDrills.offlinePartitions(
            try ctx.cluster(), topic: try ctx.topic(name),
            partitions: ctx.scenario.state.withLock { $0.partitions[name] ?? 1 })
    }
}

/// What a scenario's monitoring steps remember: each stall drill, the probe's round trips (ms; nil
/// when one never came back) and the measured latencies.
struct MonitoringState: Sendable {
    enum Key: WorldKey { static var defaultValue: MonitoringState { MonitoringState() } }
    var stalls: [String: StallRecord] = [:]
    var probes: [Double?] = []
    /// The harness's own scheduling delay while the probes ran and while latency was measured.
    var probeDelay: SchedulingDelay?
    var latencyDelay: SchedulingDelay?
    var latencies: (produce: [Double], endToEnd: EndToEndLatency, produced: Int, consumed: Int)?
}
