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

    /// One ApiVersions (v0) round trip to `host:port`, bounded by `timeout`.
    public static func apiVersions(host: String, port: Int, timeout: Duration = .seconds(2)) async -> Outcome {
        let correlationId: Int32 = 0x6B62_6464 // "kbdd"
        let request = apiVersionsRequest(correlationId: correlationId)
        let limit = Int(timeout.milliseconds)
        let outcome = try? await Blocking.run { () -> Outcome in
            let start = TCP.monotonicMs()
            do throws(TCP.Failure) {
                let answer = try TCP.exchange(host: host, port: port, request: request, timeoutMs: limit) {
                    $0.count >= 4 && $0.count >= 4 + Int(readInt32($0, at: 0))
                }
                let rtt = Duration.milliseconds(TCP.monotonicMs() - start)
                guard answer.count >= 10, readInt32(answer, at: 4) == correlationId else {
                    return .unreachable("an answer that is not ApiVersions")
                }
                let error = Int16(bitPattern: UInt16(answer[8]) << 8 | UInt16(answer[9]))
                return error == 0 ? .answered(roundTrip: rtt) : .unreachable("ApiVersions error \(error)")
            } catch .timedOut {
                return .silent
            } catch {
                return .unreachable(error.description)
            }
        }
        return outcome ?? .silent
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

    static func readInt32(_ bytes: [UInt8], at offset: Int) -> Int32 {
        Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) })
    }
}
