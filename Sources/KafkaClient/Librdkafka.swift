import CRdKafka

/// The librdkafka the harness is linked against.
public enum Librdkafka {
    /// e.g. "2.0.2"
    public static var version: String { String(cString: rd_kafka_version_str()) }
}
