import Testing
import Verification

/// What a cluster reports, checked before a verdict trusts it. Each case is something a broker really
/// said (Tansu 0.6.0 in the foreign-broker trial) or a mutation of a healthy answer.
@Suite("Plausibility of what a cluster reports")
struct PlausibilityTests {
    typealias P = Plausibility.Partition
    static let healthy = (0..<3).map { i -> P in
        let r: [Int32] = [1, 2, 3].map { Int32(($0 + i - 1) % 3 + 1) }
        return P(id: Int32(i), leader: r[0], replicas: r, isr: r)
    }

    @Test func aHealthyAnswerIsPlausible() {
        #expect(Plausibility.metadata(topic: "t", partitions: Self.healthy, brokers: [1, 2, 3]).holds)
    }

    @Test func oneBrokerListedThreeTimesIsNotReplicationFactorThree() {
        let tansu = [P(id: 0, leader: 111, replicas: [111, 111, 111], isr: [111, 111, 111])]
        #expect(tansu[0].replicationFactor == 1)
        let v = Plausibility.metadata(topic: "t", partitions: tansu, brokers: [111])
        #expect(v.problems == ["t partition 0 lists broker 111 more than once in its replicas [111, 111, 111]",
                               "t partition 0 lists broker 111 more than once in its ISR [111, 111, 111]"])
        #expect(!Placement.replicasOnDistinctBrokers(3, topic: "t", partitions: tansu, brokers: [111]).holds)
        #expect(!Placement.allInSync(topic: "t", partitions: tansu, brokers: [111]).holds)
    }

    @Test func unknownBrokersAnISROutsideTheReplicasAndAForeignLeaderFail() {
        let odd = [P(id: 0, leader: 9, replicas: [1, 2], isr: [1, 3])]
        #expect(Plausibility.metadata(topic: "t", partitions: odd, brokers: [1, 2, 3]).problems == [
            "t partition 0 has in-sync replicas [3] that are not replicas [1, 2]",
            "t partition 0 names brokers [9] that the metadata does not list [1, 2, 3]",
            "t partition 0 is led by broker 9, which is not one of its replicas [1, 2]",
        ])
        let twice = [P(id: 0, leader: 1, replicas: [1], isr: [1]), P(id: 0, leader: 1, replicas: [1], isr: [1])]
        #expect(!Plausibility.metadata(topic: "t", partitions: twice, brokers: [1]).holds)
    }

    @Test func aClaimAboutABrokerTheClusterDoesNotHaveFails() {
        let one = [P(id: 0, leader: 111, replicas: [111], isr: [111])]
        #expect(Placement.noneLedBy(2, topic: "t", partitions: one, brokers: [111]).problems
                    == ["the cluster has no broker 2 (its metadata lists brokers [111])"])
        #expect(Placement.noneLedBy(111, topic: "t", partitions: one, brokers: [111]).problems
                    == ["broker 111 still leads partitions [0] of t"])
        #expect(Placement.noneLedBy(2, topic: "t", partitions: Self.healthy.map {
            P(id: $0.id, leader: $0.leader == 2 ? 3 : $0.leader, replicas: $0.replicas, isr: $0.isr)
        }, brokers: [1, 2, 3]).holds)
    }

    @Test func aShrunkISRIsOutOfSync() {
        var shrunk = Self.healthy
        shrunk[2].isr = [shrunk[2].replicas[0]]
        #expect(Placement.allInSync(topic: "t", partitions: Self.healthy, brokers: [1, 2, 3]).holds)
        #expect(Placement.allInSync(topic: "t", partitions: shrunk, brokers: [1, 2, 3]).problems
                    == ["partitions with replicas out of sync: 2 replicas [3, 1, 2] isr [3]"])
        var twoReplicas = Self.healthy
        twoReplicas[0].replicas = [1, 2]
        twoReplicas[0].isr = [1, 2]
        #expect(Placement.replicasOnDistinctBrokers(3, topic: "t", partitions: twoReplicas, brokers: [1, 2, 3]).problems
                    == ["partitions without 3 distinct replicas: 0 → [1, 2]"])
    }

    @Test func leadersSpreadAndLeaderlessPartitions() {
        #expect(Placement.leadersSpread(over: 3, topic: "t", partitions: Self.healthy, brokers: [1, 2, 3]).holds)
        #expect(!Placement.leadersSpread(over: 2, topic: "t", partitions: Self.healthy, brokers: [1, 2, 3]).holds)
        var offline = Self.healthy
        offline[1].leader = -1
        #expect(Placement.leadersSpread(over: 2, topic: "t", partitions: offline, brokers: [1, 2, 3]).problems
                    == ["partitions [1] of t have no leader"])
    }

    @Test func emptyMetadataNeverPasses() {
        for v in [Placement.replicasOnDistinctBrokers(3, topic: "t", partitions: [], brokers: [1]),
                  Placement.allInSync(topic: "t", partitions: [], brokers: [1]),
                  Placement.leadersSpread(over: 0, topic: "t", partitions: [], brokers: [1]),
                  Placement.noneLedBy(1, topic: "t", partitions: [], brokers: [1])] {
            #expect(v.problems == ["no evidence: 0 partitions of t in the metadata — a claim about nothing cannot pass"])
        }
    }

    @Test func aCreatedTopicIsReadBack() {
        #expect(Placement.created(topic: "t", partitions: 3, replicationFactor: 3, reported: Self.healthy,
                                  brokers: [1, 2, 3], modelsReplication: true).holds)
        #expect(Placement.created(topic: "t", partitions: 4, replicationFactor: 3, reported: Self.healthy,
                                  brokers: [1, 2, 3], modelsReplication: true).problems
                    == ["t was created with 4 partitions; the cluster reports 3"])
        #expect(!Placement.created(topic: "t", partitions: 3, replicationFactor: 1, reported: Self.healthy,
                                   brokers: [1, 2, 3], modelsReplication: true).holds)
        // Where replication is not modelled (the mock) only the partitions are judged; the step says so.
        #expect(Placement.created(topic: "t", partitions: 3, replicationFactor: 1, reported: Self.healthy,
                                  brokers: [1, 2, 3], modelsReplication: false).holds)
        let tansu = [P(id: 0, leader: 111, replicas: [111, 111, 111], isr: [111, 111, 111])]
        #expect(!Placement.created(topic: "t", partitions: 1, replicationFactor: 3, reported: tansu,
                                   brokers: [111], modelsReplication: true).holds)
    }

    @Test func aNegativeLagIsImplausible() {
        #expect(Plausibility.lags([("p0", 0), ("p1", 12)]).holds)
        #expect(Plausibility.lags([("p0", 3), ("p1", -44)]).problems
                    == ["p1: lag -44 is negative (an offset beyond the log end)"])
    }
}

/// The key-move plan against the ledger: every acknowledged key that moves is listed, nothing else.
@Suite("Key moves against the ledger")
struct KeyMovesTests {
    typealias M = KeyMoves.Move
    static let expected = ["a": M(from: 0, to: 6), "b": M(from: 1, to: 7), "c": M(from: 2, to: 7)]
    static let readBack: [String: Set<Int32>] = ["a": [0], "b": [1], "c": [2], "d": [3]]

    @Test func theFullListPasses() {
        #expect(KeyMoves.verdict(listed: Self.expected, expected: Self.expected, acknowledgedKeys: 20,
                                 readBack: Self.readBack).holds)
    }

    // The foreign-broker trial: 20 keys acknowledged, the plan listed the 3 it could read back.
    @Test func aPlanBuiltFromTheKeysReadBackFailsWhenTheClusterLostSome() {
        let listed = ["a": M(from: 0, to: 6)]
        #expect(KeyMoves.verdict(listed: listed, expected: Self.expected, acknowledgedKeys: 20,
                                 readBack: ["a": [0]]).problems
                    == ["2 acknowledged keys that move are not in the plan, e.g. b, c"])
    }

    @Test func extraOrMisplacedKeysFail() {
        var listed = Self.expected
        listed["z"] = M(from: 3, to: 5)
        listed["a"] = M(from: 0, to: 5)
        let v = KeyMoves.verdict(listed: listed, expected: Self.expected, acknowledgedKeys: 20, readBack: Self.readBack)
        #expect(v.problems.count == 3)
        #expect(v.problems[0] == "the plan lists keys that were not acknowledged there or do not move, e.g. z")
        #expect(v.problems[1] == "keys planned from or to the wrong partition: a plan 0 → 5, acknowledged 0 → 6")
    }

    @Test func nothingAcknowledgedIsNoEvidence() {
        #expect(!KeyMoves.verdict(listed: [:], expected: [:], acknowledgedKeys: 0, readBack: [:]).holds)
    }
}
