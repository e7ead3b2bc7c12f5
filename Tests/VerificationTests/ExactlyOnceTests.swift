import Testing
import Verification

/// The exactly-once checkers on hand-written topics: orders 1…10 copied with their amounts.
@Suite("Exactly-once checkers")
struct ExactlyOnceTests {
    static let input = (UInt64(1)...10).map { Payload.make(id: $0) }

    static func output(_ ids: [UInt64]) -> [[UInt8]] { ids.map(CopyVerdict.outputValue(id:)) }

    @Test func everyOrderOnceWithTheRecomputedCountAndSumPasses() {
        let v = CopyVerdict(input: Self.input, output: Self.output(Array(1...10)))
        #expect(v.outputCount == 10 && v.inputIds.count == 10)
        #expect(v.outputSum == v.expectedSum && v.expectedSum == (1...10).reduce(0) { $0 + $1 % 100 + 1 })
        #expect(v.exactlyOnce().holds)
        #expect(v.atLeastOnceWithRedelivery().problems
                    == ["no order was counted twice: nothing was reprocessed after the restart"])
    }

    @Test func aDoubleCountFailsExactlyOnceAndIsWhatAtLeastOnceExpects() {
        let v = CopyVerdict(input: Self.input, output: Self.output(Array(1...10) + [3, 4]))
        #expect(v.doubled == [3, 4])
        #expect(v.exactlyOnce().problems
                    == ["2 orders counted twice, e.g. [3, 4]", "count 12 and sum 74, recomputed 10 and 65"])
        #expect(v.atLeastOnceWithRedelivery().holds)
    }

    @Test func aMissingOrderFailsBoth() {
        let v = CopyVerdict(input: Self.input, output: Self.output(Array(1...9)))
        #expect(v.exactlyOnce().problems == ["1 orders missing, e.g. [10]", "count 9 and sum 54, recomputed 10 and 65"])
        #expect(v.atLeastOnceWithRedelivery().problems == ["1 orders missing from the output, e.g. [10]"])
    }

    @Test func aWrongAmountFailsTheSum() {
        var output = Self.output(Array(1...9))
        output.append(Payload.make(id: 10) + Array("amount=99".utf8))
        #expect(CopyVerdict(input: Self.input, output: output).exactlyOnce().problems
                    == ["count 10 and sum 153, recomputed 10 and 65"])
    }

    @Test func valuesWithoutAPayloadIdAreIgnored() {
        let v = CopyVerdict(input: Self.input + [Array("marker".utf8)],
                            output: Self.output(Array(1...10)) + [Array("x".utf8)])
        #expect(v.exactlyOnce().holds)
    }

    @Test func readCommittedIsolation() {
        #expect(TransactionIsolation.verdict(read: [1, 2, 3], committed: [1, 2, 3], aborted: [4, 5]).holds)
        #expect(TransactionIsolation.verdict(read: [1, 2, 4, 5], committed: [1, 2, 3], aborted: [4, 5]).problems == [
            "2 aborted records were read, e.g. [4, 5]", "1 committed records were not read, e.g. [3]",
        ])
    }

    static func compared(eos: [UInt64], alo: [UInt64], expected: Int = 10) -> Verdict {
        CopyVerdict.allCopied(input: input, exactlyOnce: output(eos), atLeastOnce: output(alo),
                              expected: expected)
    }

    @Test func comparedProcessorsThatCopiedEverythingPass() {
        #expect(Self.compared(eos: Array(1...10), alo: Array(1...10)).holds)
        // A repeat is what at-least-once allows.
        #expect(Self.compared(eos: Array(1...10), alo: Array(1...10) + [4]).holds)
    }

    @Test func comparedOutputsMissingOrDoublingOrdersFail() {
        #expect(Self.compared(eos: Array(1...9), alo: Array(1...10)).problems
                    == ["exactly-once output: 1 orders missing, e.g. [10]",
                        "exactly-once output: count 9 and sum 54, recomputed 10 and 65"])
        #expect(Self.compared(eos: Array(1...10) + [7], alo: Array(2...10)).problems
                    == ["exactly-once output: 1 orders counted twice, e.g. [7]",
                        "exactly-once output: count 11 and sum 73, recomputed 10 and 65",
                        "at-least-once output: 1 orders missing, e.g. [1]"])
    }

    @Test func comparedOutputsWithForeignOrdersOrTheWrongInputFail() {
        #expect(Self.compared(eos: Array(1...10), alo: Array(1...11)).problems
                    == ["at-least-once output: orders not in the input, e.g. [11]"])
        #expect(Self.compared(eos: Array(1...10), alo: Array(1...10), expected: 12).problems
                    == ["the input holds 10 orders, not 12"])
        #expect(CopyVerdict.allCopied(input: [], exactlyOnce: [], atLeastOnce: [], expected: 0).problems
                    == ["nothing to copy: the comparison expects 0 records"])
    }
}
