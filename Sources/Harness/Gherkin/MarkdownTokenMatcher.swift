import Messages
/// The matcher for Markdown with Gherkin (`.feature.md`): headings are keyword lines
/// (`## Scenario: …`), bullets are steps (`* Given …`), back-ticked `@tags` are tags, tables are
/// indented 2–5 spaces, and every other line is prose. It reproduces the reference matcher,
/// including that the first non-matching line becomes the feature line.
final class MarkdownTokenMatcher: TokenMatcher {
    let defaultDialect: Dialect
    private let dialect: Dialect
    private let stepKeywords: [String]
    private var openFence: String?
    private var indentToRemove = 0
    private var matchedFeatureLine = false

    init(dialect: Dialect = .english) {
        self.defaultDialect = dialect
        self.dialect = dialect
        var seen = Set<String>()
        self.stepKeywords = dialect.stepKeywordsLongestFirst.filter { $0 != "* " && seen.insert($0).inserted }
    }

    func match(_ type: TokenType, _ line: Line, into token: inout Token) -> Match {
        guard let (matched, error) = matchToken(type, line) else { return .no }
        if let error { return .failed(error) }
        token = matched
        return .yes
    }

    private func matchToken(_ type: TokenType, _ line: Line) -> (token: Token, error: ParseError?)? {
        if line.isEOF { return type == .eof ? (token(.eof, line, column: line.indent + 1), nil) : nil }
        switch type {
        case .eof, .language:
            return nil
        case .empty:
            // A line no other matcher takes is neutered into an empty line.
            let others: [TokenType] = [
                .tagLine, .featureLine, .scenarioLine, .backgroundLine, .examplesLine, .ruleLine,
                .tableRow, .comment, .docStringSeparator, .stepLine,
            ]
            guard line.isEmpty || !others.contains(where: { matchToken($0, line) != nil }) else { return nil }
            return (token(.empty, line, column: line.indent + 1), nil)
        case .other:
            var t = token(.other, line, column: 1)
            t.text = String(line.text(removingIndent: indentToRemove))
            return (t, nil)
        case .comment:
            guard line.startsWith(byte: UInt8(ascii: "|")), isSeparatorRow(TableRowScanner.cells(in: line)) else {
                return nil
            }
            var t = token(.comment, line, column: line.indent + 1)
            t.isMarkup = true
            return (t, nil)
        case .docStringSeparator:
            return docStringSeparator(line)
        case .featureLine:
            if matchedFeatureLine { return nil }
            matchedFeatureLine = true
            if let heading = title(line, dialect.feature, type: .featureLine) { return heading }
            var t = token(.featureLine, line, column: line.indent + 1)
            t.text = String(line.trimmed)
            return (t, nil)
        case .backgroundLine:
            return title(line, dialect.background, type: .backgroundLine)
        case .ruleLine:
            return title(line, dialect.rule, type: .ruleLine)
        case .scenarioLine:
            return title(line, dialect.scenario, type: .scenarioLine)
                ?? title(line, dialect.scenarioOutline, type: .scenarioLine)
        case .examplesLine:
            return title(line, dialect.examples, type: .examplesLine)
        case .stepLine:
            let scalars = line.trimmed.unicodeScalars
            var i = scalars.startIndex
            var prefix = 0
            while i < scalars.endIndex, scalars[i].isGherkinWhitespace { scalars.formIndex(after: &i); prefix += 1 }
            guard i < scalars.endIndex, "*+-".unicodeScalars.contains(scalars[i]) else { return nil }
            scalars.formIndex(after: &i); prefix += 1
            while i < scalars.endIndex, scalars[i].isGherkinWhitespace { scalars.formIndex(after: &i); prefix += 1 }
            let rest = line.trimmed[i...]
            for keyword in stepKeywords where rest.utf8.starts(with: keyword.utf8) {
                var t = token(.stepLine, line, column: line.indent + prefix + 1)
                t.keyword = keyword
                t.keywordType = dialect.stepKeywordTypes[keyword]
                t.text = String(rest.dropFirst(keyword.count).trimmingGherkinWhitespace())
                return (t, nil)
            }
            return nil
        case .tableRow:
            let scalars = Array(line.text.unicodeScalars.prefix(6))
            var spaces = 0
            while spaces < scalars.count, scalars[spaces].isGherkinWhitespace { spaces += 1 }
            guard (2...5).contains(spaces), spaces < scalars.count, scalars[spaces] == "|" else { return nil }
            let cells = TableRowScanner.cells(in: line)
            if isSeparatorRow(cells) { return nil }
            var t = token(.tableRow, line, column: line.indent + 1)
            t.keyword = "|"
            t.items = cells
            return (t, nil)
        case .tagLine:
            var tags: [LineSpan] = []
            let scalars = Array(line.trimmed.unicodeScalars)
            var i = 0
            while i < scalars.count {
                if scalars[i] == "`", i + 2 < scalars.count, scalars[i + 1] == "@",
                    let close = scalars[(i + 2)...].firstIndex(of: "`"), close > i + 2
                {
                    tags.append(
                        LineSpan(
                            column: line.indent + i + 2,
                            text: String(String.UnicodeScalarView(scalars[(i + 1)..<close]))))
                    i = close + 1
                } else {
                    i += 1
                }
            }
            guard !tags.isEmpty else { return nil }
            var t = token(.tagLine, line, column: line.indent + 1)
            t.items = tags
            return (t, nil)
        }
    }

    private func token(_ type: TokenType, _ line: Line, column: Int) -> Token {
        var t = Token(type: type, line: line.number, column: column)
        if type == .featureLine { t.dialect = dialect.language }
        return t
    }

    /// `#{1,6} Keyword: title`
    private func title(_ line: Line, _ keywords: [String], type: TokenType) -> (token: Token, error: ParseError?)? {
        let scalars = line.trimmed.unicodeScalars
        var i = scalars.startIndex
        var hashes = 0
        while i < scalars.endIndex, scalars[i] == "#", hashes < 7 { scalars.formIndex(after: &i); hashes += 1 }
        guard (1...6).contains(hashes), i < scalars.endIndex, scalars[i].isGherkinWhitespace else { return nil }
        scalars.formIndex(after: &i)
        let rest = line.trimmed[i...]
        for keyword in keywords {
            guard rest.utf8.starts(with: keyword.utf8),
                rest.utf8.dropFirst(keyword.utf8.count).first == UInt8(ascii: ":")
            else { continue }
            var t = token(type, line, column: line.indent + hashes + 2)
            t.keyword = keyword
            let after = rest.utf8.index(rest.startIndex, offsetBy: keyword.utf8.count + 1)
            t.text = String(rest[after...].trimmingGherkinWhitespace())
            return (t, nil)
        }
        return nil
    }

    private func docStringSeparator(_ line: Line) -> (token: Token, error: ParseError?)? {
        let fence: Substring
        let mediaType: Substring
        if let open = openFence {
            guard line.trimmed == open else { return nil }
            fence = line.trimmed
            mediaType = ""
            openFence = nil
        } else {
            let ticks = line.trimmed.unicodeScalars.prefix { $0 == "`" }.count
            guard ticks >= 3 else { return nil }
            fence = line.trimmed.prefix(ticks)
            mediaType = line.trimmed.dropFirst(ticks)
            openFence = String(fence)
            indentToRemove = line.indent
        }
        var t = token(.docStringSeparator, line, column: line.indent + 1)
        t.keyword = String(fence)
        t.text = String(mediaType)
        return (t, nil)
    }

    /// A GitHub-flavoured Markdown table's header separator row (`| --- | :-: |`).
    private func isSeparatorRow(_ cells: [LineSpan]) -> Bool {
        cells.contains { cell in
            var s = cell.text.unicodeScalars[...]
            if s.first == ":" { s = s.dropFirst() }
            if s.last == ":" { s = s.dropLast() }
            return !s.isEmpty && s.allSatisfy { $0 == "-" }
        }
    }
}
