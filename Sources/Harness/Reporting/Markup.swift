import Foundation
import Messages

// Text helpers the reports call for every case and step. Foundation's string functions cost
// microseconds a call on Linux, which a run of 10,000 scenarios multiplies into seconds; these
// return their input untouched when there is nothing to do, and give Foundation's results otherwise.
enum Markup {
    /// `&`, `<`, `>` and `"` as character references (HTML and XML text and attributes).
    static func escaped(_ text: String) -> String {
        var text = text
        let out: [UInt8]? = text.withUTF8 { utf8 in
            guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 }) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count + 32)
            for b in utf8 {
                switch b {
                case 0x26: out.append(contentsOf: "&amp;".utf8)
                case 0x3C: out.append(contentsOf: "&lt;".utf8)
                case 0x3E: out.append(contentsOf: "&gt;".utf8)
                case 0x22: out.append(contentsOf: "&quot;".utf8)
                default: out.append(b)
                }
            }
            return out
        }
        return out.map { String(decoding: $0, as: UTF8.self) } ?? text
    }

    /// The text without the characters XML 1.0 cannot carry (most control characters, U+FFFE, U+FFFF).
    static func xmlSafe(_ text: String) -> String {
        var text = text
        let clean = text.withUTF8 { utf8 in
            for (i, b) in utf8.enumerated() {
                if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D { return false }
                if b == 0xEF, i + 2 < utf8.count, utf8[i + 1] == 0xBF, utf8[i + 2] >= 0xBE { return false }
            }
            return true
        }
        if clean { return text }
        return String(
            String.UnicodeScalarView(
                text.unicodeScalars.filter { c in
                    c == "\t" || c == "\n" || c == "\r" || (c.value >= 0x20 && c.value <= 0xD7FF)
                        || (c.value >= 0xE000 && c.value <= 0xFFFD) || c.value >= 0x10000
                }))
    }

    /// `String(format: "%.3f", value)`, exactly: the binary value rounded half to even.
    static func fixed3(_ value: Double) -> String {
        guard value.isFinite, value.magnitude < 1e12 else { return String(format: "%.3f", value) }
        let m = value.magnitude
        let subnormal = m.exponentBitPattern == 0
        let mantissa = subnormal ? m.significandBitPattern : m.significandBitPattern | 1 << 52
        let shift = subnormal ? 1074 : 1075 - Int(m.exponentBitPattern)  // m = mantissa / 2^shift
        let n = mantissa * 1000  // < 2^63
        var q: UInt64
        if shift <= 0 {
            q = n << UInt64(-shift)
        } else if shift >= 64 {
            q = 0  // below 0.5 thousandths
        } else {
            q = n >> UInt64(shift)
            let rest = n & (1 << UInt64(shift) - 1), half: UInt64 = 1 << UInt64(shift - 1)
            if rest > half || (rest == half && q & 1 == 1) { q += 1 }
        }
        let thousandths = String(q % 1000)
        let sign = value.sign == .minus ? "-" : ""
        return "\(sign)\(q / 1000)." + String(repeating: "0", count: 3 - thousandths.count) + thousandths
    }
}

extension String {
    /// `trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces)`; ASCII white space
    /// is trimmed here, and Foundation is asked only when a non-ASCII character is left at either end.
    func trimmingWhitespace(newlines: Bool) -> String {
        let utf8 = self.utf8
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || (newlines && b >= 0x0A && b <= 0x0D) }
        var start = utf8.startIndex, end = utf8.endIndex
        while start < end, isSpace(utf8[start]) { start = utf8.index(after: start) }
        while start < end, isSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        if start == end { return "" }
        guard utf8[start] < 0x80, utf8[utf8.index(before: end)] < 0x80 else {
            return trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces)
        }
        return start == utf8.startIndex && end == utf8.endIndex ? self : String(self[start..<end])
    }
}

extension TestStepResultStatus {
    /// The status as the HTML report's CSS classes and JUnit's step lines name it.
    var lowercaseName: String {
        switch self {
        case .unknown: "unknown"
        case .passed: "passed"
        case .skipped: "skipped"
        case .pending: "pending"
        case .undefined: "undefined"
        case .ambiguous: "ambiguous"
        case .failed: "failed"
        }
    }
}
