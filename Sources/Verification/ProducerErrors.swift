/// The errors a producer reported while it kept producing (error events and failed deliveries), judged
/// for a drill that may only disturb it: each must be one a client retries by itself (a connection
/// dropped, a broker down for a moment, a leader moving). Anything else — a TLS handshake refused, an
/// authentication or authorization error, a timed-out delivery — is a failure, named with its count.
public enum ProducerErrors {
    /// Kafka's names (librdkafka's spelling, `_` for the client's own) of the transient errors.
    public static let retriable: Set<String> = [
        "_TRANSPORT", "_ALL_BROKERS_DOWN", "_TIMED_OUT", "_RESOLVE", "_WAIT_COORD",
        "NOT_LEADER_OR_FOLLOWER", "LEADER_NOT_AVAILABLE", "REQUEST_TIMED_OUT", "NETWORK_EXCEPTION",
        "NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS_AFTER_APPEND", "KAFKA_STORAGE_ERROR",
        "UNKNOWN_TOPIC_OR_PARTITION", "NOT_CONTROLLER", "COORDINATOR_NOT_AVAILABLE",
    ]

    /// `seen`: error name → how often it was reported.
    public static func onlyRetriable(_ seen: [String: Int]) -> Verdict {
        let bad = seen.filter { !retriable.contains($0.key) }.sorted { $0.key < $1.key }
        guard !bad.isEmpty else { return Verdict() }
        return Verdict([
            "the producer saw errors that are not retriable: "
                + bad.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        ])
    }
}
