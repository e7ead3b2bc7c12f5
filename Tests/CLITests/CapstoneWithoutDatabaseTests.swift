import Foundation
import Glibc
import Testing
import TestSupport

/// The capstone through the CLI when its database cannot be reached: skipped with the reason, and the
/// connection string's password in no output.
@Suite("kafka-bdd run without PostgreSQL")
struct CapstoneWithoutDatabaseTests {
    static let password = "s3cr3t-Pa55-\(UInt32.random(in: 0...UInt32.max))"

    /// Through the CLI: the capstone's scenarios are skipped with the reason, the password in no output.
    @Test(CLITests.enabled) func theCapstoneIsSkippedWithARedactedReasonWhenTheDatabaseIsUnreachable() async throws {
        let (fd, port) = try Loopback.refusingPort()
        defer { close(fd) }
        let report = FileManager.default.temporaryDirectory
            .appendingPathComponent("capstone-\(UUID().uuidString).ndjson").path
        let dsn = "host=127.0.0.1 port=\(port) password=\(Self.password)"
        let r = try await CLITests.run(["run", "Features/capstone.feature", "--format", "pretty",
                                        "--report", "message:\(report)"], environment: ["KAFKA_BDD_POSTGRES": dsn])
        let stream = try String(contentsOfFile: report, encoding: .utf8)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("0 passed, 0 failed, 4 skipped"), "\(r.out)")
        #expect(r.out.contains("the capstone needs PostgreSQL: cannot connect to PostgreSQL "
                               + "(password=*** host=127.0.0.1 port=\(port))"),
                "\(r.out)")
        for text in [r.out, r.err, stream] { #expect(!text.contains(Self.password)) }
    }
}
