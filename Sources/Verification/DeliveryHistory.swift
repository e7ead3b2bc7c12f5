/// What a scenario sent, what the cluster acknowledged and what consumers read, as plain values: the
/// input of a DeliveryVerdict, written by a DeliveryLedger or by hand. Fields a step did not know are nil.
public struct DeliveryHistory: Sendable, Equatable {
    public enum Acknowledgement: Sendable, Equatable {
        case pending
        case acked(partition: Int32, offset: Int64)
        case failed(String)
    }

    public struct Send: Sendable, Equatable {
        /// The payload id the record's value carries.
        public var id: UInt64
        public var key: String?
        public var topic: String?
        /// The producer that sent it (client or transactional id), where the step names one.
        public var producer: String?
        /// When it was handed to the producer, in milliseconds since the epoch.
        public var timestamp: Int64?
        public var acknowledgement: Acknowledgement
        /// The named cluster it was sent to, in a scenario with several (a topic name can be on each).
        public var cluster: String?

        public init(
            id: UInt64, key: String? = nil, topic: String? = nil, producer: String? = nil,
            timestamp: Int64? = nil, acknowledgement: Acknowledgement = .pending, cluster: String? = nil
        ) {
            self.cluster = cluster
            self.id = id
            self.key = key
            self.topic = topic
            self.producer = producer
            self.timestamp = timestamp
            self.acknowledgement = acknowledgement
        }

        public var isAcknowledged: Bool { if case .acked = acknowledgement { true } else { false } }
    }

    public struct Read: Sendable, Hashable {
        /// The payload id the record's value carries.
        public var id: UInt64
        public var key: String?
        public var topic: String?
        public var partition: Int32
        public var offset: Int64
        public var headers: [String: String]
        /// The record's timestamp, in milliseconds since the epoch.
        public var timestamp: Int64?

        public init(
            id: UInt64, key: String? = nil, topic: String? = nil, partition: Int32, offset: Int64,
            headers: [String: String] = [:], timestamp: Int64? = nil
        ) {
            self.id = id
            self.key = key
            self.topic = topic
            self.partition = partition
            self.offset = offset
            self.headers = headers
            self.timestamp = timestamp
        }
    }

    /// In the order they were sent; an id sent twice counts once, as its last send.
    public var sends: [Send]
    /// In the order they were read.
    public var reads: [Read]
    /// Written inside transactions that were aborted: reading them is an aborted read.
    public var aborted: Set<UInt64>

    public init(sends: [Send] = [], reads: [Read] = [], aborted: Set<UInt64> = []) {
        self.sends = sends
        self.reads = reads
        self.aborted = aborted
    }

    /// Each id's last send, with its place in the order of sending.
    var lastSends: [UInt64: (sequence: Int, send: Send)] {
        var out: [UInt64: (sequence: Int, send: Send)] = [:]
        for (i, s) in sends.enumerated() { out[s.id] = (i, s) }
        return out
    }

    /// The ids acknowledged on one topic: the oracle of what a reader of that topic must find.
    /// Per partition of `topic`, the offset after the last record acknowledged there: where its log ends, as far
    /// as this history knows.
    public func acknowledgedEnds(on topic: String) -> [Int32: Int64] {
        var ends: [Int32: Int64] = [:]
        for send in sends where send.topic == topic {
            if case .acked(let partition, let offset) = send.acknowledgement {
                ends[partition] = max(ends[partition] ?? 0, offset + 1)
            }
        }
        return ends
    }

    /// With `cluster`, only the sends to that named cluster (a send not stamped with one counts for any).
    public func acknowledgedIds(on topic: String, cluster: String? = nil) -> Set<UInt64> {
        Set(
            sends.filter { send in
                send.topic == topic && send.isAcknowledged && (cluster == nil || (send.cluster ?? cluster) == cluster)
            }.map(\.id))
    }

    public func acknowledgedIds() -> Set<UInt64> { Set(lastSends.values.filter(\.send.isAcknowledged).map(\.send.id)) }

    /// The partitions each key's acknowledged records landed in.
    public func partitionsByKey() -> [String: Set<Int32>] {
        var out: [String: Set<Int32>] = [:]
        for send in lastSends.values.map(\.send) {
            if let key = send.key, case .acked(let partition, _) = send.acknowledgement {
                out[key, default: []].insert(partition)
            }
        }
        return out
    }
}
