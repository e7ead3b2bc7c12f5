import Foundation
import Launching
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
@testable import KafkaClient
@testable import Cluster
import Testing

/// Why a cluster could not be reached, told apart: the classifier on hand-made observations, and each
/// cause made on loopback (a closed port, a listener that never answers, a name that does not resolve,
/// a server that answers ApiVersions with too little).
@Suite("Connection diagnosis")
struct ConnectionDiagnosisTests {
    typealias D = ConnectionDiagnosis
    static let underflow = "127.0.0.1:29092/bootstrap: ApiVersionRequest failed: Local: Read underflow: "
        + "probably due to broker version < 0.10 (see api.version.request configuration) "
        + "(after 3ms in state APIVERSION_QUERY)"
    static let refusedLine = "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused"

    static func server(_ reach: D.Reach, _ host: String = "127.0.0.1") -> D.Server {
        D.Server(host: host, port: 9092, reach: reach)
    }

    @Test func eachObservationHasItsCause() {
        let cases: [(D.Server, [D.ClientError], String, D.Cause)] = [
            (Self.server(.failed("Connection refused")), [.init(code: -195, reason: Self.refusedLine)], "PLAINTEXT",
             .refused),
            (Self.server(.failed("No route to host")), [], "PLAINTEXT", .unroutable("No route to host")),
            (Self.server(.connectTimedOut), [], "PLAINTEXT", .timedOut),
            (Self.server(.silent), [], "SASL_SSL", .timedOut),
            (Self.server(.silent), [.init(code: -195, reason: "ApiVersionRequest failed: Local: Timed out: probably "
                + "due to broker version < 0.10")], "PLAINTEXT", .timedOut),
            (Self.server(.unresolved, "no-such-host.invalid"), [], "PLAINTEXT", .unresolved("no-such-host.invalid")),
            (Self.server(.unknown, "slow-dns.example"), [.init(code: -193, reason: "Failed to resolve")], "PLAINTEXT",
             .unresolved("slow-dns.example")),
            (Self.server(.connected), [.init(code: -181, reason: "SSL handshake failed: certificate verify failed")],
             "SSL", .tls),
            (Self.server(.connected), [], "SSL", .tls),
            (Self.server(.answered(errorCode: 0)),
             [.init(code: -169, reason: "SASL authentication error: Authentication failed with SASL mechanism SCRAM")],
             "SASL_PLAINTEXT", .sasl),
            (Self.server(.answered(errorCode: 0)), [], "SASL_PLAINTEXT", .sasl),
            (Self.server(.answered(errorCode: 0)), [.init(code: -195, reason: Self.underflow)], "PLAINTEXT",
             .incompatible),
            (Self.server(.answered(errorCode: 0)), [], "PLAINTEXT", .incompatible),
            (Self.server(.answered(errorCode: 35)), [], "SASL_PLAINTEXT", .incompatible),
            (Self.server(.notKafka), [], "PLAINTEXT", .incompatible),
            (Self.server(.speaksTLS), [], "PLAINTEXT", .closedByBroker),
            (Self.server(.closed), [.init(code: -195, reason: "Disconnected while requesting ApiVersion: "
                + "might be caused by incorrect security.protocol configuration (connecting to a SSL listener?)")],
             "PLAINTEXT",
             .closedByBroker),
            (Self.server(.unknown), [], "PLAINTEXT", .unknown),
        ]
        for (server, errors, proto, cause) in cases {
            #expect(D.classify([server], errors, securityProtocol: proto) == cause,
                    "\(server.reach) \(errors) \(proto)")
        }
    }

    @Test func theFurthestServerSaysTheMost() {
        let servers = [Self.server(.unresolved, "typo"), Self.server(.failed("Connection refused")),
                       Self.server(.silent, "10.0.0.9")]
        #expect(D.classify(servers, [], securityProtocol: "PLAINTEXT") == .timedOut)
        let e = D.error(bootstrap: "typo:9092,127.0.0.1:9092,10.0.0.9:9092", timeout: .seconds(10), servers: servers,
                        errors: [], config: KafkaConfig(), underlying: KafkaError(code: -195, detail: "x"))
        #expect(e.detail.contains("10.0.0.9:9092 accepts connections but did not answer an ApiVersions request"))
    }

    @Test func messagesSayWhatHappenedAndWhatToTry() {
        func message(_ reach: D.Reach, _ errors: [D.ClientError] = [], _ config: KafkaConfig = KafkaConfig(),
                     host: String = "127.0.0.1") -> String {
            D.error(bootstrap: "\(host):9092", timeout: .seconds(10), servers: [Self.server(reach, host)],
                    errors: errors, config: config, underlying: KafkaError(code: -195, detail: "metadata")).description
        }
        #expect(message(.failed("Connection refused"))
            == "_TRANSPORT: cannot reach the Kafka cluster at 127.0.0.1:9092: connection refused by 127.0.0.1:9092 "
            + "— nothing listens there: is the broker running, and is the port right?")
        #expect(message(.connectTimedOut).hasPrefix("_TIMED_OUT: no answer from the Kafka cluster at 127.0.0.1:9092 "
            + "within 0:00:10: connecting timed out — a firewall"))
        #expect(message(.unresolved, host: "no-such-host.invalid").hasPrefix("_RESOLVE: cannot resolve the host name "
            + "no-such-host.invalid of the Kafka cluster at no-such-host.invalid:9092 — check its spelling"))
        let incompatible = message(.answered(errorCode: 0), [.init(code: -195, reason: Self.underflow)])
        #expect(incompatible.contains("answers, but librdkafka \(D.librdkafkaVersion) cannot talk to it: "
            + "127.0.0.1:29092/bootstrap: ApiVersionRequest failed: Local: Read underflow"))
        #expect(incompatible.contains("a newer librdkafka may be needed"))
        #expect(message(.speaksTLS) == "_TRANSPORT: the Kafka cluster at 127.0.0.1:9092 answers in TLS — set "
            + "security.protocol to SSL (or SASL_SSL) and the ssl.* properties")
        #expect(message(.connected, [], KafkaConfig(["security.protocol": "SSL"]))
            .hasPrefix("_SSL: TLS with the Kafka"))
    }

    @Test func noPropertyValueIsEchoed() {
        let config = KafkaConfig(["security.protocol": "SASL_SSL", "sasl.username": "alice-the-admin",
                                  "sasl.password": "S3cr3t", "ssl.ca.location": "/etc/private/ca.pem"])
        let errors: [D.ClientError] = [
            .init(code: -181, reason: "ssl.ca.location failed: /etc/private/ca.pem: No such file"),
            .init(code: -169, reason: "SASL authentication error: user alice-the-admin, password S3cr3t refused"),
        ]
        for errs in [[errors[0]], [errors[1]]] {
            let text = D.error(bootstrap: "b:9093", timeout: .seconds(10), servers: [Self.server(.connected, "b")],
                               errors: errs, config: config,
                               underlying: KafkaError(code: -195, detail: "x")).description
            for secret in ["alice-the-admin", "S3cr3t", "/etc/private/ca.pem"] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
    }

    @Test func bootstrapListsAreSplitIntoServers() {
        let s = D.servers(of: "PLAINTEXT://a:1, b , [::1]:29092,c:x")
        #expect(s.map(\.host) == ["a", "b", "::1", "c"])
        #expect(s.map(\.port) == [1, 9092, 29092, 9092])
    }

    // MARK: made on loopback

    static func reach(_ bootstrap: String, config: KafkaConfig = KafkaConfig(),
                      timeout: Duration = .seconds(4)) async throws -> (message: String, seconds: Double) {
        let cluster = try ExternalCluster(bootstrapServers: bootstrap, clientConfig: config)
        defer { Task { await cluster.shutdown() } }
        let start = ContinuousClock.now
        do {
            try await cluster.checkReachable(timeout: timeout)
        } catch {
            let elapsed = ContinuousClock.now - start
            return ("\(error)", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        Issue.record("\(bootstrap) was reachable")
        return ("", 0)
    }

    @Test func aClosedPortIsRefused() async throws {
        let r = try await Self.reach("127.0.0.1:1")
        #expect(r.message.hasPrefix("_TRANSPORT: cannot reach the Kafka cluster at 127.0.0.1:1: connection refused"),
                "\(r.message)")
    }

    @Test func aListenerThatNeverAnswersTimesOut() async throws {
        let server = try LoopbackServer(answer: nil)
        defer { server.stop() }
        let r = try await Self.reach("127.0.0.1:\(server.port)")
        #expect(r.message.hasPrefix("_TIMED_OUT: no answer from the Kafka cluster at 127.0.0.1:\(server.port) within "
            + "0:00:04: 127.0.0.1:\(server.port) accepts connections but did not answer"), "\(r.message)")
    }

    @Test func aConnectThatHangsTimesOut() async throws {
        let server = try LoopbackServer(answer: nil, full: true)
        defer { server.stop() }
        let r = try await Self.reach("127.0.0.1:\(server.port)")
        #expect(r.message.hasPrefix("_TIMED_OUT: no answer from the Kafka cluster at 127.0.0.1:\(server.port) within "
            + "0:00:04: connecting timed out — a firewall that drops packets"), "\(r.message)")
    }

    @Test func anUnknownHostIsNamed() async throws {
        let r = try await Self.reach("no-such-host.invalid:9092")
        #expect(r.message.hasPrefix("_RESOLVE: cannot resolve the host name no-such-host.invalid"), "\(r.message)")
    }

    /// ApiVersions answered with the right correlation id, error 0 and nothing more: librdkafka cannot
    /// parse it, as librdkafka 2.0.2 could not parse Tansu's v3 answer.
    @Test func aBrokerLibrdkafkaCannotParseIsIncompatible() async throws {
        let server = try LoopbackServer { request in
            [0, 0, 0, 6] + Array(request[8..<12]) + [0, 0]
        }
        defer { server.stop() }
        let r = try await Self.reach("127.0.0.1:\(server.port)")
        #expect(r.message.contains("the Kafka cluster at 127.0.0.1:\(server.port) answers, but librdkafka "
            + "\(D.librdkafkaVersion) cannot talk to it: "), "\(r.message)")
        // librdkafka 2.16 reports only "Broker transport failure" to the application; 2.0.2 says why.
        if D.librdkafkaVersion.hasPrefix("2.0.") {
            #expect(r.message.contains("cannot talk to it: 127.0.0.1:\(server.port)/bootstrap: ApiVersionRequest "
                + "failed: Local: Read underflow"), "\(r.message)")
        }
    }

    /// A TLS client whose handshake meets plaintext bytes.
    @Test func aFailedTLSHandshakeIsTLS() async throws {
        let server = try LoopbackServer { _ in Array("HTTP/1.0 400 Bad Request\r\n\r\n".utf8) }
        defer { server.stop() }
        let r = try await Self.reach("127.0.0.1:\(server.port)", config: KafkaConfig(["security.protocol": "SSL"]))
        #expect(r.message.hasPrefix("_SSL: TLS with the Kafka cluster at 127.0.0.1:\(server.port) failed"),
                "\(r.message)")
    }
}

extension ConnectionDiagnosisTests {
    /// `body` with the port of a real TLS server (openssl s_server with the broker certificate of
    /// `make certs`, whose CA no client here trusts).
    static func withTLSServer(_ body: (Int) async throws -> Void) async throws {
        let dir = try await TLSFilesTests.certificates()
        defer { try? FileManager.default.removeItem(at: dir) }
        let free = try LoopbackServer(answer: nil)
        let port = free.port
        free.stop()
        let keystore = dir.appendingPathComponent("kafka-1/keystore.pem").path
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        // -naccept bounds it even if this process dies; SIGKILL since children inherit a blocked SIGTERM.
        server.arguments = ["s_server", "-quiet", "-naccept", "40", "-accept", "127.0.0.1:\(port)",
                            "-cert", keystore, "-key", keystore]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try ChildProcess.launch(server)
        defer { kill(server.processIdentifier, SIGKILL) }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if ConnectionDiagnosis.look(host: "127.0.0.1", port: port, ask: false, timeoutMs: 200) == .connected {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await body(port)
    }

    /// librdkafka's "certificate verify failed", reported as TLS with what to check.
    @Test func anUntrustedCertificateIsTLS() async throws {
        try await Self.withTLSServer { port in
            let r = try await Self.reach("127.0.0.1:\(port)", config: KafkaConfig(["security.protocol": "SSL"]))
            #expect(r.message.hasPrefix("_SSL: TLS with the Kafka cluster at 127.0.0.1:\(port) failed: "),
                    "\(r.message)")
            // librdkafka 2.16 reports only "Broker transport failure" to the application; 2.0.2 says why.
            if D.librdkafkaVersion.hasPrefix("2.0.") {
                #expect(r.message.contains("certificate verify failed"), "\(r.message)")
            }
        }
    }

    /// A plaintext client on a TLS listener is told to look at security.protocol.
    @Test func aPlaintextClientOnATLSListenerIsToldAboutSecurityProtocol() async throws {
        try await Self.withTLSServer { port in
            let r = try await Self.reach("127.0.0.1:\(port)")
            #expect(r.message.hasPrefix("_TRANSPORT: the Kafka cluster at 127.0.0.1:\(port) closed the connection on "
                + "the first request — the listener may need TLS or SASL: check security.protocol"), "\(r.message)")
        }
    }
}

/// A listener on 127.0.0.1 for at most 30 s: with no `answer` it never accepts (the kernel completes the
/// handshake, nothing is ever read), otherwise it answers each first request with `answer(request)`.
/// `full`: its accept queue (length 0) is taken by a connection of its own, so the kernel drops every
/// other connect's SYN — a connect that hangs, as behind a firewall that drops packets.
final class LoopbackServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private var filler: Int32 = -1
    private let stopped = Atomic<Bool>(false)

    init(answer: (@Sendable ([UInt8]) -> [UInt8])?, full: Bool = false) throws {
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        fd = sock
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(sock, $0, length) == 0 && listen(sock, full ? 0 : 16) == 0 && getsockname(sock, $0, &length) == 0
            }
        }
        guard bound else { close(sock); throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
        if full {
            filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) == 0 }
            }
            guard connected else { stop(); throw POSIXError(.ECONNREFUSED) }
        }
        guard let answer else { return }
        let listener = fd
        Thread { [self] in
            var clients: [Int32] = []
            defer { clients.forEach { close($0) } }
            let end = Date().addingTimeInterval(30)
            while !stopped.load(ordering: .acquiring), Date() < end {
                var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, 100) > 0 else { continue }
                let client = accept(listener, nil, nil)
                guard client >= 0 else { continue }
                clients.append(client)
                var request: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                var wait = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                while request.count < 12, poll(&wait, 1, 1000) > 0 {
                    let n = recv(client, &buffer, buffer.count, 0)
                    if n <= 0 { break }
                    request += buffer[0..<n]
                }
                guard request.count >= 12 else { continue }
                let reply = answer(request)
                _ = reply.withUnsafeBytes { send(client, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }.start()
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        close(fd)
        if filler >= 0 { close(filler) }
    }
}

extension ConnectionDiagnosisTests {
    /// A SASL client and a listener without SASL (librdkafka's mock), the mismatch the foreign-broker trial
    /// met as "cannot reach".
    @Test func aSASLFailureIsSASLAndShowsNoCredential() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { Task { await cluster.shutdown() } }
        let r = try await Self.reach(cluster.bootstrapServers, config: KafkaConfig([
            "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-256", "sasl.username": "someone",
            "sasl.password": "wrong-password"]))
        #expect(r.message.hasPrefix("_AUTHENTICATION: SASL authentication with the Kafka cluster at "
            + "\(cluster.bootstrapServers) failed: "), "\(r.message)")
        #expect(r.message.contains("SASL Handshake not supported by broker"), "\(r.message)")
        for value in ["someone", "wrong-password", "SCRAM-SHA-256"] { #expect(!r.message.contains(value)) }
    }
}
