import Foundation
@testable import Postgres
import Testing
import TestSupport

/// A row value that must be there is read with `QueryResult.value`: a NULL or a non-number is an error
/// naming the row and column, not a force-unwrap that ends the whole run without its reports.
@Suite("Row values from libpq")
struct RowValueTests {
    static let result = QueryResult(columns: ["id", "customer", "lsn"],
                                    rows: [[Array("7".utf8), nil, Array("-1".utf8)],
                                           [Array("x".utf8), Array("c".utf8), Array("42".utf8)]],
                                    affected: 0)

    @Test func presentValuesAreRead() throws {
        let r = Self.result
        #expect(try r.value(0, 0) as Int64 == 7)
        #expect(try r.value(1, 1) as String == "c")
        #expect(try r.value(1, 2) as UInt64 == 42)
    }

    @Test func aNullANonNumberAndANegativeLSNAreErrorsNamingRowAndColumn() {
        let r = Self.result
        let null = #expect(throws: PostgresError.self) { try r.value(0, 1) as String }
        #expect(null?.message == "row 1, column customer: NULL")
        let word = #expect(throws: PostgresError.self) { try r.value(1, 0) as Int64 }
        #expect(word?.message == "row 2, column id: not a whole number (1 characters)")
        let negative = #expect(throws: PostgresError.self) { try r.value(0, 2) as UInt64 }
        #expect(negative?.message == "row 1, column lsn: negative")
    }

    /// The row readers of the packages that query PostgreSQL use it, not `string(…)!` or `int(…)!`.
    @Test func noForceUnwrappedRowValueInSources() throws {
        var found: [String] = []
        for folder in ["Sources/ChangeCapture", "Sources/Postgres", "Sources/Drills", "Sources/Steps"] {
            let dir = Paths.packageRoot.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".swift") {
                let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where line.contains(/\.(string|int)\([^()]*\)!/) {
                    found.append("\(folder)/\(name):\(n + 1)")
                }
            }
        }
        #expect(found.isEmpty, "\(found)")
    }
}
