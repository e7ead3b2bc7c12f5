import Expressions
import Foundation
import Messages
import Runtime

/// The step sentences as an editor needs them: what each says, where it is defined, what backend it needs,
/// and how to type it (a snippet with a placeholder per parameter). Made from the runner's own registry.
public struct Vocabulary: Sendable {
    public struct Sentence: Sendable {
        public let source: String
        public let doc: String
        public let example: String
        public let backend: String
        public let definedAt: SourceReference
        /// The sentence without its parameters, lower-cased: what typed words are ranked against.
        let plain: String
        public let snippet: String
    }

    public let support: SupportCode
    public let sentences: [Sentence]
    /// The sentences as the did-you-mean compares them: braces removed, lower-cased.
    let suggestionSources: [(shown: String, bytes: [UInt8])]

    public init(_ support: SupportCode) {
        self.support = support
        sentences = support.stepDefinitions.map { d in
            Sentence(
                source: d.expression.source, doc: d.doc ?? "", example: d.example ?? "",
                backend: StepCatalog.backend(d.doc ?? ""), definedAt: d.sourceReference,
                plain: Self.plain(d.expression.source), snippet: Self.snippet(d.expression.source, support))
        }
        suggestionSources = sentences.map { s in
            (
                s.source,
                Array(
                    s.source.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
                        .lowercased().utf8)
            )
        }
    }

    /// The sentence with `{type}` removed, optional text and alternatives resolved to their first form.
    static func plain(_ source: String) -> String {
        literal(source).replacingOccurrences(of: #"\{[^}]*\}"#, with: " ", options: .regularExpression)
            .lowercased().split(separator: " ").joined(separator: " ")
    }

    /// Cucumber expression text as it would be typed: `(s)` dropped, `a/b` as `a`, `\x` as `x`.
    static func literal(_ source: String) -> String {
        var out = ""
        var chars = Array(source)[...]
        var word = ""
        func flush() {
            out += word.split(separator: "/", omittingEmptySubsequences: false).first.map(String.init) ?? word
            word = ""
        }
        while let c = chars.popFirst() {
            switch c {
            case "\\": if let n = chars.popFirst() { word.append(n) }
            case "(": while let n = chars.popFirst(), n != ")" {}
            case "{":
                flush()
                out.append("{")
                while let n = chars.popFirst() {
                    out.append(n)
                    if n == "}" { break }
                }
            case " ":
                flush()
                out.append(" ")
            default: word.append(c)
            }
        }
        flush()
        return out
    }

    /// An LSP snippet: each `{type}` a numbered placeholder; a type of a few literal values a choice.
    static func snippet(_ source: String, _ support: SupportCode) -> String {
        let text = literal(source)
        var out = ""
        var n = 0
        var rest = text[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += escape(String(rest[..<open]))
            let name = String(rest[rest.index(after: open)..<close])
            n += 1
            let regexps = support.parameterTypes.lookup(name: name)?.regexps ?? []
            if regexps.count > 1, regexps.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }) {
                out += "${\(n)|\(regexps.joined(separator: ","))|}"
            } else if name == "string" {
                out += "\"${\(n):text}\""
            } else {
                out += "${\(n):\(name.isEmpty ? "value" : name)}"
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + escape(String(rest))
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "$", with: "\\$")
            .replacingOccurrences(of: "}", with: "\\}")
    }

    /// Sentences for what was typed after a keyword, best first: those starting with it, then those holding
    /// every typed word (numbers and quoted values stand for parameters and are not looked for).
    public func complete(_ typed: String, limit: Int = 50) -> [Sentence] {
        // Values typed for parameters (numbers, quoted text) are dropped, as the parameters are from `plain`.
        let lowered = typed.lowercased().replacingOccurrences(of: #""[^"]*"?"#, with: " ", options: .regularExpression)
            .replacingOccurrences(of: #"\d+(\.\d+)?"#, with: " ", options: .regularExpression)
            .split(separator: " ").joined(separator: " ")
        let words = lowered.split(separator: " ")
        var ranked: [(Int, Sentence)] = []
        for s in sentences {
            if !lowered.isEmpty, s.plain.hasPrefix(lowered) {
                ranked.append((1_000, s))
                continue
            }
            let sentenceWords = s.plain.split(separator: " ")
            let found = words.filter { w in sentenceWords.contains { $0.hasPrefix(w) } }.count
            if found == words.count { ranked.append((found, s)) }
        }
        return ranked.sorted { ($0.0, $1.1.source) > ($1.0, $0.1.source) }.prefix(limit).map(\.1)
    }

    /// Whether a backend can meet a sentence's stated need: the embedded cluster models none of the needs a
    /// description states ("a cluster that models …"), and an `embedded` step runs nowhere else. An external
    /// cluster is given the benefit of the doubt.
    public static func meets(_ need: String, backend: String) -> Bool {
        if need.hasPrefix("any") { return true }
        if need == "embedded" { return backend == "embedded" }
        return backend != "embedded"
    }
}
