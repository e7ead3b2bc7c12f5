import Cluster
import Foundation
import KafkaClient
import Reporting
import Testing

/// What a feature file or a cluster puts in a string reaches the terminal with its control characters
/// made visible: no input can retitle the window, clear the screen or rewrite a plan line an operator is
/// about to approve — also when the output is piped.
@Suite("Terminal hygiene", .serialized)
struct TerminalHygieneTests {
    static let hostile = "\u{1B}]0;pwned\u{07}\u{1B}[2J\u{08}\u{00}\r\u{9B}31m\u{202E}"

    /// Bytes that would act on a terminal: C0 controls but newline and tab, DEL, C1, bidi overrides.
    static func unsafe(_ text: String) -> [String] {
        text.unicodeScalars.filter { s in
            (s.value < 0x20 && s.value != 0x0A && s.value != 0x09) || (0x7F...0x9F).contains(s.value)
                || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
        }.map { String(format: "U+%04X", $0.value) }
    }

    @Test func controlCharactersBecomeVisibleEscapes() {
        let safe = TerminalText.safe("key " + Self.hostile + " end\n\tnext")
        #expect(Self.unsafe(safe).isEmpty, "\(safe.debugDescription)")
        #expect(safe.contains("\\x1B]0;pwned\\x07"))
        #expect(safe.contains("\\u{202E}"))
        #expect(safe.hasSuffix(" end\n\tnext"), "newlines and tabs stay")
        #expect(TerminalText.safe("plain · text ✔") == "plain · text ✔")
    }

    @Test(CLITests.enabled, arguments: ["pretty", "progress", "summary"])
    func featureNamesStepsAndMessagesReachTheConsoleSafe(format: String) async throws {
        // Without the carriage return, which ends a Gherkin line.
        let h = Self.hostile.replacingOccurrences(of: "\r", with: "")
        let path = try CLITests.fixture("""
            Feature: orders \(h)
              Scenario: a scenario \(h)
                Given a step nobody defined \(h)
                  \"\"\"
                  doc \(h)
                  \"\"\"
            """)
        let r = try await CLITests.run(["run", path, "--format", format])
        #expect(r.status == 1, "\(r.err)")
        #expect(Self.unsafe(r.out).isEmpty, "stdout: \(Self.unsafe(r.out)) in \(r.out.debugDescription)")
        #expect(Self.unsafe(r.err).isEmpty, "stderr: \(Self.unsafe(r.err)) in \(r.err.debugDescription)")
        #expect(r.out.contains("\\x1B]0;pwned\\x07"), "the name is shown, escaped: \(r.out)")
    }

    @Test(CLITests.enabled) func recordKeysInAnAdminPlanReachTheTerminalSafe() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "keyed", partitions: 2, replicationFactor: 1))
        let producer = try Producer(config: cluster.config())
        for i in 0..<20 {
            try await producer.send(topic: "keyed", key: Array("k\(i)\(Self.hostile)".utf8), value: [1])
        }
        await producer.close()
        let r = try await CLITests.run([
            "admin", "topics", "add-partitions", "--bootstrap", cluster.bootstrapServers, "--topic", "keyed",
            "--partitions", "4", "--accept-remap", "--dry-run",
        ])
        #expect(Self.unsafe(r.out).isEmpty, "stdout: \(Self.unsafe(r.out)) in \(r.out.debugDescription)")
        #expect(Self.unsafe(r.err).isEmpty, "stderr: \(Self.unsafe(r.err)) in \(r.err.debugDescription)")
        #expect(r.out.contains("\\x1B]0;pwned\\x07"), "the moving keys are listed, escaped: \(r.out) \(r.err)")
    }
}
