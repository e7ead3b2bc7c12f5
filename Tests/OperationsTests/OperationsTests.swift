import Foundation
import Testing

@testable import Operations

/// Snapshots written by hand: three brokers, a keyed topic, an internal topic and a group.
enum Fixture {
    static func partitions(_ count: Int, rf: Int = 3, brokers: Int = 3, records: Int64 = 100) -> [Snapshot.Partition] {
        (0..<count).map { i in
            let replicas = (0..<rf).map { Int32((i + $0) % brokers + 1) }
            return Snapshot.Partition(id: Int32(i), leader: replicas[0], replicas: replicas, low: 0, high: records)
        }
    }

    /// Keys placed as librdkafka's default partitioner places them over `count` partitions.
    static func placement(_ keys: Int, count: Int, _ p: Partitioner = .crc32) -> [String: Int32] {
        Dictionary(
            uniqueKeysWithValues: (0..<keys).map {
                ("key-\($0)", Int32(p.partition(of: Array("key-\($0)".utf8), count: count)))
            })
    }

    static var cluster: Snapshot {
        Snapshot(
            brokers: [.init(id: 1), .init(id: 2), .init(id: 3)],
            topics: [
                .init(
                    name: "orders", partitions: partitions(6), configs: ["retention.ms": "86400000"],
                    keys: .init(placement: placement(50, count: 6), keyed: 500, unkeyed: 0)),
                .init(name: "clicks", partitions: partitions(3), configs: [:], keys: .init(keyed: 0, unkeyed: 90)),
                .init(name: "__consumer_offsets", partitions: partitions(50)),
            ],
            groups: [
                .init(name: "billing", state: "Empty", members: 0, committed: ["orders": [0: 40, 1: 100]]),
                .init(name: "live", state: "Stable", members: 2, committed: ["orders": [0: 10]]),
            ])
    }
}

@Suite struct TopicCheckTests {
    let s = Fixture.cluster

    // A foreign broker reported RF 3 on one node as replicas [111, 111, 111]: that is one copy.
    @Test func replicationFactorCountsDistinctBrokers() throws {
        let one = Snapshot.Partition(id: 0, leader: 111, replicas: [111, 111, 111])
        let topic = Snapshot.Topic(name: "probe", partitions: [one])
        #expect(topic.replicationFactor == 1)
        #expect(Inventory(Snapshot(brokers: [.init(id: 111)], topics: [topic])).topics[0].replicationFactor == 1)
        #expect(throws: Refusal.self) {
            try TopicChecks.alterConfig("probe", set: ["min.insync.replicas": "3"],
                                        in: Snapshot(brokers: [.init(id: 111)], topics: [topic]))
        }
    }

    @Test func createPlansBeforeAndAfter() throws {
        let plan = try TopicChecks.createTopic(
            "payments", partitions: 6, replicationFactor: 3,
            configs: ["min.insync.replicas": "2"], in: s)
        #expect(
            plan.changes == [
                .init("topic payments", "absent", "6 partitions, replication factor 3, min.insync.replicas=2")
            ])
    }

    @Test func createRefusesReplicationAboveTheLiveBrokers() {
        var down = s
        down.brokers[2].live = false
        #expect(throws: Refusal("replication factor 3 is above the 2 live brokers")) {
            try TopicChecks.createTopic("payments", partitions: 6, replicationFactor: 3, in: down)
        }
        #expect(throws: Refusal.self) {
            try TopicChecks.createTopic("payments", partitions: 6, replicationFactor: 4, in: s)
        }
    }

    @Test func createRefusesMinInsyncAboveReplication() {
        #expect(throws: Refusal.self) {
            try TopicChecks.createTopic(
                "payments", partitions: 1, replicationFactor: 2, configs: ["min.insync.replicas": "3"], in: s)
        }
    }

    @Test func createRefusesUnknownKeysExistingTopicsAndBadNames() {
        #expect(throws: Refusal("unknown topic config key retention.msec")) {
            try TopicChecks.createTopic(
                "payments", partitions: 1, replicationFactor: 1, configs: ["retention.msec": "1"], in: s)
        }
        #expect(throws: Refusal("topic orders already exists")) {
            try TopicChecks.createTopic("orders", partitions: 1, replicationFactor: 1, in: s)
        }
        #expect(throws: Refusal.self) {
            try TopicChecks.createTopic("a/b", partitions: 1, replicationFactor: 1, in: s)
        }
        #expect(throws: Refusal.self) {
            try TopicChecks.createTopic("__mine", partitions: 1, replicationFactor: 1, in: s)
        }
        #expect(throws: Refusal.self) { try TopicChecks.createTopic("x", partitions: 0, replicationFactor: 1, in: s) }
    }

    @Test func alterConfigShowsTheOldValueAndRefusesMinInsyncAboveRF() throws {
        let plan = try TopicChecks.alterConfig(
            "orders", set: ["retention.ms": "3600000", "cleanup.policy": "compact"], in: s)
        #expect(
            plan.changes == [
                .init("orders cleanup.policy", "(default)", "compact"),
                .init("orders retention.ms", "86400000", "3600000"),
            ])
        #expect(throws: Refusal.self) {
            try TopicChecks.alterConfig("orders", set: ["min.insync.replicas": "4"], in: s)
        }
        #expect(throws: Refusal.self) { try TopicChecks.alterConfig("orders", set: ["colour": "blue"], in: s) }
        #expect(throws: Refusal("no topic nope on this cluster")) {
            try TopicChecks.alterConfig("nope", set: ["retention.ms": "1"], in: s)
        }
        // Non-incremental AlterConfigs: the request keeps the other overrides.
        #expect(
            TopicChecks.fullConfig(s.topic("orders")!, set: ["cleanup.policy": "compact"])
                == ["retention.ms": "86400000", "cleanup.policy": "compact"])
    }

    @Test func aValueOfTheWrongKindIsRefusedWithoutEchoingIt() throws {
        for (key, bad) in [
            ("retention.ms", "abc"), ("retention.ms", "-5"), ("segment.ms", "1.5"), ("cleanup.policy", "bogus"),
            ("cleanup.policy", ""), ("compression.type", "brotli"), ("min.cleanable.dirty.ratio", "2"),
            ("preallocate", "yes"), ("message.timestamp.type", "Now"),
        ] {
            #expect(throws: Refusal.self, "\(key)=\(bad)") {
                try TopicChecks.alterConfig("orders", set: [key: bad], in: s)
            }
            #expect(TopicChecks.valueProblem(key, bad).map { !$0.contains(bad) || bad.isEmpty } == true)
        }
        for (key, good) in [
            ("retention.ms", "-1"), ("retention.ms", "3600000"), ("cleanup.policy", "compact,delete"),
            ("compression.type", "zstd"), ("min.cleanable.dirty.ratio", "0.01"), ("preallocate", "false"),
            ("segment.bytes", "1048576"), ("local.retention.ms", "-2"),
        ] {
            #expect(TopicChecks.valueProblem(key, good) == nil, "\(key)=\(good)")
        }
    }

    @Test func removingAConfigGoesBackToTheDefaultAndKeepsTheOthers() throws {
        let plan = try TopicChecks.alterConfig("orders", set: [:], remove: ["retention.ms"], in: s)
        #expect(plan.changes == [.init("orders retention.ms", "86400000", "(default)")])
        #expect(TopicChecks.fullConfig(s.topic("orders")!, set: [:], remove: ["retention.ms"]).isEmpty)
        #expect(
            TopicChecks.fullConfig(s.topic("orders")!, set: ["segment.ms": "1000"], remove: ["retention.ms"])
                == ["segment.ms": "1000"])
        #expect(throws: Refusal("cleanup.policy is not set on orders (it has its default): nothing to remove")) {
            try TopicChecks.alterConfig("orders", set: [:], remove: ["cleanup.policy"], in: s)
        }
        #expect(throws: Refusal("unknown topic config key colour")) {
            try TopicChecks.alterConfig("orders", set: [:], remove: ["colour"], in: s)
        }
        #expect(throws: Refusal("retention.ms is both set and removed: choose one")) {
            try TopicChecks.alterConfig("orders", set: ["retention.ms": "1"], remove: ["retention.ms"], in: s)
        }
        #expect(throws: Refusal("no config to set or remove (--set KEY=VALUE, --delete-config KEY)")) {
            try TopicChecks.alterConfig("orders", set: [:], in: s)
        }
    }

    @Test func addPartitionsRefusedOnKeyedTopicUnlessAccepted() throws {
        #expect(throws: Refusal.self) { try TopicChecks.addPartitions("orders", to: 8, acceptRemap: false, in: s) }
        let plan = try TopicChecks.addPartitions("orders", to: 8, acceptRemap: true, in: s)
        #expect(plan.changes.first == .init("orders partitions", "6", "8"))
        // Every listed move is what the partitioner does with 8 partitions.
        let moves = plan.changes.dropFirst()
        #expect(!moves.isEmpty)
        for m in moves {
            let key = String(m.subject.dropFirst(4))
            #expect(m.after == "partition \(Partitioner.crc32.partition(of: Array(key.utf8), count: 8))")
            #expect(m.before != m.after)
        }
    }

    @Test func addPartitionsAllowedOnUnkeyedTopicAndRefusedDownwards() throws {
        #expect(try TopicChecks.addPartitions("clicks", to: 6, acceptRemap: false, in: s).changes.count == 1)
        #expect(throws: Refusal("clicks has 3 partitions; Kafka cannot decrease a topic's partitions (to 2)")) {
            try TopicChecks.addPartitions("clicks", to: 2, acceptRemap: true, in: s)
        }
        #expect(throws: Refusal.self) { try TopicChecks.addPartitions("clicks", to: 3, acceptRemap: true, in: s) }
        var unsampled = s
        unsampled.topics[1].keys = nil
        #expect(throws: Refusal.self) {
            try TopicChecks.addPartitions("clicks", to: 6, acceptRemap: false, in: unsampled)
        }
    }

    @Test func deleteRecordsShowsWhatGoesAndRefusesBeyondTheHighWatermark() throws {
        let plan = try TopicChecks.deleteRecords("orders", partition: 2, before: 40, in: s)
        #expect(
            plan.changes == [
                .init("orders[2] low watermark", "0", "40"),
                .init("orders[2] records 0…39", "40 readable", "deleted"),
            ])
        #expect(throws: Refusal.self) { try TopicChecks.deleteRecords("orders", partition: 2, before: 101, in: s) }
        #expect(try TopicChecks.deleteRecords("orders", partition: 2, before: 100, in: s).changes.count == 2)
        #expect(throws: Refusal.self) { try TopicChecks.deleteRecords("orders", partition: 9, before: 1, in: s) }
        #expect(throws: Refusal.self) {
            try TopicChecks.deleteRecords("__consumer_offsets", partition: 0, before: 1, in: s)
        }
    }

    @Test func deleteTopicRefusesInternalTopics() throws {
        #expect(throws: Refusal.self) { try TopicChecks.deleteTopic("__consumer_offsets", in: s) }
        #expect(throws: Refusal.self) { try TopicChecks.deleteTopic("nope", in: s) }
        let plan = try TopicChecks.deleteTopic("orders", in: s)
        #expect(plan.changes == [.init("topic orders", "6 partitions, 600 records", "absent")])
        #expect(plan.notes == ["groups with committed offsets on it: billing, live"])
    }
}

@Suite struct PartitionerTests {
    // Kafka's own test vectors (UtilsTest.testMurmur2) and the CRC-32 check value.
    @Test func murmur2MatchesKafka() {
        #expect(Partitioner.murmur2(Array("21".utf8)) == -973_932_308)
        #expect(Partitioner.murmur2(Array("foobar".utf8)) == -790_332_482)
        #expect(Partitioner.murmur2(Array("a-little-bit-long-string".utf8)) == -985_981_536)
        #expect(Partitioner.murmur2(Array("a-little-bit-longer-string".utf8)) == -1_486_304_829)
        #expect(Partitioner.murmur2(Array("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8".utf8)) == -58_897_971)
        #expect(Partitioner.murmur2(Array("abc".utf8)) == 479_470_107)
    }

    @Test func crc32CheckValue() { #expect(Partitioner.crc32(Array("123456789".utf8)) == 0xCBF4_3926) }

    @Test func remapIdentifiesThePartitionerThatPlacedTheKeys() {
        #expect(KeyRemap(placement: Fixture.placement(40, count: 6, .murmur2), from: 6, to: 8).partitioner == .murmur2)
        #expect(KeyRemap(placement: Fixture.placement(40, count: 6, .crc32), from: 6, to: 8).partitioner == .crc32)
        // Keys scattered by no known function: no partitioner, no claimed moves.
        var scattered = Fixture.placement(40, count: 6)
        scattered["key-0"] = (scattered["key-0"]! + 1) % 6
        let remap = KeyRemap(placement: scattered, from: 6, to: 8)
        #expect(remap.partitioner == nil && remap.moved.isEmpty)
    }
}

@Suite struct ReplicaPlanTests {
    /// Four brokers, RF 2, partition sizes very uneven: brokers 1 and 2 hold the heavy ones.
    static var uneven: Snapshot {
        let sizes: [Int64] = [9000, 7000, 500, 400, 300, 200, 100, 100]
        let parts = sizes.enumerated().map { i, size in
            Snapshot.Partition(
                id: Int32(i), leader: i < 2 ? 1 : 3, replicas: i < 2 ? [1, 2] : [3, 4], low: 0, high: size)
        }
        return Snapshot(
            brokers: (1...4).map { .init(id: Int32($0)) }, topics: [.init(name: "logs", partitions: parts)])
    }

    @Test func balanceNarrowsTheGapMovingTheHeaviestFirst() throws {
        let r = try ReplicaPlanner.balance(Self.uneven)
        #expect(r.before.gap == 16000 - 1600)
        #expect(r.after.gap < r.before.gap / 2)
        #expect(r.plan.changes.first?.subject.hasPrefix("logs[0] (9000 records)") == true)
        for e in r.reassignment.partitions { #expect(Set(e.replicas).count == e.replicas.count) }
        // The plan checks against the snapshot it came from, and verifies only after it ran.
        #expect(
            try ReplicaPlanner.check(r.reassignment, in: Self.uneven).changes.count == r.reassignment.partitions.count)
        #expect(!ReplicaPlanner.verify(r.reassignment, in: Self.uneven).isEmpty)
    }

    /// What the embedded cluster reports with 4 brokers: every partition on brokers 1, 2 and 3.
    @Test func mockLikeFourBrokers() throws {
        let sizes: [Int64] = [1600, 1200, 800, 400]
        let parts = sizes.enumerated().map {
            Snapshot.Partition(id: Int32($0), leader: 1, replicas: [1, 2, 3], low: 0, high: $1)
        }
        let r = try ReplicaPlanner.balance(
            Snapshot(brokers: (1...4).map { .init(id: Int32($0)) }, topics: [.init(name: "logs", partitions: parts)]))
        #expect(r.before.gap == 4000)
        #expect(r.after.gap * 2 <= r.before.gap, "\(r.plan.text)")
        #expect(r.plan.changes.first?.subject.hasPrefix("logs[0] ") == true)
    }

    @Test func racksAreRespected() throws {
        var s = Self.uneven
        s.brokers = [
            .init(id: 1, rack: "a"), .init(id: 2, rack: "b"), .init(id: 3, rack: "a"), .init(id: 4, rack: "a"),
        ]
        let r = try ReplicaPlanner.balance(s)
        let racks: [Int32: String] = [1: "a", 2: "b", 3: "a", 4: "a"]
        for e in r.reassignment.partitions where [0, 1].contains(e.partition) {
            #expect(Set(e.replicas.map { racks[$0]! }).count == 2, "logs[\(e.partition)] lost a rack: \(e.replicas)")
        }
    }

    @Test func verifyPassesOnlyWhenReplicasLeadersAndISRMatch() throws {
        let s = Self.uneven
        let r = try ReplicaPlanner.balance(s)
        var after = s
        for e in r.reassignment.partitions {
            let i = after.topics[0].partitions.firstIndex { $0.id == e.partition }!
            after.topics[0].partitions[i] = .init(
                id: e.partition, leader: e.replicas[0], replicas: e.replicas, low: 0, high: 1)
        }
        #expect(ReplicaPlanner.verify(r.reassignment, in: after) == [])
        let moved = r.reassignment.partitions[0]
        let i = after.topics[0].partitions.firstIndex { $0.id == moved.partition }!
        after.topics[0].partitions[i].isr = [moved.replicas[0]]
        after.topics[0].partitions[i].leader = moved.replicas[1]
        #expect(ReplicaPlanner.verify(r.reassignment, in: after).count == 2)
        // Rolling back restores what the snapshot had.
        let rollback = try ReplicaPlanner.rollback(for: r.reassignment, in: s)
        for e in rollback.partitions {
            #expect(e.replicas == s.topics[0].partitions.first { $0.id == e.partition }!.replicas)
        }
    }

    @Test func plansThatCannotRunAreRefused() throws {
        let s = Self.uneven
        #expect(throws: Refusal.self) {
            try ReplicaPlanner.check(
                Reassignment(partitions: [.init(topic: "logs", partition: 0, replicas: [1, 9])]), in: s)
        }
        #expect(throws: Refusal.self) {
            try ReplicaPlanner.check(
                Reassignment(partitions: [.init(topic: "logs", partition: 0, replicas: [3])]), in: s)
        }
        #expect(throws: Refusal.self) {
            try ReplicaPlanner.check(
                Reassignment(partitions: [.init(topic: "nope", partition: 0, replicas: [1, 2])]), in: s)
        }
        var one = s
        one.brokers = [.init(id: 1)]
        #expect(throws: Refusal.self) { try ReplicaPlanner.balance(one) }
    }

    @Test func malformedPlanFilesAreRefusedSayingWhere() throws {
        #expect(throws: Refusal("p.json: malformed plan: partitions[0].replicas is missing")) {
            try Reassignment.parse(#"{"version":1,"partitions":[{"topic":"t","partition":0}]}"#, source: "p.json")
        }
        #expect(throws: Refusal.self) { try Reassignment.parse("{not json", source: "p.json") }
        #expect(throws: Refusal.self) { try Reassignment.parse(#"{"version":1,"partitions":[]}"#, source: "p.json") }
        #expect(throws: Refusal.self) {
            try Reassignment.parse(
                #"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,1]}]}"#, source: "p.json")
        }
        let good = Reassignment(partitions: [.init(topic: "t", partition: 0, replicas: [2, 1])])
        #expect(try Reassignment.parse(good.json(), source: "p.json") == good)
    }

    @Test func preferredElectionListsOnlyPartitionsOffTheirPreferredReplica() throws {
        var s = Fixture.cluster
        s.topics[0].partitions[1].leader = 3  // replicas [2,3,1]
        s.topics[0].partitions[4].leader = 1  // replicas [2,3,1]; broker 2 down below
        s.brokers[1].live = false
        let plan = try LeaderChecks.preferredElection(s, topic: "orders").plan
        #expect(plan.changes == [])
        s.brokers[1].live = true
        let (plan2, elect) = try LeaderChecks.preferredElection(s, topic: "orders")
        #expect(elect.map(\.partition) == [1, 4])
        #expect(plan2.changes == [.init("orders[1] leader", "3", "2"), .init("orders[4] leader", "1", "2")])
        #expect(throws: Refusal.self) { try LeaderChecks.preferredElection(s, topic: "nope") }
    }
}

@Suite struct InventoryTests {
    @Test func inventoryListsTopicsAndGroupLag() throws {
        let inv = Inventory(Fixture.cluster)
        #expect(inv.topics.map(\.name) == ["__consumer_offsets", "clicks", "orders"])
        #expect(inv.groups?.first { $0.name == "billing" }?.lag == ["orders": 60])
        #expect(try Inventory.parse(inv.json(), source: "x") == inv)
    }

    @Test func diffFindsDriftAndNothingElse() throws {
        let expected = Inventory(Fixture.cluster)
        #expect(Inventory.diff(expected: expected, actual: expected) == [])
        var s = Fixture.cluster
        s.topics[0].partitions.append(.init(id: 6, leader: 1, replicas: [1, 2, 3]))
        s.topics[0].configs = ["retention.ms": "1"]
        s.topics.remove(at: 1)
        s.topics.append(.init(name: "surprise", partitions: Fixture.partitions(1)))
        s.groups[0].committed = ["orders": [0: 100]]  // lag changes are not drift
        let drift = Inventory.diff(expected: expected, actual: Inventory(s)).map(\.description)
        #expect(
            drift == [
                "topic clicks: expected present, found absent",
                "topic orders partitions: expected 6, found 7",
                "topic orders config retention.ms: expected 86400000, found 1",
                "topic surprise: expected absent, found present",
            ])
        #expect(throws: Refusal.self) { try Inventory.parse(#"{"topics":[{"name":"x"}]}"#, source: "x") }
    }
}

@Suite struct OffsetResetTests {
    @Test func resetPlansEachPartitionAndRefusesActiveGroups() throws {
        let s = Fixture.cluster
        let (plan, offsets) = try GroupChecks.resetOffsets(group: "billing", topic: "orders", to: .earliest, in: s)
        #expect(offsets.values.allSatisfy { $0 == 0 } && offsets.count == 6)
        #expect(plan.changes.first == .init("billing orders[0]", "40", "0"))
        #expect(plan.changes.last == .init("billing orders[5]", "(none)", "0"))
        #expect(throws: Refusal.self) {
            try GroupChecks.resetOffsets(group: "live", topic: "orders", to: .earliest, in: s)
        }
        #expect(throws: Refusal.self) {
            try GroupChecks.resetOffsets(group: "billing", topic: "orders", to: .offset(101), in: s)
        }
        #expect(throws: Refusal.self) {
            try GroupChecks.resetOffsets(group: "nobody", topic: "orders", to: .latest, in: s)
        }
        #expect(
            try GroupChecks.resetOffsets(group: "billing", topic: "orders", to: .shift(-50), in: s).offsets[0] == 0)
        #expect(
            OffsetTarget("shift:-5") == .shift(-5) && OffsetTarget("-3") == nil && OffsetTarget("12") == .offset(12))
    }
}

@Test func countsAgreeWithTheirNoun() {
    #expect(counted(1, "partition") == "1 partition")
    #expect(counted(6, "partition") == "6 partitions")
    #expect(counted(0, "record") == "0 records")
}
