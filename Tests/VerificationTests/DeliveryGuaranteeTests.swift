import Testing
import Verification

/// A stated guarantee (a KAF-07 fault × workload row) claims only its parts, and what voids any claim fails
/// every guarantee: nothing acknowledged, nothing read back, records nobody sent.
@Suite("Delivery guarantees")
struct DeliveryGuaranteeTests {
    typealias Send = DeliveryHistory.Send
    typealias Read = DeliveryHistory.Read

    static func history(reads: [Read], failing: Set<UInt64> = []) -> DeliveryHistory {
        DeliveryHistory(
            sends: (UInt64(1)...4).map {
                Send(
                    id: $0, key: "k", topic: "t",
                    acknowledgement: failing.contains($0)
                        ? .failed("Local: Message timed out")
                        : .acked(partition: 0, offset: Int64($0)))
            },
            reads: reads)
    }

    static func read(_ id: UInt64, at offset: Int64) -> Read {
        Read(id: id, key: "k", topic: "t", partition: 0, offset: offset)
    }

    @Test func eachGuaranteeClaimsItsParts() {
        #expect(
            DeliveryGuarantee.allCases.map { [$0.claimsNoLoss, $0.claimsNoDuplicates, $0.claimsOrder] } == [
                [true, true, true], [true, false, false], [false, true, false], [false, false, false],
            ])
        #expect(DeliveryGuarantee(rawValue: "at least once") == .atLeastOnce)
        #expect(DeliveryGuarantee(rawValue: "exactly-once") == nil)
    }

    @Test func nothingReadBackVoidsEveryGuarantee() {
        let v = DeliveryVerdict(Self.history(reads: []))
        for guarantee in DeliveryGuarantee.allCases {
            #expect(
                v.preconditions(of: guarantee).problems
                    == ["nothing was read back (4 acknowledged), so the log shows nothing to judge"])
        }
        let none = DeliveryVerdict(DeliveryHistory(sends: [], reads: []))
        #expect(!none.preconditions(of: .bestEffort).holds)
    }

    @Test func aRecordNobodySentVoidsEvenBestEffort() {
        let v = DeliveryVerdict(Self.history(reads: [Self.read(1, at: 1), Self.read(99, at: 2)]))
        #expect(v.preconditions(of: .bestEffort).problems == ["1 records read that were never sent, e.g. [99]"])
    }

    @Test func failedSendsVoidOnlyTheGuaranteesThatClaimNoLoss() {
        let v = DeliveryVerdict(Self.history(reads: [Self.read(1, at: 1), Self.read(2, at: 2)], failing: [3, 4]))
        #expect(v.preconditions(of: .atLeastOnce).problems.first?.hasPrefix("2 sends failed, e.g. id 3") == true)
        #expect(!v.preconditions(of: .exactlyOnce).holds)
        #expect(v.preconditions(of: .atMostOnce).holds)
        #expect(v.preconditions(of: .bestEffort).holds)
    }
}
