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

    // Mutant: the verifying read switched to read_uncommitted; the reading client says which it ran with.
    @Test func aVerifyingReadThatRanWithoutReadCommittedFails() {
        #expect(TransactionIsolation.verifyingRead(isolation: "read_committed", of: "t").holds)
        #expect(TransactionIsolation.verifyingRead(isolation: "read_uncommitted", of: "t").problems
                    == ["the verifying read of t ran with isolation.level=read_uncommitted, not read_committed"])
        #expect(!TransactionIsolation.verifyingRead(isolation: nil, of: "t").holds)
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
                    == ["nothing to copy: the comparison expects 0 records",
                        "exactly-once output: no evidence: 0 orders in the input"])
    }
}

/// The copy verdicts against the ledger: what was acknowledged on the input is the oracle, the input as
/// read back is evidence about the cluster (a broker that loses records on read must not shrink it).
@Suite("Copy verdicts against the ledger")
struct CopyLedgerTests {
    static let acknowledged = Set(UInt64(1)...10)

    static func verdict(readBack: [UInt64], output: [UInt64]) -> CopyVerdict {
        CopyVerdict(acknowledged: acknowledged, input: readBack.map { Payload.make(id: $0) },
                    output: output.map(CopyVerdict.outputValue(id:)))
    }

    @Test func everyAcknowledgedOrderReadBackAndCopiedTwiceSomewherePasses() {
        #expect(Self.verdict(readBack: Array(1...10), output: Array(1...10) + [2]).atLeastOnceWithRedelivery().holds)
        #expect(Self.verdict(readBack: Array(1...10), output: Array(1...10)).exactlyOnce().holds)
    }

    // The foreign-broker trial: 3000 acknowledged, 2461 read back, "none missing" passed.
    @Test func aCopyOfWhatALossyClusterGaveBackFailsNamingTheLoss() {
        let v = Self.verdict(readBack: Array(1...7), output: Array(1...7) + [3])
        #expect(v.atLeastOnceWithRedelivery().problems
                    == ["3 acknowledged orders were not read back from the input, e.g. [8, 9, 10]"])
        #expect(v.exactlyOnce().problems.first == "3 acknowledged orders were not read back from the input, e.g. [8, 9, 10]")
        #expect(v.missing == [8, 9, 10])
    }

    @Test func anOutputOrderNeverAcknowledgedFails() {
        let v = Self.verdict(readBack: Array(1...10), output: Array(1...10) + [4, 42])
        #expect(v.atLeastOnceWithRedelivery().problems
                    == ["1 orders in the output were never acknowledged on the input, e.g. [42]"])
    }

    @Test func nothingAcknowledgedIsNoEvidence() {
        let v = CopyVerdict(acknowledged: [], input: [], output: [])
        #expect(v.atLeastOnceWithRedelivery().problems == ["no evidence: 0 orders acknowledged on the input"])
        #expect(!v.exactlyOnce().holds)
    }
}
