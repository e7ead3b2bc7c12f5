import Foundation
import Glibc
import Testing

/// The capstone through the CLI when its database cannot be reached: skipped with the reason, and the
/// connection string's password in no output.
@Suite("kafka-bdd run without PostgreSQL")
struct CapstoneWithoutDatabaseTests {
    static let password = "s3cr3t-Pa55-\(UInt32.random(in: 0...UInt32.max))"

    /// A loopback port nothing listens on (bound, read and closed).
    static func unusedPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(bound, "cannot bind a loopback port")
        return UInt16(bigEndian: address.sin_port)
    }

    /// Through the CLI: the capstone's scenarios are skipped with the reason, the password in no output.
    @Test(CLITests.enabled) func theCapstoneIsSkippedWithARedactedReasonWhenTheDatabaseIsUnreachable() async throws {
        let port = try Self.unusedPort()
        let report = FileManager.default.temporaryDirectory
            .appendingPathComponent("capstone-\(UUID().uuidString).ndjson").path
        let dsn = "host=127.0.0.1 port=\(port) password=\(Self.password)"
        let r = try await CLITests.run(["run", "Features/capstone.feature", "--format", "pretty",
                                        "--report", "message:\(report)"], environment: ["KAFKA_BDD_POSTGRES": dsn])
        let stream = try String(contentsOfFile: report, encoding: .utf8)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("0 passed, 0 failed, 2 skipped"), "\(r.out)")
        #expect(r.out.contains("the capstone needs PostgreSQL: cannot connect to PostgreSQL "
                               + "(password=*** host=127.0.0.1 port=\(port))"),
                "\(r.out)")
        for text in [r.out, r.err, stream] { #expect(!text.contains(Self.password)) }
    }
}
