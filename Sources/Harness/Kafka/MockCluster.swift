import CRdKafka

/// librdkafka's in-process mock cluster: N brokers on loopback sockets. It lives on a host client
/// handle and is destroyed before it.
final class MockCluster: @unchecked Sendable {
    // Mock cluster calls are thread-safe (they post to the mock's own thread).
    private let host: OpaquePointer
    private let mock: OpaquePointer
    let brokerCount: Int
    let bootstrapServers: String

    init(brokers: Int) throws(KafkaError) {
        let conf = try KafkaConfig(["client.id": "kafka-bdd-mock-host", "log_level": "3"]).makeConf()
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
    }

    func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_topic_create(mock, name, partitions, replicationFactor), "create topic \(name)")
    }

    func setDown(_ broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_down(mock, broker), "take broker \(broker) down")
    }

    func setUp(_ broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_up(mock, broker), "bring broker \(broker) up")
    }

    func setRoundTripTime(_ broker: Int32, milliseconds: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_rtt(mock, broker, milliseconds), "set latency of broker \(broker)")
    }

    func setLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_partition_set_leader(mock, topic, partition, broker), "move leader of \(topic)[\(partition)]")
    }

    func setCoordinator(type: String, key: String, broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_coordinator_set(mock, type, key, broker), "move \(type) coordinator of \(key)")
    }

    /// The next `errors.count` requests of `apiKey` fail with these errors, in order.
    func pushRequestErrors(apiKey: Int16, errors: [Int32]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        rd_kafka_mock_push_request_errors_array(mock, apiKey, codes.count, &codes)
    }

    func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(mock, apiKey)
    }

    deinit {
        rd_kafka_mock_cluster_destroy(mock)
        rd_kafka_destroy(host)
    }
}
