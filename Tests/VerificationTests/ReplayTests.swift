import Testing
import Verification

@Suite("Reprocessing gives the same records in the same order")
struct ReplayTests {
    static func r(_ p: Int32, _ o: Int64, _ k: String, _ v: String) -> Replay.Record {
        Replay.Record(partition: p, offset: o, key: Array(k.utf8), value: Array(v.utf8))
    }
    static let first = [r(0, 0, "a", "1"), r(0, 1, "b", "2"), r(1, 0, "c", "3")]

    @Test func theSameRecordsAtOtherOffsetsHold() {
        let second = [Self.r(0, 5, "a", "1"), Self.r(0, 6, "b", "2"), Self.r(1, 9, "c", "3")]
        #expect(Replay.sameRecords("x", Self.first, second, partitions: [0, 1]).holds)
    }

    @Test func swappedMissingOrEmptyRecordsFail() {
        let swapped = [Self.r(0, 0, "b", "2"), Self.r(0, 1, "a", "1"), Self.r(1, 0, "c", "3")]
        #expect(Replay.sameRecords("x", Self.first, swapped, partitions: [0, 1]).problems
            == ["partition 0: record 0 differs (a against b)"])
        #expect(Replay.sameRecords("x", Self.first, Array(Self.first.prefix(2)), partitions: [0, 1]).problems
            == ["partition 1: 1 records against 0"])
        let changedValue = [Self.r(0, 0, "a", "1"), Self.r(0, 1, "b", "2"), Self.r(1, 0, "c", "4")]
        #expect(!Replay.sameRecords("x", Self.first, changedValue, partitions: [0, 1]).holds)
        #expect(Replay.sameRecords("x", [], [], partitions: [0]).problems == ["x is empty: nothing to compare"])
    }
}
