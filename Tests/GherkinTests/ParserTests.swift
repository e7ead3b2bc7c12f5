import Foundation
@testable import Messages
@testable import Gherkin
import Testing

@Suite("Gherkin parser and pickle compiler")
struct ParserTests {
    func compile(_ text: String, uri: String = "test.feature") -> FeatureFile {
        FeatureFile(uri: uri, source: text)
    }

    @Test func minimalFeatureGivesOnePickleWithTypedSteps() {
        let file = compile("""
            Feature: F
              Scenario: S
                Given a
                And b
                When c
                Then d
                But e
                * f
            """)
        #expect(file.errors.isEmpty)
        #expect(file.pickles.count == 1)
        #expect(file.pickles[0].steps.map(\.type) == [.context, .context, .action, .outcome, .outcome, .unknown])
        #expect(file.pickles[0].steps.map(\.text) == ["a", "b", "c", "d", "e", "f"])
    }

    @Test func crlfAndMissingFinalNewlineParseLikeLF() {
        let lf = "Feature: F\n  Scenario: S\n    Given a\n      | x | y |\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let unterminated = String(lf.dropLast())
        let expected = compile(lf).pickles.map { Envelope.pickle($0).ndjsonLine }
        for variant in [crlf, unterminated] {
            let actual = compile(variant).pickles.map { Envelope.pickle($0).ndjsonLine }
            #expect(actual.map { $0.replacingOccurrences(of: #""id":"\d+""#, with: "", options: .regularExpression) }
                    == expected.map { $0.replacingOccurrences(of: #""id":"\d+""#, with: "", options: .regularExpression) })
        }
    }

    @Test func raggedTableIsReportedAtTheOffendingRow() {
        let file = compile("""
            Feature: F
              Scenario: S
                Given a table
                  | a | b |
                  | c |
            """)
        #expect(file.document == nil)
        #expect(file.errors.map(\.message) == ["(5:7): inconsistent cell count within the table"])
    }

    @Test func everyErrorInTheFileIsReported() {
        let file = compile("""
            nonsense

            Feature: F
              Scenario: S
                Given a
            more nonsense
            """)
        #expect(file.errors.map(\.location.line) == [1, 6])
        #expect(file.errors[0].message == "(1:1): expected: #EOF, #Language, #TagLine, #FeatureLine, #Comment, #Empty, got 'nonsense'")
    }

    @Test func unexpectedEndOfFileHasNoColumn() {
        let file = compile("Feature: F\n  Scenario: S\n    Given a\n      \"\"\"\n      open")
        #expect(file.errors.map(\.message) == ["(6:0): unexpected end of file, expected: #DocStringSeparator, #Other"])
        #expect(file.errors[0].location.column == nil)
    }

    @Test func tenErrorsAndOneMoreStopTheParser() {
        let text = "Feature: F\n  Scenario: S\n" + (1...50).map { "  @bad tag\(String(repeating: " x", count: $0))\n" }.joined()
        #expect(compile(text).errors.count == Parser.maxErrors + 1)
    }

    @Test func outlineValuesReachNameStepsDocStringsAndTables() {
        let file = compile("""
            Feature: F
              Scenario Outline: eat <n> <fruit>
                Given I have <n> <fruit>
                  \"\"\"<type>
                  a <fruit> doc
                  \"\"\"
                Then a table
                  | <fruit> | <n> |
                Examples:
                  | n | fruit | type |
                  | 1 | apple | text |
                  | 2 | pear  | md   |
            """)
        #expect(file.pickles.map(\.name) == ["eat 1 apple", "eat 2 pear"])
        let step = file.pickles[1].steps[0]
        #expect(step.text == "I have 2 pear")
        #expect(step.argument?.docString?.content == "a pear doc")
        #expect(step.argument?.docString?.mediaType == "md")
        #expect(file.pickles[1].steps[1].argument?.dataTable?.rows == [["pear", "2"]])
        #expect(file.pickles[1].astNodeIds.count == 2)
    }

    @Test func backgroundsAndTagsAreInherited() {
        let file = compile("""
            @f
            Feature: F
              Background:
                Given feature background
              @r
              Rule: R
                Background:
                  Given rule background
                @s
                Scenario Outline: S
                  When <x>
                  @e
                  Examples:
                    | x |
                    | y |
            """)
        let pickle = file.pickles[0]
        #expect(pickle.steps.map(\.text) == ["feature background", "rule background", "y"])
        #expect(pickle.tags.map(\.name) == ["@f", "@r", "@s", "@e"])
    }

    /// The Python parser writes `"type": null` for an outline's first And when nothing comes before
    /// it; the message schema has no null type, and the C, Java and JavaScript parsers say Unknown.
    @Test func conjunctionWithNoStepBeforeItIsUnknown() {
        let file = compile("""
            Feature: F
              Scenario Outline: O
                And <x>
                Then b
                Examples:
                  | x |
                  | a |
              Rule: R
                Scenario: S
                  But c
            """)
        #expect(file.pickles.map { $0.steps.map(\.type) } == [[.unknown, .outcome], [.unknown]])
    }

    @Test func conjunctionContinuesTheBackgroundsLastStep() {
        let file = compile("""
            Feature: F
              Background:
                Given a
                When b
              Scenario: S
                And c
              Rule: R
                Background:
                  Then d
                Scenario: T
                  But e
            """)
        #expect(file.pickles.map { $0.steps.map(\.type) }
                == [[.context, .action, .action], [.context, .action, .outcome, .outcome]])
    }

    @Test func tableEscapesAndUnicodeColumns() {
        let file = compile("Feature: F\n  Scenario: S\n    Given t\n      | a\\|b | c\\nd | e\\\\f | 🎸 | x |\n")
        let row = file.document!.feature!.children.compactMap { child -> Step? in
            if case .scenario(let s) = child { return s.steps[0] } else { return nil }
        }[0].dataTable!.rows[0]
        #expect(row.cells.map(\.value) == ["a|b", "c\nd", "e\\f", "🎸", "x"])
        // Columns count Unicode scalars, as the reference does: the emoji is one column wide.
        #expect(row.cells.map { $0.location.column } == [9, 16, 23, 30, 34])
    }

    @Test func stepWithBothDataTableAndDocStringNumbersItsArguments() {
        let file = compile("Feature: F\n  Scenario: S\n    Given x\n      \"\"\"\n      doc\n      \"\"\"\n      | a |\n")
        let argument = file.pickles[0].steps[0].argument
        #expect(argument?.docString?.argumentIndex == 1)
        #expect(argument?.dataTable?.argumentIndex == 2)
    }

    @Test("every dialect of gherkin-languages.json is compiled in and parses", arguments: Dialect.languages)
    func dialect(_ code: String) throws {
        let d = try #require(Dialect.named(code))
        let given = d.given.first { $0 != "* " } ?? d.given[0]
        let then = d.then.first { $0 != "* " } ?? d.then[0]
        let text = "# language: \(code)\n\(d.feature[0]): f\n  \(d.scenario[0]): s\n    \(given)a\n    \(then)b\n"
        let file = compile(text)
        #expect(file.errors.isEmpty, "\(code): \(file.errors.map(\.message))")
        #expect(file.pickles.first?.language == code)
        #expect(file.pickles.first?.steps.map(\.type) == [.context, .outcome])
    }

    @Test func allEightyDialectsArePresent() {
        #expect(Dialect.languages.count == 80)
        #expect(Dialect.named("no-such") == nil)
    }

    @Test func unknownLanguageIsAnError() {
        let file = compile("# language: xx-nope\nFeature: F\n")
        #expect(file.errors.map(\.message) == ["(1:1): Language not supported: xx-nope"])
    }

    @Test func markdownWithGherkin() {
        let file = compile("""
            # Feature: Markdown

            ## Scenario: listed
            * Given a step
            * Then another
              | a | b |
              | - | - |
              | 1 | 2 |
            """, uri: "doc.feature.md")
        #expect(file.errors.isEmpty)
        #expect(file.pickles.first?.steps.map(\.text) == ["a step", "another"])
        #expect(file.pickles.first?.steps[1].argument?.dataTable?.rows == [["a", "b"], ["1", "2"]])
    }

    @Test func theStateMachineIsDerivedFromTheGrammar() {
        let machine = StateMachine.gherkin
        #expect(machine.states[0].expected == "#EOF, #Language, #TagLine, #FeatureLine, #Comment, #Empty")
        #expect(machine.states[machine.endState].transitions.isEmpty)
        // Every state but the end can be left, and every transition lands on a real state.
        for (i, state) in machine.states.enumerated() where i != machine.endState {
            #expect(!state.transitions.isEmpty)
            #expect(state.transitions.allSatisfy { $0.target < machine.states.count })
        }
    }
}

@Suite("Reading feature files")
struct FeatureFileTests {
    func temporaryFile(_ bytes: [UInt8], name: String = "x.feature") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bdd-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    @Test func missingFileIsAReadError() {
        #expect(throws: FeatureFile.ReadError.self) { try FeatureFile.load(path: "/nonexistent/x.feature") }
    }

    @Test func invalidUTF8IsAReadErrorNamingTheLine() throws {
        let path = try temporaryFile(Array("Feature: F\n  Scenario: S\n".utf8) + [0xC3, 0x28] + Array("\n".utf8))
        do {
            _ = try FeatureFile.load(path: path)
            Issue.record("expected a read error")
        } catch {
            #expect(error.at == "3:1", "the bad byte starts line 3")
            #expect(error.description == "\(path):3:1: not valid UTF-8 (byte offset 25); feature files must be UTF-8")
        }
    }

    /// Like cucumber-jvm and Reqnroll, a file that starts with a UTF-8 byte order mark parses as if
    /// it had none: same AST, pickles and locations (the official Python parser rejects the line).
    @Test("a byte order mark is not part of the first line", arguments: [
        ("x.feature", "Feature: F\n  Scenario: S\n    Given a\n      | a |\n"),
        ("x.feature.md", "# Feature: F\n\n## Scenario: S\n* Given a\n  | a |\n"),
        ("x.feature", "# language: fr\nFonctionnalité: F\n  Scénario: S\n    Soit a\n"),
        ("x.feature", "@t\nFeature: F\n  Scenario: S\n    Given a\n"),
    ])
    func byteOrderMarkIsIgnored(_ name: String, _ text: String) throws {
        let plain = try FeatureFile.load(path: temporaryFile(Array(text.utf8), name: name))
        let marked = try FeatureFile.load(path: temporaryFile([0xEF, 0xBB, 0xBF] + Array(text.utf8), name: name))
        #expect(marked.errors.isEmpty)
        #expect(marked.pickles.count == 1)
        #expect(marked.source == plain.source)
        let messages = { (file: FeatureFile) in
            file.envelopes(source: false).map(\.ndjsonLine).joined().replacingOccurrences(of: file.uri, with: "URI")
        }
        #expect(messages(marked) == messages(plain))
        if text.hasPrefix("# language") { #expect(marked.document?.feature?.language == "fr") }
        if text.hasPrefix("@") { #expect(marked.document?.feature?.tags.first?.location.column == 1) }
    }

    @Test func discoveryFindsFeatureAndMarkdownFilesSorted() throws {
        let a = try temporaryFile(Array("Feature: A\n".utf8), name: "b.feature")
        let dir = (a as NSString).deletingLastPathComponent
        try Data("# Feature: M\n".utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent("a.feature.md"))
        try Data("not a feature".utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent("notes.txt"))
        let found = try FeatureFile.discover([dir]).map { ($0 as NSString).lastPathComponent }
        #expect(found == ["a.feature.md", "b.feature"])
    }
}
