import Messages
import Synchronization
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs the grammar's state machine over the lines of a document, feeding an ASTBuilder.
/// Like the official parser it keeps going after an error, so one run reports every error
/// (identical messages once, at most 11).
public struct Parser: Sendable {
    public enum Flavor: Sendable {
        case classic
        /// Markdown with Gherkin (`.feature.md`).
        case markdown
    }

    public var flavor: Flavor
    public var defaultLanguage: String

    public init(flavor: Flavor = .classic, defaultLanguage: String = "en") {
        self.flavor = flavor
        self.defaultLanguage = defaultLanguage
    }

    /// The flavour a file name calls for.
    public static func flavor(forPath path: String) -> Flavor {
        path.hasSuffix(".md") ? .markdown : .classic
    }

    public struct Result: Sendable {
        public var document: GherkinDocument?
        public var errors: [ParseError]
    }

    static let maxErrors = 10

    public func parse(_ source: String, uri: String? = nil, ids: IdGenerator = IdGenerator()) -> Result {
        let dialect = Dialect.named(defaultLanguage) ?? .english
        // Generic over the matcher so that its calls are direct (and the tokens are not copied through
        // a protocol witness).
        return switch flavor {
        case .classic: Parser.run(ClassicTokenMatcher(dialect: dialect), source, uri: uri, ids: ids)
        case .markdown: Parser.run(MarkdownTokenMatcher(dialect: dialect), source, uri: uri, ids: ids)
        }
    }

    private static func run<Matcher: TokenMatcher>(
        _ matcher: Matcher, _ source: String, uri: String?,
        ids: IdGenerator
    ) -> Result {
        let lines = Parser.lines(of: source)
        let machine = StateMachine.gherkin
        let builder = ASTBuilder(ids: ids)
        var errors: [ParseError] = []
        func record(_ error: ParseError) {
            // The reference stops at the error that makes eleven, even in the middle of a line.
            guard errors.count <= Parser.maxErrors else { return }
            if !errors.contains(where: { $0.message == error.message }) { errors.append(error) }
        }

        builder.startRule(.gherkinDocument)
        var token = Token(type: .eof, line: 0, column: 0)
        var state = 0
        var index = 0
        while true {
            let line = index < lines.count ? lines[index] : Line(text: "", number: index + 1, isEOF: true)
            var matched = false
            let tokens = machine.states[state].tokens
            for k in tokens.indices {
                switch matcher.match(tokens[k], line, into: &token) {
                case .no: continue
                case .failed(let error):
                    // Like the reference, a line whose match fails with an error (a tag with white
                    // space, an unknown language) is recorded and then not taken as that token at all.
                    record(error)
                    continue
                case .yes: break
                }
                let transition = machine.states[state].transitions[k]
                if let lookahead = transition.lookahead,
                    !Parser.lookahead(lookahead, after: index, in: lines, matcher: matcher, record: record)
                {
                    continue
                }
                for rule in transition.ends { if let e = builder.endRule(rule) { record(e) } }
                for rule in transition.starts { builder.startRule(rule) }
                builder.build(token)
                state = transition.target
                matched = true
                break
            }
            if !matched {
                let expected = machine.states[state].expected
                if line.isEOF {
                    record(
                        ParseError(
                            message: "unexpected end of file, expected: \(expected)",
                            location: Location(line: line.number, column: nil)))
                } else {
                    let got = line.text.trimmingGherkinWhitespace()
                    record(
                        ParseError(
                            message: "expected: \(expected), got '\(got)'",
                            location: Location(line: line.number, column: line.indent + 1)))
                }
            }
            if errors.count > Parser.maxErrors || line.isEOF { break }
            index += 1
        }
        if let e = builder.endRule(.gherkinDocument) { record(e) }
        guard errors.isEmpty else { return Result(document: nil, errors: errors) }
        var document = builder.document
        document.uri = uri
        return Result(document: document, errors: [])
    }

    private static func lookahead<Matcher: TokenMatcher>(
        _ hint: Grammar.Lookahead, after index: Int, in lines: [Line],
        matcher: Matcher, record: (ParseError) -> Void
    ) -> Bool {
        var token = Token(type: .eof, line: 0, column: 0)
        func matches(_ type: TokenType, _ line: Line) -> Bool {
            switch matcher.match(type, line, into: &token) {
            case .no: return false
            case .failed(let error): record(error); return false
            case .yes: return true
            }
        }
        var i = index + 1
        while i < lines.count {
            let line = lines[i]
            if matches(hint.target, line) { return true }
            guard hint.skip.contains(where: { matches($0, line) }) else { return false }
            i += 1
        }
        return false
    }

    /// Splits on LF or CRLF; a last line that is only white space (the final newline) is dropped.
    static func lines(of source: String) -> [Line] {
        var result: [Line] = []
        let utf8 = source.utf8
        var number = 0
        func add(_ start: String.Index, _ end: String.Index, last: Bool = false) {
            var end = end
            if !last, end > start, utf8[utf8.index(before: end)] == UInt8(ascii: "\r") { end = utf8.index(before: end) }
            number += 1
            let line = Line(text: source[start..<end], number: number)
            if !last || !line.isEmpty { result.append(line) }
        }
        let scanned: Void? = utf8.withContiguousStorageIfAvailable { bytes in
            // Native strings: find the line ends with memchr; UTF-8 offsets are O(1) indices.
            guard let base = bytes.baseAddress else { return }
            var start = 0
            while start < bytes.count,
                let found = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start)
            {
                let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                add(utf8.index(utf8.startIndex, offsetBy: start), utf8.index(utf8.startIndex, offsetBy: end))
                start = end + 1
            }
            add(utf8.index(utf8.startIndex, offsetBy: start), utf8.endIndex, last: true)
        }
        if scanned != nil { return result }
        var start = utf8.startIndex
        var i = start
        while i < utf8.endIndex {
            if utf8[i] == UInt8(ascii: "\n") {
                add(start, i)
                start = utf8.index(after: i)
            }
            utf8.formIndex(after: &i)
        }
        add(start, utf8.endIndex, last: true)
        return result
    }
}

/// Hands out message ids, numbered from 0 as the reference numbers them.
public final class IdGenerator: Sendable {
    private let next = Atomic<Int>(0)
    private let prefix: String

    /// `prefix` keeps the ids of one shard of a run apart from another's (`kafka-bdd merge`).
    public init(prefix: String = "") { self.prefix = prefix }

    public func newId() -> String {
        prefix + String(next.wrappingAdd(1, ordering: .relaxed).oldValue)
    }
}
