import CRdKafka
import Launching
import Dispatch
import Synchronization

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
            throw KafkaError(
                code: RD_KAFKA_RESP_ERR__FAIL, detail: "could not start a mock cluster of \(brokers) brokers")
        }
        self.host = host
        self.mock = mock
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mock))
        self.ports = bootstrapServers.split(separator: ",").compactMap {
            $0.split(separator: ":").last.flatMap { UInt16($0) }
        }
    }

    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32) async throws {
        try await call("create topic \(name)") { [self] in
            rd_kafka_mock_topic_create(mock, name, partitions, replicationFactor)
        }
    }

    /// The mock rebinds a downed broker's port at once and aborts if it cannot: no child process may be
    /// under launch meanwhile (`ChildProcess`).
    public func setDown(_ broker: Int32) async throws {
        try await call("take broker \(broker) down") { [self] in
            ChildProcess.withNoLaunchUnderWay { rd_kafka_mock_broker_set_down(mock, broker) }
        }
    }

    public func setUp(_ broker: Int32) async throws {
        try await call("bring broker \(broker) up") { [self] in rd_kafka_mock_broker_set_up(mock, broker) }
    }

    public func setRoundTripTime(_ broker: Int32, milliseconds: Int32) async throws {
        try await call("set latency of broker \(broker)") { [self] in
            rd_kafka_mock_broker_set_rtt(mock, broker, milliseconds)
        }
    }

    public func setLeader(topic: String, partition: Int32, broker: Int32) async throws {
        try await call("move leader of \(topic)[\(partition)]") { [self] in
            rd_kafka_mock_partition_set_leader(mock, topic, partition, broker)
        }
    }

    public func setCoordinator(type: String, key: String, broker: Int32) async throws {
        try await call("move \(type) coordinator of \(key)") { [self] in
            rd_kafka_mock_coordinator_set(mock, type, key, broker)
        }
    }

    /// The next `errors.count` requests of `apiKey` fail with these errors, in order.
    public func pushRequestErrors(apiKey: Int16, errors: [Int32]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        rd_kafka_mock_push_request_errors_array(mock, apiKey, codes.count, &codes)
    }

    /// The broker answers its next `count` requests of `apiKey` successfully but only after `delay`.
    public func delayResponses(broker: Int32, apiKey: Int16, count: Int, milliseconds: Int32) async throws {
        for _ in 0..<count {
            try await call("delay responses of broker \(broker)") { [self] in
                kafkabdd_mock_push_request_error_rtt(mock, broker, apiKey, RD_KAFKA_RESP_ERR_NO_ERROR, milliseconds)
            }
        }
    }

    public func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(mock, apiKey)
    }

    /// Runs one mock-cluster command and checks its result, off the concurrency pool: the command
    /// waits for the mock's thread, which can take up to a second (below), and a pool thread blocked
    /// that long stalls every task of the process (measured: 0.94 s, both pool threads).
    private func call(_ what: String, _ command: @escaping @Sendable () -> rd_kafka_resp_err_t) async throws {
        let result = try await Blocking.run { [self] in nudging(command) }
        try KafkaError.check(result, what)
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

    private let destroyed = Atomic<Bool>(false)

    /// Destroys the cluster (about a second), off the concurrency pool. Idempotent.
    public func destroy() async {
        _ = try? await Blocking.run { [self] in destroyNow() }
    }

    private func destroyNow() {
        guard !destroyed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        nudging { rd_kafka_mock_cluster_destroy(mock) }
        rd_kafka_destroy(host)
    }

    deinit { destroyNow() }
}
