/// What a delivery history shows, with the offending payload ids.
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

    public init(_ history: DeliveryHistory) {
        let sends = history.lastSends, reads = history.reads, aborted = history.aborted
        sent = sends.count
        acknowledged = sends.values.count { $0.send.isAcknowledged }
        failed = sends.values.count { if case .failed = $0.send.acknowledgement { true } else { false } }

        // Topics are not told apart: a read is known by its partition and offset.
        var offsetsById: [UInt64: Set<Int64>] = [:]
        var timesById: [UInt64: Int] = [:]
        for r in reads {
            offsetsById[r.id, default: []].insert(Int64(r.partition) << 40 | r.offset)
            timesById[r.id, default: 0] += 1
        }
        distinctRead = offsetsById.count
        lost = sends.values.filter { $0.send.isAcknowledged && offsetsById[$0.send.id] == nil }.map(\.send.id).sorted()
        duplicated = offsetsById.filter { $0.value.count > 1 }.map(\.key).sorted()
        redelivered = timesById.filter { id, times in times > offsetsById[id]!.count }.map(\.key).sorted()
        unacknowledgedReads = offsetsById.keys.filter { id in !(sends[id]?.send.isAcknowledged ?? false) }
            .filter { !aborted.contains($0) }.sorted()
        abortedReads = offsetsById.keys.filter { aborted.contains($0) }.sorted()

        // Each record once, at its first offset, in log order per partition.
        var firstRead: [UInt64: DeliveryHistory.Read] = [:]
        for r in reads where firstRead[r.id] == nil { firstRead[r.id] = r }
        let ordered = firstRead.values.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
        func outOfOrder(_ group: [DeliveryHistory.Read]) -> [UInt64] {
            var late: [UInt64] = []
            var highest = -1
            for r in group {
                guard let seq = sends[r.id]?.sequence else { continue }
                if seq < highest { late.append(r.id) } else { highest = seq }
            }
            return late
        }
        reorderedInPartition = Dictionary(grouping: ordered, by: \.partition).values.flatMap(outOfOrder).sorted()
        let keyed = ordered.filter { $0.key != nil }
        reorderedByKey = Dictionary(grouping: keyed, by: { $0.key! }).values.flatMap(outOfOrder).sorted()
    }

    /// No acknowledged record lost, none duplicated in the log, none reordered, no aborted read.
    public var isClean: Bool {
        lost.isEmpty && duplicated.isEmpty && reorderedInPartition.isEmpty && reorderedByKey.isEmpty
            && abortedReads.isEmpty
    }

    public var description: String {
        func ids(_ xs: [UInt64]) -> String {
            let shown = xs.prefix(10).map { String($0) }.joined(separator: ", ")
            return xs.isEmpty ? "0" : "\(xs.count) [\(shown)\(xs.count > 10 ? ", …" : "")]"
        }
        return """
            sent \(sent), acknowledged \(acknowledged), failed \(failed), read \(distinctRead) distinct; \
            lost \(ids(lost)), duplicated \(ids(duplicated)), redelivered \(ids(redelivered)), \
            reordered in partition \(ids(reorderedInPartition)), reordered by key \(ids(reorderedByKey)), \
            unacknowledged reads \(ids(unacknowledgedReads)), aborted reads \(ids(abortedReads))
            """
    }
}

// The rules the delivery sentences hold a verdict to.
extension DeliveryVerdict {
    /// None lost, none reordered within a key and, where `countingDuplicates` (the cluster de-duplicates
    /// idempotent retries), none duplicated.
    public func exactlyOnce(countingDuplicates: Bool) -> Verdict {
        var problems: [String] = []
        if !lost.isEmpty { problems.append("\(lost.count) acknowledged messages lost, e.g. \(lost.prefix(5))") }
        if !reorderedByKey.isEmpty {
            problems.append("\(reorderedByKey.count) reordered within a key, e.g. \(reorderedByKey.prefix(5))")
        }
        if countingDuplicates, !duplicated.isEmpty {
            problems.append("\(duplicated.count) duplicated, e.g. \(duplicated.prefix(5))")
        }
        return Verdict(problems, context: description)
    }

    public func noneLost() -> Verdict {
        guard lost.isEmpty else {
            return Verdict(["\(lost.count) acknowledged messages lost, e.g. \(lost.prefix(5))"], context: description)
        }
        return Verdict()
    }

    /// Every partition in send order, and nothing acknowledged missing.
    public func inPartitionOrder() -> Verdict {
        guard reorderedInPartition.isEmpty else {
            let late = reorderedInPartition
            return .fails("\(late.count) records out of send order within their partition, e.g. \(late.prefix(5))")
        }
        guard lost.isEmpty else {
            return Verdict(["\(lost.count) acknowledged records were not read"], context: description)
        }
        return Verdict()
    }

    /// A counter-scenario's verdict: the weaker settings lost acknowledged records.
    public func showsLoss() -> Verdict {
        guard lost.isEmpty else { return Verdict() }
        return .fails("nothing acknowledged was lost — the weaker settings cost nothing here (\(self))")
    }

    /// A counter-scenario's verdict: retries without idempotence wrote records twice.
    public func showsDuplicates() -> Verdict {
        duplicated.isEmpty ? .fails("no message was written twice (\(self))") : Verdict()
    }

    /// A counter-scenario's verdict: some key's records were read out of send order.
    public func showsReorderingByKey() -> Verdict {
        guard reorderedByKey.isEmpty else { return Verdict() }
        return .fails("every key's messages were consumed in send order — no reordering to show (\(self))")
    }
}
