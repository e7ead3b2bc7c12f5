import Foundation

/// Claims about what producers delivered (KAF-03), judged on what was sent and what came back.
public enum Producing {
    /// One keyed value read back from a topic.
    public struct KeyedValue: Sendable, Equatable {
        public var key: String?
        public var value: [UInt8]

        public init(key: String?, value: [UInt8]) {
            self.key = key
            self.value = value
        }
    }

    /// Every order read back (key `order-<id>`) is a JSON object equal to the one sent under that id, and
    /// every order sent was read back. Values under other keys are not orders and are ignored.
    public static func ordersAsJSON(sent: [UInt64: String], read: [KeyedValue]) -> Verdict {
        if let empty = Verdict.noEvidence(sent.count, "orders sent") { return empty }
        var problems: [String] = []
        var seen = Set<UInt64>()
        for r in read {
            guard let key = r.key, key.hasPrefix("order-"), let id = UInt64(key.dropFirst(6)) else { continue }
            guard let expected = sent[id] else { problems.append("read an order \(id) that was never sent"); continue }
            seen.insert(id)
            let decoded = try? JSONSerialization.jsonObject(with: Data(r.value)) as? NSDictionary
            let original = try? JSONSerialization.jsonObject(with: Data(expected.utf8)) as? NSDictionary
            if decoded == nil || decoded != original {
                let text = String(decoding: r.value, as: UTF8.self)
                problems.append("order \(id) came back as \(text), sent \(expected)")
            }
        }
        let missing = Set(sent.keys).subtracting(seen)
        if !missing.isEmpty {
            problems.append("\(missing.count) orders never read back, e.g. \(missing.sorted().prefix(5))")
        }
        return Verdict(problems)
    }

    /// One benchmarked producer configuration: how many messages it got acknowledged, with how many errors.
    public struct BenchmarkRun: Sendable, Equatable {
        public var label: String
        public var delivered: Int
        public var errors: Int

        public init(label: String, delivered: Int, errors: Int) {
            self.label = label
            self.delivered = delivered
            self.errors = errors
        }
    }

    /// Every configuration delivered exactly `expected` messages without an error.
    public static func everyConfigurationDelivered(_ expected: Int, runs: [BenchmarkRun]) -> Verdict {
        guard !runs.isEmpty else { return .fails("no benchmark ran in this scenario") }
        let short = runs.filter { $0.delivered != expected || $0.errors > 0 }
        return Verdict(
            short.isEmpty
                ? []
                : [short.map { "\($0.label): \($0.delivered) delivered, \($0.errors) errors" }.joined(separator: "; ")])
    }
}
