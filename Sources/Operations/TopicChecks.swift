/// The topic operations' safety checks and plans: pure functions of a snapshot. Each either returns
/// the plan (what would change, before → after) or throws a `Refusal` saying why it must not run.
public enum TopicChecks {
    /// Kafka's topic-level configuration keys (Kafka 3.x); anything else is refused before it reaches
    /// a broker, which would refuse it too (its message is surfaced when the request is sent).
    public static let knownConfigKeys: Set<String> = [
        "cleanup.policy", "compression.type", "delete.retention.ms", "file.delete.delay.ms", "flush.messages",
        "flush.ms", "follower.replication.throttled.replicas", "index.interval.bytes",
        "leader.replication.throttled.replicas", "local.retention.bytes", "local.retention.ms",
        "max.compaction.lag.ms", "max.message.bytes", "message.downconversion.enable", "message.format.version",
        "message.timestamp.after.max.ms", "message.timestamp.before.max.ms", "message.timestamp.difference.max.ms",
        "message.timestamp.type", "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas",
        "preallocate", "remote.storage.enable", "retention.bytes", "retention.ms", "segment.bytes",
        "segment.index.bytes", "segment.jitter.ms", "segment.ms", "unclean.leader.election.enable",
    ]

    /// What a value must be, for the keys whose type Kafka's topic config defines as a number, a boolean or
    /// one of a few words (LogConfig); the message names the key and the rule, never the value given.
    static func valueProblem(_ key: String, _ value: String) -> String? {
        switch key {
        case "cleanup.policy":
            let policies = value.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            return policies.allSatisfy({ ["compact", "delete"].contains($0) })
                ? nil : "cleanup.policy must be compact, delete or both (compact,delete)"
        case "compression.type":
            return ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"].contains(value)
                ? nil : "compression.type must be uncompressed, zstd, lz4, snappy, gzip or producer"
        case "message.timestamp.type":
            return ["CreateTime", "LogAppendTime"].contains(value)
                ? nil : "message.timestamp.type must be CreateTime or LogAppendTime"
        case "min.cleanable.dirty.ratio":
            return Double(value).map { (0...1).contains($0) } == true
                ? nil : "min.cleanable.dirty.ratio must be a number from 0 to 1"
        case "message.downconversion.enable", "preallocate", "remote.storage.enable",
            "unclean.leader.election.enable":
            return ["true", "false"].contains(value) ? nil : "\(key) must be true or false"
        case "retention.ms", "retention.bytes":
            return Int64(value).map { $0 >= -1 } == true ? nil : "\(key) must be a whole number, -1 for no limit"
        case "follower.replication.throttled.replicas", "leader.replication.throttled.replicas",
            "message.format.version", "min.insync.replicas":
            return nil
        default:
            return Int64(value).map { $0 >= -2 } == true ? nil : "\(key) must be a whole number"
        }
    }

    /// Kafka's rule for topic names.
    public static func validName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 249 && name != "." && name != ".."
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    static func checkConfigs(_ configs: [String: String], replicationFactor: Int) throws(Refusal) {
        let unknown = configs.keys.filter { !knownConfigKeys.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw Refusal("unknown topic config key\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", "))")
        }
        if let problem = configs.sorted(by: { $0.key < $1.key }).lazy.compactMap({ valueProblem($0.key, $0.value) })
            .first
        {
            throw Refusal(problem)
        }
        if let text = configs["min.insync.replicas"] {
            guard let value = Int(text), value >= 1 else {
                throw Refusal("min.insync.replicas must be a whole number of at least 1")
            }
            if value > replicationFactor {
                throw Refusal(
                    "min.insync.replicas=\(value) is above the replication factor \(replicationFactor): "
                        + "no acks=all write could ever succeed")
            }
        }
    }

    public static func createTopic(
        _ name: String, partitions: Int, replicationFactor: Int,
        configs: [String: String] = [:], in snapshot: Snapshot
    ) throws(Refusal) -> Plan {
        guard validName(name) else {
            throw Refusal(
                "\(name.isEmpty ? "an empty name" : name) is not a valid topic name "
                    + "(ASCII letters, digits, '.', '_' and '-', at most 249)")
        }
        guard !name.hasPrefix("__") else { throw Refusal("names starting with __ are Kafka's internal topics") }
        guard snapshot.topic(name) == nil else { throw Refusal("topic \(name) already exists") }
        guard partitions >= 1 else { throw Refusal("a topic needs at least 1 partition") }
        guard replicationFactor >= 1 else { throw Refusal("the replication factor must be at least 1") }
        let live = snapshot.liveBrokers.count
        guard replicationFactor <= live else {
            throw Refusal(
                "replication factor \(replicationFactor) is above the \(live) live broker\(live == 1 ? "" : "s")")
        }
        try checkConfigs(configs, replicationFactor: replicationFactor)
        let settings = configs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return Plan(
            action: "create topic \(name)",
            changes: [
                .init(
                    "topic \(name)", "absent",
                    "\(counted(Int(partitions), "partition")), replication factor \(replicationFactor)"
                        + (settings.isEmpty ? "" : ", " + settings.joined(separator: ", ")))
            ])
    }

    static func existing(_ name: String, in snapshot: Snapshot) throws(Refusal) -> Snapshot.Topic {
        guard let topic = snapshot.topic(name) else { throw Refusal("no topic \(name) on this cluster") }
        return topic
    }

    /// Sets topic configs. Kafka's (non-incremental) AlterConfigs resets every key it is not given, so
    /// the request carries the topic's other overrides too; the plan lists only what changes.
    /// Sets the `set` overrides and removes the `remove` ones (the topic falls back to the broker's default);
    /// the other overrides are kept. Removing a key that is not overridden is refused: nothing would change.
    public static func alterConfig(
        _ name: String, set: [String: String], remove: [String] = [], in snapshot: Snapshot
    ) throws(Refusal) -> Plan {
        let topic = try existing(name, in: snapshot)
        guard !set.isEmpty || !remove.isEmpty else {
            throw Refusal("no config to set or remove (--set KEY=VALUE, --delete-config KEY)")
        }
        try checkConfigs(set, replicationFactor: topic.replicationFactor)
        let unknown = remove.filter { !knownConfigKeys.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw Refusal("unknown topic config key\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", "))")
        }
        if let both = remove.first(where: { set[$0] != nil }) {
            throw Refusal("\(both) is both set and removed: choose one")
        }
        let current = topic.configs
        if let current, let absent = remove.sorted().first(where: { current[$0] == nil }) {
            throw Refusal("\(absent) is not set on \(name) (it has its default): nothing to remove")
        }
        let unknownBefore = "(unknown: no DescribeConfigs)"
        let changes =
            set.sorted { $0.key < $1.key }.map { key, value in
                Plan.Change("\(name) \(key)", current.map { $0[key] ?? "(default)" } ?? unknownBefore, value)
            }
            + Set(remove).sorted().map { key in
                Plan.Change("\(name) \(key)", current.map { $0[key] ?? "(default)" } ?? unknownBefore, "(default)")
            }
        return Plan(action: "alter config of topic \(name)", changes: changes)
    }

    /// The request AlterConfigs needs: the topic's overrides with `set` applied and `remove` taken out.
    public static func fullConfig(_ topic: Snapshot.Topic, set: [String: String], remove: [String] = [])
        -> [String: String]
    {
        (topic.configs ?? [:]).merging(set) { _, new in new }.filter { !remove.contains($0.key) }
    }

    public static func deleteTopic(_ name: String, in snapshot: Snapshot) throws(Refusal) -> Plan {
        guard !name.hasPrefix("__") else {
            throw Refusal("\(name) is an internal topic: deleting it breaks consumer groups or transactions")
        }
        let topic = try existing(name, in: snapshot)
        let records = topic.partitions.compactMap(\.records).reduce(0, +)
        let readers = snapshot.groups.filter { $0.committed?[name] != nil }.map(\.name).sorted()
        var notes: [String] = []
        if !readers.isEmpty { notes.append("groups with committed offsets on it: \(readers.joined(separator: ", "))") }
        return Plan(
            action: "delete topic \(name)",
            changes: [
                .init(
                    "topic \(name)",
                    "\(counted(topic.partitions.count, "partition")), \(counted(Int(records), "record"))", "absent")
            ], notes: notes)
    }

    /// Raising the partition count moves keys to other partitions (key → hash mod count), so a topic
    /// whose records carry keys is refused unless the remap is accepted; the plan lists each key read
    /// back that would move.
    public static func addPartitions(
        _ name: String, to count: Int, acceptRemap: Bool,
        in snapshot: Snapshot
    ) throws(Refusal) -> Plan {
        let topic = try existing(name, in: snapshot)
        let current = topic.partitions.count
        guard count > current else {
            throw Refusal(
                count < current
                    ? "\(name) has \(counted(Int(current), "partition")); "
                        + "Kafka cannot decrease a topic's partitions (to \(count))"
                    : "\(name) already has \(counted(Int(current), "partition"))")
        }
        guard !topic.isInternal else { throw Refusal("\(name) is an internal topic") }
        var changes = [Plan.Change("\(name) partitions", "\(current)", "\(count)")]
        var notes: [String] = []
        guard let sample = topic.keys else {
            if acceptRemap {
                return Plan(
                    action: "add partitions to \(name)", changes: changes,
                    notes: ["records not sampled: which keys move is unknown"])
            }
            throw Refusal(
                "\(name)'s records were not sampled, so whether they carry keys is unknown; "
                    + "pass --accept-remap to add partitions anyway")
        }
        if sample.keyed > 0 {
            let remap = KeyRemap(placement: sample.placement, from: current, to: count)
            if let partitioner = remap.partitioner {
                notes.append(
                    "\(remap.moved.count) of \(sample.placement.count) keys read back move "
                        + "(partitioner \(partitioner.rawValue), which placed every key read back)")
                changes += remap.moved.map { .init("key \($0.key)", "partition \($0.from)", "partition \($0.to)") }
            } else {
                notes.append("no known partitioner placed the keys read back as found: which keys move is unknown")
            }
            guard acceptRemap else {
                throw Refusal(
                    "\(name) holds keyed records (\(sample.keyed) read back): adding partitions changes "
                        + "the key → partition map"
                        + (remap.partitioner.map { _ in
                            " (\(remap.moved.count) of \(sample.placement.count) keys move)"
                        } ?? "")
                        + "; pass --accept-remap to do it anyway")
            }
        }
        return Plan(action: "add partitions to \(name)", changes: changes, notes: notes)
    }

    /// Deletes the records of one partition before an offset (they can no longer be read).
    public static func deleteRecords(
        _ name: String, partition: Int32, before offset: Int64,
        in snapshot: Snapshot
    ) throws(Refusal) -> Plan {
        guard !name.hasPrefix("__") else { throw Refusal("\(name) is an internal topic") }
        let topic = try existing(name, in: snapshot)
        guard let p = topic.partitions.first(where: { $0.id == partition }) else {
            throw Refusal("\(name) has no partition \(partition) (it has \(topic.partitions.count))")
        }
        guard let low = p.low, let high = p.high else {
            throw Refusal("the watermarks of \(name)[\(partition)] are unknown")
        }
        guard offset >= 0 else { throw Refusal("--before must not be negative") }
        guard offset <= high else {
            throw Refusal(
                "offset \(offset) is beyond the high watermark \(high) of \(name)[\(partition)]: "
                    + "records not yet written cannot be deleted")
        }
        guard offset > low else {
            return Plan(
                action: "delete records of \(name)[\(partition)] before \(offset)", changes: [],
                notes: ["nothing to delete: the log already starts at \(low)"])
        }
        return Plan(
            action: "delete records of \(name)[\(partition)] before \(offset)",
            changes: [
                .init("\(name)[\(partition)] low watermark", "\(low)", "\(offset)"),
                .init("\(name)[\(partition)] records \(low)…\(offset - 1)", "\(offset - low) readable", "deleted"),
            ],
            notes: [
                high > offset
                    ? "records \(offset)…\(high - 1) (\(high - offset)) stay"
                    : "no record stays: the log will be empty, starting at \(offset)"
            ])
    }
}
