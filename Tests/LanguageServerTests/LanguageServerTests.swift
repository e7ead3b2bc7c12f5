import Foundation
import LanguageServer
import Runtime
import Testing

/// The server over a hand-made vocabulary, message by message: what an editor sends and what it gets back.
@Suite("Language server")
struct LanguageServerTests {
    static func vocabulary() -> Vocabulary {
        var code = SupportCode()
        code.parameterType("acks", regexps: ["0", "1", "all"]) { g in g.first ?? nil }
        code.given(
            "a {int}-broker cluster", doc: "Starts a cluster.", example: "Given a 3-broker cluster",
            fileID: "Steps/ClusterSteps.swift", line: 12
        ) { _ in }
        code.given(
            "a topic {string} with {int} partition(s)", doc: "Creates a topic.", fileID: "Steps/ClusterSteps.swift",
            line: 30
        ) { _ in }
        code.when("I produce {int} messages with acks={acks}", doc: "Sends.", fileID: "Steps/P.swift", line: 5) { _ in }
        code.then(
            "the users may sign in", doc: "Checks; needs a cluster that models TLS, SASL and ACLs (compose).",
            fileID: "Steps/S.swift", line: 9
        ) { _ in }
        code.then("every message arrives", fileID: "Steps/A.swift", line: 1) { _ in }
        code.then("every {word} arrives", fileID: "Steps/B.swift", line: 2) { _ in }
        return Vocabulary(code)
    }

    static func server(root: URL? = nil) -> LanguageServer {
        LanguageServer(vocabulary: vocabulary(), backend: "embedded", root: root)
    }

    static func send(_ server: LanguageServer, _ message: JSONValue) throws -> [JSONValue] {
        try server.handle(message.serialized()).map { try JSONValue.parse($0) }
    }

    static func open(_ server: LanguageServer, _ text: String, uri: String = "file:///f.feature") throws -> [JSONValue]
    {
        try send(
            server,
            [
                "jsonrpc": "2.0", "method": "textDocument/didOpen",
                "params": [
                    "textDocument": ["uri": .string(uri), "languageId": "gherkin", "version": 1, "text": .string(text)]
                ],
            ])
    }

    static func diagnostics(_ out: [JSONValue]) -> [JSONValue] {
        guard case .array(let d)? = out.first?["params"]?["diagnostics"] else { return [] }
        return d
    }

    static let feature = """
        Feature: F
          Scenario: S
            Given a 3-broker cluster
            And a topic "orders" with six partitions
            When I produce 10 messages with acks=all
            Then the users may sign in
            And every message arrives
        """

    @Test func initializeNamesTheCapabilities() throws {
        let out = try Self.send(Self.server(), ["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": [:]])
        #expect(out.count == 1)
        #expect(out[0]["id"] == 1)
        let caps = out[0]["result"]?["capabilities"]
        #expect(caps?["hoverProvider"] == true && caps?["definitionProvider"] == true)
        #expect(caps?["textDocumentSync"]?["change"] == 1)
    }

    @Test func diagnosticsNameUndefinedAmbiguousAndBackendNeeds() throws {
        let d = Self.diagnostics(try Self.open(Self.server(), Self.feature))
        let byLine = Dictionary(uniqueKeysWithValues: d.map { ($0["range"]?["start"]?["line"]?.int ?? -1, $0) })
        #expect(byLine.keys.sorted() == [3, 5, 6])
        // "six partitions" for {int}: undefined, marked at the value of the wrong type.
        #expect(byLine[3]?["severity"] == 2)
        #expect(
            byLine[3]?["message"] == #"undefined step: "six" is not {int} in: a topic {string} with {int} partition(s)"#
        )
        // "six", after "    And " and `a topic "orders" with `.
        #expect(byLine[3]?["range"]?["start"]?["character"] == 30)
        #expect(byLine[3]?["range"]?["end"]?["character"] == 33)
        #expect(byLine[5]?["severity"] == 3)
        #expect(
            byLine[5]?["message"]
                == "needs a cluster that models TLS, SASL and ACLs: the embedded cluster skips this step")
        #expect(byLine[6]?["message"]?.string?.hasPrefix("ambiguous step: 2 sentences match") == true)
    }

    @Test func anUndefinedStepNearNoSentenceOrDifferingInWordsSaysSoOverItsText() throws {
        let d = Self.diagnostics(
            try Self.open(Self.server(), "Feature: F\n  Scenario: S\n    Given a topic \"x\" with 3 partitions now\n"))
        // Not a parameter's value: the whole text, with the nearest sentence.
        #expect(d.first?["message"]?.string?.hasPrefix(#"undefined step: a topic "x" with 3 partitions now"#) == true)
        #expect(d.first?["range"]?["start"]?["character"] == 10)
    }

    @Test func keywordsAreCompletedInTheFilesLanguage() throws {
        let server = Self.server()
        _ = try Self.open(server, "# language: fr\nFonctionnalité: F\n  Scénario: S\n    Sa\n")
        guard case .array(let items)? = try Self.at(server, "textDocument/completion", line: 3, character: 6)?["items"]
        else { Issue.record("no items"); return }
        #expect(items.compactMap { $0["label"]?.string } == ["Sachant", "Sachant qu'", "Sachant que"])
        // The longest keyword is the one typed: the sentence after "Sachant que " is completed.
        _ = try Self.open(server, "# language: fr\nFonctionnalité: F\n  Scénario: S\n    Sachant que a top\n")
        guard
            case .array(let sentences)? = try Self.at(server, "textDocument/completion", line: 3, character: 21)?[
                "items"]
        else { Issue.record("no items"); return }
        #expect(sentences.first?["label"] == "a topic {string} with {int} partition(s)")
        #expect(sentences.first?["textEdit"]?["range"]?["start"]?["character"] == 18)
    }

    @Test func parseErrorsCarryTheParsersMessageAndPlace() throws {
        let d = Self.diagnostics(
            try Self.open(Self.server(), "Feature: F\n  Scenario: S\n    Given a\n      | a | b |\n      | c |\n"))
        #expect(d.count == 1)
        #expect(d.first?["message"] == "inconsistent cell count within the table")
        #expect(d.first?["range"]?["start"]?["line"] == 4 && d.first?["range"]?["start"]?["character"] == 6)
        #expect(d.first?["severity"] == 1)
    }

    @Test func anOutlineIsJudgedByItsRows() throws {
        let text = """
            Feature: F
              Scenario Outline: S
                Given a <n>-broker cluster
                When I produce 1 messages with acks=<acks>
                Examples:
                  | n | acks |
                  | 3 | all  |
                  | 1 | 2    |
            """
        let d = Self.diagnostics(try Self.open(Self.server(), text))
        #expect(d.count == 1)
        #expect(d.first?["message"]?.string?.hasPrefix("undefined step: I produce 1 messages with acks=2") == true)
    }

    @Test func aChangeReplacesTheTextAndItsDiagnostics() throws {
        let server = Self.server()
        #expect(Self.diagnostics(try Self.open(server, Self.feature)).count == 3)
        let out = try Self.send(
            server,
            [
                "jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": [
                    "textDocument": ["uri": "file:///f.feature", "version": 2],
                    "contentChanges": [["text": "Feature: F\n  Scenario: S\n    Given a 3-broker cluster\n"]],
                ],
            ])
        #expect(out.first?["method"] == "textDocument/publishDiagnostics")
        #expect(Self.diagnostics(out).isEmpty)
    }

    static func at(_ server: LanguageServer, _ method: String, line: Int, character: Int, id: Int = 7) throws
        -> JSONValue?
    {
        try send(
            server,
            [
                "jsonrpc": "2.0", "id": .number(Double(id)), "method": .string(method),
                "params": [
                    "textDocument": ["uri": "file:///f.feature"],
                    "position": ["line": .number(Double(line)), "character": .number(Double(character))],
                ],
            ]
        ).first?["result"]
    }

    @Test func completionOffersTheSentenceBeingTypedWithPlaceholders() throws {
        let server = Self.server()
        _ = try Self.open(server, "Feature: F\n  Scenario: S\n    Given a top\n    When I prod\n    Th\n")
        guard case .array(let items)? = try Self.at(server, "textDocument/completion", line: 2, character: 15)?["items"]
        else { Issue.record("no items"); return }
        #expect(items.first?["label"] == "a topic {string} with {int} partition(s)")
        // The typed "a " stays; the edit is the word being typed onward.
        #expect(items.first?["textEdit"]?["newText"] == #"topic "${1:text}" with ${2:int} partitions"#)
        #expect(items.first?["textEdit"]?["range"]?["start"]?["character"] == 12)
        #expect(items.first?["textEdit"]?["range"]?["end"]?["character"] == 15)
        guard
            case .array(let produce)? = try Self.at(server, "textDocument/completion", line: 3, character: 15)?["items"]
        else { Issue.record("no items"); return }
        #expect(produce.first?["textEdit"]?["newText"] == "produce ${1:int} messages with acks=${2|0,1,all|}")
        // No keyword yet: the keywords.
        guard
            case .array(let keywords)? = try Self.at(server, "textDocument/completion", line: 4, character: 6)?["items"]
        else { Issue.record("no items"); return }
        #expect(keywords.compactMap { $0["label"]?.string } == ["Then"])
    }

    @Test func typedValuesStayAndADifferentOrderReplacesTheWhole() throws {
        let v = Self.vocabulary()
        let sentence = try #require(v.sentences.first { $0.source == "a topic {string} with {int} partition(s)" })
        // Values in the parameters' places: the edit starts at the word being typed.
        #expect(
            v.insertion(sentence, typed: #"a topic "my orders" with 6 par"#)
                == .init(offset: 27, snippet: "partitions", filterText: "partitions"))
        #expect(v.insertion(sentence, typed: #"a topic "x" "#).snippet == "with ${1:int} partitions")
        // A number where a string goes, or words out of order: the whole sentence after the keyword.
        #expect(v.insertion(sentence, typed: "a topic 6 wi").offset == 0)
        #expect(v.insertion(sentence, typed: "topic a").offset == 0)
        let produce = try #require(v.sentences.first { $0.source.hasPrefix("I produce") })
        #expect(v.insertion(produce, typed: "I produce 10 messages with acks=al").offset == 0)
        #expect(v.insertion(produce, typed: "I produce 10 mes").snippet == "messages with acks=${1|0,1,all|}")
    }

    @Test func hoverAndDefinitionShowTheSentence() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("Sources/Steps"), withIntermediateDirectories: true)
        try Data("// steps\n".utf8).write(to: root.appendingPathComponent("Sources/Steps/ClusterSteps.swift"))
        defer { try? FileManager.default.removeItem(at: root) }
        let server = Self.server(root: root)
        _ = try Self.open(server, Self.feature)
        let hover = try Self.at(server, "textDocument/hover", line: 2, character: 12)
        let text = hover?["contents"]?["value"]?.string ?? ""
        #expect(text.contains("`a {int}-broker cluster`") && text.contains("Starts a cluster."))
        #expect(text.contains("Example: `Given a 3-broker cluster`") && text.contains("Steps/ClusterSteps.swift:12"))
        let definition = try Self.at(server, "textDocument/definition", line: 2, character: 12)
        #expect(definition?["uri"]?.string?.hasSuffix("/Sources/Steps/ClusterSteps.swift") == true)
        #expect(definition?["range"]?["start"]?["line"] == 11)
        // An undefined step has neither.
        #expect(try Self.at(server, "textDocument/hover", line: 3, character: 12) == .null)
        #expect(try Self.at(server, "textDocument/definition", line: 3, character: 12) == .null)
    }

    @Test func formattingIsOneEditToCucumbersLayoutAndNoneWhenThereIsNothingToDo() throws {
        let server = Self.server()
        let format: JSONValue = [
            "jsonrpc": "2.0", "id": 4, "method": "textDocument/formatting",
            "params": ["textDocument": ["uri": "file:///f.feature"], "options": ["tabSize": 2, "insertSpaces": true]],
        ]
        _ = try Self.open(server, "Feature: F\nScenario: S\nGiven a 3-broker cluster\n|a|bb|\n")
        guard case .array(let edits)? = try Self.send(server, format).first?["result"] else {
            Issue.record("no edits"); return
        }
        #expect(edits.count == 1)
        #expect(
            edits.first?["newText"] == "Feature: F\n\n  Scenario: S\n    Given a 3-broker cluster\n      | a | bb |\n")
        #expect(edits.first?["range"]?["end"]?["line"] == 4)
        _ = try Self.open(server, edits.first?["newText"]?.string ?? "")
        #expect(try Self.send(server, format).first?["result"] == [])
        _ = try Self.open(server, "Feature: F\n  Scenario: S\n    Given a\n      | a |\n      | b | c |\n")
        #expect(try Self.send(server, format).first?["result"] == [])
    }

    @Test func malformedAndUnknownRequestsAreAnswered() throws {
        let server = Self.server()
        let garbage = try server.handle(Data("{not json".utf8)).map { try JSONValue.parse($0) }
        #expect(garbage.first?["error"]?["code"] == -32700 && garbage.first?["id"] == .null)
        let unknown = try Self.send(
            server, ["jsonrpc": "2.0", "id": 2, "method": "textDocument/rename", "params": [:]])
        #expect(unknown.first?["error"]?["code"] == -32601 && unknown.first?["id"] == 2)
        #expect(try Self.send(server, ["jsonrpc": "2.0", "method": "some/notification"]).isEmpty)
        let badParams = try Self.send(
            server, ["jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": [:]])
        #expect(badParams.first?["error"]?["code"] == -32602)
        let notOpen = try Self.at(server, "textDocument/hover", line: 0, character: 0)
        #expect(notOpen == nil)
        #expect(try server.handle(Data("[1,2]".utf8)).count == 1)
    }

    @Test func shutdownThenExitEndsWithZeroAndExitAloneWithOne() throws {
        let server = Self.server()
        #expect(try Self.send(server, ["jsonrpc": "2.0", "id": 1, "method": "shutdown"]).first?["result"] == .null)
        let after = try Self.send(server, ["jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": [:]])
        #expect(after.first?["error"]?["code"] == -32600)
        _ = try Self.send(server, ["jsonrpc": "2.0", "method": "exit"])
        #expect(server.exitCode == 0)
        let abrupt = Self.server()
        _ = try Self.send(abrupt, ["jsonrpc": "2.0", "method": "exit"])
        #expect(abrupt.exitCode == 1)
    }

    @Test func framingReadsSplitAndJoinedMessagesAndRefusesABadHeader() {
        let one = Framing.frame(Data(#"{"a":1}"#.utf8)), two = Framing.frame(Data(#"{"b":2}"#.utf8))
        var stream = one + two
        var buffer = Data()
        // Three bytes at a time: messages split across reads, two in one buffer.
        let read: (Int) -> Data = { _ in
            let chunk = stream.prefix(3)
            stream.removeFirst(chunk.count)
            return Data(chunk)
        }
        #expect(Framing.next(&buffer, read: read) == .message(Data(#"{"a":1}"#.utf8)))
        #expect(Framing.next(&buffer, read: read) == .message(Data(#"{"b":2}"#.utf8)))
        #expect(Framing.next(&buffer, read: read) == .end)
        var bad = Data("Content-Length: lots\r\n\r\n{}".utf8)
        var empty = Data()
        #expect(
            Framing.next(
                &empty,
                read: { _ in
                    defer { bad = Data() }; return bad
                }) != .end)
        var huge = Data("Content-Length: 999999999999\r\n\r\n".utf8)
        var b2 = Data()
        if case .malformed = Framing.next(
            &b2,
            read: { _ in
                defer { huge = Data() }; return huge
            })
        {
        } else {
            Issue.record("a huge length was not refused")
        }
    }
}

/// From a new user's trial: plurals where a sentence has `(s)`, and keywords in a file that does not parse yet.
@Suite("Language server: what a trial found")
struct LanguageServerTrialTests {
    @Test func aPluralWhereTheSentenceHasOptionalTextStillCompletes() throws {
        let v = LanguageServerTests.vocabulary()
        let sentence = try #require(v.sentences.first { $0.source == "a topic {string} with {int} partition(s)" })
        #expect(v.complete(#"a topic "o" with 3 partitions"#).map(\.sentence.source).contains(sentence.source))
        #expect(v.complete(#"a topic "o" with 1 partition"#).map(\.sentence.source).contains(sentence.source))
        // Optional text is inserted (counts are more often plural); what was typed stays.
        #expect(v.insertion(sentence, typed: #"a topic "o" with 3 par"#).snippet == "partitions")
        #expect(v.insertion(sentence, typed: "a topic ").snippet == #""${1:text}" with ${2:int} partitions"#)
        #expect(v.mismatch(#"a topic "o" with many partitions"#, sentence: sentence.source)?.value == "many")
        #expect(v.mismatch(#"a topic "o" with 3 partition"#, sentence: sentence.source) == nil)
    }

    @Test func keywordsOfTheHeadersLanguageWhileTheFileDoesNotParse() throws {
        let server = LanguageServerTests.server()
        // A half-typed line after a step: the file does not parse, its header still says French.
        _ = try LanguageServerTests.open(
            server, "# language: fr\nFonctionnalité: F\n  Scénario: S\n    Soit a 3-broker cluster\n    Qu\n")
        guard
            case .array(let items)? = try LanguageServerTests.at(
                server, "textDocument/completion", line: 4, character: 6)?["items"]
        else { Issue.record("no items"); return }
        #expect(items.compactMap { $0["label"]?.string } == ["Quand"])
    }
}
