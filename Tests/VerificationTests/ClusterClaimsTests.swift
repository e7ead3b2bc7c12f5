import Testing
import Verification

@Suite("Brokers, leadership and retention")
struct ClusterClaimsTests {
    typealias P = Plausibility.Partition
    static let moved = [P(id: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 3]),
                        P(id: 1, leader: 3, replicas: [2, 3, 1], isr: [3, 1])]

    @Test func moreDistinctReplicasThanBrokersCannotExist() {
        #expect(Placement.distinctReplicasPossible(3, brokers: 3).holds)
        #expect(Placement.distinctReplicasPossible(4, brokers: 3).problems
            == ["4 replicas on distinct brokers cannot exist on a cluster of 3 brokers"])
    }

    @Test func aBrokerStillLeadingAfterTheWaitIsReportedWithTheWait() {
        #expect(Placement.noneLedBy(2, topic: "t", partitions: Self.moved, brokers: [1, 2, 3], waited: 5).holds)
        #expect(Placement.noneLedBy(1, topic: "t", partitions: Self.moved, brokers: [1, 2, 3], waited: 5).problems
            == ["broker 1 still leads partitions [0] of t (after 5 s)"])
        // Implausible metadata is not a matter of waiting.
        #expect(Placement.noneLedBy(2, topic: "t", partitions: Self.moved, brokers: [1, 3], waited: 5).problems
            == ["the cluster has no broker 2 (its metadata lists brokers [1, 3])"])
    }

    @Test func aLeaderThatDoesNotAnswerFails() {
        let up = Placement.Probe(broker: 1, answered: true, summary: "answered in 2 ms")
        let down = Placement.Probe(broker: 3, answered: false, summary: "connection refused")
        #expect(Placement.leadersServing(topic: "t", probes: [up]).holds)
        #expect(Placement.leadersServing(topic: "t", probes: [up, down]).problems
            == ["broker 3, named leader of partitions of t, is not serving: connection refused"])
        #expect(!Placement.leadersServing(topic: "t", probes: []).holds)
    }

    @Test func aBrokerBackAnswersAndIsListed() {
        let up = Placement.Probe(broker: 2, answered: true, summary: "answered")
        #expect(Placement.brokerBack(up, listed: [1, 2, 3]).holds)
        #expect(Placement.brokerBack(up, listed: [1, 3]).problems
            == ["broker 2 is missing from the metadata (brokers [1, 3])"])
        let down = Placement.Probe(broker: 2, answered: false, summary: "timed out")
        #expect(Placement.brokerBack(down, listed: [1, 2, 3]).problems == ["broker 2 is not serving: timed out"])
    }

    @Test func recordsLeftAfterRetentionOrNoneWrittenFail() {
        #expect(Retention.recordsGone(written: 10, remaining: [:], after: 60).holds)
        #expect(Retention.recordsGone(written: 10, remaining: [1: 4, 0: 10], after: 1).problems
            == ["after 1 s records are still there: partition 0: 10, partition 1: 4"])
        #expect(!Retention.recordsGone(written: 0, remaining: [:], after: 60).holds)
    }

    @Test func replicasOnTheStatedBrokersInAnyOrderEachOnce() {
        #expect(Placement.replicasOn([1, 2, 3], topic: "t", partitions: Self.moved, brokers: [1, 2, 3]).holds)
        #expect(Placement.replicasOn([1, 2, 4], topic: "t", partitions: Self.moved, brokers: [1, 2, 3, 4]).problems
            == ["t[0] has its replicas on brokers [1, 2, 3], not [1, 2, 4]",
                "t[1] has its replicas on brokers [2, 3, 1], not [1, 2, 4]"])
        let twice = [P(id: 0, leader: 1, replicas: [1, 2, 2], isr: [1, 2])]
        #expect(!Placement.replicasOn([1, 2], topic: "t", partitions: twice, brokers: [1, 2]).holds)
        #expect(!Placement.replicasOn([1, 2], topic: "t", partitions: [], brokers: [1, 2]).holds)
    }
}
