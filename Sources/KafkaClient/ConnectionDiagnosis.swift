import CRdKafka
import Foundation
import Synchronization

/// Why a client could not talk to a cluster, and what to try next. librdkafka reports a refused port,
/// a black hole, an unknown host and a broker it cannot parse all as "Broker transport failure";
/// the cause shows in a raw connection of our own (name resolution, connect, one ApiVersions
/// request) and in the errors librdkafka raised during the attempt.
public enum ConnectionDiagnosis {
    /// What a raw connection to one bootstrap server showed.
    public enum Reach: Sendable, Equatable {
        /// The host name has no address.
        case unresolved
        /// The connect failed at once: refused, or no route.
        case failed(String)
        /// The connect neither succeeded nor failed in time.
        case connectTimedOut
        /// Connected, nothing sent: a TLS listener cannot be asked in plaintext.
        case connected
        /// Connected, but no whole answer to ApiVersions in time.
        case silent
        /// Connected, then closed without answering.
        case closed
        /// An ApiVersions answer with this error code (0: none).
        case answered(errorCode: Int16)
        /// Bytes that are not an answer to the ApiVersions request.
        case notKafka
        /// A TLS record (an alert): the listener speaks TLS.
        case speaksTLS
        /// The look did not finish (a name resolution that hangs).
        case unknown

        /// How far a connection got: the furthest server says the most.
        var progress: Int {
            switch self {
            case .unknown: 0
            case .unresolved: 1
            case .failed: 2
            case .connectTimedOut: 3
            case .connected, .silent, .closed: 4
            case .answered, .notKafka, .speaksTLS: 5
            }
        }
    }

    public struct Server: Sendable, Equatable {
        public let host: String
        public let port: Int
        public let reach: Reach
        public init(host: String, port: Int, reach: Reach) {
            self.host = host
            self.port = port
            self.reach = reach
        }
        var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// An error librdkafka raised (its error callback): code and reason.
    public struct ClientError: Sendable, Equatable {
        public let code: Int32
        public let reason: String
        public init(code: Int32, reason: String) {
            self.code = code
            self.reason = reason
        }
    }

    public enum Cause: Sendable, Equatable {
        case refused
        case unroutable(String)
        case timedOut
        case unresolved(String)
        case tls
        case sasl
        case closedByBroker
        case incompatible
        case unknown
    }

    public static var librdkafkaVersion: String { String(cString: rd_kafka_version_str()) }

    /// librdkafka's codes for an answer it could not parse or a feature the broker lacks.
    static let parseCodes = [
        RD_KAFKA_RESP_ERR__UNDERFLOW, RD_KAFKA_RESP_ERR__BAD_MSG,
        RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE,
    ]

    /// The cause, from the furthest any bootstrap server got and librdkafka's errors.
    public static func classify(_ servers: [Server], _ errors: [ClientError], securityProtocol: String) -> Cause {
        let proto = securityProtocol.uppercased()
        let reasons = errors.map(\.reason)
        let codes = Set(errors.map(\.code))
        // Not any "SSL" or "SASL": librdkafka's hints on a closed connection name both as guesses.
        let tlsWords = ["SSL handshake", "certificate", "ssl.ca"]
        if codes.contains(RD_KAFKA_RESP_ERR__SSL.rawValue)
            || reasons.contains(where: { r in tlsWords.contains { r.contains($0) } })
        {
            return .tls
        }
        let saslWords = ["SASL authentication", "SASL handshake", "SASL mechanism"]
        if codes.contains(RD_KAFKA_RESP_ERR__AUTHENTICATION.rawValue)
            || reasons.contains(where: { r in saslWords.contains { r.contains($0) } })
        {
            return .sasl
        }
        // An ApiVersions that timed out is a silent broker, not an unparsable one.
        let parseWords = ["underflow", "Invalid response size", "parse", "Bad message format"]
        if parseCodes.contains(where: { codes.contains($0.rawValue) })
            || reasons.contains(where: { r in
                parseWords.contains { r.contains($0) }
                    || r.contains("ApiVersionRequest failed") && !r.contains("Timed out")
            })
        {
            return .incompatible
        }
        if reasons.contains(where: {
            $0.contains("Disconnected while requesting ApiVersion")
                || $0.contains("might require SASL")
        }) {
            return .closedByBroker
        }
        guard let best = servers.max(by: { $0.reach.progress < $1.reach.progress }) else { return .unknown }
        switch best.reach {
        case .notKafka: return .incompatible
        case .speaksTLS: return .closedByBroker
        case .answered(let code): return code != 0 || !proto.hasPrefix("SASL") ? .incompatible : .sasl
        case .connected: return proto.contains("SSL") ? .tls : .unknown
        case .closed: return .closedByBroker
        case .silent, .connectTimedOut: return .timedOut
        case .failed(let why): return why.lowercased().contains("refused") ? .refused : .unroutable(why)
        case .unresolved: return .unresolved(best.host)
        case .unknown:
            if codes.contains(RD_KAFKA_RESP_ERR__RESOLVE.rawValue) { return .unresolved(best.host) }
            if reasons.contains(where: { $0.contains("Connection refused") }) { return .refused }
            if reasons.contains(where: { $0.contains("timed out") }) { return .timedOut }
            return .unknown
        }
    }

    /// The error to show: what happened and the next thing to try. No property value appears in it
    /// (a librdkafka reason may quote one: a certificate path, a user name).
    public static func error(
        bootstrap: String, timeout: Duration, servers: [Server], errors: [ClientError],
        config: KafkaConfig, underlying: any Error
    ) -> KafkaError {
        let cause = classify(servers, errors, securityProtocol: config["security.protocol"] ?? "PLAINTEXT")
        let at = "the Kafka cluster at \(bootstrap)"
        let within = "within \(timeout.formatted())"
        func reached(_ test: (Reach) -> Bool) -> String {
            servers.filter { test($0.reach) }.map(\.address).joined(separator: ", ")
        }
        func reason(_ codes: [rd_kafka_resp_err_t], _ words: [String]) -> String {
            let hit = errors.last { e in
                codes.contains { $0.rawValue == e.code } || words.contains { e.reason.contains($0) }
            }
            return hit.map { scrubbed($0.reason, config) } ?? "\(underlying)"
        }
        switch cause {
        case .refused:
            let refused = reached { if case .failed = $0 { true } else { false } }
            return KafkaError(
                code: RD_KAFKA_RESP_ERR__TRANSPORT,
                detail: "cannot reach \(at): connection refused"
                    + (refused.isEmpty ? "" : " by \(refused)")
                    + " — nothing listens there: is the broker running, and is the port right?")
        case .unroutable(let why):
            return KafkaError(
                code: RD_KAFKA_RESP_ERR__TRANSPORT,
                detail: "cannot reach \(at): \(why) — check the "
                    + "address and the network path to it (firewall, VPN, routing)")
        case .timedOut:
            let silent = reached { $0 == .silent }
            if !silent.isEmpty {
                return KafkaError(
                    code: RD_KAFKA_RESP_ERR__TIMED_OUT,
                    detail: "no answer from \(at) \(within): "
                        + "\(silent) accepts connections but did not answer an ApiVersions request — "
                        + "is it a Kafka listener's port, "
                        + "and is the broker up and not overloaded?")
            }
            return KafkaError(
                code: RD_KAFKA_RESP_ERR__TIMED_OUT,
                detail: "no answer from \(at) \(within): connecting "
                    + "timed out — a firewall that drops packets, a wrong address, or a broker host that is down")
        case .unresolved(let host):
            return KafkaError(
                code: RD_KAFKA_RESP_ERR__RESOLVE,
                detail: "cannot resolve the host name \(host) of \(at) "
                    + "— check its spelling in the bootstrap servers (KAFKA_BDD_BOOTSTRAP or --bootstrap) "
                    + "and the DNS")
        case .tls:
            let why = reason([RD_KAFKA_RESP_ERR__SSL], ["SSL"])
            return KafkaError(
                code: RD_KAFKA_RESP_ERR__SSL,
                detail: "TLS with \(at) failed: \(why) — check "
                    + "security.protocol (SSL or SASL_SSL for a TLS listener) and the ssl.* properties: "
                    + "ssl.ca.location "
                    + "for the broker's CA, the client certificate and key, ssl.endpoint.identification.algorithm")
        case .sasl:
            let why = reason([RD_KAFKA_RESP_ERR__AUTHENTICATION], ["SASL"])
            return KafkaError(
                code: RD_KAFKA_RESP_ERR__AUTHENTICATION,
                detail: "SASL authentication with \(at) failed: "
                    + "\(why) — check sasl.mechanism against the mechanisms the listener enables, sasl.username and "
                    + "sasl.password, and security.protocol (SASL_PLAINTEXT or SASL_SSL)")
        case .closedByBroker where servers.contains { $0.reach == .speaksTLS }:
            return KafkaError(
                code: RD_KAFKA_RESP_ERR__TRANSPORT,
                detail: "\(at) answers in TLS — set "
                    + "security.protocol to SSL (or SASL_SSL) and the ssl.* properties")
        case .closedByBroker:
            return KafkaError(
                code: RD_KAFKA_RESP_ERR__TRANSPORT,
                detail: "\(at) closed the connection on the first "
                    + "request — the listener may need TLS or SASL: check security.protocol against the listener's "
                    + "(PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)")
        case .incompatible:
            var why = reason(parseCodes, ["ApiVersion", "underflow", "Invalid response size", "parse"])
            if servers.contains(where: { $0.reach == .notKafka }) {
                why = "its answer to an ApiVersions request is not a Kafka response; librdkafka: \(why)"
            } else if let code = servers.lazy.compactMap({ s -> Int16? in
                if case .answered(let c) = s.reach, c != 0 { c } else { nil }
            }).first {
                why = "it answers ApiVersions with error \(code); librdkafka: \(why)"
            }
            return KafkaError(
                code: RD_KAFKA_RESP_ERR__TRANSPORT,
                detail: "\(at) answers, but librdkafka "
                    + "\(librdkafkaVersion) cannot talk to it: \(why) — it may speak a protocol version this "
                    + "librdkafka "
                    + "does not parse; a newer librdkafka may be needed (this process loaded \(librdkafkaVersion))")
        case .unknown:
            return KafkaError(code: RD_KAFKA_RESP_ERR__TRANSPORT, detail: "cannot reach \(at) \(within): \(underlying)")
        }
    }

    /// A librdkafka reason without any property value in it.
    static func scrubbed(_ reason: String, _ config: KafkaConfig) -> String {
        config.properties.reduce(reason) { text, entry in
            let value = entry.value
            guard value.count >= 4 || (KafkaConfig.isSecret(entry.key) && !value.isEmpty) else { return text }
            return text.replacingOccurrences(of: value, with: "(\(entry.key) not shown)")
        }
    }

    /// `host:port` pairs of a bootstrap list (`PLAINTEXT://h:p`, `[::1]:9092` and bare hosts too).
    public static func servers(of bootstrap: String) -> [(host: String, port: Int)] {
        bootstrap.split(separator: ",").compactMap { entry in
            var s = entry.trimmingCharacters(in: .whitespaces)
            if let scheme = s.range(of: "://") { s = String(s[scheme.upperBound...]) }
            guard !s.isEmpty else { return nil }
            if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
                let host = String(s[s.index(after: s.startIndex)..<close])
                let rest = s[s.index(after: close)...]
                return (host, rest.hasPrefix(":") ? Int(rest.dropFirst()) ?? 9092 : 9092)
            }
            guard let colon = s.lastIndex(of: ":") else { return (s, 9092) }
            return (String(s[..<colon]), Int(s[s.index(after: colon)...]) ?? 9092)
        }
    }

    /// Looks at every bootstrap server at once, all within `limit`: resolves, connects and, unless the
    /// listener speaks TLS, sends one ApiVersions request. A look not finished in time is `.unknown`.
    public static func observe(bootstrap: String, securityProtocol: String, within limit: Duration) async -> [Server] {
        let ask = !securityProtocol.uppercased().contains("SSL")
        return await withTaskGroup(of: Server.self) { group in
            for (host, port) in servers(of: bootstrap) {
                group.addTask {
                    let reach = await bounded(limit + .milliseconds(200), otherwise: Reach.unknown) {
                        look(host: host, port: port, ask: ask, timeoutMs: Int(limit.milliseconds))
                    }
                    return Server(host: host, port: port, reach: reach)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// One raw look at a server. Blocking.
    static func look(host: String, port: Int, ask: Bool, timeoutMs: Int) -> Reach {
        let deadline = TCP.monotonicMs() + timeoutMs
        let fd: Int32
        do throws(TCP.Failure) {
            fd = try TCP.connected(host: host, port: port, deadline: deadline)
        } catch {
            switch error {
            case .unresolved: return .unresolved
            case .refused(let why): return .failed(why)
            case .timedOut: return .connectTimedOut
            case .closed: return .closed
            }
        }
        defer { close(fd) }
        guard ask else { return .connected }
        let correlationId: Int32 = 0x6B62_6464
        var seen: [UInt8] = []
        do throws(TCP.Failure) {
            let answer = try TCP.exchange(
                fd, request: BrokerProbe.apiVersionsRequest(correlationId: correlationId),
                deadline: deadline
            ) { bytes in
                seen = bytes
                guard bytes.count >= 4 else { return false }
                let size = Int(BrokerProbe.readInt32(bytes, at: 0))
                // A size no ApiVersions answer has: garbage, no need to wait for that many bytes.
                return size < 6 || size > 1 << 20 || bytes.count >= 4 + size
            }
            let size = Int(BrokerProbe.readInt32(answer, at: 0))
            guard size >= 6, size <= 1 << 20, BrokerProbe.readInt32(answer, at: 4) == correlationId else {
                return (answer[0] == 0x15 || answer[0] == 0x16) && answer[1] == 0x03 ? .speaksTLS : .notKafka
            }
            return .answered(errorCode: Int16(bitPattern: UInt16(answer[8]) << 8 | UInt16(answer[9])))
        } catch {
            if seen.count >= 2, seen[0] == 0x15 || seen[0] == 0x16, seen[1] == 0x03 { return .speaksTLS }
            if !seen.isEmpty { return .notKafka }
            return error == .timedOut ? .silent : .closed
        }
    }

    /// `body` on a thread of its own, or `fallback` when it has not finished within `limit`
    /// (getaddrinfo has no timeout of its own; the thread is left to finish).
    static func bounded<T: Sendable>(
        _ limit: Duration, otherwise fallback: T,
        _ body: @escaping @Sendable () -> T
    ) async -> T {
        let once = Once()
        return await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread {
                let value = body()
                if once.first() { continuation.resume(returning: value) }
            }
            thread.name = "kafka-bdd connection look"
            thread.start()
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(limit.milliseconds))) {
                if once.first() { continuation.resume(returning: fallback) }
            }
        }
    }
}

/// True for the first caller only: whichever of a body and its timer finishes first resumes.
private final class Once: Sendable {
    private let done = Atomic<Bool>(false)
    func first() -> Bool { !done.exchange(true, ordering: .acquiringAndReleasing) }
}

/// The errors librdkafka raised on each client that records them, the last few per client, to
/// explain a call that failed.
enum ClientErrors {
    private static let recorded = Mutex<[UInt: [ConnectionDiagnosis.ClientError]]>([:])

    static func key(_ handle: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle))) }

    static func record(_ handle: OpaquePointer?, _ code: Int32, _ reason: String) {
        guard let handle else { return }
        recorded.withLock { all in
            all[key(handle), default: []].append(.init(code: code, reason: reason))
            if all[key(handle)]!.count > 16 { all[key(handle)]!.removeFirst() }
        }
        ClientLog.logger.error("ERROR \(reason)", metadata: ["client": .string(String(cString: rd_kafka_name(handle)))])
    }

    static func of(_ handle: OpaquePointer) -> [ConnectionDiagnosis.ClientError] {
        recorded.withLock { $0[key(handle)] ?? [] }
    }

    static func forget(_ handle: OpaquePointer) {
        _ = recorded.withLock { $0.removeValue(forKey: key(handle)) }
    }
}
