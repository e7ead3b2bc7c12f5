import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// Sentences about a consumer group that grows and shrinks while records are produced (KAF-04).
enum ScalingSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.when(
            "group {string} scales {int} → {int} → {int} consumers on {string} with the {string} assignor while "
                + "{int} messages are produced",
            doc: "Produces at a steady rate while the group runs with each number of consumers in turn; logs "
                + "every rebalance, samples the group's lag (log end minus committed offset) and attaches the "
                + "rebalance log and lag charts.",
            example: #"When group "scalers" scales 2 → 3 → 1 consumers on "orders" with the "#
                + #""cooperative-sticky" assignor while 6000 messages are produced"#
        ) { (ctx, group: String, first: Int, second: Int, third: Int, name: String, strategy: String, total: Int) in
            let sizes = [first, second, third]
            guard sizes.allSatisfy({ $0 > 0 }), total > 0 else {
                throw StepFailure(
                    "consumer counts and the message count must be positive")
            }
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let cluster = try ctx.cluster()
            try cluster.require(.consumerGroups)
            cluster.registerCoordinatorKey(group, type: .group)
            let drill = ScalingDrill(
                cluster: cluster, group: group, topic: topic, partitions: partitions, strategy: strategy,
                ledger: ctx.ledger)
            let record = try await drill.run(sizes: sizes, messages: total)
            ctx.world.update(ScalingState.Key.self) { $0.drills[group] = record }
            ctx.world.update(GroupState.Key.self) { $0.reads[group, default: []] += drill.readIds }
            for (content, type) in record.evidence(strategy: strategy) { ctx.attach(content, mediaType: type) }
        }

        code.then(
            "each scaling step of group {string} was a logged rebalance after which every partition had exactly "
                + "one consumer",
            doc: "For every phase of the drill: rebalance callbacks were logged, and the group settled with "
                + "each partition owned by one live consumer and no consumer idle while partitions remain.",
            example: #"Then each scaling step of group "scalers" was a logged rebalance after which every "#
                + #"partition had exactly one consumer"#
        ) { (ctx, group: String) in
            try history(ctx, group: group).everyPhaseSettled().enforce()
        }

        code.then(
            "while group {string} grew, its consumers gave up all their partitions",
            doc: "Eager rebalancing stops the world: until the grown group settled, every consumer already in "
                + "it gave up every partition it held.",
            example: #"Then while group "scalers" grew, its consumers gave up all their partitions"#
        ) { (ctx, group: String) in
            try ScalingHistory.gaveUpEverything(try revocations(ctx, group: group)).enforce()
        }

        code.then(
            "while group {string} grew, its consumers gave up only the partitions that moved",
            doc: "Cooperative rebalancing is incremental: until the grown group settled, no consumer gave up a "
                + "partition it kept, and some partitions did move.",
            example: #"Then while group "scalers" grew, its consumers gave up only the partitions that moved"#
        ) { (ctx, group: String) in
            try ScalingHistory.gaveUpOnlyWhatMoved(try revocations(ctx, group: group)).enforce()
        }

        code.then(
            "the lag of group {string} stayed under {int} records",
            doc: "Every lag sample of the drill (sum over partitions of log end minus committed offset) is "
                + "below the bound.",
            example: #"Then the lag of group "scalers" stayed under 3000 records"#
        ) { (ctx, group: String, under: Int64) in
            try history(ctx, group: group).lagStayed(under: under, group: group).enforce()
        }
    }

    static func history(_ ctx: StepContext, group: String) throws -> ScalingHistory {
        guard let history = ctx.world[ScalingState.Key.self].drills[group] else {
            throw StepFailure("group \(group) did not scale in this scenario")
        }
        return history
    }

    static func revocations(_ ctx: StepContext, group: String) throws -> [ScalingHistory.Revocation] {
        guard let rows = try history(ctx, group: group).revocationsWhileGrowing() else {
            throw StepFailure("group \(group) never grew")
        }
        func list(_ partitions: Set<Int32>) -> String { partitions.sorted().map(String.init).joined(separator: ",") }
        ctx.attach(
            Evidence.table(
                ["consumer", "held before", "gave up", "kept"],
                rows.map {
                    [$0.member, list($0.held), list($0.gaveUp), list($0.kept)]
                }), mediaType: "text/markdown")
        return rows
    }
}

/// What a scenario's scaling steps remember: each group's drill history.
struct ScalingState: Sendable {
    enum Key: WorldKey { static var defaultValue: ScalingState { ScalingState() } }
    var drills: [String: ScalingHistory] = [:]
}
