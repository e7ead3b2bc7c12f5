import ArgumentParser
import Cluster
import Drills
import Foundation
import KafkaClient
import Operations

/// `kafka-bdd admin`: Kafka administration with a plan before every change. Every mutating command
/// takes --dry-run (prints the change, before → after, and sends nothing); safety checks refuse with
/// exit 2 and the reason. Exit status: 0 done, 1 drift or a failed verification or request, 2 refused,
/// bad input, an unknown topic or group, or an unreachable cluster (within 10 s).
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Administer a Kafka cluster: topics, configs, groups, records, leaders, replicas, inventory.",
        discussion: """
            Every command that changes the cluster takes --dry-run: it prints the plan (each change as \
            before → after) and changes nothing. Safety checks refuse with exit 2 and the reason: adding \
            partitions to a topic with keyed records (without --accept-remap), decreasing partitions, a \
            replication factor above the live brokers, min.insync.replicas above the replication factor, \
            deleting records beyond the high watermark, deleting an internal topic, unknown config keys. \
            The cluster is --bootstrap or KAFKA_BDD_BOOTSTRAP, with KAFKA_BDD_CLIENT_PROPERTIES for security \
            settings. Exit: 0 done, 1 drift, a failed verification or a failed request, 2 refused or bad input.
            """,
        subcommands: [
            Topics.self, Configs.self, Groups.self, Records.self, Leaders.self, Replicas.self,
            InventoryCommand.self,
        ]
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json }

    /// Options every admin command shares.
    struct Connection: ParsableArguments {
        @Option(help: "Bootstrap servers (default: KAFKA_BDD_BOOTSTRAP).")
        var bootstrap: String?

        @Option(help: "Output: table (for people) or json (for CI).")
        var format: OutputFormat = .table

        @OptionGroup var client: ClientProperties

        func validate() throws {
            if (bootstrap ?? ProcessInfo.processInfo.environment["KAFKA_BDD_BOOTSTRAP"] ?? "").isEmpty {
                throw ValidationError("no cluster: pass --bootstrap HOST:PORT or set KAFKA_BDD_BOOTSTRAP")
            }
        }

        /// Connects (within 10 s) and runs `body`; refusals, unsupported requests and unreachable clusters
        /// end the command with exit 2 and their message, failed requests with exit 1.
        func run(_ body: (AdminDrills, Self) async throws -> Void) async throws {
            var env = ProcessInfo.processInfo.environment
            if let bootstrap { env["KAFKA_BDD_BOOTSTRAP"] = bootstrap }
            let cluster: ExternalCluster
            do {
                let base = try ExternalCluster.fromEnvironment(env)
                cluster = try ExternalCluster(
                    bootstrapServers: base.bootstrapServers,
                    clientConfig: base.clientConfig.merging(KafkaConfig(client.values)),
                    topicRequests: base.topicRequests)
                await base.shutdown()
                try await cluster.checkReachable(timeout: .seconds(8))  // the whole answer within 10 s
            } catch {
                StandardOutput.error("kafka-bdd admin: \(error)")
                throw ExitCode(2)
            }
            defer { Task { await cluster.shutdown() } }
            do {
                try await body(AdminDrills(cluster: cluster), self)
            } catch let refusal as Refusal {
                StandardOutput.error("kafka-bdd admin: \(refusal)")
                throw ExitCode(2)
            } catch let unsupported as Unsupported {
                StandardOutput.error("kafka-bdd admin: not possible on this cluster: \(unsupported)")
                throw ExitCode(2)
            } catch let cannot as CannotRunHere {
                StandardOutput.error("kafka-bdd admin: not possible on this cluster: \(cannot)")
                throw ExitCode(2)
            } catch let exit as ExitCode {
                throw exit
            } catch {
                StandardOutput.error("kafka-bdd admin: \(error)")
                throw ExitCode(1)
            }
        }

        func show(_ plan: Plan, dryRun: Bool, executed: Bool) {
            switch format {
            case .json:
                struct Output: Encodable {
                    let plan: Plan
                    let dryRun: Bool
                    let executed: Bool
                }
                print(json(Output(plan: plan, dryRun: dryRun, executed: executed)))
            case .table:
                print(plan.text)
                print(dryRun ? "dry run: nothing changed" : executed ? "done" : "nothing changed")
            }
        }

        func json<T: Encodable>(_ value: T) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
        }

        func table(_ header: [String], _ rows: [[String]]) {
            let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
            for row in [header] + rows {
                print(
                    row.enumerated().map {
                        $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0)
                    }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
        }
    }

    static func keyValues(_ pairs: [String], flag: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for (n, p) in pairs.enumerated() {
            guard let i = p.firstIndex(of: "="), i != p.startIndex else {
                // Never the text: a value may be a secret.
                throw ValidationError("\(flag) number \(n + 1): expected KEY=VALUE")
            }
            out[String(p[..<i])] = String(p[p.index(after: i)...])
        }
        return out
    }

    static func readFile(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            StandardOutput.error("kafka-bdd admin: cannot read \(path)")
            throw ExitCode(2)
        }
        return text
    }

    /// A plan or rollback file; a malformed one is bad input (exit 2).
    static func readPlan(_ path: String) throws -> Reassignment {
        do { return try Reassignment.parse(try readFile(path), source: path) } catch let r as Refusal {
            StandardOutput.error("kafka-bdd admin: \(r)")
            throw ExitCode(2)
        }
    }

    static func unknownTopic(_ name: String, in snapshot: Snapshot) throws -> Snapshot.Topic {
        guard let t = snapshot.topic(name) else { throw Refusal("no topic \(name) on this cluster") }
        return t
    }
}

// MARK: topics

extension AdminCommand {
    struct Topics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, describe, create, alter, grow and delete topics.",
            subcommands: [List.self, Describe.self, Create.self, AlterConfig.self, AddPartitions.self, Delete.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List the topics: partitions, replication factor, ISR health.")
            @OptionGroup var connection: Connection

            func run() async throws {
                try await connection.run { drills, c in
                    let s = try await drills.snapshot(.init(watermarks: false, configs: false, groups: false))
                    let rows = s.topics.map { t in
                        [
                            t.name, "\(t.partitions.count)", "\(t.replicationFactor)", "\(t.underReplicated)",
                            "\(t.offline)",
                        ]
                    }
                    switch c.format {
                    case .json: print(c.json(Inventory(s).topics))
                    case .table: c.table(["TOPIC", "PARTITIONS", "RF", "UNDER-REPLICATED", "OFFLINE"], rows)
                    }
                }
            }
        }

        struct Describe: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "One topic's partitions: leader, replicas, ISR, watermarks.")
            @OptionGroup var connection: Connection
            @Option(help: "The topic.") var topic: String

            func run() async throws {
                try await connection.run { drills, c in
                    let s = try await drills.snapshot(.init(topics: [topic], groups: false))
                    let t = try AdminCommand.unknownTopic(topic, in: s)
                    switch c.format {
                    case .json: print(c.json(t))
                    case .table:
                        c.table(
                            ["PARTITION", "LEADER", "REPLICAS", "ISR", "LOW", "HIGH"],
                            t.partitions.map { p in
                                [
                                    "\(p.id)", "\(p.leader)", p.replicas.map(String.init).joined(separator: ","),
                                    p.isr.map(String.init).joined(separator: ","), p.low.map(String.init) ?? "?",
                                    p.high.map(String.init) ?? "?",
                                ]
                            })
                        if let configs = t.configs {
                            for (k, v) in configs.sorted(by: { $0.key < $1.key }) { print("config \(k)=\(v)") }
                        }
                    }
                }
            }
        }

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create a topic (checked first; --dry-run prints the plan only).")
            @OptionGroup var connection: Connection
            @Option(help: "The topic.") var topic: String
            @Option(help: "Partitions.") var partitions: Int
            @Option(name: .customLong("replication-factor"), help: "Replication factor.") var replicationFactor: Int
            @Option(name: .customLong("config"), help: "A topic config KEY=VALUE (repeatable).") var configs: [String] =
                []
            @Flag(help: "Print the plan and change nothing.") var dryRun = false

            func validate() throws { _ = try AdminCommand.keyValues(configs, flag: "--config") }

            func run() async throws {
                try await connection.run { drills, c in
                    let plan = try await drills.createTopic(
                        topic, partitions: partitions, replicationFactor: replicationFactor,
                        configs: try AdminCommand.keyValues(configs, flag: "--config"), dryRun: dryRun)
                    c.show(plan, dryRun: dryRun, executed: !dryRun)
                }
            }
        }

        struct AlterConfig: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "alter-config",
                abstract:
                    "Set or remove topic configs (the other overrides are kept; --dry-run prints before → after "
                    + "only).")
            @OptionGroup var connection: Connection
            @Option(help: "The topic.") var topic: String
            @Option(name: .customLong("set"), help: "KEY=VALUE to set (repeatable).") var settings: [String] = []
            @Option(
                name: .customLong("delete-config"),
                help: "KEY whose override to remove: the broker's default applies again (repeatable).")
            var removals: [String] = []
            @Flag(help: "Print the plan and change nothing.") var dryRun = false

            func validate() throws {
                guard !settings.isEmpty || !removals.isEmpty else {
                    throw ValidationError("nothing to set: pass --set KEY=VALUE (or --delete-config KEY)")
                }
                _ = try AdminCommand.keyValues(settings, flag: "--set")
            }

            func run() async throws {
                try await connection.run { drills, c in
                    let plan = try await drills.alterConfig(
                        topic, set: try AdminCommand.keyValues(settings, flag: "--set"), remove: removals,
                        dryRun: dryRun)
                    c.show(plan, dryRun: dryRun, executed: !dryRun)
                }
            }
        }

        struct AddPartitions: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add-partitions",
                abstract:
                    "Raise a topic's partition count; refused on keyed data unless --accept-remap "
                    + "(the keys that move are listed)."
            )
            @OptionGroup var connection: Connection
            @Option(help: "The topic.") var topic: String
            @Option(help: "The new total number of partitions.") var partitions: Int
            @Flag(name: .customLong("accept-remap"), help: "Accept that keys move to other partitions.")
            var acceptRemap = false
            @Flag(help: "Print the plan and change nothing.") var dryRun = false

            func run() async throws {
                try await connection.run { drills, c in
                    let plan = try await drills.addPartitions(
                        topic, to: partitions, acceptRemap: acceptRemap, dryRun: dryRun)
                    c.show(plan, dryRun: dryRun, executed: !dryRun)
                }
            }
        }

        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Delete a topic (guarded: shows what goes and needs --yes; internal topics are refused).")
            @OptionGroup var connection: Connection
            @Option(help: "The topic.") var topic: String
            @Flag(help: "Really delete.") var yes = false
            @Flag(help: "Print the plan and change nothing.") var dryRun = false

            func run() async throws {
                try await connection.run { drills, c in
                    let plan = try await drills.deleteTopic(topic, dryRun: dryRun || !yes)
                    c.show(plan, dryRun: dryRun || !yes, executed: !dryRun && yes)
                    if !dryRun && !yes { throw Refusal("deleting \(topic) needs --yes (the plan above is what goes)") }
                }
            }
        }
    }
}

// MARK: configs

extension AdminCommand {
    struct Configs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe topic or broker configs.",
            subcommands: [Describe.self])

        struct Describe: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "A topic's or a broker's configs (--changed: non-defaults only).")
            @OptionGroup var connection: Connection
            @Option(help: "A topic.") var topic: String?
            @Option(help: "A broker id.") var broker: Int32?
            @Flag(help: "Only the values that differ from the defaults.") var changed = false

            func validate() throws {
                guard (topic == nil) != (broker == nil) else {
                    throw ValidationError("pass either --topic or --broker")
                }
            }

            func run() async throws {
                try await connection.run { drills, c in
                    try drills.cluster.require(.topicConfigs)
                    if let topic {
                        let s = try await drills.snapshot(
                            .init(topics: [topic], watermarks: false, configs: false, groups: false))
                        _ = try AdminCommand.unknownTopic(topic, in: s)
                    }
                    let admin = try Admin(config: drills.cluster.config())
                    defer { admin.close() }
                    let entries = try await admin.configEntries(
                        topic == nil ? .broker : .topic, topic ?? String(broker!)
                    )
                    .filter { !changed || !$0.isDefault }
                    struct Entry: Encodable {
                        let name: String
                        let value: String?
                        let isDefault: Bool
                        let isSensitive: Bool
                    }
                    switch c.format {
                    case .json:
                        print(
                            c.json(
                                entries.map {
                                    Entry(
                                        name: $0.name, value: $0.value, isDefault: $0.isDefault,
                                        isSensitive: $0.isSensitive)
                                }))
                    case .table:
                        c.table(
                            ["NAME", "VALUE", "DEFAULT"],
                            entries.map {
                                [
                                    $0.name, $0.isSensitive ? "(sensitive)" : $0.value ?? "",
                                    $0.isDefault ? "yes" : "no",
                                ]
                            })
                    }
                }
            }
        }
    }
}

// MARK: groups and records

extension AdminCommand {
    struct Groups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List and describe consumer groups; reset their offsets.",
            subcommands: [List.self, Describe.self, ResetOffsets.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "The consumer groups with state, members and lag.")
            @OptionGroup var connection: Connection

            func run() async throws {
                try await connection.run { drills, c in
                    let s = try await drills.snapshot(.init(configs: false))
                    if !s.groupsListed { try drills.cluster.require(.admin) }
                    switch c.format {
                    case .json: print(c.json(Inventory(s).groups ?? []))
                    case .table:
                        c.table(
                            ["GROUP", "STATE", "MEMBERS", "LAG"],
                            s.groups.map { g in
                                let lag = (g.committed ?? [:]).keys.sorted().compactMap { t in
                                    s.lag(of: g, on: t).map { "\(t)=\($0)" }
                                }
                                return [
                                    g.name, g.state, g.members.map(String.init) ?? "?", lag.joined(separator: " "),
                                ]
                            })
                    }
                }
            }
        }

        struct Describe: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "One group: state, members, committed offsets and lag per partition.")
            @OptionGroup var connection: Connection
            @Option(help: "The group.") var group: String

            func run() async throws {
                try await connection.run { drills, c in
                    let (g, partitions) = try await drills.describeGroup(group)
                    // The lag as the cluster's numbers give it: a negative one is the cluster's to explain.
                    let rows = partitions.map {
                        [
                            $0.topic, "\($0.partition)", "\($0.committed)", $0.high.map(String.init) ?? "?",
                            $0.lag.map(String.init) ?? "?",
                        ]
                    }
                    switch c.format {
                    case .json: print(c.json(g))
                    case .table:
                        print(
                            "group \(g.name): \(g.state), "
                                + (g.members.map { "\($0) member\($0 == 1 ? "" : "s")" } ?? "members unknown"))
                        c.table(["TOPIC", "PARTITION", "COMMITTED", "HIGH", "LAG"], rows)
                    }
                }
            }
        }

        struct ResetOffsets: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "reset-offsets",
                abstract:
                    "Move a group's committed offsets on a topic (a dry run unless --execute; "
                    + "refused while it has members)."
            )
            @OptionGroup var connection: Connection
            @Option(help: "The group.") var group: String
            @Option(help: "The topic.") var topic: String
            @Option(help: "earliest, latest, an offset, or shift:N.") var to: String
            @Flag(help: "Commit the new offsets (without it, a dry run).") var execute = false
            @Flag(help: "Print the plan and change nothing (the default).") var dryRun = false

            func validate() throws {
                guard OffsetTarget(to) != nil else {
                    throw ValidationError("--to \(to): expected earliest, latest, an offset or shift:N")
                }
                if execute && dryRun { throw ValidationError("--execute and --dry-run contradict each other") }
            }

            func run() async throws {
                try await connection.run { drills, c in
                    let plan = try await drills.resetOffsets(
                        group: group, topic: topic, to: OffsetTarget(to)!, dryRun: !execute)
                    c.show(plan, dryRun: !execute, executed: execute)
                }
            }
        }
    }

    struct Records: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete records before an offset.", subcommands: [Delete.self])

        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Delete a partition's records before an offset (guarded: shows what goes, needs --yes; "
                    + "beyond the high watermark is refused)."
            )
            @OptionGroup var connection: Connection
            @Option(help: "The topic.") var topic: String
            @Option(help: "The partition.") var partition: Int32
            @Option(help: "Records before this offset go.") var before: Int64
            @Flag(help: "Really delete.") var yes = false
            @Flag(help: "Print the plan and change nothing.") var dryRun = false

            func run() async throws {
                try await connection.run { drills, c in
                    let preview = dryRun || !yes
                    let plan = try await drills.deleteRecords(
                        topic, partition: partition, before: before, dryRun: preview)
                    c.show(plan, dryRun: preview, executed: !preview)
                    if !dryRun && !yes { throw Refusal("deleting records needs --yes (the plan above is what goes)") }
                }
            }
        }
    }
}

// MARK: leaders, replicas, inventory

extension AdminCommand {
    struct Leaders: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Leader elections.", subcommands: [Elect.self])

        struct Elect: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Give partitions back to their preferred (first) replica.")
            @OptionGroup var connection: Connection
            @Flag(help: "A preferred leader election (the only kind offered).") var preferred = false
            @Option(help: "Only this topic.") var topic: String?
            @Flag(help: "Print the plan and change nothing.") var dryRun = false

            func validate() throws { guard preferred else { throw ValidationError("pass --preferred") } }

            func run() async throws {
                try await connection.run { drills, c in
                    let plan = try await drills.preferredElection(topic: topic, dryRun: dryRun)
                    c.show(plan, dryRun: dryRun, executed: !dryRun && !plan.changes.isEmpty)
                }
            }
        }
    }

    struct Replicas: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Plan, run, verify and roll back partition reassignments "
                + "(files in kafka-reassign-partitions.sh's format).",
            subcommands: [PlanCommand.self, Execute.self, Verify.self, Rollback.self])

        struct PlanCommand: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "plan",
                abstract:
                    "A balanced assignment from the metadata and partition sizes, heaviest partitions moved first "
                    + "(racks kept where the metadata has them).",
                discussion:
                    "Sizes are record counts (high − low watermark): librdkafka 2.0.2 cannot ask for log-dir sizes.")
            @OptionGroup var connection: Connection
            @Option(
                name: .customLong("topic"), help: "Only these topics (repeatable; default: all but internal ones).")
            var topics: [String] = []
            @Option(help: "Write the reassignment JSON here.") var output: String?

            func run() async throws {
                try await connection.run { drills, c in
                    let r = try await drills.planReassignment(topics: topics.isEmpty ? nil : topics)
                    if let output {
                        try r.reassignment.json().write(toFile: output, atomically: true, encoding: .utf8)
                    }
                    switch c.format {
                    case .json:
                        struct Output: Encodable {
                            let plan: Plan
                            let reassignment: Reassignment
                            let gapBefore: Int64
                            let gapAfter: Int64
                        }
                        print(
                            c.json(
                                Output(
                                    plan: r.plan, reassignment: r.reassignment, gapBefore: r.before.gap,
                                    gapAfter: r.after.gap)))
                    case .table:
                        print(r.plan.text)
                        if let output { print("written: \(output)") }
                    }
                }
            }
        }

        struct Execute: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Run a plan, after writing the current assignment of its partitions as a rollback file.")
            @OptionGroup var connection: Connection
            @Option(help: "The plan file.") var plan: String
            @Option(
                name: .customLong("rollback-file"), help: "Where the rollback file goes (default: PLAN.rollback.json)."
            )
            var rollbackFile: String?
            @Flag(help: "Print the plan and change nothing.") var dryRun = false

            func run() async throws {
                let parsed = try AdminCommand.readPlan(plan)
                try await connection.run { drills, c in
                    let checked = try await drills.executeReassignment(
                        parsed, rollbackFile: rollbackFile ?? plan + ".rollback.json",
                        dryRun: dryRun)
                    c.show(checked, dryRun: dryRun, executed: !dryRun)
                }
            }
        }

        struct Verify: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Check a plan ran: planned replicas, all in sync, led by the preferred replica (exit 1 otherwise)."
            )
            @OptionGroup var connection: Connection
            @Option(help: "The plan file.") var plan: String

            func run() async throws {
                let parsed = try AdminCommand.readPlan(plan)
                try await connection.run { drills, c in
                    let problems = try await drills.verifyReassignment(parsed)
                    switch c.format {
                    case .json:
                        struct Output: Encodable {
                            let verified: Bool
                            let problems: [String]
                        }
                        print(c.json(Output(verified: problems.isEmpty, problems: problems)))
                    case .table:
                        print(
                            problems.isEmpty
                                ? "verified: \(counted(parsed.partitions.count, "partition")) as planned"
                                : problems.map { "not verified: \($0)" }.joined(separator: "\n"))
                    }
                    if !problems.isEmpty { throw ExitCode(1) }
                }
            }
        }

        struct Rollback: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Restore the assignment a rollback file holds.")
            @OptionGroup var connection: Connection
            @Option(help: "The rollback file `replicas execute` wrote.") var file: String
            @Flag(help: "Print the plan and change nothing.") var dryRun = false

            func run() async throws {
                let parsed = try AdminCommand.readPlan(file)
                try await connection.run { drills, c in
                    let checked = try await drills.executeReassignment(parsed, rollbackFile: nil, dryRun: dryRun)
                    c.show(checked, dryRun: dryRun, executed: !dryRun)
                }
            }
        }
    }

    struct InventoryCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inventory",
            abstract:
                "A read-only snapshot: topics, partitions, RF, ISR health, non-default configs, groups with lag.",
            discussion:
                "With --diff EXPECTED (an earlier `inventory --format json`), lists the drift and exits 1 "
                + "when there is any."
        )
        @OptionGroup var connection: Connection
        @Option(help: "An expected inventory (JSON) to compare with.") var diff: String?

        func run() async throws {
            var expected: Inventory?
            if let diff {
                do { expected = try Inventory.parse(try AdminCommand.readFile(diff), source: diff) } catch let r
                    as Refusal
                {
                    StandardOutput.error("kafka-bdd admin: \(r)")
                    throw ExitCode(2)
                }
            }
            try await connection.run { drills, c in
                let inventory = try await drills.inventory()
                if let expected {
                    let drift = Inventory.diff(expected: expected, actual: inventory)
                    switch c.format {
                    case .json:
                        struct Output: Encodable { let drift: [Inventory.Drift] }
                        print(c.json(Output(drift: drift)))
                    case .table:
                        print(
                            drift.isEmpty
                                ? "no drift from \(diff!)" : drift.map { "drift: \($0)" }.joined(separator: "\n"))
                    }
                    if !drift.isEmpty { throw ExitCode(1) }
                    return
                }
                switch c.format {
                case .json: print(inventory.json())
                case .table:
                    c.table(
                        ["TOPIC", "PARTITIONS", "RF", "UNDER-REPLICATED", "CONFIGS"],
                        inventory.topics.map { t in
                            [
                                t.name, "\(t.partitions)", "\(t.replicationFactor)",
                                t.underReplicated.map(String.init) ?? "?",
                                t.configs.map {
                                    $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                                        separator: " ")
                                } ?? "(unknown)",
                            ]
                        })
                    for g in inventory.groups ?? [] {
                        print(
                            "group \(g.name) \(g.state ?? "?") lag "
                                + (g.lag ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                                .joined(separator: " ")
                        )
                    }
                }
            }
        }
    }
}
