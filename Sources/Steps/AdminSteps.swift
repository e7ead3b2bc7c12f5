import Cluster
import Drills
import Foundation
import KafkaClient
import Operations
import Runtime
import Verification

/// Sentences about administering a cluster with `kafka-bdd admin` (KAF-05, KAF-12). Each runs the
/// admin tool's own code (AdminDrills: snapshot → plan or refusal → requests) and checks the effect
/// on the cluster: metadata, watermarks, committed offsets and records read back.
enum AdminSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        registerTopics(&code, env)
        registerRecordsAndGroups(&code, env)
        registerInventory(&code, env)
        registerDayTwo(&code, env)
    }

    static let dryRunDoc =
        " With \"as a dry run\" it only plans: the plan (before → after) is kept for the Then steps and "
        + "nothing is sent to the cluster."

    static func registerTopics(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        for dry in [false, true] {
            let suffix = dry ? " as a dry run" : ""
            code.when(
                "the admin tool creates topic {string} with {int} partition(s) and replication factor {int}" + suffix,
                doc: "Runs `kafka-bdd admin topics create`: checks the request against the cluster's metadata "
                    + "(refusing e.g. a replication factor above the live brokers), then creates the topic (on "
                    + "embedded through the mock's own API, which has no CreateTopics)." + dryRunDoc,
                example: #"When the admin tool creates topic "orders" with 6 partitions and replication factor 3"#
                    + suffix
            ) { (ctx, name: String, partitions: Int, replicationFactor: Int) in
                try await AdminStepSupport.createTopic(
                    ctx, env, name: name, partitions: partitions,
                    replicationFactor: replicationFactor, configs: [:], dryRun: dry)
            }
            code.when(
                "the admin tool creates topic {string} with {int} partition(s), replication factor {int} and {string} "
                    + "set to {string}"
                    + suffix,
                doc: "Like the create step, with one topic config (checked: known key, min.insync.replicas not "
                    + "above the replication factor)." + dryRunDoc,
                example:
                    #"When the admin tool creates topic "orders" with 6 partitions, replication factor 2 and "#
                    + #""min.insync.replicas" set to "3""#
                    + suffix
            ) { (ctx, name: String, partitions: Int, replicationFactor: Int, key: String, value: String) in
                try await AdminStepSupport.createTopic(
                    ctx, env, name: name, partitions: partitions,
                    replicationFactor: replicationFactor,
                    configs: [key: value], dryRun: dry)
            }
            code.when(
                "the admin tool adds partitions to {string} up to {int}" + suffix,
                doc: "Runs `kafka-bdd admin topics add-partitions`: reads the topic's records back to see whether "
                    + "they carry keys, and refuses on keyed data (the key → partition map changes). Adding needs "
                    + "the Admin API (CreatePartitions)." + dryRunDoc,
                example: #"When the admin tool adds partitions to "orders" up to 8"# + suffix
            ) { (ctx, name: String, count: Int) in
                try await AdminStepSupport.run(ctx, env, dryRun: dry) { drills, resolve in
                    try await drills.addPartitions(try resolve(name), to: count, acceptRemap: false, dryRun: dry)
                }
            }
            code.when(
                "the admin tool adds partitions to {string} up to {int}, accepting the key remap" + suffix,
                doc: "Like add-partitions with `--accept-remap`: allowed on keyed data; the plan lists each key read "
                    + "back that moves." + dryRunDoc,
                example: #"When the admin tool adds partitions to "orders" up to 8, accepting the key remap"# + suffix
            ) { (ctx, name: String, count: Int) in
                try await AdminStepSupport.run(ctx, env, dryRun: dry) { drills, resolve in
                    try await drills.addPartitions(try resolve(name), to: count, acceptRemap: true, dryRun: dry)
                }
            }
            code.when(
                "the admin tool sets {string} to {string} on {string}" + suffix,
                doc: "Runs `kafka-bdd admin topics alter-config --set KEY=VALUE` (checked: known key, "
                    + "min.insync.replicas not above the replication factor; the other overrides are kept). "
                    + "Setting needs topic configurations." + dryRunDoc,
                example: #"When the admin tool sets "retention.ms" to "3600000" on "orders""# + suffix
            ) { (ctx, key: String, value: String, name: String) in
                try await AdminStepSupport.run(ctx, env, dryRun: dry) { drills, resolve in
                    try await drills.alterConfig(try resolve(name), set: [key: value], dryRun: dry)
                }
            }
            code.when(
                "the admin tool deletes topic {string}" + suffix,
                doc: "Runs `kafka-bdd admin topics delete --yes` (refused for internal topics). Deleting needs the "
                    + "Admin API." + dryRunDoc,
                example: #"When the admin tool deletes topic "orders""# + suffix
            ) { (ctx, name: String) in
                try await AdminStepSupport.run(ctx, env, dryRun: dry) { drills, resolve in
                    try await drills.deleteTopic(try resolve(name), dryRun: dry)
                }
            }
            code.when(
                "the admin tool sets these configs on {string}" + suffix + ":",
                doc: "Runs `kafka-bdd admin topics alter-config` with one `--set KEY=VALUE` per row of a table "
                    + "whose header row is `| config | value |`, all in one change, checked as the one-key form is "
                    + "(a value left empty is an error: remove the config instead)"
                    + (dry ? "." : "; needs a cluster that models topic configurations.") + dryRunDoc,
                example: #"When the admin tool sets these configs on "orders""# + suffix + ":"
            ) { (ctx, name: String) in
                let settings = try AdminStepSupport.configTable(ctx)
                try await AdminStepSupport.run(ctx, env, dryRun: dry) { drills, resolve in
                    try await drills.alterConfig(try resolve(name), set: settings, dryRun: dry)
                }
            }
            code.when(
                "the admin tool removes the config {string} from {string}" + suffix,
                doc: "Runs `kafka-bdd admin topics alter-config --delete-config KEY`: the topic's override goes and "
                    + "the broker's default applies again; refused for an unknown key or one the topic does not "
                    + "override. Knowing the overrides, even to plan, needs a cluster that models topic "
                    + "configurations (skipped elsewhere)." + dryRunDoc,
                example: #"When the admin tool removes the config "retention.ms" from "orders""# + suffix
            ) { (ctx, key: String, name: String) in
                try await AdminStepSupport.run(ctx, env, dryRun: dry) { drills, resolve in
                    try await drills.alterConfig(try resolve(name), set: [:], remove: [key], dryRun: dry)
                }
            }
        }

        code.then(
            "the admin tool refuses it because {string}",
            doc: "The last admin command was refused by a safety check whose reason contains the text; nothing "
                + "was sent.",
            example: #"Then the admin tool refuses it because "above the 3 live brokers""#
        ) { (ctx, containing: String) in
            try AdminStepSupport.expectRefusal(ctx, containing: containing)
        }

        code.then(
            "the plan changes {string} from {string} to {string}",
            doc: "The last admin command's plan has a change whose subject contains the text, with exactly that "
                + "before and after.",
            example: #"Then the plan changes "topic orders" from "absent" to "6 partitions, replication factor 3""#
        ) { (ctx, subject: String, before: String, after: String) in
            try AdminStepSupport.expectChange(
                ctx, subject: subject, before: before, after: after)
        }

        code.then(
            "the plan changes {string} to {string}",
            doc: "The last admin command's plan has a change whose subject contains the text, to exactly that "
                + "value (whatever it was before: a cluster without DescribeConfigs cannot say).",
            example: #"Then the plan changes "orders retention.ms" to "3600000""#
        ) { (ctx, subject: String, after: String) in
            try AdminStepSupport.expectChange(ctx, subject: subject, before: nil, after: after)
        }

        code.then(
            "the cluster has no topic {string}",
            doc: "The cluster's metadata (all topics, from a broker) does not list the topic.",
            example: #"Then the cluster has no topic "orders""#
        ) { (ctx, topicName: String) in
            let physical = AdminStepSupport.physical(ctx, env, topicName)
            let names = try await ctx.cluster().metadata(topic: nil).topics.map(\.name)
            try AdminStepSupport.naming(AdminClaims.topicAbsent(physical, listed: names), topicName, physical).enforce()
        }

        code.then(
            "topic {string} has {int} partition(s) on the cluster",
            doc: "The cluster's metadata lists the topic with exactly that many partitions.",
            example: #"Then topic "orders" has 6 partitions on the cluster"#
        ) { (ctx, topicName: String, expected: Int) in
            let physical = AdminStepSupport.physical(ctx, env, topicName)
            let reported = try await ctx.cluster().metadata(topic: nil).topic(physical)?.partitions.count
            try AdminClaims.partitionCount(physical, reported: reported, expected: expected).enforce()
        }

        code.then(
            "the plan lists the keys of {string} that move to another partition",
            doc: "The last plan lists moving keys, and each listed key was read back from the cluster in the "
                + "partition the plan says it leaves (records read back again here, independently of the plan).",
            example: #"Then the plan lists the keys of "orders" that move to another partition"#
        ) { (ctx, topic: String) in
            try await AdminStepSupport.checkKeyMoves(ctx, env, topic: topic)
        }

        code.then(
            "the non-default configs of {string} include {string} = {string}",
            doc: "DescribeConfigs on the cluster shows the topic's value for the key, set (not a default); needs a "
                + "cluster that models topic configurations.",
            example: #"Then the non-default configs of "orders" include "retention.ms" = "3600000""#
        ) { (ctx, topicName: String, key: String, value: String) in
            let physical = AdminStepSupport.physical(ctx, env, topicName)
            let (entries, table) = try await AdminDrills(cluster: try ctx.cluster()).nonDefaultConfigs(physical)
            ctx.attach(table, mediaType: "text/markdown")
            try AdminClaims.nonDefaultConfig(physical, key: key, value: value, entries: entries).enforce()
        }

        code.then(
            "the non-default configs of {string} do not include {string}",
            doc: "DescribeConfigs on the cluster shows no override of the key on the topic (it has the broker's "
                + "default); needs a cluster that models topic configurations.",
            example: #"Then the non-default configs of "orders" do not include "retention.ms""#
        ) { (ctx, topicName: String, key: String) in
            let physical = AdminStepSupport.physical(ctx, env, topicName)
            let (entries, table) = try await AdminDrills(cluster: try ctx.cluster()).nonDefaultConfigs(physical)
            ctx.attach(table, mediaType: "text/markdown")
            try AdminClaims.noNonDefaultConfig(physical, key: key, entries: entries).enforce()
        }

        code.when(
            "the admin tool lists the topics",
            doc: "Runs `kafka-bdd admin topics list`: every topic the cluster's metadata lists, with its partition "
                + "count and replication factor; kept for the Then steps and attached. On a shared cluster "
                + "(compose, external) a scenario's topic `orders` is `orders-RUN-N` there, as every topic step "
                + "names it: a topic of the plain name made outside the scenario is another topic.",
            example: "When the admin tool lists the topics"
        ) { ctx in
            let (topics, table) = try await AdminDrills(cluster: try ctx.cluster()).listedTopics()
            ctx.world.update(AdminState.Key.self) { $0.listing = topics }
            ctx.attach(table, mediaType: "text/markdown")
        }

        code.then(
            "the topic listing shows {string} with {int} partition(s)",
            doc: "The last topic listing shows the topic with exactly that many partitions (an empty listing "
                + "shows nothing).",
            example: #"Then the topic listing shows "orders" with 6 partitions"#
        ) { (ctx, topicName: String, partitions: Int) in
            let physical = AdminStepSupport.physical(ctx, env, topicName)
            let verdict = AdminClaims.topicListed(
                physical, partitions: partitions, listed: try AdminStepSupport.listing(ctx))
            try AdminStepSupport.naming(verdict, topicName, physical).enforce()
        }

        code.then(
            "the topic listing does not show {string}",
            doc: "The last topic listing does not show the topic.",
            example: #"Then the topic listing does not show "audit""#
        ) { (ctx, topicName: String) in
            let physical = AdminStepSupport.physical(ctx, env, topicName)
            let verdict = AdminClaims.topicAbsent(physical, listed: try AdminStepSupport.listing(ctx).map(\.name))
            try AdminStepSupport.naming(verdict, topicName, physical).enforce()
        }

        code.when(
            "the admin tool describes topic {string}",
            doc: "Runs `kafka-bdd admin topics describe --topic T`: each partition's leader, replicas and in-sync "
                + "replicas from the cluster's metadata, with the brokers it lists; kept for the Then steps and "
                + "attached.",
            example: #"When the admin tool describes topic "orders""#
        ) { (ctx, topicName: String) in
            let physical = AdminStepSupport.physical(ctx, env, topicName)
            let (partitions, brokers, table) = try await AdminDrills(cluster: try ctx.cluster())
                .describedTopic(physical)
            ctx.world.update(AdminState.Key.self) {
                $0.described = .init(topic: physical, partitions: partitions, brokers: brokers)
            }
            ctx.attach(table, mediaType: "text/markdown")
        }

        code.then(
            "the description shows {int} partition(s), each led by one of its in-sync replicas",
            doc: "The last topic description: the metadata plausible (no broker twice in a replica or in-sync "
                + "set, none the cluster does not list, a leader among the replicas), exactly that many "
                + "partitions, and each led by a broker in its in-sync set; needs a cluster that models "
                + "replication, acks and ISR (the embedded mock lists every broker in every in-sync set, a killed "
                + "one too).",
            example: "Then the description shows 6 partitions, each led by one of its in-sync replicas"
        ) { (ctx, partitions: Int) in
            guard let d = ctx.world[AdminState.Key.self].described else {
                throw StepFailure("no topic was described in this scenario: use `When the admin tool describes topic`")
            }
            try ctx.cluster().require(.replication)
            try AdminClaims.described(d.topic, partitions: partitions, partitions: d.partitions, brokers: d.brokers)
                .enforce()
        }
    }

    static func registerRecordsAndGroups(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.when(
            "I produce {int} unkeyed record(s) to partition {int} of {string}",
            doc: "Sends records without keys to one partition, each send and delivery report in the scenario's "
                + "delivery ledger.",
            example: #"When I produce 100 unkeyed records to partition 0 of "orders""#
        ) { (ctx, count: Int, partition: Int32, topicName: String) in
            let topic = try ctx.topic(topicName)
            try await ctx.ledger.produceUnkeyed(
                count, to: topic, partition: partition,
                config: try ctx.cluster().config(["acks": "all", "linger.ms": "5"]))
        }

        code.when(
            "I produce these record counts to the partitions of {string}:",
            doc: "A `partition | records` table: that many unkeyed records to each partition (uneven sizes), "
                + "recorded in the delivery ledger.",
            example: #"When I produce these record counts to the partitions of "logs":"#
        ) { (ctx, topicName: String) in
            let topic = try ctx.topic(topicName)
            let config = try ctx.cluster().config(["acks": "all", "linger.ms": "5"])
            for row in (ctx.dataTable ?? []) where Int32(row.first ?? "") != nil {
                guard row.count == 2, let p = Int32(row[0]), let n = Int(row[1]) else {
                    throw StepFailure("expected rows `| partition | records |`, got \(row)")
                }
                try await ctx.ledger.produceUnkeyed(n, to: topic, partition: p, config: config)
            }
        }

        for dry in [false, true] {
            let suffix = dry ? " as a dry run" : ""
            code.when(
                "the admin tool deletes the records of {string} partition {int} before offset {int}" + suffix,
                doc: "Runs `kafka-bdd admin records delete --yes` (refused beyond the high watermark). Deleting "
                    + "needs the Admin API (DeleteRecords)." + dryRunDoc,
                example: #"When the admin tool deletes the records of "orders" partition 0 before offset 40"# + suffix
            ) { (ctx, name: String, partition: Int32, before: Int64) in
                try await AdminStepSupport.run(ctx, env, dryRun: dry) { drills, resolve in
                    try await drills.deleteRecords(
                        try resolve(name), partition: partition, before: before, dryRun: dry)
                }
            }
            code.when(
                "the admin tool resets the offsets of group {string} on {string} to {string}" + suffix,
                doc: "Runs `kafka-bdd admin groups reset-offsets` (earliest, latest, an offset or shift:N; refused "
                    + "while the group has members or for an offset outside the log). Committing needs a cluster "
                    + "that can show the group has no members (DescribeGroups)." + dryRunDoc,
                example: #"When the admin tool resets the offsets of group "billing" on "orders" to "earliest""#
                    + suffix
            ) { (ctx, groupName: String, name: String, target: String) in
                let group = AdminStepSupport.group(ctx, groupName)
                guard let to = OffsetTarget(target) else {
                    throw StepFailure("\(target): expected earliest, latest, an offset or shift:N")
                }
                try await AdminStepSupport.run(ctx, env, dryRun: dry) { drills, resolve in
                    try await drills.resetOffsets(group: group, topic: try resolve(name), to: to, dryRun: dry)
                }
            }
        }

        code.then(
            "the low watermark of {string} partition {int} is {int}",
            doc: "Asks the partition's leader for its log start offset.",
            example: #"Then the low watermark of "orders" partition 0 is 40"#
        ) { (ctx, topicName: String, partition: Int32, expected: Int64) in
            let topic = try ctx.topic(topicName)
            let (low, high) = try await ctx.cluster().watermarks(topic: topic, partition: partition)
            try AdminClaims.lowWatermark(topic, partition: partition, low: low, high: high, expected: expected)
                .enforce()
        }

        code.then(
            "partition {int} of {string} reads back exactly offsets {int} to {int}",
            doc: "Reads the partition from its log start to its end and checks the first and last offsets and "
                + "that nothing is missing between them.",
            example: #"Then partition 0 of "orders" reads back exactly offsets 40 to 99"#
        ) { (ctx, partition: Int32, topicName: String, first: Int64, last: Int64) in
            let topic = try ctx.topic(topicName)
            let cluster = try ctx.cluster()
            let (low, _) = try await cluster.watermarks(topic: topic, partition: partition)
            let range = try await Backfill.read(
                config: cluster.config(["group.id": "kafka-bdd-readback"]),
                topic: topic, partition: partition, from: low)
            let offsets = range.records.map(\.offset)
            try AdminClaims.readsBack(topic, partition: partition, offsets: offsets, first: first, last: last).enforce()
        }

        code.when(
            "group {string} commits offset {int} on every partition of {string}",
            doc: "A client of that group commits the offset for each partition (OffsetCommit, without joining).",
            example: #"When group "billing" commits offset 30 on every partition of "orders""#
        ) { (ctx, groupName: String, offset: Int64, name: String) in
            let group = AdminStepSupport.group(ctx, groupName)
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            try await AdminDrills(cluster: try ctx.cluster())
                .commit(group: group, topic: topic, partitions: partitions, offset: offset)
        }

        code.then(
            "group {string} has committed offset {int} on every partition of {string}",
            doc: "Reads the group's committed offsets back from the cluster (OffsetFetch).",
            example: #"Then group "billing" has committed offset 0 on every partition of "orders""#
        ) { (ctx, groupName: String, expected: Int64, name: String) in
            let group = AdminStepSupport.group(ctx, groupName)
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let offsets = try await AdminDrills(cluster: try ctx.cluster())
                .committed(group: group, topic: topic, partitions: partitions)
            try AdminClaims.committedOnEveryPartition(
                group: group, offsets: offsets.map { (partition: $0.partition, offset: $0.offset) }, expected: expected,
                partitions: partitions
            ).enforce()
        }

        code.when(
            "the admin tool describes group {string}",
            doc: "Runs `kafka-bdd admin groups describe --group G`: the group's committed offset on each partition, "
                + "the partition's high watermark read now and the lag between them; kept for the Then steps "
                + "and attached. A cluster that cannot list groups still describes one by name.",
            example: #"When the admin tool describes group "billing""#
        ) { (ctx, groupName: String) in
            let group = AdminStepSupport.group(ctx, groupName)
            let (_, partitions) = try await AdminDrills(cluster: try ctx.cluster()).describeGroup(group)
            ctx.world.update(AdminState.Key.self) { $0.groupDescription = (group, partitions) }
            ctx.attach(
                Evidence.table(
                    ["topic", "partition", "committed", "high watermark", "lag"],
                    partitions.map {
                        [
                            AdminStepSupport.localized(ctx, $0.topic), "\($0.partition)", "\($0.committed)",
                            $0.high.map(String.init) ?? "?", $0.lag.map(String.init) ?? "?",
                        ]
                    }), mediaType: "text/markdown")
        }

        code.then(
            "the group description shows committed offset {int} on every partition of {string}, each lagging by "
                + "the records acknowledged after it",
            doc: "The last group description, judged against the delivery ledger: on every partition of the "
                + "topic, that committed offset, and a lag equal to the records the scenario saw acknowledged "
                + "after it (the last acknowledged offset + 1, minus the committed offset); a negative lag "
                + "(a commit beyond the log end) fails as implausible.",
            example: #"Then the group description shows committed offset 30 on every partition of "orders", "#
                + "each lagging by the records acknowledged after it"
        ) { (ctx, expected: Int64, name: String) in
            guard let (group, described) = ctx.world[AdminState.Key.self].groupDescription else {
                throw StepFailure("no group was described in this scenario: use `When the admin tool describes group`")
            }
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            try AdminClaims.groupDescribed(
                group, topic: topic, partitions: partitions, expected: expected,
                described: described.filter { $0.topic == topic }.map { ($0.partition, $0.committed, $0.lag) },
                acknowledgedEnds: ctx.ledger.history().acknowledgedEnds(on: topic)
            ).enforce()
        }

        code.when(
            "the admin tool lists the consumer groups",
            doc: "Runs `kafka-bdd admin groups list`. Needs a cluster that lists and describes groups (the Admin "
                + "API; the librdkafka mock has neither ListGroups nor DescribeGroups).",
            example: "When the admin tool lists the consumer groups"
        ) { ctx in
            try await AdminStepSupport.listGroups(ctx, env)
        }

        code.then(
            "the admin tool lists group {string} with {int} member(s)",
            doc: "The listed groups include the group, described with that many members.",
            example: #"Then the admin tool lists group "billing" with 0 members"#
        ) { (ctx, groupName: String, members: Int) in
            let group = AdminStepSupport.group(ctx, groupName)
            guard let listed = ctx.world[AdminState.Key.self].groups else {
                throw StepFailure(
                    "no group listing in this scenario: use `When the admin tool lists the consumer groups`")
            }
            let described = listed.map { (name: $0.name, members: $0.members) }
            try AdminClaims.groupListed(group, members: members, listed: described).enforce()
        }
    }

    static func registerInventory(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.when(
            "the admin tool takes an inventory",
            doc: "Runs `kafka-bdd admin inventory`: topics, partitions, replication factor, ISR health, "
                + "non-default configs (where the cluster describes them) and groups with lag.",
            example: "When the admin tool takes an inventory"
        ) { ctx in
            let inventory = try await AdminDrills(cluster: try ctx.cluster()).inventory()
            ctx.world.update(AdminState.Key.self) { $0.inventory = inventory }
            ctx.attach(inventory.json(), mediaType: "application/json", fileName: "inventory.json")
        }

        code.when(
            "the inventory is kept as the expected state",
            doc: "Keeps the last inventory, as a CI job keeps `inventory --format json` to diff against later.",
            example: "When the inventory is kept as the expected state"
        ) { ctx in
            try ctx.world.update(AdminState.Key.self) { s in
                guard let inventory = s.inventory else { throw StepFailure("no inventory taken yet") }
                s.expected = inventory
            }
        }

        code.then(
            "the inventory lists topic {string} with {int} partition(s) and replication factor {int}",
            doc: "The last inventory lists the topic with those numbers (the replication factor counts distinct "
                + "brokers). Where the cluster does not model per-topic replication (embedded), the partition "
                + "count is checked and the replication factor claim skipped.",
            example: #"Then the inventory lists topic "orders" with 6 partitions and replication factor 3"#
        ) { (ctx, topicName: String, partitions: Int, rf: Int) in
            let physical = AdminStepSupport.physical(ctx, env, topicName)
            guard let inventory = ctx.world[AdminState.Key.self].inventory else {
                throw StepFailure("no inventory taken yet")
            }
            let listed = inventory.topics.map {
                (name: $0.name, partitions: $0.partitions, replicationFactor: $0.replicationFactor)
            }
            try AdminClaims.inventoryLists(physical, partitions: partitions, replicationFactor: nil, listed: listed)
                .enforce()
            // The mock lists every broker as a replica of every partition, whatever factor was asked.
            try ctx.cluster().require(.replication)
            try AdminClaims.inventoryLists(physical, partitions: partitions, replicationFactor: rf, listed: listed)
                .enforce()
        }

        code.then(
            "the inventory shows no drift from the expected state",
            doc: "`inventory --diff` of the last inventory against the kept one finds nothing.",
            example: "Then the inventory shows no drift from the expected state"
        ) { ctx in
            let drift = try AdminStepSupport.drift(ctx, env)
            try AdminClaims.noDrift(drift).enforce()
        }

        code.then(
            "the inventory shows the drift {string}",
            doc: "`inventory --diff` of the last inventory against the kept one reports this drift (as the CLI "
                + "prints it, with the scenario's topic names).",
            example: #"Then the inventory shows the drift "topic audit: expected absent, found present""#
        ) { (ctx, expected: String) in
            let drift = try AdminStepSupport.drift(ctx, env)
            ctx.log(drift.isEmpty ? "no drift" : drift.joined(separator: "\n"))
            try AdminClaims.showsDrift(expected, drift: drift).enforce()
        }
    }

    static func registerDayTwo(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.when(
            "the admin tool plans a preferred leader election for {string}",
            doc: "Runs `kafka-bdd admin leaders elect --preferred --topic T --dry-run`: every partition not led "
                + "by its first replica, when that replica is live and in sync.",
            example: #"When the admin tool plans a preferred leader election for "orders""#
        ) { (ctx, name: String) in
            try await AdminStepSupport.run(ctx, env, dryRun: true) { drills, resolve in
                try await drills.preferredElection(topic: try resolve(name), dryRun: true)
            }
        }

        code.then(
            "the plan gives the leadership of {string} back to each partition's preferred replica",
            doc: "Compares the last plan with the cluster's metadata read again: it moves exactly the partitions "
                + "whose leader is not their first replica, each to that replica.",
            example: #"Then the plan gives the leadership of "orders" back to each partition's preferred replica"#
        ) { (ctx, topicName: String) in
            try await AdminStepSupport.checkElectionPlan(ctx, topic: try ctx.topic(topicName), env)
        }

        code.when(
            "the preferred leaders of {string} are elected",
            doc: "Runs `kafka-bdd admin leaders elect --preferred --topic T` where the cluster has preferred "
                + "leader election. On the embedded cluster the harness does the equivalent itself (the mock's "
                + "leader API) and says so: the admin command is not verified there.",
            example: #"When the preferred leaders of "orders" are elected"#
        ) { (ctx, topicName: String) in
            let text = try await AdminDrills(cluster: try ctx.cluster()).electPreferred(topic: try ctx.topic(topicName))
            ctx.log(AdminStepSupport.localized(ctx, text))
        }

        code.then(
            "every partition of {string} is led by its preferred replica",
            doc: "Polls the metadata (within the failover deadline) until each partition's leader is its first "
                + "replica. On the embedded cluster, whose mock lists brokers 1…N as every partition's replicas, "
                + "the preferred leader is the one the harness (as controller) gave the partition at creation, "
                + "round-robin over that list.",
            example: #"Then every partition of "orders" is led by its preferred replica"#
        ) { (ctx, topicName: String) in
            try await AdminDrills(cluster: try ctx.cluster()).awaitPreferredLeaders(topic: try ctx.topic(topicName))
                .enforce()
        }

        code.when(
            "the admin tool plans a reassignment of {string}",
            doc: "Runs `kafka-bdd admin replicas plan --topic T`: a balanced assignment from the metadata and "
                + "the partitions' record counts (high − low watermark), heaviest partitions moved first.",
            example: #"When the admin tool plans a reassignment of "logs""#
        ) { (ctx, topicName: String) in
            try await AdminStepSupport.planReassignment(ctx, topic: try ctx.topic(topicName))
        }

        code.then(
            "the planned reassignment moves partition {int} of {string} first",
            doc: "The plan's first move is that partition (the heaviest that moves).",
            example: #"Then the planned reassignment moves partition 0 of "logs" first"#
        ) { (ctx, partition: Int32, topicName: String) in
            let topic = try ctx.topic(topicName)
            let r = try AdminStepSupport.reassignment(ctx)
            try AdminClaims.movesFirst(topic, partition: partition, subjects: r.plan.changes.map(\.subject)).enforce()
        }

        code.then(
            "the planned reassignment narrows the load gap between brokers by at least {int} percent",
            doc: "Load is each live broker's share of the records (replicas × records); the gap is heaviest − "
                + "lightest, computed again from the plan's assignment and the watermarks read now.",
            example: "Then the planned reassignment narrows the load gap between brokers by at least 50 percent"
        ) { (ctx, percent: Int) in
            try await AdminStepSupport.checkPlannedGap(ctx, percent: percent)
        }

        code.then(
            "the planned reassignment does not verify before it runs",
            doc: "`kafka-bdd admin replicas verify` on the plan, before it ran, reports each moved partition as "
                + "not yet where the plan puts it (the verification can fail).",
            example: "Then the planned reassignment does not verify before it runs"
        ) { ctx in
            guard let r = ctx.world[AdminState.Key.self].reassignment, !r.reassignment.partitions.isEmpty else {
                throw StepFailure("no reassignment that moves anything was planned")
            }
            let problems = try await AdminDrills(cluster: try ctx.cluster()).verifyReassignment(r.reassignment)
            ctx.log(problems.map { AdminStepSupport.localized(ctx, $0) }.joined(separator: "\n"))
            try AdminClaims.notVerifiedBeforeRun(
                moved: r.reassignment.partitions.map { (topic: $0.topic, partition: $0.partition) }, problems: problems
            ).enforce()
        }

        code.when(
            "the planned reassignment is executed",
            doc: "Runs `kafka-bdd admin replicas execute --plan F`: writes the current assignment as a rollback "
                + "file, then moves the replicas. Needs partition reassignment.",
            example: "When the planned reassignment is executed"
        ) { ctx in
            try await AdminStepSupport.executeReassignment(ctx)
        }

        code.then(
            "the reassignment verifies",
            doc: "Runs `kafka-bdd admin replicas verify` until it passes (within the failover deadline): planned "
                + "replicas, all in sync, each partition led by its preferred replica.",
            example: "Then the reassignment verifies"
        ) { ctx in
            try await AdminStepSupport.verifyReassignment(ctx, rollback: false)
        }

        code.then(
            "the load gap between brokers is what the plan predicted",
            doc: "After the reassignment ran: each live broker's load (records of the replicas the metadata now "
                + "places on it) gives the gap the plan predicted, so the data moved as planned.",
            example: "Then the load gap between brokers is what the plan predicted"
        ) { ctx in
            try await AdminStepSupport.checkMeasuredGap(ctx)
        }

        code.when(
            "the reassignment is rolled back",
            doc: "Runs `kafka-bdd admin replicas rollback --file F` with the rollback file the execution wrote.",
            example: "When the reassignment is rolled back"
        ) { ctx in
            try await AdminStepSupport.rollBack(ctx)
        }

        code.then(
            "the assignment of {string} is as before the reassignment",
            doc: "The metadata shows every partition with the replicas it had before the plan ran.",
            example: #"Then the assignment of "logs" is as before the reassignment"#
        ) { (ctx, topicName: String) in
            _ = try ctx.topic(topicName)
            try await AdminStepSupport.verifyReassignment(ctx, rollback: true)
        }
    }
}

/// What a scenario's admin steps remember.
struct AdminState: Sendable {
    enum Key: WorldKey { static var defaultValue: AdminState { AdminState() } }

    enum Outcome: Sendable {
        case plan(Plan, dryRun: Bool)
        case refused(Refusal)
        /// Accepted by the checks; the cluster has no API to send it.
        case unsent(Unsupported)
    }

    var outcome: Outcome?
    /// Topic names the scenario used before creating them (a dry run), as written → physical.
    var names: [String: String] = [:]
    /// Group names as written → physical (scoped on a shared cluster).
    var groupNames: [String: String] = [:]
    var inventory: Inventory?
    var expected: Inventory?
    /// The physical topics the last reassignment plan was made for.
    var reassignedTopics: [String] = []
    var groups: [Snapshot.Group]?
    var reassignment: ReplicaPlanner.Result?
    var snapshotBeforePlan: Snapshot?
    var rollback: Reassignment?
    /// The last `topics list`: each topic with its partition count.
    var listing: [(name: String, partitions: Int)]?
    /// The last `topics describe`.
    var described: Described?
    /// The last `groups describe`: one row per partition the group committed on.
    var groupDescription: (group: String, partitions: [AdminDrills.GroupPartition])?

    struct Described: Sendable {
        var topic: String
        var partitions: [Plausibility.Partition]
        var brokers: [Int32]
    }
}
