@testable import Messages
@testable import Gherkin
@testable import Expressions
@testable import Runtime
@testable import Reporting
@testable import KafkaClient
@testable import Cluster
@testable import Verification
import Testing

/// The checker's negative controls: each broken property is reported, with the offending id.
@Suite("Delivery checker")
struct DeliveryVerdictTests {
    /// Ten keyed sends, acknowledged at consecutive offsets of partition 0.
    func cleanHistory() -> DeliveryLedger {
        let ledger = DeliveryLedger()
        for id in UInt64(1)...10 {
            ledger.sent(id, key: "k\(id % 2)")
            ledger.acknowledged(id, partition: 0, offset: Int64(id))
        }
        return ledger
    }

    func readAll(_ ledger: DeliveryLedger, except skipped: Set<UInt64> = [], order: [UInt64]? = nil) {
        for id in order ?? Array(UInt64(1)...10) where !skipped.contains(id) {
            ledger.consumed(id, key: "k\(id % 2)", partition: 0, offset: Int64(id))
        }
    }

    @Test func cleanHistoryReportsNothing() {
        let ledger = cleanHistory()
        readAll(ledger)
        let v = ledger.verdict()
        #expect(v.isClean)
        #expect(v.lost.isEmpty && v.duplicated.isEmpty && v.reorderedInPartition.isEmpty && v.abortedReads.isEmpty)
        #expect(v.acknowledged == 10 && v.distinctRead == 10)
    }

    @Test func oneDroppedOneDuplicatedOneReorderedOneAbortedRead() {
        let ledger = cleanHistory()
        // 4 is never read (dropped).
        readAll(ledger, except: [4])
        // 7 appears again at a second offset (a duplicate in the log).
        ledger.consumed(7, key: "k1", partition: 0, offset: 11)
        // 20 and 21 on partition 1: 21 was sent first but sits after 20 (reordered).
        ledger.sent(21, key: "r"); ledger.acknowledged(21, partition: 1, offset: 1)
        ledger.sent(20, key: "r"); ledger.acknowledged(20, partition: 1, offset: 0)
        ledger.consumed(20, key: "r", partition: 1, offset: 0)
        ledger.consumed(21, key: "r", partition: 1, offset: 1)
        // 30 was written in an aborted transaction and read anyway.
        ledger.sent(30, key: nil)
        ledger.aborted([30])
        ledger.consumed(30, key: nil, partition: 2, offset: 0)

        let v = ledger.verdict()
        #expect(!v.isClean)
        #expect(v.lost == [4])
        #expect(v.duplicated == [7])
        #expect(v.reorderedInPartition == [21])
        #expect(v.reorderedByKey == [21])
        #expect(v.abortedReads == [30])
        #expect(v.unacknowledgedReads.isEmpty, "an aborted read is reported as such, not twice")
        #expect(v.description.contains("lost 1 [4]"))
    }

    @Test func redeliveryIsNotADuplicate() {
        let ledger = cleanHistory()
        readAll(ledger)
        ledger.consumed(3, key: "k1", partition: 0, offset: 3)
        let v = ledger.verdict()
        #expect(v.redelivered == [3])
        #expect(v.duplicated.isEmpty)
        #expect(v.isClean)
    }

    @Test func readWithoutAcknowledgementIsReported() {
        let ledger = DeliveryLedger()
        ledger.sent(1, key: nil)
        ledger.failed(1, error: "_MSG_TIMED_OUT")
        ledger.consumed(1, key: nil, partition: 0, offset: 0)
        ledger.consumed(99, key: nil, partition: 0, offset: 1) // never sent at all
        let v = ledger.verdict()
        #expect(v.unacknowledgedReads == [1, 99])
        #expect(v.lost.isEmpty, "a failed send is not a lost acknowledged record")
    }

    @Test func payloadIdsRoundTrip() {
        #expect(Payload.id(in: Payload.make(id: 12345, size: 100)) == 12345)
        #expect(Payload.make(id: 7, size: 100).count == 100)
        #expect(Payload.id(in: Array("id=;".utf8)) == nil)
        #expect(Payload.id(in: Array("hello".utf8)) == nil)
    }
}
