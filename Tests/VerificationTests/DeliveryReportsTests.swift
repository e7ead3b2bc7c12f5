import Testing
import Verification

@Suite("Delivery reports against the records read back")
struct DeliveryReportsTests {
    typealias Report = DeliveryReports.Report
    typealias Place = DeliveryReports.Place

    /// Orders 61…70 sent with the callback to partition 0, offsets 0…9; orders 1…60 sent otherwise
    /// (one at a time) are read back from partition 1.
    static let sent = Set(UInt64(61)...70)
    static let reports = sent.sorted().map { Report(id: $0, partition: 0, offset: Int64($0 - 61), error: nil) }
    static var readBack: [UInt64: [Place]] {
        var places = Dictionary(uniqueKeysWithValues: sent.map { ($0, [Place(partition: 0, offset: Int64($0 - 61))]) })
        for id in UInt64(1)...60 { places[id] = [Place(partition: 1, offset: Int64(id - 1))] }
        return places
    }

    @Test func reportsWhereTheRecordsAreHold() {
        let v = DeliveryReports.verdict(sent: Self.sent, reports: Self.reports, readBack: Self.readBack)
        #expect(v.holds, "\(v)")
    }

    // Found by the empty-evidence test: nothing sent with the callback, the claim passed.
    @Test func nothingSentWithTheCallbackIsNoEvidence() {
        #expect(DeliveryReports.verdict(sent: [], reports: [], readBack: [:]).problems
                    == ["no evidence: 0 orders sent with a delivery callback — a claim about nothing cannot pass"])
    }

    @Test func anOffsetOnePastTheRecordFails() {
        let shifted = Self.reports.map { var r = $0; r.offset += 1; return r }
        let v = DeliveryReports.verdict(sent: Self.sent, reports: shifted, readBack: Self.readBack)
        #expect(v.problems.count == 1)
        #expect(v.problems.first?.hasPrefix("10 reports name a place the record is not read from: order 61 reported "
                                            + "at 0@1, read back at [\"0@0\"]") == true, "\(v)")
    }

    @Test func aRecordNeverReadBackFails() {
        var back = Self.readBack
        back[65] = nil
        let v = DeliveryReports.verdict(sent: Self.sent, reports: Self.reports, readBack: back)
        #expect(v.problems == ["1 reports name a place the record is not read from: order 65 reported at 0@4, "
                               + "never read back"])
    }

    @Test func missingDuplicatedOrFailedReportsFail() {
        let missing = DeliveryReports.verdict(sent: Self.sent, reports: Array(Self.reports.dropLast()),
                                              readBack: Self.readBack)
        #expect(missing.problems == ["9 reports for 10 orders", "1 orders have no report, e.g. [70]"])
        let failed = Self.reports + [Report(id: 61, partition: -1, offset: -1001, error: "Local: Message timed out")]
        let v = DeliveryReports.verdict(sent: Self.sent, reports: failed, readBack: Self.readBack)
        #expect(v.problems == ["11 reports for 10 orders", "1 orders reported twice",
                               "1 reports without an acknowledgement, e.g. Local: Message timed out"])
    }
}
