import CRdKafka

/// An error from librdkafka or the broker, named as Kafka names it.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Int32
    public let detail: String
    public var isFatal = false
    public var isRetriable = false

    public init(code: rd_kafka_resp_err_t, detail: String? = nil) {
        self.code = code.rawValue
        self.detail = detail ?? String(cString: rd_kafka_err2str(code))
    }

    public init(code: Int32, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// From an `rd_kafka_error_t`, which it destroys.
    init(consuming error: OpaquePointer) {
        code = rd_kafka_error_code(error).rawValue
        detail = string(rd_kafka_error_string(error), or: "")
        isFatal = rd_kafka_error_is_fatal(error) != 0
        isRetriable = rd_kafka_error_is_retriable(error) != 0
        rd_kafka_error_destroy(error)
    }

    /// Kafka's name for the code, e.g. `NOT_LEADER_FOR_PARTITION`, `_MSG_TIMED_OUT`.
    public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: code))) }

    /// This producer was fenced by a newer instance with the same transactional.id.
    public var isFenced: Bool {
        code == RD_KAFKA_RESP_ERR__FENCED.rawValue || code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED.rawValue
            || code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH.rawValue
    }

    /// A group commit refused because the group is rebalancing or has moved on without this member.
    public var isLostToRebalance: Bool {
        code == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS.rawValue
            || code == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION.rawValue
            || code == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID.rawValue
    }

    public var description: String { "\(name): \(detail)" }

    // Named errors for code outside this module (which does not see librdkafka's constants).
    public static func invalidArgument(_ detail: String) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, detail: detail)
    }
    public static func timedOut(_ detail: String) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT, detail: detail)
    }
    public static func transport(_ detail: String) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__TRANSPORT, detail: detail)
    }
    public static func unknownPartition(_ detail: String) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, detail: detail)
    }

    /// A call on a client that was closed or killed (its handle is gone): it stops what it was doing.
    static func closedClient(_ what: String) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__DESTROY, detail: "\(what): the client was closed")
    }

    public var isClosedClient: Bool { code == RD_KAFKA_RESP_ERR__DESTROY.rawValue }

    static func check(_ code: rd_kafka_resp_err_t, _ what: @autoclosure () -> String) throws(KafkaError) {
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(code: code, detail: "\(what()): \(String(cString: rd_kafka_err2str(code)))")
        }
    }

    /// Codes by name, for steps and injected faults: `NOT_LEADER_FOR_PARTITION` → its code.
    public static func code(named name: String) -> Int32? {
        var count = 0
        var descs: UnsafePointer<rd_kafka_err_desc>?
        rd_kafka_get_err_descs(&descs, &count)
        guard let descs else { return nil }
        for i in 0..<count {
            if let n = descs[i].name, String(cString: n) == name { return descs[i].code.rawValue }
        }
        return nil
    }
}

/// The text in a NUL-terminated C buffer (librdkafka's errstr buffers).
/// A C string from librdkafka that may be NULL (some calls return NULL on error), else `fallback`.
func string(_ pointer: UnsafePointer<CChar>?, or fallback: String) -> String {
    pointer.map { String(cString: $0) } ?? fallback
}

func text(of buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
