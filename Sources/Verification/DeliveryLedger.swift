import Synchronization

/// Every record a scenario sent and every record it read, by payload id — the evidence a
/// DeliveryVerdict is computed from (after Kafka's `validate_delivery` and Jepsen's queue checker).
public final class DeliveryLedger: Sendable {
    public enum Acknowledgement: Sendable, Equatable {
        case pending
        case acked(partition: Int32, offset: Int64)
        case failed(String)
    }

    public struct Send: Sendable {
        public let id: UInt64
        public let key: String?
        /// Order of sending, across the whole ledger.
        public let sequence: Int
        public var acknowledgement: Acknowledgement
    }

    public struct Read: Sendable, Hashable {
        public let id: UInt64
        public let key: String?
        public let partition: Int32
        public let offset: Int64
    }

    private struct State {
        var sends: [UInt64: Send] = [:]
        var reads: [Read] = []
        var aborted: Set<UInt64> = []
        var nextSequence = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Records a send before it is handed to the producer.
    public func sent(_ id: UInt64, key: String?) {
        state.withLock { s in
            s.sends[id] = Send(id: id, key: key, sequence: s.nextSequence, acknowledgement: .pending)
            s.nextSequence += 1
        }
    }

    public func acknowledged(_ id: UInt64, partition: Int32, offset: Int64) {
        state.withLock { $0.sends[id]?.acknowledgement = .acked(partition: partition, offset: offset) }
    }

    public func failed(_ id: UInt64, error: String) {
        state.withLock { $0.sends[id]?.acknowledgement = .failed(error) }
    }

    /// Records written inside a transaction that was aborted: reading them is an aborted read.
    public func aborted(_ ids: some Sequence<UInt64>) {
        state.withLock { $0.aborted.formUnion(ids) }
    }

    public func consumed(_ id: UInt64, key: String?, partition: Int32, offset: Int64) {
        state.withLock { $0.reads.append(Read(id: id, key: key, partition: partition, offset: offset)) }
    }

    public var sentCount: Int { state.withLock { $0.sends.count } }
    public var acknowledgedCount: Int {
        state.withLock { $0.sends.values.count { if case .acked = $0.acknowledgement { true } else { false } } }
    }
    public var readCount: Int { state.withLock { $0.reads.count } }
    public var pendingCount: Int {
        state.withLock { $0.sends.values.count { $0.acknowledgement == .pending } }
    }

    /// The partitions each key's acknowledged records landed in.
    public func partitionsByKey() -> [String: Set<Int32>] {
        state.withLock { s in
            var out: [String: Set<Int32>] = [:]
            for send in s.sends.values {
                if let key = send.key, case .acked(let partition, _) = send.acknowledgement { out[key, default: []].insert(partition) }
            }
            return out
        }
    }

    public func acknowledgedIds() -> Set<UInt64> {
        state.withLock { s in Set(s.sends.values.compactMap { if case .acked = $0.acknowledgement { $0.id } else { nil } }) }
    }

    public func verdict() -> DeliveryVerdict {
        state.withLock { DeliveryVerdict(sends: $0.sends, reads: $0.reads, aborted: $0.aborted) }
    }
}

/// What the ledger shows, with the offending payload ids.
public struct DeliveryVerdict: Sendable, CustomStringConvertible {
    public let sent: Int
    public let acknowledged: Int
    public let failed: Int
    public let distinctRead: Int
    /// Acknowledged but never read.
    public let lost: [UInt64]
    /// Read at two or more different offsets: the log holds it more than once.
    public let duplicated: [UInt64]
    /// Read again at the same offset: redelivered to the consumer (normal for at-least-once).
    public let redelivered: [UInt64]
    /// Read after a record sent later, within the same partition.
    public let reorderedInPartition: [UInt64]
    /// Read after a record with the same key that was sent later.
    public let reorderedByKey: [UInt64]
    /// Read although the producer never got an acknowledgement for it.
    public let unacknowledgedReads: [UInt64]
    /// Read although it was written in an aborted transaction.
    public let abortedReads: [UInt64]

    init(sends: [UInt64: DeliveryLedger.Send], reads: [DeliveryLedger.Read], aborted: Set<UInt64>) {
        sent = sends.count
        acknowledged = sends.values.count { if case .acked = $0.acknowledgement { true } else { false } }
        failed = sends.values.count { if case .failed = $0.acknowledgement { true } else { false } }

        var offsetsById: [UInt64: Set<Int64>] = [:]
        var timesById: [UInt64: Int] = [:]
        for r in reads {
            offsetsById[r.id, default: []].insert(Int64(r.partition) << 40 | r.offset)
            timesById[r.id, default: 0] += 1
        }
        distinctRead = offsetsById.count
        lost = sends.values.filter { s in
            if case .acked = s.acknowledgement { return offsetsById[s.id] == nil }
            return false
        }.map(\.id).sorted()
        duplicated = offsetsById.filter { $0.value.count > 1 }.map(\.key).sorted()
        redelivered = timesById.filter { id, times in times > offsetsById[id]!.count }.map(\.key).sorted()
        unacknowledgedReads = offsetsById.keys.filter { id in
            guard let s = sends[id] else { return true }
            if case .acked = s.acknowledgement { return false }
            return true
        }.filter { !aborted.contains($0) }.sorted()
        abortedReads = offsetsById.keys.filter { aborted.contains($0) }.sorted()

        // Each record once, at its first offset, in log order per partition.
        var firstRead: [UInt64: DeliveryLedger.Read] = [:]
        for r in reads where firstRead[r.id] == nil { firstRead[r.id] = r }
        let ordered = firstRead.values.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
        func outOfOrder(_ group: [DeliveryLedger.Read]) -> [UInt64] {
            var late: [UInt64] = []
            var highest = -1
            for r in group {
                guard let seq = sends[r.id]?.sequence else { continue }
                if seq < highest { late.append(r.id) } else { highest = seq }
            }
            return late
        }
        reorderedInPartition = Dictionary(grouping: ordered, by: \.partition).values.flatMap(outOfOrder).sorted()
        reorderedByKey = Dictionary(grouping: ordered.filter { $0.key != nil }, by: { $0.key! }).values.flatMap(outOfOrder).sorted()
    }

    /// No acknowledged record lost, none duplicated in the log, none reordered, no aborted read.
    public var isClean: Bool {
        lost.isEmpty && duplicated.isEmpty && reorderedInPartition.isEmpty && reorderedByKey.isEmpty && abortedReads.isEmpty
    }

    public var description: String {
        func ids(_ xs: [UInt64]) -> String { xs.isEmpty ? "0" : "\(xs.count) [\(xs.prefix(10).map { String($0) }.joined(separator: ", "))\(xs.count > 10 ? ", …" : "")]" }
        return """
            sent \(sent), acknowledged \(acknowledged), failed \(failed), read \(distinctRead) distinct; \
            lost \(ids(lost)), duplicated \(ids(duplicated)), redelivered \(ids(redelivered)), \
            reordered in partition \(ids(reorderedInPartition)), reordered by key \(ids(reorderedByKey)), \
            unacknowledged reads \(ids(unacknowledgedReads)), aborted reads \(ids(abortedReads))
            """
    }
}

/// Record values that carry a payload id, so reads can be matched to sends.
public enum Payload {
    /// `id=<n>;` followed by padding up to `size` bytes.
    public static func make(id: UInt64, size: Int = 0) -> [UInt8] {
        var bytes = Array("id=\(id);".utf8)
        if bytes.count < size { bytes += [UInt8](repeating: UInt8(ascii: "x"), count: size - bytes.count) }
        return bytes
    }

    public static func id(in value: [UInt8]) -> UInt64? {
        guard value.count > 4, value[0] == UInt8(ascii: "i"), value[1] == UInt8(ascii: "d"), value[2] == UInt8(ascii: "=") else { return nil }
        var n: UInt64 = 0
        var i = 3
        var digits = 0
        while i < value.count, value[i] >= 48, value[i] <= 57 {
            n = n &* 10 &+ UInt64(value[i] - 48)
            i += 1
            digits += 1
        }
        return digits > 0 && i < value.count && value[i] == UInt8(ascii: ";") ? n : nil
    }
}
