import CRdKafka
import Foundation
import Synchronization

/// A topic, partition and (optionally) offset.
public struct TopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    /// -1001 (`RD_KAFKA_OFFSET_INVALID`) when unknown.
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64 = -1001) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    public var description: String { offset < 0 ? "\(topic)[\(partition)]" : "\(topic)[\(partition)]@\(offset)" }

    public static let beginning: Int64 = -2
    public static let end: Int64 = -1

    static func makeList(_ items: [TopicPartitionOffset]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(items.count))!
        for item in items {
            rd_kafka_topic_partition_list_add(list, item.topic, item.partition).pointee.offset = item.offset
        }
        return list
    }

    static func from(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartitionOffset] {
        guard let list else { return [] }
        return (0..<Int(list.pointee.cnt)).map { i in
            let e = list.pointee.elems[i]
            return TopicPartitionOffset(topic: string(e.topic, or: ""), partition: e.partition, offset: e.offset)
        }
    }
}

/// One record read from Kafka.
public struct ConsumedRecord: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    public let value: [UInt8]
    public let headers: [(String, [UInt8])]
    /// Milliseconds since the epoch, or nil.
    public let timestamp: Int64?
    /// A tombstone: the record has no value at all (not an empty one).
    public var valueIsNull = false

    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
    public var valueString: String { String(decoding: value, as: UTF8.self) }
}

/// A group rebalance as the consumer saw it.
public struct RebalanceEvent: Sendable {
    public enum Kind: String, Sendable { case assigned, revoked, lost }
    public let kind: Kind
    public let partitions: [TopicPartitionOffset]
    /// EAGER or COOPERATIVE.
    public let protocolName: String
}

final class ConsumerCallbacks: Sendable {
    let onRebalance: (@Sendable (RebalanceEvent, Consumer.RebalanceActions) -> Void)?
    let onStatistics: (@Sendable (String) -> Void)?
    let onError: (@Sendable (KafkaError) -> Void)?

    init(
        onRebalance: (@Sendable (RebalanceEvent, Consumer.RebalanceActions) -> Void)?,
        onStatistics: (@Sendable (String) -> Void)?,
        onError: (@Sendable (KafkaError) -> Void)?
    ) {
        self.onRebalance = onRebalance
        self.onStatistics = onStatistics
        self.onError = onError
    }
}

private func configuredStrategyIsCooperative(_ rk: OpaquePointer) -> Bool {
    guard let conf = rd_kafka_conf(rk) else { return false }
    var buffer = [CChar](repeating: 0, count: 256)
    var size = buffer.count
    guard rd_kafka_conf_get(conf, "partition.assignment.strategy", &buffer, &size) == RD_KAFKA_CONF_OK else {
        return false
    }
    return text(of: buffer).contains("cooperative")
}

private let rebalanceCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        UnsafeMutableRawPointer?
    ) -> Void = { rk, err, partitions, opaque in
        guard let rk, let opaque else { return }
        let callbacks = Unmanaged<ConsumerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
        // NULL on error: then the configured strategy says which protocol the group runs.
        let proto = string(
            rd_kafka_rebalance_protocol(rk),
            or: configuredStrategyIsCooperative(rk) ? "COOPERATIVE" : "EAGER")
        let cooperative = proto == "COOPERATIVE"
        let list = TopicPartitionOffset.from(partitions)
        let kind: RebalanceEvent.Kind
        if err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
            kind = .assigned
        } else {
            kind = rd_kafka_assignment_lost(rk) != 0 ? .lost : .revoked
        }
        // The listener sees a revocation before it takes effect, so it can commit what it processed.
        if kind != .assigned {
            callbacks.onRebalance?(RebalanceEvent(kind: kind, partitions: list, protocolName: proto), .init(handle: rk))
        }
        if kind == .assigned {
            if cooperative {
                if let e = rd_kafka_incremental_assign(rk, partitions) { rd_kafka_error_destroy(e) }
            } else {
                rd_kafka_assign(rk, partitions)
            }
        } else {
            if cooperative {
                if let e = rd_kafka_incremental_unassign(rk, partitions) { rd_kafka_error_destroy(e) }
            } else {
                rd_kafka_assign(rk, nil)
            }
        }
        if kind == .assigned {
            callbacks.onRebalance?(RebalanceEvent(kind: kind, partitions: list, protocolName: proto), .init(handle: rk))
        }
    }

private let consumerStatsCallback:
    @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int, UnsafeMutableRawPointer?) -> Int32 = {
        _, json, length, opaque in
        guard let json, let opaque else { return 0 }
        Unmanaged<ConsumerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
            .onStatistics?(String(decoding: UnsafeRawBufferPointer(start: json, count: length), as: UTF8.self))
        return 0
    }

private let consumerErrorCallback:
    @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        _, code, reason, opaque in
        guard let opaque else { return }
        Unmanaged<ConsumerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
            .onError?(KafkaError(code: code, detail: reason.map { String(cString: $0) } ?? ""))
    }

/// A Kafka consumer: group subscription with a rebalance listener (eager or cooperative-sticky,
/// as `partition.assignment.strategy` says), or manual assignment; polling with deadlines; commits;
/// seeks; lag.
public final class Consumer: KafkaClient, @unchecked Sendable {
    /// What a rebalance listener may do while the rebalance is under way.
    public struct RebalanceActions: @unchecked Sendable {
        let handle: OpaquePointer
        /// Commits the given offsets synchronously (e.g. on revocation).
        public func commit(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
            guard !offsets.isEmpty else { return }
            let list = TopicPartitionOffset.makeList(offsets)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            try KafkaError.check(rd_kafka_commit(handle, list, 0), "commit on rebalance")
        }
    }

    private let callbacks: ConsumerCallbacks
    private let opaque: UnsafeMutableRawPointer
    public let config: KafkaConfig
    public var groupId: String? { config["group.id"] }

    public init(
        config: KafkaConfig, onRebalance: (@Sendable (RebalanceEvent, RebalanceActions) -> Void)? = nil,
        onStatistics: (@Sendable (String) -> Void)? = nil, onError: (@Sendable (KafkaError) -> Void)? = nil
    ) throws(KafkaError) {
        self.config = config
        let callbacks = ConsumerCallbacks(onRebalance: onRebalance, onStatistics: onStatistics, onError: onError)
        let conf = try config.makeConf()
        let opaque = Unmanaged.passRetained(callbacks).toOpaque()
        rd_kafka_conf_set_opaque(conf, opaque)
        if config["group.id"] != nil { rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback) }
        rd_kafka_conf_set_stats_cb(conf, consumerStatsCallback)
        rd_kafka_conf_set_error_cb(conf, consumerErrorCallback)
        let handle = try KafkaClient.makeHandle(RD_KAFKA_CONSUMER, conf) {
            Unmanaged<ConsumerCallbacks>.fromOpaque(opaque).release()
        }
        rd_kafka_poll_set_consumer(handle)
        self.callbacks = callbacks
        self.opaque = opaque
        super.init(handle: handle)
    }

    public func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = TopicPartitionOffset.makeList(topics.map { TopicPartitionOffset(topic: $0, partition: -1) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try enter("subscribe"); defer { leave() }
        try KafkaError.check(rd_kafka_subscribe(handle, list), "subscribe to \(topics)")
    }

    /// Reads exactly these partitions, from these offsets, without a group.
    public func assign(_ partitions: [TopicPartitionOffset]) throws(KafkaError) {
        let list = TopicPartitionOffset.makeList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try enter("assign"); defer { leave() }
        try KafkaError.check(rd_kafka_assign(handle, list), "assign \(partitions)")
    }

    /// Asks for the topics' metadata, then assigns. librdkafka starts fetching a partition only once it
    /// knows its leader; one it does not know waits for the next metadata refresh, half a second later
    /// (measured on the mock: 0.55 s per verifying read, most of its time). Only a head start: without
    /// an answer within two seconds the assignment goes ahead and waits as before.
    public func assignKnowingLeaders(_ partitions: [TopicPartitionOffset]) async throws {
        for topic in Set(partitions.map(\.topic)).sorted() {
            _ = try? await metadata(topic: topic, timeout: .seconds(2))
        }
        try assign(partitions)
    }

    public func assignment() throws(KafkaError) -> [TopicPartitionOffset] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try enter("assignment"); defer { leave() }
        try KafkaError.check(rd_kafka_assignment(handle, &list), "assignment")
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        return TopicPartitionOffset.from(list)
    }

    /// One poll, blocking up to `timeout`: a record, nil when none came, or a consumer error.
    /// Blocking: call it from `records(…)`, which runs off the concurrency pool.
    func pollBlocking(timeout: Duration) throws(KafkaError) -> ConsumedRecord? {
        try enter("poll"); defer { leave() }
        guard let message = rd_kafka_consumer_poll(handle, timeout.milliseconds) else { return nil }
        defer { rd_kafka_message_destroy(message) }
        let m = message.pointee
        if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
        if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(
                code: m.err,
                detail: m.payload.map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: m.len), as: UTF8.self)
                }
                    ?? String(cString: rd_kafka_err2str(m.err)))
        }
        var headers: [(String, [UInt8])] = []
        var hdrs: OpaquePointer?
        if rd_kafka_message_headers(message, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
            var i = 0
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append(
                    (string(name, or: ""), value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []))
                i += 1
            }
        }
        var tsType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ts = rd_kafka_message_timestamp(message, &tsType)
        return ConsumedRecord(
            topic: m.rkt.map { string(rd_kafka_topic_name($0), or: "") } ?? "", partition: m.partition,
            offset: m.offset,
            key: m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) },
            value: m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? [],
            headers: headers, timestamp: tsType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : ts,
            valueIsNull: m.payload == nil)
    }

    /// Polls until `count` records arrived, `until` returns true for the records so far, or the
    /// deadline passes — whichever is first. Consumer errors that are not fatal are passed to
    /// `onError` and polling goes on.
    public func records(
        atMost count: Int = .max, within timeout: Duration,
        until done: @escaping @Sendable ([ConsumedRecord]) -> Bool = { _ in false },
        onError: (@Sendable (KafkaError) -> Void)? = nil
    ) async throws -> [ConsumedRecord] {
        try await Blocking.run { [self] in
            let deadline = ContinuousClock.now + timeout
            var out: [ConsumedRecord] = []
            while out.count < count, ContinuousClock.now < deadline, !done(out) {
                let left = deadline - ContinuousClock.now
                do {
                    if let r = try self.pollBlocking(timeout: min(left, .milliseconds(100))) { out.append(r) }
                } catch let error as KafkaError {
                    if error.isFatal || error.isClosedClient { throw error }
                    onError?(error)
                }
            }
            return out
        }
    }

    /// Commits the consumer's current positions (or the given offsets) and waits for the coordinator's
    /// answer, at most `limit`. librdkafka's synchronous commit has no deadline: with the group's
    /// coordinator on a dead broker it waited for as long as that broker stayed down.
    public func commit(_ offsets: [TopicPartitionOffset]? = nil, within limit: Duration = .seconds(10)) async throws {
        try await blocking("commit") { handle in
            let list = offsets.map(TopicPartitionOffset.makeList)
            defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
            let queue = rd_kafka_queue_new(handle)
            defer { rd_kafka_queue_destroy(queue) }
            let err = rd_kafka_commit_queue(handle, list, queue, nil, nil)
            if err == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
            try KafkaError.check(err, "commit")
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                let left = deadline - ContinuousClock.now
                guard let event = rd_kafka_queue_poll(queue, min(left, .milliseconds(100)).milliseconds) else {
                    continue
                }
                defer { rd_kafka_event_destroy(event) }
                guard rd_kafka_event_type(event) == RD_KAFKA_EVENT_OFFSET_COMMIT else { continue }
                let result = rd_kafka_event_error(event)
                if result == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
                try KafkaError.check(result, "commit")
                return
            }
            let seconds = limit.components.seconds
            throw KafkaError(
                code: RD_KAFKA_RESP_ERR__TIMED_OUT,
                detail: "commit: the group's coordinator did not answer within \(seconds) s")
        }
    }

    /// The group's committed offsets for these partitions.
    public func committed(_ partitions: [TopicPartitionOffset], timeout: Duration = .seconds(10)) async throws
        -> [TopicPartitionOffset]
    {
        try await blocking("committed offsets") { handle in
            let list = TopicPartitionOffset.makeList(partitions)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            try KafkaError.check(rd_kafka_committed(handle, list, timeout.milliseconds), "committed offsets")
            return TopicPartitionOffset.from(list)
        }
    }

    /// The next offset this consumer will read in each partition.
    public func positions(_ partitions: [TopicPartitionOffset]) throws(KafkaError) -> [TopicPartitionOffset] {
        let list = TopicPartitionOffset.makeList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try enter("positions"); defer { leave() }
        try KafkaError.check(rd_kafka_position(handle, list), "positions")
        return TopicPartitionOffset.from(list)
    }

    /// Moves the read position of an assigned partition.
    public func seek(_ to: TopicPartitionOffset, timeout: Duration = .seconds(10)) async throws {
        try await blocking("seek") { handle in
            let list = TopicPartitionOffset.makeList([to])
            defer { rd_kafka_topic_partition_list_destroy(list) }
            if let e = rd_kafka_seek_partitions(handle, list, timeout.milliseconds) { throw KafkaError(consuming: e) }
            // A partition that could not be moved says so in its own element.
            try KafkaError.check(list.pointee.elems[0].err, "seek to \(to)")
        }
    }

    /// Lag per assigned partition: high watermark minus position (or committed offset).
    public func lag() async throws -> [TopicPartitionOffset: Int64] {
        let assigned = try assignment()
        let positions = try self.positions(assigned)
        var lag: [TopicPartitionOffset: Int64] = [:]
        for p in positions {
            let (_, high) = try await watermarks(topic: p.topic, partition: p.partition)
            let key = TopicPartitionOffset(topic: p.topic, partition: p.partition)
            lag[key] = p.offset >= 0 ? max(0, high - p.offset) : high
        }
        return lag
    }

    /// Leaves the group (committing per configuration) and destroys the client. Idempotent.
    public func close() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            // Runs when no call is using the handle; the close blocks, so never on the concurrency pool.
            let closing = life.retire { [handle = UnsafeSendable(handle), opaque = UnsafeSendable(opaque)] in
                let thread = Thread {
                    _ = rd_kafka_consumer_close(handle.value)
                    rd_kafka_destroy(handle.value)
                    Unmanaged<ConsumerCallbacks>.fromOpaque(opaque.value).release()
                    done.resume()
                }
                thread.name = "kafka-bdd consumer close"
                thread.start()
            }
            if !closing { done.resume() }
        }
    }

    /// Closes, waiting at most `limit`: librdkafka's close can block while its group rebalances on a
    /// shared cluster. A consumer still closing then goes on closing in the background.
    @discardableResult
    public func close(within limit: Duration) async -> Bool {
        final class Done: Sendable { let value = Mutex(false) }
        let done = Done()
        Task {
            await self.close(); done.value.withLock { $0 = true }
        }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if done.value.withLock({ $0 }) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Stops fetching these partitions until resumed; polling still serves callbacks (rebalances, statistics).
    public func pause(_ partitions: [TopicPartitionOffset]) throws(KafkaError) {
        let list = TopicPartitionOffset.makeList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try enter("pause"); defer { leave() }
        try KafkaError.check(rd_kafka_pause_partitions(handle, list), "pause \(partitions)")
    }

    /// A crash: the client goes away without leaving its group or committing anything; the group
    /// learns of it only when its session times out. Idempotent with `close`.
    /// The teardown (about 0.1 s) runs on a thread of its own, never blocking the concurrency pool.
    public func kill() {
        life.retire { [handle = UnsafeSendable(handle), opaque = UnsafeSendable(opaque)] in
            let thread = Thread {
                rd_kafka_destroy_flags(handle.value, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE)
                Unmanaged<ConsumerCallbacks>.fromOpaque(opaque.value).release()
            }
            thread.name = "kafka-bdd consumer kill"
            thread.start()
        }
    }

    deinit {
        if life.retireNow() {
            _ = rd_kafka_consumer_close(handle)
            rd_kafka_destroy(handle)
            Unmanaged<ConsumerCallbacks>.fromOpaque(opaque).release()
        }
    }
}
