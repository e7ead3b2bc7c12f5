import Testing
import Verification

/// The permission-matrix evaluator: a table read and judged in both directions.
@Suite("Permission matrix")
struct PermissionMatrixTests {
    static let table = [
        ["principal", "operation", "resource", "access"],
        ["User:alice", "Write", "topic:orders", "allowed"],
        ["User:bob", "Read", "topic:orders", "allowed"],
        ["User:bob", "Read", "group:billing", "allowed"],
        ["User:bob", "Write", "topic:orders", "denied"],
        ["User:alice", "Read", "topic:orders", "denied"],
        ["User:mallory", "Describe", "cluster", "denied"],
    ]
    typealias M = PermissionMatrix

    static func matrix() throws -> M { try M(table: table) }
    static func observed(_ m: M, _ change: [Int: M.Outcome] = [:]) -> [M.Entry.Key: M.Outcome] {
        var out: [M.Entry.Key: M.Outcome] = [:]
        for (i, e) in m.entries.enumerated() {
            out[e.key] = change[i] ?? (e.allowed ? .succeeded : .denied(error: "TOPIC_AUTHORIZATION_FAILED"))
        }
        return out
    }

    @Test func readsTheTableAndGrantsOnlyTheAllowedRows() throws {
        let m = try Self.matrix()
        #expect(m.entries.count == 6)
        #expect(m.grants.map(\.description) == ["User:alice Write topic:orders: allowed",
                                                "User:bob Read topic:orders: allowed",
                                                "User:bob Read group:billing: allowed"])
        #expect(m.entries[5].resource == M.Resource(kind: .cluster, name: "kafka-cluster"))
        #expect(m.verdict(observed: Self.observed(m)).holds)
    }

    @Test func anAllowedPathDeniedFails() throws {
        let m = try Self.matrix()
        #expect(m.verdict(observed: Self.observed(m, [1: .denied(error: "TOPIC_AUTHORIZATION_FAILED")])).problems
                    == ["User:bob Read topic:orders must be allowed, but it denied (TOPIC_AUTHORIZATION_FAILED)"])
    }

    @Test func aDeniedPathThatSucceedsOrFailsOtherwiseFails() throws {
        let m = try Self.matrix()
        #expect(m.verdict(observed: Self.observed(m, [3: .succeeded])).problems
                    == ["User:bob Write topic:orders must be denied by the authorizer, but it succeeded"])
        // A timeout is not a denial: the claim is about the authorizer.
        #expect(!m.verdict(observed: Self.observed(m, [4: M.outcome(errorName: "_TIMED_OUT")])).holds)
        #expect(M.outcome(errorName: "_TIMED_OUT") == .failed(error: "TIMED_OUT"))
        #expect(M.outcome(errorName: "GROUP_AUTHORIZATION_FAILED") == .denied(error: "GROUP_AUTHORIZATION_FAILED"))
        var missing = Self.observed(m)
        missing[m.entries[0].key] = nil
        #expect(m.verdict(observed: missing).problems == ["User:alice Write topic:orders was not attempted"])
    }

    @Test func badTablesAndOneWayMatricesAreRefused() {
        #expect(throws: M.TableError.self) { try M(table: [["who", "what"], ["a", "b"]]) }
        #expect(throws: M.TableError.self) {
            try M(table: [Self.table[0], ["User:a", "Fly", "topic:x", "allowed"], ["User:a", "Read", "topic:x", "denied"]])
        }
        #expect(throws: M.TableError.self) { try M(table: [Self.table[0], ["User:a", "Read", "queue:x", "allowed"]]) }
        #expect(throws: M.TableError.self) { try M(table: Array(Self.table.prefix(4))) }
    }

    @Test func secretsAreFoundWhereverTheyLeak() {
        let docs = [(name: "index.html", text: "<p>ok</p>"), (name: "junit.xml", text: "password=s3cret-pw!")]
        #expect(SecretLeaks.find(["s3cret-pw!"], in: docs).problems == ["secret 1 appears in junit.xml"])
        #expect(SecretLeaks.find(["s3cret-pw!"], in: Array(docs.prefix(1))).holds)
        #expect(!SecretLeaks.find(["pw"], in: docs).holds)
    }
}
