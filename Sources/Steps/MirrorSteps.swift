import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Processing
import Verification

/// KAF-10's step state: the scenario's mirror and what its drills measured.
struct MirrorState: Sendable {
    enum Key: WorldKey { static var defaultValue: MirrorState { MirrorState() } }
    /// Every mirror the scenario started, in order; the steps about "the mirror" mean the last.
    var mirrors: [Mirror] = []
    var mirror: Mirror? { mirrors.last }
    var source: String?
    var target: String?
    var lag: MirrorDrills.LagResult?
    /// The harness's own scheduling delay while the lag drill ran.
    var lagDelay: SchedulingDelay?
    var failover: MirrorDrills.FailoverResult?
    /// The group's reads on a source left to die (the unplanned failover's first half).
    var sourceRun: MirrorDrills.SourceRun?
    /// The named cluster the group read on before an unplanned switch.
    var sourceRunCluster: String?
    /// Clusters whose every broker the scenario killed: mirrors from them are stopped without closing.
    var deadClusters: Set<String> = []
}

/// Sentences about two clusters and the mirror between them (KAF-10).
enum MirrorSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.after(name: "stop the scenario's mirror and its other clusters") { ctx in
            let (mirrors, dead) = ctx.world.update(MirrorState.Key.self) { s in
                defer { s.mirrors = [] }
                return (s.mirrors, s.deadClusters)
            }
            for mirror in mirrors { await mirror.stop(sourceGone: dead.contains(mirror.options.sourceAlias)) }
            let others = ctx.scenario.state.withLock { s in
                defer { s.named = [:] }
                return s.named.filter { $0.key != s.current }.map(\.value.cluster)
            }
            for cluster in others {
                if let isolated = cluster as? IsolatedCluster {
                    for line in try await isolated.restore(within: env.restoreDeadline) { ctx.log(line) }
                }
                if env.ownsClusters { Task.detached { await cluster.shutdown() } }
            }
        }

        code.given(
            "a source cluster {string} and a target cluster {string} with {int} brokers each",
            doc: "Starts two clusters for a scenario, named for the steps that follow (embedded: two mock "
                + "clusters side by side; compose: the default cluster and the `mirror` profile's west "
                + "cluster). The source is the one other steps act on until `the steps below act on cluster`.",
            example: #"Given a source cluster "east" and a target cluster "west" with 3 brokers each"#
        ) { (ctx, source: String, target: String, brokers: Int) in
            guard !source.isEmpty, !target.isEmpty, source != target, brokers > 0 else {
                throw StepFailure("two clusters with different, non-empty names and at least one broker each")
            }
            let first = try await env.cluster(brokers: brokers)
            let second = try await env.secondCluster(brokers: brokers)
            ctx.scenario.state.withLock { s in
                s.named[target] = NamedCluster(cluster: second)
                s.named[source] = NamedCluster(cluster: first)
                s.cluster = first
                s.current = source
                s.ledger.scope(to: source)
            }
            ctx.world.update(MirrorState.Key.self) {
                $0.source = source; $0.target = target
            }
        }

        code.given(
            "the steps below act on cluster {string}",
            doc: "Makes a named cluster the one every following step acts on (topics, producing, consuming, "
                + "faults), until another such step.",
            example: #"Given the steps below act on cluster "west""#
        ) { (ctx, clusterName: String) in
            try ctx.actOn(cluster: clusterName)
        }

        code.given(
            "a topic {string} on cluster {string} with {int} partition(s) and replication factor {int}",
            doc: "Creates a topic on a named cluster.",
            example: #"Given a topic "orders" on cluster "east" with 3 partitions and replication factor 3"#
        ) { (ctx, name: String, clusterName: String, partitions: Int32, rf: Int32) in
            try await ctx.on(cluster: clusterName) {
                try await ClusterSteps.createTopic(ctx, env, name: name, partitions: partitions, replicationFactor: rf)
            }
        }

        code.when(
            "the network to every broker of cluster {string} is slowed by {int} ms",
            doc: "Slows every live broker of a named cluster as `the network to broker N is slowed by X ms` "
                + "does, each confirmed by an ApiVersions probe.",
            example: #"When the network to every broker of cluster "west" is slowed by 100 ms"#
        ) { (ctx, clusterName: String, ms: Int) in
            try await ctx.on(cluster: clusterName) {
                let cluster = try ctx.cluster()
                try cluster.require(.latency)
                for broker in try await cluster.liveBrokers() {
                    try await ctx.slow(broker: broker, by: .milliseconds(ms))
                }
            }
        }

        code.when(
            "I produce {int} keyed messages with headers to {string}",
            doc: "Sends records with 20 distinct keys, two headers each (`trace-id`, `origin`) and timestamps "
                + "an hour old, to the current cluster; every send and acknowledgement goes to the ledger.",
            example: #"When I produce 300 keyed messages with headers to "orders""#
        ) { (ctx, count: Int, topicName: String) in
            let topic = try ctx.topic(topicName)
            try await MirrorDrills.produceWithHeaders(
                count, to: topic, config: try ctx.cluster().config(),
                ledger: ctx.ledger)
        }

        code.given(
            "a mirror from {string} to {string} for topics matching {string} excluding {string}, "
                + "checkpointing group {string} every {int} ms",
            doc: "Starts a mirror following MirrorMaker 2's conventions (Processing/Mirror.swift): source "
                + "topics whose whole name matches the include pattern and not the exclude pattern become "
                + "`<source>.<topic>` on the target, same partition, keys, values, headers and timestamps "
                + "kept; the group's committed offsets are translated and written to "
                + "`<source>.checkpoints.internal` on the target at that interval; a heartbeat goes to "
                + "`heartbeats` on the target every second. Stopped after the scenario.",
            example: #"Given a mirror from "east" to "west" for topics matching "orders|payments" excluding "#
                + #""audit.*", checkpointing group "billing" every 1000 ms"#
        ) {
            (
                ctx, sourceName: String, targetName: String, include: String, exclude: String, group: String,
                intervalMs: Int
            ) in
            guard sourceName != targetName, intervalMs > 0 else {
                throw StepFailure("a mirror goes from one cluster to another, checkpointing at a positive interval")
            }
            let mirror = try await MirrorDrills.startMirror(
                source: try ctx.named(sourceName).cluster, target: try ctx.named(targetName).cluster,
                sourceAlias: sourceName, targetAlias: targetName, include: include, exclude: exclude, group: group,
                checkpointInterval: .milliseconds(intervalMs), sharedSuffix: !env.ownsClusters)
            ctx.world.update(MirrorState.Key.self) { s in
                s.mirrors.append(mirror)
                s.source = sourceName
                s.target = targetName
            }
        }

        code.then(
            "within {int} seconds {string} on cluster {string} holds every record of {string} on cluster "
                + "{string} "
                + "in partition order with keys, values, headers and timestamps",
            deadline: .seconds(argument: 0),
            doc: "Reads both topics back from their clusters until the target's copy is complete or the time "
                + "is up, then checks that the source gave back every record the scenario had acknowledged on "
                + "it, "
                + "and partition by partition that the copy holds the source's records in the "
                + "same order with the same key, value, headers and timestamp (MirrorChecks.fidelity).",
            example: #"Then within 30 seconds "east.orders" on cluster "west" holds every record of "orders" on "#
                + #"cluster "east" in partition order with keys, values, headers and timestamps"#
        ) { (ctx, seconds: Int, remoteName: String, targetName: String, name: String, sourceName: String) in
            let target = try ctx.named(targetName)
            let sourceNamed = try ctx.named(sourceName)
            guard let topic = sourceNamed.topics[name] else {
                throw StepFailure(
                    "no topic \"\(name)\" on that cluster")
            }
            let partitions = sourceNamed.partitions[name] ?? 1
            let remote = remoteTopic(remoteName, written: name, physical: topic)
            let acknowledged = ctx.ledger.history().acknowledgedIds(on: topic, cluster: sourceName)
            let copy = try await MirrorDrills.awaitCopy(
                source: sourceNamed.cluster, topic: topic, target: target.cluster, remote: remote,
                partitions: partitions, within: seconds
            ) { MirrorChecks.fidelity(acknowledged: acknowledged, source: $0, target: $1).holds }
            if let failure = copy.readFailure { ctx.log("the last read of \(remote) failed: \(failure)") }
            let (verdict, table) = MirrorDrills.fidelity(
                acknowledged: acknowledged, source: copy.source, target: copy.target, partitions: partitions,
                readFailure: copy.readFailure, mirrorError: ctx.world[MirrorState.Key.self].mirror?.status.error)
            ctx.attach(table, mediaType: "text/markdown")
            try verdict.enforce()
        }

        code.then(
            "within {int} seconds {string} on cluster {string} is mirrored to cluster {string} and none of its "
                + "records comes back",
            deadline: .seconds(argument: 0),
            doc: "KAF-10's loop-prevention rule, with mirrors both ways: waits (within that time) until the "
                + "other cluster has the topic's copy `<cluster>.<topic>` and the mirror back has made a full "
                + "listing of the other cluster's topics since (it waits for two: the first may have begun "
                + "before; the evidence counts the full ones), reads the copy until it holds every record "
                + "acknowledged to the topic, then reads back the topic and every `<other>.…` topic on the "
                + "first cluster and checks against the ledger that no record acknowledged there came back — no "
                + "`<other>.<cluster>.<topic>`, none of its records in another topic, none twice in its own. "
                + "Fails when nothing could have looped: nothing acknowledged, no full copy, no mirror back, or "
                + "one whose patterns do not select the copy (only the loop rule may keep it back). The two "
                + "clusters differ; the time is positive.",
            example: #"Then within 30 seconds "orders" on cluster "east" is mirrored to cluster "west" and none "#
                + "of its records comes back"
        ) { (ctx, seconds: Int, name: String, originName: String, otherName: String) in
            guard seconds > 0 else { throw StepFailure("within takes a positive number of seconds") }
            let origin = try ctx.named(originName), other = try ctx.named(otherName)
            guard let topic = origin.topics[name] else {
                throw StepFailure("no topic \"\(name)\" on that cluster: create it on \"\(originName)\" first")
            }
            let back = ctx.world[MirrorState.Key.self].mirrors.first {
                $0.options.sourceAlias == otherName && $0.options.targetAlias == originName
            }
            let (evidence, table) = try await MirrorDrills.loopEvidence(
                origin: origin.cluster, originAlias: originName, other: other.cluster, otherAlias: otherName,
                topic: topic, acknowledged: ctx.ledger.history().acknowledgedIds(on: topic, cluster: originName),
                back: back,
                within: .seconds(seconds))
            ctx.attach(table, mediaType: "text/markdown")
            try MirrorLoop.verdict(evidence).enforce()
        }

        code.then(
            "cluster {string} has {string} but no copy of {string}",
            doc: "Reads the target's metadata: the included topic's remote copy is there (so the mirror has "
                + "looked at the source's topics since the excluded one was created) and no topic is the "
                + "excluded one or its remote copy.",
            example: #"Then cluster "west" has "east.orders" but no copy of "audit""#
        ) { (ctx, targetName: String, included: String, excludedName: String) in
            let target = try ctx.named(targetName).cluster
            let state = ctx.world[MirrorState.Key.self]
            let sourceNamed = try ctx.named(state.source ?? "")
            guard let excluded = sourceNamed.topics[excludedName] else {
                throw StepFailure("no topic \"\(excludedName)\" on the source cluster: create it first")
            }
            let includedPhysical =
                included.split(separator: ".", maxSplits: 1).last.map(String.init).flatMap { sourceNamed.topics[$0] }
                .map { "\(state.source ?? "").\($0)" } ?? included
            let names = try await target.metadata(topic: nil).topics.map(\.name)
            try MirrorClaims.includedMirrored(
                included, physical: includedPhysical, target: targetName, topics: names,
                excluded: excludedName
            ).enforce()
            ctx.log("topics on \(targetName): \(names.sorted())")
            try MirrorChecks.excluded([excluded], sourceAlias: state.source ?? "", targetTopics: names).enforce()
        }

        code.then(
            "the newest heartbeat on cluster {string} is at most {int} ms old",
            doc: "Reads the target's `heartbeats` topic back and checks the newest heartbeat's timestamp "
                + "against the clock when the step began: the mirror is alive within that bound (its "
                + "interval is 1 s).",
            example: #"Then the newest heartbeat on cluster "west" is at most 2500 ms old"#
        ) { (ctx, clusterName: String, bound: Int) in
            let target = try ctx.named(clusterName).cluster
            let asked = MirrorDrills.nowMs()  // the age at the question, not after the read's own round trips
            let records = try await TopicReader.readAll(
                config: target.config(), topic: Mirror.heartbeatsTopic, partitions: [0])
            let newest = records.compactMap { try? JSONDecoder().decode(Mirror.Heartbeat.self, from: Data($0.value)) }
                .map(\.timestamp).max()
            ctx.log(
                "newest heartbeat \(newest.map { max(0, asked - $0) }.map(String.init) ?? "-") ms old, "
                    + "\(records.count) heartbeats")
            try MirrorClaims.heartbeat(newest: newest, asked: asked, bound: bound).enforce()
        }

        code.when(
            "the mirror is paused for {int} seconds",
            deadline: .seconds(argument: 0),
            doc: "Pauses the scenario's mirror (no records, checkpoints or heartbeats) for that long, then "
                + "resumes it.",
            example: "When the mirror is paused for 3 seconds"
        ) { (ctx, seconds: Int) in
            guard seconds >= 0 else { throw StepFailure("a mirror is paused for 0 seconds or more") }
            guard let mirror = ctx.world[MirrorState.Key.self].mirror else {
                throw StepFailure(
                    "no mirror in this scenario")
            }
            mirror.pause()
            try await Task.sleep(for: .seconds(seconds))  // the pause is the drill's parameter
            mirror.resume()
        }

        code.when(
            "{int} messages per second go to {string} for {int} seconds while the mirror is paused from second "
                + "{int} to second {int}",
            deadline: .seconds(argument: 2),
            doc: "The lag drill: produces at that rate to a topic of the mirror's source, pauses the mirror for "
                + "the given span, and measures each record's mirror lag on the target (read time there minus "
                + "its preserved timestamp). Charted with the pause shaded.",
            example: #"When 50 messages per second go to "orders" for 8 seconds while the mirror is paused from "#
                + #"second 2 to second 5"#
        ) { (ctx, rate: Int, name: String, seconds: Int, pauseFrom: Int, pauseTo: Int) in
            let state = ctx.world[MirrorState.Key.self]
            guard let mirror = state.mirror, let sourceName = state.source, let targetName = state.target else {
                throw StepFailure("no mirror in this scenario")
            }
            guard (1...100_000).contains(rate), (1...3_600).contains(seconds), 0 <= pauseFrom, pauseFrom <= pauseTo,
                pauseTo <= seconds
            else {
                throw StepFailure(
                    "a rate of 1 to 100000 messages per second, for 1 to 3600 seconds, paused within them")
            }
            let source = try ctx.named(sourceName), target = try ctx.named(targetName)
            guard let topic = source.topics[name] else { throw StepFailure("no topic \"\(name)\" on \(sourceName)") }
            let run = try await MirrorDrills.lagDrill(
                mirror: mirror, source: source.cluster, target: target.cluster, sourceAlias: sourceName,
                targetAlias: targetName, topic: topic, partitions: source.partitions[name] ?? 1, rate: rate,
                seconds: seconds, pauseFrom: pauseFrom, pauseTo: pauseTo, ledger: ctx.ledger)
            ctx.world.update(MirrorState.Key.self) {
                $0.lag = run.result; $0.lagDelay = run.delay
            }
            ctx.attach(run.chart, mediaType: "image/svg+xml")
            ctx.log(run.summary)
        }

        code.then(
            "the mirror lag rose to at least {int} ms during the pause and stayed under {int} ms outside it",
            doc: "Judges the lag drill's samples: the largest lag of a record sent during the pause (the "
                + "pause was real, seen on the target) and the largest of one sent more than a second before "
                + "it (records still on their way when it began wait for it too) or at least a second after "
                + "it (the backlog drained). A miss no larger than the harness's own scheduling delay during "
                + "the drill (measured) is inconclusive: skipped, naming both.",
            example: "Then the mirror lag rose to at least 2500 ms during the pause and stayed under 1500 ms "
                + "outside it"
        ) { (ctx, duringAtLeastMs: Int, outsideBelowMs: Int) in
            guard let lag = ctx.world[MirrorState.Key.self].lag else { throw StepFailure("no lag drill ran") }
            let low = Double(duringAtLeastMs), high = Double(outsideBelowMs)
            let (during, outside) = lag.aroundThePause
            let peakOutside = outside.max() ?? 0
            ctx.attach(lag.pauseTable, mediaType: "text/markdown")
            try TimedJudgement.judge(
                MirrorClaims.lagAroundPause(
                    read: lag.read, sent: lag.sent, during: during,
                    outside: peakOutside, low: low, high: high),
                claim: "the mirror lag", excess: [low - during, peakOutside - high],
                otherProblems: lag.read < lag.sent || lag.samples.isEmpty,
                delay: ctx.world[MirrorState.Key.self].lagDelay
            ).enforce()
        }

        code.then(
            "the mirror caught up within {int} seconds after it resumed",
            doc: "The last record sent during the pause was read on the target within that time of the resume.",
            example: "Then the mirror caught up within 3 seconds after it resumed"
        ) { (ctx, within: Int) in
            guard let lag = ctx.world[MirrorState.Key.self].lag else { throw StepFailure("no lag drill ran") }
            try MirrorClaims.caughtUp(after: lag.caughtUpAfterResume, within: within).enforce()
        }

        code.when(
            "group {string} consumes {int} messages of {string} on cluster {string} at {int} messages per "
                + "second, "
                + "committing every {int}, then fails over to cluster {string} at the translated offsets",
            doc: "The planned failover drill: the group reads and commits on the source at that pace, stops, and "
                + "starts on the target at the offsets of the newest checkpoints there (read back from "
                + "`<source>.checkpoints.internal`), reading `<source>.<topic>` until every acknowledged record "
                + "of the topic was consumed on one side or the other. Records the recovery time (the switch "
                + "to the first record read on the target).",
            example: #"When group "billing" consumes 200 messages of "orders" on cluster "east" at 100 messages "#
                + #"per second, committing every 20, then fails over to cluster "west" at the translated offsets"#
        ) {
            (
                ctx, group: String, count: Int, name: String, sourceName: String, rate: Int, every: Int,
                targetName: String
            ) in
            let source = try ctx.named(sourceName), target = try ctx.named(targetName)
            guard let topic = source.topics[name] else { throw StepFailure("no topic \"\(name)\" on \(sourceName)") }
            guard count > 0, rate > 0, every > 0 else { throw StepFailure("count, rate and batch must be positive") }
            try requireMirror(ctx, from: sourceName, to: targetName)
            let run = try await MirrorDrills.failoverDrill(
                mirror: ctx.world[MirrorState.Key.self].mirror, group: group, topic: topic,
                partitions: source.partitions[name] ?? 1, count: count, rate: rate, commitEvery: every,
                source: source.cluster, target: target.cluster, sourceAlias: sourceName, targetAlias: targetName,
                ledger: ctx.ledger, deadline: env.stepTimeout * 0.4)
            ctx.world.update(MirrorState.Key.self) { $0.failover = run.result }
            if let summary = run.summary { ctx.log(summary) }
            for table in run.tables { ctx.attach(table, mediaType: "text/markdown") }
        }

        code.when(
            "group {string} consumes {int} messages of {string} on cluster {string} at {int} messages per second, "
                + "committing every {int}",
            doc: "The unplanned failover's first half: the group reads and commits on the source at that pace "
                + "(after every batch), then stops reading, its consumer closed: what comes next is the source's "
                + "death (`every broker of cluster … is killed`) and the switch.",
            example: #"When group "billing" consumes 200 messages of "orders" on cluster "east" at 100 messages "#
                + "per second, committing every 20"
        ) { (ctx, group: String, count: Int, name: String, sourceName: String, rate: Int, every: Int) in
            let source = try ctx.named(sourceName)
            guard let topic = source.topics[name] else { throw StepFailure("no topic \"\(name)\" on \(sourceName)") }
            guard count > 0, rate > 0, every > 0 else { throw StepFailure("count, rate and batch must be positive") }
            let run = try await MirrorDrills.consume(
                group: group, topic: topic, partitions: source.partitions[name] ?? 1, count: count, rate: rate,
                commitEvery: every, source: source.cluster, deadline: env.stepTimeout * 0.4)
            ctx.world.update(MirrorState.Key.self) {
                $0.sourceRun = run
                $0.sourceRunCluster = sourceName
            }
            ctx.log("group \(group) read \(run.readCount) records on \(sourceName)")
        }

        code.when(
            "every broker of cluster {string} is killed",
            doc: "Kills each live broker of a named cluster as `broker N is killed` does (each confirmed "
                + "silent on the wire): the whole cluster is gone, as in an unplanned failover's outage. "
                + "Needs a cluster with fault operations.",
            example: #"When every broker of cluster "east" is killed"#
        ) { (ctx, name: String) in
            try await ctx.on(cluster: name) {
                let cluster = try ctx.cluster()
                for broker in try await cluster.liveBrokers() { try await ctx.kill(broker: broker) }
            }
            ctx.world.update(MirrorState.Key.self) { $0.deadClusters.insert(name) }
        }

        code.when(
            "group {string} fails over to cluster {string} at the translated offsets after cluster {string} died",
            doc: "The unplanned switch, with the source gone: the group starts on the target at the newest "
                + "checkpoints that reached it before the source died (read back from "
                + "`<source>.checkpoints.internal`) and reads `<source>.<topic>` until every acknowledged record "
                + "the copy holds was consumed on one side or the other. Its committed offsets are where its "
                + "reads on the source ended (it committed after each batch): the source cannot be asked. "
                + "Records the recovery time.",
            example: #"When group "billing" fails over to cluster "west" at the translated offsets after cluster "#
                + #""east" died"#
        ) { (ctx, group: String, targetName: String, sourceName: String) in
            let target = try ctx.named(targetName)
            let mirrors = ctx.world[MirrorState.Key.self]
            guard let run = mirrors.sourceRun, run.group == group, mirrors.sourceRunCluster == sourceName else {
                throw StepFailure(
                    "group \(group) did not consume on \(sourceName) in this scenario: run `group … consumes …, "
                        + "committing every …` first")
            }
            guard mirrors.deadClusters.contains(sourceName) else {
                throw StepFailure(
                    "cluster \(sourceName) did not die in this scenario: kill it first (`every broker of cluster "
                        + "\"\(sourceName)\" is killed`), or fail over as planned")
            }
            try requireMirror(ctx, from: sourceName, to: targetName)
            let result = try await MirrorDrills.unplannedFailover(
                run, target: target.cluster, sourceAlias: sourceName, ledger: ctx.ledger,
                deadline: env.stepTimeout * 0.4)
            ctx.world.update(MirrorState.Key.self) { $0.failover = result }
            for table in result.tables(source: sourceName, target: targetName) {
                ctx.attach(table, mediaType: "text/markdown")
            }
        }

        code.then(
            "the failover lost only messages the mirror had not copied and consumed twice only messages read "
                + "after the last checkpoint",
            doc: "The unplanned failover's verdict: every acknowledged record the target's copy held was consumed "
                + "on one cluster or the other (those never copied are lost with the source, counted — see the "
                + "next step); per partition, the target read starts at the translated offset and exactly the "
                + "records read on the source after the newest checkpoint are consumed twice. After a planned "
                + "failover it judges as the planned step does (nothing may be lost).",
            example: "Then the failover lost only messages the mirror had not copied and consumed twice only "
                + "messages read after the last checkpoint"
        ) { ctx in
            guard let f = ctx.world[MirrorState.Key.self].failover else { throw StepFailure("no failover drill ran") }
            try f.history.verdict.enforce()
        }

        code.then(
            "at most {int} acknowledged messages were lost with the source cluster",
            doc: "The unplanned failover's data loss: acknowledged records the mirror never copied before the "
                + "source died, at most the bound (the feature derives it from the mirror's pace and what was "
                + "produced before the outage).",
            example: "Then at most 0 acknowledged messages were lost with the source cluster"
        ) { (ctx, bound: Int) in
            guard let f = ctx.world[MirrorState.Key.self].failover else { throw StepFailure("no failover drill ran") }
            try f.history.lostWithSource(atMost: bound).enforce()
        }

        code.then(
            "the failover lost no message and consumed twice only messages read after the last checkpoint",
            doc: "Judges the failover drill with the delivery checker: every acknowledged record consumed on "
                + "one cluster or the other; per partition, the target read starts at the translated offset, "
                + "which holds the record at the checkpoint's upstream offset, and exactly the records the "
                + "group read on the source after the newest checkpoint (committed offset minus the "
                + "checkpoint's upstream offset, both read back from the clusters) are consumed twice.",
            example: "Then the failover lost no message and consumed twice only messages read after the last "
                + "checkpoint"
        ) { ctx in
            guard let f = ctx.world[MirrorState.Key.self].failover else { throw StepFailure("no failover drill ran") }
            try f.history.verdict.enforce()
        }

        code.then(
            "at most {int} messages were consumed twice in the failover",
            doc: "A bound written in the feature, derived there from the drill's pace and checkpoint interval.",
            example: "Then at most 120 messages were consumed twice in the failover"
        ) { (ctx, bound: Int) in
            guard let f = ctx.world[MirrorState.Key.self].failover else { throw StepFailure("no failover drill ran") }
            try MirrorClaims.duplicates(f.history.duplicates.count, atMost: bound).enforce()
        }

        code.then(
            "the group resumed on the target within {int} seconds of the switch",
            doc: "The failover's recovery time: from the switch to the first record read on the target.",
            example: "Then the group resumed on the target within 5 seconds of the switch"
        ) { (ctx, within: Int) in
            guard let f = ctx.world[MirrorState.Key.self].failover else { throw StepFailure("no failover drill ran") }
            try MirrorClaims.resumed(after: f.recovery, within: within).enforce()
        }
    }

    /// The physical name of a remote topic written as `<alias>.<name>`.
    static func remoteTopic(_ written: String, written name: String, physical: String) -> String {
        written.hasSuffix("." + name) ? String(written.dropLast(name.count)) + physical : written
    }

    /// A failover needs a mirror from its source to its target (the copy and the checkpoints it reads).
    static func requireMirror(_ ctx: StepContext, from source: String, to target: String) throws {
        guard source != target else { throw StepFailure("a group fails over to another cluster than \(source)") }
        guard
            ctx.world[MirrorState.Key.self].mirrors.contains(where: {
                $0.options.sourceAlias == source && $0.options.targetAlias == target
            })
        else {
            throw StepFailure(
                "no mirror from \(source) to \(target) runs in this scenario: start one with `a mirror from \"\(source)"
                    + "\" to \"\(target)\" for topics matching …`")
        }
    }
}
