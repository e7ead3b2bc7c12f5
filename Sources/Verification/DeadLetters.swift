/// The policy a dead-lettering consumer follows: a record whose id is a multiple of `failEvery`
/// fails every attempt and goes to the dead-letter topic after `attempts` attempts; every other
/// record is processed, which writes it to a processed topic.
public struct DeadLetterPolicy: Sendable, Equatable {
    public var failEvery: UInt64
    public var attempts: Int

    public init(failEvery: UInt64, attempts: Int) {
        self.failEvery = failEvery
        self.attempts = attempts
    }

    /// The headers every dead letter carries: why it failed, after how many attempts, and where it came from.
    public static let headers = ["dlq.error", "dlq.attempts", "dlq.topic", "dlq.partition", "dlq.offset"]

    public func fails(_ id: UInt64) -> Bool { failEvery > 0 && id % failEvery == 0 }

    /// A record of the source topic as read back.
    public typealias SourceRecord = PlacedRecord

    /// The same, with the ledger as oracle: every record the scenario had acknowledged on the source
    /// topic is among the source records read back (a source that loses records on read would shrink
    /// what is judged), and nothing on the dead-letter or processed topic was never acknowledged.
    public func verdict(
        acknowledged: Set<UInt64>, source: [SourceRecord], sourceTopic: String,
        letters: [DeadLetter], deadLetterTopic: String, processed: [UInt64]
    ) -> Verdict {
        if let empty = Verdict.noEvidence(acknowledged.count, "records acknowledged on \(sourceTopic)") { return empty }
        var problems: [String] = []
        let lost = acknowledged.subtracting(source.map(\.id)).sorted()
        if !lost.isEmpty {
            problems.append(
                "\(lost.count) acknowledged records were not read back from \(sourceTopic), "
                    + "e.g. \(lost.prefix(5))")
        }
        let foreign = Set(letters.compactMap(\.id) + processed).subtracting(acknowledged).sorted()
        if !foreign.isEmpty {
            problems.append(
                "records never acknowledged on \(sourceTopic) were dead-lettered or processed, "
                    + "e.g. \(foreign.prefix(5))")
        }
        let judged = verdict(
            source: source, sourceTopic: sourceTopic, letters: letters,
            deadLetterTopic: deadLetterTopic, processed: processed)
        return Verdict(problems + judged.problems, context: judged.context)
    }

    /// Judged from what is on the topics: the source topic (`sourceTopic`, as the origin headers name
    /// it), the dead-letter topic's records (`letters`, on `deadLetterTopic`) and the ids of the
    /// records on the processed topic. Exactly the failing source records are dead-lettered, each
    /// once, with an error, the policy's number of attempts and an origin that is that very record;
    /// every other source record was processed once, and no failing one.
    public func verdict(
        source: [SourceRecord], sourceTopic: String, letters: [DeadLetter], deadLetterTopic: String,
        processed: [UInt64]
    ) -> Verdict {
        let inSource = Self.counts(source.map(\.id))
        let failing = inSource.filter { fails($0.key) }, passing = inSource.filter { !fails($0.key) }
        guard !failing.isEmpty else {
            return .fails("no record of \(sourceTopic) fails under this policy, so nothing was checked")
        }
        guard !passing.isEmpty else {
            return .fails("every record of \(sourceTopic) fails under this policy, so no processing was checked")
        }
        let byOrigin = Dictionary(source.map { ("\($0.partition)@\($0.offset)", $0.id) }) { a, _ in a }
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
            if let a = letter.headers["dlq.attempts"], !a.isEmpty, a != String(attempts) {
                problems.append("dead letter \(id) says \(a) attempts, the policy allows \(attempts)")
            }
            if let topic = letter.headers["dlq.topic"], let p = letter.headers["dlq.partition"],
                let o = letter.headers["dlq.offset"], !topic.isEmpty, !p.isEmpty, !o.isEmpty
            {
                let there = topic == sourceTopic ? byOrigin["\(p)@\(o)"] : nil
                if there != id {
                    let holds = there.map { "record \($0)" } ?? "no record"
                    problems.append("dead letter \(id) names its origin \(topic)[\(p)]@\(o), which holds \(holds)")
                }
            }
        }
        let onTopic = Self.counts(lettered)
        let notLettered = failing.filter { (onTopic[$0.key] ?? 0) == 0 }.keys.sorted()
        let wronglyLettered = onTopic.keys.filter { !failing.keys.contains($0) }.sorted()
        let twice = failing.filter { (onTopic[$0.key] ?? 0) > $0.value }.keys.sorted()
        if !notLettered.isEmpty {
            let e = notLettered.prefix(5)
            problems.append("\(notLettered.count) failing records are not on \(deadLetterTopic), e.g. \(e)")
        }
        if !wronglyLettered.isEmpty {
            problems.append("records that did not fail are on \(deadLetterTopic): \(wronglyLettered.prefix(5))")
        }
        if !twice.isEmpty { problems.append("dead-lettered twice: \(twice.prefix(5))") }
        let done = Self.counts(processed)
        let unprocessed = passing.filter { (done[$0.key] ?? 0) < $0.value }.keys.sorted()
        if !unprocessed.isEmpty {
            let e = unprocessed.prefix(5)
            problems.append("\(unprocessed.count) records were never processed — the flow stopped? e.g. \(e)")
        }
        let processedTwice = passing.filter { (done[$0.key] ?? 0) > $0.value }.keys.sorted()
        if !processedTwice.isEmpty { problems.append("processed twice: \(processedTwice.prefix(5))") }
        let processedFailing = done.keys.filter { failing.keys.contains($0) }.sorted()
        if !processedFailing.isEmpty {
            problems.append("failing records were processed: \(processedFailing.prefix(5))")
        }
        let foreign = done.keys.filter { inSource[$0] == nil }.sorted()
        if !foreign.isEmpty { problems.append("records not in \(sourceTopic) were processed: \(foreign.prefix(5))") }
        return Verdict(problems)
    }

    static func counts(_ ids: [UInt64]) -> [UInt64: Int] {
        ids.reduce(into: [:]) { $0[$1, default: 0] += 1 }
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
