import Cluster
import Foundation
import KafkaClient
import Operations
import Verification

/// What the KAF-05/KAF-12 Then steps read from the cluster to judge an admin command: each read here,
/// at the time of the claim, never taken from the admin tool's own plan.
extension AdminDrills {
    /// Every key read back from the topic, with the partitions it was found in.
    public func keysReadBack(topic: String) async throws -> [String: Set<Int32>] {
        var found: [String: Set<Int32>] = [:]
        for p in try await cluster.metadata(topic: topic).topic(topic)?.partitions ?? [] {
            let (low, high) = try await cluster.watermarks(topic: topic, partition: p.id)
            guard high > low else { continue }
            let range = try await Backfill.read(
                config: cluster.config(["group.id": "kafka-bdd-readback"]),
                topic: topic, partition: p.id, from: low)
            for r in range.records { if let k = r.keyString { found[k, default: []].insert(p.id) } }
        }
        return found
    }

    /// A partition's preferred leader: its first replica; on a cluster without a replica assignment of its
    /// own (the mock lists brokers 1…N for every partition, so its first replica is always broker 1) the
    /// leader the harness, as controller, gave it at creation: round-robin over that list.
    public static func preferredLeader(_ p: PartitionMetadata, on cluster: any Cluster) -> Int32 {
        cluster.capabilities.contains(.replication) ? p.replicas[0] : p.replicas[Int(p.id) % p.replicas.count]
    }

    /// Gives every partition of `topic` back to its preferred leader: by the admin tool's election where the
    /// cluster has one, else (the harness as controller) by moving the leaders itself. The text says which.
    public func electPreferred(topic: String) async throws -> String {
        if cluster.capabilities.contains(.leaderElection) {
            // A restarted broker leads nothing until it is back in sync: wait for that first.
            let deadline = ContinuousClock.now + cluster.failoverDeadline * 2
            while ContinuousClock.now < deadline {
                let partitions = try await cluster.metadata(topic: topic).topic(topic)?.partitions ?? []
                if partitions.allSatisfy({ $0.replicas.first.map($0.isr.contains) ?? true }) { break }
                try await Task.sleep(for: .milliseconds(500))  // polling interval of the deadline loop
            }
            return try await preferredElection(topic: topic, dryRun: false).text
        }
        try cluster.require(.leaderMoves)
        let partitions = try await cluster.metadata(topic: topic).topic(topic)?.partitions ?? []
        // Without a replica assignment of its own (the mock lists every broker, in one order, for every
        // partition) the preferred leader is the one the harness, as controller, chose at creation.
        let models = cluster.capabilities.contains(.replication)
        var moved: [String] = []
        for p in partitions where !p.replicas.isEmpty {
            let preferred = Self.preferredLeader(p, on: cluster)
            guard p.leader != preferred else { continue }
            try await cluster.moveLeader(topic: topic, partition: p.id, to: preferred)
            moved.append("[\(p.id)] \(p.leader) → \(preferred)")
        }
        return "the harness moved the leaders itself (\(moved.joined(separator: ", "))): the \(cluster.backend) "
            + "cluster has no \(ClusterCapability.leaderElection.rawValue), "
            + "so `kafka-bdd admin leaders elect` is not verified here"
            + (models
                ? ""
                : "; it has no replica assignment either, so the leaders went back to where the "
                    + "harness placed them when it created \(topic) (round-robin over the brokers)")
    }

    /// The verdict that every partition of `topic` is led by its preferred leader, read until it holds or
    /// the cluster's failover deadline passes.
    public func awaitPreferredLeaders(topic: String) async throws -> Verdict {
        let deadline = ContinuousClock.now + cluster.failoverDeadline
        var verdict = Verdict()
        repeat {
            let partitions = try await cluster.metadata(topic: topic).topic(topic)?.partitions ?? []
            let off = partitions.filter { !$0.replicas.isEmpty && Self.preferredLeader($0, on: cluster) != $0.leader }
            verdict = AdminClaims.ledByPreferred(
                topic, reported: partitions.count,
                off: off.map { AdminClaims.OffPreferred(partition: $0.id, leader: $0.leader, replicas: $0.replicas) })
            if verdict.holds || partitions.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))  // polling interval of the deadline loop
        } while ContinuousClock.now < deadline
        return verdict
    }

    /// Records per live broker, summed over the replicas it holds of `topics`, from the metadata and the
    /// watermarks read now; `planned` replaces a partition's replicas (`"topic/partition"` → brokers).
    public func replicaLoad(
        topics: Set<String>, planned: [String: [Int32]] = [:]
    ) async throws -> (now: [Int32: Int64], planned: [Int32: Int64]) {
        var now = Dictionary(uniqueKeysWithValues: try await cluster.liveBrokers().map { ($0, Int64(0)) })
        var after = now
        for name in topics {
            for p in try await cluster.metadata(topic: name).topic(name)?.partitions ?? [] {
                let (low, high) = try await cluster.watermarks(topic: name, partition: p.id)
                for b in p.replicas where now[b] != nil { now[b]! += high - low }
                for b in planned["\(name)/\(p.id)"] ?? p.replicas where after[b] != nil { after[b]! += high - low }
            }
        }
        return (now, after)
    }

    /// Runs a reassignment as `kafka-bdd admin reassign execute` does, with its rollback file read back.
    public func executeReassignment(_ plan: Reassignment) async throws -> (plan: Plan, rollback: Reassignment) {
        try cluster.require(.reassignment)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kafka-bdd-rollback-\(UUID().uuidString).json"
        ).path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let done = try await executeReassignment(plan, rollbackFile: file, dryRun: false)
        return (done, try Reassignment.parse(try String(contentsOfFile: file, encoding: .utf8), source: file))
    }

    /// What still differs from `plan`, read until nothing does or twice the failover deadline passes.
    public func awaitReassignment(_ plan: Reassignment) async throws -> [String] {
        let deadline = ContinuousClock.now + cluster.failoverDeadline * 2
        var problems: [String] = []
        repeat {
            problems = try await verifyReassignment(plan)
            if problems.isEmpty { return [] }
            try await Task.sleep(for: .milliseconds(500))  // polling interval of the deadline loop
        } while ContinuousClock.now < deadline
        return problems
    }

    /// Commits `offset` for every partition of `topic` on behalf of `group`.
    public func commit(group: String, topic: String, partitions: Int32, offset: Int64) async throws {
        let c = try groupClient(group)
        defer { Task { await c.close() } }
        try await c.commit((0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0, offset: offset) })
    }

    /// The offsets `group` has committed on each partition of `topic`, in partition order.
    public func committed(group: String, topic: String, partitions: Int32) async throws -> [TopicPartitionOffset] {
        let c = try groupClient(group)
        defer { Task { await c.close() } }
        return try await c.committed((0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0) })
            .sorted { $0.partition < $1.partition }
    }
}

extension AdminDrills {
    /// Each key a partition increase's plan moves, judged: every key the ledger saw acknowledged on the topic
    /// is accounted for (the plan lists exactly those that move, from the partition they were acknowledged in
    /// to where the partitioner sends them), and each listed key is read back, now, from the partition the
    /// plan says it leaves. The keys read back are evidence about the cluster, not the oracle.
    public func keyMoves(_ plan: Plan, topic: String, history: DeliveryHistory)
        async throws -> (verdict: Verdict, table: String, summary: String)
    {
        let found = try await keysReadBack(topic: topic)
        var acknowledged: [String: Int32] = [:]
        for send in history.sends where send.topic == topic {
            if case .acked(let partition, _) = send.acknowledgement, let key = send.key {
                acknowledged[key] = partition
            }
        }
        let counts = plan.changes.first { $0.subject.hasSuffix(" partitions") }.flatMap { c in
            Int(c.before).flatMap { from in Int(c.after).map { (from, $0) } }
        }
        guard let (from, to) = counts else {
            throw DrillFailure("the plan adds no partitions to \(topic):\n\(plan.text)")
        }
        let remap = KeyRemap(placement: acknowledged, from: from, to: to)
        if !acknowledged.isEmpty, remap.partitioner == nil {
            throw DrillFailure("no known partitioner placed the acknowledged keys where they were acknowledged")
        }
        var listed: [String: KeyMoves.Move] = [:]
        for m in plan.changes where m.subject.hasPrefix("key ") {
            func partition(_ s: String) -> Int32 { Int32(s.dropFirst("partition ".count)) ?? -1 }
            listed[String(m.subject.dropFirst(4))] = KeyMoves.Move(from: partition(m.before), to: partition(m.after))
        }
        let expected = Dictionary(
            uniqueKeysWithValues: remap.moved.map {
                ($0.key, KeyMoves.Move(from: $0.from, to: $0.to))
            })
        let table = Evidence.table(
            ["key", "now", "after adding partitions"],
            listed.sorted { $0.key < $1.key }.map {
                [$0.key, "partition \($0.value.from)", "partition \($0.value.to)"]
            })
        let summary =
            "\(listed.count) keys listed; of \(acknowledged.count) keys acknowledged, \(expected.count) "
            + "move; \(found.count) keys read back"
        let verdict = KeyMoves.verdict(
            listed: listed, expected: expected, acknowledgedKeys: acknowledged.count,
            readBack: found)
        return (verdict, table, summary)
    }
}

extension AdminDrills {
    /// An election plan judged against the metadata read now: it moves exactly the partitions whose preferred
    /// replica is in sync and does not lead (only such a replica can take the leadership back).
    public func electionPlanVerdict(_ plan: Plan, topic: String) async throws -> Verdict {
        let partitions = try await cluster.metadata(topic: topic).topic(topic)?.partitions ?? []
        let off = partitions.filter {
            !$0.replicas.isEmpty && $0.leader != $0.replicas[0] && $0.isr.contains($0.replicas[0])
        }
        let expected = Set(off.map { "[\($0.id)] leader: \($0.leader) → \($0.replicas[0])" })
        let planned = Set(
            plan.changes.map { c in
                "[" + (c.subject.split(separator: "[").last.map(String.init) ?? "") + ": \(c.before) → \(c.after)"
            })
        return AdminClaims.electionPlan(topic, planned: planned, expected: expected)
    }

    /// The load gap a reassignment plan promises, computed from its assignment and the watermarks read now,
    /// not from the planner's own numbers.
    public func plannedGap(_ r: ReplicaPlanner.Result, percent: Int) async throws
        -> (verdict: Verdict, table: String, summary: String)
    {
        let planned = Dictionary(r.reassignment.partitions.map { ("\($0.topic)/\($0.partition)", $0.replicas) }) {
            a, _ in a
        }
        let (before, after) = try await replicaLoad(
            topics: Set(r.reassignment.partitions.map(\.topic)), planned: planned)
        let table = Evidence.table(
            ["broker", "records before", "records after the plan"],
            before.keys.sorted().map { ["\($0)", "\(before[$0]!)", "\(after[$0]!)"] })
        let verdict = AdminClaims.gapNarrowed(
            before: before, after: after, moves: r.reassignment.partitions.count, percent: percent)
        return (verdict, table, "load gap \(AdminClaims.gap(before)) → \(AdminClaims.gap(after)) records")
    }

    /// The loads measured from the metadata and watermarks now, against the plan's prediction.
    public func measuredGap(_ r: ReplicaPlanner.Result) async throws -> (verdict: Verdict, table: String) {
        let load = try await replicaLoad(topics: Set(r.reassignment.partitions.map(\.topic))).now
        let table = Evidence.table(
            ["broker", "records now", "planned"],
            load.keys.sorted().map { ["\($0)", "\(load[$0]!)", "\(r.after.load[$0].map(String.init) ?? "?")"] })
        return (AdminClaims.gapAsPredicted(measured: load, predicted: r.after.gap, before: r.before.gap), table)
    }

    /// The groups `kafka-bdd admin groups list` shows, with their table; needs a cluster that lists them.
    public func listedGroups() async throws -> (groups: [Snapshot.Group], table: String) {
        let snapshot = try await snapshot(.init(configs: false))
        if !snapshot.groupsListed { try cluster.require(.admin) }
        let table = Evidence.table(
            ["group", "state", "members"],
            snapshot.groups.map { [$0.name, $0.state, $0.members.map(String.init) ?? "?"] })
        return (snapshot.groups, table)
    }
}

extension AdminDrills {
    /// The topics `kafka-bdd admin topics list` shows, and their table.
    public func listedTopics() async throws -> (topics: [(name: String, partitions: Int)], table: String) {
        let s = try await snapshot(.init(watermarks: false, configs: false, groups: false))
        let topics = s.topics.sorted { $0.name < $1.name }
        let table = Evidence.table(
            ["topic", "partitions", "replication factor"],
            topics.map { [$0.name, "\($0.partitions.count)", "\($0.replicationFactor)"] })
        return (topics.map { ($0.name, $0.partitions.count) }, table)
    }

    /// What `kafka-bdd admin topics describe` shows of a topic: its partitions as the metadata reports them,
    /// the brokers the metadata lists, and the table.
    public func describedTopic(_ topic: String) async throws
        -> (partitions: [Plausibility.Partition], brokers: [Int32], table: String)
    {
        let s = try await snapshot(.init(topics: [topic], watermarks: false, configs: false, groups: false))
        guard let t = s.topic(topic) else { throw DrillFailure("the cluster's metadata does not list \(topic)") }
        let partitions = t.partitions.sorted { $0.id < $1.id }.map {
            Plausibility.Partition(id: $0.id, leader: $0.leader, replicas: $0.replicas, isr: $0.isr)
        }
        let table = Evidence.table(
            ["partition", "leader", "replicas", "in sync"],
            partitions.map { ["\($0.id)", "\($0.leader)", "\($0.replicas)", "\($0.isr)"] })
        return (partitions, s.brokers.map(\.id), table)
    }

    /// The topic's non-default config entries (DescribeConfigs), and their table.
    public func nonDefaultConfigs(_ topic: String) async throws
        -> (entries: [(name: String, value: String?)], table: String)
    {
        try cluster.require(.topicConfigs)
        let admin = try admin()
        defer { admin.close() }
        let entries = try await admin.configEntries(.topic, topic).filter { !$0.isDefault }
        let table = Evidence.table(["config", "value"], entries.map { [$0.name, $0.value ?? "(sensitive)"] })
        return (entries.map { (name: $0.name, value: $0.value) }, table)
    }
}

extension AdminDrills {
    /// One partition of `kafka-bdd admin groups describe`: the group's committed offset, the partition's high
    /// watermark read now, and the lag between them — not clamped, so that a cluster reporting a commit
    /// beyond the log end shows it.
    public struct GroupPartition: Sendable, Equatable {
        public var topic: String
        public var partition: Int32
        public var committed: Int64
        public var high: Int64?
        public var lag: Int64? { high.map { $0 - committed } }
    }

    /// `kafka-bdd admin groups describe --group G`: the group (state, members) and, per partition it has
    /// committed on, its offset, the high watermark and the lag. Refused when the cluster has no such group.
    public func describeGroup(_ group: String) async throws -> (group: Snapshot.Group, partitions: [GroupPartition]) {
        let s = try await snapshot(.init(configs: false, group: group))
        guard let g = s.group(group) else {
            throw Refusal(
                "no consumer group \(group) on this cluster"
                    + (s.groupsListed ? "" : " (none with committed offsets; this cluster cannot list groups)"))
        }
        var partitions: [GroupPartition] = []
        for (topic, offsets) in (g.committed ?? [:]).sorted(by: { $0.key < $1.key }) {
            for (p, offset) in offsets.sorted(by: { $0.key < $1.key }) {
                let high = s.topic(topic)?.partitions.first { $0.id == p }?.high
                partitions.append(GroupPartition(topic: topic, partition: p, committed: offset, high: high))
            }
        }
        return (g, partitions)
    }
}
