/// Looks at one broker from outside any client: an ApiVersions request on a fresh connection.
/// A fault drill confirms its fault with this (a killed broker must not answer, a restarted one
/// must, injected latency must show in the round trip) instead of trusting the harness's own record.
public enum BrokerProbe {
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        /// The broker answered ApiVersions without error after this round trip.
        case answered(roundTrip: Duration)
        /// Nothing listens, or the connection broke: the broker is not serving.
        case unreachable(String)
        /// Connected, but no whole answer within the time limit.
        case silent

        public var answered: Bool { if case .answered = self { true } else { false } }

        public var roundTrip: Duration? { if case .answered(let rtt) = self { rtt } else { nil } }

        public var description: String {
            switch self {
            case .answered(let rtt): "answered ApiVersions in \(rtt.milliseconds) ms"
            case .unreachable(let why): "unreachable: \(why)"
            case .silent: "connected but did not answer"
            }
        }
    }

    static let correlationId: Int32 = 0x6B62_6464  // "kbdd"
    /// A v0 answer lists each request type in 6 bytes; no broker lists a thousandth of this.
    static let answerLimit = 1 << 20

    /// One ApiVersions (v0) round trip to `host:port`, bounded by `timeout`.
    public static func apiVersions(host: String, port: Int, timeout: Duration = .seconds(2)) async -> Outcome {
        let (answer, outcome) = await exchange(host: host, port: port, timeout: timeout)
        guard let answer, case .answered = outcome else { return outcome }
        guard answer.count >= 10, readInt32(answer, at: 4) == correlationId else {
            return .unreachable("an answer that is not ApiVersions")
        }
        let error = Int16(bitPattern: UInt16(answer[8]) << 8 | UInt16(answer[9]))
        return error == 0 ? outcome : .unreachable("ApiVersions error \(error)")
    }

    /// The request types `host:port` supports, from one ApiVersions (v0) round trip bounded by `timeout`.
    public static func supportedApis(
        host: String, port: Int, timeout: Duration = .seconds(2)
    ) async -> Discovery {
        let (answer, outcome) = await exchange(host: host, port: port, timeout: timeout)
        guard let answer else { return .failure(ProbeFailure(reason: outcome.description)) }
        do throws(ApiVersionsAnswerError) {
            return .success(try parseApiVersionsV0(answer, correlationId: correlationId))
        } catch {
            return .failure(ProbeFailure(reason: error.description))
        }
    }

    public typealias Discovery = Result<[ApiVersionRange], ProbeFailure>

    /// A probe that learnt nothing, and why.
    public struct ProbeFailure: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    private static func exchange(host: String, port: Int, timeout: Duration) async -> ([UInt8]?, Outcome) {
        let request = apiVersionsRequest(correlationId: correlationId)
        let limit = Int(timeout.milliseconds)
        let result = try? await Blocking.run { () -> ([UInt8]?, Outcome) in
            let start = TCP.monotonicMs()
            do throws(TCP.Failure) {
                let answer = try TCP.exchange(host: host, port: port, request: request, timeoutMs: limit) {
                    $0.count >= 4 && ($0.count >= 4 + Int(readInt32($0, at: 0)) || $0.count > answerLimit)
                }
                return (answer, .answered(roundTrip: .milliseconds(TCP.monotonicMs() - start)))
            } catch .timedOut {
                return (nil, .silent)
            } catch {
                return (nil, .unreachable(error.description))
            }
        }
        return result ?? (nil, .silent)
    }

    /// One request type a broker supports: its API key and the versions it accepts.
    public struct ApiVersionRange: Sendable, Equatable {
        public let key: Int16
        public let minVersion: Int16
        public let maxVersion: Int16

        public init(key: Int16, minVersion: Int16, maxVersion: Int16) {
            self.key = key
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }
    }

    public enum ApiVersionsAnswerError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The answer ends before what it announces: `needed` bytes, `have` bytes.
        case truncated(needed: Int, have: Int)
        case tooLarge(Int)
        case notOurAnswer
        case brokerError(Int16)
        case negativeCount(Int32)

        public var description: String {
            switch self {
            case .truncated(let needed, let have): "a truncated ApiVersions answer (\(have) of \(needed) bytes)"
            case .tooLarge(let size): "an ApiVersions answer of \(size) bytes (at most \(answerLimit) expected)"
            case .notOurAnswer: "an answer that is not ApiVersions"
            case .brokerError(let code): "ApiVersions error \(code)"
            case .negativeCount(let n): "an ApiVersions answer listing \(n) request types"
            }
        }
    }

    /// Reads an ApiVersions v0 answer as it came off the wire: int32 size, int32 correlation id, then the
    /// body — error_code int16 and an int32-counted array of (api_key, min_version, max_version) int16.
    /// Every read is bounds-checked: a truncated or hostile answer is an error, never a crash.
    public static func parseApiVersionsV0(
        _ answer: [UInt8], correlationId: Int32
    ) throws(ApiVersionsAnswerError) -> [ApiVersionRange] {
        guard answer.count >= 4 else { throw .truncated(needed: 4, have: answer.count) }
        let size = Int(readInt32(answer, at: 0))
        guard size >= 0 else { throw .negativeCount(Int32(size)) }
        guard size <= answerLimit else { throw .tooLarge(size) }
        guard answer.count >= 4 + size else { throw .truncated(needed: 4 + size, have: answer.count) }
        let end = 4 + size
        guard end >= 14 else { throw .truncated(needed: 14, have: end) }
        guard readInt32(answer, at: 4) == correlationId else { throw .notOurAnswer }
        let error = readInt16(answer, at: 8)
        guard error == 0 else { throw .brokerError(error) }
        let count = readInt32(answer, at: 10)
        guard count >= 0 else { throw .negativeCount(count) }
        let needed = 14 + Int(count) * 6
        guard needed <= end else { throw .truncated(needed: needed, have: end) }
        return (0..<Int(count)).map { i in
            let at = 14 + i * 6
            return ApiVersionRange(
                key: readInt16(answer, at: at), minVersion: readInt16(answer, at: at + 2),
                maxVersion: readInt16(answer, at: at + 4))
        }
    }

    /// Request header v1 (api key 18, version 0, correlation id, client id) and an empty v0 body.
    static func apiVersionsRequest(correlationId: Int32) -> [UInt8] {
        let clientId = Array("kafka-bdd-probe".utf8)
        var body: [UInt8] = []
        func int16(_ v: Int16) { body += [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
        func int32(_ v: Int32) { (0..<4).reversed().forEach { body.append(UInt8(truncatingIfNeeded: v >> ($0 * 8))) } }
        int16(18)
        int16(0)
        int32(correlationId)
        int16(Int16(clientId.count))
        body += clientId
        let size = Int32(body.count)
        return (0..<4).reversed().map { UInt8(truncatingIfNeeded: size >> ($0 * 8)) } + body
    }

    static func readInt16(_ bytes: [UInt8], at offset: Int) -> Int16 {
        Int16(bitPattern: UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]))
    }

    static func readInt32(_ bytes: [UInt8], at offset: Int) -> Int32 {
        Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) })
    }
}
