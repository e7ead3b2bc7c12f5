import Testing
import Verification

/// The dead-letter checker on hand-written runs: records 1…20 acknowledged, every fifth fails and is
/// dead-lettered after 2 attempts.
@Suite("Dead-letter checker")
struct DeadLetterTests {
    static let acknowledged = Set(UInt64(1)...20)
    static let failing: [UInt64] = [5, 10, 15, 20]

    static func letter(_ id: UInt64, attempts: String = "2", without: Set<String> = []) -> DeadLetter {
        var headers = ["dlq.error": "rejected", "dlq.attempts": attempts, "dlq.topic": "payments", "dlq.partition": "0",
                       "dlq.offset": "\(id - 1)"]
        for name in without { headers[name] = nil }
        return DeadLetter(id: id, offset: Int64(id / 5), headers: headers)
    }

    static func run(processed: [UInt64]? = nil) -> DeadLetterOutcome {
        DeadLetterOutcome(processed: processed ?? acknowledged.subtracting(failing).sorted(), deadLettered: failing,
                          retries: 4, attemptsExpected: 2, failEvery: 5)
    }

    static func verdict(_ letters: [DeadLetter], run: DeadLetterOutcome = run()) -> Verdict {
        run.verdict(letters: letters, acknowledged: acknowledged, topic: "payments-dlq")
    }

    @Test func cleanDeadLetteringPasses() {
        #expect(Self.verdict(Self.failing.map { Self.letter($0) }).holds)
    }

    @Test func aFailingRecordNotDeadLetteredFails() {
        #expect(Self.verdict([5, 10, 15].map { Self.letter($0) }).problems
                    == ["1 failing records are not on payments-dlq, e.g. [20]"])
    }

    @Test func wrongAttemptsAndMissingHeadersFail() {
        let letters = [Self.letter(5, attempts: "3"), Self.letter(10, without: ["dlq.offset", "dlq.error"]),
                       Self.letter(15), Self.letter(20)]
        #expect(Self.verdict(letters).problems == [
            "dead letter 5 says 3 attempts, the policy allows 2",
            #"dead letter 10 lacks headers ["dlq.error", "dlq.offset"]"#,
        ])
    }

    @Test func aDeadLetterWithoutPayloadIdFails() {
        let anonymous = DeadLetter(id: nil, offset: 9, headers: [:])
        #expect(Self.verdict(Self.failing.map { Self.letter($0) } + [anonymous]).problems
                    == ["a dead letter without a payload id at offset 9"])
    }

    @Test func aRecordThatDidNotFailOnTheDeadLetterTopicFails() {
        #expect(Self.verdict(Self.failing.map { Self.letter($0) } + [Self.letter(7)]).problems
                    == ["records that did not fail are on payments-dlq: [7]"])
    }

    @Test func deadLetteredTwiceFails() {
        #expect(Self.verdict(Self.failing.map { Self.letter($0) } + [Self.letter(10)]).problems
                    == ["dead-lettered twice: [10]"])
    }

    @Test func processedTwiceOrNeverFails() {
        var processed = Self.acknowledged.subtracting(Self.failing).sorted()
        processed.removeAll { $0 == 3 }
        processed.append(7)
        #expect(Self.verdict(Self.failing.map { Self.letter($0) }, run: Self.run(processed: processed)).problems == [
            "1 records were never processed — the flow stopped? e.g. [3]", "processed twice: [7]",
        ])
    }

    @Test func aPolicyUnderWhichNothingFailsChecksNothing() {
        let run = DeadLetterOutcome(processed: Array(1...4), failEvery: 50)
        #expect(run.verdict(letters: [], acknowledged: [1, 2, 3, 4], topic: "dlq").problems
                    == ["no acknowledged record fails under this policy, so nothing was checked"])
    }
}
