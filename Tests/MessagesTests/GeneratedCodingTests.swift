import Foundation
@testable import Messages
import TestSupport
import Testing

/// MessagesTypes.swift and MessagesCoding.swift are what scripts/generate-messages.py writes from the schema in
/// the repository, and what they write reads back to the same bytes for every envelope kind the package models.
@Suite("Generated message coding")
struct GeneratedCodingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python3 = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("the committed MessagesTypes.swift and MessagesCoding.swift are the generator's output",
          .enabled(if: python3 != nil, "python3 is not on PATH: scripts/generate-messages.py cannot run"))
    func committedFilesAreGenerated() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("generate-messages-\(UUID())")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        // Through TestSupport's launcher: a child process must not start while a mock broker goes down.
        let run = try ExternalTool.run(
            [Self.python3!, Self.root.appendingPathComponent("scripts/generate-messages.py").path, "--out", out.path])
        try #require(run.status == 0, "the generator failed: \(run.output)")
        for name in ["MessagesTypes.swift", "MessagesCoding.swift"] {
            let generated = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            let path = Self.root.appendingPathComponent("Sources/Harness/Messages/\(name)")
            let committed = try String(contentsOf: path, encoding: .utf8)
            let (want, have) = (generated.split(separator: "\n", omittingEmptySubsequences: false),
                                committed.split(separator: "\n", omittingEmptySubsequences: false))
            let first = zip(want, have).enumerated().first { $1.0 != $1.1 }?.offset ?? min(want.count, have.count)
            let upToDate = generated == committed
            #expect(upToDate, """
                \(name) differs from the generator's output at line \(first + 1) \
                (run python3 scripts/generate-messages.py): \
                generated \(first < want.count ? String(want[first]) : "<end>"), \
                committed \(first < have.count ? String(have[first]) : "<end>")
                """)
        }
    }

    /// One line of every kind, every optional field present somewhere, keys sorted as the writer sorts them.
    static let everyKind = [
        #"{"meta":{"ci":{"buildNumber":"7","git":{"branch":"main","remote":"r","revision":"abc","tag":"v1"},"#
            + #""name":"ci","url":"u"},"cpu":{"name":"x86_64"},"implementation":{"name":"i","version":"1"},"#
            + #""os":{"name":"linux","version":"6"},"protocolVersion":"30.1.0","#
            + #""runtime":{"name":"s","version":"6"}}}"#,
        #"{"source":{"data":"Feature: é\n","mediaType":"text/x.cucumber.gherkin+plain","uri":"a.feature"}}"#,
        ##"{"gherkinDocument":{"comments":[{"location":{"column":1,"line":1},"text":"# c"}],"feature":{"##
            + #""children":[{"background":{"description":"","id":"1","keyword":"Background","location":{"#
            + #""column":3,"line":2},"name":"","steps":[]}},{"rule":{"children":[{"scenario":{"description":"d","#
            + #""examples":[{"description":"","id":"5","keyword":"Examples","location":{"column":5,"line":9},"#
            + #""name":"","tableBody":[],"tableHeader":{"cells":[{"location":{"column":7,"line":10},"value":"n"}],"#
            + #""id":"4","location":{"column":5,"line":10}},"tags":[]}],"id":"3","keyword":"Scenario Outline","#
            + #""location":{"column":5,"line":5},"name":"s","steps":[{"dataTable":{"location":{"column":7,"line":7},"#
            + #""rows":[]},"docString":{"content":"x","delimiter":"```","location":{"column":7,"line":7},"#
            + #""mediaType":"json"},"id":"2","keyword":"Given ","keywordType":"Context","location":{"column":5,"#
            + #""line":6},"text":"t"}],"tags":[{"id":"0","location":{"column":3,"line":4},"name":"@t"}]}}],"#
            + #""description":"","id":"6","keyword":"Rule","location":{"column":3,"line":3},"name":"r","tags":[]}}],"#
            + #""description":"","keyword":"Feature","language":"en","location":{"column":1,"line":1},"name":"f","#
            + #""tags":[]},"uri":"a.feature"}}"#,
        #"{"gherkinDocument":{"comments":[],"feature":{"children":[],"description":"","language":"en","#
            + #""location":{"column":1,"line":1},"name":"","tags":[]}}}"#,
        #"{"pickle":{"astNodeIds":["3","4"],"id":"9","language":"en","location":{"column":5,"line":5},"name":"s","#
            + #""steps":[{"argument":{"dataTable":{"argumentIndex":2,"rows":[{"cells":[{"value":"a"}]}]},"#
            + #""docString":{"argumentIndex":1,"content":"x","mediaType":"json"}},"astNodeIds":["2"],"id":"8","#
            + #""text":"t","type":"Context"}],"tags":[{"astNodeId":"0","name":"@t"}],"uri":"a.feature"}}"#,
        #"{"parseError":{"message":"(3:5): expected: #EOF","source":{"location":{"column":5,"line":3},"uri":"b"}}}"#,
        #"{"stepDefinition":{"id":"10","pattern":{"source":"^a$","type":"REGULAR_EXPRESSION"},"#
            + #""sourceReference":{"location":{"line":3},"uri":"Steps.swift"}}}"#,
        #"{"hook":{"id":"11","name":"h","sourceReference":{"location":{"line":4},"uri":"Hooks.swift"},"#
            + #""tagExpression":"@t","type":"BEFORE_TEST_CASE"}}"#,
        #"{"parameterType":{"id":"12","name":"color","preferForRegularExpressionMatch":false,"#
            + #""regularExpressions":["red|blue"],"sourceReference":{"location":{"line":5},"uri":"P.swift"},"#
            + #""useForSnippets":true}}"#,
        #"{"undefinedParameterType":{"expression":"{x}","name":"x"}}"#,
        #"{"testRunStarted":{"id":"13","timestamp":{"nanos":1,"seconds":2}}}"#,
        #"{"testCase":{"id":"14","pickleId":"9","testRunStartedId":"13","testSteps":[{"hookId":"11","id":"15"},"#
            + #"{"id":"16","pickleStepId":"8","stepDefinitionIds":["10"],"stepMatchArgumentsLists":[{"#
            + #""stepMatchArguments":[{"group":{"children":[{"start":0,"value":"r"}],"start":0,"value":"red"},"#
            + #""parameterTypeName":"color"},{"group":{}}]}]}]}}"#,
        #"{"testRunHookStarted":{"hookId":"11","id":"17","testRunStartedId":"13","#
            + #""timestamp":{"nanos":0,"seconds":3}}}"#,
        #"{"testRunHookFinished":{"result":{"duration":{"nanos":5,"seconds":0},"status":"PASSED"},"#
            + #""testRunHookStartedId":"17","timestamp":{"nanos":0,"seconds":3}}}"#,
        #"{"testCaseStarted":{"attempt":0,"id":"18","testCaseId":"14","timestamp":{"nanos":0,"seconds":4}}}"#,
        #"{"testStepStarted":{"testCaseStartedId":"18","testStepId":"16","timestamp":{"nanos":0,"seconds":4}}}"#,
        #"{"attachment":{"body":"aGk=","contentEncoding":"BASE64","fileName":"f.txt","mediaType":"text/plain","#
            + #""testCaseStartedId":"18","testRunHookStartedId":"17","testStepId":"16","#
            + #""timestamp":{"nanos":0,"seconds":4}}}"#,
        #"{"suggestion":{"id":"19","pickleStepId":"8","snippets":[{"code":"Given(\"t\") {}","language":"swift"}]}}"#,
        #"{"testStepFinished":{"testCaseStartedId":"18","testStepId":"16","testStepResult":{"duration":{"#
            + #""nanos":0,"seconds":1},"exception":{"message":"m","stackTrace":"s","type":"E"},"message":"m","#
            + #""status":"FAILED"},"timestamp":{"nanos":0,"seconds":5}}}"#,
        #"{"testCaseFinished":{"testCaseStartedId":"18","timestamp":{"nanos":0,"seconds":5},"willBeRetried":true}}"#,
        #"{"testRunFinished":{"exception":{"type":"E"},"message":"m","success":false,"testRunStartedId":"13","#
            + #""timestamp":{"nanos":0,"seconds":6}}}"#,
    ]

    @Test("every envelope kind reads back and writes the same bytes", arguments: everyKind)
    func roundTrip(_ line: String) throws {
        let envelope = try #require(try EnvelopeDecoder().decode(line: line))
        #expect(envelope.ndjsonLine == line + "\n")
    }
}
