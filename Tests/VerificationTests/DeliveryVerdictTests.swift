import Testing
import Verification

/// The delivery checker's negative controls, on histories written by hand and by the ledger: each
/// broken property is reported, with the offending id.
@Suite("Delivery checker")
struct DeliveryVerdictTests {
    typealias Send = DeliveryHistory.Send
    typealias Read = DeliveryHistory.Read

    /// Ten keyed sends, acknowledged at consecutive offsets of partition 0, read back in order.
    static func clean(except skipped: Set<UInt64> = [], order: [UInt64] = Array(1...10)) -> DeliveryHistory {
        DeliveryHistory(
            sends: (UInt64(1)...10).map {
                Send(id: $0, key: "k\($0 % 2)", topic: "t", acknowledgement: .acked(partition: 0, offset: Int64($0)))
            },
            reads: order.filter { !skipped.contains($0) }.map {
                Read(id: $0, key: "k\($0 % 2)", topic: "t", partition: 0, offset: Int64($0))
            })
    }

    // Found by the empty-evidence test: nothing sent, "every partition holds its messages in order" passed.
    @Test func partitionOrderWithNothingAcknowledgedIsNoEvidence() {
        #expect(DeliveryVerdict(DeliveryHistory(sends: [], reads: [])).inPartitionOrder().problems
                    == ["no evidence: 0 acknowledged records — a claim about nothing cannot pass"])
    }

    @Test func cleanHistoryReportsNothing() {
        let v = DeliveryVerdict(Self.clean())
        #expect(v.isClean)
        #expect(v.lost.isEmpty && v.duplicated.isEmpty && v.reorderedInPartition.isEmpty && v.abortedReads.isEmpty)
        #expect(v.acknowledged == 10 && v.distinctRead == 10)
        #expect(v.exactlyOnce(countingDuplicates: true).holds)
        #expect(v.noneLost().holds && v.inPartitionOrder().holds)
    }

    @Test func aLostRecordIsReported() {
        let v = DeliveryVerdict(Self.clean(except: [4]))
        #expect(v.lost == [4])
        #expect(!v.isClean)
        #expect(v.noneLost().description.hasPrefix("1 acknowledged messages lost, e.g. [4] — sent 10"))
        #expect(v.exactlyOnce(countingDuplicates: false).problems == ["1 acknowledged messages lost, e.g. [4]"])
        #expect(v.inPartitionOrder().problems == ["1 acknowledged records were not read"])
        #expect(v.showsLoss().holds)
    }

    @Test func aDuplicateInTheLogIsReportedAndCountsOnlyWhereTheClusterDeduplicates() {
        var history = Self.clean()
        history.reads.append(Read(id: 7, key: "k1", partition: 0, offset: 11))
        let v = DeliveryVerdict(history)
        #expect(v.duplicated == [7])
        #expect(!v.isClean)
        #expect(v.exactlyOnce(countingDuplicates: true).problems == ["1 duplicated, e.g. [7]"])
        #expect(v.exactlyOnce(countingDuplicates: false).holds)
        #expect(v.showsDuplicates().holds)
        #expect(!DeliveryVerdict(Self.clean()).showsDuplicates().holds)
    }

    @Test func reorderingWithinAPartitionAndAKeyIsReported() {
        // 3 was sent before 5 (same key k1) but sits after it in the log.
        var history = Self.clean(order: [1, 2, 4, 5, 3, 6, 7, 8, 9, 10])
        history.sends = history.sends.map {
            var s = $0
            if s.id == 3 { s.acknowledgement = .acked(partition: 0, offset: 5) }
            if s.id == 5 { s.acknowledgement = .acked(partition: 0, offset: 3) }
            return s
        }
        history.reads = history.reads.map {
            Read(id: $0.id, key: $0.key, partition: 0, offset: $0.id == 3 ? 5 : $0.id == 5 ? 3 : $0.offset)
        }
        let v = DeliveryVerdict(history)
        #expect(v.reorderedInPartition == [3, 4])
        #expect(v.reorderedByKey == [3])
        #expect(v.exactlyOnce(countingDuplicates: true).problems == ["1 reordered within a key, e.g. [3]"])
        #expect(v.inPartitionOrder().problems == ["2 records out of send order within their partition, e.g. [3, 4]"])
        #expect(v.showsReorderingByKey().holds)
        #expect(!DeliveryVerdict(Self.clean()).showsReorderingByKey().holds)
    }

    @Test func readsOfOtherKeysDoNotReorderAKey() {
        // Sent 2 (k0) before 1 (k1): in the log 1 comes first. The partition is out of order, no key is.
        let history = DeliveryHistory(
            sends: [Send(id: 2, key: "k0", acknowledgement: .acked(partition: 0, offset: 1)),
                    Send(id: 1, key: "k1", acknowledgement: .acked(partition: 0, offset: 0))],
            reads: [Read(id: 1, key: "k1", partition: 0, offset: 0), Read(id: 2, key: "k0", partition: 0, offset: 1)])
        let v = DeliveryVerdict(history)
        #expect(v.reorderedInPartition == [2])
        #expect(v.reorderedByKey.isEmpty)
    }

    @Test func oneDroppedOneDuplicatedOneReorderedOneAbortedReadOnTheLedger() {
        let ledger = DeliveryLedger()
        for id in UInt64(1)...10 {
            ledger.sent(id, key: "k\(id % 2)")
            ledger.acknowledged(id, partition: 0, offset: Int64(id))
        }
        for id in UInt64(1)...10 where id != 4 {
            ledger.consumed(id, key: "k\(id % 2)", partition: 0, offset: Int64(id))
        }
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
        var history = Self.clean()
        history.reads.append(Read(id: 3, key: "k1", partition: 0, offset: 3))
        let v = DeliveryVerdict(history)
        #expect(v.redelivered == [3])
        #expect(v.duplicated.isEmpty)
        #expect(v.isClean)
    }

    @Test func readWithoutAcknowledgementIsReported() {
        let history = DeliveryHistory(
            sends: [Send(id: 1, acknowledgement: .failed("_MSG_TIMED_OUT"))],
            reads: [Read(id: 1, partition: 0, offset: 0), Read(id: 99, partition: 0, offset: 1)]) // 99: never sent
        let v = DeliveryVerdict(history)
        #expect(v.unacknowledgedReads == [1])
        #expect(v.neverSent == [99])
        #expect(!v.preconditions().holds, "a read nobody sent voids the claim")
        #expect(v.lost.isEmpty, "a failed send is not a lost acknowledged record")
        #expect(v.failed == 1)
    }

    @Test func anIdSentAgainCountsAsItsLastSend() {
        let history = DeliveryHistory(sends: [Send(id: 1, acknowledgement: .acked(partition: 0, offset: 0)),
                                              Send(id: 1, acknowledgement: .failed("timed out"))])
        let v = DeliveryVerdict(history)
        #expect(v.sent == 1 && v.acknowledged == 0 && v.lost.isEmpty)
        #expect(history.acknowledgedIds().isEmpty)
    }

    @Test func theLedgerHandsOverWhatItRecorded() {
        let ledger = DeliveryLedger()
        ledger.sent(2, key: "a", topic: "t", producer: "p", timestamp: 1000)
        ledger.sent(1, key: "b", topic: "t")
        ledger.acknowledged(2, partition: 3, offset: 7)
        ledger.failed(1, error: "boom")
        ledger.consumed(2, key: "a", topic: "t", partition: 3, offset: 7, headers: ["h": "v"], timestamp: 1001)
        ledger.aborted([9])
        let history = ledger.history()
        #expect(history == DeliveryHistory(
            sends: [Send(id: 2, key: "a", topic: "t", producer: "p", timestamp: 1000,
                         acknowledgement: .acked(partition: 3, offset: 7)),
                    Send(id: 1, key: "b", topic: "t", acknowledgement: .failed("boom"))],
            reads: [Read(id: 2, key: "a", topic: "t", partition: 3, offset: 7, headers: ["h": "v"], timestamp: 1001)],
            aborted: [9]))
        #expect(ledger.sentCount == 2 && ledger.acknowledgedCount == 1)
        #expect(ledger.readCount == 1 && ledger.pendingCount == 0)
        #expect(ledger.partitionsByKey() == ["a": [3]])
        #expect(ledger.acknowledgedIds() == [2])
    }

    @Test func partitionsByKeyShowsAKeySpreadOverPartitions() {
        let history = DeliveryHistory(sends: [Send(id: 1, key: "k", acknowledgement: .acked(partition: 0, offset: 0)),
                                              Send(id: 2, key: "k", acknowledgement: .acked(partition: 2, offset: 0)),
                                              Send(id: 3, key: "j", acknowledgement: .pending)])
        #expect(history.partitionsByKey() == ["k": [0, 2]])
    }

    @Test func payloadIdsRoundTrip() {
        #expect(Payload.id(in: Payload.make(id: 12345, size: 100)) == 12345)
        #expect(Payload.make(id: 7, size: 100).count == 100)
        #expect(Payload.id(in: Array("id=;".utf8)) == nil)
        #expect(Payload.id(in: Array("hello".utf8)) == nil)
    }
}

@Suite("Delivery ledger bookkeeping")
struct DeliveryLedgerPendingTests {
    @Test func pendingFollowsEverySendAndOutcome() {
        let ledger = DeliveryLedger()
        for id in UInt64(1)...3 { ledger.sent(id, key: nil) }
        #expect(ledger.pendingCount == 3)
        ledger.acknowledged(1, partition: 0, offset: 0)
        ledger.failed(2, error: "x")
        ledger.acknowledged(2, partition: 0, offset: 1) // a late report for a send already settled
        #expect(ledger.pendingCount == 1)
        ledger.sent(1, key: nil) // sent again: pending again
        #expect(ledger.pendingCount == 2)
        ledger.acknowledged(99, partition: 0, offset: 2) // never sent: no effect
        #expect(ledger.pendingCount == 2)
    }
}
