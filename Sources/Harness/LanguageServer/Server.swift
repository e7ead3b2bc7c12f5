import Foundation
import Gherkin
import Messages

/// `kafka-bdd lsp`: the Language Server Protocol over a byte stream, from the runner's own vocabulary.
/// Full-text document sync; diagnostics on open and change; completion, hover, go to definition and formatting.
/// A malformed message is answered with JSON-RPC's error (or dropped when it cannot be answered), an
/// unknown request with "method not found"; nothing a client sends stops the server but `exit` or the
/// stream's end.
public final class LanguageServer: @unchecked Sendable {
    let vocabulary: Vocabulary
    let backend: String
    /// Where `Sources/` is, for go to definition; nil: definitions are not offered.
    let root: URL?
    private var documents: [String: Analysis] = [:]
    private let cache = MatchCache()
    private var shutdownRequested = false
    /// Set by `exit`: 0 after `shutdown`, else 1 (as the protocol says).
    public private(set) var exitCode: Int32?

    public init(vocabulary: Vocabulary, backend: String, root: URL?) {
        self.vocabulary = vocabulary
        self.backend = backend
        self.root = root
    }

    /// Handles one message's body; returns the bodies to send back, in order.
    public func handle(_ body: Data) -> [Data] {
        guard let message = try? JSONValue.parse(body), case .object = message else {
            return [Self.error(id: .null, code: -32700, "parse error: the message is not a JSON object")]
        }
        let id = message["id"]
        guard let method = message["method"]?.string else {
            // A response to something this server never asks, or no method at all.
            return id == nil ? [] : [Self.error(id: id!, code: -32600, "invalid request: no method")]
        }
        let params = message["params"] ?? .null
        do {
            let (result, notifications) = try dispatch(method, params, isRequest: id != nil)
            guard let id else { return notifications }
            return [Self.response(id: id, result: result ?? .null)] + notifications
        } catch let failure as Failure {
            guard let id else { return [] }
            return [Self.error(id: id, code: failure.code, failure.message)]
        } catch {
            return id.map { [Self.error(id: $0, code: -32603, "internal error")] } ?? []
        }
    }

    struct Failure: Error {
        var code: Int
        var message: String
    }

    private func dispatch(_ method: String, _ params: JSONValue, isRequest: Bool) throws -> (JSONValue?, [Data]) {
        if shutdownRequested, method != "exit", isRequest {
            throw Failure(code: -32600, message: "invalid request: the server is shutting down")
        }
        switch method {
        case "initialize":
            return (Self.capabilities, [])
        case "initialized", "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration":
            return (nil, [])
        case "shutdown":
            shutdownRequested = true
            return (.null, [])
        case "exit":
            exitCode = shutdownRequested ? 0 : 1
            return (nil, [])
        case "textDocument/didOpen":
            let doc = params["textDocument"]
            return (nil, try update(uri: try required(doc?["uri"]?.string), text: try required(doc?["text"]?.string)))
        case "textDocument/didChange":
            let uri = try required(params["textDocument"]?["uri"]?.string)
            guard case .array(let changes)? = params["contentChanges"], let text = changes.last?["text"]?.string
            else { throw Failure(code: -32602, message: "invalid params: contentChanges has no text") }
            return (nil, try update(uri: uri, text: text))
        case "textDocument/didClose":
            let uri = try required(params["textDocument"]?["uri"]?.string)
            documents[uri] = nil
            return (
                nil, [Self.notification("textDocument/publishDiagnostics", ["uri": .string(uri), "diagnostics": []])]
            )
        case "textDocument/didSave":
            return (nil, [])
        case "textDocument/completion":
            let (analysis, line, character) = try position(params)
            return (completion(analysis, line: line, character: character), [])
        case "textDocument/hover":
            let (analysis, line, _) = try position(params)
            return (hover(analysis, line: line), [])
        case "textDocument/definition":
            let (analysis, line, _) = try position(params)
            return (definition(analysis, line: line), [])
        case "textDocument/formatting":
            let uri = try required(params["textDocument"]?["uri"]?.string)
            guard let analysis = documents[uri] else {
                throw Failure(code: -32602, message: "invalid params: \(uri) is not open")
            }
            return (formatting(analysis), [])
        default:
            if isRequest { throw Failure(code: -32601, message: "method not found: \(method)") }
            return (nil, [])
        }
    }

    private func required<T>(_ value: T?) throws -> T {
        guard let value else { throw Failure(code: -32602, message: "invalid params") }
        return value
    }

    private func update(uri: String, text: String) throws -> [Data] {
        let analysis = Analysis(uri: uri, text: text)
        documents[uri] = analysis
        let diagnostics = analysis.diagnostics(vocabulary, backend: backend, cache: cache).map { d -> JSONValue in
            [
                "range": Self.range(d.line, d.start, d.end), "severity": .number(Double(d.severity.rawValue)),
                "source": .string(d.source), "message": .string(d.message),
            ]
        }
        return [
            Self.notification(
                "textDocument/publishDiagnostics", ["uri": .string(uri), "diagnostics": .array(diagnostics)])
        ]
    }

    private func position(_ params: JSONValue) throws -> (Analysis, Int, Int) {
        let uri = try required(params["textDocument"]?["uri"]?.string)
        guard let analysis = documents[uri] else {
            throw Failure(code: -32602, message: "invalid params: \(uri) is not open")
        }
        let line = try required(params["position"]?["line"]?.int)
        let character = try required(params["position"]?["character"]?.int)
        return (analysis, line, character)
    }

    // MARK: Features

    private func completion(_ analysis: Analysis, line: Int, character: Int) -> JSONValue {
        let text = analysis.lineText(line)
        let before = String(decoding: Array(text.utf16.prefix(character)), as: UTF16.self)
        let indent = before.prefix { $0 == " " || $0 == "\t" }
        let typed = before.dropFirst(indent.count)
        let dialect = Dialect.named(analysis.language) ?? .english
        let keywords = Array(Set(dialect.given + dialect.when + dialect.then + dialect.and + dialect.but))
            .filter { $0 != "* " }.sorted()
        // The longest keyword typed ("Sachant que " before "Sachant ").
        let typedKeyword = (keywords + ["* "]).sorted { $0.count > $1.count }.first { typed.hasPrefix($0) }
        guard let keyword = typedKeyword else {
            // No keyword yet: the dialect's step keywords that begin with what was typed.
            let items = keywords.filter { $0.lowercased().hasPrefix(typed.lowercased()) }.map { k -> JSONValue in
                ["label": .string(k.trimmingCharacters(in: .whitespaces)), "kind": 14, "insertText": .string(k)]
            }
            return ["isIncomplete": false, "items": .array(items)]
        }
        let startColumn = before.utf16.count - typed.utf16.count + keyword.utf16.count
        let afterKeyword = String(typed.dropFirst(keyword.count))
        let items = vocabulary.complete(afterKeyword).enumerated().map { i, found -> JSONValue in
            let (s, insertion) = found
            return [
                "label": .string(s.source), "kind": 15, "detail": .string("backend: \(s.backend)"),
                "documentation": ["kind": "markdown", "value": .string(Self.markdown(s))],
                "sortText": .string(String(format: "%04d", i)), "filterText": .string(insertion.filterText),
                "insertTextFormat": 2,
                "textEdit": [
                    "range": Self.range(line, startColumn + insertion.offset, character),
                    "newText": .string(insertion.snippet),
                ],
            ]
        }
        return ["isIncomplete": true, "items": .array(items)]
    }

    private func matched(_ analysis: Analysis, line: Int) -> Vocabulary.Sentence? {
        guard let site = analysis.step(atLine: line) else { return nil }
        let text = site.compiled.first ?? site.written
        let found = cache.matches(text, vocabulary)
        return found.count == 1 ? found[0] : nil
    }

    private func hover(_ analysis: Analysis, line: Int) -> JSONValue {
        guard let site = analysis.step(atLine: line), let s = matched(analysis, line: line) else { return .null }
        return [
            "contents": ["kind": "markdown", "value": .string(Self.markdown(s))],
            "range": Self.range(line, site.textStart, site.textEnd),
        ]
    }

    private func definition(_ analysis: Analysis, line: Int) -> JSONValue {
        guard let s = matched(analysis, line: line), let root else { return .null }
        for folder in ["Sources", "Sources/Harness"] {
            let file = root.appendingPathComponent(folder).appendingPathComponent(s.definedAt.uri)
            if FileManager.default.fileExists(atPath: file.path) {
                let line = max(0, s.definedAt.line - 1)
                return ["uri": .string(file.absoluteString), "range": Self.range(line, 0, 0)]
            }
        }
        return .null
    }

    /// The whole file as cucumber's formatter prints it, as one edit; none for a file that does not parse (its
    /// diagnostics say why), a Markdown one, or one already formatted.
    private func formatting(_ analysis: Analysis) -> JSONValue {
        guard analysis.file.errors.isEmpty, analysis.file.flavor == .classic, let document = analysis.file.document
        else { return [] }
        let pretty = PrettyFormatter.format(document)
        guard pretty != analysis.file.source else { return [] }
        let lines = analysis.file.source.split(separator: "\n", omittingEmptySubsequences: false)
        let end = Self.span(0, 0, lines.count - 1, lines.last.map { $0.utf16.count } ?? 0)
        return [["range": end, "newText": .string(pretty)]]
    }

    static func span(_ line: Int, _ character: Int, _ endLine: Int, _ endCharacter: Int) -> JSONValue {
        [
            "start": ["line": .number(Double(line)), "character": .number(Double(character))],
            "end": ["line": .number(Double(endLine)), "character": .number(Double(endCharacter))],
        ]
    }

    static func markdown(_ s: Vocabulary.Sentence) -> String {
        var out = "`\(s.source)`\n\n\(s.doc)"
        if !s.example.isEmpty { out += "\n\nExample: `\(s.example)`" }
        return out + "\n\nBackend: \(s.backend) · defined in \(s.definedAt)"
    }

    // MARK: JSON-RPC

    static let capabilities: JSONValue = [
        "capabilities": [
            "textDocumentSync": ["openClose": true, "change": 1],
            "completionProvider": ["triggerCharacters": [" "]],
            "hoverProvider": true, "definitionProvider": true, "documentFormattingProvider": true,
        ],
        "serverInfo": ["name": "kafka-bdd"],
    ]

    static func range(_ line: Int, _ start: Int, _ end: Int) -> JSONValue { span(line, start, line, end) }

    static func response(id: JSONValue, result: JSONValue) -> Data {
        JSONValue.object(["jsonrpc": "2.0", "id": id, "result": result]).serialized()
    }

    static func error(id: JSONValue, code: Int, _ message: String) -> Data {
        JSONValue.object([
            "jsonrpc": "2.0", "id": id, "error": ["code": .number(Double(code)), "message": .string(message)],
        ]).serialized()
    }

    static func notification(_ method: String, _ params: JSONValue) -> Data {
        JSONValue.object(["jsonrpc": "2.0", "method": .string(method), "params": params]).serialized()
    }

    /// Serves until `exit` or the end of input; returns the exit status (1 when the client went away without
    /// `shutdown` and `exit`). A header that cannot be framed ends the session (the stream's bytes after it
    /// cannot be trusted).
    public func serve(read: (Int) -> Data, write: (Data) -> Void, log: (String) -> Void = { _ in }) -> Int32 {
        var buffer = Data()
        while exitCode == nil {
            switch Framing.next(&buffer, read: read) {
            case .end:
                log("the client closed the stream without shutdown and exit")
                return 1
            case .malformed(let reason):
                log("ended: \(reason)")
                return 1
            case .message(let body):
                for out in handle(body) { write(Framing.frame(out)) }
            }
        }
        if exitCode != 0 { log("exit without shutdown") }
        return exitCode ?? 1
    }
}
