/// Reprocessing the same input gives the same output (KAF-14): two topics compared partition by partition,
/// record by record, on key and value bytes.
public enum Replay {
    /// One record read back: where it was, its key and value bytes.
    public struct Record: Sendable, Equatable {
        public var partition: Int32
        public var offset: Int64
        public var key: [UInt8]?
        public var value: [UInt8]

        public init(partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]) {
            self.partition = partition
            self.offset = offset
            self.key = key
            self.value = value
        }

        var keyString: String { key.map { String(decoding: $0, as: UTF8.self) } ?? "" }
    }

    /// `first` (read from topic `a`) and `second` hold the same records in the same offset order in each
    /// of `partitions`; an empty `first` is nothing to compare.
    public static func sameRecords(_ a: String, _ first: [Record], _ second: [Record], partitions: [Int32]) -> Verdict {
        var problems: [String] = []
        for p in partitions {
            let x = first.filter { $0.partition == p }.sorted { $0.offset < $1.offset }
            let y = second.filter { $0.partition == p }.sorted { $0.offset < $1.offset }
            if x.count != y.count { problems.append("partition \(p): \(x.count) records against \(y.count)") }
            let differs = { (i: Int) in i < y.count && (x[i].key != y[i].key || x[i].value != y[i].value) }
            if let i = x.indices.first(where: differs) {
                problems.append("partition \(p): record \(i) differs (\(x[i].keyString) against \(y[i].keyString))")
            }
        }
        if first.isEmpty { problems.append("\(a) is empty: nothing to compare") }
        return Verdict(problems)
    }
}
