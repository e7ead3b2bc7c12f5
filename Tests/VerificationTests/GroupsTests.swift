import Testing
import Verification

@Suite("Keys, partitions and consumer groups")
struct GroupsTests {
    @Test func aKeyInTwoPartitionsFailsAndNoKeyIsNoEvidence() {
        #expect(Groups.keysInOnePartition(["a": [0], "b": [1]]).holds)
        #expect(Groups.keysInOnePartition(["a": [0], "b": [1, 2]]).problems
            == ["keys in more than one partition: b → [1, 2]"])
        #expect(Groups.keysInOnePartition([:]).problems == ["no acknowledged keyed record to check"])
    }

    @Test func aKeyThatMovesOrIsNotSentAgainFails() {
        #expect(Groups.keysStayPut(before: ["a": 0, "b": 1], again: ["a": 0, "b": 1]).holds)
        #expect(Groups.keysStayPut(before: ["a": 0, "b": 1], again: ["a": 0, "b": 2]).problems
            == ["keys changed partition: b: 1 then 2"])
        #expect(Groups.keysStayPut(before: ["a": 0], again: [:]).problems
            == ["keys changed partition: a: 0 then not sent"])
        #expect(!Groups.keysStayPut(before: [:], again: [:]).holds)
    }

    @Test func aGroupThatMissedAnAcknowledgedIdFails() {
        #expect(Groups.receivedEveryAcknowledged(group: "g", read: [1, 2, 3], acknowledged: [1, 2]).holds)
        #expect(Groups.receivedEveryAcknowledged(group: "g", read: [1], acknowledged: [1, 2]).problems
            == ["group g missed 1 of 2 acknowledged messages, e.g. [2]"])
        #expect(Groups.receivedEveryAcknowledged(group: "g", read: [1], acknowledged: []).problems
            == ["nothing was acknowledged, so nothing can be checked"])
    }

    @Test func sharedMissingAndIdleAssignmentsFail() {
        #expect(Groups.splitWithNoneShared(partitions: 3, assignments: [[0], [1], [2]]).holds)
        #expect(Groups.splitWithNoneShared(partitions: 2, assignments: [[0], [0]]).problems
            == ["partitions assigned twice: [0]", "partitions nobody reads: [1]"])
        #expect(Groups.splitWithNoneShared(partitions: 3, assignments: [[0, 1, 2], []]).problems
            == ["an idle consumer while partitions remain: [[0, 1, 2], []]"])
        // More consumers than partitions: an idle one is expected.
        #expect(Groups.splitWithNoneShared(partitions: 1, assignments: [[0], []]).holds)
        #expect(!Groups.splitWithNoneShared(partitions: 3, assignments: []).holds)
    }
}
