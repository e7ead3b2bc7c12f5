/// Writes compact JSON straight into a byte buffer. Message types call it with their keys already
/// in sorted order, which is the canonical form the reference tools print (and what golden files
/// are compared against); it is also much faster than Foundation's encoders.
public struct JSONWriter {
    private var out: ByteBuffer
    private var needsComma = false

    /// What has been written.
    public var bytes: [UInt8] { out.array }
    public var count: Int { out.count }

    public init(capacity: Int = 1 << 16) {
        out = ByteBuffer(capacity: capacity)
    }

    public mutating func removeAll() {
        out.removeAll()
        needsComma = false
    }

    public mutating func objectStart() { comma(); out.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func objectEnd() { out.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func arrayStart() { comma(); out.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func arrayEnd() { out.append(UInt8(ascii: "]")); needsComma = true }
    public mutating func newline() { out.append(UInt8(ascii: "\n")); needsComma = false }

    public mutating func key(_ name: StaticString) {
        out.appendKey(name, comma: needsComma)
        needsComma = false
    }

    public mutating func key(_ name: String) {
        comma()
        appendQuoted(name)
        out.append(UInt8(ascii: ":"))
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
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[i...]))
        }
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        comma()
        if value { out.append(contentsOf: "true") } else { out.append(contentsOf: "false") }
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
        if needsComma { out.append(UInt8(ascii: ",")) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendQuoted<S: StringProtocol>(_ s: S) {
        out.append(UInt8(ascii: "\""))
        let contiguous: Void? = s.utf8.withContiguousStorageIfAvailable { appendEscaped($0) }
        if contiguous == nil { Array(s.utf8).withUnsafeBufferPointer { appendEscaped($0) } }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether one of the eight bytes is below 0x20, '"' or '\\' (the classic has-zero-byte bit trick).
    @inline(__always)
    private static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let control = (word &- ones &* 0x20) & ~word & highs
        return (control | hasZero(word ^ (ones &* 0x22)) | hasZero(word ^ (ones &* 0x5C))) != 0
    }

    /// Copies runs that need no escaping in one go.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var i = 0
        let count = utf8.count
        while i < count {
            // Eight bytes at a time while none of them is a control character, '"' or '\\'.
            while i + 8 <= count,
                !JSONWriter.needsEscape(UnsafeRawPointer(utf8.baseAddress! + i).loadUnaligned(as: UInt64.self))
            {
                i += 8
            }
            if i >= count { break }
            let b = utf8[i]
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            if i > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            out.append(UInt8(ascii: "\\"))
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            default:
                out.append(contentsOf: "u00")
                out.append(JSONWriter.hex[Int(b >> 4)])
                out.append(JSONWriter.hex[Int(b & 0xF)])
            }
            i += 1
            runStart = i
        }
        if i > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
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

/// A growable byte buffer with copy-on-write, cheaper per append than an Array: the writer appends
/// a few bytes at a time, tens of millions of times for a large corpus.
private struct ByteBuffer {
    private final class Storage {
        var base: UnsafeMutablePointer<UInt8>
        var count = 0
        var capacity: Int

        init(capacity: Int) {
            self.capacity = Swift.max(capacity, 64)
            base = .allocate(capacity: self.capacity)
        }

        deinit { base.deallocate() }

        func copy() -> Storage {
            let other = Storage(capacity: capacity)
            other.base.initialize(from: base, count: count)
            other.count = count
            return other
        }

        func grow(toHold needed: Int) {
            let newCapacity = Swift.max(capacity * 2, needed)
            let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            newBase.initialize(from: base, count: count)
            base.deallocate()
            base = newBase
            capacity = newCapacity
        }
    }

    private var storage: Storage

    init(capacity: Int) { storage = Storage(capacity: capacity) }

    var count: Int { storage.count }
    var array: [UInt8] { Array(UnsafeBufferPointer(start: storage.base, count: storage.count)) }

    /// Room for `n` more bytes in storage of our own; returns where they go.
    @inline(__always)
    private mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        if storage.count + n > storage.capacity { storage.grow(toHold: storage.count + n) }
        return storage.base + storage.count
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1).pointee = byte
        storage.count += 1
    }

    @inline(__always)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count).update(from: source, count: bytes.count)
        storage.count += bytes.count
    }

    mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes.bindMemory(to: UInt8.self))
    }

    /// `,"name":` (without the comma unless asked) in one go.
    mutating func appendKey(_ name: StaticString, comma: Bool) {
        name.withUTF8Buffer { utf8 in
            var p = reserve(utf8.count + 4)
            if comma { p.pointee = UInt8(ascii: ","); p += 1 }
            p.pointee = UInt8(ascii: "\"")
            (p + 1).update(from: utf8.baseAddress!, count: utf8.count)
            p += utf8.count + 1
            p.pointee = UInt8(ascii: "\"")
            (p + 1).pointee = UInt8(ascii: ":")
            storage.count += utf8.count + (comma ? 4 : 3)
        }
    }

    mutating func append(contentsOf text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    mutating func removeAll() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(capacity: storage.capacity) }
        storage.count = 0
    }
}
