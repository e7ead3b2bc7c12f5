import Messages
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
/// Decides whether a line is a token of a given type. Matchers are stateful: they track the
/// dialect (`# language:`) and whether a doc string is open.
protocol TokenMatcher: AnyObject {
    /// Matches `line` as `type`, writing the token into `token` when it does. Matching can fail
    /// with an error instead (a tag with white space, an unknown language): the parser records it,
    /// and the line is then not that token.
    func match(_ type: TokenType, _ line: Line, into token: inout Token) -> Match
    /// The dialect in effect when parsing starts.
    var defaultDialect: Dialect { get }
}

/// What matching a line as one token type gave. The token itself is written in place: it is large,
/// and most matches fail.
enum Match {
    case no
    case yes
    case failed(ParseError)
}

/// The matcher for classic `.feature` files.
final class ClassicTokenMatcher: TokenMatcher {
    let defaultDialect: Dialect
    private var dialect: Dialect
    private var activeDocStringSeparator: String?
    private var indentToRemove = 0

    init(dialect: Dialect = .english) {
        self.defaultDialect = dialect
        self.dialect = dialect
    }

    func match(_ type: TokenType, _ line: Line, into t: inout Token) -> Match {
        if line.isEOF {
            guard type == .eof else { return .no }
            t = token(.eof, line)
            return .yes
        }
        switch type {
        case .eof:
            return .no
        case .empty:
            guard line.isEmpty else { return .no }
            t = token(.empty, line, indent: 0)
        case .comment:
            guard line.startsWith(byte: UInt8(ascii: "#")) else { return .no }
            t = token(.comment, line, indent: 0)
            t.text = String(line.text)
        case .tagLine:
            guard line.startsWith(byte: UInt8(ascii: "@")) else { return .no }
            let (tags, error) = TagLineScanner.tags(in: line)
            if let error { return .failed(error) }
            t = token(.tagLine, line)
            t.items = tags
        case .featureLine:
            return titleLine(.featureLine, line, dialect.feature, into: &t)
        case .ruleLine:
            return titleLine(.ruleLine, line, dialect.rule, into: &t)
        case .backgroundLine:
            return titleLine(.backgroundLine, line, dialect.background, into: &t)
        case .scenarioLine:
            let scenario = titleLine(.scenarioLine, line, dialect.scenario, into: &t)
            if case .yes = scenario { return .yes }
            return titleLine(.scenarioLine, line, dialect.scenarioOutline, into: &t)
        case .examplesLine:
            return titleLine(.examplesLine, line, dialect.examples, into: &t)
        case .stepLine:
            for (i, keyword) in dialect.stepKeywordsLongestFirst.enumerated() where line.startsWith(keyword) {
                t = token(.stepLine, line)
                t.keyword = keyword
                t.keywordType = dialect.stepKeywordTypesLongestFirst[i]
                t.text = line.rest(afterUTF8: keyword.utf8.count)
                return .yes
            }
            return .no
        case .docStringSeparator:
            if let open = activeDocStringSeparator {
                guard line.startsWith(open) else { return .no }
                activeDocStringSeparator = nil
                indentToRemove = 0
                t = token(.docStringSeparator, line)
                t.keyword = open
                return .yes
            }
            for separator in ["\"\"\"", "```"] where line.startsWith(separator) {
                activeDocStringSeparator = separator
                indentToRemove = line.indent
                t = token(.docStringSeparator, line)
                t.keyword = separator
                t.text = line.rest(afterUTF8: separator.utf8.count)
                return .yes
            }
            return .no
        case .tableRow:
            guard line.startsWith(byte: UInt8(ascii: "|")) else { return .no }
            t = token(.tableRow, line)
            t.items = TableRowScanner.cells(in: line)
        case .language:
            guard let name = LanguageDirective.language(in: line.trimmed) else { return .no }
            guard let newDialect = Dialect.named(name) else {
                let location = Location(line: line.number, column: line.indent + 1)
                return .failed(ParseError(message: "Language not supported: \(name)", location: location))
            }
            t = token(.language, line)
            t.text = name
            dialect = newDialect
            t.dialect = name
        case .other:
            t = token(.other, line, indent: 0)
            t.text = unescapeDocString(line.text(removingIndent: indentToRemove))
        }
        return .yes
    }

    private func token(_ type: TokenType, _ line: Line, indent: Int? = nil) -> Token {
        var t = Token(type: type, line: line.number, column: (indent ?? line.indent) + 1)
        if type == .featureLine { t.dialect = dialect.language }
        return t
    }

    private func titleLine(_ type: TokenType, _ line: Line, _ keywords: [String], into t: inout Token) -> Match {
        for keyword in keywords {
            let k = keyword.utf8
            guard line.startsWith(keyword) else { continue }
            let after = line.trimmed.utf8.dropFirst(k.count)
            guard after.first == UInt8(ascii: ":") else { continue }
            t = token(type, line)
            t.keyword = keyword
            t.text = line.rest(afterUTF8: k.count + 1)
            return .yes
        }
        return .no
    }

    private func unescapeDocString(_ text: Substring) -> String {
        // Escaped separators are rare; looking for a backslash first spares most lines the search.
        let backslash =
            text.utf8.withContiguousStorageIfAvailable {
                $0.isEmpty ? false : memchr($0.baseAddress!, Int32(UInt8(ascii: "\\")), $0.count) != nil
            } ?? text.utf8.contains(UInt8(ascii: "\\"))
        guard backslash else { return String(text) }
        return switch activeDocStringSeparator {
        case "\"\"\"": String(text.replacing(#"\"\"\""#, with: "\"\"\""))
        case "```": String(text.replacing(#"\`\`\`"#, with: "```"))
        default: String(text)
        }
    }
}

/// `# language: xx` at the top of a file.
public enum LanguageDirective {
    /// The language named by a `# language:` line (already left-trimmed), or nil.
    public static func language(in trimmed: Substring) -> String? {
        var s = trimmed.unicodeScalars[...]
        guard s.first == "#" else { return nil }
        s = s.dropFirst().drop(while: \.isGherkinWhitespace)
        guard s.starts(with: "language".unicodeScalars) else { return nil }
        s = s.dropFirst(8).drop(while: \.isGherkinWhitespace)
        guard s.first == ":" else { return nil }
        s = s.dropFirst().drop(while: \.isGherkinWhitespace)
        let name = s.prefix { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || $0 == "-" || $0 == "_" }
        guard !name.isEmpty, s.dropFirst(name.count).allSatisfy(\.isGherkinWhitespace) else { return nil }
        return String(String.UnicodeScalarView(name))
    }
}

/// Splits a tag line into tags; a comment (` #…`) ends the line.
enum TagLineScanner {
    static func tags(in line: Line) -> ([LineSpan], ParseError?) {
        if let ascii = line.trimmed.utf8.withContiguousStorageIfAvailable({ asciiTags($0, line) }), let ascii {
            return ascii
        }
        let scalars = Array(line.trimmed.unicodeScalars)
        // The part before the first white space followed by '#'.
        var end = scalars.count
        if scalars.count > 1 {
            for i in 1..<scalars.count where scalars[i] == "#" && scalars[i - 1].isGherkinWhitespace {
                end = i - 1
                break
            }
        }
        var tags: [LineSpan] = []
        var column = line.indent + 1
        var pieceStart = 0
        func finish(_ from: Int, _ to: Int) -> ParseError? {
            // `from..<to` is one '@'-separated piece (without the '@').
            var trimmedEnd = to
            while trimmedEnd > from, scalars[trimmedEnd - 1].isGherkinWhitespace { trimmedEnd -= 1 }
            // Like the reference, an empty piece (before the first '@') does not advance the column.
            if trimmedEnd == from { return nil }
            defer { column += (to - from) + 1 }
            if scalars[from..<trimmedEnd].contains(where: \.isGherkinWhitespace) {
                return ParseError(
                    message: "A tag may not contain whitespace", location: Location(line: line.number, column: column))
            }
            var text = String.UnicodeScalarView()
            text.append("@")
            text.append(contentsOf: scalars[from..<trimmedEnd])
            tags.append(LineSpan(column: column, text: String(text)))
            return nil
        }
        for i in 0..<end where scalars[i] == "@" {
            if let e = finish(pieceStart, i) { return (tags, e) }
            pieceStart = i + 1
        }
        if let e = finish(pieceStart, end) { return (tags, e) }
        return (tags, nil)
    }

    /// The same for a line of ASCII, where columns are byte offsets and every tag is a slice of the
    /// line; nil for any other line.
    private static func asciiTags(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Line) -> ([LineSpan], ParseError?)? {
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        var end = bytes.count
        for i in 0..<bytes.count where bytes[i] >= 0x80 { return nil }
        if bytes.count > 1 {
            for i in 1..<bytes.count where bytes[i] == UInt8(ascii: "#") && isSpace(bytes[i - 1]) {
                end = i - 1
                break
            }
        }
        var tags: [LineSpan] = []
        var column = line.indent + 1
        var pieceStart = 0
        var i = 0
        while i <= end {
            guard i == end || bytes[i] == UInt8(ascii: "@") else { i += 1; continue }
            // `pieceStart..<i` is one piece, after its '@' (the first, before any '@', is empty).
            var trimmedEnd = i
            while trimmedEnd > pieceStart, isSpace(bytes[trimmedEnd - 1]) { trimmedEnd -= 1 }
            if trimmedEnd > pieceStart {
                if bytes[pieceStart..<trimmedEnd].contains(where: isSpace) {
                    let location = Location(line: line.number, column: column)
                    return (tags, ParseError(message: "A tag may not contain whitespace", location: location))
                }
                let tag = UnsafeBufferPointer(rebasing: bytes[(pieceStart - 1)..<trimmedEnd])
                tags.append(LineSpan(column: column, text: String(decoding: tag, as: UTF8.self)))
                column += i - pieceStart + 1
            }
            pieceStart = i + 1
            i += 1
        }
        return (tags, nil)
    }
}

/// Splits a table row into cells, honouring the `\|`, `\n` and `\\` escapes.
enum TableRowScanner {
    static func cells(in line: Line) -> [LineSpan] {
        if let ascii = line.trimmed.utf8.withContiguousStorageIfAvailable({ asciiCells($0, line) }), let ascii {
            return ascii
        }
        var cells: [LineSpan] = []
        var cell: [UInt8] = []
        var cellStartColumn = 1  // column (within the trimmed text, 1-based) after the separator
        var firstSeparator = true
        var column = 0
        let bytes = line.trimmed.utf8
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            bytes.formIndex(after: &i)
            if b & 0xC0 != 0x80 { column += 1 }
            if b == UInt8(ascii: "|") {
                if firstSeparator {
                    firstSeparator = false
                } else {
                    cells.append(span(cell, column: line.indent + cellStartColumn))
                }
                cell.removeAll(keepingCapacity: true)
                cellStartColumn = column + 1
            } else if b == UInt8(ascii: "\\") {
                guard i < bytes.endIndex else { cell.append(b); break }
                let next = bytes[i]
                if next == UInt8(ascii: "n") {
                    cell.append(UInt8(ascii: "\n"))
                } else if next == UInt8(ascii: "|") || next == UInt8(ascii: "\\") {
                    cell.append(next)
                } else {
                    // Kept as written; the next character is copied by the next iteration.
                    cell.append(b)
                    continue
                }
                bytes.formIndex(after: &i)
                column += 1
            } else {
                cell.append(b)
            }
        }
        return cells
    }

    /// The cell's text without padding (spaces, tabs and the like, but not newlines), and the
    /// column where that text starts.
    private static func span(_ cell: [UInt8], column: Int) -> LineSpan {
        let text = String(decoding: cell, as: UTF8.self)
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var lead = 0
        while start < scalars.endIndex, isCellPadding(scalars[start]) { scalars.formIndex(after: &start); lead += 1 }
        var end = scalars.endIndex
        while end > start {
            let before = scalars.index(before: end)
            if !isCellPadding(scalars[before]) { break }
            end = before
        }
        if lead == 0 && end == scalars.endIndex { return LineSpan(column: column, text: text) }
        return LineSpan(column: column + lead, text: String(text[start..<end]))
    }

    /// The common case, a row of ASCII without escapes, where columns are byte offsets and every cell
    /// is a slice of the line; nil for any other row.
    private static func asciiCells(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Line) -> [LineSpan]? {
        var cells: [LineSpan] = []
        var cellStart = 0
        var first = true
        for i in 0..<bytes.count {
            let b = bytes[i]
            if b >= 0x80 || b == UInt8(ascii: "\\") { return nil }
            guard b == UInt8(ascii: "|") else { continue }
            if first {
                first = false
            } else {
                var start = cellStart
                var end = i
                while start < end, isASCIIPadding(bytes[start]) { start += 1 }
                while end > start, isASCIIPadding(bytes[end - 1]) { end -= 1 }
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                cells.append(LineSpan(column: line.indent + start + 1, text: text))
            }
            cellStart = i + 1
        }
        return cells
    }

    @inline(__always)
    private static func isASCIIPadding(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0B || b == 0x0C || b == 0x0D
    }

    private static func isCellPadding(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x20, 0x09, 0x0B, 0x0C, 0x0D, 0x85, 0xA0: return true
        default: return false
        }
    }
}
