import Foundation

/// A partition reassignment in the format of Kafka's `kafka-reassign-partitions.sh`
/// (`{"version":1,"partitions":[{"topic":…,"partition":…,"replicas":[…]}]}`), so a plan made here can
/// also be run by Kafka's own tool.
public struct Reassignment: Sendable, Equatable, Codable {
    public struct Entry: Sendable, Equatable, Codable {
        public var topic: String
        public var partition: Int32
        public var replicas: [Int32]

        public init(topic: String, partition: Int32, replicas: [Int32]) {
            self.topic = topic
            self.partition = partition
            self.replicas = replicas
        }
    }

    public var version: Int
    public var partitions: [Entry]

    public init(partitions: [Entry]) {
        version = 1
        self.partitions = partitions
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Reads a plan file's text; a malformed one is refused with what is wrong and where.
    public static func parse(_ text: String, source: String) throws(Refusal) -> Reassignment {
        let plan: Reassignment
        do {
            plan = try JSONDecoder().decode(Reassignment.self, from: Data(text.utf8))
        } catch let DecodingError.keyNotFound(key, context) {
            throw Refusal("\(source): malformed plan: \(path(context.codingPath + [key])) is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw Refusal("\(source): malformed plan: \(path(context.codingPath)) has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw Refusal("\(source): malformed plan: \(path(context.codingPath)) is null")
        } catch {
            throw Refusal(
                "\(source): malformed plan: not JSON of the form "
                    + #"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}"#)
        }
        guard plan.version == 1 else { throw Refusal("\(source): plan version \(plan.version); only 1 is known") }
        guard !plan.partitions.isEmpty else { throw Refusal("\(source): the plan moves no partition") }
        for (i, e) in plan.partitions.enumerated() {
            guard !e.replicas.isEmpty, Set(e.replicas).count == e.replicas.count else {
                throw Refusal(
                    "\(source): partitions[\(i)] (\(e.topic)[\(e.partition)]): replicas must be distinct and not empty"
                )
            }
        }
        let keys = plan.partitions.map { "\($0.topic)[\($0.partition)]" }
        if let twice = Dictionary(grouping: keys, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw Refusal("\(source): \(twice) appears twice in the plan")
        }
        return plan
    }

    static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }
}

/// How unevenly data sits on the brokers: each live broker's load (the sum of the sizes of the
/// replicas it holds) and the gap between the heaviest and the lightest.
public struct Spread: Sendable, Equatable, Codable {
    public var load: [Int32: Int64]
    public var unit: String
    public var gap: Int64 { (load.values.max() ?? 0) - (load.values.min() ?? 0) }

    public var text: String {
        load.sorted { $0.key < $1.key }.map { "broker \($0.key) \($0.value)" }.joined(separator: ", ")
            + " (\(unit); gap \(gap))"
    }
}

public enum ReplicaPlanner {
    /// A partition's weight: bytes on disk when known, else its record count (high − low watermark).
    static func weight(_ p: Snapshot.Partition) -> Int64 { p.bytes ?? p.records ?? 0 }

    static func unit(_ topics: [Snapshot.Topic]) -> String {
        topics.flatMap(\.partitions).allSatisfy { $0.bytes != nil } ? "bytes" : "records"
    }

    public static func spread(
        of assignment: [String: [Int32: [Int32]]], in snapshot: Snapshot,
        topics: [Snapshot.Topic]
    ) -> Spread {
        var load = Dictionary(uniqueKeysWithValues: snapshot.liveBrokers.map { ($0.id, Int64(0)) })
        for t in topics {
            for p in t.partitions {
                for r in assignment[t.name]?[p.id] ?? p.replicas where load[r] != nil { load[r]! += weight(p) }
            }
        }
        return Spread(load: load, unit: unit(topics))
    }

    public struct Result: Sendable, Equatable {
        public var reassignment: Reassignment
        public var before: Spread
        public var after: Spread
        /// Each move as a plan change, heaviest partition first.
        public var plan: Plan
    }

    /// A balanced assignment: replicas move, heaviest partitions first, from the most loaded live
    /// broker to the least loaded one while that narrows the gap. A move never puts two replicas of a
    /// partition on one broker, nor (when brokers have racks) leaves a partition on fewer racks.
    /// Replica order is kept, so the moved replica keeps its place (a moved preferred replica stays preferred).
    public static func balance(_ snapshot: Snapshot, topics names: [String]? = nil) throws(Refusal) -> Result {
        let topics = try selected(snapshot, names)
        let live = snapshot.liveBrokers
        guard live.count >= 2 else { throw Refusal("\(live.count) live broker: nothing to balance over") }
        let racks = Dictionary(uniqueKeysWithValues: snapshot.brokers.map { ($0.id, $0.rack) })
        for t in topics where t.replicationFactor > live.count {
            throw Refusal(
                "\(t.name) has replication factor \(t.replicationFactor), above the \(live.count) live brokers")
        }
        var assignment: [String: [Int32: [Int32]]] = [:]
        for t in topics { for p in t.partitions { assignment[t.name, default: [:]][p.id] = p.replicas } }
        let before = spread(of: assignment, in: snapshot, topics: topics)
        var load = before.load
        let partitions = topics.flatMap { t in t.partitions.map { (topic: t.name, p: $0) } }
            .sorted {
                weight($0.p) != weight($1.p) ? weight($0.p) > weight($1.p) : ($0.topic, $0.p.id) < ($1.topic, $1.p.id)
            }
        func rackCount(_ replicas: [Int32]) -> Int { Set(replicas.compactMap { racks[$0] ?? nil }).count }
        var moves: [(topic: String, partition: Int32, from: Int32, to: Int32, weight: Int64)] = []
        // Partitions heaviest first, so the heaviest that narrows a gap moves first.
        // Each move shrinks the sum of squared loads (a partition lighter than the gap it crosses), so
        // the loop ends; it stops when no pair of brokers has a move that narrows their gap.
        func nextMove() -> (topic: String, p: Snapshot.Partition, from: Int32, to: Int32)? {
            let ordered = load.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            for heavy in ordered {
                for light in ordered.reversed() where heavy.value > light.value {
                    let gap = heavy.value - light.value
                    let found = partitions.first { entry in
                        let replicas = assignment[entry.topic]![entry.p.id]!
                        let w = weight(entry.p)
                        guard w > 0, w < gap, replicas.contains(heavy.key), !replicas.contains(light.key) else {
                            return false
                        }
                        let after = replicas.map { $0 == heavy.key ? light.key : $0 }
                        return rackCount(after) >= rackCount(replicas)
                    }
                    if let found { return (found.topic, found.p, heavy.key, light.key) }
                }
            }
            return nil
        }
        while let c = nextMove() {
            let w = weight(c.p)
            assignment[c.topic]![c.p.id] = assignment[c.topic]![c.p.id]!.map { $0 == c.from ? c.to : $0 }
            load[c.from]! -= w
            load[c.to]! += w
        }
        // The plan: each partition whose replicas changed (a partition may have moved more than once).
        for (topic, p) in partitions where assignment[topic]![p.id]! != p.replicas {
            moves.append((topic, p.id, 0, 0, weight(p)))
        }
        let after = spread(of: assignment, in: snapshot, topics: topics)
        let entries = moves.map { m in
            Reassignment.Entry(topic: m.topic, partition: m.partition, replicas: assignment[m.topic]![m.partition]!)
        }
        let changes = moves.map { m in
            let old = topics.first { $0.name == m.topic }!.partitions.first { $0.id == m.partition }!.replicas
            return Plan.Change(
                "\(m.topic)[\(m.partition)] (\(m.weight) \(before.unit))", "replicas \(list(old))",
                "replicas \(list(assignment[m.topic]![m.partition]!))")
        }
        let plan = Plan(
            action: "reassign \(moves.count) partition\(moves.count == 1 ? "" : "s")", changes: changes,
            notes: ["load before: \(before.text)", "load after: \(after.text)"])
        return Result(reassignment: Reassignment(partitions: entries), before: before, after: after, plan: plan)
    }

    static func list(_ ids: [Int32]) -> String { ids.map(String.init).joined(separator: ",") }

    static func selected(_ snapshot: Snapshot, _ names: [String]?) throws(Refusal) -> [Snapshot.Topic] {
        guard let names else { return snapshot.topics.filter { !$0.isInternal } }
        var out: [Snapshot.Topic] = []
        for n in names {
            guard let t = snapshot.topic(n) else { throw Refusal("no topic \(n) on this cluster") }
            out.append(t)
        }
        return out
    }

    /// The current assignment of every partition a plan touches: running it undoes the plan.
    public static func rollback(for plan: Reassignment, in snapshot: Snapshot) throws(Refusal) -> Reassignment {
        var entries: [Reassignment.Entry] = []
        for e in plan.partitions {
            guard let p = snapshot.topic(e.topic)?.partitions.first(where: { $0.id == e.partition }) else {
                throw Refusal("the plan names \(e.topic)[\(e.partition)], which this cluster does not have")
            }
            entries.append(.init(topic: e.topic, partition: e.partition, replicas: p.replicas))
        }
        return Reassignment(partitions: entries)
    }

    /// Checks a plan before it runs: every partition exists, its replicas are live brokers, and the
    /// replication factor is kept (a reassignment that drops replicas is refused).
    public static func check(_ plan: Reassignment, in snapshot: Snapshot) throws(Refusal) -> Plan {
        let live = Set(snapshot.liveBrokers.map(\.id))
        var changes: [Plan.Change] = []
        for e in plan.partitions {
            guard let t = snapshot.topic(e.topic) else { throw Refusal("no topic \(e.topic) on this cluster") }
            guard let p = t.partitions.first(where: { $0.id == e.partition }) else {
                throw Refusal("\(e.topic) has no partition \(e.partition)")
            }
            let dead = e.replicas.filter { !live.contains($0) }
            guard dead.isEmpty else {
                throw Refusal("\(e.topic)[\(e.partition)]: brokers \(list(dead)) are not live brokers")
            }
            guard e.replicas.count >= p.replicas.count else {
                throw Refusal(
                    "\(e.topic)[\(e.partition)]: \(e.replicas.count) replicas would lower its replication "
                        + "factor \(p.replicas.count)")
            }
            if e.replicas != p.replicas {
                changes.append(
                    .init("\(e.topic)[\(e.partition)]", "replicas \(list(p.replicas))", "replicas \(list(e.replicas))")
                )
            }
        }
        return Plan(action: "reassign \(changes.count) partition\(changes.count == 1 ? "" : "s")", changes: changes)
    }

    /// After a reassignment: each partition has the planned replicas, all in sync, led by the first
    /// (preferred) one. Returns what is not so; empty means verified.
    public static func verify(_ plan: Reassignment, in snapshot: Snapshot) -> [String] {
        var problems: [String] = []
        for e in plan.partitions {
            guard let p = snapshot.topic(e.topic)?.partitions.first(where: { $0.id == e.partition }) else {
                problems.append("\(e.topic)[\(e.partition)] is missing")
                continue
            }
            if p.replicas != e.replicas {
                problems.append("\(e.topic)[\(e.partition)] replicas \(list(p.replicas)), planned \(list(e.replicas))")
            }
            let outOfSync = e.replicas.filter { !p.isr.contains($0) }
            if !outOfSync.isEmpty {
                problems.append("\(e.topic)[\(e.partition)] replicas \(list(outOfSync)) not in sync")
            }
            if p.leader != e.replicas.first {
                problems.append(
                    "\(e.topic)[\(e.partition)] led by \(p.leader), not its preferred replica \(e.replicas[0])")
            }
        }
        return problems
    }
}

public enum LeaderChecks {
    /// Preferred leader election: every partition not led by its first replica, when that replica is
    /// live and in sync, gets it back as leader. Returns the plan and the partitions to elect.
    public static func preferredElection(
        _ snapshot: Snapshot, topic: String? = nil
    )
        throws(Refusal) -> (plan: Plan, partitions: [Reassignment.Entry])
    {
        let topics: [Snapshot.Topic]
        if let topic {
            guard let t = snapshot.topic(topic) else { throw Refusal("no topic \(topic) on this cluster") }
            topics = [t]
        } else {
            topics = snapshot.topics.filter { !$0.isInternal }
        }
        let live = Set(snapshot.liveBrokers.map(\.id))
        var changes: [Plan.Change] = []
        var notes: [String] = []
        var elect: [Reassignment.Entry] = []
        for t in topics {
            for p in t.partitions {
                guard let preferred = p.replicas.first, p.leader != preferred else { continue }
                if live.contains(preferred) && p.isr.contains(preferred) {
                    changes.append(.init("\(t.name)[\(p.id)] leader", "\(p.leader)", "\(preferred)"))
                    elect.append(.init(topic: t.name, partition: p.id, replicas: p.replicas))
                } else {
                    notes.append(
                        "\(t.name)[\(p.id)]: preferred replica \(preferred) is not live and in sync; "
                            + "left with \(p.leader)"
                    )
                }
            }
        }
        return (Plan(action: "elect preferred leaders", changes: changes, notes: notes), elect)
    }
}
