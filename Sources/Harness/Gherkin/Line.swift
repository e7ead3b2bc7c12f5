import Messages
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
/// One line of a feature file, as the token matchers see it.
struct Line {
    /// The line without its end-of-line characters.
    let text: Substring
    /// 1-based line number.
    let number: Int
    /// `text` without leading white space.
    let trimmed: Substring
    /// How many Unicode scalars of white space precede `trimmed`.
    let indent: Int
    let isEOF: Bool

    init(text: Substring, number: Int, isEOF: Bool = false) {
        self.text = text
        self.number = number
        self.isEOF = isEOF
        // Indentation is nearly always ASCII: count bytes until the first other one.
        let utf8 = text.utf8
        var i = utf8.startIndex
        var n = 0
        while i < utf8.endIndex {
            let b = utf8[i]
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) {
                utf8.formIndex(after: &i)
                n += 1
            } else if b >= 0x80, text.unicodeScalars[i].isGherkinWhitespace {
                text.unicodeScalars.formIndex(after: &i)
                n += 1
            } else {
                break
            }
        }
        self.trimmed = text[i...]
        self.indent = n
    }

    var isEmpty: Bool { trimmed.isEmpty }

    func startsWith(_ prefix: String) -> Bool {
        // Most lines differ from a keyword in their first byte: check that before comparing.
        guard let first = prefix.utf8.first, trimmed.utf8.first == first else { return prefix.isEmpty }
        let fast = trimmed.utf8.withContiguousStorageIfAvailable { line in
            prefix.utf8.withContiguousStorageIfAvailable { keyword in
                line.count >= keyword.count && memcmp(line.baseAddress!, keyword.baseAddress!, keyword.count) == 0
            }
        }
        return (fast ?? nil) ?? trimmed.utf8.starts(with: prefix.utf8)
    }

    func startsWith(byte: UInt8) -> Bool {
        trimmed.utf8.first == byte
    }

    /// The trimmed text after its first `utf8Count` bytes, white space removed at both ends.
    func rest(afterUTF8 utf8Count: Int) -> String {
        let start = trimmed.utf8.index(trimmed.startIndex, offsetBy: utf8Count)
        return String(trimmed[start...].trimmingGherkinWhitespace())
    }

    /// The text with `indentToRemove` leading scalars removed, or the trimmed text when the line is
    /// indented less than that (doc string content keeps only its relative indentation).
    func text(removingIndent indentToRemove: Int) -> Substring {
        if indentToRemove < 0 || indentToRemove > indent { return trimmed }
        return Substring(text.unicodeScalars.dropFirst(indentToRemove))
    }
}

extension Unicode.Scalar {
    /// White space as JavaScript's `\s` defines it, which the reference implementation trims.
    @inline(__always)
    var isGherkinWhitespace: Bool {
        switch value {
        case 0x20, 0x09...0x0D, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default:
            return false
        }
    }
}

extension Substring {
    func trimmingGherkinWhitespace() -> Substring {
        let utf8 = self.utf8
        let scalars = unicodeScalars
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end {
            let b = utf8[start]
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) {
                utf8.formIndex(after: &start)
            } else if b >= 0x80, scalars[start].isGherkinWhitespace {
                scalars.formIndex(after: &start)
            } else {
                break
            }
        }
        while end > start {
            let b = utf8[utf8.index(before: end)]
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) {
                utf8.formIndex(before: &end)
                continue
            }
            if b < 0x80 { break }
            let before = scalars.index(before: end)
            if !scalars[before].isGherkinWhitespace { break }
            end = before
        }
        return self[start..<end]
    }
}
