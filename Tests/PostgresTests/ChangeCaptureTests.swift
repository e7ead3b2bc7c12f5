import ChangeCapture
import Foundation
import Postgres
import Testing
import TestSupport

/// The capstone's pipeline pieces that need no server: the pgoutput decoder on bytes PostgreSQL 15
/// sent, and the windowed totals on hand-written changes.
@Suite("Change capture")
struct ChangeCaptureTests {
    static func bytes(_ hex: String) -> [UInt8] { Hex.bytes(hex) }

    /// `pg_logical_slot_peek_binary_changes(…, 'proto_version', '1', …)` for: INSERT (1,'x',5); UPDATE a=6;
    /// DELETE, on `t(id int primary key, c text, a int)`, as PostgreSQL 15.18 returned them.
    static let messages = [
        "4200000000015286f80003044f58627904000002d6",
        "52000040007075626c69630074006400030169640000000017ffffffff00630000000019ffffffff00610000000017ffffffff",
        "49000040004e0003740000000131740000000178740000000135",
        "430000000000015286f800000000015287280003044f58627904",
        "4200000000015287780003044f58627bb3000002d7",
        "55000040004e0003740000000131740000000178740000000136",
        "4300000000000152877800000000015287a80003044f58627bb3",
        "4200000000015287e80003044f58627c5b000002d8",
        "44000040004b00037400000001316e6e",
        "430000000000015287e800000000015288180003044f58627c5b",
    ]

    @Test func pgoutputTransactionsDecodeWithTheirLSNsAndKeys() throws {
        var decoder = PgOutputDecoder()
        var transactions: [DecodedTransaction] = []
        for m in Self.messages {
            if let t = try decoder.decode(Self.bytes(m)) { transactions.append(t) }
        }
        #expect(transactions.count == 3)
        #expect(transactions.map { $0.endLSN.description } == ["0/1528728", "0/15287A8", "0/1528818"])
        #expect(transactions.map { $0.commitLSN.description } == ["0/15286F8", "0/1528778", "0/15287E8"])
        let changes = transactions.flatMap(\.changes)
        #expect(changes.map(\.operation) == [.insert, .update, .delete])
        #expect(changes.allSatisfy { $0.table == "public.t" && $0.keyColumns == ["id"] })
        #expect(changes[0].row == ["id": "1", "c": "x", "a": "5"])
        #expect(changes[1].row["a"] == "6")
        // A delete carries the key; the other columns are null.
        let keyOnly: [String: String?] = ["id": "1", "c": nil, "a": nil]
        #expect(changes[2].row == keyOnly)
        // Commit times are in 2026, not 2000 (the server's epoch is converted).
        #expect(transactions[0].committedAt > 1_700_000_000_000_000)
    }

    @Test func aTruncatedMessageIsAnErrorNotACrash() {
        var decoder = PgOutputDecoder()
        #expect(throws: PgOutputDecoder.DecodeError.self) { try decoder.decode(Self.bytes("4200000000")) }
        #expect(throws: PgOutputDecoder.DecodeError.self) { try decoder.decode(Self.bytes("49000040004e0003")) }
    }

    static func change(_ op: CapturedChange.Operation, _ id: Int64, _ amount: Int64?, at lsn: UInt64,
                       customer: String = "a", placed: Int64 = 1_500) -> CapturedChange {
        CapturedChange(operation: op, id: id,
                       order: amount.map { Order(id: id, customer: customer, amount: $0, placedAt: placed) },
                       position: ChangePosition(commitLSN: lsn, index: 0), committedAt: 0)
    }

    @Test func windowedTotalsFollowTheTableAndIgnoreRepublishedChanges() {
        var totals = WindowedTotals(windowMillis: 1_000)
        let window = WindowKey(customer: "a", windowStart: 1_000)
        #expect(totals.apply(Self.change(.insert, 1, 10, at: 100)) == [window])
        #expect(totals.apply(Self.change(.insert, 2, 5, at: 110)) == [window])
        #expect(totals.apply(Self.change(.update, 1, 12, at: 120)) == [window])
        // The same changes again (a reader restarted mid-round): nothing changes.
        #expect(totals.apply(Self.change(.insert, 2, 5, at: 110)).isEmpty)
        #expect(totals.apply(Self.change(.update, 1, 12, at: 120)).isEmpty)
        #expect(totals.duplicates == 2)
        var t = totals.total(window, version: 1)
        #expect((t.total, t.orders, t.sourceLSN) == (17, 2, 120))
        // A delete takes the order out; the window stays, at zero once empty.
        _ = totals.apply(Self.change(.delete, 1, nil, at: 130))
        _ = totals.apply(Self.change(.delete, 2, nil, at: 140))
        t = totals.total(window, version: 2)
        #expect((t.total, t.orders, t.sourceLSN) == (0, 0, 140))
        // An update that moves an order to another customer's window touches both.
        _ = totals.apply(Self.change(.insert, 3, 7, at: 150))
        let moved = totals.apply(Self.change(.update, 3, 7, at: 160, customer: "b"))
        #expect(moved == [window, WindowKey(customer: "b", windowStart: 1_000)])
    }

    @Test func capturedChangesRoundTripThroughRecordsWithTombstonesForDeletes() {
        let insert = Self.change(.insert, 7, 3, at: 42)
        #expect(insert.key == Array("7".utf8))
        #expect(insert.value != nil)
        let delete = Self.change(.delete, 7, nil, at: 43)
        #expect(delete.value == nil)
        #expect(delete.headers.first { $0.0 == "op" }.map { String(decoding: $0.1, as: UTF8.self) } == "delete")
    }
}
