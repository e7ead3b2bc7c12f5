import Processing
import Testing
import Verification

/// KAF-08's processor (Processing) and its checker (Verification) are written apart: the processor's output
/// is judged by a verdict that recomputes each order's amount from the input. These agree on a correct
/// processor and disagree on a wrong one.
@Suite("The copy processor's output against its checker")
struct CopyProcessorOutputTests {
    @Test func everyOrderIsCopiedWithTheAmountTheCheckerRecomputes() throws {
        let input = (1...500).map { Payload.make(id: UInt64($0), size: $0 % 3 == 0 ? 64 : 0) }
        let output = try input.map { try #require(CopyProcessor.output(for: $0)) }
        #expect(output.map(\.id) == (1...500).map(UInt64.init))
        #expect(output.map(\.value) == (1...500).map { CopyVerdict.outputValue(id: UInt64($0)) })
        #expect(CopyVerdict(input: input, output: output.map(\.value)).exactlyOnce().holds)
    }

    @Test func recordsWithoutAnOrderIdAreNotCopied() {
        for value in ["", "id=", "id=;", "id=x;", "key-7", "id=12"] {
            #expect(CopyProcessor.output(for: Array(value.utf8)) == nil, "\(value)")
        }
    }

    /// The checker is not a mirror of the processor: a wrong amount or a lost order fails it.
    @Test func aWrongAmountOrALostOrderFailsTheChecker() {
        let input = (1...20).map { Payload.make(id: UInt64($0)) }
        var output = input.compactMap { CopyProcessor.output(for: $0)?.value }
        output[3] = Array("id=4;amount=99".utf8)
        #expect(!CopyVerdict(input: input, output: output).exactlyOnce().holds)
        output = input.dropLast().compactMap { CopyProcessor.output(for: $0)?.value }
        #expect(!CopyVerdict(input: input, output: output).exactlyOnce().holds)
    }
}
