import Foundation
import Testing
import Verification

/// A checker is trusted only after it has been shown to fail: every function of Verification that returns a
/// `Verdict` has, in this target, an expectation that it does not hold on some input. Read as text: a
/// `#expect(…)` that calls the function and expects failure (`!…holds`, `holds == false`, named problems, a
/// failing description).
@Suite("Every verdict has a must-fail test")
struct EveryVerdictFailsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func texts(_ folder: String) throws -> [String] {
        let dir = root.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }.sorted()
            .map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }
    }

    /// The names of the functions in `sources` that return a `Verdict` (`Verdict.fails` is its constructor).
    static func verdicts(in sources: [String]) -> Set<String> {
        let declaration = #/func ([A-Za-z][A-Za-z0-9]*)(?:<[^>]*>)?\([^{]*?\)\s*(?:throws\s*)?->\s*Verdict\b/#
        return Set(sources.flatMap { $0.matches(of: declaration).map { String($0.1) } }).subtracting(["fails"])
    }

    /// Every `#expect(…)` of the tests, whole (across lines).
    static func expectations(in tests: [String]) -> [String] {
        tests.flatMap { text -> [String] in
            let chars = Array(text)
            return text.ranges(of: "#expect(").map { range -> String in
                var i = text.distance(from: text.startIndex, to: range.upperBound)
                var depth = 1
                while i < chars.count, depth > 0 {
                    if chars[i] == "(" { depth += 1 } else if chars[i] == ")" { depth -= 1 }
                    i += 1
                }
                let start = text.distance(from: text.startIndex, to: range.lowerBound)
                return String(chars[start..<i]).replacingOccurrences(of: "\n", with: " ")
            }
        }
    }

    static func expectsFailure(_ e: String) -> Bool {
        e.hasPrefix("#expect(!") || e.contains("holds == false") || e.contains(".problems.first")
            || e.contains("problems.count") || e.contains(".problems.contains") || e.contains(".problems.joined")
            || e.contains(#/\.problems\s*==\s*\[\s*#?"/#) || e.contains(#/![A-Za-z0-9_.()]*\.holds/#)
            || (e.contains(".description.") && !e.contains(#""holds""#))
    }

    /// Whether `text` calls `name(` (not a longer name ending in it).
    static func calls(_ text: String, _ name: String) -> Bool {
        text.ranges(of: name + "(").contains { r in
            r.lowerBound == text.startIndex || !text[text.index(before: r.lowerBound)].isLetter
                && !text[text.index(before: r.lowerBound)].isNumber
        }
    }

    /// The verdicts of `sources` no expectation of `tests` shows failing.
    static func unproven(sources: [String], tests: [String]) -> [String] {
        let failing = expectations(in: tests).filter(expectsFailure)
        return verdicts(in: sources).filter { name in
            !failing.contains { calls($0, name) }
        }.sorted()
    }

    @Test func everyVerdictOfVerificationIsShownToFail() throws {
        let sources = try Self.texts("Sources/Verification")
        #expect(Self.verdicts(in: sources).count > 60)
        let missing = Self.unproven(sources: sources, tests: try Self.texts("Tests/VerificationTests"))
        #expect(missing.isEmpty, "verdicts with no test that shows them failing: \(missing)")
    }

    /// The scan finds a verdict that is only ever shown to hold.
    @Test func aVerdictOnlyShownToHoldIsFound() {
        let source = "public static func settled(_ n: Int) -> Verdict { n > 0 ? Verdict() : .fails(\"n\") }"
        #expect(Self.unproven(sources: [source], tests: ["#expect(Claims.settled(1).holds)"]) == ["settled"])
        #expect(Self.unproven(sources: [source], tests: ["#expect(!Claims.settled(0).holds)"]) == [])
        #expect(Self.unproven(sources: [source], tests: [#"#expect(Claims.settled(0).problems == ["n"])"#]) == [])
    }

    // The verdicts the scan first found without one.

    @Test func aBrokerTheClusterDoesNotListIsNotKnown() {
        #expect(Plausibility.knownBroker(2, brokers: [1, 2, 3]).holds)
        #expect(Plausibility.knownBroker(9, brokers: [3, 1]).problems
            == ["the cluster has no broker 9 (its metadata lists brokers [1, 3])"])
    }

    @Test func negativeLagIsNotPlausible() {
        #expect(Plausibility.lagSamples([LagSample(seconds: 1, lag: 5)], group: "g").holds)
        #expect(!Plausibility.lagSamples([LagSample(seconds: 1, lag: -2)], group: "g").holds)
        #expect(!Plausibility.lagSamples([LagSample(seconds: 2, lag: 3, negative: [1: -4])], group: "g").holds)
    }

    @Test func noEvidenceFailsOnlyOnNothing() {
        #expect(Verdict.noEvidence(3, "records") == nil)
        #expect(Verdict.noEvidence(0, "records")?.problems
            == ["no evidence: 0 records — a claim about nothing cannot pass"])
    }

    @Test func aCounterScenarioThatLostNothingShowsNoLoss() {
        let sends = (UInt64(1)...3).map {
            DeliveryHistory.Send(id: $0, key: nil, topic: "t", acknowledgement: .acked(partition: 0, offset: Int64($0)))
        }
        let reads = (UInt64(1)...3).map {
            DeliveryHistory.Read(id: $0, key: nil, topic: "t", partition: 0, offset: Int64($0))
        }
        #expect(!DeliveryVerdict(DeliveryHistory(sends: sends, reads: reads)).showsLoss().holds)
        #expect(!DeliveryVerdict(DeliveryHistory(sends: sends, reads: Array(reads.dropLast()))).noneLost().holds)
    }

    @Test func documentSectionsThatAreMissingOrShortFail() {
        let text = "# T\n\n## Delete a topic\nCheck the ACLs and the consumers first.\n\n## Roll back\nRestore.\n"
        #expect(DocumentChecks.sections(in: text, path: "d.md", minimum: 2, mentioning: []).holds)
        #expect(!DocumentChecks.sections(in: text, path: "d.md", minimum: 3, mentioning: []).holds)
        #expect(!DocumentChecks.sections(in: text, path: "d.md", minimum: 2, mentioning: ["ACLs"]).holds)
        #expect(DocumentChecks.sections(in: text, path: "d.md", headings: ["delete"], words: 5).holds)
        #expect(!DocumentChecks.sections(in: text, path: "d.md", headings: ["roll back"], words: 5).holds)
        #expect(!DocumentChecks.sections(in: text, path: "d.md", headings: ["failback"], words: 1).holds)
    }
}
