import Foundation
import LanguageServer
import Launching
import Testing
import TestSupport

/// `kafka-bdd lsp` as an editor starts it: framed JSON-RPC on stdin, answers on stdout.
@Suite("kafka-bdd lsp")
struct LSPCLITests {
    struct Session { let status: Int32; let messages: [JSONValue]; let seconds: Double }

    /// Sends `input` (and then closes stdin unless `keepOpen`), reads every answer until the server ends.
    static func session(_ input: Data) async throws -> Session {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async {
                do {
                    let p = Process()
                    p.executableURL = CLITests.binary
                    p.arguments = ["lsp"]
                    p.currentDirectoryURL = Paths.packageRoot
                    let stdin = Pipe(), stdout = Pipe()
                    p.standardInput = stdin
                    p.standardOutput = stdout
                    p.standardError = FileHandle.nullDevice
                    let start = Date()
                    try ChildProcess.launch(p)
                    stdin.fileHandleForWriting.write(input)
                    try stdin.fileHandleForWriting.close()
                    let out = stdout.fileHandleForReading.readDataToEndOfFile()
                    p.waitUntilExit()
                    var buffer = Data(), rest = out
                    var messages: [JSONValue] = []
                    let read: (Int) -> Data = { _ in
                        defer { rest = Data() }; return rest
                    }
                    while case .message(let body) = Framing.next(&buffer, read: read) {
                        messages.append(try JSONValue.parse(body))
                    }
                    c.resume(
                        returning: Session(
                            status: p.terminationStatus, messages: messages, seconds: Date().timeIntervalSince(start)))
                } catch { c.resume(throwing: error) }
            }
        }
    }

    static func frames(_ messages: [JSONValue]) -> Data {
        messages.reduce(into: Data()) { $0.append(Framing.frame($1.serialized())) }
    }

    static let uri: JSONValue = "file:///tmp/trial.feature"
    static let text = """
        Feature: trial
          Scenario: a topic
            Given a 3-broker cluster
            And a topic "orders" with six partitions and replication factor 3
            Given a 3-bro
        """

    static func position(_ id: Int, _ method: String, line: Int, character: Int) -> JSONValue {
        [
            "jsonrpc": "2.0", "id": .number(Double(id)), "method": .string(method),
            "params": [
                "textDocument": ["uri": uri],
                "position": ["line": .number(Double(line)), "character": .number(Double(character))],
            ],
        ]
    }

    @Test(CLITests.enabled) func aSessionFromInitializeToExit() async throws {
        let s = try await Self.session(
            Self.frames([
                ["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": ["capabilities": [:]]],
                ["jsonrpc": "2.0", "method": "initialized", "params": [:]],
                [
                    "jsonrpc": "2.0", "method": "textDocument/didOpen",
                    "params": [
                        "textDocument": [
                            "uri": Self.uri, "languageId": "gherkin", "version": 1, "text": .string(Self.text),
                        ]
                    ],
                ],
                Self.position(2, "textDocument/completion", line: 4, character: 17),
                Self.position(3, "textDocument/hover", line: 2, character: 12),
                Self.position(4, "textDocument/definition", line: 2, character: 12),
                ["jsonrpc": "2.0", "id": 5, "method": "shutdown"],
                ["jsonrpc": "2.0", "method": "exit"],
            ]))
        #expect(s.status == 0)
        let byId = Dictionary(
            s.messages.compactMap { m in m["id"]?.int.map { ($0, m) } }, uniquingKeysWith: { a, _ in a })
        #expect(byId.keys.sorted() == [1, 2, 3, 4, 5])
        #expect(byId[1]?["result"]?["capabilities"]?["completionProvider"] != nil)
        let published = s.messages.first { $0["method"] == "textDocument/publishDiagnostics" }
        guard case .array(let diagnostics)? = published?["params"]?["diagnostics"] else {
            Issue.record("no diagnostics published: \(s.messages)"); return
        }
        // Line 3 is the topic with "six" partitions; line 4 the half-typed step.
        #expect(diagnostics.compactMap { $0["range"]?["start"]?["line"]?.int } == [3, 4])
        #expect(
            diagnostics.first?["message"]
                == #"undefined step: "six" is not {int} in: a topic {string} with {int} partition(s) and replication factor {int}"#)
        guard case .array(let items)? = byId[2]?["result"]?["items"] else { Issue.record("no completion"); return }
        #expect(items.first?["label"] == "a {int}-broker cluster")
        #expect(byId[3]?["result"]?["contents"]?["value"]?.string?.contains("Starts a fresh cluster") == true)
        #expect(byId[4]?["result"]?["uri"]?.string?.hasSuffix("/Sources/Steps/ClusterSteps.swift") == true)
    }

    @Test(CLITests.enabled) func aClientThatGoesAwayEndsTheServer() async throws {
        let gone = try await Self.session(Self.frames([["jsonrpc": "2.0", "id": 1, "method": "initialize"]]))
        #expect(gone.status == 1)
        #expect(gone.messages.count == 1)
        #expect(gone.seconds < 30)
        let garbage = try await Self.session(Data("Content-Length: lots\r\n\r\n{}".utf8))
        #expect(garbage.status == 1)
        // A body that is not JSON is answered, and the session goes on.
        let bad = try await Self.session(
            Framing.frame(Data("{nope".utf8))
                + Self.frames([
                    ["jsonrpc": "2.0", "id": 9, "method": "no/such"],
                    ["jsonrpc": "2.0", "id": 1, "method": "shutdown"],
                    ["jsonrpc": "2.0", "method": "exit"],
                ]))
        #expect(bad.status == 0)
        #expect(bad.messages.map { $0["error"]?["code"]?.int } == [-32700, -32601, nil])
    }
}
