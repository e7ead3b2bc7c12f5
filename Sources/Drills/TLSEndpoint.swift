import Cluster
import Foundation
import KafkaClient
import Launching
import Synchronization
import Verification

/// KAF-11's TLS checks on any backend: an `openssl s_server` stands in for a broker's TLS listener with a
/// certificate made for the case, and a librdkafka client that trusts the scenario's CA connects to it. The
/// handshake is observed at both ends: the client's error, and whether the server saw it complete (a
/// cipher agreed). No Kafka answers there, so only the handshake is judged.
public final class TLSEndpoint: @unchecked Sendable {
    public enum Kind: Sendable, Equatable {
        /// A certificate for localhost, signed by the CA the client trusts.
        case trusted
        /// A certificate for localhost, signed by another CA.
        case untrustedCA
        /// A certificate for another host name, signed by the trusted CA.
        case host(String)
        /// The trusted certificate, but the server speaks only TLS 1.1.
        case onlyTLS11
    }

    public let kind: Kind
    public let port: Int
    /// The folder of the certificates (removed by `stop`), and the CA the client trusts.
    public let directory: String, trustedCA: String
    private let process: Process
    private let input: Pipe

    private init(kind: Kind, port: Int, directory: String, process: Process, input: Pipe) {
        self.kind = kind
        self.port = port
        self.directory = directory
        trustedCA = directory + "/ca.pem"
        self.process = process
        self.input = input
    }

    /// What one client's attempt showed.
    public struct Attempt: Sendable {
        /// The client's error, nil when it reported none within the attempt.
        public var clientError: String?
        /// The server agreed a cipher with the client: the handshake completed.
        public var handshakeCompleted: Bool
    }

    public static func start(_ kind: Kind) async throws -> TLSEndpoint {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bdd-tls-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do {
            try await makeCertificates(in: dir, kind: kind)
            return try await launch(kind, directory: dir)
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
    }

    private static func makeCertificates(in dir: String, kind: Kind) async throws {
        let openssl = ProcessRunner(timeout: .seconds(30))
        let host: String
        if case .host(let name) = kind { host = name } else { host = "localhost" }
        let signer = kind == .untrustedCA ? "other-ca" : "ca"
        // The host name goes into openssl's arguments: only a DNS name's characters get there.
        guard !host.isEmpty, host.count <= 253,
            host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") })
        else {
            throw DrillFailure("a host name is letters, digits, dots and hyphens (at most 253)")
        }
        do {
            for ca in ["ca", "other-ca"] {
                _ = try await openssl.run(
                    [
                        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir)/\(ca).key",
                        "-out", "\(dir)/\(ca).pem", "-days", "2", "-subj", "/CN=kafka-bdd \(ca)",
                    ], input: nil)
            }
            _ = try await openssl.run(
                [
                    "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/server.key",
                    "-out", dir + "/server.csr", "-subj", "/CN=\(host)",
                ], input: nil)
            try "subjectAltName=DNS:\(host)\n".write(toFile: dir + "/san.cnf", atomically: true, encoding: .utf8)
            _ = try await openssl.run(
                [
                    "openssl", "x509", "-req", "-in", dir + "/server.csr", "-CA", "\(dir)/\(signer).pem",
                    "-CAkey", "\(dir)/\(signer).key", "-CAcreateserial", "-out", dir + "/server.pem", "-days", "2",
                    "-extfile", dir + "/san.cnf",
                ], input: nil)
        } catch {
            throw DrillFailure("openssl could not make the endpoint's certificates (is openssl installed?): \(error)")
        }
    }

    private static func launch(_ kind: Kind, directory dir: String) async throws -> TLSEndpoint {
        // A port is free when bound, not when s_server binds it a moment later: a few tries.
        for _ in 0..<3 {
            let port = try freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments =
                [
                    "openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", dir + "/server.pem",
                    "-key", dir + "/server.key",
                ] + (kind == .onlyTLS11 ? ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"] : [])
            // s_server sends its stdin to the client and stops at its end: the pipe stays open until `stop`.
            // Its output goes to a file, read when asked.
            let input = Pipe()
            FileManager.default.createFile(atPath: dir + "/server.log", contents: nil)
            guard let out = FileHandle(forWritingAtPath: dir + "/server.log") else {
                throw DrillFailure("cannot write the endpoint's log in its temporary folder")
            }
            process.standardInput = input
            process.standardOutput = out
            process.standardError = out
            let endpoint = TLSEndpoint(kind: kind, port: port, directory: dir, process: process, input: input)
            defer { try? out.close() }
            try ChildProcess.launch(process)
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline, process.isRunning, !endpoint.log.contains("ACCEPT") {
                try await Task.sleep(for: .milliseconds(20))  // polling interval of the deadline loop
            }
            if endpoint.log.contains("ACCEPT") { return endpoint }
            endpoint.terminate()
        }
        throw DrillFailure("openssl s_server did not start listening within 5 s, three times")
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DrillFailure("no socket for a free port") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, len) == 0 && getsockname(fd, p, &len) == 0
            }
        }
        guard bound else { throw DrillFailure("could not bind a loopback port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// The server's output so far.
    var log: String { (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? "" }

    /// A client trusting the scenario's CA asks for metadata through `localhost:<port>`; whatever it gets,
    /// the attempt ends within `limit` (no Kafka answers behind the handshake).
    public func attempt(within limit: Duration = .seconds(5)) async -> Attempt {
        func ciphers() -> Int { log.components(separatedBy: "CIPHER is").count - 1 }
        let before = ciphers()
        // The handshake's failure reaches the client's error callback; the metadata call only times out.
        let errors = Mutex<[String]>([])
        do {
            let producer = try Producer(
                config: KafkaConfig([
                    "bootstrap.servers": "localhost:\(port)", "security.protocol": "SSL",
                    "ssl.ca.location": trustedCA, "ssl.endpoint.identification.algorithm": "https",
                ]),
                onError: { error in errors.withLock { $0.append("\(error)") } })
            // Asked in short rounds: the handshake's outcome shows within milliseconds at one end or the other.
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                do {
                    _ = try await producer.metadata(topic: nil, timeout: .milliseconds(500))
                } catch {
                    errors.withLock { $0.append("\(error)") }
                }
                let failed = errors.withLock { $0.contains { TLSHandshake.failure(in: $0) != nil } }
                if failed || ciphers() > before { break }
            }
            await producer.close()
        } catch {
            errors.withLock { $0.append("\(error)") }
        }
        let seen = errors.withLock { Array($0) }
        // What the client said, without the files it was given; the handshake's own words first.
        let failure = (seen.first { TLSHandshake.failure(in: $0) != nil } ?? seen.first)
            .map { $0.replacingOccurrences(of: directory, with: "<certificates>") }
        // The server writes the cipher when the handshake completes, possibly just after the client gave up.
        let deadline = ContinuousClock.now + .milliseconds(500)
        var completed = ciphers() > before
        while !completed, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))  // polling interval of the deadline loop
            completed = ciphers() > before
        }
        return Attempt(clientError: failure, handshakeCompleted: completed)
    }

    private func terminate() {
        try? input.fileHandleForWriting.close()
        guard process.isRunning else { return }
        process.terminate()
        // SIGTERM ends s_server at once; a second later it is killed.
        let deadline = ContinuousClock.now + .seconds(1)
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public func stop() {
        terminate()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
