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
    /// A step definition's place among the support code's definitions → its sentence's place here.
    let sentenceIndex: [Int: Int]
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
        var index: [Int: Int] = [:]
        for (i, definition) in support.definitions.enumerated() {
            if case .step = definition { index[i] = index.count }
        }
        sentenceIndex = index
        suggestionSources = sentences.map { s in
            (
                s.source,
                Array(
                    s.source.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
                        .lowercased().utf8)
            )
        }
    }

    /// The sentence with `{type}` removed, optional text kept and alternatives resolved to their first form.
    static func plain(_ source: String) -> String {
        literal(source).replacingOccurrences(of: #"\{[^}]*\}"#, with: " ", options: .regularExpression)
            .lowercased().split(separator: " ").joined(separator: " ")
    }

    /// Cucumber expression text as it would mostly be typed: `partition(s)` as `partitions` (counts are more
    /// often plural), `a/b` as `a`, `\x` as `x`.
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
            case "(":
                while let n = chars.popFirst(), n != ")" { word.append(n) }
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
        snippet(literalText: literal(source), support)
    }

    static func snippet(literalText text: String, _ support: SupportCode) -> String {
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

    /// Where a completion goes in the text typed after the keyword: from `offset` (UTF-16), `snippet`.
    public struct Insertion: Sendable, Equatable {
        public var offset: Int
        public var snippet: String
        public var filterText: String
        public init(offset: Int, snippet: String, filterText: String) {
            self.offset = offset
            self.snippet = snippet
            self.filterText = filterText
        }
    }

    /// Sentences for what was typed after a keyword, best first: those whose first words the typed words
    /// are (values in the parameters' places), then those starting with it, then those holding every typed
    /// word (numbers and quoted values stand for parameters and are not looked for).
    public func complete(_ typed: String, limit: Int = 50) -> [(sentence: Sentence, insertion: Insertion)] {
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
        let best = ranked.sorted { ($0.0, $1.1.source) > ($1.0, $0.1.source) }.prefix(limit * 2)
        let placed = best.map { _, s in (s, insertion(s, typed: typed)) }
        return (placed.filter { $0.1.offset > 0 } + placed.filter { $0.1.offset == 0 }).prefix(limit).map { $0 }
    }

    /// When the words typed so far are the sentence's first words, the rest of the sentence from the word
    /// being typed: typed values stay, and a client that completes the word at the cursor (Vim's omnifunc)
    /// finds it. Otherwise the whole sentence, in place of everything after the keyword (offset 0).
    public func insertion(_ s: Sentence, typed: String) -> Insertion {
        let whole = Insertion(offset: 0, snippet: s.snippet, filterText: s.source)
        let sentenceWords = Self.literal(s.source).split(separator: " ").map(String.init)
        let sourceWords = Self.words(s.source)
        guard sourceWords.count == sentenceWords.count else { return whole }
        var tokens = Self.tokens(typed)
        let partial = typed.last == " " || typed.isEmpty ? nil : tokens.popLast()
        guard tokens.count < sentenceWords.count else { return whole }
        for (token, word) in zip(tokens, sourceWords) where !matches(token.text, word) { return whole }
        let next = sentenceWords[tokens.count]
        if let partial, !next.hasPrefix("{"), !next.lowercased().hasPrefix(partial.text.lowercased()) { return whole }
        guard partial != nil || !tokens.isEmpty else { return whole }
        let rest = sentenceWords[tokens.count...].joined(separator: " ")
        let offset = partial?.offset ?? typed.utf16.count
        return Insertion(offset: offset, snippet: Self.snippet(literalText: rest, support), filterText: rest)
    }

    /// Where a step's text departs from a sentence at a parameter: the typed value that is not of the
    /// parameter's type ("six" for `{int}`), when every word before it is the sentence's.
    public func mismatch(_ text: String, sentence source: String) -> (value: String, offset: Int, parameter: String)? {
        let words = Self.words(source)
        for (token, word) in zip(Self.tokens(text), words) where !matches(token.text, word) {
            guard let open = word.firstIndex(of: "{"), let close = word[open...].firstIndex(of: "}") else { return nil }
            return (token.text, token.offset, String(word[open...close]))
        }
        return nil
    }

    /// Words of typed text, a quoted value with its spaces as one, with their UTF-16 offsets.
    static func tokens(_ text: String) -> [(text: String, offset: Int)] {
        var out: [(String, Int)] = []
        var current = "", start = 0, offset = 0, quote: Character?
        for c in text {
            if quote == nil, c == " " {
                if !current.isEmpty { out.append((current, start)) }
                current = ""
            } else {
                if current.isEmpty { start = offset }
                if c == "\"" || c == "'" { quote = quote == nil ? c : (quote == c ? nil : quote) }
                current.append(c)
            }
            offset += c.utf16.count
        }
        if !current.isEmpty { out.append((current, start)) }
        return out
    }

    /// A sentence's words as written in its expression (`partition(s)`, `{int}-broker`, `message/messages`).
    static func words(_ source: String) -> [String] {
        var out: [String] = [], word = "", depth = 0, escaped = false
        for c in source {
            if escaped {
                word.append(c)
                escaped = false
                continue
            }
            switch c {
            case "\\":
                escaped = true
                word.append(c)
            case "{", "(":
                depth += 1
                word.append(c)
            case "}", ")":
                depth -= 1
                word.append(c)
            case " " where depth == 0:
                out.append(word)
                word = ""
            default: word.append(c)
            }
        }
        return out + [word]
    }

    /// Whether a typed word is the sentence's word: a parameter takes any value of its type, optional text
    /// may be there or not, and any of an alternation's words will do.
    func matches(_ token: String, _ word: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: "^(?:" + pattern(word) + ")$", options: [.caseInsensitive])
        else { return false }
        return regex.firstMatch(in: token, range: NSRange(token.startIndex..., in: token)) != nil
    }

    /// A regular expression for one word of a Cucumber expression.
    func pattern(_ word: String) -> String {
        var alternatives: [String] = [], current = ""
        var chars = Array(word)[...]
        while let c = chars.popFirst() {
            switch c {
            case "\\": if let n = chars.popFirst() { current += NSRegularExpression.escapedPattern(for: String(n)) }
            case "(":
                var optional = ""
                while let n = chars.popFirst(), n != ")" { optional.append(n) }
                current += "(?:" + NSRegularExpression.escapedPattern(for: optional) + ")?"
            case "{":
                var name = ""
                while let n = chars.popFirst(), n != "}" { name.append(n) }
                switch name {
                case "string": current += #"(?:"[^"]*"|'[^']*')"#
                case "word": current += #"\S+"#
                default:
                    let regexps = support.parameterTypes.lookup(name: name)?.regexps ?? [#".+"#]
                    current += "(?:" + regexps.joined(separator: "|") + ")"
                }
            case "/":
                alternatives.append(current)
                current = ""
            default: current += NSRegularExpression.escapedPattern(for: String(c))
            }
        }
        return (alternatives + [current]).joined(separator: "|")
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
