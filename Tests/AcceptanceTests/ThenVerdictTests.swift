import Foundation
@testable import Steps
import Testing

/// Every Then step leaves its verdict to Verification: its body (read from Sources/Steps, with the Steps
/// functions it calls, transitively) reaches a `Verdict`'s `.enforce()`, and throws no `StepFailure` of its
/// own except the preconditions listed here — failures about the scenario's wiring or the step's input,
/// never about the claim.
@Suite("Then steps judge through Verification")
struct ThenVerdictTests {
    static let wiring = "the scenario never ran the step the claim is about: its wiring, not the claim"
    static let input = "the step's own argument or table is unusable: the feature is wrong, not the system"
    static let evidence = "the evidence could not be gathered (a read stopped short): no claim was judged"
    static let cluster = "the scenario has no usable cluster or file to read from"

    /// Message prefixes (as written in the source, after `StepFailure(`) a Then may throw, with the reason.
    static let preconditions: [String: String] = [
        #"\(e.principal) Read \(e.resource) needs a topic"#: input,
        #"\(e.principal) is not a SCRAM user of this scenario"#: input,
        #"\"\(name)\" was not read back after compaction"#: wiring,
        #"NO_RECORD within 15 s"#: "the permission-matrix drill catches it as the read path's outcome, which "
            + "PermissionMatrix judges",
        #"broker \(broker)'s certificate was not rotated"#: wiring,
        #"no new Avro schema was proposed for subject"#: wiring,
        #"each row of the bounds table is a percentile"#: input,
        #"window, total and orders of a stated row are whole numbers"#: input,
        #"no rolling restart ran in this scenario"#: wiring,
        #"expected a table `\(form)` with a row per \(what)"#: input,
        #"cannot read \(path)"#: cluster,
        #"\(path) is not a Grafana dashboard"#: input,
        #"group \(group) did not scale in this scenario"#: wiring,
        #"stream processor \(joinerName) did not join the application of a held \(firstName)"#: wiring,
        #"stream processor \(leaverName) did not leave an application \(survivorName) is in"#: wiring,
        #"group \(group) never grew"#: wiring,
        "no Avro records were sent in this scenario": wiring,
        #"no SCRAM user \""#: wiring,
        "no admin command ran in this scenario": wiring,
        "no topic listing in this scenario": wiring,
        "no TLS endpoint in this scenario": wiring,
        "within takes a positive number of seconds": input,
        "no topic was described in this scenario": wiring,
        "no group was described in this scenario": wiring,
        "no capstone pipeline in this scenario": wiring,
        "no certificate was rotated in this scenario": wiring,
        "no client certificate was made in this scenario": wiring,
        "no client was refused yet": wiring,
        #"no cluster \"\(name)\" in this scenario"#: wiring,
        "no cluster yet: start the scenario": wiring,
        "no comparison ran in this scenario": wiring,
        #"no connector \"\(name)\" was created"#: wiring,
        "no consumer processed with a dead-letter topic": wiring,
        "no consumer stalled in this scenario": wiring,
        #"no consumers of group \(group) joined"#: wiring,
        "no expected state kept": wiring,
        "no failover drill ran": wiring,
        "no group listing in this scenario": wiring,
        "no inventory taken yet": wiring,
        "no lag drill ran": wiring,
        "no latency was measured in this scenario": wiring,
        #"no metrics were exported for group \(group)"#: wiring,
        "no permission matrix was granted": wiring,
        "no probe ran in this scenario": wiring,
        #"no processor \(name)"#: wiring,
        "no processor ran": wiring,
        "no reassignment planned yet": wiring,
        "no reassignment that moves anything was planned": wiring,
        "no rebalance-listener consumer ran": wiring,
        #"no records were written to \"\(name)\" and sunk"#: wiring,
        #"no topic \"\(excludedName)\" on the source cluster"#: input,
        #"no topic \"\(name)\" on that cluster"#: input,
        "no topic in this scenario": wiring,
        "no topology yet": wiring,
        "no zombie drill ran in this scenario": wiring,
        #"nothing was written to \"\(name)\" in this scenario"#: wiring,
        #"rollback ? "no reassignment ran in this scenario""#: wiring,
        #"the admin tool refused: \(r.reason)"#: "a claim about the plan when the tool refused to plan: the "
            + "refusal is the scenario's mistake (a refusal claim has its own verdict, AdminClaims.refused)",
        #"the oracle has no window for \(key)"#: input,
        #"the pipeline captured into \""#: input,
        "the pipeline has not run in this scenario": wiring,
        #"the plan adds no partitions to \(topic)"#: "the key-moves claim is about a partition increase; another "
            + "plan is the scenario's mistake",
        "no known partitioner placed the acknowledged keys": "the oracle cannot be computed: no partitioner "
            + "reproduces where the keys were acknowledged, so the plan cannot be judged either way",
        "the source made no change: nothing to compare": wiring,
        "the step needs a one-column table": input,
        #"the shared \(backend.rawValue) cluster is not healthy"#: cluster,
        "the verifying read did not reach the log end": evidence,
        "this step needs a crashed consumer and a restarted one": wiring,
        #"topic \"\(name)\" was not created in this scenario"#: wiring,
        #"failures.joined(separator: "; ")"#: "Falsifiability.judge reports the failures of Verification "
            + "verdicts, apart from the claims this cluster cannot falsify (those skip)",
        "description": "Verdict.enforce() itself",
        "message": "TimedJudgement.enforce() itself: a Verification verdict, weighed against the harness's delay",
    ]

    /// Steps' sources and the drills they call into: a Then that decides inside a drill is still found.
    static var sources: [String] {
        get throws {
            try ["Sources/Steps", "Sources/Drills"].flatMap { folder in
                let dir = AcceptanceSuite.packageRoot.appendingPathComponent(folder)
                return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }
                    .sorted().map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }
            }
        }
    }

    @Test func everyThenStepReachesAVerdictAndDecidesNothingItself() throws {
        let steps = StepSource(try Self.sources)
        #expect(steps.thens.count > 80)
        let findings = steps.findings(allowed: Array(Self.preconditions.keys))
        let listing = findings.joined(separator: "\n")
        #expect(findings.isEmpty, "\(findings.count) findings of Then steps deciding their own verdict:\n\(listing)")
    }

    /// The scan sees what is registered: every Then of the vocabulary is a `code.then(` it read.
    @Test func theScanFindsEveryRegisteredThen() throws {
        // The source spells a literal backslash `\\`; the expression holds one.
        let scanned = Set(StepSource(try Self.sources).thens.map {
            $0.sentence.replacingOccurrences(of: #"\\"#, with: #"\"#)
        })
        let registered = try EmptyEvidenceTests.thens.map(\.expression.source)
        #expect(registered.count > 80)
        #expect(registered.filter { !scanned.contains($0) } == [])
    }

    /// A precondition no Then can throw any more is a stale allowance: it would let a new claim through.
    @Test func everyListedPreconditionIsStillThrownByAThen() throws {
        let thrown = StepSource(try Self.sources).thrownByThens
        let stale = Self.preconditions.keys.filter { key in
            !thrown.contains { $0.hasPrefix(key) || ($0.hasPrefix("\"") && $0.dropFirst().hasPrefix(key)) }
        }
        #expect(stale.isEmpty, "listed but thrown by no Then: \(stale.sorted())")
    }

    @Test func aThenThatComparesAndThrowsItselfIsFound() {
        let body = """
            code.then("the count is {int}", doc: "…", example: "Then the count is 3") { ctx in
                let n = try ctx.int(0)
                guard n == 3 else { throw StepFailure("count \\(n), expected 3") }
            }
            """
        #expect(StepSource([body]).findings(allowed: []) == [
            "the count is {int}: no Verification verdict",
            "the count is {int}: throws StepFailure(\"count \\(n), expected 3\")",
        ])
    }

    @Test func aThenThatDecidesInAHelperIsFoundAndOneThatEnforcesPasses() {
        let source = """
            code.then("a is {int}") { ctx in try check(ctx) }
            code.then("b holds") { ctx in try Claims.b(ctx.value).enforce() }
            code.then("c holds") { ctx in
                guard let x = ctx.world.x else { throw StepFailure("no x ran in this scenario") }
                try judge(x)
            }
            static func check(_ ctx: StepContext) throws {
                if ctx.value != 1 { throw StepFailure("a is \\(ctx.value)") }
                try Claims.a(ctx.value).enforce()
            }
            static func judge(_ x: Int) throws { try Claims.c(x).enforce() }
            """
        #expect(StepSource([source]).findings(allowed: ["no x ran"]) == [
            "a is {int}: throws StepFailure(\"a is \\(ctx.value)\")",
        ])
    }
}

/// The Then registrations of Steps' source and the functions they call, read as text.
struct StepSource {
    struct Then { var sentence: String; var body: String }

    var thens: [Then] = []
    var functions: [String: [String]] = [:]

    init(_ files: [String]) {
        for file in files {
            let text = Array(file.utf8)
            for start in Self.occurrences(of: "code.then(", in: text) {
                let open = start + "code.then".utf8.count
                guard let close = Self.matching(text, from: open),
                      let brace = text[close...].firstIndex(of: UInt8(ascii: "{")),
                      let end = Self.matching(text, from: brace) else { continue }
                // The sentence: the string literals before `doc:`, joined (a long one is written "…" + "…").
                let args = String(decoding: text[open..<close], as: UTF8.self)
                let head = args.components(separatedBy: "doc:").first ?? args
                let sentence = head.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
                    .filter { $0.offset % 2 == 1 }.map(\.element).joined()
                thens.append(Then(sentence: sentence, body: String(decoding: text[brace..<end], as: UTF8.self)))
            }
            for start in Self.occurrences(of: "func ", in: text) {
                var i = start + 5
                var name: [UInt8] = []
                while i < text.count, Self.isWord(text[i]) { name.append(text[i]); i += 1 }
                guard !name.isEmpty, let brace = text[i...].firstIndex(of: UInt8(ascii: "{")),
                      let end = Self.matching(text, from: brace) else { continue }
                functions[String(decoding: name, as: UTF8.self), default: []]
                    .append(String(decoding: text[brace..<end], as: UTF8.self))
            }
        }
    }

    /// One line per Then that reaches no `.enforce()` or throws a `StepFailure` whose message starts with
    /// none of `allowed` (in its body or a Steps function it calls).
    func findings(allowed: [String]) -> [String] {
        thens.flatMap { then -> [String] in
            let bodies = [then.body] + reached(from: then.body).sorted().flatMap { functions[$0] ?? [] }
            var found: [String] = []
            if !bodies.contains(where: { $0.contains(".enforce()") }) {
                found.append("\(then.sentence): no Verification verdict")
            }
            for body in bodies {
                for message in Self.thrownMessages(body) where !allowed.contains(where: { message.hasPrefix($0) })
                    && !(message.hasPrefix("\"") && allowed.contains(where: { message.dropFirst().hasPrefix($0) })) {
                    found.append("\(then.sentence): throws StepFailure(\(message))")
                }
            }
            return found
        }
    }

    /// Every `StepFailure` message a Then can throw, from its body or a Steps function it calls.
    var thrownByThens: [String] {
        thens.flatMap { then in
            ([then.body] + reached(from: then.body).flatMap { functions[$0] ?? [] }).flatMap(Self.thrownMessages)
        }
    }

    /// The Steps functions `body` calls, and those they call.
    func reached(from body: String) -> Set<String> {
        var seen = Set<String>()
        var todo = calls(in: body)
        while let name = todo.popLast() {
            guard seen.insert(name).inserted else { continue }
            todo += (functions[name] ?? []).flatMap(calls)
        }
        return seen
    }

    func calls(in body: String) -> [String] {
        let text = Array(body.utf8)
        var names: [String] = []
        var i = 0
        while i < text.count {
            guard Self.isWord(text[i]), i == 0 || !Self.isWord(text[i - 1]) else { i += 1; continue }
            var j = i
            while j < text.count, Self.isWord(text[j]) { j += 1 }
            let name = String(decoding: text[i..<j], as: UTF8.self)
            if j < text.count, text[j] == UInt8(ascii: "("), functions[name] != nil { names.append(name) }
            i = j
        }
        return names
    }

    /// What follows each `throw StepFailure(` or `throw DrillFailure(`, leading whitespace skipped, up to the
    /// end of its line (or of the line's last string literal).
    static func thrownMessages(_ body: String) -> [String] {
        body.replacingOccurrences(of: "throw DrillFailure(", with: "throw StepFailure(")
            .components(separatedBy: "throw StepFailure(").dropFirst().map {
            let line = $0.drop { $0 == " " || $0 == "\n" }.prefix { $0 != "\n" }
            return String(line.lastIndex(of: "\"").map { line[...$0] } ?? line)
        }
    }

    static func isWord(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }

    static func occurrences(of needle: String, in text: [UInt8]) -> [Int] {
        let n = Array(needle.utf8)
        guard text.count >= n.count else { return [] }
        return (0...(text.count - n.count)).filter { i in text[i] == n[0] && Array(text[i..<(i + n.count)]) == n }
    }

    /// The index after the bracket closing the one at `open` (`(` or `{`), skipping string literals
    /// (plain, raw and multi-line) and line comments.
    static func matching(_ text: [UInt8], from open: Int) -> Int? {
        let (opener, closer) = text[open] == UInt8(ascii: "(") ? (UInt8(ascii: "("), UInt8(ascii: ")"))
            : (UInt8(ascii: "{"), UInt8(ascii: "}"))
        let quote = UInt8(ascii: "\""), slash = UInt8(ascii: "/"), newline = UInt8(ascii: "\n")
        var depth = 0
        var i = open
        while i < text.count {
            let c = text[i]
            if c == quote {
                i = endOfString(text, at: i)
                continue
            }
            if c == slash, i + 1 < text.count, text[i + 1] == slash {
                while i < text.count, text[i] != newline { i += 1 }
                continue
            }
            if c == opener { depth += 1 } else if c == closer {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        return nil
    }

    /// The index after the string literal whose opening quote is at `start` (preceded by `#`s if raw).
    static func endOfString(_ text: [UInt8], at start: Int) -> Int {
        let quote = UInt8(ascii: "\""), hash = UInt8(ascii: "#"), backslash = UInt8(ascii: "\\")
        var hashes = 0
        while start - hashes - 1 >= 0, text[start - hashes - 1] == hash { hashes += 1 }
        let closing = [UInt8](repeating: hash, count: hashes)
        let multiLine = start + 2 < text.count && text[start + 1] == quote && text[start + 2] == quote
        var i = start + (multiLine ? 3 : 1)
        while i < text.count {
            if hashes == 0, text[i] == backslash { i += 2; continue }
            if text[i] == quote {
                if multiLine {
                    if i + 2 < text.count, text[i + 1] == quote, text[i + 2] == quote,
                       Array(text[(i + 3)..<min(text.count, i + 3 + hashes)]) == closing {
                        return i + 3 + hashes
                    }
                } else if Array(text[(i + 1)..<min(text.count, i + 1 + hashes)]) == closing {
                    return i + 1 + hashes
                }
            }
            if !multiLine, text[i] == UInt8(ascii: "\n") { return i }
            i += 1
        }
        return i
    }
}
