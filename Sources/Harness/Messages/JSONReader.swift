#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads JSON from a byte buffer straight into message types: the counterpart of `JSONWriter`.
/// Foundation's JSONDecoder reads a large run's stream at about 20 MB/s, too slow for reports on
/// tens of thousands of scenarios; this reads it several times faster. Unknown keys are skipped,
/// and a key whose value is `null` counts as absent.
struct JSONReader {
    struct Failure: Error {
        /// 0-based byte offset in the buffer.
        var offset: Int
        var message: String
    }

    /// An object key, compared with string literals in `switch` statements.
    struct Key {
        var raw: UnsafeBufferPointer<UInt8>
        /// Set when the key had escapes.
        var unescaped: String?

        static func ~= (pattern: StaticString, key: Key) -> Bool {
            if let unescaped = key.unescaped { return unescaped == pattern.description }
            guard pattern.utf8CodeUnitCount == key.raw.count else { return false }
            return memcmp(pattern.utf8Start, key.raw.baseAddress!, key.raw.count) == 0
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var offset = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func failure(_ message: String) -> Failure { Failure(offset: offset, message: message) }

    func required<T>(_ value: T?, _ field: StaticString) throws -> T {
        guard let value else { throw failure("missing \(field)") }
        return value
    }

    private mutating func skipSpace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    private mutating func peek() -> UInt8? {
        skipSpace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    private mutating func expect(_ byte: UInt8, _ what: StaticString) throws {
        guard peek() == byte else { throw failure("expected \(what)") }
        offset += 1
    }

    /// Only white space is left.
    mutating func end() throws {
        if peek() != nil { throw failure("unexpected text after the JSON value") }
    }

    // MARK: Objects and arrays

    /// Reads an object, handing each key to `field` positioned at its value (which it must read or skip).
    mutating func object(_ field: (inout JSONReader, Key) throws -> Void) throws {
        try expect(UInt8(ascii: "{"), "an object")
        if peek() == UInt8(ascii: "}") { offset += 1; return }
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw failure("expected a key") }
            let key = try keyBytes()
            try expect(UInt8(ascii: ":"), "':'")
            if peek() == UInt8(ascii: "n") { try literal("null") } else { try field(&self, key) }
            guard let c = peek() else { throw failure("unterminated object") }
            offset += 1
            if c == UInt8(ascii: "}") { return }
            guard c == UInt8(ascii: ",") else { offset -= 1; throw failure("expected ',' or '}'") }
        }
    }

    private mutating func keyBytes() throws -> Key {
        offset += 1  // the opening quote
        let start = offset
        while offset < bytes.count {
            let b = bytes[offset]
            if b == UInt8(ascii: "\"") {
                let key = Key(raw: UnsafeBufferPointer(rebasing: bytes[start..<offset]), unescaped: nil)
                offset += 1
                return key
            }
            if b == UInt8(ascii: "\\") {
                offset = start - 1
                return Key(raw: UnsafeBufferPointer(start: nil, count: 0), unescaped: try string())
            }
            offset += 1
        }
        throw failure("unterminated string")
    }

    mutating func array<T>(_ element: (inout JSONReader) throws -> T) throws -> [T] {
        try expect(UInt8(ascii: "["), "an array")
        var out: [T] = []
        if peek() == UInt8(ascii: "]") { offset += 1; return out }
        while true {
            out.append(try element(&self))
            guard let c = peek() else { throw failure("unterminated array") }
            offset += 1
            if c == UInt8(ascii: "]") { return out }
            guard c == UInt8(ascii: ",") else { offset -= 1; throw failure("expected ',' or ']'") }
        }
    }

    mutating func strings() throws -> [String] { try array { try $0.string() } }

    // MARK: Scalars

    mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""), "a string")
        let start = offset
        while offset < bytes.count {
            let b = bytes[offset]
            if b == UInt8(ascii: "\"") {
                offset += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset - 1]), as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if b < 0x20 { throw failure("control character in a string") }
            offset += 1
        }
        throw failure("unterminated string")
    }

    private mutating func escapedString(from start: Int) throws -> String {
        var out = Array(bytes[start..<offset])
        while offset < bytes.count {
            let b = bytes[offset]
            offset += 1
            if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if b < 0x20 { offset -= 1; throw failure("control character in a string") }
            guard b == UInt8(ascii: "\\") else { out.append(b); continue }
            guard offset < bytes.count else { break }
            let e = bytes[offset]
            offset += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), offset + 1 < bytes.count,
                    bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
                {
                    offset += 2
                    let low = try hex4()
                    let paired = (0xDC00..<0xE000).contains(low)
                    scalar = paired ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            default:
                offset -= 1
                throw failure("invalid escape in a string")
            }
        }
        throw failure("unterminated string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw failure("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[offset]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    mutating func int() throws -> Int {
        guard let first = peek() else { throw failure("expected a number") }
        let start = offset
        if first == UInt8(ascii: "-") { offset += 1 }
        var value = 0
        var digits = 0
        while offset < bytes.count, bytes[offset] &- UInt8(ascii: "0") < 10 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(bytes[offset] - UInt8(ascii: "0")))
            if o1 || o2 { throw failure("number out of range") }
            value = a
            digits += 1
            offset += 1
        }
        guard digits > 0 else { offset = start; throw failure("expected a number") }
        if offset < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[offset]) {
            // An integer written as 1.0 or 1e3 still counts.
            while offset < bytes.count, "0123456789.eE+-".utf8.contains(bytes[offset]) { offset += 1 }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
            guard let d = Double(text), let exact = Int(exactly: d) else { throw failure("expected an integer") }
            return exact
        }
        return first == UInt8(ascii: "-") ? -value : value
    }

    mutating func bool() throws -> Bool {
        switch peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw failure("expected true or false")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard offset + n <= bytes.count, memcmp(word.utf8Start, bytes.baseAddress! + offset, n) == 0 else {
            throw failure("expected \(word)")
        }
        offset += n
    }

    /// Skips any value.
    mutating func skip() throws {
        switch peek() {
        case UInt8(ascii: "{")?:
            try object { r, _ in try r.skip() }
        case UInt8(ascii: "[")?:
            _ = try array { try $0.skip() }
        case UInt8(ascii: "\"")?:
            _ = try string()
        case UInt8(ascii: "t")?, UInt8(ascii: "f")?:
            _ = try bool()
        case UInt8(ascii: "n")?:
            try literal("null")
        default:
            let start = offset
            while offset < bytes.count, "0123456789.eE+-".utf8.contains(bytes[offset]) { offset += 1 }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
            if Double(text) == nil { offset = start; throw failure("expected a JSON value") }
        }
    }
}
