import Testing
import Verification

@Suite("Committed offsets and redelivery")
struct CommitsTests {
    typealias R = Commits.Read
    // Partition 0 committed at 2: offsets 0 and 1 were committed, 2 and 3 read but not committed.
    static let crashed = (0..<4).map { R(id: UInt64($0), partition: 0, offset: Int64($0)) }
    static let committed: [Int32: Int64] = [0: 2]

    @Test func aRestartPastOrBeforeTheCommittedOffsetFails() {
        let restarted = (2..<5).map { R(id: UInt64($0), partition: 0, offset: Int64($0)) }
        #expect(Commits.restartedAtCommitted(committed: Self.committed, restarted: restarted).holds)
        let late = Array(restarted.dropFirst())
        #expect(Commits.restartedAtCommitted(committed: Self.committed, restarted: late).problems
            == ["restarted at [0]@3, committed 2"])
        #expect(Commits.restartedAtCommitted(committed: [:], restarted: [R(id: 9, partition: 1, offset: 4)]).problems
            == ["restarted at [1]@4, committed 0"])
        #expect(!Commits.restartedAtCommitted(committed: Self.committed, restarted: []).holds)
    }

    /// Seen on a foreign broker: commits at 40, 192 and 168 over logs that end at 1, 2 and 1, and nothing read
    /// after the restart; the verdict says the cluster's answers do not add up, not only "no evidence".
    @Test func aCommitBeyondTheLogEndIsNamed() {
        let nothing = Commits.restartedAtCommitted(committed: [0: 40, 1: 2], restarted: [], logEnds: [0: 1, 1: 2])
        #expect(nothing.problems.contains {
            $0.hasPrefix("the group's committed offsets [0]@40 lie beyond the log ends the cluster reports ([0]@1)")
        }, "\(nothing.problems)")
        #expect(nothing.problems.contains { $0.hasPrefix("no evidence") })
        let read = [R(id: 1, partition: 0, offset: 40)]
        #expect(Commits.restartedAtCommitted(committed: [0: 40], restarted: read, logEnds: [0: 1]).problems.count == 1)
        #expect(Commits.restartedAtCommitted(committed: [0: 40], restarted: read, logEnds: [0: 41]).holds)
    }

    @Test func redeliveringOtherRecordsOrLosingOneFails() {
        let restarted = (2..<5).map { R(id: UInt64($0), partition: 0, offset: Int64($0)) }
        #expect(Commits.redeliveredExactlyUncommitted(2, crashed: Self.crashed, committed: Self.committed,
                                                      restarted: restarted, acknowledged: [0, 1, 2, 3, 4]).holds)
        let fromOne = (1..<5).map { R(id: UInt64($0), partition: 0, offset: Int64($0)) }
        #expect(Commits.redeliveredExactlyUncommitted(2, crashed: Self.crashed, committed: Self.committed,
                                                      restarted: fromOne, acknowledged: [0, 1, 2, 3, 4]).problems
            == ["redelivered 3 records, expected the 2 uncommitted ones", "redelivered 3, expected 2"])
        #expect(Commits.redeliveredExactlyUncommitted(2, crashed: Self.crashed, committed: Self.committed,
                                                      restarted: restarted, acknowledged: [0, 1, 2, 3, 4, 5]).problems
            == ["1 acknowledged records never read, e.g. [5]"])
    }

    @Test func committedOffsetsOtherThanProcessedFail() {
        #expect(Commits.committedAsProcessed(committed: [0: 3, 1: 4], processed: [0: 3, 1: 4]).holds)
        #expect(Commits.committedAsProcessed(committed: [0: 3], processed: [0: 3, 1: 4]).problems
            == ["committed [(key: 0, value: 3)], processed [(key: 0, value: 3), (key: 1, value: 4)]"])
        #expect(!Commits.committedAsProcessed(committed: [:], processed: [:]).holds)
    }

    @Test func aBackfillShortOfTheRangeOrOnAnotherPartitionFails() {
        let exact = (10...12).map { (partition: Int32(0), offset: Int64($0)) }
        #expect(Commits.backfill(read: exact, first: 10, last: 12, partition: 0).holds)
        #expect(Commits.backfill(read: Array(exact.dropLast()), first: 10, last: 12, partition: 0).problems
            == ["processed 2 records, offsets 10–11 of partitions [0]; expected 10–12 of 0"])
        #expect(!Commits.backfill(read: exact, first: 10, last: 12, partition: 1).holds)
        #expect(Commits.backfill(read: [], first: 10, last: 12, partition: 0).problems
            == ["processed 0 records, offsets -–- of partitions []; expected 10–12 of 0"])
    }
}
