import Foundation
import Glibc
import Postgres
import Testing
import TestSupport

/// The libpq wrapper's bad-input behaviour: an unreachable database is reported within 10 s, and no
/// message ever carries the connection string's password.
@Suite("PostgreSQL connections")
struct PostgresConnectionTests {
    static let password = "s3cr3t-Pa55-\(UInt32.random(in: 0...UInt32.max))"

    @Test func aSilentServerIsReportedWithinTenSecondsWithThePasswordRedacted() async throws {
        let (fd, port) = try Loopback.silentListener()
        defer { close(fd) }
        let dsn = DSN("host=127.0.0.1 port=\(port) user=kafka dbname=orders password=\(Self.password)")
        let start = ContinuousClock.now
        let error = await #expect(throws: PostgresError.self) { try await Connection.connect(dsn) }
        let elapsed = ContinuousClock.now - start
        // Only a lower bound: the deadline cannot fire early, but a loaded machine may report it late.
        #expect(elapsed > .seconds(9), "the deadline, not another failure, should have ended it: \(elapsed)")
        let message = try #require(error).message
        #expect(message.contains("no answer within 10 s"), "\(message)")
        #expect(message.contains("password=***"), "\(message)")
        #expect(message.contains("port=\(port)"), "\(message)")
        #expect(!message.contains(Self.password), "\(message)")
        #expect(error?.unreachable == true)
    }

    @Test func aRefusedConnectionIsReportedAtOnceWithThePasswordRedacted() async throws {
        let (fd, port) = try Loopback.refusingPort()
        defer { close(fd) }
        for dsn in [DSN("host=127.0.0.1 port=\(port) user=kafka password=\(Self.password)"),
                    DSN("postgresql://kafka:\(Self.password)@127.0.0.1:\(port)/orders")] {
            let error = await #expect(throws: PostgresError.self) { try await Connection.connect(dsn) }
            let message = try #require(error).message
            // "At once" means the refusal ended the attempt, not the 10 s deadline (no wall-clock bound:
            // a loaded machine may be slow, and the message tells which path ended it).
            #expect(!message.contains("no answer within"), "\(message)")
            #expect(message.contains("password=***") && !message.contains(Self.password), "\(message)")
            #expect(message.contains("Connection refused"), "\(message)")
            #expect(!dsn.redacted.contains(Self.password) && !"\(dsn)".contains(Self.password))
        }
    }

    @Test func anUnparseableConnectionStringIsNotEchoed() async throws {
        let dsn = DSN("host=x password='\(Self.password)")  // an unterminated quote
        let error = await #expect(throws: PostgresError.self) { try await Connection.connect(dsn) }
        let message = try #require(error).message
        #expect(message.contains("KAFKA_BDD_POSTGRES is not a connection string libpq can parse"), "\(message)")
        #expect(!message.contains(Self.password))
        #expect(dsn.redacted == "<a connection string libpq cannot parse>")
    }

    @Test func lsnsParseAndPrintAsTheServerWritesThem() {
        #expect(LSN("0/1528610")?.value == 0x1528610)
        #expect(LSN("16/B374D848")?.description == "16/B374D848")
        #expect(LSN("nonsense") == nil)
    }
}
