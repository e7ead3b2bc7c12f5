import Foundation

/// Apache Avro values for Kafka records: schemas parsed from JSON, their Parsing Canonical Form and
/// CRC-64-AVRO fingerprint, binary encoding, and single-object encoding (a two-byte marker, the
/// schema's fingerprint, then the binary value) so that a record names its schema without a registry.
/// Written here because no Swift Avro library is available to the project; it follows the Avro 1.11
/// specification and its fingerprints are checked against Apache Avro's own Python library.
public struct AvroError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}

public indirect enum AvroType: Sendable, Equatable {
    case null, boolean, int, long, float, double, bytes, string
    case record(name: String, fields: [AvroField])
    case enumeration(name: String, symbols: [String])
    case array(AvroType)
    case map(AvroType)
    case union([AvroType])
    case fixed(name: String, size: Int)
    /// A named type used again after its definition (or inside it: a recursive record).
    case reference(String)
}

public struct AvroField: Sendable, Equatable {
    public let name: String
    public let type: AvroType
    /// Whether the field declares a default: a reader uses it when the writer has no such field.
    public var hasDefault = false
    public var aliases: [String] = []
}

public indirect enum AvroValue: Sendable, Equatable {
    case null
    case boolean(Bool)
    case int(Int32)
    case long(Int64)
    case float(Float)
    case double(Double)
    case bytes([UInt8])
    case string(String)
    case record([String: AvroValue])
    case enumSymbol(String)
    case array([AvroValue])
    case map([String: AvroValue])
    case fixed([UInt8])
}

public struct AvroSchema: Sendable, Equatable {
    public let root: AvroType
    /// Every named type by its full name (a `.reference` names one).
    public let named: [String: AvroType]
    /// The default symbol of each enum that declares one, by the enum's full name.
    public let enumDefaults: [String: String]
    /// The full names a named type is also known by (its `aliases`), by its full name.
    public let typeAliases: [String: [String]]

    /// What the schema says that the types do not hold: defaults and aliases, for schema resolution.
    struct Extras {
        var enumDefaults: [String: String] = [:]
        var typeAliases: [String: [String]] = [:]
    }
    /// The schema's Parsing Canonical Form: full names, only the attributes that matter to reading,
    /// in a fixed order, no whitespace; each named type spelled out once, then referred to by name.
    public let canonicalForm: String
    /// The 64-bit Rabin fingerprint ("CRC-64-AVRO") of the canonical form, computed once: every
    /// single-object encoded record carries it.
    public let fingerprint: UInt64

    /// Parses a schema from its JSON text.
    public init(json: String) throws {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) } catch {
            throw AvroError("the schema is not JSON: \(error.localizedDescription)")
        }
        var named: [String: AvroType] = [:]
        var extras = Extras()
        root = try Self.parse(object, namespace: nil, named: &named, extras: &extras)
        self.named = named
        enumDefaults = extras.enumDefaults
        typeAliases = extras.typeAliases
        var seen = Set<String>()
        canonicalForm = Self.canonical(root, seen: &seen)
        fingerprint = Self.rabin(canonicalForm)
    }

    private static let primitives: [String: AvroType] = [
        "null": .null, "boolean": .boolean, "int": .int, "long": .long, "float": .float, "double": .double,
        "bytes": .bytes, "string": .string,
    ]

    private static func fullName(_ name: String, _ namespace: String?) -> String {
        name.contains(".") || (namespace ?? "").isEmpty ? name : "\(namespace!).\(name)"
    }

    private static func parse(
        _ json: Any, namespace: String?, named: inout [String: AvroType], extras: inout Extras
    ) throws -> AvroType {
        if let name = json as? String {
            if let p = primitives[name] { return p }
            let full = fullName(name, namespace)
            if named[full] != nil { return .reference(full) }
            if named[name] != nil { return .reference(name) }
            throw AvroError("unknown type \"\(name)\"")
        }
        if let branches = json as? [Any] {
            return .union(
                try branches.map { try parse($0, namespace: namespace, named: &named, extras: &extras) })
        }
        guard let object = json as? [String: Any], let type = object["type"] else {
            throw AvroError("a schema is a type name, an array (union) or an object with a \"type\"")
        }
        guard let typeName = type as? String else {
            return try parse(type, namespace: namespace, named: &named, extras: &extras)
        }
        func name() throws -> (full: String, namespace: String?) {
            guard let n = object["name"] as? String, !n.isEmpty else {
                throw AvroError("a \(typeName) needs a \"name\"")
            }
            let ns = (object["namespace"] as? String) ?? namespace
            let full = fullName(n, ns)
            let enclosing = full.contains(".") ? String(full[..<full.lastIndex(of: ".")!]) : nil
            if let aliases = object["aliases"] as? [String] {
                extras.typeAliases[full] = aliases.map { fullName($0, enclosing) }
            }
            return (full, enclosing)
        }
        switch typeName {
        case "record", "error":
            let (full, ns) = try name()
            named[full] = .reference(full)  // visible to its own fields
            guard let fields = object["fields"] as? [[String: Any]] else {
                throw AvroError("record \(full) needs \"fields\"")
            }
            var names = Set<String>()
            let parsed = try fields.map { f -> AvroField in
                guard let n = f["name"] as? String, let t = f["type"] else {
                    throw AvroError("a field of \(full) needs a \"name\" and a \"type\"")
                }
                guard names.insert(n).inserted else { throw AvroError("record \(full) has two fields named \(n)") }
                let type = try parse(t, namespace: ns, named: &named, extras: &extras)
                if let value = f["default"], !Self.defaultFits(value, type, named: named) {
                    throw AvroError(
                        "the default of field \(n) of \(full) is not a value of its type (of a union's first branch)")
                }
                return AvroField(
                    name: n, type: type, hasDefault: f.keys.contains("default"),
                    aliases: f["aliases"] as? [String] ?? [])
            }
            let record = AvroType.record(name: full, fields: parsed)
            named[full] = record
            return record
        case "enum":
            let (full, _) = try name()
            guard let symbols = object["symbols"] as? [String] else {
                throw AvroError("enum \(full) needs \"symbols\"")
            }
            guard Set(symbols).count == symbols.count else { throw AvroError("enum \(full) lists a symbol twice") }
            named[full] = .enumeration(name: full, symbols: symbols)
            if let fallback = object["default"] {
                guard let symbol = fallback as? String, symbols.contains(symbol) else {
                    throw AvroError("the default of enum \(full) is not one of its symbols")
                }
                extras.enumDefaults[full] = symbol
            }
            return named[full]!
        case "fixed":
            let (full, _) = try name()
            guard let size = object["size"] as? Int, size >= 0 else {
                throw AvroError("fixed \(full) needs a \"size\"")
            }
            named[full] = .fixed(name: full, size: size)
            return named[full]!
        case "array":
            guard let items = object["items"] else { throw AvroError("an array needs \"items\"") }
            return .array(try parse(items, namespace: namespace, named: &named, extras: &extras))
        case "map":
            guard let values = object["values"] else { throw AvroError("a map needs \"values\"") }
            return .map(try parse(values, namespace: namespace, named: &named, extras: &extras))
        default:
            return try parse(typeName, namespace: namespace, named: &named, extras: &extras)
        }
    }

    /// Whether a field's JSON default is a value of its type (Avro: of a union's first branch). Numbers and
    /// booleans both come from JSON as NSNumber: a number where a boolean is due is not caught.
    static func defaultFits(_ value: Any, _ type: AvroType, named: [String: AvroType]) -> Bool {
        var resolved = type
        if case .reference(let name) = type, let t = named[name] { resolved = t }
        switch resolved {
        case .null: return value is NSNull
        case .boolean: return value is NSNumber
        case .int, .long:
            guard let n = value as? NSNumber, !(value is String) else { return false }
            return n.doubleValue == n.doubleValue.rounded()
                && (resolved == .long || (Double(Int32.min)...Double(Int32.max)).contains(n.doubleValue))
        case .float, .double: return value is NSNumber && !(value is String)
        case .bytes, .string, .fixed: return value is String
        case .enumeration(_, let symbols): return (value as? String).map(symbols.contains) ?? false
        case .array(let items):
            return (value as? [Any])?.allSatisfy { defaultFits($0, items, named: named) } ?? false
        case .map(let values):
            return (value as? [String: Any])?.values.allSatisfy { defaultFits($0, values, named: named) } ?? false
        case .union(let branches): return branches.first.map { defaultFits(value, $0, named: named) } ?? false
        case .record: return value is [String: Any]
        case .reference: return true  // a record's own type, still being defined: its value is not checked
        }
    }

    public func resolve(_ type: AvroType) -> AvroType {
        if case .reference(let name) = type, let t = named[name] { return t }
        return type
    }

    // MARK: Parsing Canonical Form and fingerprint

    private static func quoted(_ s: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }

    private static func canonical(_ type: AvroType, seen: inout Set<String>) -> String {
        switch type {
        case .null: return #""null""#
        case .boolean: return #""boolean""#
        case .int: return #""int""#
        case .long: return #""long""#
        case .float: return #""float""#
        case .double: return #""double""#
        case .bytes: return #""bytes""#
        case .string: return #""string""#
        case .reference(let name): return quoted(name)
        case .array(let items): return #"{"type":"array","items":"# + canonical(items, seen: &seen) + "}"
        case .map(let values): return #"{"type":"map","values":"# + canonical(values, seen: &seen) + "}"
        case .union(let branches): return "[" + branches.map { canonical($0, seen: &seen) }.joined(separator: ",") + "]"
        case .record(let name, let fields):
            if !seen.insert(name).inserted { return quoted(name) }
            let f = fields.map { #"{"name":"# + quoted($0.name) + #","type":"# + canonical($0.type, seen: &seen) + "}" }
            return #"{"name":"# + quoted(name) + #","type":"record","fields":["# + f.joined(separator: ",") + "]}"
        case .enumeration(let name, let symbols):
            if !seen.insert(name).inserted { return quoted(name) }
            return #"{"name":"# + quoted(name) + #","type":"enum","symbols":["#
                + symbols.map(quoted).joined(separator: ",") + "]}"
        case .fixed(let name, let size):
            if !seen.insert(name).inserted { return quoted(name) }
            return #"{"name":"# + quoted(name) + #","type":"fixed","size":\#(size)}"#
        }
    }

    private static let crc64Table: [UInt64] = (0..<256).map { i in
        var fp = UInt64(i)
        for _ in 0..<8 { fp = (fp >> 1) ^ (crc64Empty & (0 &- (fp & 1))) }
        return fp
    }
    private static let crc64Empty: UInt64 = 0xc15d_213a_a4d7_a795

    private static func rabin(_ text: String) -> UInt64 {
        var fp = crc64Empty
        for byte in text.utf8 { fp = (fp >> 8) ^ crc64Table[Int((fp ^ UInt64(byte)) & 0xff)] }
        return fp
    }

    /// The fingerprint as the specification writes it in single-object encoding: eight bytes, little-endian, in hex.
    public var fingerprintHex: String {
        withUnsafeBytes(of: fingerprint.littleEndian) { $0.map { String(format: "%02x", $0) }.joined() }
    }

    // MARK: Binary encoding

    public func encode(_ value: AvroValue) throws -> [UInt8] {
        var out: [UInt8] = []
        try encode(value, as: root, into: &out, path: "value")
        return out
    }

    private static func zigzag(_ n: Int64, into out: inout [UInt8]) {
        var v = UInt64(bitPattern: (n << 1) ^ (n >> 63))
        while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    private func encode(_ value: AvroValue, as type: AvroType, into out: inout [UInt8], path: String) throws {
        func mismatch() -> AvroError {
            var seen = Set<String>()
            return AvroError("\(path): \(value) does not fit \(Self.canonical(type, seen: &seen))")
        }
        switch (resolve(type), value) {
        case (.null, .null): break
        case (.boolean, .boolean(let b)): out.append(b ? 1 : 0)
        case (.int, .int(let i)): Self.zigzag(Int64(i), into: &out)
        case (.long, .long(let l)): Self.zigzag(l, into: &out)
        case (.long, .int(let i)): Self.zigzag(Int64(i), into: &out)
        case (.float, .float(let f)): withUnsafeBytes(of: f.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        case (.double, .double(let d)): withUnsafeBytes(of: d.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        case (.bytes, .bytes(let b)): Self.zigzag(Int64(b.count), into: &out); out.append(contentsOf: b)
        case (.string, .string(let s)): Self.zigzag(Int64(s.utf8.count), into: &out); out.append(contentsOf: s.utf8)
        case (.fixed(_, let size), .fixed(let b)) where b.count == size: out.append(contentsOf: b)
        case (.enumeration(_, let symbols), .enumSymbol(let s)):
            guard let i = symbols.firstIndex(of: s) else { throw mismatch() }
            Self.zigzag(Int64(i), into: &out)
        case (.record(let name, let fields), .record(let values)):
            if let extra = Set(values.keys).subtracting(fields.map(\.name)).sorted().first {
                throw AvroError("\(path): \(name) has no field \"\(extra)\"")
            }
            for f in fields {
                try encode(values[f.name] ?? .null, as: f.type, into: &out, path: "\(path).\(f.name)")
            }
        case (.array(let items), .array(let values)):
            if !values.isEmpty {
                Self.zigzag(Int64(values.count), into: &out)
                for (i, v) in values.enumerated() { try encode(v, as: items, into: &out, path: "\(path)[\(i)]") }
            }
            out.append(0)
        case (.map(let valueType), .map(let values)):
            if !values.isEmpty {
                Self.zigzag(Int64(values.count), into: &out)
                for (k, v) in values.sorted(by: { $0.key < $1.key }) {
                    Self.zigzag(Int64(k.utf8.count), into: &out); out.append(contentsOf: k.utf8)
                    try encode(v, as: valueType, into: &out, path: "\(path)[\(k)]")
                }
            }
            out.append(0)
        case (.union(let branches), _):
            guard let i = branches.firstIndex(where: { fits(value, resolve($0)) }) else { throw mismatch() }
            Self.zigzag(Int64(i), into: &out)
            try encode(value, as: branches[i], into: &out, path: path)
        default:
            throw mismatch()
        }
    }

    private func fits(_ value: AvroValue, _ type: AvroType) -> Bool {
        switch (type, value) {
        case (.null, .null), (.boolean, .boolean), (.int, .int), (.long, .long), (.long, .int), (.float, .float),
            (.double, .double),
            (.bytes, .bytes), (.string, .string), (.fixed, .fixed), (.enumeration, .enumSymbol), (.record, .record),
            (.array, .array),
            (.map, .map):
            return true
        default:
            return false
        }
    }

    // MARK: Binary decoding

    public func decode(_ bytes: [UInt8]) throws -> AvroValue {
        var reader = Reader(bytes: bytes)
        let value = try decode(root, from: &reader, path: "value")
        guard reader.offset == bytes.count else {
            throw AvroError("\(bytes.count - reader.offset) bytes left over after the value")
        }
        return value
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func take(_ n: Int, _ path: String) throws -> ArraySlice<UInt8> {
            guard n >= 0, offset + n <= bytes.count else {
                throw AvroError("\(path): the data ends early (needs \(n) bytes at \(offset))")
            }
            defer { offset += n }
            return bytes[offset..<(offset + n)]
        }

        mutating func long(_ path: String) throws -> Int64 {
            var shift: UInt64 = 0, v: UInt64 = 0
            while true {
                let b = try take(1, path).first!
                guard shift < 64 else { throw AvroError("\(path): a variable-length integer longer than 10 bytes") }
                v |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { break }
                shift += 7
            }
            return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
        }

        mutating func length(_ path: String) throws -> Int {
            let n = try long(path)
            guard n >= 0, n <= Int64(bytes.count - offset) else {
                throw AvroError("\(path): length \(n) exceeds the data")
            }
            return Int(n)
        }
    }

    private func decode(_ type: AvroType, from r: inout Reader, path: String) throws -> AvroValue {
        switch resolve(type) {
        case .null: return .null
        case .boolean:
            let b = try r.take(1, path).first!
            guard b <= 1 else { throw AvroError("\(path): boolean byte \(b)") }
            return .boolean(b == 1)
        case .int:
            let l = try r.long(path)
            guard let i = Int32(exactly: l) else { throw AvroError("\(path): \(l) does not fit an int") }
            return .int(i)
        case .long: return .long(try r.long(path))
        case .float:
            let b = try r.take(4, path)
            return .float(Float(bitPattern: b.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
        case .double:
            let b = try r.take(8, path)
            return .double(Double(bitPattern: b.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
        case .bytes: return .bytes(Array(try r.take(try r.length(path), path)))
        case .string:
            let b = try r.take(try r.length(path), path)
            guard let s = String(validating: b, as: UTF8.self) else {
                throw AvroError("\(path): a string that is not UTF-8")
            }
            return .string(s)
        case .fixed(_, let size): return .fixed(Array(try r.take(size, path)))
        case .enumeration(let name, let symbols):
            let i = try r.long(path)
            guard i >= 0, i < symbols.count else { throw AvroError("\(path): \(name) has no symbol \(i)") }
            return .enumSymbol(symbols[Int(i)])
        case .record(_, let fields):
            var values: [String: AvroValue] = [:]
            for f in fields { values[f.name] = try decode(f.type, from: &r, path: "\(path).\(f.name)") }
            return .record(values)
        case .array(let items):
            var values: [AvroValue] = []
            while true {
                var n = try r.long(path)
                if n == 0 { break }
                if n < 0 { n = -n; _ = try r.long(path) }  // a negative count is followed by the block's size
                for _ in 0..<n { values.append(try decode(items, from: &r, path: "\(path)[\(values.count)]")) }
            }
            return .array(values)
        case .map(let valueType):
            var values: [String: AvroValue] = [:]
            while true {
                var n = try r.long(path)
                if n == 0 { break }
                if n < 0 { n = -n; _ = try r.long(path) }
                for _ in 0..<n {
                    guard case .string(let k) = try decode(.string, from: &r, path: path) else { continue }
                    values[k] = try decode(valueType, from: &r, path: "\(path)[\(k)]")
                }
            }
            return .map(values)
        case .union(let branches):
            let i = try r.long(path)
            guard i >= 0, i < branches.count else { throw AvroError("\(path): the union has no branch \(i)") }
            return try decode(branches[Int(i)], from: &r, path: path)
        case .reference(let name):
            throw AvroError("\(path): unknown named type \(name)")
        }
    }

    // MARK: Single-object encoding

    static let singleObjectMarker: [UInt8] = [0xC3, 0x01]

    /// Marker, fingerprint (little-endian), then the binary value.
    public func encodeSingleObject(_ value: AvroValue) throws -> [UInt8] {
        var out = Self.singleObjectMarker
        withUnsafeBytes(of: fingerprint.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: try encode(value))
        return out
    }

    /// The fingerprint a single-object encoded record names, or an error when it is not one.
    public static func singleObjectFingerprint(_ bytes: [UInt8]) throws -> UInt64 {
        guard bytes.count >= 10, Array(bytes.prefix(2)) == singleObjectMarker else {
            throw AvroError("not Avro single-object encoding (it starts with C3 01 and an 8-byte fingerprint)")
        }
        return bytes[2..<10].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// Decodes a single-object encoded record written with this schema.
    public func decodeSingleObject(_ bytes: [UInt8]) throws -> AvroValue {
        let fp = try Self.singleObjectFingerprint(bytes)
        guard fp == fingerprint else {
            throw AvroError(
                String(
                    format: "the record names schema fingerprint %016llx, not this schema's %016llx", fp, fingerprint))
        }
        return try decode(Array(bytes.dropFirst(10)))
    }
}
