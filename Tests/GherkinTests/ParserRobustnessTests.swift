import Foundation
@testable import Messages
@testable import Gherkin
import Testing

/// Mutated and pathological inputs: the parser must answer every one (a document or located
/// errors), never crash or hang, and keep memory bounded.
@Suite("Gherkin parser robustness")
struct ParserRobustnessTests {
    /// A deterministic generator, so a failing input can be reproduced from its seed.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [String] = [
        """
        # language: en
        @smoke @kafka
        Feature: Delivery
          Some description
          # a comment
          Background:
            Given a 3-broker cluster
          Rule: acks
            Background:
              Given acks=all
            @slow
            Scenario Outline: produce <n>
              When I produce <n> messages
                | key | value |
                | k<n> | v   |
              Then all are consumed
                \"\"\"json
                {"n": <n>}
                \"\"\"
              Examples: small
                | n |
                | 1 |
              @big
              Examples:
                | n |
                | 1000 |
          Scenario: plain
            * a step
        """,
        "Feature: x\n  Scenario: y\n    Given z\n      ```\n      code\n      ```\n",
        "# language: fr\nFonctionnalité: f\n  Scénario: s\n    Soit a\n    Alors b\n",
    ]

    static let fragments: [String] = [
        "Feature:", "Rule:", "Background:", "Scenario:", "Scenario Outline:", "Examples:", "Given ", "When ",
        "Then ", "And ", "* ", "|", "| a |", "\\|", "\\", "\"\"\"", "```", "@", "@tag", "# language: fr",
        "# language:", "#", "<", ">", "<n>", "\t", " ", "\r", "\u{FEFF}", "\u{00A0}", "🎸", "é", "\u{0301}", "\0",
    ]

    func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var scalars = Array(text.unicodeScalars)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch rng.next() % 7 {
        case 0: // truncate anywhere
            scalars = Array(scalars.prefix(Int(rng.next() % UInt64(scalars.count + 1))))
            return String(String.UnicodeScalarView(scalars))
        case 1: // random scalars inserted
            for _ in 0..<(1 + rng.next() % 8) {
                let s = Unicode.Scalar(UInt32(rng.next() % 0xD7FF)) ?? "x"
                scalars.insert(s, at: Int(rng.next() % UInt64(scalars.count + 1)))
            }
            return String(String.UnicodeScalarView(scalars))
        case 2: // keyword fragments spliced into lines
            for _ in 0..<(1 + rng.next() % 4) {
                let i = Int(rng.next() % UInt64(lines.count))
                let f = Self.fragments[Int(rng.next() % UInt64(Self.fragments.count))]
                let at = Int(rng.next() % UInt64(lines[i].count + 1))
                lines[i].insert(contentsOf: f, at: lines[i].index(lines[i].startIndex, offsetBy: at))
            }
        case 3: // lines shuffled
            lines.shuffle(using: &rng)
        case 4: // lines duplicated
            for _ in 0..<(1 + rng.next() % 6) {
                let i = Int(rng.next() % UInt64(lines.count))
                lines.insert(lines[i], at: Int(rng.next() % UInt64(lines.count + 1)))
            }
        case 5: // lines deleted
            for _ in 0..<(1 + rng.next() % 4) where lines.count > 1 {
                lines.remove(at: Int(rng.next() % UInt64(lines.count)))
            }
        default: // indentation and line endings disturbed
            lines = lines.map { rng.next() % 3 == 0 ? String(repeating: "\t", count: Int(rng.next() % 4)) + $0 + "\r" : $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// What must hold for any input whatsoever.
    func checkInvariants(_ text: String, context: @autoclosure () -> String) {
        let file = FeatureFile(uri: "fuzz.feature", source: text)
        let lineCount = Parser.lines(of: text).count
        #expect((file.document == nil) == !file.errors.isEmpty, "\(context())")
        #expect(file.errors.count <= Parser.maxErrors + 1, "\(context())")
        for e in file.errors {
            #expect((1...(lineCount + 1)).contains(e.location.line), "\(context()): \(e.message)")
        }
        for p in file.pickles {
            #expect((1...max(lineCount, 1)).contains(p.location.line), "\(context())")
        }
    }

    @Test("3,000 mutated feature files", arguments: 0..<3)
    func mutatedInputs(_ batch: Int) {
        var rng = SplitMix64(state: UInt64(batch) &* 7919 &+ 1)
        for i in 0..<1000 {
            var text = Self.seeds[i % Self.seeds.count]
            for _ in 0..<(1 + rng.next() % 4) { text = mutate(text, &rng) }
            checkInvariants(text, context: "batch \(batch) case \(i)")
            // Deterministic: the same text gives the same messages.
            let a = FeatureFile(uri: "x", source: text)
            let b = FeatureFile(uri: "x", source: text)
            #expect(a.errors == b.errors)
            #expect(a.pickles.count == b.pickles.count)
        }
    }

    @Test func randomBytesAreRejectedOrParsedNeverCrash() throws {
        var rng = SplitMix64(state: 42)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bdd-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for i in 0..<300 {
            let bytes = (0..<Int(rng.next() % 400)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let url = dir.appendingPathComponent("r\(i).feature")
            try Data(bytes).write(to: url)
            do {
                let file = try FeatureFile.load(path: url.path)
                #expect((file.document == nil) == !file.errors.isEmpty)
            } catch {
                #expect(error.reason.contains("UTF-8"))
            }
        }
    }

    @Test func hundredThousandRowTable() {
        let rows = String(repeating: "      | a | b | c |\n", count: 100_000)
        let file = FeatureFile(uri: "big.feature", source: "Feature: F\n  Scenario: S\n    Given t\n" + rows)
        #expect(file.errors.isEmpty)
        #expect(file.pickles.first?.steps.first?.argument?.dataTable?.rows.count == 100_000)
        #expect(Self.peakResidentMiB() < 2048, "peak RSS \(Self.peakResidentMiB()) MiB")
    }

    @Test func hundredThousandExampleRows() {
        let rows = String(repeating: "      | 1 |\n", count: 100_000)
        let file = FeatureFile(uri: "big.feature", source: "Feature: F\n  Scenario Outline: S\n    Given <n>\n    Examples:\n      | n |\n" + rows)
        #expect(file.pickles.count == 100_000)
        #expect(Self.peakResidentMiB() < 2048, "peak RSS \(Self.peakResidentMiB()) MiB")
    }

    @Test func oneMegabyteLines() {
        let long = String(repeating: "word ", count: 200_000)
        let file = FeatureFile(uri: "long.feature", source: "Feature: \(long)\n  \(long)\n  Scenario: S\n    Given \(long)\n      | \(long) |\n")
        #expect(file.errors.isEmpty)
        #expect(file.pickles.first?.steps.first?.text.utf8.count == long.utf8.count - 1)
        let tags = String(repeating: "@t ", count: 300_000)
        #expect(FeatureFile(uri: "tags.feature", source: "\(tags)\nFeature: F\n").errors.isEmpty)
        #expect(Self.peakResidentMiB() < 2048, "peak RSS \(Self.peakResidentMiB()) MiB")
    }

    @Test func deepAndWideStructure() {
        var text = "Feature: F\n"
        for r in 0..<200 {
            text += "  Rule: R\(r)\n    Background:\n      Given b\n"
            for s in 0..<20 {
                text += "    @t\(s)\n    Scenario Outline: S\(s)\n      Given <x>\n"
                for _ in 0..<3 { text += "      @e\n      Examples:\n        | x |\n        | 1 |\n" }
            }
        }
        let file = FeatureFile(uri: "wide.feature", source: text)
        #expect(file.errors.isEmpty)
        #expect(file.pickles.count == 200 * 20 * 3)
        let unclosed = "Feature: F\n  Scenario: S\n    Given a\n      \"\"\"\n" + String(repeating: "      Feature: inside a doc string\n", count: 50_000)
        #expect(FeatureFile(uri: "open.feature", source: unclosed).errors.count == 1)
        #expect(Self.peakResidentMiB() < 2048, "peak RSS \(Self.peakResidentMiB()) MiB")
    }

    /// Peak resident memory of this test process so far, in MiB.
    static func peakResidentMiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }
}
