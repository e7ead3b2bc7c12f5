import Foundation
@testable import KafkaClient
@testable import Cluster
import Testing
import TestSupport

/// Client certificates checked before a client connects, on certificates made by `make certs`'s script
/// and by openssl with a validity that ended yesterday; and what the compose extras read from the environment.
@Suite("TLS files and compose extras", .serialized)
struct TLSFilesTests {
    static func certificates() async throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kbdd-tls-\(UUID().uuidString)")
        _ = try await ProcessRunner(timeout: .seconds(60)).run(
            ["bash", Paths.packageRoot.appendingPathComponent("scripts/make-certs.sh").path, dir.path], input: nil)
        return dir
    }

    static func config(_ dir: URL, certificate: String = "client.pem") -> KafkaConfig {
        KafkaConfig(["security.protocol": "SSL", "ssl.ca.location": dir.appendingPathComponent("ca.pem").path,
                     "ssl.certificate.location": dir.appendingPathComponent(certificate).path,
                     "ssl.key.location": dir.appendingPathComponent("client.key").path])
    }

    @Test func makeCertsIssuesValidCertificatesThatPassAndAnExpiredOneIsRefused() async throws {
        let dir = try await Self.certificates()
        defer { try? FileManager.default.removeItem(at: dir) }
        try TLSFiles.check(Self.config(dir))
        let pem = try String(contentsOf: dir.appendingPathComponent("client.pem"), encoding: .utf8)
        let der = try #require(TLSFiles.pemCertificates(pem).first)
        let validity = try #require(TLSFiles.validity(der))
        #expect(validity.notAfter.timeIntervalSinceNow > 300 * 86_400, "make certs issues for a year")

        // The same CA signs a certificate whose validity ended a day ago.
        let csr = dir.appendingPathComponent("old.csr").path, old = dir.appendingPathComponent("old.pem").path
        let openssl = ProcessRunner(timeout: .seconds(30))
        _ = try await openssl.run(["openssl", "req", "-new", "-key", dir.appendingPathComponent("client.key").path,
                                   "-out", csr, "-subj", "/CN=old"], input: nil)
        _ = try await openssl.run(["openssl", "x509", "-req", "-in", csr, "-CA", dir.appendingPathComponent("ca.pem").path,
                                   "-CAkey", dir.appendingPathComponent("ca.key").path, "-out", old, "-days", "-1"],
                                  input: nil)
        let error = #expect(throws: KafkaError.self) { try TLSFiles.check(Self.config(dir, certificate: "old.pem")) }
        #expect(error?.detail.hasPrefix("client property ssl.certificate.location: the certificate expired on ") == true)
        #expect(error?.detail.contains(dir.path) == false, "no property value in an error")
        // And a producer with it is refused before it connects.
        #expect(throws: KafkaError.self) {
            try Producer(config: Self.config(dir, certificate: "old.pem").merging(KafkaConfig(["bootstrap.servers": "127.0.0.1:9"])))
        }
        // Not checked without TLS.
        var plain = Self.config(dir, certificate: "old.pem")
        plain["security.protocol"] = "PLAINTEXT"
        try TLSFiles.check(plain)
    }

    @Test func missingOrNonCertificateFilesAreNamedByTheirProperty() async throws {
        let dir = try await Self.certificates()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = #expect(throws: KafkaError.self) { try TLSFiles.check(Self.config(dir, certificate: "nope.pem")) }
        #expect(missing?.detail == "client property ssl.certificate.location: no such file (the path is not shown)")
        let notACert = #expect(throws: KafkaError.self) { try TLSFiles.check(Self.config(dir, certificate: "client.key")) }
        #expect(notACert?.detail == "client property ssl.certificate.location: the file holds no PEM certificate")
        var ca = Self.config(dir)
        ca["ssl.ca.location"] = dir.path // a CA directory is OpenSSL's to read
        try TLSFiles.check(ca)
    }

    @Test func composeExtrasFromTheEnvironment() {
        let plain = ComposeCluster.Extras.fromEnvironment(composeFile: "/p/docker-compose.yml", [:])
        #expect(plain.connectURL?.absoluteString == "http://localhost:8083")
        #expect(plain.capabilities == [.connect])
        let secure = ComposeCluster.Extras.fromEnvironment(composeFile: "/p/docker-compose.yml",
                                                           ["KAFKA_BDD_SECURE": "1",
                                                            "KAFKA_BDD_CONNECT_URL": "http://connect.test:18083"])
        #expect(secure.capabilities == [.connect, .security])
        #expect(secure.security?.certificates == "/p/compose/certs")
        #expect(secure.connectURL?.absoluteString == "http://connect.test:18083")
    }
}
