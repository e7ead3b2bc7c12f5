import CRdKafka
import Dispatch

/// librdkafka's in-process mock cluster: N brokers on loopback sockets. It lives on a host client
/// handle and is destroyed before it.
public final class MockCluster: @unchecked Sendable {
    // Mock cluster calls are thread-safe (they post to the mock's own thread).
    private let host: OpaquePointer
    private let mock: OpaquePointer
    public let brokerCount: Int
    public let bootstrapServers: String
    /// The brokers' listening ports, for nudging the mock's thread.
    private let ports: [UInt16]

    public init(brokers: Int) throws(KafkaError) {
        let conf = try KafkaConfig(["client.id": "kafka-bdd-mock-host"]).makeConf()
        var buffer = [CChar](repeating: 0, count: 512)
        guard let host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &buffer, buffer.count) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, detail: text(of: buffer))
        }
        guard let mock = rd_kafka_mock_cluster_new(host, Int32(brokers)) else {
            rd_kafka_destroy(host)
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, detail: "could not start a mock cluster of \(brokers) brokers")
        }
        self.host = host
        self.mock = mock
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mock))
        self.ports = bootstrapServers.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { UInt16($0) } }
    }

    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32) throws(KafkaError) {
        try call("create topic \(name)") { rd_kafka_mock_topic_create(mock, name, partitions, replicationFactor) }
    }

    public func setDown(_ broker: Int32) throws(KafkaError) {
        try call("take broker \(broker) down") { rd_kafka_mock_broker_set_down(mock, broker) }
    }

    public func setUp(_ broker: Int32) throws(KafkaError) {
        try call("bring broker \(broker) up") { rd_kafka_mock_broker_set_up(mock, broker) }
    }

    public func setRoundTripTime(_ broker: Int32, milliseconds: Int32) throws(KafkaError) {
        try call("set latency of broker \(broker)") { rd_kafka_mock_broker_set_rtt(mock, broker, milliseconds) }
    }

    public func setLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try call("move leader of \(topic)[\(partition)]") { rd_kafka_mock_partition_set_leader(mock, topic, partition, broker) }
    }

    public func setCoordinator(type: String, key: String, broker: Int32) throws(KafkaError) {
        try call("move \(type) coordinator of \(key)") { rd_kafka_mock_coordinator_set(mock, type, key, broker) }
    }

    /// The next `errors.count` requests of `apiKey` fail with these errors, in order.
    public func pushRequestErrors(apiKey: Int16, errors: [Int32]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        rd_kafka_mock_push_request_errors_array(mock, apiKey, codes.count, &codes)
    }

    /// The broker answers its next `count` requests of `apiKey` successfully but only after `delay`.
    public func delayResponses(broker: Int32, apiKey: Int16, count: Int, milliseconds: Int32) throws(KafkaError) {
        for _ in 0..<count {
            try call("delay responses of broker \(broker)") {
                kafkabdd_mock_push_request_error_rtt(mock, broker, apiKey, RD_KAFKA_RESP_ERR_NO_ERROR, milliseconds)
            }
        }
    }

    public func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(mock, apiKey)
    }

    /// Runs one mock-cluster command and checks its result.
    private func call(_ what: String, _ command: () -> rd_kafka_resp_err_t) throws(KafkaError) {
        try KafkaError.check(nudging(command), what)
    }

    /// Commands are handed to the mock's thread, which in librdkafka 2.0.2 does not always wake for
    /// them and then serves them only at its next 1 s poll timeout. Any socket activity wakes it, so
    /// while a command waits, connections to the brokers' listeners are opened and closed every few
    /// milliseconds.
    private func nudging<T>(_ command: () -> T) -> T {
        let nudger = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        nudger.schedule(deadline: .now() + .milliseconds(2), repeating: .milliseconds(5))
        nudger.setEventHandler { [ports] in ports.forEach { TCP.touch(loopbackPort: $0) } }
        nudger.resume()
        defer { nudger.cancel() }
        return command()
    }

    deinit {
        nudging { rd_kafka_mock_cluster_destroy(mock) }
        rd_kafka_destroy(host)
    }
}
