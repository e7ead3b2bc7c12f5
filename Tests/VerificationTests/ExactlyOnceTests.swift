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

    @Test func comparedProcessorsCopiedEverything() {
        #expect(CopyVerdict.allCopied([("exactly-once", 500), ("at-least-once", 500)], expected: 500).holds)
        #expect(CopyVerdict.allCopied([("exactly-once", 490), ("at-least-once", 500)], expected: 500).problems
                    == ["exactly-once wrote 490"])
    }
}
