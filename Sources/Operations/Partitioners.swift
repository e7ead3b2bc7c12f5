/// The key → partition functions of Kafka clients, to say which keys move when partitions are added.
public enum Partitioner: String, Sendable, CaseIterable, Codable {
    /// librdkafka's default (`consistent_random` for keyed records): CRC-32 of the key.
    case crc32
    /// The Java client's default, and librdkafka's `murmur2_random`: Kafka's murmur2, positive.
    case murmur2

    public func partition(of key: [UInt8], count: Int) -> Int {
        switch self {
        case .crc32: Int(Self.crc32(key) % UInt32(count))
        case .murmur2: Int(Self.murmur2(key) & 0x7fff_ffff) % count
        }
    }

    static let crcTable: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 (IEEE 802.3), as librdkafka's rd_crc32.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    /// Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as a signed 32-bit value.
    public static func murmur2(_ data: [UInt8]) -> Int32 {
        let m: UInt32 = 0x5bd1_e995
        let length = data.count
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        var i = 0
        while i + 4 <= length {
            var k = UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
            k = k &* m
            k ^= k >> 24
            k = k &* m
            h = h &* m
            h ^= k
            i += 4
        }
        let tail = length & ~3
        switch length % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 1:
            h ^= UInt32(data[tail])
            h = h &* m
        default: break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }
}

/// Which keys read back from a topic change partition when it grows from `from` to `to` partitions.
/// The partitioner is the one that explains where every key was found; none may.
public struct KeyRemap: Sendable, Equatable {
    public struct Move: Sendable, Equatable {
        public var key: String
        public var from: Int32
        public var to: Int32
    }

    public let partitioner: Partitioner?
    public let moved: [Move]

    public init(placement: [String: Int32], from: Int, to: Int) {
        let found = Partitioner.allCases.first { p in
            placement.allSatisfy { p.partition(of: Array($0.key.utf8), count: from) == Int($0.value) }
        }
        partitioner = placement.isEmpty ? nil : found
        moved =
            found.map { p in
                placement.sorted { $0.key < $1.key }.compactMap { key, partition in
                    let next = Int32(p.partition(of: Array(key.utf8), count: to))
                    return next == partition ? nil : Move(key: key, from: partition, to: next)
                }
            } ?? []
    }
}
