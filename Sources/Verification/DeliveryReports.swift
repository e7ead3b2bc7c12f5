/// A producer's delivery callback against the cluster: one report per record sent with the callback,
/// each acknowledged at the partition and offset where that record is read back.
public enum DeliveryReports {
    public struct Report: Sendable, Hashable {
        public var id: UInt64
        public var partition: Int32
        public var offset: Int64
        public var error: String?
        public init(id: UInt64, partition: Int32, offset: Int64, error: String?) {
            self.id = id
            self.partition = partition
            self.offset = offset
            self.error = error
        }
    }

    /// Where a record was read back from the cluster.
    public struct Place: Sendable, Hashable, CustomStringConvertible {
        public var partition: Int32
        public var offset: Int64
        public init(partition: Int32, offset: Int64) {
            self.partition = partition
            self.offset = offset
        }
        public var description: String { "\(partition)@\(offset)" }
    }

    /// - Parameters:
    ///   - sent: the ids sent with the callback (not those sent otherwise in the scenario).
    ///   - readBack: where each id was read from the topic; an id read twice keeps every place.
    public static func verdict(sent: Set<UInt64>, reports: [Report], readBack: [UInt64: [Place]]) -> Verdict {
        if let empty = Verdict.noEvidence(sent.count, "orders sent with a delivery callback") { return empty }
        var problems: [String] = []
        if reports.count != sent.count {
            problems.append("\(reports.count) reports for \(sent.count) orders")
        }
        let reported = Set(reports.map(\.id))
        if reported.count != reports.count {
            problems.append("\(reports.count - reported.count) orders reported twice")
        }
        let unreported = sent.subtracting(reported).sorted()
        if !unreported.isEmpty {
            problems.append("\(unreported.count) orders have no report, e.g. \(unreported.prefix(5))")
        }
        let stranger = reported.subtracting(sent).sorted()
        if !stranger.isEmpty {
            problems.append(
                "\(stranger.count) reports for orders not sent with the callback, e.g. \(stranger.prefix(5))")
        }
        let failed = reports.filter { $0.error != nil || $0.offset < 0 || $0.partition < 0 }
        if let f = failed.first {
            let what = f.error ?? "offset \(f.offset)"
            problems.append("\(failed.count) reports without an acknowledgement, e.g. \(what)")
        }
        var misplaced: [String] = []
        for r in reports where r.error == nil && r.offset >= 0 && sent.contains(r.id) {
            let places = readBack[r.id] ?? []
            let said = Place(partition: r.partition, offset: r.offset)
            if !places.contains(said) {
                misplaced.append(
                    "order \(r.id) reported at \(said), "
                        + (places.isEmpty ? "never read back" : "read back at \(places.map(\.description))"))
            }
        }
        if !misplaced.isEmpty {
            problems.append(
                "\(misplaced.count) reports name a place the record is not read from: "
                    + misplaced.prefix(3).joined(separator: "; "))
        }
        return Verdict(
            problems,
            context: "\(sent.count) sent with the callback, \(reports.count) reports, "
                + "\(readBack.count) of the scenario's orders read back")
    }
}
