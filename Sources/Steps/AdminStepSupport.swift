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

    /// A `| config | value |` table (the first row is its header), each key once.
    static func configTable(_ ctx: StepContext) throws -> [String: String] {
        var settings: [String: String] = [:]
        for row in try ctx.tableRows(under: ["config", "value"], each: "config") {
            guard !row[1].isEmpty else {
                throw StepFailure("\(row[0]) has no value: to go back to the default, remove the config")
            }
            guard settings.updateValue(row[1], forKey: row[0]) == nil else {
                throw StepFailure("\(row[0]) is in the table twice")
            }
        }
        return settings
    }

    /// Where the scenario's name for a topic is not its name on the cluster (a shared cluster scopes it),
    /// the verdict says so: a topic of that name made outside the scenario is another topic.
    static func naming(_ verdict: Verdict, _ name: String, _ physical: String) -> Verdict {
        guard physical != name, !verdict.holds else { return verdict }
        var v = verdict
        v.context = "the scenario's topic \"\(name)\" is \(physical) on this shared cluster"
        return v
    }

    static func listing(_ ctx: StepContext) throws -> [(name: String, partitions: Int)] {
        guard let listing = ctx.world[AdminState.Key.self].listing else {
            throw StepFailure("no topic listing in this scenario: use `When the admin tool lists the topics`")
        }
        return listing
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

    /// The key moves a partition increase's plan lists, judged against the ledger and the keys read back.
    static func checkKeyMoves(_ ctx: StepContext, _ env: KafkaEnvironment, topic name: String) async throws {
        let (verdict, table, summary) = try await AdminDrills(cluster: try ctx.cluster())
            .keyMoves(try plan(ctx), topic: physical(ctx, env, name), history: ctx.ledger.history())
        ctx.attach(table, mediaType: "text/markdown")
        ctx.log(summary)
        try verdict.enforce()
    }

    static func listGroups(_ ctx: StepContext, _ env: KafkaEnvironment) async throws {
        let (groups, table) = try await AdminDrills(cluster: try ctx.cluster()).listedGroups()
        ctx.world.update(AdminState.Key.self) { $0.groups = groups }
        ctx.attach(table, mediaType: "text/markdown")
    }

    static func drift(_ ctx: StepContext, _ env: KafkaEnvironment) throws -> [String] {
        let s = ctx.world[AdminState.Key.self]
        guard let expected = s.expected else {
            throw StepFailure("no expected state kept: use `When the inventory is kept as the expected state`")
        }
        guard let inventory = s.inventory else { throw StepFailure("no inventory taken yet") }
        return Inventory.diff(expected: expected, actual: inventory).map { localized(ctx, $0.description) }
    }

    static func checkElectionPlan(_ ctx: StepContext, topic: String, _ env: KafkaEnvironment) async throws {
        try await AdminDrills(cluster: try ctx.cluster()).electionPlanVerdict(try plan(ctx), topic: topic).enforce()
    }

    static func planReassignment(_ ctx: StepContext, topic: String) async throws {
        let r = try await AdminDrills(cluster: try ctx.cluster()).planReassignment(topics: [topic])
        ctx.world.update(AdminState.Key.self) { s in
            s.reassignment = r
            s.reassignedTopics = [topic]
        }
        ctx.log(localized(ctx, r.plan.text))
    }

    static func checkPlannedGap(_ ctx: StepContext, percent: Int) async throws {
        let r = try reassignment(ctx)
        try await ClusterSteps.requireReplicaLayout(
            ctx, topics: ctx.world[AdminState.Key.self].reassignedTopics,
            claim: "the planned reassignment narrows the load gap")
        let (verdict, table, summary) = try await AdminDrills(cluster: try ctx.cluster()).plannedGap(
            r, percent: percent)
        ctx.attach(table, mediaType: "text/markdown")
        ctx.log(summary)
        try verdict.enforce()
    }

    static func reassignment(_ ctx: StepContext) throws -> ReplicaPlanner.Result {
        guard let r = ctx.world[AdminState.Key.self].reassignment else {
            throw StepFailure(
                "no reassignment planned yet")
        }
        return r
    }

    static func checkMeasuredGap(_ ctx: StepContext) async throws {
        let (verdict, table) = try await AdminDrills(cluster: try ctx.cluster()).measuredGap(try reassignment(ctx))
        ctx.attach(table, mediaType: "text/markdown")
        try verdict.enforce()
    }

    static func executeReassignment(_ ctx: StepContext) async throws {
        try ctx.cluster().require(.reassignment)
        let r = try reassignment(ctx)
        guard !r.reassignment.partitions.isEmpty else {
            throw StepFailure(
                "the plan moves nothing, so running it would show nothing:\n\(localized(ctx, r.plan.text))")
        }
        let (plan, rollback) = try await AdminDrills(cluster: try ctx.cluster()).executeReassignment(r.reassignment)
        ctx.world.update(AdminState.Key.self) { $0.rollback = rollback }
        ctx.log(localized(ctx, plan.text))
    }

    static func verifyReassignment(_ ctx: StepContext, rollback: Bool) async throws {
        let s = ctx.world[AdminState.Key.self]
        guard let plan = rollback ? s.rollback : s.reassignment?.reassignment else {
            throw StepFailure(rollback ? "no reassignment ran in this scenario" : "no reassignment planned yet")
        }
        let problems = try await AdminDrills(cluster: try ctx.cluster()).awaitReassignment(plan)
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
