import Foundation
import Messages
import Gherkin
import Testing
import TestSupport

/// The official cucumber/gherkin testdata: every good file gives the reference AST and pickles
/// (ids and uris aside), every bad file gives the reference errors, message for message.
@Suite("Gherkin conformance (cucumber/gherkin testdata)")
struct GherkinConformanceTests {
    static let testdata = Paths.sharedFolder("conformance/gherkin")
    static let stale: Set<String> = ["tags.md"] // expected files with no source, per shared/README

    static func cases(_ folder: String) -> [String] {
        guard let dir = testdata?.appendingPathComponent(folder),
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { ($0.hasSuffix(".feature") || $0.hasSuffix(".feature.md")) && !stale.contains($0) }.sorted()
    }

    static func envelopes(_ file: FeatureFile, ast: Bool) -> String {
        var out = ""
        if ast, let d = file.document { out += Envelope.gherkinDocument(d).ndjsonLine }
        for p in file.pickles { out += Envelope.pickle(p).ndjsonLine }
        for e in file.errors { out += Envelope.parseError(SourcedParseError(uri: file.uri, error: e)).ndjsonLine }
        return out
    }

    static let volatile: Set<String> = ["id", "uri", "astNodeId", "astNodeIds"]

    static let present = ConditionTrait.enabled(if: testdata != nil, Comment(rawValue: Paths.missingShared))

    static func path(_ folder: String, _ name: String) -> String {
        testdata!.appendingPathComponent(folder).appendingPathComponent(name).path
    }

    @Test("good file parses to the reference AST and pickles", present, arguments: cases("good"))
    func good(_ name: String) throws {
        try Self.expectReferenceOutput(goodFile: Self.path("good", name))
    }

    @Test("astNodeIds point at the AST nodes the reference points at", present, arguments: cases("good"))
    func provenance(_ name: String) throws {
        try Self.expectReferenceProvenance(goodFile: Self.path("good", name))
    }

    @Test("bad file gives the reference errors, verbatim", present, arguments: cases("bad"))
    func bad(_ name: String) throws {
        try Self.expectReferenceErrors(badFile: Self.path("bad", name))
    }

    /// `path` parses without errors to the AST and pickles of `path.ast.ndjson` and `path.pickles.ndjson`.
    static func expectReferenceOutput(goodFile path: String) throws {
        let name = (path as NSString).lastPathComponent
        let file = try FeatureFile.load(path: path)
        #expect(file.errors.isEmpty, "unexpected errors: \(file.errors.map(\.message))")

        let expectedAST = try JSONLines.parse(String(contentsOfFile: path + ".ast.ndjson", encoding: .utf8))
        let actualAST = try JSONLines.parse(file.document.map { Envelope.gherkinDocument($0).ndjsonLine } ?? "")
        #expect(JSONLines.equal(JSONLines.normalized(expectedAST, dropping: volatile),
                                JSONLines.normalized(actualAST, dropping: volatile)),
                "AST differs from \(name).ast.ndjson")

        let expectedPickles = try JSONLines.parse(String(contentsOfFile: path + ".pickles.ndjson", encoding: .utf8))
        let actualPickles = try JSONLines.parse(file.pickles.map { Envelope.pickle($0).ndjsonLine }.joined())
        #expect(JSONLines.equal(JSONLines.normalized(expectedPickles, dropping: volatile),
                                JSONLines.normalized(actualPickles, dropping: volatile)),
                "pickles differ from \(name).pickles.ndjson")
    }

    /// Every id our pickles mention names the AST node (kind, line, column) the reference's names.
    static func expectReferenceProvenance(goodFile path: String) throws {
        let file = try FeatureFile.load(path: path)
        let expectedAST = try String(contentsOfFile: path + ".ast.ndjson", encoding: .utf8)
        let expectedDoc = try #require(try JSONLines.parse(expectedAST).first as? [String: Any])
        let expectedPickles = try JSONLines.parse(String(contentsOfFile: path + ".pickles.ndjson", encoding: .utf8))
        let actualAST = file.document.map { Envelope.gherkinDocument($0).ndjsonLine } ?? ""
        let actualDoc = try #require(try JSONLines.parse(actualAST).first as? [String: Any])
        let actualPickles = try JSONLines.parse(file.pickles.map { Envelope.pickle($0).ndjsonLine }.joined())
        #expect(Provenance.labels(expectedPickles, document: expectedDoc)
                == Provenance.labels(actualPickles, document: actualDoc))
    }

    /// `path` gives no document and exactly the errors of `path.errors.ndjson`, in order.
    static func expectReferenceErrors(badFile path: String) throws {
        let file = try FeatureFile.load(path: path)
        #expect(file.document == nil)
        #expect(file.pickles.isEmpty)
        let expected = try JSONLines.parse(String(contentsOfFile: path + ".errors.ndjson", encoding: .utf8))
        let actual = try JSONLines.parse(envelopes(file, ast: false))
        #expect(JSONLines.equal(JSONLines.normalized(expected, dropping: ["uri"]),
                                JSONLines.normalized(actual, dropping: ["uri"])),
                "errors: \(file.errors.map(\.message))")
    }
}

/// Resolves every id a pickle mentions to `Kind@line:column` of the AST node it names.
enum Provenance {
    static func labels(_ pickles: [Any], document: [String: Any]) -> [String] {
        var byId: [String: String] = [:]
        func loc(_ n: [String: Any]) -> String {
            let l = n["location"] as? [String: Any] ?? [:]
            return "\(l["line"] ?? "?"):\(l["column"] ?? 0)"
        }
        func visit(_ value: Any, kind: String) {
            if let d = value as? [String: Any] {
                if let id = d["id"] as? String { byId[id] = "\(kind)@\(loc(d))" }
                for (k, v) in d { visit(v, kind: k) }
            } else if let a = value as? [Any] {
                for v in a { visit(v, kind: kind) }
            }
        }
        visit(document, kind: "document")
        var out: [String] = []
        for case let envelope as [String: Any] in pickles {
            guard let p = envelope["pickle"] as? [String: Any] else { continue }
            out += (p["astNodeIds"] as? [String] ?? []).map { byId[$0] ?? "?" }
            for case let t as [String: Any] in p["tags"] as? [Any] ?? [] { out.append(byId[t["astNodeId"] as? String ?? ""] ?? "?") }
            for case let s as [String: Any] in p["steps"] as? [Any] ?? [] {
                out += (s["astNodeIds"] as? [String] ?? []).map { byId[$0] ?? "?" }
            }
        }
        return out
    }
}
