import CRdKafka
import Synchronization

public struct BrokerInfo: Sendable, Hashable {
    public let id: Int32
    public let host: String
    public let port: Int32

    public init(id: Int32, host: String, port: Int32) {
        self.id = id
        self.host = host
        self.port = port
    }
}

public struct PartitionMetadata: Sendable, Hashable {
    public let id: Int32
    public let leader: Int32
    public let replicas: [Int32]
    public let isr: [Int32]
    public let error: Int32

    public init(id: Int32, leader: Int32, replicas: [Int32], isr: [Int32], error: Int32) {
        self.id = id
        self.leader = leader
        self.replicas = replicas
        self.isr = isr
        self.error = error
    }
}

public struct TopicMetadata: Sendable, Hashable {
    public let name: String
    public let partitions: [PartitionMetadata]
    public let error: Int32

    public init(name: String, partitions: [PartitionMetadata], error: Int32) {
        self.name = name
        self.partitions = partitions
        self.error = error
    }
}

/// A snapshot of what the cluster says about itself.
public struct ClusterMetadata: Sendable {
    public let brokers: [BrokerInfo]
    public let topics: [TopicMetadata]

    public init(brokers: [BrokerInfo], topics: [TopicMetadata]) {
        self.brokers = brokers
        self.topics = topics
    }

    public func topic(_ name: String) -> TopicMetadata? { topics.first { $0.name == name } }
}

/// The parts of an `rd_kafka_t` every client shares: its handle, metadata and watermarks.
public class KafkaClient: @unchecked Sendable {
    // librdkafka handles are thread-safe; the pointer never changes after init. Calls that use it
    // between `enter` and `leave` (or in `blocking`) keep it alive against a close or kill elsewhere.
    let handle: OpaquePointer
    let life = HandleLife()

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    /// Starts a call on the handle; a client already closed or killed throws instead (its handle is gone
    /// or going). Every `enter` is paired with a `leave`.
    func enter(_ what: @autoclosure () -> String) throws(KafkaError) {
        guard life.enter() else { throw KafkaError.closedClient(what()) }
    }

    func leave() { life.leave() }

    /// A blocking call on the handle, off the concurrency pool, with the handle kept alive until it returns.
    func blocking<T: Sendable>(
        _ what: String,
        _ body: @escaping @Sendable (OpaquePointer) throws -> T
    ) async throws -> T {
        try enter(what)
        return try await Blocking.run { [self] in
            defer { leave() }
            return try body(handle)
        }
    }

    /// `rd_kafka_new`, with librdkafka's reason as a KafkaError; `release` undoes what the caller
    /// attached to `conf` when no client comes of it.
    static func makeHandle(_ type: rd_kafka_type_t, _ conf: OpaquePointer, release: () -> Void) throws(KafkaError)
        -> OpaquePointer
    {
        var buffer = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &buffer, buffer.count) else {
            release()
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, detail: text(of: buffer))
        }
        return handle
    }

    /// A configuration property as this client's librdkafka holds it (what it runs with, not what was
    /// asked for); nil when librdkafka has no such property.
    public func configured(_ name: String) -> String? {
        guard life.enter() else { return nil }
        defer { leave() }
        guard let conf = rd_kafka_conf(handle) else { return nil }
        var size = 0
        guard rd_kafka_conf_get(conf, name, nil, &size) == RD_KAFKA_CONF_OK, size > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: size)
        guard rd_kafka_conf_get(conf, name, &buffer, &size) == RD_KAFKA_CONF_OK else { return nil }
        return text(of: buffer)
    }

    /// The client's name (e.g. `rdkafka#producer-1`).
    public var name: String {
        guard life.enter() else { return "closed client" }
        defer { leave() }
        return String(cString: rd_kafka_name(handle))
    }

    /// The id the cluster gives itself in its metadata (a librdkafka mock cluster's starts with
    /// `mockCluster`); nil when no broker answered within `timeout`.
    public func clusterId(timeout: Duration = .seconds(10)) async throws -> String? {
        try await blocking("cluster id") { handle in
            guard let id = rd_kafka_clusterid(handle, timeout.milliseconds) else { return nil }
            defer { rd_kafka_mem_free(handle, id) }
            return String(cString: id)
        }
    }

    /// Cluster metadata for one topic, or all; blocking, so it runs off the concurrency pool.
    /// The cluster's brokers and the topics' partitions. A request can be handed to a broker that just
    /// died and wait there, so it is asked in attempts of at most two seconds until `timeout`.
    public func metadata(topic: String? = nil, timeout: Duration = .seconds(10)) async throws -> ClusterMetadata {
        try await blocking("metadata") { _ in
            let deadline = ContinuousClock.now + timeout
            while true {
                let remaining = deadline - ContinuousClock.now
                do {
                    return try self.metadataBlocking(topic: topic, timeout: min(remaining, .seconds(2)))
                } catch let error as KafkaError
                    where error.code == RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
                    || error.code == RD_KAFKA_RESP_ERR__TRANSPORT.rawValue
                {
                    guard ContinuousClock.now + .milliseconds(1) < deadline else { throw error }
                }
            }
        }
    }

    func metadataBlocking(topic: String?, timeout: Duration) throws(KafkaError) -> ClusterMetadata {
        var md: UnsafePointer<rd_kafka_metadata>?
        let rkt = topic.map { rd_kafka_topic_new(handle, $0, nil) }
        defer { if let rkt { rd_kafka_topic_destroy(rkt!) } }
        let err = rd_kafka_metadata(handle, topic == nil ? 1 : 0, rkt ?? nil, &md, timeout.milliseconds)
        try KafkaError.check(err, "metadata")
        guard let md else { throw KafkaError(code: RD_KAFKA_RESP_ERR__BAD_MSG, detail: "no metadata") }
        defer { rd_kafka_metadata_destroy(md) }
        let m = md.pointee
        let brokers = (0..<Int(m.broker_cnt)).map { i in
            BrokerInfo(id: m.brokers[i].id, host: string(m.brokers[i].host, or: ""), port: m.brokers[i].port)
        }
        let topics = (0..<Int(m.topic_cnt)).map { i -> TopicMetadata in
            let t = m.topics[i]
            let partitions = (0..<Int(t.partition_cnt)).map { j -> PartitionMetadata in
                let p = t.partitions[j]
                return PartitionMetadata(
                    id: p.id, leader: p.leader,
                    replicas: (0..<Int(p.replica_cnt)).map { p.replicas[$0] },
                    isr: (0..<Int(p.isr_cnt)).map { p.isrs[$0] }, error: p.err.rawValue)
            }.sorted { $0.id < $1.id }
            return TopicMetadata(name: string(t.topic, or: ""), partitions: partitions, error: t.err.rawValue)
        }
        return ClusterMetadata(brokers: brokers.sorted { $0.id < $1.id }, topics: topics)
    }

    /// The low and high watermarks of a partition, asked of its leader. When the leader moved since
    /// this client last looked, it refreshes the topic's metadata and asks again, until `timeout`.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(10)) async throws -> (
        low: Int64, high: Int64
    ) {
        try await blocking("watermarks") { _ in
            let deadline = ContinuousClock.now + timeout
            while true {
                var low: Int64 = 0
                var high: Int64 = 0
                let remaining = deadline - ContinuousClock.now
                let err = rd_kafka_query_watermark_offsets(
                    self.handle, topic, partition, &low, &high, max(remaining, .milliseconds(1)).milliseconds)
                let leaderMoved =
                    err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION || err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE
                if leaderMoved, ContinuousClock.now < deadline {
                    _ = try? self.metadataBlocking(
                        topic: topic, timeout: max(deadline - ContinuousClock.now, .milliseconds(1)))
                    continue
                }
                try KafkaError.check(err, "watermarks of \(topic)[\(partition)]")
                return (low, high)
            }
        }
    }

    /// Each partition's log end offset now, keyed `topic/partition`: where a read "to the end" stops.
    public func logEnds(_ topic: String, partitions: Int32) async throws -> [String: Int64] {
        var ends: [String: Int64] = [:]
        for p in 0..<partitions { ends["\(topic)/\(p)"] = try await watermarks(topic: topic, partition: p).high }
        return ends
    }
}

extension Duration {
    /// Whole milliseconds, never negative: librdkafka reads a negative timeout as "wait forever", and a
    /// deadline a loop checked a moment ago can be past by the time its remaining time is computed (a
    /// poll once hung a test run that way, 1 ms late on a loaded machine).
    public var milliseconds: Int32 {
        let c = components
        return max(0, Int32(clamping: c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000))
    }
}

/// How many calls are using a client's handle, and what destroys it once none is. A client closed or
/// killed by one task while another polls, produces or commits on it had its handle freed under that call.
final class HandleLife: Sendable {
    private struct State {
        var users = 0
        var retired = false
        var destroy: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    /// Closed or killed: no new call may start.
    var retired: Bool { state.withLock { $0.retired } }

    func enter() -> Bool {
        state.withLock { s in
            guard !s.retired else { return false }
            s.users += 1
            return true
        }
    }

    func leave() {
        let destroy = state.withLock { s -> (@Sendable () -> Void)? in
            s.users -= 1
            guard s.users == 0, let d = s.destroy else { return nil }
            s.destroy = nil
            return d
        }
        destroy?()
    }

    /// Marks the client closed; `destroy` runs now when no call is using the handle, else when the last
    /// one ends. False when it was closed already (and `destroy` is dropped).
    @discardableResult
    func retire(_ destroy: @escaping @Sendable () -> Void) -> Bool {
        let now = state.withLock { s -> Bool? in
            guard !s.retired else { return nil }
            s.retired = true
            if s.users == 0 { return true }
            s.destroy = destroy
            return false
        }
        guard let now else { return false }
        if now { destroy() }
        return true
    }

    /// For `deinit`, where no call can be in flight (each holds the client): true when it was still open.
    func retireNow() -> Bool {
        state.withLock { s in
            defer { s.retired = true }
            return !s.retired
        }
    }
}
