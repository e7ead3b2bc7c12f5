import Cluster
import Foundation
import KafkaClient
import Runtime
import Session
import Steps
import Testing
import Verification

/// KAF-11's certificate rotation against the fake docker and a fake `openssl s_client` (the wire probe):
/// the commands in order, that no key reaches a command line or a report, and the negative control — a
/// "rotation" after which the broker still presents its old certificate fails the wire check.
@Suite("Certificate rotation contract (fake docker, fake s_client)", .serialized, .timeLimit(.minutes(3)))
struct CertificateRotationContractTests {
    struct Run {
        var summary: RunSummary
        var commands: [String]
        var reports: [(name: String, text: String)]
        var certs: URL
        /// Broker 2's address on the "mTLS listener" (the mock's second broker here).
        var broker2: String
    }

    /// Runs the rotation fixture; `presents` is a bash line that prints what broker 2's listener presents.
    static func rotate(presents: (URL) -> String) async throws -> Run {
        let fake = try FakeDocker()
        defer { fake.remove() }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("kbdd-rotation-\(UUID().uuidString)")
        let certs = work.appendingPathComponent("certs")
        _ = try await ProcessRunner(timeout: .seconds(60)).run(
            ["bash", AcceptanceSuite.packageRoot.appendingPathComponent("scripts/make-certs.sh").path, certs.path],
            input: nil)
        let real = try #require(["/usr/bin/openssl", "/bin/openssl"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        })
        // s_client answers from the script (and is logged as a command); everything else is the real openssl.
        let openssl = fake.directory.appendingPathComponent("openssl")
        try """
        #!/usr/bin/env bash
        if [ "${1:-}" = s_client ]; then
          echo "openssl $*" >> "$FAKE_DOCKER_STATE/commands.log"; cat > /dev/null
          echo CONNECTED; \(presents(certs)); exit 0
        fi
        exec \(real) "$@"
        """.write(to: openssl, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: openssl.path)
        let mock = try EmbeddedCluster(brokers: 3)
        let security = ComposeCluster.Extras.Security(saslBootstrap: mock.bootstrapServers,
                                                      mtlsBootstrap: mock.bootstrapServers, certificates: certs.path)
        let compose = ComposeCluster(composeFile: ComposeContractTests.composeFile, runner: MirroredDocker(fake, mock),
                                     kafka: mock, extras: .init(security: security))
        let feature = AcceptanceSuite.packageRoot
            .appendingPathComponent("Tests/AcceptanceTests/Fixtures/rotation-contract.feature")
        let reports = work.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        let summary = try await ComposeServicesContractTests.run([feature.path], on: compose, reports: reports,
                                                                 stepTimeout: .seconds(90))
        let texts = try FileManager.default.contentsOfDirectory(atPath: reports.path).map { name in
            (name: name, text: try String(contentsOfFile: reports.appendingPathComponent(name).path, encoding: .utf8))
        }
        let broker2 = String(mock.bootstrapServers.split(separator: ",")[1])
        await mock.shutdown()
        return Run(summary: summary, commands: fake.commands, reports: texts, certs: certs, broker2: broker2)
    }

    /// Lines of the private keys' base64 bodies: none may appear in a command or a report.
    static func keyLines(_ certs: URL) throws -> [String] {
        let files = ["client.key", "ca.key"].map { certs.appendingPathComponent($0).path }
            + (try FileManager.default.contentsOfDirectory(atPath: certs.appendingPathComponent("kafka-2").path))
                .filter { $0.hasPrefix("keystore") }.map { certs.appendingPathComponent("kafka-2/\($0)").path }
        return try files.flatMap { path in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let key = text.components(separatedBy: "-----END PRIVATE KEY-----")[0]
            return key.split(separator: "\n").filter { !$0.hasPrefix("-----") }.prefix(3).map(String.init)
        }
    }

    @Test func rotationIssuesAnewCertificateReloadsItAndProbesTheWire() async throws {
        let run = try await Self.rotate { certs in
            let dir = certs.appendingPathComponent("kafka-2").path
            return "f=$(ls \(dir)/certificate-*.pem 2>/dev/null | head -1); cat \"${f:-\(dir)/certificate.pem}\""
        }
        defer { try? FileManager.default.removeItem(at: run.certs.deletingLastPathComponent()) }
        let steps = try #require(run.summary.outcomes.first).steps.filter { !$0.text.hasPrefix("Before") }
        #expect(steps.map(\.result.status).prefix(4) == [.passed, .passed, .passed, .passed], "\(steps.map(\.text))")
        // The mock speaks no TLS: the producer's records fail, and the judgement says so.
        let last = try #require(steps.first { $0.text.hasPrefix("nothing produced") })
        #expect(last.result.status == .failed)
        #expect(last.result.message?.contains("sends failed") == true, "\(last.result.message ?? "")")

        let folder = run.certs.appendingPathComponent("kafka-2").path
        let issued = try #require(try FileManager.default.contentsOfDirectory(atPath: folder)
            .first { $0.hasPrefix("certificate-") }?.dropFirst("certificate-".count).dropLast(".pem".count))
        let tool = "compose exec -T kafka-1 /opt/kafka/bin"
        let probe = "openssl s_client -connect \(run.broker2) -servername localhost -CAfile "
            + "\(run.certs.path)/ca.pem -cert \(run.certs.path)/client.pem -key \(run.certs.path)/client.key"
        let location = "/etc/kafka-bdd/certs/keystore-\(issued).pem"
        let relevant = run.commands.filter { !$0.hasPrefix("compose ps") && !$0.contains("toxiproxy") }
        let topic = try #require(relevant.first { $0.contains("--allow-principal User:CN=kafka-bdd-client") }?
            .split(separator: " ").last.map(String.init))
        #expect(topic.hasPrefix("payments"))
        #expect(relevant == [
            "\(tool)/kafka-acls.sh --bootstrap-server kafka-1:19092 --add --allow-principal User:CN=kafka-bdd-client "
                + "--operation Write --topic \(topic)",
            "\(tool)/kafka-acls.sh --bootstrap-server kafka-1:19092 --add --allow-principal User:CN=kafka-bdd-client "
                + "--operation Describe --topic \(topic)",
            probe,
            "\(tool)/kafka-configs.sh --bootstrap-server kafka-1:19092 --alter --entity-type brokers --entity-name 2 "
                + "--add-config listener.name.secured.ssl.keystore.location=\(location),"
                + "listener.name.mtls.ssl.keystore.location=\(location)",
            probe,
            "\(tool)/kafka-acls.sh --bootstrap-server kafka-1:19092 --remove --force --allow-principal "
                + "User:CN=kafka-bdd-client --operation Write --topic \(topic)",
            "\(tool)/kafka-acls.sh --bootstrap-server kafka-1:19092 --remove --force --allow-principal "
                + "User:CN=kafka-bdd-client --operation Describe --topic \(topic)",
        ])
        // The serial presented before and after are on the report; no key is anywhere.
        let keys = try Self.keyLines(run.certs)
        #expect(keys.count >= 9)
        let everything = run.reports + [(name: "commands", text: run.commands.joined(separator: "\n"))]
        #expect(SecretLeaks.find(keys, in: everything).holds)
        #expect(!everything.contains { $0.text.contains("PRIVATE KEY") })
        #expect(run.reports.contains { $0.text.contains(String(issued)) })
        #expect(!SecretLeaks.find(keys, in: [(name: "planted", text: "x \(keys[0]) y")]).holds)
    }

    /// The negative control: the "rotation" ran, but the listener still presents the old certificate.
    @Test func aBrokerStillPresentingItsOldCertificateFailsTheWireCheck() async throws {
        let run = try await Self.rotate { certs in
            "cat \(certs.appendingPathComponent("kafka-2/certificate.pem").path)"
        }
        defer { try? FileManager.default.removeItem(at: run.certs.deletingLastPathComponent()) }
        let outcome = try #require(run.summary.outcomes.first)
        #expect(outcome.status == .failed)
        let decisive = try #require(outcome.decisive)
        #expect(decisive.text == "broker 2's mTLS listener presents the new certificate")
        #expect(decisive.result.message?.contains("still presents its old certificate") == true,
                "\(decisive.result.message ?? "")")
        #expect(run.commands.contains { $0.contains("--entity-type brokers --entity-name 2") })
    }

    /// Desk-check defect 11: the broker reloads its keystore when it replays the config record, after the
    /// alter returned; a listener that presents the new certificate only from the third look passes.
    @Test func aBrokerThatReloadsAMomentLaterPassesTheWireCheck() async throws {
        let run = try await Self.rotate { certs in
            let dir = certs.appendingPathComponent("kafka-2").path
            return "n=$(cat \(dir)/.looks 2>/dev/null || echo 0); echo $((n + 1)) > \(dir)/.looks; "
                + "f=$(ls \(dir)/certificate-*.pem 2>/dev/null | head -1); "
                + "if [ \"$n\" -lt 2 ]; then f=; fi; cat \"${f:-\(dir)/certificate.pem}\""
        }
        defer { try? FileManager.default.removeItem(at: run.certs.deletingLastPathComponent()) }
        let steps = try #require(run.summary.outcomes.first).steps
        let wire = try #require(steps.first { $0.text == "broker 2's mTLS listener presents the new certificate" })
        #expect(wire.result.status == .passed, "\(wire.result.message ?? "")")
        #expect(run.commands.filter { $0.hasPrefix("openssl s_client") }.count == 3, "one look before, two after")
    }
}
