import Testing
import Verification

@Suite("Admin claims")
struct AdminClaimsTests {
    @Test func onlyARefusalForTheReasonPasses() {
        #expect(AdminClaims.refused(.refused(reason: "above the 3 live brokers"), because: "3 live brokers").holds)
        #expect(AdminClaims.refused(.refused(reason: "internal topic"), because: "live brokers").problems
            == [#"refused, but because "internal topic", not "live brokers""#])
        #expect(AdminClaims.refused(.accepted(text: "create t", dryRun: true), because: "x").problems
            == ["the admin tool did not refuse; it planned:\ncreate t"])
        #expect(!AdminClaims.refused(.unsent("no Admin API"), because: "x").holds)
    }

    @Test func aChangeToAnotherValueOrNoChangeFails() {
        let plan = [AdminClaims.Change("topic orders", "absent", "6 partitions")]
        #expect(AdminClaims.changes("orders", before: "absent", after: "6 partitions", plan: plan, planText: "p").holds)
        #expect(AdminClaims.changes("orders", before: nil, after: "6 partitions", plan: plan, planText: "p").holds)
        #expect(AdminClaims.changes("orders", before: "absent", after: "3 partitions", plan: plan, planText: "p")
            .problems
            == [#"the plan changes topic orders from "absent" to "6 partitions""#])
        #expect(AdminClaims.changes("audit", before: nil, after: "x", plan: plan, planText: "p").problems
            == ["the plan changes nothing about \"audit\":\np"])
    }

    @Test func topicListsAndConfigs() {
        #expect(AdminClaims.topicAbsent("t", listed: ["a"]).holds)
        #expect(AdminClaims.topicAbsent("t", listed: ["t", "a"]).problems
            == [#"the cluster lists topic t: ["a", "t"]"#])
        #expect(AdminClaims.partitionCount("t", reported: 6, expected: 6).holds)
        #expect(AdminClaims.partitionCount("t", reported: 3, expected: 6).problems
            == ["topic t has 3 partitions on the cluster, expected 6"])
        #expect(AdminClaims.partitionCount("t", reported: nil, expected: 6).problems
            == ["the cluster does not list topic t"])
        let entries: [(name: String, value: String?)] = [("retention.ms", "3600000"), ("password", nil)]
        #expect(AdminClaims.nonDefaultConfig("t", key: "retention.ms", value: "3600000", entries: entries).holds)
        #expect(AdminClaims.nonDefaultConfig("t", key: "retention.ms", value: "1", entries: entries).problems
            == ["t has no non-default retention.ms=1: retention.ms=3600000, password=?"])
    }

    @Test func watermarksReadBackAndCommittedOffsets() {
        #expect(AdminClaims.lowWatermark("t", partition: 0, low: 40, high: 100, expected: 40).holds)
        #expect(AdminClaims.lowWatermark("t", partition: 0, low: 0, high: 100, expected: 40).problems
            == ["t[0] starts at 0 (high 100), expected 40"])
        #expect(AdminClaims.readsBack("t", partition: 0, offsets: Array(40...99), first: 40, last: 99).holds)
        #expect(AdminClaims.readsBack("t", partition: 0, offsets: Array(40...98) + [100], first: 40, last: 99).problems
            == ["t[0] reads back 60 records, offsets 40 to 100, expected 40 to 99"])
        #expect(!AdminClaims.readsBack("t", partition: 0, offsets: [], first: 40, last: 99).holds)
        let all: [(partition: Int32, offset: Int64)] = [(0, 30), (1, 30)]
        #expect(AdminClaims.committedOnEveryPartition(group: "g", offsets: all, expected: 30, partitions: 2).holds)
        #expect(AdminClaims.committedOnEveryPartition(group: "g", offsets: [(0, 30)], expected: 30, partitions: 2)
            .problems
            == ["group g has committed [0]@30, expected 30 on each of 2 partitions"])
        #expect(!AdminClaims.committedOnEveryPartition(group: "g", offsets: [(0, 30), (1, 0)], expected: 30,
                                                       partitions: 2).holds)
    }

    @Test func groupsInventoryAndDrift() {
        let listed: [(name: String, members: Int?)] = [("g", 0), ("h", nil)]
        #expect(AdminClaims.groupListed("g", members: 0, listed: listed).holds)
        #expect(AdminClaims.groupListed("h", members: 0, listed: listed).problems
            == ["group h has ? members, expected 0"])
        #expect(AdminClaims.groupListed("x", members: 0, listed: listed).problems
            == [#"group x is not listed: ["g", "h"]"#])
        let topics: [(name: String, partitions: Int, replicationFactor: Int)] = [("t", 6, 3)]
        #expect(AdminClaims.inventoryLists("t", partitions: 6, replicationFactor: 3, listed: topics).holds)
        #expect(AdminClaims.inventoryLists("t", partitions: 6, replicationFactor: nil, listed: topics).holds)
        #expect(AdminClaims.inventoryLists("t", partitions: 6, replicationFactor: 1, listed: topics).problems
            == ["the inventory lists t with 6 partitions and replication factor 3"])
        #expect(AdminClaims.inventoryLists("t", partitions: 4, replicationFactor: nil, listed: topics).problems
            == ["the inventory lists t with 6 partitions, not 4"])
        #expect(!AdminClaims.inventoryLists("u", partitions: 6, replicationFactor: nil, listed: topics).holds)
        #expect(AdminClaims.noDrift([]).holds)
        #expect(AdminClaims.noDrift(["a", "b"]).problems == ["drift: a; b"])
        #expect(AdminClaims.showsDrift("a", drift: ["a"]).holds)
        #expect(AdminClaims.showsDrift("a", drift: []).problems == [#"no drift "a"; found: none"#])
    }

    @Test func aGroupDescriptionAgainstTheLedger() {
        let ends: [Int32: Int64] = [0: 50, 1: 50]
        func described(_ rows: [(Int32, Int64, Int64?)]) -> [(partition: Int32, committed: Int64, lag: Int64?)] {
            rows.map { (partition: $0.0, committed: $0.1, lag: $0.2) }
        }
        #expect(AdminClaims.groupDescribed("g", topic: "t", partitions: 2, expected: 30,
                                           described: described([(0, 30, 20), (1, 30, 20)]), acknowledgedEnds: ends).holds)
        #expect(AdminClaims.groupDescribed("g", topic: "t", partitions: 2, expected: 30,
                                           described: described([(0, 30, 20), (1, 30, 0)]), acknowledgedEnds: ends)
            .problems == ["t[1]: lag 0, but 20 records were acknowledged after the committed offset"])
        #expect(AdminClaims.groupDescribed("g", topic: "t", partitions: 2, expected: 30,
                                           described: described([(0, 30, 20)]), acknowledgedEnds: ends)
            .problems == ["the description of g shows nothing for t[1]"])
        #expect(AdminClaims.groupDescribed("g", topic: "t", partitions: 2, expected: 0,
                                           described: described([(0, 30, 20), (1, 30, 20)]), acknowledgedEnds: ends)
            .problems.count == 2)
        // A lying cluster: a commit beyond the log end.
        #expect(AdminClaims.groupDescribed("g", topic: "t", partitions: 1, expected: 60,
                                           described: described([(0, 60, -10)]), acknowledgedEnds: ends)
            .problems == ["t[0]: lag -10 is negative (an offset beyond the log end)"])
        #expect(!AdminClaims.groupDescribed("g", topic: "t", partitions: 1, expected: 0, described: [],
                                            acknowledgedEnds: ends).holds)
    }

    @Test func aRemovedOverrideIsNotListed() {
        let entries: [(name: String, value: String?)] = [("segment.ms", "600000"), ("retention.ms", "3600000")]
        #expect(AdminClaims.noNonDefaultConfig("t", key: "cleanup.policy", entries: entries).holds)
        #expect(AdminClaims.noNonDefaultConfig("t", key: "retention.ms", entries: entries).problems
            == ["t still has a non-default retention.ms=3600000"])
    }

    @Test func topicListingAndDescription() {
        let listed: [(name: String, partitions: Int)] = [("t", 6), ("u", 1)]
        #expect(AdminClaims.topicListed("t", partitions: 6, listed: listed).holds)
        #expect(AdminClaims.topicListed("t", partitions: 3, listed: listed).problems
            == ["the topic listing shows t with 6 partitions, not 3"])
        #expect(AdminClaims.topicListed("x", partitions: 1, listed: listed).problems
            == [#"the topic listing does not show x: ["t", "u"]"#])
        #expect(!AdminClaims.topicListed("x", partitions: 1, listed: []).holds)
        typealias P = Plausibility.Partition
        let good = [P(id: 0, leader: 1, replicas: [1, 2], isr: [1, 2]), P(id: 1, leader: 2, replicas: [2, 1], isr: [2])]
        #expect(AdminClaims.described("t", partitions: 2, partitions: good, brokers: [1, 2]).holds)
        #expect(AdminClaims.described("t", partitions: 3, partitions: good, brokers: [1, 2]).problems
            == ["the description of t shows 2 partitions, not 3"])
        let outOfSync = [P(id: 0, leader: 1, replicas: [1, 2], isr: [2])]
        #expect(AdminClaims.described("t", partitions: 1, partitions: outOfSync, brokers: [1, 2]).problems
            == ["t partition 0 is led by broker 1, not one of its in-sync replicas [2]"])
        let leaderless = [P(id: 0, leader: -1, replicas: [1, 2], isr: [2])]
        #expect(AdminClaims.described("t", partitions: 1, partitions: leaderless, brokers: [1, 2]).problems
            == ["t partition 0 has no leader"])
        // A lying cluster: broker 1 twice is not two replicas, and the description is not judged further.
        let twice = [P(id: 0, leader: 1, replicas: [1, 1], isr: [1, 1])]
        #expect(!AdminClaims.described("t", partitions: 1, partitions: twice, brokers: [1]).holds)
        #expect(!AdminClaims.described("t", partitions: 0, partitions: [], brokers: [1]).holds)
    }

    @Test func reassignmentPlansAndTheirVerification() {
        #expect(AdminClaims.movesFirst("logs", partition: 0, subjects: ["logs[0] replicas", "logs[1] replicas"]).holds)
        #expect(AdminClaims.movesFirst("logs", partition: 1, subjects: ["logs[0] replicas"]).problems
            == ["the plan moves logs[0] replicas first"])
        #expect(AdminClaims.movesFirst("logs", partition: 0, subjects: []).problems == ["the plan moves nothing"])
        let moved: [(topic: String, partition: Int32)] = [("logs", 0), ("logs", 1)]
        let both = ["logs[0] replicas [1]", "logs[1] replicas [2]"]
        #expect(AdminClaims.notVerifiedBeforeRun(moved: moved, problems: both).holds)
        #expect(AdminClaims.notVerifiedBeforeRun(moved: moved, problems: ["logs[0] replicas [1]"]).problems
            == [#"verification passes partitions that have not moved: ["logs[1]"]"#])
        #expect(AdminClaims.reassignmentVerified([]).holds)
        #expect(AdminClaims.reassignmentVerified(["a", "b"]).problems == ["not verified: a; b"])
    }

    @Test func electionsAndLoadGaps() {
        let move: Set = ["[0] leader: 2 → 1"]
        #expect(AdminClaims.electionPlan("t", planned: move, expected: move).holds)
        #expect(!AdminClaims.electionPlan("t", planned: [], expected: ["[0] leader: 2 → 1"]).holds)
        #expect(!AdminClaims.electionPlan("t", planned: [], expected: []).holds)
        let off = [AdminClaims.OffPreferred(partition: 1, leader: 3, replicas: [2, 3])]
        #expect(AdminClaims.ledByPreferred("t", reported: 2, off: []).holds)
        #expect(AdminClaims.ledByPreferred("t", reported: 2, off: off).problems
            == ["partitions of t not led by their preferred replica: [1] leader 3, replicas [2, 3]"])
        #expect(AdminClaims.ledByPreferred("t", reported: 0, off: []).problems
            == ["the cluster reports no partitions for t"])
        #expect(AdminClaims.gapNarrowed(before: [1: 100, 2: 0], after: [1: 50, 2: 50], moves: 1, percent: 50).holds)
        #expect(AdminClaims.gapNarrowed(before: [1: 100, 2: 0], after: [1: 80, 2: 20], moves: 1, percent: 50).problems
            == ["the plan narrows the load gap from 100 to 60 records, 40 %, not 50 %"])
        #expect(!AdminClaims.gapNarrowed(before: [1: 50, 2: 50], after: [1: 50, 2: 50], moves: 1, percent: 0).holds)
        #expect(!AdminClaims.gapNarrowed(before: [1: 100, 2: 0], after: [1: 100, 2: 0], moves: 0, percent: 0).holds)
        #expect(AdminClaims.gapAsPredicted(measured: [1: 50, 2: 40], predicted: 10, before: 100).holds)
        #expect(AdminClaims.gapAsPredicted(measured: [1: 90, 2: 10], predicted: 10, before: 100).problems
            == ["the load gap is 80 records; the plan predicted 10 (before: 100)"])
    }
}
