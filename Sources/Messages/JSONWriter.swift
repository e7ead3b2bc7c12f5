/// Writes compact JSON straight into a byte buffer. Message types call it with their keys already
/// in sorted order, which is the canonical form the reference tools print (and what golden files
/// are compared against); it is also much faster than Foundation's encoders.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 1 << 16) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    public mutating func objectStart() { comma(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func objectEnd() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func arrayStart() { comma(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func arrayEnd() { bytes.append(UInt8(ascii: "]")); needsComma = true }
    public mutating func newline() { bytes.append(UInt8(ascii: "\n")); needsComma = false }

    public mutating func key(_ name: StaticString) {
        comma()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func key(_ name: String) {
        comma()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) { comma(); appendQuoted(value); needsComma = true }
    public mutating func string(_ value: Substring) { comma(); appendQuoted(value); needsComma = true }

    public mutating func int(_ value: Int) {
        comma()
        // Digits written backwards into a small buffer: no String is made per number.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var n = value.magnitude
            var i = buffer.count
            repeat {
                i -= 1
                buffer[i] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
            } while n > 0
            if value < 0 { i -= 1; buffer[i] = UInt8(ascii: "-") }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[i...]))
        }
        needsComma = true
    }


    public mutating func bool(_ value: Bool) {
        comma()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }



    public mutating func field(_ name: StaticString, _ value: String) { key(name); string(value) }
    public mutating func field(_ name: StaticString, _ value: Int) { key(name); int(value) }
    public mutating func field(_ name: StaticString, _ value: Bool) { key(name); bool(value) }
    public mutating func fieldIfPresent(_ name: StaticString, _ value: String?) {
        if let value { key(name); string(value) }
    }

    public mutating func stringArray(_ name: StaticString, _ values: [String]) {
        key(name)
        arrayStart()
        for v in values { string(v) }
        arrayEnd()
    }

    @inline(__always)
    private mutating func comma() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendQuoted<S: StringProtocol>(_ s: S) {
        bytes.append(UInt8(ascii: "\""))
        let contiguous: Void? = s.utf8.withContiguousStorageIfAvailable { appendEscaped($0) }
        if contiguous == nil { Array(s.utf8).withUnsafeBufferPointer { appendEscaped($0) } }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Copies runs that need no escaping in one go.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var i = 0
        let count = utf8.count
        while i < count {
            let b = utf8[i]
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            if i > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            bytes.append(UInt8(ascii: "\\"))
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(b)
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          JSONWriter.hex[Int(b >> 4)], JSONWriter.hex[Int(b & 0xF)]])
            }
            i += 1
            runStart = i
        }
        if i > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
    }
}

/// A value that writes itself as a JSON object with sorted keys.
public protocol JSONWritable {
    func write(to json: inout JSONWriter)
}

extension JSONWriter {
    public mutating func field<T: JSONWritable>(_ name: StaticString, _ value: T) {
        key(name)
        value.write(to: &self)
    }

    public mutating func fieldIfPresent<T: JSONWritable>(_ name: StaticString, _ value: T?) {
        if let value { field(name, value) }
    }

    public mutating func array<T: JSONWritable>(_ name: StaticString, _ values: [T]) {
        key(name)
        arrayStart()
        for v in values { v.write(to: &self) }
        arrayEnd()
    }
}
