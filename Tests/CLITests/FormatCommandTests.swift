import Foundation
import Launching
import Testing

/// `kafka-bdd format KIND < run.ndjson`: a report rendered from a message stream, refused for an empty one.
@Suite("kafka-bdd format")
struct FormatCommandTests {
    static func format(_ kind: String, input: Data) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = ["format", kind]
        let stdin = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = stdin
        p.standardOutput = out
        p.standardError = err
        try ChildProcess.launch(p)
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test(CLITests.enabled) func anEmptyStreamIsRefusedNotRenderedAsAQuietRun() throws {
        let empty = try Self.format("html", input: Data())
        #expect(empty.status == 2)
        #expect(empty.err.contains("holds no message envelope"), "\(empty.err)")
        #expect(empty.out.isEmpty)
    }

    @Test(CLITests.enabled) func aRunsStreamIsRendered() async throws {
        let feature = try CLITests.fixture("Feature: f\n  Scenario: s\n    Given a 1-broker cluster\n")
        let stream = URL(fileURLWithPath: feature).deletingLastPathComponent().appendingPathComponent("m.ndjson")
        let run = try await CLITests.run(["run", feature, "--report", "message:\(stream.path)"])
        #expect(run.status == 0, "\(run.err)")
        let junit = try Self.format("junit", input: try Data(contentsOf: stream))
        #expect(junit.status == 0, "\(junit.err)")
        #expect(junit.out.contains("tests=\"1\"") && junit.out.contains("failures=\"0\""), "\(junit.out)")
    }
}
