import Foundation
import Gherkin
import Messages
import Reporting
import Runtime

/// What the server says about one feature file's text: its problems, and what is at a position.
public struct Analysis: Sendable {
    public enum Severity: Int, Sendable { case error = 1, warning = 2, information = 3 }

    public struct Diagnostic: Sendable, Equatable {
        /// 0-based line; characters in UTF-16 code units, as LSP counts them.
        public var line: Int, start: Int, end: Int
        public var severity: Severity
        public var message: String
        public var source: String
    }

    /// A step of the file as written: where its text is, and the text a pickle made of it (an outline's first
    /// row, with its values in).
    public struct StepSite: Sendable {
        public var line: Int, textStart: Int, textEnd: Int
        public var keyword: String
        public var written: String
        public var compiled: [String]
    }

    public let file: FeatureFile
    public let steps: [StepSite]
    let lines: [Substring]

    public init(uri: String, text: String) {
        file = FeatureFile(uri: uri, source: text)
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var compiled: [String: [String]] = [:]
        for pickle in file.pickles {
            for step in pickle.steps { compiled[step.astNodeIds.first ?? "", default: []].append(step.text) }
        }
        var sites: [StepSite] = []
        for step in Self.steps(of: file.document) {
            let line = step.location.line - 1
            let lineText = line < lines.count ? String(lines[line]) : ""
            let keywordStart = Self.utf16(lineText, column: step.location.column ?? 1)
            let start = keywordStart + step.keyword.utf16.count
            sites.append(
                StepSite(
                    line: line, textStart: start, textEnd: start + step.text.utf16.count, keyword: step.keyword,
                    written: step.text, compiled: compiled[step.id] ?? []))
        }
        steps = sites
    }

    static func steps(of document: GherkinDocument?) -> [Messages.Step] {
        var out: [Messages.Step] = []
        for child in document?.feature?.children ?? [] {
            switch child {
            case .background(let b): out += b.steps
            case .scenario(let s): out += s.steps
            case .rule(let r):
                for c in r.children {
                    switch c {
                    case .background(let b): out += b.steps
                    case .scenario(let s): out += s.steps
                    }
                }
            }
        }
        return out
    }

    /// A 1-based column in characters as a 0-based offset in UTF-16 code units.
    static func utf16(_ line: String, column: Int) -> Int {
        line.prefix(max(0, column - 1)).utf16.count
    }

    /// Parse errors (the parser's own message, at its line and column); then, for a file that parsed, each
    /// step that no sentence matches, or several do, and each whose backend need the configured cluster
    /// cannot meet (information).
    public func diagnostics(_ vocabulary: Vocabulary, backend: String, cache: MatchCache) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for e in file.errors {
            let line = max(0, e.location.line - 1)
            let text = line < lines.count ? String(lines[line]) : ""
            let start = Self.utf16(text, column: e.location.column ?? 1)
            out.append(
                Diagnostic(
                    line: line, start: min(start, text.utf16.count), end: text.utf16.count, severity: .error,
                    message: e.text, source: "gherkin"))
        }
        for site in steps {
            // An outline's step is judged as its rows make it; a step no pickle holds, as written.
            let texts = site.compiled.isEmpty ? [site.written] : site.compiled
            var problem: Diagnostic?
            for text in texts where problem == nil {
                let found = cache.matches(text, vocabulary)
                if found.isEmpty {
                    let closest = cache.closest(text, vocabulary)
                    let hint = closest.map { "; did you mean: \($0)" } ?? ""
                    problem = diagnostic(site, .warning, "undefined step: \(text)\(hint)")
                    // As written (not an outline's row), a value of the wrong type is marked where it is.
                    if let closest, text == site.written,
                        let wrong = vocabulary.mismatch(text, sentence: closest)
                    {
                        problem = Diagnostic(
                            line: site.line, start: site.textStart + wrong.offset,
                            end: site.textStart + wrong.offset + wrong.value.utf16.count, severity: .warning,
                            message: "undefined step: \"\(wrong.value)\" is not \(wrong.parameter) in: \(closest)",
                            source: "kafka-bdd")
                    }
                } else if found.count > 1 {
                    let list = found.map { "\($0.source) (\($0.definedAt))" }.joined(separator: "; ")
                    problem = diagnostic(site, .warning, "ambiguous step: \(found.count) sentences match: \(list)")
                } else if let only = found.first, !Vocabulary.meets(only.backend, backend: backend) {
                    problem = diagnostic(
                        site, .information, "needs \(only.backend): the \(backend) cluster skips this step")
                }
            }
            if let problem { out.append(problem) }
        }
        return out
    }

    private func diagnostic(_ site: StepSite, _ severity: Severity, _ message: String) -> Diagnostic {
        Diagnostic(
            line: site.line, start: site.textStart, end: site.textEnd, severity: severity, message: message,
            source: "kafka-bdd")
    }

    /// The file's language: its parsed feature's, or — while the text does not parse — its `# language:`
    /// header's, as the parser reads it (comments and blank lines may come before it).
    public var language: String {
        if let language = file.document?.feature?.language { return language }
        for line in lines {
            let text = line.drop { $0 == " " || $0 == "\t" }
            if text.isEmpty { continue }
            guard text.hasPrefix("#") else { break }
            if let language = LanguageDirective.language(in: text) { return language }
        }
        return "en"
    }

    /// The step written on a line.
    public func step(atLine line: Int) -> StepSite? { steps.first { $0.line == line } }

    public func lineText(_ line: Int) -> String { line >= 0 && line < lines.count ? String(lines[line]) : "" }
}

/// Matches of step texts, kept across edits: a file changes a few lines at a time, and most of its step texts
/// are the same as before.
public final class MatchCache: @unchecked Sendable {
    private let lock = NSLock()
    private var matched: [String: [Int]] = [:]
    private var suggested: [String: String?] = [:]

    public init() {}

    func matches(_ text: String, _ vocabulary: Vocabulary) -> [Vocabulary.Sentence] {
        lock.lock()
        defer { lock.unlock() }
        if let known = matched[text] { return known.map { vocabulary.sentences[$0] } }
        let found = vocabulary.support.matches(text).compactMap { vocabulary.sentenceIndex[$0.index] }
        if matched.count > 100_000 { matched = [:] }
        matched[text] = found
        return found.map { vocabulary.sentences[$0] }
    }

    func closest(_ text: String, _ vocabulary: Vocabulary) -> String? {
        lock.lock()
        defer { lock.unlock() }
        if let known = suggested[text] { return known }
        let answer = Suggestions.nearest(text, vocabulary.suggestionSources)
        if suggested.count > 10_000 { suggested = [:] }
        suggested[text] = answer
        return answer
    }
}
