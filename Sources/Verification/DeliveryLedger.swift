import Synchronization

/// Records every send, acknowledgement and read of a scenario, from any thread, and hands them over
/// as a DeliveryHistory (after Kafka's `validate_delivery` and Jepsen's queue checker).
public final class DeliveryLedger: Sendable {
    private struct State {
        var sends: [UInt64: (sequence: Int, send: DeliveryHistory.Send)] = [:]
        var reads: [DeliveryHistory.Read] = []
        var aborted: Set<UInt64> = []
        var nextSequence = 0
        /// Sends whose last acknowledgement is still pending, kept as sends change (a drill asks often).
        var pending = 0
        /// The named cluster sends go to now.
        var cluster: String?
    }

    private let state = Mutex(State())

    public init() {}

    /// Stamps the sends that follow with the named cluster they go to (the one a scenario's steps act on).
    public func scope(to cluster: String?) { state.withLock { $0.cluster = cluster } }

    /// Records a send before it is handed to the producer.
    public func sent(
        _ id: UInt64, key: String?, topic: String? = nil, producer: String? = nil,
        timestamp: Int64? = nil
    ) {
        state.withLock { s in
            let send = DeliveryHistory.Send(
                id: id, key: key, topic: topic, producer: producer, timestamp: timestamp, cluster: s.cluster)
            if s.sends[id]?.send.acknowledgement != .pending { s.pending += 1 }
            s.sends[id] = (s.nextSequence, send)
            s.nextSequence += 1
        }
    }

    public func acknowledged(_ id: UInt64, partition: Int32, offset: Int64) {
        settle(id, .acked(partition: partition, offset: offset))
    }

    public func failed(_ id: UInt64, error: String) {
        settle(id, .failed(error))
    }

    /// Records written inside a transaction that was aborted: reading them is an aborted read.
    public func aborted(_ ids: some Sequence<UInt64>) {
        state.withLock { $0.aborted.formUnion(ids) }
    }

    public func consumed(
        _ id: UInt64, key: String?, topic: String? = nil, partition: Int32, offset: Int64,
        headers: [String: String] = [:], timestamp: Int64? = nil
    ) {
        let read = DeliveryHistory.Read(
            id: id, key: key, topic: topic, partition: partition, offset: offset,
            headers: headers, timestamp: timestamp)
        state.withLock { $0.reads.append(read) }
    }

    /// Drops what was read from these topics, before a verifying read records them again: a second
    /// verifying read is not a redelivery.
    public func forgetReads(of topics: Set<String>) {
        state.withLock { $0.reads.removeAll { $0.topic.map(topics.contains) ?? false } }
    }

    public var sentCount: Int { state.withLock { $0.sends.count } }
    public var acknowledgedCount: Int { state.withLock { $0.sends.values.count { $0.send.isAcknowledged } } }
    public var readCount: Int { state.withLock { $0.reads.count } }
    public var pendingCount: Int { state.withLock { $0.pending } }
    /// The three counts at one moment: read one by one, acknowledgements arriving in between could
    /// show a fault with records in flight as one that found none.
    public var counts: (sent: Int, acknowledged: Int, pending: Int) {
        state.withLock { s in (s.sends.count, s.sends.values.count { $0.send.isAcknowledged }, s.pending) }
    }

    private func settle(_ id: UInt64, _ outcome: DeliveryHistory.Acknowledgement) {
        state.withLock { s in
            guard let previous = s.sends[id]?.send.acknowledgement else { return }
            if previous == .pending { s.pending -= 1 }
            s.sends[id]?.send.acknowledgement = outcome
        }
    }

    /// Everything recorded so far.
    public func history() -> DeliveryHistory {
        state.withLock { s in
            DeliveryHistory(
                sends: s.sends.values.sorted { $0.sequence < $1.sequence }.map(\.send), reads: s.reads,
                aborted: s.aborted)
        }
    }

    public func partitionsByKey() -> [String: Set<Int32>] { history().partitionsByKey() }

    public func acknowledgedIds() -> Set<UInt64> { history().acknowledgedIds() }

    public func verdict() -> DeliveryVerdict { DeliveryVerdict(history()) }
}
