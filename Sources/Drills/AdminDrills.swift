import Cluster
import Foundation
import KafkaClient
import Operations
import Verification

/// The admin operations as `kafka-bdd admin` runs them and the KAF-05/KAF-12 steps check them: read a
/// snapshot from the cluster, let `Operations` plan or refuse, and only then (not in a dry run) send
/// the requests. What a backend cannot do throws `Unsupported`, naming the capability.
public struct AdminDrills: Sendable {
    public let cluster: any Cluster

    public init(cluster: any Cluster) { self.cluster = cluster }

    /// What to read besides metadata.
    public struct Reading: Sendable {
        public var topics: [String]?
        public var watermarks = true
        /// Non-default topic configs (needs DescribeConfigs; nil in the snapshot where there is none).
        public var configs = true
        public var groups = true
        /// Topics whose first records are read back to see whether they carry keys, and where each key is.
        public var sampleKeys: [String] = []
        public var samplePerPartition = 200
        /// A group to read by name (its committed offsets) where the cluster cannot list groups.
        public var group: String?

        public init(
            topics: [String]? = nil, watermarks: Bool = true, configs: Bool = true, groups: Bool = true,
            sampleKeys: [String] = [], group: String? = nil
        ) {
            self.group = group
            self.topics = topics
            self.watermarks = watermarks
            self.configs = configs
            self.groups = groups
            self.sampleKeys = sampleKeys
        }
    }

    public func admin() throws -> Admin { try Admin(config: cluster.config()) }

    public func snapshot(_ reading: Reading = Reading()) async throws -> Snapshot {
        let md = try await cluster.metadata(topic: nil)
        let live = Set(try await cluster.liveBrokers())
        let brokers = md.brokers.map { Snapshot.Broker(id: $0.id, live: live.contains($0.id)) }
        let wanted = reading.topics.map(Set.init)
        let canDescribe = reading.configs && cluster.capabilities.contains(.topicConfigs)
        let admin = try admin()
        defer { admin.close() }
        var topics: [Snapshot.Topic] = []
        for t in md.topics.sorted(by: { $0.name < $1.name }) where wanted?.contains(t.name) ?? true {
            guard t.error == 0 || !t.partitions.isEmpty else { continue }
            var partitions: [Snapshot.Partition] = []
            for p in t.partitions {
                var low: Int64?
                var high: Int64?
                if reading.watermarks, p.leader >= 0 {
                    (low, high) = try await cluster.watermarks(topic: t.name, partition: p.id)
                }
                partitions.append(
                    .init(id: p.id, leader: p.leader, replicas: p.replicas, isr: p.isr, low: low, high: high))
            }
            var configs: [String: String]?
            if canDescribe {
                configs = Dictionary(
                    uniqueKeysWithValues: try await admin.configEntries(.topic, t.name)
                        .filter { !$0.isDefault }.map { ($0.name, $0.value ?? "(sensitive)") })
            }
            var topic = Snapshot.Topic(name: t.name, partitions: partitions, configs: configs)
            if reading.sampleKeys.contains(t.name) {
                topic.keys = try await sample(topic, limit: reading.samplePerPartition)
            }
            topics.append(topic)
        }
        var groups: [Snapshot.Group] = []
        var listed = false
        if reading.groups || reading.group != nil {
            do {
                for (name, state) in try await admin.listGroups() {
                    let members = try await admin.describeGroup(name)?.members.count ?? 0
                    groups.append(
                        .init(
                            name: name, state: state, members: members,
                            committed: try await committed(group: name, topics: topics)))
                }
                listed = true
            } catch let error as KafkaError where error.name == "_UNSUPPORTED_FEATURE" {
                // The mock has no ListGroups/DescribeGroups: a named group is known by its committed offsets.
                if let name = reading.group {
                    let offsets = try await committed(group: name, topics: topics)
                    if !offsets.isEmpty {
                        groups.append(.init(name: name, state: "unknown", members: nil, committed: offsets))
                    }
                }
            }
        }
        return Snapshot(
            brokers: brokers, topics: topics, groups: groups.sorted { $0.name < $1.name }, groupsListed: listed)
    }

    /// Reads each partition's first records (up to `limit`) back and notes their keys.
    public func sample(_ topic: Snapshot.Topic, limit: Int) async throws -> Snapshot.KeySample {
        var sample = Snapshot.KeySample()
        let config = cluster.config(["group.id": "kafka-bdd-admin-sample"])
        for p in topic.partitions {
            guard let low = p.low, let high = p.high, high > low else { continue }
            let range = try await Backfill.read(
                config: config, topic: topic.name, partition: p.id, from: low,
                count: min(limit, Int(high - low)), within: .seconds(20))
            for r in range.records {
                if let key = r.keyString {
                    sample.keyed += 1
                    if sample.placement[key] == nil { sample.placement[key] = p.id }
                } else {
                    sample.unkeyed += 1
                }
            }
        }
        return sample
    }

    /// A consumer under the group's own name, as given (not scoped to a scenario), that never subscribes,
    /// so it never joins the group: it only reads and commits the group's offsets.
    func groupClient(_ group: String) throws -> Consumer {
        try Consumer(
            config: KafkaConfig([
                "bootstrap.servers": cluster.bootstrapServers, "group.id": group,
                "enable.auto.commit": "false",
            ])
            .merging(cluster.clientConfig))
    }

    /// A group's committed offsets on the given topics (OffsetFetch, as the group's own consumers ask).
    public func committed(group: String, topics: [Snapshot.Topic]) async throws -> [String: [Int32: Int64]] {
        let partitions = topics.filter { !$0.isInternal }.flatMap { t in
            t.partitions.map { TopicPartitionOffset(topic: t.name, partition: $0.id) }
        }
        guard !partitions.isEmpty else { return [:] }
        let consumer = try groupClient(group)
        defer { Task { await consumer.close() } }
        var out: [String: [Int32: Int64]] = [:]
        for tpo in try await consumer.committed(partitions) where tpo.offset >= 0 {
            out[tpo.topic, default: [:]][tpo.partition] = tpo.offset
        }
        return out
    }

    // MARK: operations: each returns its plan; with `dryRun` nothing is sent.

    public func createTopic(
        _ name: String, partitions: Int, replicationFactor: Int, configs: [String: String],
        dryRun: Bool
    ) async throws -> Plan {
        let snapshot = try await snapshot(Reading(watermarks: false, configs: false, groups: false))
        let plan = try TopicChecks.createTopic(
            name, partitions: partitions, replicationFactor: replicationFactor,
            configs: configs, in: snapshot)
        if !dryRun {
            try await cluster.createTopic(
                TopicSpec(
                    name: name, partitions: Int32(partitions),
                    replicationFactor: Int32(replicationFactor), configs: configs))
        }
        return plan
    }

    public func alterConfig(
        _ topic: String, set: [String: String], remove: [String] = [], dryRun: Bool
    ) async throws -> Plan {
        let snapshot = try await snapshot(Reading(topics: [topic], watermarks: false, groups: false))
        let plan = try TopicChecks.alterConfig(topic, set: set, remove: remove, in: snapshot)
        // Whether a key is overridden, and so can be removed, is known only from DescribeConfigs.
        if !remove.isEmpty, snapshot.topic(topic)?.configs == nil {
            throw CannotRunHere(
                "removing a config of \(topic) needs its overrides, and the \(cluster.backend) cluster does not "
                    + "model \(ClusterCapability.topicConfigs.rawValue) (DescribeConfigs)")
        }
        if !dryRun {
            try cluster.require(.topicConfigs)
            let admin = try admin()
            defer { admin.close() }
            let full = TopicChecks.fullConfig(snapshot.topic(topic)!, set: set, remove: remove)
            try await admin.alterConfigs(topic: topic, full)
        }
        return plan
    }

    public func addPartitions(_ topic: String, to count: Int, acceptRemap: Bool, dryRun: Bool) async throws -> Plan {
        let snapshot = try await snapshot(Reading(topics: [topic], configs: false, groups: false, sampleKeys: [topic]))
        let plan = try TopicChecks.addPartitions(topic, to: count, acceptRemap: acceptRemap, in: snapshot)
        if !dryRun {
            try cluster.require(.admin)
            try cluster.require(.partitionIncrease)
            let admin = try admin()
            defer { admin.close() }
            try await admin.createPartitions(topic: topic, totalCount: count)
        }
        return plan
    }

    public func deleteTopic(_ topic: String, dryRun: Bool) async throws -> Plan {
        let snapshot = try await snapshot(Reading(configs: false))
        let plan = try TopicChecks.deleteTopic(topic, in: snapshot)
        if !dryRun {
            try cluster.require(.admin)
            try await cluster.deleteTopics([topic])
        }
        return plan
    }

    public func deleteRecords(
        _ topic: String, partition: Int32, before offset: Int64, dryRun: Bool
    ) async throws -> Plan {
        let snapshot = try await snapshot(Reading(topics: [topic], configs: false, groups: false))
        let plan = try TopicChecks.deleteRecords(topic, partition: partition, before: offset, in: snapshot)
        if !dryRun, !plan.changes.isEmpty {
            try cluster.require(.admin)
            try cluster.require(.deleteRecords)
            let admin = try admin()
            defer { admin.close() }
            _ = try await admin.deleteRecords(before: [
                TopicPartitionOffset(topic: topic, partition: partition, offset: offset)
            ])
        }
        return plan
    }

    /// Commits the new offsets as the group itself would (OffsetCommit without joining), which Kafka
    /// accepts only while the group has no members.
    public func resetOffsets(group: String, topic: String, to target: OffsetTarget, dryRun: Bool) async throws -> Plan {
        let snapshot = try await snapshot(Reading(topics: [topic], configs: false, group: group))
        let (plan, offsets) = try GroupChecks.resetOffsets(group: group, topic: topic, to: target, in: snapshot)
        if !dryRun {
            // Only a cluster that describes groups can show that nobody consumes while offsets move.
            if snapshot.group(group)?.members == nil { try cluster.require(.admin) }
            let consumer = try groupClient(group)
            defer { Task { await consumer.close() } }
            try await consumer.commit(
                offsets.sorted { $0.key < $1.key }
                    .map { TopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value) })
        }
        return plan
    }

    public func preferredElection(topic: String?, dryRun: Bool) async throws -> Plan {
        let snapshot = try await snapshot(
            Reading(topics: topic.map { [$0] }, watermarks: false, configs: false, groups: false))
        let (plan, partitions) = try LeaderChecks.preferredElection(snapshot, topic: topic)
        if !dryRun, !partitions.isEmpty {
            try await cluster.electPreferredLeaders(partitions.map { ($0.topic, $0.partition) })
        }
        return plan
    }

    /// A balanced reassignment of the topics (all but internal ones by default), from record counts.
    public func planReassignment(topics: [String]?) async throws -> ReplicaPlanner.Result {
        let snapshot = try await snapshot(Reading(topics: topics, configs: false, groups: false))
        return try ReplicaPlanner.balance(snapshot, topics: topics)
    }

    /// Runs a plan after writing the current assignment of its partitions to `rollbackFile`.
    public func executeReassignment(_ plan: Reassignment, rollbackFile: String?, dryRun: Bool) async throws -> Plan {
        let snapshot = try await snapshot(
            Reading(
                topics: Array(Set(plan.partitions.map(\.topic))), watermarks: false,
                configs: false, groups: false))
        let checked = try ReplicaPlanner.check(plan, in: snapshot)
        if !dryRun {
            try cluster.require(.reassignment)
            if let rollbackFile {
                try ReplicaPlanner.rollback(for: plan, in: snapshot).json()
                    .write(toFile: rollbackFile, atomically: true, encoding: .utf8)
            }
            try await cluster.reassign(plan.partitions.map { ($0.topic, $0.partition, $0.replicas) })
        }
        return checked
    }

    /// Moves every partition of `topic` onto `brokers` (preferred leaders rotated over them, as Kafka
    /// spreads them) unless the cluster placed them there already; true when it reassigned. A cluster
    /// that cannot reassign partitions throws Unsupported (the step skips).
    public func placeReplicas(_ topic: String, on brokers: [Int32]) async throws -> Bool {
        let partitions = try await cluster.metadata(topic: topic).topic(topic)?.partitions ?? []
        guard partitions.contains(where: { !Placement.isOn(brokers, $0.replicas) }) else { return false }
        try cluster.require(.reassignment)
        try await cluster.reassign(
            partitions.map { p in
                let shift = Int(p.id) % brokers.count
                return (topic, p.id, Array(brokers[shift...] + brokers[..<shift]))
            })
        return true
    }

    public func verifyReassignment(_ plan: Reassignment) async throws -> [String] {
        let snapshot = try await snapshot(
            Reading(
                topics: Array(Set(plan.partitions.map(\.topic))), watermarks: false,
                configs: false, groups: false))
        return ReplicaPlanner.verify(plan, in: snapshot)
    }

    public func inventory(configs: Bool = true) async throws -> Inventory {
        Inventory(try await snapshot(Reading(configs: configs)))
    }
}
