import Foundation
import Messages

/// A parsed document printed back as cucumber's formatter (gherkin-utils' `pretty`) prints it: two spaces per
/// level, a blank line before each keyword block, tables aligned (numbers to the right, CJK characters
/// counted twice), `|`, `\` and newlines in cells escaped, comments kept where they were relative to the
/// blocks, a space after each comment's `#`. Formatting its own output changes nothing.
public enum PrettyFormatter {
    public static func format(_ document: GherkinDocument) -> String {
        var printer = Printer(comments: document.comments[...])
        printer.document(document)
        return printer.out
    }

    private struct Printer {
        var comments: ArraySlice<Comment>
        var out = ""
        var scenarioLevel = 1

        init(comments: ArraySlice<Comment>) { self.comments = comments }

        mutating func document(_ d: GherkinDocument) {
            guard let feature = d.feature else {
                commentsBefore(nil)
                return
            }
            commentsBefore(feature.location.line)
            if feature.language != "en" { out += "# language: \(feature.language)\n" }
            container(feature.keyword, feature.name, feature.description, tags: feature.tags, steps: 0, level: 0)
            for child in feature.children {
                switch child {
                case .background(let b): background(b)
                case .scenario(let s): scenario(s)
                case .rule(let r):
                    commentsBefore(r.location.line)
                    scenarioLevel = 2
                    container(r.keyword, r.name, r.description, tags: r.tags, steps: 0, level: 1)
                    for c in r.children {
                        switch c {
                        case .background(let b): background(b)
                        case .scenario(let s): scenario(s)
                        }
                    }
                }
            }
            commentsBefore(nil)
        }

        mutating func background(_ b: Background) {
            commentsBefore(b.location.line)
            container(b.keyword, b.name, b.description, tags: [], steps: b.steps.count, level: scenarioLevel)
            for s in b.steps { step(s) }
        }

        mutating func scenario(_ s: Scenario) {
            commentsBefore(s.location.line)
            container(s.keyword, s.name, s.description, tags: s.tags, steps: s.steps.count, level: scenarioLevel)
            for st in s.steps { step(st) }
            for e in s.examples {
                commentsBefore(e.location.line)
                container(e.keyword, e.name, e.description, tags: e.tags, steps: 0, level: scenarioLevel + 1)
                table((e.tableHeader.map { [$0] } ?? []) + e.tableBody, level: scenarioLevel + 2)
            }
        }

        mutating func step(_ s: Messages.Step) {
            commentsBefore(s.location.line)
            out += spaces(scenarioLevel + 1) + s.keyword + s.text + "\n"
            if let d = s.docString { docString(d) }
            if let t = s.dataTable { table(t.rows, level: scenarioLevel + 2) }
        }

        mutating func docString(_ d: DocString) {
            let indent = spaces(scenarioLevel + 2)
            let delimiter = String(d.delimiter.prefix(3))
            var content = d.content.split(separator: "\n", omittingEmptySubsequences: false).map { indent + $0 }
                .joined(separator: "\n")
            content =
                delimiter == "\"\"\""
                ? content.replacingOccurrences(of: "\"\"\"", with: "\\\"\\\"\\\"")
                : content.replacingOccurrences(of: "```", with: "\\`\\`\\`")
            out += indent + delimiter + (d.mediaType ?? "") + "\n" + content + "\n" + indent + delimiter + "\n"
        }

        /// A keyword block: a blank line before it (not before the feature), its tags, `Keyword: name`, its
        /// description as written, and a blank line after a description when steps follow.
        mutating func container(
            _ keyword: String, _ name: String, _ description: String, tags: [Tag], steps: Int, level: Int
        ) {
            if level > 0 { out += "\n" }
            if !tags.isEmpty { out += spaces(level) + tags.map(\.name).joined(separator: " ") + "\n" }
            out += spaces(level) + keyword + (name.isEmpty ? ":" : ": " + name) + "\n"
            if !description.isEmpty {
                out += description + "\n"
                if steps > 0 { out += "\n" }
            }
        }

        mutating func table(_ rows: [TableRow], level: Int) {
            guard let first = rows.first else { return }
            var widths = Array(repeating: 0, count: first.cells.count)
            let escaped = rows.map { $0.cells.map { escape($0.value) } }
            for row in escaped {
                for (j, cell) in row.enumerated() where j < widths.count { widths[j] = max(widths[j], width(cell)) }
            }
            for row in escaped {
                let cells = row.enumerated().map { j, cell -> String in
                    let pad = String(repeating: " ", count: max(0, (j < widths.count ? widths[j] : 0) - width(cell)))
                    return isNumeric(cell) ? pad + cell : cell + pad
                }
                out += spaces(level) + "| " + cells.joined(separator: " | ") + " |\n"
            }
        }

        /// Comments above `line` (all that are left for nil), each with a space after its `#`.
        mutating func commentsBefore(_ line: Int?) {
            while let c = comments.first, line.map({ c.location.line < $0 }) ?? true {
                comments.removeFirst()
                var text = c.text
                if let hash = text.firstIndex(of: "#"), text[..<hash].allSatisfy({ $0 == " " || $0 == "\t" }) {
                    let after = text.index(after: hash)
                    if after < text.endIndex, !text[after].isWhitespace { text.insert(" ", at: after) }
                }
                while let last = text.last, last.isWhitespace { text.removeLast() }
                out += text + "\n"
            }
        }

        func spaces(_ level: Int) -> String { String(repeating: "  ", count: level) }

        func escape(_ s: String) -> String {
            var e = ""
            for c in s {
                switch c {
                case "\\": e += "\\\\"
                case "\n": e += "\\n"
                case "|": e += "\\|"
                default: e.append(c)
                }
            }
            return e
        }

        /// Display width: CJK and full-width characters take two columns.
        func width(_ s: String) -> Int {
            s.unicodeScalars.reduce(0) { n, u in
                let v = u.value
                let wide =
                    (0x3000...0x9FFF).contains(v) || (0xAC00...0xD7AF).contains(v) || (0xFF01...0xFF60).contains(v)
                return n + (wide ? 2 : 1)
            }
        }

        /// A cell that begins with a number (as JavaScript's parseFloat reads one) is right-aligned.
        func isNumeric(_ s: String) -> Bool {
            let t = s.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
            let unsigned = t.first == "+" || t.first == "-" ? t.dropFirst() : t
            if unsigned.hasPrefix("Infinity") { return true }
            let digits = unsigned.prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty { return true }
            let rest = unsigned.dropFirst(digits.count)
            return rest.first == "." && rest.dropFirst().first.map { $0.isASCII && $0.isNumber } == true
        }
    }
}
