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

    /// Read although no send of this history carries its id.
    public let neverSent: [UInt64]
    /// Acknowledged at one partition and offset but read (in its topic) only elsewhere.
    public let misplaced: [UInt64]
    /// Sends that failed, with the first error seen.
    public let failures: [(id: UInt64, error: String)]

    public init(_ history: DeliveryHistory) {
        let sends = history.lastSends, reads = history.reads, aborted = history.aborted
        sent = sends.count
        acknowledged = sends.values.count { $0.send.isAcknowledged }
        failures = sends.values.compactMap { s in
            if case .failed(let e) = s.send.acknowledgement { (s.send.id, e) } else { nil }
        }.sorted { $0.id < $1.id }
        failed = failures.count

        // A read counts for a send only in the send's own topic (when both name one): a copy of the
        // record in another topic does not make up for its loss.
        func sameTopic(_ r: DeliveryHistory.Read) -> Bool {
            guard let sent = sends[r.id]?.send.topic, let read = r.topic else { return true }
            return sent == read
        }
        let own = reads.filter(sameTopic)
        struct Place: Hashable { let partition: Int32, offset: Int64 }
        var placesById: [UInt64: Set<Place>] = [:]
        var timesById: [UInt64: Int] = [:]
        for r in own {
            placesById[r.id, default: []].insert(Place(partition: r.partition, offset: r.offset))
            timesById[r.id, default: 0] += 1
        }
        distinctRead = placesById.count
        lost = sends.values.filter { $0.send.isAcknowledged && placesById[$0.send.id] == nil }.map(\.send.id).sorted()
        misplaced = sends.values.compactMap { s -> UInt64? in
            guard case .acked(let p, let o) = s.send.acknowledgement, o >= 0, let places = placesById[s.send.id]
            else { return nil }
            return places.contains(Place(partition: p, offset: o)) ? nil : s.send.id
        }.sorted()
        duplicated = placesById.filter { $0.value.count > 1 }.map(\.key).sorted()
        redelivered = timesById.filter { id, times in times > placesById[id]!.count }.map(\.key).sorted()
        neverSent = Set(reads.map(\.id)).filter { sends[$0] == nil }.sorted()
        unacknowledgedReads = placesById.keys.filter { id in !(sends[id]?.send.isAcknowledged ?? true) }
            .filter { !aborted.contains($0) }.sorted()
        abortedReads = Set(reads.map(\.id)).filter { aborted.contains($0) }.sorted()

        // Each record once, at its first place, in log order per topic and partition; only records of
        // one producer are ordered against each other.
        var firstRead: [UInt64: DeliveryHistory.Read] = [:]
        for r in own where firstRead[r.id] == nil { firstRead[r.id] = r }
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
        struct Stream: Hashable { let topic: String?, producer: String?, partition: Int32 }
        func stream(_ r: DeliveryHistory.Read) -> Stream {
            Stream(topic: r.topic, producer: sends[r.id]?.send.producer, partition: r.partition)
        }
        reorderedInPartition = Dictionary(grouping: ordered, by: stream).values.flatMap(outOfOrder).sorted()
        struct KeyStream: Hashable { let topic: String?, producer: String?, key: String }
        let keyed = ordered.filter { $0.key != nil }
        reorderedByKey = Dictionary(grouping: keyed) {
            KeyStream(topic: $0.topic, producer: sends[$0.id]?.send.producer, key: $0.key!)
        }
        .values.flatMap(outOfOrder).sorted()
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
            unacknowledged reads \(ids(unacknowledgedReads)), aborted reads \(ids(abortedReads)), \
            never sent \(ids(neverSent)), read elsewhere than acknowledged \(ids(misplaced))
            """
    }
}

// The rules the delivery sentences hold a verdict to.
extension DeliveryVerdict {
    /// What voids any delivery claim, whatever the cluster: nothing acknowledged to check, sends
    /// that failed unexpectedly, or records read that nobody sent.
    public func preconditions() -> Verdict {
        var problems: [String] = []
        if acknowledged == 0 {
            problems.append("nothing was acknowledged (\(sent) sent), so there is nothing to verify")
        }
        if let first = failures.first {
            problems.append("\(failed) sends failed unexpectedly, e.g. id \(first.id): \(first.error)")
        }
        if !neverSent.isEmpty {
            problems.append("\(neverSent.count) records read that were never sent, e.g. \(neverSent.prefix(5))")
        }
        return Verdict(problems, context: description)
    }

    /// The loss part of a delivery claim: every acknowledged record read, where it was acknowledged.
    public func lossProblem() -> String? {
        var problems: [String] = []
        if !lost.isEmpty { problems.append("\(lost.count) acknowledged messages lost, e.g. \(lost.prefix(5))") }
        if !misplaced.isEmpty {
            problems.append("\(misplaced.count) read at another offset than acknowledged, e.g. \(misplaced.prefix(5))")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// The duplicate part: no record at two places in its topic's log.
    public func duplicateProblem() -> String? {
        duplicated.isEmpty ? nil : "\(duplicated.count) duplicated, e.g. \(duplicated.prefix(5))"
    }

    /// The order part: each producer's records in send order within their partition and key.
    public func orderProblem() -> String? {
        var problems: [String] = []
        if !reorderedInPartition.isEmpty {
            problems.append(
                "\(reorderedInPartition.count) out of send order within their partition, "
                    + "e.g. \(reorderedInPartition.prefix(5))")
        }
        if !reorderedByKey.isEmpty {
            problems.append("\(reorderedByKey.count) reordered within a key, e.g. \(reorderedByKey.prefix(5))")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

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
        if let empty = Verdict.noEvidence(acknowledged, "acknowledged records") { return empty }
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

/// The delivery guarantee a scenario states for a workload (a KAF-07 fault × workload row): which
/// parts of the exactly-once claim it makes. Each weaker guarantee drops the parts its settings cannot keep.
public enum DeliveryGuarantee: String, Sendable, CaseIterable {
    /// None lost, none written twice, each partition in send order.
    case exactlyOnce = "exactly once"
    /// None lost; retries may write a record twice and reorder.
    case atLeastOnce = "at least once"
    /// None written twice; acknowledged records may be lost.
    case atMostOnce = "at most once"
    /// Only what voids any claim: nothing acknowledged, nothing read back, records nobody sent.
    case bestEffort = "best effort"

    public var claimsNoLoss: Bool { self == .exactlyOnce || self == .atLeastOnce }
    public var claimsNoDuplicates: Bool { self == .exactlyOnce || self == .atMostOnce }
    public var claimsOrder: Bool { self == .exactlyOnce }
}

extension DeliveryVerdict {
    /// What voids a stated guarantee whatever the cluster: nothing acknowledged or nothing read back (no
    /// evidence), records read that nobody sent, and — where the guarantee claims no loss — sends that failed.
    public func preconditions(of guarantee: DeliveryGuarantee) -> Verdict {
        var problems: [String] = []
        if acknowledged == 0 {
            problems.append("nothing was acknowledged (\(sent) sent), so there is nothing to verify")
        } else if distinctRead == 0 {
            problems.append("nothing was read back (\(acknowledged) acknowledged), so the log shows nothing to judge")
        }
        if guarantee.claimsNoLoss, let first = failures.first {
            problems.append("\(failed) sends failed, e.g. id \(first.id): \(first.error)")
        }
        if !neverSent.isEmpty {
            problems.append("\(neverSent.count) records read that were never sent, e.g. \(neverSent.prefix(5))")
        }
        return Verdict(problems, context: description)
    }
}
