import CRdKafka
import Foundation
import Synchronization

/// What the broker said about one produced record.
public struct DeliveryReport: Sendable {
    /// The caller's token for the record (e.g. its payload id in a DeliveryLedger).
    public let token: UInt64
    public let partition: Int32
    public let offset: Int64
    public let error: KafkaError?
    /// Time from `produce` to this report, in microseconds, as librdkafka measured it.
    public let latencyMicroseconds: Int64

    public init(token: UInt64, partition: Int32, offset: Int64, error: KafkaError?, latencyMicroseconds: Int64) {
        self.token = token
        self.partition = partition
        self.offset = offset
        self.error = error
        self.latencyMicroseconds = latencyMicroseconds
    }
}

/// State the C callbacks reach through the client's opaque pointer.
final class ProducerCallbacks: Sendable {
    let onDelivery: (@Sendable (DeliveryReport) -> Void)?
    let onStatistics: (@Sendable (String) -> Void)?
    let onError: (@Sendable (KafkaError) -> Void)?
    let waiting = Mutex<[UInt64: CheckedContinuation<DeliveryReport, any Error>]>([:])
    /// Tokens for `send`, out of the range callers use.
    let nextToken = Atomic<UInt64>(1 << 62)

    init(
        onDelivery: (@Sendable (DeliveryReport) -> Void)?, onStatistics: (@Sendable (String) -> Void)?,
        onError: (@Sendable (KafkaError) -> Void)?
    ) {
        self.onDelivery = onDelivery
        self.onStatistics = onStatistics
        self.onError = onError
    }

    func deliver(_ report: DeliveryReport) {
        if report.token >= 1 << 62, let c = waiting.withLock({ $0.removeValue(forKey: report.token) }) {
            if let error = report.error { c.resume(throwing: error) } else { c.resume(returning: report) }
            return
        }
        onDelivery?(report)
    }
}

private let deliveryCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message, let opaque else { return }
        let callbacks = Unmanaged<ProducerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
        let m = message.pointee
        let error = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(code: m.err)
        callbacks.deliver(
            DeliveryReport(
                token: UInt64(UInt(bitPattern: m._private)), partition: m.partition, offset: m.offset, error: error,
                latencyMicroseconds: rd_kafka_message_latency(message)))
    }

private let producerStatsCallback:
    @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int, UnsafeMutableRawPointer?) -> Int32 = {
        _, json, length, opaque in
        guard let json, let opaque else { return 0 }
        let callbacks = Unmanaged<ProducerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
        callbacks.onStatistics?(String(decoding: UnsafeRawBufferPointer(start: json, count: length), as: UTF8.self))
        return 0
    }

private let producerErrorCallback:
    @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        _, code, reason, opaque in
        guard let opaque else { return }
        let callbacks = Unmanaged<ProducerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
        callbacks.onError?(KafkaError(code: code, detail: reason.map { String(cString: $0) } ?? ""))
    }

/// A background thread that serves a client's callbacks until stopped.
// Unchecked: the Thread is only compared by identity, never used across threads.
final class PollThread: @unchecked Sendable {
    private final class State: Sendable {
        let stopped = Atomic<Bool>(false)
        let done = DispatchSemaphore(value: 0)
    }

    private let state = State()
    private let thread: Thread

    init(name: String, poll: @escaping @Sendable () -> Void) {
        let state = self.state
        thread = Thread {
            while !state.stopped.load(ordering: .acquiring) { poll() }
            state.done.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Waits for the thread's last poll, unless called from a callback on that thread (which would wait
    /// for itself): then the thread ends after the callback returns.
    func stop() {
        guard !state.stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if Thread.current !== thread { state.done.wait() }
    }
}

/// A Kafka producer: asynchronous sends with delivery reports, synchronous sends, flush, and
/// transactions when `transactional.id` is set.
public final class Producer: KafkaClient, @unchecked Sendable {
    private let callbacks: ProducerCallbacks
    private let opaque: UnsafeMutableRawPointer
    private let poller: PollThread?
    private let topics = Mutex<[String: OpaquePointer]>([:])
    public let config: KafkaConfig

    /// How delivery reports and other callbacks are served.
    public enum Polling: Sendable {
        /// A background thread serves them as they come.
        case background
        /// The producing thread serves them: it calls `poll()` now and then (every thousand records,
        /// say), and `flush` at the end.
        case inline
    }

    private let polling: Polling

    /// With `.inline` polling, receives delivery reports a batch at a time instead of `onDelivery`.
    private let batchHandler: (@Sendable (UnsafeBufferPointer<UnsafePointer<rd_kafka_message_t>?>) -> Void)?

    /// Serves delivery reports that have arrived, waiting up to `wait` for the first (for `.inline`
    /// polling): each goes to `onDelivery`, or the batch to the internal batch handler.
    public func poll(wait: Duration = .zero) {
        guard life.enter() else { return }
        defer { leave() }
        guard polling == .inline else { rd_kafka_poll(handle, wait.milliseconds); return }
        let queue = rd_kafka_queue_get_main(handle)
        defer { rd_kafka_queue_destroy(queue) }
        var timeout = wait.milliseconds
        withUnsafeTemporaryAllocation(of: UnsafePointer<rd_kafka_message_t>?.self, capacity: 1024) { buffer in
            while let event = rd_kafka_queue_poll(queue, timeout) {
                timeout = 0
                defer { rd_kafka_event_destroy(event) }
                guard rd_kafka_event_type(event) == RD_KAFKA_EVENT_DR else { continue }
                while true {
                    let n = rd_kafka_event_message_array(event, buffer.baseAddress, buffer.count)
                    if n == 0 { break }
                    let batch = UnsafeBufferPointer(rebasing: buffer[0..<n])
                    if let batchHandler { batchHandler(batch); continue }
                    for m in batch {
                        let r = m!.pointee
                        callbacks.deliver(
                            DeliveryReport(
                                token: UInt64(UInt(bitPattern: r._private)), partition: r.partition, offset: r.offset,
                                error: r.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(code: r.err),
                                latencyMicroseconds: rd_kafka_message_latency(m)))
                    }
                }
            }
        }
    }

    /// Flushes in `.inline` mode: delivery events wait in the queue until served, so wait and serve in turns.
    func flushInline(timeout: Duration) throws(KafkaError) {
        try enter("flush"); defer { leave() }
        let deadline = ContinuousClock.now + timeout
        while rd_kafka_outq_len(handle) > 0 {
            guard ContinuousClock.now < deadline else {
                throw KafkaError(
                    code: RD_KAFKA_RESP_ERR__TIMED_OUT,
                    detail: "flush: \(rd_kafka_outq_len(handle)) records unreported after \(timeout.formatted())")
            }
            poll(wait: .milliseconds(10))
        }
    }

    /// - Parameter onDelivery: called for every record sent with `produce` (on the poll thread, or
    ///   on the producing thread with `.inline` polling).
    public convenience init(
        config: KafkaConfig, polling: Polling = .background, onDelivery: (@Sendable (DeliveryReport) -> Void)? = nil,
        onStatistics: (@Sendable (String) -> Void)? = nil, onError: (@Sendable (KafkaError) -> Void)? = nil
    ) throws(KafkaError) {
        try self.init(
            config: config, polling: polling, onDelivery: onDelivery, onStatistics: onStatistics, onError: onError,
            batchHandler: nil)
    }

    init(
        config: KafkaConfig, polling: Polling, onDelivery: (@Sendable (DeliveryReport) -> Void)?,
        onStatistics: (@Sendable (String) -> Void)?,
        onError: (@Sendable (KafkaError) -> Void)?,
        batchHandler: (@Sendable (UnsafeBufferPointer<UnsafePointer<rd_kafka_message_t>?>) -> Void)?
    ) throws(KafkaError) {
        self.batchHandler = batchHandler
        self.polling = polling
        self.config = config
        let callbacks = ProducerCallbacks(onDelivery: onDelivery, onStatistics: onStatistics, onError: onError)
        let conf = try config.makeConf()
        let opaque = Unmanaged.passRetained(callbacks).toOpaque()
        rd_kafka_conf_set_opaque(conf, opaque)
        if polling == .inline {
            // Delivery reports as events the producing thread drains in batches: no C-to-Swift
            // callback per record on the hot path.
            rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_DR))
        } else {
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryCallback)
        }
        rd_kafka_conf_set_stats_cb(conf, producerStatsCallback)
        rd_kafka_conf_set_error_cb(conf, producerErrorCallback)
        let handle = try KafkaClient.makeHandle(RD_KAFKA_PRODUCER, conf) {
            Unmanaged<ProducerCallbacks>.fromOpaque(opaque).release()
        }
        self.callbacks = callbacks
        self.opaque = opaque
        self.poller =
            polling == .inline
            ? nil
            : PollThread(name: "kafka-bdd producer poll") { [handle = UnsafeSendable(handle)] in
                rd_kafka_poll(handle.value, 100)
            }
        super.init(handle: handle)
    }

    /// A topic handle for the fast `produce` path; cached per name.
    public func topic(_ name: String) throws(KafkaError) -> TopicHandle {
        try enter("topic \(name)"); defer { leave() }
        return topics.withLock { cache in
            if let t = cache[name] { return TopicHandle(pointer: t, name: name) }
            let t = rd_kafka_topic_new(handle, name, nil)!
            cache[name] = t
            return TopicHandle(pointer: t, name: name)
        }
    }

    /// Enqueues one record without waiting; its delivery report goes to `onDelivery` with `token`.
    /// When the client's queue is full this waits for room, serving callbacks, up to `queueTimeout`.
    public func produce(
        _ topic: TopicHandle, partition: Int32 = -1, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer,
        token: UInt64, queueTimeout: Duration = .seconds(30)
    ) throws(KafkaError) {
        try enter("produce to \(topic.name)"); defer { leave() }
        var deadline: ContinuousClock.Instant?
        while true {
            // Closed while waiting for room: the topic handle is about to go.
            if life.retired { throw KafkaError.closedClient("produce to \(topic.name)") }
            let rc = rd_kafka_produce(
                topic.pointer, partition, RD_KAFKA_MSG_F_COPY,
                UnsafeMutableRawPointer(mutating: value.baseAddress), value.count,
                key?.baseAddress, key?.count ?? 0,
                UnsafeMutableRawPointer(bitPattern: UInt(token)))
            if rc == 0 { return }
            let err = rd_kafka_last_error()
            if err == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                let limit = deadline ?? ContinuousClock.now + queueTimeout
                deadline = limit
                if ContinuousClock.now < limit {
                    poll(wait: .milliseconds(10))  // waits for deliveries to make room
                    continue
                }
            }
            throw KafkaError(code: err, detail: "produce to \(topic.name): \(String(cString: rd_kafka_err2str(err)))")
        }
    }

    /// Enqueues `count` keyless records with the same value to one partition in a single call: librdkafka
    /// appends them to the partition's queue under one lock, which is what makes bulk producing cheap.
    /// Record `i` gets token `firstToken + i`. Waits for queue room (serving callbacks) up to `queueTimeout`.
    public func produceBatch(
        _ topic: TopicHandle, partition: Int32, value: UnsafeRawBufferPointer, count: Int, firstToken: UInt64,
        queueTimeout: Duration = .seconds(30)
    ) throws(KafkaError) {
        guard count > 0 else { return }
        try enter("produce to \(topic.name)"); defer { leave() }
        var failure: KafkaError?
        withUnsafeTemporaryAllocation(of: rd_kafka_message_t.self, capacity: count) { messages in
            for i in 0..<count {
                messages[i] = rd_kafka_message_t()
                messages[i].payload = UnsafeMutableRawPointer(mutating: value.baseAddress)
                messages[i].len = value.count
                messages[i]._private = UnsafeMutableRawPointer(bitPattern: UInt(firstToken + UInt64(i)))
            }
            var pending = count
            var deadline: ContinuousClock.Instant?
            while true {
                if life.retired { failure = KafkaError.closedClient("produce to \(topic.name)"); return }
                let sent = Int(
                    rd_kafka_produce_batch(
                        topic.pointer, partition, RD_KAFKA_MSG_F_COPY, messages.baseAddress, Int32(pending)))
                if sent == pending { return }
                // Keep the ones that failed, in order, and retry them once the queue has room.
                var kept = 0, error = RD_KAFKA_RESP_ERR_NO_ERROR
                for i in 0..<pending where messages[i].err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    if error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                        error = messages[i].err
                    }
                    messages[kept] = messages[i]
                    messages[kept].err = RD_KAFKA_RESP_ERR_NO_ERROR
                    kept += 1
                }
                pending = kept
                let limit = deadline ?? ContinuousClock.now + queueTimeout
                deadline = limit
                guard error == RD_KAFKA_RESP_ERR__QUEUE_FULL, ContinuousClock.now < limit else {
                    failure = KafkaError(
                        code: error, detail: "produce to \(topic.name): \(String(cString: rd_kafka_err2str(error)))")
                    return
                }
                poll(wait: .milliseconds(10))
            }
        }
        if let failure { throw failure }
    }

    /// Enqueues one record with optional headers. A nil `value` or `tombstone` sends a tombstone: no value
    /// at all (not an empty one), which compaction treats as deleting its key. A `timestamp` (milliseconds
    /// since the epoch) replaces the producer's clock: a mirror keeps the source's, a stream drill writes event times.
    public func produce(
        topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?,
        headers: [(String, [UInt8])] = [], timestamp: Int64? = nil, token: UInt64,
        tombstone: Bool = false
    ) throws(KafkaError) {
        let tombstone = tombstone || value == nil
        let value = value ?? []
        if headers.isEmpty, !tombstone, timestamp == nil {
            let t = try self.topic(topic)
            var failure: KafkaError?
            value.withUnsafeBytes { v in
                func send(_ k: UnsafeRawBufferPointer?) {
                    do { try produce(t, partition: partition ?? -1, key: k, value: v, token: token) } catch {
                        failure = error
                    }
                }
                if let key { key.withUnsafeBytes { send($0) } } else { send(nil) }
            }
            if let failure { throw failure }
            return
        }
        try enter("produce to \(topic)"); defer { leave() }
        let list = rd_kafka_headers_new(headers.count)!
        for (name, bytes) in headers {
            _ = bytes.withUnsafeBytes { rd_kafka_header_add(list, name, -1, $0.baseAddress, $0.count) }
        }
        let error: OpaquePointer? = topic.withCString { topicName in
            value.withUnsafeBytes { v in
                (key ?? []).withUnsafeBytes { k in
                    var vus = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: timestamp == nil ? 7 : 8)
                    vus[0].vtype = RD_KAFKA_VTYPE_TOPIC; vus[0].u.cstr = topicName
                    vus[1].vtype = RD_KAFKA_VTYPE_PARTITION; vus[1].u.i32 = partition ?? -1
                    vus[2].vtype = RD_KAFKA_VTYPE_VALUE
                    vus[2].u.mem.ptr = tombstone ? nil : UnsafeMutableRawPointer(mutating: v.baseAddress)
                    vus[2].u.mem.size = tombstone ? 0 : v.count
                    vus[3].vtype = RD_KAFKA_VTYPE_KEY;
                    vus[3].u.mem.ptr = key == nil ? nil : UnsafeMutableRawPointer(mutating: k.baseAddress);
                    vus[3].u.mem.size = key == nil ? 0 : k.count
                    vus[4].vtype = RD_KAFKA_VTYPE_HEADERS; vus[4].u.headers = list
                    vus[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
                    vus[5].u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(token))
                    vus[6].vtype = RD_KAFKA_VTYPE_MSGFLAGS; vus[6].u.i = RD_KAFKA_MSG_F_COPY
                    if let timestamp { vus[7].vtype = RD_KAFKA_VTYPE_TIMESTAMP; vus[7].u.i64 = timestamp }
                    return rd_kafka_produceva(handle, vus, vus.count)
                }
            }
        }
        if let error {
            rd_kafka_headers_destroy(list)  // not taken over on failure
            throw KafkaError(consuming: error)
        }
    }

    /// Sends one record and waits for its delivery report.
    @discardableResult
    public func send(
        topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?,
        headers: [(String, [UInt8])] = [], tombstone: Bool = false
    ) async throws -> DeliveryReport {
        let token = callbacks.nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await withCheckedThrowingContinuation { continuation in
            callbacks.waiting.withLock { $0[token] = continuation }
            do {
                try produce(
                    topic: topic, partition: partition, key: key, value: value, headers: headers, token: token,
                    tombstone: tombstone)
            } catch {
                if let c = callbacks.waiting.withLock({ $0.removeValue(forKey: token) }) { c.resume(throwing: error) }
            }
        }
    }

    /// Waits until every enqueued record has a delivery report.
    public func flush(timeout: Duration = .seconds(30)) async throws {
        if polling == .inline {
            try await Blocking.run { [self] in try flushInline(timeout: timeout) }
            return
        }
        try await blocking("flush") { handle in
            try KafkaError.check(rd_kafka_flush(handle, timeout.milliseconds), "flush")
        }
    }

    /// Records enqueued but not yet reported.
    public var outstanding: Int {
        guard life.enter() else { return 0 }
        defer { leave() }
        return Int(rd_kafka_outq_len(handle))
    }

    // MARK: Transactions

    public func initTransactions(timeout: Duration = .seconds(30)) async throws {
        try await transactional { rd_kafka_init_transactions($0, timeout.milliseconds) }
    }

    public func beginTransaction() throws(KafkaError) {
        try enter("begin transaction"); defer { leave() }
        if let e = rd_kafka_begin_transaction(handle) { throw KafkaError(consuming: e) }
    }

    public func commitTransaction(timeout: Duration = .seconds(30)) async throws {
        try await transactional { rd_kafka_commit_transaction($0, timeout.milliseconds) }
    }

    public func abortTransaction(timeout: Duration = .seconds(30)) async throws {
        try await transactional { rd_kafka_abort_transaction($0, timeout.milliseconds) }
    }

    /// Commits a consumer's positions as part of the current transaction (read-process-write).
    public func sendOffsets(_ offsets: [TopicPartitionOffset], of consumer: Consumer, timeout: Duration = .seconds(30))
        async throws
    {
        let list = TopicPartitionOffset.makeList(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try consumer.enter("send offsets")
        let groupMetadata = rd_kafka_consumer_group_metadata(consumer.handle)
        consumer.leave()
        guard let metadata = groupMetadata else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__STATE, detail: "the consumer has no group metadata")
        }
        defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
        let pointers = UnsafeSendable((list, metadata))
        try await transactional {
            rd_kafka_send_offsets_to_transaction($0, pointers.value.0, pointers.value.1, timeout.milliseconds)
        }
    }

    private func transactional(_ call: @escaping @Sendable (OpaquePointer) -> OpaquePointer?) async throws {
        try await blocking("transaction") { handle in
            if let e = call(handle) { throw KafkaError(consuming: e) }
        }
    }

    /// Flushes (bounded), then stops the poll thread and destroys the client in the background: the
    /// teardown takes about 0.1 s (a mock cluster's owner about 1 s) and nothing waits for it. Idempotent.
    public func close(flushTimeout: Duration = .seconds(10)) {
        life.retire { [self] in destroy(flushTimeout: flushTimeout, teardown: .background) }
    }

    /// `close`, its flush on a thread of its own: never on the concurrency pool (one thread per core).
    public func close(flushTimeout: Duration = .seconds(10)) async {
        _ = try? await Blocking.run { [self] in close(flushTimeout: flushTimeout) }
    }

    private enum Teardown { case now, background }

    /// Once no call uses the handle any more.
    private func destroy(flushTimeout: Duration, teardown: Teardown) {
        _ = rd_kafka_flush(handle, flushTimeout.milliseconds)
        topics.withLock { cache in
            cache.values.forEach { rd_kafka_topic_destroy($0) }; cache.removeAll()
        }
        let parts = UnsafeSendable((handle, poller, callbacks, opaque))
        let rest: @Sendable () -> Void = {
            let (handle, poller, callbacks, opaque) = parts.value
            poller?.stop()
            rd_kafka_destroy(handle)
            // Any send still waiting will never be reported now.
            let stranded = callbacks.waiting.withLock { w in
                defer { w.removeAll() }; return Array(w.values)
            }
            let closed = KafkaError(code: RD_KAFKA_RESP_ERR__DESTROY, detail: "producer closed")
            stranded.forEach { $0.resume(throwing: closed) }
            Unmanaged<ProducerCallbacks>.fromOpaque(opaque).release()
        }
        switch teardown {
        case .now: rest()
        case .background:
            let thread = Thread(block: rest)
            thread.name = "kafka-bdd producer teardown"
            thread.start()
        }
    }

    /// A crash: nothing is flushed, no open transaction is committed or aborted; records not yet
    /// acknowledged are reported failed. Idempotent with `close`.
    /// Returns once the client is gone and every record it held has been reported.
    public func kill() { life.retire { [self] in destroy(flushTimeout: .zero, teardown: .now) } }

    /// `kill`, on a thread of its own (the teardown takes about 0.1 s): never on the concurrency pool.
    public func kill() async {
        _ = try? await Blocking.run { [self] in kill() }
    }

    /// A crash before the records still queued in the client were sent: they are dropped, never written.
    public func killDroppingQueued() {
        guard life.enter() else { return }
        _ = rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE)
        leave()
        kill()
    }

    deinit {
        if life.retireNow() { destroy(flushTimeout: .seconds(10), teardown: .background) }
    }
}

/// A cached `rd_kafka_topic_t` for the fast produce path.
public struct TopicHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    public let name: String
}

/// A pointer that is safe to hand to another thread because librdkafka handles are thread-safe.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
