/// What a sink connector with `errors.tolerance=all`, a dead-letter topic and
/// `errors.deadletterqueue.context.headers.enable=true` must do with its input: each malformed record
/// lands on the dead-letter topic once, as it was, with Connect's error context headers naming the
/// failure and the record's origin; each well-formed record reaches the sink once; nothing is lost.
public struct ConnectDeadLetterExpectation: Sendable {
    /// A record of the sink's input topic as read back from it.
    public struct Input: Sendable, Equatable {
        public var partition: Int32
        public var offset: Int64
        public var value: String
        public var malformed: Bool

        public init(partition: Int32, offset: Int64, value: String, malformed: Bool) {
            self.partition = partition
            self.offset = offset
            self.value = value
            self.malformed = malformed
        }
    }

    /// A record of the dead-letter topic: its value and headers (as text).
    public struct Letter: Sendable, Equatable {
        public var value: String
        public var headers: [String: String]

        public init(value: String, headers: [String: String]) {
            self.value = value
            self.headers = headers
        }
    }

    /// Connect's context headers (DeadLetterQueueReporter) every dead letter must carry non-empty.
    public static let requiredHeaders = [
        "__connect.errors.topic", "__connect.errors.partition", "__connect.errors.offset",
        "__connect.errors.stage", "__connect.errors.exception.class.name", "__connect.errors.exception.message",
    ]

    public var inputTopic: String

    public init(inputTopic: String) { self.inputTopic = inputTopic }

    /// `sunk` is what the sink wrote, one entry per record (a file sink: its lines).
    public func verdict(input: [Input], letters: [Letter], sunk: [String]) -> Verdict {
        let bad = input.filter(\.malformed), good = input.filter { !$0.malformed }
        guard !bad.isEmpty, !good.isEmpty else {
            return .fails(
                "the input has \(bad.count) malformed and \(good.count) well-formed records; "
                    + "both kinds are needed for the claim to be able to fail")
        }
        var problems: [String] = []
        var letteredAt: [String: Int] = [:]
        for (i, letter) in letters.enumerated() {
            let missing = Self.requiredHeaders.filter { (letter.headers[$0] ?? "").isEmpty }
            if !missing.isEmpty { problems.append("dead letter \(i + 1) lacks the headers \(missing)") }
            guard let p = letter.headers["__connect.errors.partition"].flatMap({ Int32($0) }),
                let o = letter.headers["__connect.errors.offset"].flatMap({ Int64($0) })
            else { continue }
            let origin = input.first { $0.partition == p && $0.offset == o }
            if letter.headers["__connect.errors.topic"] != inputTopic || origin == nil {
                let topic = letter.headers["__connect.errors.topic"] ?? "?"
                problems.append(
                    "dead letter \(i + 1) names an origin \(topic)"
                        + "[\(p)]@\(o) that is not a record of \(inputTopic)")
            } else if let origin, !origin.malformed {
                problems.append("the well-formed record \(inputTopic)[\(p)]@\(o) was dead-lettered")
            } else if let origin, origin.value != letter.value {
                problems.append(
                    "dead letter \(i + 1) holds \"\(letter.value)\", not the record it names "
                        + "(\"\(origin.value)\")")
            }
            letteredAt["\(p)@\(o)", default: 0] += 1
        }
        let missing = bad.filter { letteredAt["\($0.partition)@\($0.offset)"] == nil }
        if !missing.isEmpty {
            problems.append(
                "\(missing.count) malformed records are not on the dead-letter topic, e.g. "
                    + missing.prefix(3).map { "[\($0.partition)]@\($0.offset)" }.joined(separator: ", "))
        }
        let twice = letteredAt.filter { $0.value > 1 }.keys.sorted()
        if !twice.isEmpty { problems.append("dead-lettered more than once: \(twice.prefix(3))") }
        var remaining = Dictionary(sunk.map { ($0, 1) }, uniquingKeysWith: +)
        var notSunk: [Input] = []
        for g in good {
            if let n = remaining[g.value], n > 0 { remaining[g.value] = n - 1 } else { notSunk.append(g) }
        }
        if !notSunk.isEmpty {
            problems.append(
                "\(notSunk.count) well-formed records did not reach the sink, e.g. "
                    + notSunk.prefix(3).map { "\"\($0.value)\"" }.joined(separator: ", "))
        }
        let extra = remaining.filter { $0.value > 0 }.keys.sorted()
        if !extra.isEmpty {
            problems.append(
                "the sink holds \(extra.count) entries no well-formed record accounts for, e.g. "
                    + extra.prefix(3).map { "\"\($0)\"" }.joined(separator: ", "))
        }
        return Verdict(
            problems,
            context: "\(input.count) input records (\(bad.count) malformed), "
                + "\(letters.count) dead letters, \(sunk.count) sunk")
    }
}
