import Cluster
import Drills
import Foundation
import KafkaClient
import Operations
import Runtime
import Verification

/// The admin steps' bodies: each runs the admin tool's code (AdminDrills) or reads the cluster to check it.
enum AdminStepSupport {
    /// The physical name of a topic the feature names, fixed the first time it is used (a topic
    /// planned in a dry run has one too, so "the cluster has no topic" looks for the right name).
    static func physical(_ ctx: StepContext, _ env: KafkaEnvironment, _ name: String) -> String {
        if let t = ctx.scenario.state.withLock({ $0.topics[name] }) { return t }
        if name.hasPrefix("__") { return name }
        return ctx.world.update(AdminState.Key.self) { s in
            if let known = s.names[name] { return known }
            let p = env.physicalTopic(name)
            s.names[name] = p
            return p
        }
    }

    /// A group's name on the cluster (a shared cluster scopes it to the scenario).
    static func group(_ ctx: StepContext, _ name: String) -> String {
        let physical = (try? ctx.cluster().config(["group.id": name])["group.id"]) ?? name
        if physical != name { ctx.world.update(AdminState.Key.self) { $0.groupNames[name] = physical } }
        return physical
    }

    /// Physical names back to the scenario's, so plans and reasons read as the feature file wrote them.
    static func localized(_ ctx: StepContext, _ text: String) -> String {
        let admin = ctx.world[AdminState.Key.self]
        let topics = ctx.scenario.state.withLock { $0.topics }.merging(admin.names) { a, _ in a }
            .merging(admin.groupNames) { a, _ in a }
        var out = text
        for (name, physical) in topics.sorted(by: { $0.value.count > $1.value.count }) where name != physical {
            out = out.replacingOccurrences(of: physical, with: name)
        }
        return out
    }

    static func localized(_ ctx: StepContext, _ plan: Plan) -> Plan {
        Plan(
            action: localized(ctx, plan.action),
            changes: plan.changes.map {
                .init(localized(ctx, $0.subject), localized(ctx, $0.before), localized(ctx, $0.after))
            },
            notes: plan.notes.map { localized(ctx, $0) })
    }

    /// Runs one admin command; its plan or its refusal is kept for the Then steps (a refusal is an
    /// outcome here, not a failure: the Then steps say what was expected). The checks come before any
    /// request, so a missing API is met only by a command they accepted: that is judged here and by the
    /// Then steps, not skipped (a dry run that reaches for an API fails; a command the cluster cannot send
    /// is kept as accepted, and the steps that would read its effect skip naming the API).
    static func run(
        _ ctx: StepContext, _ env: KafkaEnvironment, dryRun: Bool,
        _ body: (AdminDrills, (String) throws -> String) async throws -> Plan
    ) async throws {
        let drills = AdminDrills(cluster: try ctx.cluster())
        do {
            let plan = localized(ctx, try await body(drills) { physical(ctx, env, $0) })
            ctx.world.update(AdminState.Key.self) { $0.outcome = .plan(plan, dryRun: dryRun) }
            ctx.log(plan.text + (dryRun ? "\ndry run: nothing sent" : ""))
        } catch let refusal as Refusal {
            let local = Refusal(localized(ctx, refusal.reason))
            ctx.world.update(AdminState.Key.self) { $0.outcome = .refused(local) }
            ctx.log("\(local)")
        } catch let unsupported as Unsupported {
            guard !dryRun else {
                throw StepFailure("a dry run sends nothing, but this one went on to send: \(unsupported)")
            }
            ctx.world.update(AdminState.Key.self) { $0.outcome = .unsent(unsupported) }
            ctx.scenario.state.withLock { $0.unsent = unsupported }
            ctx.log("the checks accepted it; not sent: \(unsupported)")
        }
    }

    static func createTopic(
        _ ctx: StepContext, _ env: KafkaEnvironment, name: String, partitions: Int, replicationFactor: Int,
        configs: [String: String], dryRun: Bool
    ) async throws {
        try await run(ctx, env, dryRun: dryRun) { drills, resolve in
            try await drills.createTopic(
                try resolve(name), partitions: partitions, replicationFactor: replicationFactor,
                configs: configs, dryRun: dryRun)
        }
        if !dryRun, case .plan = ctx.world[AdminState.Key.self].outcome {
            let p = physical(ctx, env, name)
            ctx.scenario.state.withLock { s in
                s.topics[name] = p
                s.partitions[name] = Int32(partitions)
            }
        }
    }

    static func plan(_ ctx: StepContext) throws -> Plan {
        switch ctx.world[AdminState.Key.self].outcome {
        case .plan(let plan, _): return plan
        case .refused(let r): throw StepFailure("the admin tool refused: \(r.reason)")
        case .unsent(let unsupported): throw unsupported
        case nil: throw StepFailure("no admin command ran in this scenario")
        }
    }

    static func expectRefusal(_ ctx: StepContext, containing text: String) throws {
        let outcome: AdminClaims.Outcome
        switch ctx.world[AdminState.Key.self].outcome {
        case .refused(let r): outcome = .refused(reason: r.reason)
        case .plan(let plan, let dry): outcome = .accepted(text: plan.text, dryRun: dry)
        case .unsent(let unsupported): outcome = .unsent("\(unsupported)")
        case nil: throw StepFailure("no admin command ran in this scenario")
        }
        try AdminClaims.refused(outcome, because: text).enforce()
    }

    static func expectChange(_ ctx: StepContext, subject: String, before: String?, after: String) throws {
        let plan = try plan(ctx)
        let changes = plan.changes.map { AdminClaims.Change($0.subject, $0.before, $0.after) }
        try AdminClaims.changes(subject, before: before, after: after, plan: changes, planText: plan.text).enforce()
    }

    /// Each key the plan moves was read back, here and now, from the partition the plan says it leaves.
    /// Every key the ledger saw acknowledged on the topic is accounted for: the plan lists exactly those
    /// that move, from the partition they were acknowledged in (and read back from) to where the
    /// partitioner sends them; the keys read back are evidence about the cluster, not the oracle.
    static func checkKeyMoves(_ ctx: StepContext, _ env: KafkaEnvironment, topic name: String) async throws {
        let plan = try plan(ctx)
        let topic = physical(ctx, env, name)
        let cluster = try ctx.cluster()
        var found: [String: Set<Int32>] = [:]
        for p in try await cluster.metadata(topic: topic).topic(topic)?.partitions ?? [] {
            let (low, high) = try await cluster.watermarks(topic: topic, partition: p.id)
            guard high > low else { continue }
            let range = try await Backfill.read(
                config: cluster.config(["group.id": "kafka-bdd-readback"]),
                topic: topic, partition: p.id, from: low)
            for r in range.records { if let k = r.keyString { found[k, default: []].insert(p.id) } }
        }
        var acknowledged: [String: Int32] = [:]
        for send in ctx.ledger.history().sends where send.topic == topic {
            if case .acked(let partition, _) = send.acknowledgement, let key = send.key {
                acknowledged[key] = partition
            }
        }
        let counts = plan.changes.first { $0.subject.hasSuffix(" partitions") }.flatMap { c in
            Int(c.before).flatMap { from in Int(c.after).map { (from, $0) } }
        }
        guard let (from, to) = counts else {
            throw StepFailure("the plan adds no partitions to \(topic):\n\(plan.text)")
        }
        let remap = KeyRemap(placement: acknowledged, from: from, to: to)
        if !acknowledged.isEmpty, remap.partitioner == nil {
            throw StepFailure("no known partitioner placed the acknowledged keys where they were acknowledged")
        }
        var listed: [String: KeyMoves.Move] = [:]
        for m in plan.changes where m.subject.hasPrefix("key ") {
            func partition(_ s: String) -> Int32 { Int32(s.dropFirst("partition ".count)) ?? -1 }
            listed[String(m.subject.dropFirst(4))] = KeyMoves.Move(from: partition(m.before), to: partition(m.after))
        }
        let expected = Dictionary(uniqueKeysWithValues: remap.moved.map {
            ($0.key, KeyMoves.Move(from: $0.from, to: $0.to))
        })
        ctx.attach(
            Evidence.table(
                ["key", "now", "after adding partitions"],
                listed.sorted { $0.key < $1.key }.map {
                    [$0.key, "partition \($0.value.from)", "partition \($0.value.to)"]
                }),
            mediaType: "text/markdown")
        ctx.log("\(listed.count) keys listed; of \(acknowledged.count) keys acknowledged, \(expected.count) move; "
                + "\(found.count) keys read back")
        try KeyMoves.verdict(listed: listed, expected: expected, acknowledgedKeys: acknowledged.count, readBack: found)
            .enforce()
    }

    static func consumer(_ ctx: StepContext, group: String) throws -> Consumer {
        let cluster = try ctx.cluster()
        // The physical group name as is: `cluster.config` would scope it a second time.
        return try Consumer(
            config: KafkaConfig([
                "bootstrap.servers": cluster.bootstrapServers, "group.id": group,
                "enable.auto.commit": "false",
            ]).merging(cluster.clientConfig))
    }

    static func commit(_ ctx: StepContext, group: String, topic: String, partitions: Int32, offset: Int64) async throws
    {
        let c = try consumer(ctx, group: group)
        defer { Task { await c.close() } }
        try await c.commit((0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0, offset: offset) })
    }

    static func committed(
        _ ctx: StepContext, group: String, topic: String, partitions: Int32
    ) async throws -> [TopicPartitionOffset] {
        let c = try consumer(ctx, group: group)
        defer { Task { await c.close() } }
        return try await c.committed((0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0) })
            .sorted { $0.partition < $1.partition }
    }

    static func listGroups(_ ctx: StepContext, _ env: KafkaEnvironment) async throws {
        let cluster = try ctx.cluster()
        let snapshot = try await AdminDrills(cluster: cluster).snapshot(.init(configs: false))
        if !snapshot.groupsListed { try cluster.require(.admin) }
        ctx.world.update(AdminState.Key.self) { $0.groups = snapshot.groups }
        ctx.attach(
            Evidence.table(
                ["group", "state", "members"],
                snapshot.groups.map { [$0.name, $0.state, $0.members.map(String.init) ?? "?"] }),
            mediaType: "text/markdown")
    }

    static func drift(_ ctx: StepContext, _ env: KafkaEnvironment) throws -> [String] {
        let s = ctx.world[AdminState.Key.self]
        guard let expected = s.expected else {
            throw StepFailure("no expected state kept: use `When the inventory is kept as the expected state`")
        }
        guard let inventory = s.inventory else { throw StepFailure("no inventory taken yet") }
        return Inventory.diff(expected: expected, actual: inventory).map { localized(ctx, $0.description) }
    }

    /// The plan moves exactly the partitions the metadata, read again, shows off their first replica.
    static func checkElectionPlan(_ ctx: StepContext, topic: String, _ env: KafkaEnvironment) async throws {
        let plan = try plan(ctx)
        let partitions = try await ctx.cluster().metadata(topic: topic).topic(topic)?.partitions ?? []
        // As the election does: only a preferred replica that is in sync can take the leadership back.
        let off = partitions.filter {
            !$0.replicas.isEmpty && $0.leader != $0.replicas[0] && $0.isr.contains($0.replicas[0])
        }
        let expected = Set(off.map { "[\($0.id)] leader: \($0.leader) → \($0.replicas[0])" })
        let planned = Set(
            plan.changes.map { c in
                "[" + (c.subject.split(separator: "[").last.map(String.init) ?? "") + ": \(c.before) → \(c.after)"
            })
        try AdminClaims.electionPlan(topic, planned: planned, expected: expected).enforce()
    }

    static func electPreferred(_ ctx: StepContext, topic: String) async throws {
        let cluster = try ctx.cluster()
        if cluster.capabilities.contains(.leaderElection) {
            // A restarted broker leads nothing until it is back in sync: wait for that first.
            let deadline = ContinuousClock.now + cluster.failoverDeadline * 2
            while ContinuousClock.now < deadline {
                let partitions = try await cluster.metadata(topic: topic).topic(topic)?.partitions ?? []
                if partitions.allSatisfy({ $0.replicas.first.map($0.isr.contains) ?? true }) { break }
                try await Task.sleep(for: .milliseconds(500))  // polling interval of the deadline loop
            }
            let plan = try await AdminDrills(cluster: cluster).preferredElection(topic: topic, dryRun: false)
            ctx.log(localized(ctx, plan.text))
            return
        }
        try cluster.require(.leaderMoves)
        let partitions = try await cluster.metadata(topic: topic).topic(topic)?.partitions ?? []
        // Without a replica assignment of its own (the mock lists every broker, in one order, for every
        // partition) the preferred leader is the one the harness, as controller, chose at creation.
        let models = cluster.capabilities.contains(.replication)
        var moved: [String] = []
        for p in partitions where !p.replicas.isEmpty {
            let preferred = preferredLeader(p, on: cluster)
            guard p.leader != preferred else { continue }
            try await cluster.moveLeader(topic: topic, partition: p.id, to: preferred)
            moved.append("[\(p.id)] \(p.leader) → \(preferred)")
        }
        ctx.log(
            "the harness moved the leaders itself (\(moved.joined(separator: ", "))): the \(cluster.backend) "
                + "cluster has no \(ClusterCapability.leaderElection.rawValue), "
                + "so `kafka-bdd admin leaders elect` is not verified here"
                + (models ? "" : "; it has no replica assignment either, so the leaders went back to where the "
                    + "harness placed them when it created \(topic) (round-robin over the brokers)")
        )
    }

    /// A partition's preferred leader: its first replica; on a cluster without a replica assignment of its
    /// own (the mock lists brokers 1…N for every partition, so its first replica is always broker 1) the
    /// leader the harness, as controller, gave it at creation: round-robin over that list.
    static func preferredLeader(_ p: PartitionMetadata, on cluster: any Cluster) -> Int32 {
        cluster.capabilities.contains(.replication) ? p.replicas[0] : p.replicas[Int(p.id) % p.replicas.count]
    }

    static func awaitPreferredLeaders(_ ctx: StepContext, topic: String) async throws {
        let cluster = try ctx.cluster()
        let deadline = ContinuousClock.now + cluster.failoverDeadline
        var verdict = Verdict()
        repeat {
            let partitions = try await cluster.metadata(topic: topic).topic(topic)?.partitions ?? []
            let off = partitions.filter { !$0.replicas.isEmpty && preferredLeader($0, on: cluster) != $0.leader }
            verdict = AdminClaims.ledByPreferred(
                topic, reported: partitions.count,
                off: off.map { AdminClaims.OffPreferred(partition: $0.id, leader: $0.leader, replicas: $0.replicas) })
            if verdict.holds || partitions.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))  // polling interval of the deadline loop
        } while ContinuousClock.now < deadline
        try verdict.enforce()
    }

    static func planReassignment(_ ctx: StepContext, topic: String) async throws {
        let r = try await AdminDrills(cluster: try ctx.cluster()).planReassignment(topics: [topic])
        ctx.world.update(AdminState.Key.self) { s in
            s.reassignment = r
            s.reassignedTopics = [topic]
        }
        ctx.log(localized(ctx, r.plan.text))
    }

    /// The gap, computed here from the plan's assignment and watermarks read now, not from the planner's numbers.
    static func checkPlannedGap(_ ctx: StepContext, percent: Int) async throws {
        guard let r = ctx.world[AdminState.Key.self].reassignment else {
            throw StepFailure("no reassignment planned yet")
        }
        let cluster = try ctx.cluster()
        let live = Set(try await cluster.liveBrokers())
        let topics = Set(r.reassignment.partitions.map(\.topic))
        try await ClusterSteps.requireReplicaLayout(ctx, topics: ctx.world[AdminState.Key.self].reassignedTopics,
                                                    claim: "the planned reassignment narrows the load gap")
        let planned = Dictionary(r.reassignment.partitions.map { ("\($0.topic)/\($0.partition)", $0.replicas) }) {
            a, _ in a
        }
        var before = Dictionary(uniqueKeysWithValues: live.map { ($0, Int64(0)) })
        var after = before
        for name in topics {
            for p in try await cluster.metadata(topic: name).topic(name)?.partitions ?? [] {
                let (low, high) = try await cluster.watermarks(topic: name, partition: p.id)
                for b in p.replicas where before[b] != nil { before[b]! += high - low }
                for b in planned["\(name)/\(p.id)"] ?? p.replicas where after[b] != nil { after[b]! += high - low }
            }
        }
        ctx.attach(
            Evidence.table(
                ["broker", "records before", "records after the plan"],
                before.keys.sorted().map { ["\($0)", "\(before[$0]!)", "\(after[$0]!)"] }), mediaType: "text/markdown")
        ctx.log("load gap \(AdminClaims.gap(before)) → \(AdminClaims.gap(after)) records")
        try AdminClaims.gapNarrowed(before: before, after: after, moves: r.reassignment.partitions.count,
                                    percent: percent).enforce()
    }

    /// Loads measured from the metadata and watermarks now, against the plan's prediction.
    static func checkMeasuredGap(_ ctx: StepContext) async throws {
        guard let r = ctx.world[AdminState.Key.self].reassignment else {
            throw StepFailure("no reassignment planned yet")
        }
        let cluster = try ctx.cluster()
        var load = Dictionary(uniqueKeysWithValues: try await cluster.liveBrokers().map { ($0, Int64(0)) })
        for name in Set(r.reassignment.partitions.map(\.topic)) {
            for p in try await cluster.metadata(topic: name).topic(name)?.partitions ?? [] {
                let (low, high) = try await cluster.watermarks(topic: name, partition: p.id)
                for b in p.replicas where load[b] != nil { load[b]! += high - low }
            }
        }
        ctx.attach(
            Evidence.table(
                ["broker", "records now", "planned"],
                load.keys.sorted().map {
                    ["\($0)", "\(load[$0]!)", "\(r.after.load[$0].map(String.init) ?? "?")"]
                }), mediaType: "text/markdown")
        try AdminClaims.gapAsPredicted(measured: load, predicted: r.after.gap, before: r.before.gap).enforce()
    }

    static func executeReassignment(_ ctx: StepContext) async throws {
        let cluster = try ctx.cluster()
        try cluster.require(.reassignment)
        guard let r = ctx.world[AdminState.Key.self].reassignment else {
            throw StepFailure("no reassignment planned yet")
        }
        guard !r.reassignment.partitions.isEmpty else {
            throw StepFailure(
                "the plan moves nothing, so running it would show nothing:\n\(localized(ctx, r.plan.text))")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kafka-bdd-rollback-\(UUID().uuidString).json"
        ).path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let plan = try await AdminDrills(cluster: cluster).executeReassignment(
            r.reassignment, rollbackFile: file, dryRun: false)
        let rollback = try Reassignment.parse(try String(contentsOfFile: file, encoding: .utf8), source: file)
        ctx.world.update(AdminState.Key.self) { $0.rollback = rollback }
        ctx.log(localized(ctx, plan.text))
    }

    static func verifyReassignment(_ ctx: StepContext, rollback: Bool) async throws {
        let cluster = try ctx.cluster()
        let s = ctx.world[AdminState.Key.self]
        guard let plan = rollback ? s.rollback : s.reassignment?.reassignment else {
            throw StepFailure(rollback ? "no reassignment ran in this scenario" : "no reassignment planned yet")
        }
        let drills = AdminDrills(cluster: cluster)
        let deadline = ContinuousClock.now + cluster.failoverDeadline * 2
        var problems: [String] = []
        repeat {
            problems = try await drills.verifyReassignment(plan)
            if problems.isEmpty { return }
            try await Task.sleep(for: .milliseconds(500))  // polling interval of the deadline loop
        } while ContinuousClock.now < deadline
        try AdminClaims.reassignmentVerified(problems.map { localized(ctx, $0) }).enforce()
    }

    static func rollBack(_ ctx: StepContext) async throws {
        let cluster = try ctx.cluster()
        try cluster.require(.reassignment)
        guard let rollback = ctx.world[AdminState.Key.self].rollback else {
            throw StepFailure("no reassignment ran in this scenario")
        }
        let plan = try await AdminDrills(cluster: cluster).executeReassignment(
            rollback, rollbackFile: nil, dryRun: false)
        ctx.log(localized(ctx, plan.text))
    }
}
