import Cluster
import Foundation
import KafkaClient
import Processing
import Verification

extension MirrorDrills {
    /// Starts a mirror following MirrorMaker 2's conventions between two clusters of a scenario. The patterns
    /// are about topic names as the feature writes them: `sharedSuffix` lets them match a shared cluster's
    /// run-suffixed names. A pattern that is no regular expression is refused before anything starts.
    public static func startMirror(
        source: any Cluster, target: any Cluster, sourceAlias: String, targetAlias: String,
        include: String, exclude: String, group: String, checkpointInterval: Duration, sharedSuffix: Bool
    ) async throws -> Mirror {
        // A typo in a pattern would otherwise select nothing and look like a broken mirror.
        for (what, pattern) in [("include", include), ("exclude", exclude)] where (try? Regex(pattern)) == nil {
            throw DrillFailure("the \(what) pattern \"\(pattern)\" is not a valid regular expression")
        }
        var options = Mirror.Options()
        options.sourceAlias = sourceAlias
        options.targetAlias = targetAlias
        let suffix = sharedSuffix ? "(?:-[a-z0-9]+-[0-9]+)?" : ""
        options.include = ["(?:\(include))\(suffix)"]
        options.exclude = ["(?:\(exclude))\(suffix)"]
        options.groups = [source.config(["group.id": group])["group.id"] ?? ""]
        options.checkpointInterval = checkpointInterval
        // New topics are looked for every second (MM2's default is ten minutes): a scenario's topics are new.
        options.topicRefreshInterval = .seconds(1)
        options.replicationFactor = try await target.replicationFactorForAcksAll()
        let mirror = Mirror(source: source.config(), target: target.config(), options: options) { spec in
            do { try await target.createTopic(spec) } catch let e as KafkaError where e.code == 36 {
                // Already there (a shared cluster keeps heartbeats and checkpoints between scenarios).
            }
        }
        try await mirror.start()
        return mirror
    }

    /// What the first cluster holds once its topic's copy is on the other and the mirror back (if any) has
    /// listed the other's topics twice since (a scan under way when the copy appeared may have missed it):
    /// the topic and every `<other>.…` topic read back, as ledger ids.
    public static func loopEvidence(
        origin: any Cluster, originAlias: String, other: any Cluster, otherAlias: String, topic: String,
        acknowledged: Set<UInt64>, back: Mirror?, within limit: Duration
    ) async throws -> (MirrorLoop.Evidence, String) {
        let deadline = ContinuousClock.now + limit
        let copy = Mirror.remoteTopic(topic, sourceAlias: originAlias)
        var otherTopics: [String] = []
        while true {
            otherTopics = try await other.metadata(topic: nil).topics.map(\.name)
            if otherTopics.contains(copy) || ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(100))  // polling interval of the deadline loop
        }
        var scansAfterCopy = 0
        if otherTopics.contains(copy), let back, back.patternsSelect(copy) {
            let before = back.status.scans
            while back.status.scans < before + 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))  // polling interval of the deadline loop
            }
            scansAfterCopy = max(0, back.status.scans - before - 1)
        }
        // The copy, read until it holds every acknowledged record or the time is up.
        var copied: Set<UInt64> = []
        if otherTopics.contains(copy), let md = try await other.metadata(topic: copy).topic(copy) {
            repeat {
                let records = try await TopicReader.readAll(
                    config: other.config(), topic: copy, partitions: md.partitions.map(\.id),
                    within: max(.seconds(1), deadline - .now))
                copied = Set(records.compactMap { Payload.id(in: $0.value) })
                if acknowledged.isSubset(of: copied) || ContinuousClock.now >= deadline { break }
                try await Task.sleep(for: .milliseconds(250))  // polling interval of the deadline loop
            } while true
        }
        let md = try await origin.metadata(topic: nil)
        var readBack: [String: [UInt64]] = [:]
        for t in md.topics
        where t.name == topic || (t.name.hasPrefix(otherAlias + ".") && !t.name.hasSuffix(".internal")) {
            let records = try await TopicReader.readAll(
                config: origin.config(), topic: t.name, partitions: t.partitions.map(\.id),
                within: max(.seconds(1), deadline - .now))
            readBack[t.name] = records.compactMap { Payload.id(in: $0.value) }
        }
        var evidence = MirrorLoop.Evidence(
            origin: originAlias, other: otherAlias, topic: topic, acknowledged: acknowledged,
            otherTopics: otherTopics, originTopics: md.topics.map(\.name), readBack: readBack,
            scansAfterCopy: scansAfterCopy)
        evidence.copied = copied
        evidence.backSelectsCopy = back.map { $0.patternsSelect(copy) }
        let table =
            Evidence.table(
                ["topic on \(originAlias)", "records read", "of them acknowledged to \(topic)"],
                readBack.keys.sorted().map { name in
                    let ids = readBack[name] ?? []
                    return [name, "\(ids.count)", "\(ids.filter(acknowledged.contains).count)"]
                })
            + "\n\n\(copy) on \(otherAlias): \(otherTopics.contains(copy) ? "yes" : "no"); "
            + "scans of \(otherAlias)'s topics by the mirror back since: "
            + (back == nil ? "no mirror back" : "\(scansAfterCopy)")
        return (evidence, table)
    }

    /// Waits until the mirror has created a remote topic on the target.
    public static func awaitRemoteTopic(
        _ topic: String, on cluster: any Cluster, within limit: Duration = .seconds(15)
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await cluster.metadata(topic: nil).topic(topic) != nil { return }
            try await Task.sleep(for: .milliseconds(100))  // polling interval of the deadline loop
        }
        throw DrillFailure("the mirror did not create \(topic) on the target within \(limit.formatted())")
    }
}

extension MirrorDrills.LagResult {
    /// The largest lag of a record sent during the pause, and the lags of those sent more than a second
    /// before it (records still on their way when it began wait for it too) or a second after it.
    public var aroundThePause: (during: Double, outside: [Double]) {
        let during = samples.filter { $0.sent >= pause.from && $0.sent < pause.to }.map(\.lag).max() ?? 0
        return (during, samples.filter { $0.sent < pause.from - 1 || $0.sent >= pause.to + 1 }.map(\.lag))
    }

    /// Markdown: the peak during the pause, the peak and the median outside it.
    public var pauseTable: String {
        let (during, outside) = aroundThePause
        let ms = { (v: Double) in String(format: "%.0f", v) }
        return Evidence.table(
            ["", "ms"],
            [
                ["peak lag during the pause", ms(during)], ["peak lag outside it", ms(outside.max() ?? 0)],
                ["median outside it", ms(outside.sorted().dropFirst(outside.count / 2).first ?? 0)],
            ])
    }
}

extension MirrorDrills.FailoverResult {
    /// Markdown tables: the failover's counts and recovery, and each partition's committed, checkpointed and
    /// translated offsets.
    public func tables(source: String, target: String) -> [String] {
        let h = history
        let ms = { (d: Duration?) in d.map { "\($0.milliseconds) ms" } }
        return [
            Evidence.table(
                ["", ""],
                [
                    ["recovery time (switch → first record on \(target))", ms(recovery) ?? "none"],
                    ["acknowledged on \(source)", "\(h.acknowledged.count)"],
                    ["read on \(source) before the switch", "\(h.readOnSource.count)"],
                    ["read on \(target) after it", "\(h.readOnTarget.count)"],
                    ["lost", "\(h.lost.count)"], ["consumed twice", "\(h.duplicates.count)"],
                    ["bound: read on \(source) after the newest checkpoint", "\(h.bound)"],
                    ["newest checkpoint's age at the switch", ms(checkpointAge) ?? "no checkpoint"],
                ]
                    + (h.copied.map { c in
                        [
                            ["in \(target)'s copy when \(source) died", "\(c.count)"],
                            ["lost with \(source) (never copied)", "\(h.lostWithSource.count)"],
                        ]
                    } ?? [])),
            Evidence.table(
                ["partition", "committed on \(source)", "checkpoint upstream", "translated offset"],
                committedOnSource.map { c in
                    let cp = checkpoints.first { $0.partition == c.partition }
                    return [
                        "\(c.partition)", "\(c.offset)", cp.map { "\($0.upstreamOffset)" } ?? "–",
                        cp.map { "\($0.downstreamOffset)" } ?? "beginning",
                    ]
                }),
        ]
    }
}

extension MirrorDrills {
    /// The fidelity verdict of a copy read back, with why a copy is missing where the harness knows (its last
    /// read failed, or the mirror stopped), and a Markdown table of the records per partition on each side.
    public static func fidelity(
        acknowledged: Set<UInt64>, source: [MirrorChecks.Record], target: [MirrorChecks.Record], partitions: Int32,
        readFailure: String?, mirrorError: String?
    ) -> (verdict: Verdict, table: String) {
        var verdict = MirrorChecks.fidelity(acknowledged: acknowledged, source: source, target: target)
        let why = [
            readFailure.map { "the last read of the copy failed: \($0)" },
            mirrorError.map { "the mirror stopped: \($0)" },
        ].compactMap { $0 }
        if !why.isEmpty { verdict.context = ([verdict.context].compactMap { $0 } + why).joined(separator: "; ") }
        let table = Evidence.table(
            ["partition", "on the source", "on the target"],
            (0..<partitions).map { p in
                [
                    "\(p)", "\(source.filter { $0.partition == p }.count)",
                    "\(target.filter { $0.partition == p }.count)",
                ]
            })
        return (verdict, table)
    }
}

extension MirrorDrills {
    /// The lag drill as KAF-10 states it: once the mirror has created the remote topic, the drill with the
    /// harness's own scheduling delay measured beside it; its chart and a summary for the log.
    public static func lagDrill(
        mirror: Mirror, source: any Cluster, target: any Cluster, sourceAlias: String, targetAlias: String,
        topic: String, partitions: Int32, rate: Int, seconds: Int, pauseFrom: Int, pauseTo: Int,
        ledger: DeliveryLedger
    ) async throws -> (result: LagResult, delay: SchedulingDelay, chart: String, summary: String) {
        let remote = Mirror.remoteTopic(topic, sourceAlias: sourceAlias)
        try await awaitRemoteTopic(remote, on: target)
        let (result, delay) = try await HarnessDelay.during {
            try await lag(
                mirror: mirror, source: source, target: target, topic: topic, remote: remote,
                partitions: partitions, rate: rate, seconds: seconds, pauseFrom: pauseFrom, pauseTo: pauseTo,
                ledger: ledger)
        }
        let chart = Evidence.lineChart(
            title: "Mirror lag on \(targetAlias), by send time", unit: "lag in ms",
            samples: result.samples.map { ($0.sent, $0.lag) },
            spans: [(label: "paused", from: result.pause.from, to: result.pause.to)])
        let caughtUp = result.caughtUpAfterResume.map { String(format: "%.2f s after the resume", $0) } ?? "never"
        let summary =
            "the harness's own scheduling delay during the drill: \(delay.description)\n"
            + "\(result.read) of \(result.sent) records read on \(targetAlias); caught up \(caughtUp)"
        return (result, delay, chart, summary)
    }

    /// The planned failover as KAF-10 states it: once the mirror has created the remote topic, the drill, its
    /// tables and the mirror's own account of what it did.
    public static func failoverDrill(
        mirror: Mirror?, group: String, topic: String, partitions: Int32, count: Int, rate: Int, commitEvery: Int,
        source: any Cluster, target: any Cluster, sourceAlias: String, targetAlias: String, ledger: DeliveryLedger,
        deadline: Duration
    ) async throws -> (result: FailoverResult, tables: [String], summary: String?) {
        let remote = Mirror.remoteTopic(topic, sourceAlias: sourceAlias)
        try await awaitRemoteTopic(remote, on: target)
        let result = try await failover(
            group: group, topic: topic, partitions: partitions, count: count, rate: rate, commitEvery: commitEvery,
            source: source, target: target, sourceAlias: sourceAlias, remote: remote, ledger: ledger,
            deadline: deadline)
        let summary = mirror.map(\.status).map { status in
            "mirror: \(status.mirrored) records mirrored, \(status.checkpoints) checkpoint rounds, "
                + "\(status.heartbeats) heartbeats; last checkpoint round: \(status.lastCheckpoint ?? "none")"
                + (status.error.map { "; stopped: \($0)" } ?? "")
                + (status.refreshError.map { "; last look for source topics failed: \($0)" } ?? "")
        }
        return (result, result.tables(source: sourceAlias, target: targetAlias), summary)
    }
}
