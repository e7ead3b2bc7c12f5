/// Record values that carry a payload id, so reads can be matched to sends.
public enum Payload {
    /// `id=<n>;` followed by padding up to `size` bytes.
    public static func make(id: UInt64, size: Int = 0) -> [UInt8] {
        var bytes = Array("id=\(id);".utf8)
        if bytes.count < size { bytes += [UInt8](repeating: UInt8(ascii: "x"), count: size - bytes.count) }
        return bytes
    }

    public static func id(in value: [UInt8]) -> UInt64? {
        guard value.count > 4, value[0] == UInt8(ascii: "i"), value[1] == UInt8(ascii: "d"),
            value[2] == UInt8(ascii: "=")
        else { return nil }
        var n: UInt64 = 0
        var i = 3
        var digits = 0
        while i < value.count, value[i] >= 48, value[i] <= 57 {
            n = n &* 10 &+ UInt64(value[i] - 48)
            i += 1
            digits += 1
        }
        return digits > 0 && i < value.count && value[i] == UInt8(ascii: ";") ? n : nil
    }
}

/// A record that carries a payload id, where it was read: partition and offset.
public struct PlacedRecord: Sendable, Equatable {
    public var id: UInt64
    public var partition: Int32
    public var offset: Int64

    public init(id: UInt64, partition: Int32, offset: Int64) {
        self.id = id
        self.partition = partition
        self.offset = offset
    }
}
