import Foundation

/// LSP's base protocol: each message is a `Content-Length: N` header block, a blank line, then N bytes of JSON.
public struct Framing: Sendable {
    /// What reading the next message gave.
    public enum Frame: Sendable, Equatable {
        case message(Data)
        /// A header block without a usable Content-Length: the stream cannot be trusted past it.
        case malformed(String)
        case end
    }

    /// The largest message read (64 MiB): a larger length is refused rather than allocated.
    public static let maximumLength = 64 << 20

    public static func frame(_ body: Data) -> Data {
        var out = Data("Content-Length: \(body.count)\r\n\r\n".utf8)
        out.append(body)
        return out
    }

    /// Reads one message with `read` (which returns at most the bytes asked for, empty at the end).
    public static func next(_ buffer: inout Data, read: (Int) -> Data) -> Frame {
        let separator = Data("\r\n\r\n".utf8)
        while buffer.range(of: separator) == nil {
            let more = read(4096)
            if more.isEmpty { return .end }
            buffer.append(more)
            if buffer.count > 64 << 10, buffer.range(of: separator) == nil {
                return .malformed("a header block longer than 64 KiB")
            }
        }
        let end = buffer.range(of: separator)!
        let header = String(decoding: buffer[buffer.startIndex..<end.lowerBound], as: UTF8.self)
        buffer.removeSubrange(buffer.startIndex..<end.upperBound)
        var length: Int?
        for line in header.split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            if parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces))
            }
        }
        guard let length, length >= 0, length <= maximumLength else {
            return .malformed("a message header without a valid Content-Length")
        }
        while buffer.count < length {
            let more = read(length - buffer.count)
            if more.isEmpty { return .end }
            buffer.append(more)
        }
        let body = Data(buffer.prefix(length))
        buffer.removeFirst(length)
        return .message(body)
    }
}
