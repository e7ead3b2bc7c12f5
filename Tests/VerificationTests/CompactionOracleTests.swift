import Testing
import Verification

/// The compaction oracle on hand-written partitions. Written: a@0=1, b@1=1, a@2=2, c@3=1, b@4=<tombstone>,
/// a@5=3 (all below the horizon 6), then d@6=1, a@7=4 in the active segment.
@Suite("Compaction oracle")
struct CompactionOracleTests {
    static let written = [
        LogRecord(offset: 0, key: "a", value: "1"), LogRecord(offset: 1, key: "b", value: "1"),
        LogRecord(offset: 2, key: "a", value: "2"), LogRecord(offset: 3, key: "c", value: "1"),
        LogRecord(offset: 4, key: "b", value: nil), LogRecord(offset: 5, key: "a", value: "3"),
        LogRecord(offset: 6, key: "d", value: "1"), LogRecord(offset: 7, key: "a", value: "4"),
    ]
    static func expectation(expired: Bool = true) -> CompactionExpectation {
        CompactionExpectation(written: written, cleanedBelow: 6, tombstonesExpired: expired)
    }
    static func at(_ offsets: Int64...) -> [LogRecord] { offsets.map { o in written.first { $0.offset == o }! } }

    @Test func beforeCompactionTheLogReadsBackAsWritten() {
        let all = Self.at(0, 1, 2, 3, 4, 5, 6, 7)
        #expect(WrittenLog.readsBackAsWritten(Self.written, readBack: all).holds)
        #expect(WrittenLog.readsBackAsWritten(Self.written, readBack: Self.at(0, 1, 2, 3, 5, 6, 7)).problems
            == ["written, not read back: [\"b=<tombstone>@4\"]"])
        // A tombstone read back as an empty value is not a tombstone.
        var emptied = all
        emptied[4].value = ""
        #expect(WrittenLog.readsBackAsWritten(Self.written, readBack: emptied).problems
            == ["read back b=@4 where b=<tombstone>@4 was written"])
        let extra = all + [LogRecord(offset: 8, key: "e", value: "1")]
        #expect(WrittenLog.readsBackAsWritten(Self.written, readBack: extra).problems
            == ["read back, never written: [\"e=1@8\"]"])
        #expect(!WrittenLog.readsBackAsWritten(Self.written, readBack: all.reversed()).holds)
        #expect(!WrittenLog.readsBackAsWritten([], readBack: []).holds)
    }

    @Test func aCleanCompactionHolds() {
        #expect(Self.expectation().verdict(readBack: Self.at(3, 5, 6, 7)).holds)
        #expect(CompactionExpectation.state(of: Self.at(3, 5, 6, 7)) == ["a": "4", "c": "1", "d": "1"])
    }

    @Test func aTombstoneMayStayUntilDeleteRetentionPasses() {
        #expect(Self.expectation(expired: false).verdict(readBack: Self.at(3, 4, 5, 6, 7)).holds)
        #expect(Self.expectation(expired: false).verdict(readBack: Self.at(3, 5, 6, 7)).holds)
    }

    @Test func keepingAnOldValueFails() {
        let v = Self.expectation().verdict(readBack: Self.at(2, 3, 5, 6, 7))
        #expect(v.problems == ["1 superseded records survived compaction, e.g. [a=2@2]"])
    }

    @Test func keepingATombstonedKeyFails() {
        // The value before the tombstone survives: the deleted key is back in the state.
        let v = Self.expectation(expired: false).verdict(readBack: Self.at(1, 3, 5, 6, 7))
        #expect(v.problems.first == "1 superseded records survived compaction, e.g. [b=1@1]")
        #expect(v.problems.last == "the state read back differs on 1 keys, e.g. [\"b: 1 instead of absent\"]")
        // The tombstone itself, after delete.retention.ms.
        #expect(Self.expectation().verdict(readBack: Self.at(3, 4, 5, 6, 7)).problems
                    == ["1 tombstones outlived delete.retention.ms, e.g. [b=<tombstone>@4]"])
    }

    @Test func losingALatestValueOrTheActiveSegmentFails() {
        #expect(Self.expectation().verdict(readBack: Self.at(5, 6, 7)).problems.first
                    == "1 records that must survive are gone, e.g. [c=1@3]")
        #expect(Self.expectation().verdict(readBack: Self.at(3, 5, 7)).problems.first
                    == "1 records that must survive are gone, e.g. [d=1@6]")
    }

    @Test func reorderedAlteredOrInventedRecordsFail() {
        #expect(Self.expectation().verdict(readBack: Self.at(3, 6, 5, 7)).problems.first
                    == "offsets do not only increase: d=1@6 then a=3@5")
        var altered = Self.at(3, 5, 6, 7)
        altered[1].value = "9"
        #expect(Self.expectation().verdict(readBack: altered).problems.first
                    == "offset 5 holds a=9@5, but a=3@5 was written there")
        let invented = Self.at(3, 5, 6, 7) + [LogRecord(offset: 8, key: "e", value: "1")]
        #expect(Self.expectation().verdict(readBack: invented).problems.first == "e=1@8 was never written at offset 8")
    }

    @Test func noCompactionAtAllFailsAndAHistoryWithNothingToCompactIsRefused() {
        #expect(!Self.expectation().verdict(readBack: Self.written).holds)
        let plain = CompactionExpectation(written: Self.at(0, 1, 3), cleanedBelow: 4, tombstonesExpired: true)
        #expect(plain.verdict(readBack: Self.at(0, 1, 3)).problems.first?.contains("no key written twice and no tombstone")
                    == true)
    }
}
