import Foundation

/// The output of a read-process-write copy recomputed against its input, as Kafka's EOS test driver
/// checks it: every input order is copied with an amount that is a function of its id.
public struct CopyVerdict: Sendable, Equatable {
    public var inputIds: Set<UInt64>
    /// How many times each order appears in the output.
    public var outputCounts: [UInt64: Int]
    public var outputSum: UInt64
    /// The input as read back, when the oracle is the ledger (`init(acknowledged:input:output:)`).
    public var inputReadBack: Set<UInt64>?

    public init(inputIds: Set<UInt64> = [], outputCounts: [UInt64: Int] = [:], outputSum: UInt64 = 0) {
        self.inputIds = inputIds
        self.outputCounts = outputCounts
        self.outputSum = outputSum
    }

    /// From the record values of the input and the output topic (values without a payload id are ignored).
    public init(input: [[UInt8]], output: [[UInt8]]) {
        self.init(inputIds: Set(input.compactMap(Payload.id(in:))))
        for value in output {
            guard let id = Payload.id(in: value) else { continue }
            outputCounts[id, default: 0] += 1
            outputSum += Self.amount(in: value) ?? 0
        }
    }

    /// An order's amount: a function of its id, so that a checker can recompute it from the input.
    public static func amount(of id: UInt64) -> UInt64 { id % 100 + 1 }

    /// What the processor writes for an order.
    public static func outputValue(id: UInt64) -> [UInt8] {
        Payload.make(id: id) + Array("amount=\(amount(of: id))".utf8)
    }

    static func amount(in value: [UInt8]) -> UInt64? {
        let text = String(decoding: value, as: UTF8.self)
        guard let range = text.range(of: "amount=") else { return nil }
        return UInt64(text[range.upperBound...])
    }

    public var expectedSum: UInt64 { inputIds.reduce(0) { $0 + Self.amount(of: $1) } }
    public var outputCount: Int { outputCounts.values.reduce(0, +) }
    public var doubled: [UInt64] { outputCounts.filter { $0.value > 1 }.keys.sorted() }
    public var missing: [UInt64] { inputIds.subtracting(outputCounts.keys).sorted() }

    /// Every input order once in the output, with the count and sum of amounts recomputed from the input.
    public func exactlyOnce() -> Verdict {
        var problems: [String] = ledgerProblems()
        if !doubled.isEmpty { problems.append("\(doubled.count) orders counted twice, e.g. \(doubled.prefix(5))") }
        if !missing.isEmpty { problems.append("\(missing.count) orders missing, e.g. \(missing.prefix(5))") }
        if outputCount != inputIds.count || outputSum != expectedSum {
            let recomputed = "recomputed \(inputIds.count) and \(expectedSum)"
            problems.append("count \(outputCount) and sum \(outputSum), \(recomputed)")
        }
        return Verdict(problems)
    }

    /// The at-least-once counter-verdict: no order missing, and some reprocessed after the restart.
    public func atLeastOnceWithRedelivery() -> Verdict {
        let ledger = ledgerProblems()
        guard ledger.isEmpty else { return Verdict(ledger) }
        guard missing.isEmpty else {
            return .fails("\(missing.count) orders missing from the output, e.g. \(missing.prefix(5))")
        }
        guard !doubled.isEmpty else {
            return .fails("no order was counted twice: nothing was reprocessed after the restart")
        }
        return Verdict()
    }

    /// Orders in the output that are not in the input.
    public var unexpected: [UInt64] { Set(outputCounts.keys).subtracting(inputIds).sorted() }

    /// The oracle is the ledger: the orders the scenario sent to the input and had acknowledged. The
    /// input read back through the cluster under test is evidence about that cluster, never the oracle
    /// (a broker that loses records on read would shrink the oracle with its loss).
    public init(acknowledged: Set<UInt64>, input: [[UInt8]], output: [[UInt8]]) {
        self.init(input: input, output: output)
        inputReadBack = inputIds
        inputIds = acknowledged
    }

    /// Acknowledged orders the input topic did not give back: the cluster lost them.
    public var lostFromInput: [UInt64] { inputReadBack.map { inputIds.subtracting($0).sorted() } ?? [] }

    /// Problems every copy verdict shares: nothing acknowledged, input lost, output never sent.
    func ledgerProblems() -> [String] {
        var problems: [String] = []
        if inputIds.isEmpty {
            let what = inputReadBack == nil ? "in the input" : "acknowledged on the input"
            problems.append("no evidence: 0 orders " + what)
        }
        if !lostFromInput.isEmpty {
            problems.append(
                "\(lostFromInput.count) acknowledged orders were not read back from the input, "
                    + "e.g. \(lostFromInput.prefix(5))")
        }
        if !unexpected.isEmpty {
            problems.append(
                inputReadBack == nil
                    ? "orders not in the input, e.g. \(unexpected.prefix(5))"
                    : "\(unexpected.count) orders in the output were never acknowledged on the input, "
                        + "e.g. \(unexpected.prefix(5))")
        }
        return problems
    }

    /// The throughput comparison's verdict on the topics as read back: the input holds the `expected`
    /// orders; the exactly-once output (read with read_committed) holds each once, with the count and
    /// sum recomputed from the input; the at-least-once output holds each at least once — a repeat
    /// there is what at-least-once allows.
    public static func allCopied(
        input: [[UInt8]], exactlyOnce: [[UInt8]], atLeastOnce: [[UInt8]],
        expected: Int
    ) -> Verdict {
        let eos = CopyVerdict(input: input, output: exactlyOnce)
        let alo = CopyVerdict(input: input, output: atLeastOnce)
        var problems: [String] = []
        if expected <= 0 {
            problems.append("nothing to copy: the comparison expects \(expected) records")
        } else if eos.inputIds.count != expected {
            problems.append("the input holds \(eos.inputIds.count) orders, not \(expected)")
        }
        problems += eos.exactlyOnce().problems.map { "exactly-once output: \($0)" }
        if !alo.missing.isEmpty {
            problems.append("at-least-once output: \(alo.missing.count) orders missing, e.g. \(alo.missing.prefix(5))")
        }
        if !alo.unexpected.isEmpty {
            problems.append("at-least-once output: orders not in the input, e.g. \(alo.unexpected.prefix(5))")
        }
        return Verdict(problems)
    }
}

/// What a read_committed consumer read, against the outcome of the transactions that wrote it.
public enum TransactionIsolation {
    /// A claim about what read_committed readers see is judged on a read that ran with read_committed, as
    /// the reading client itself reports its isolation level.
    public static func verifyingRead(isolation: String?, of topic: String) -> Verdict {
        isolation == "read_committed"
            ? Verdict()
            : .fails(
                "the verifying read of \(topic) ran with isolation.level=\(isolation ?? "unknown"), "
                    + "not read_committed")
    }

    /// Every committed id read, no aborted one.
    public static func verdict(read: [UInt64], committed: Set<UInt64>, aborted: Set<UInt64>) -> Verdict {
        let abortedRead = aborted.intersection(read).sorted()
        let missing = committed.subtracting(read).sorted()
        var problems: [String] = []
        if !abortedRead.isEmpty {
            problems.append("\(abortedRead.count) aborted records were read, e.g. \(abortedRead.prefix(5))")
        }
        if !missing.isEmpty {
            problems.append("\(missing.count) committed records were not read, e.g. \(missing.prefix(5))")
        }
        return Verdict(problems)
    }
}

/// A zombie transactional instance is fenced: its commit failed with a fencing error.
public enum Fencing {
    /// `outcome`: how the zombie's commit ended, as the drill wrote it (`fenced: …` when fenced).
    public static func zombieFenced(_ outcome: String) -> Verdict {
        outcome.hasPrefix("fenced") ? Verdict() : .fails("the zombie instance was not fenced: its commit \(outcome)")
    }
}
