/// What a dead-lettering consumer did, and the policy it followed: a record whose id is a multiple
/// of `failEvery` fails every attempt and goes to the dead-letter topic after `attemptsExpected`.
public struct DeadLetterOutcome: Sendable, Equatable {
    public var processed: [UInt64]
    public var deadLettered: [UInt64]
    public var retries: Int
    public var attemptsExpected: Int
    public var failEvery: UInt64

    public init(processed: [UInt64] = [], deadLettered: [UInt64] = [], retries: Int = 0, attemptsExpected: Int = 1,
                failEvery: UInt64 = 1) {
        self.processed = processed
        self.deadLettered = deadLettered
        self.retries = retries
        self.attemptsExpected = attemptsExpected
        self.failEvery = failEvery
    }

    /// The headers every dead letter carries: why it failed, after how many attempts, and where it came from.
    public static let headers = ["dlq.error", "dlq.attempts", "dlq.topic", "dlq.partition", "dlq.offset"]

    /// Exactly the failing acknowledged records are on the dead-letter topic (named `topic` in the
    /// messages), each once, with every header and the policy's number of attempts; every other
    /// acknowledged record was processed once.
    public func verdict(letters: [DeadLetter], acknowledged: Set<UInt64>, topic: String) -> Verdict {
        let failing = acknowledged.filter { $0 % failEvery == 0 }
        guard !failing.isEmpty else {
            return .fails("no acknowledged record fails under this policy, so nothing was checked")
        }
        var problems: [String] = []
        var lettered: [UInt64] = []
        for letter in letters {
            guard let id = letter.id else {
                problems.append("a dead letter without a payload id at offset \(letter.offset)")
                continue
            }
            lettered.append(id)
            let missing = Self.headers.filter { (letter.headers[$0] ?? "").isEmpty }
            if !missing.isEmpty { problems.append("dead letter \(id) lacks headers \(missing)") }
            if let a = letter.headers["dlq.attempts"], a != String(attemptsExpected) {
                problems.append("dead letter \(id) says \(a) attempts, the policy allows \(attemptsExpected)")
            }
        }
        let notLettered = failing.subtracting(lettered).sorted()
        let wronglyLettered = Set(lettered).subtracting(failing).sorted()
        if !notLettered.isEmpty {
            problems.append("\(notLettered.count) failing records are not on \(topic), e.g. \(notLettered.prefix(5))")
        }
        if !wronglyLettered.isEmpty {
            problems.append("records that did not fail are on \(topic): \(wronglyLettered.prefix(5))")
        }
        let twice = Self.repeated(lettered)
        if !twice.isEmpty { problems.append("dead-lettered twice: \(twice.prefix(5))") }
        let unprocessed = acknowledged.subtracting(failing).subtracting(processed).sorted()
        if !unprocessed.isEmpty {
            let e = unprocessed.prefix(5)
            problems.append("\(unprocessed.count) records were never processed — the flow stopped? e.g. \(e)")
        }
        let processedTwice = Self.repeated(processed)
        if !processedTwice.isEmpty { problems.append("processed twice: \(processedTwice.prefix(5))") }
        return Verdict(problems)
    }

    static func repeated(_ ids: [UInt64]) -> [UInt64] {
        Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    }
}

/// A record read back from a dead-letter topic.
public struct DeadLetter: Sendable, Equatable {
    /// The payload id its value carries, if any.
    public var id: UInt64?
    public var offset: Int64
    public var headers: [String: String]

    public init(id: UInt64?, offset: Int64, headers: [String: String]) {
        self.id = id
        self.offset = offset
        self.headers = headers
    }
}
