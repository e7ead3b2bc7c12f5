import Foundation

// Reading Cucumber Messages back: any stream that follows the schema, ours or another tool's.
// Unknown envelope kinds and unknown fields are ignored. Each type's reading is generated into
// MessagesCoding.swift; where the schema makes a field optional that our types require (ids, a
// pickle's location, a feature's keyword), the generator's MODEL reads a missing one as empty or line 0.

/// A line of a message stream that is not a valid envelope.
public struct MessageStreamError: Error, Equatable, CustomStringConvertible {
    /// 1-based line number in the stream.
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}

/// Decodes NDJSON message streams into `Envelope` values.
public struct EnvelopeDecoder: Sendable {
    public init() {}

    /// One line's envelope; nil for a blank line or an envelope kind this package does not model.
    public func decode(line: some StringProtocol, number: Int = 1) throws(MessageStreamError) -> Envelope? {
        let bytes = Array(line.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(MessageStreamError) in
            try Self.decode(buffer, number: number)
        }
    }

    /// Every envelope of a stream, in order; the first malformed line stops it.
    public func decode(stream: Data, _ body: (Envelope) throws -> Void) throws {
        try stream.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Void in
            try Self.decodeLines(raw.bindMemory(to: UInt8.self), body)
        }
    }

    private static func decodeLines(_ all: UnsafeBufferPointer<UInt8>, _ body: (Envelope) throws -> Void) throws {
        guard let base = all.baseAddress else { return }
        var number = 0
        var start = 0
        while start < all.count {
            number += 1
            let end =
                memchr(base + start, 0x0A, all.count - start)
                .map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) } ?? all.count
            if let envelope = try decode(UnsafeBufferPointer(rebasing: all[start..<end]), number: number) {
                try body(envelope)
            }
            start = end + 1
        }
    }

    public func decode(stream: Data) throws -> [Envelope] {
        var envelopes: [Envelope] = []
        try decode(stream: stream) { envelopes.append($0) }
        return envelopes
    }

    private static func decode(
        _ line: UnsafeBufferPointer<UInt8>,
        number: Int
    ) throws(MessageStreamError) -> Envelope? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        var reader = JSONReader(line)
        do {
            let envelope = try Envelope.read(&reader)
            try reader.end()
            return envelope
        } catch let failure as JSONReader.Failure {
            throw MessageStreamError(line: number, reason: "column \(failure.offset + 1): \(failure.message)")
        } catch {
            throw MessageStreamError(line: number, reason: "\(error)")
        }
    }
}

extension Envelope {
    /// The envelope, or nil when none of its keys is a kind we model.
    static func read(_ r: inout JSONReader) throws -> Envelope? {
        var envelope: Envelope?
        try r.object { r, key in
            guard envelope == nil else { return try r.skip() }
            do {
                envelope = try MessageCoding.readEnvelope(key, &r)
            } catch var failure as JSONReader.Failure {
                failure.message = "\(key.name): \(failure.message)"
                throw failure
            }
        }
        return envelope
    }
}

extension JSONReader.Key {
    var name: String { unescaped ?? String(decoding: raw, as: UTF8.self) }
}

extension JSONReader {
    /// A string-valued enumeration; nil for a value it does not know.
    mutating func value<T: RawRepresentable>(_: T.Type = T.self) throws -> T? where T.RawValue == String {
        T(rawValue: try string())
    }

    /// A string-valued enumeration that must be one we know.
    mutating func known<T: RawRepresentable>(_: T.Type, _ field: StaticString) throws -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else { throw failure("unknown \(field) \"\(text)\"") }
        return value
    }
}
