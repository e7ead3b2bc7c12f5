import Foundation

/// A field value of a Connect record as the JSON converter writes it (schemas disabled).
public enum FieldValue: Sendable, Equatable, CustomStringConvertible {
    case string(String), int(Int64), double(Double), bool(Bool), null

    public var description: String {
        switch self {
        case .string(let s): "\"\(s)\""
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): String(b)
        case .null: "null"
        }
    }
}

/// A single message transform of Kafka Connect's bundled set (org.apache.kafka.connect.transforms),
/// applied to a record value as Kafka documents it. This is the oracle's own model of the transforms,
/// written from their documentation, not a call into Connect.
public enum MessageTransform: Sendable, Equatable {
    /// HoistField$Value: wraps a primitive value in a struct under `field`.
    case hoist(field: String)
    /// InsertField$Value with `static.field` and `static.value`.
    case insertStatic(field: String, value: String)
    /// Cast$Value: `spec` as Connect writes it, `field:type,…` (int8…int64, float32, float64, boolean, string).
    case cast(spec: [(field: String, type: String)])
    /// ReplaceField$Value: `exclude`, then `include` (when not empty), then `renames` (from:to).
    case replace(exclude: [String], include: [String], renames: [(from: String, to: String)])

    public static func == (a: Self, b: Self) -> Bool { "\(a)" == "\(b)" }

    /// The transform's Connect configuration under its alias, e.g. `transforms.enrich.type`.
    public func connectConfig(alias: String) -> [String: String] {
        let p = "transforms.\(alias)."
        switch self {
        case .hoist(let field):
            return [p + "type": "org.apache.kafka.connect.transforms.HoistField$Value", p + "field": field]
        case .insertStatic(let field, let value):
            return [
                p + "type": "org.apache.kafka.connect.transforms.InsertField$Value",
                p + "static.field": field, p + "static.value": value,
            ]
        case .cast(let spec):
            return [
                p + "type": "org.apache.kafka.connect.transforms.Cast$Value",
                p + "spec": spec.map { "\($0.field):\($0.type)" }.joined(separator: ","),
            ]
        case .replace(let exclude, let include, let renames):
            var c = [p + "type": "org.apache.kafka.connect.transforms.ReplaceField$Value"]
            if !exclude.isEmpty { c[p + "exclude"] = exclude.joined(separator: ",") }
            if !include.isEmpty { c[p + "include"] = include.joined(separator: ",") }
            if !renames.isEmpty { c[p + "renames"] = renames.map { "\($0.from):\($0.to)" }.joined(separator: ",") }
            return c
        }
    }

    /// The value after this transform, or why Connect would reject the record.
    public func apply(_ value: Record) -> Result<Record, TransformError> {
        switch (self, value) {
        case (.hoist(let field), .primitive(let v)):
            return .success(.fields([(field, v)]))
        case (.hoist, .fields):
            return .failure(TransformError("HoistField got a struct; it wraps a primitive value"))
        case (_, .primitive):
            return .failure(TransformError("\(name) needs a struct or map value, got a primitive"))
        case (.insertStatic(let field, let v), .fields(let fields)):
            return .success(.fields(fields.filter { $0.0 != field } + [(field, .string(v))]))
        case (.cast(let spec), .fields(var fields)):
            for (field, type) in spec {
                guard let i = fields.firstIndex(where: { $0.0 == field }) else { continue }
                switch Self.cast(fields[i].1, to: type) {
                case .success(let v): fields[i].1 = v
                case .failure(let e): return .failure(e)
                }
            }
            return .success(.fields(fields))
        case (.replace(let exclude, let include, let renames), .fields(let fields)):
            let kept = fields.filter { !exclude.contains($0.0) && (include.isEmpty || include.contains($0.0)) }
            return .success(.fields(kept.map { f in (renames.first { $0.from == f.0 }?.to ?? f.0, f.1) }))
        }
    }

    var name: String {
        switch self {
        case .hoist: "HoistField"
        case .insertStatic: "InsertField"
        case .cast: "Cast"
        case .replace: "ReplaceField"
        }
    }

    static func cast(_ v: FieldValue, to type: String) -> Result<FieldValue, TransformError> {
        let text: String
        switch v {
        case .string(let s): text = s.trimmingCharacters(in: .whitespaces)
        case .int(let i): text = String(i)
        case .double(let d): text = String(d)
        case .bool(let b): text = String(b)
        case .null: return .success(.null)
        }
        switch type {
        case "int8", "int16", "int32", "int64":
            if let i = Int64(text) { return .success(.int(i)) }
            if case .double(let d) = v { return .success(.int(Int64(d))) }
        case "float32", "float64":
            if let d = Double(text) { return .success(.double(d)) }
        case "boolean":
            if let b = Bool(text) { return .success(.bool(b)) }
        case "string":
            return .success(.string(text))
        default:
            return .failure(TransformError("Cast to unknown type \(type)"))
        }
        return .failure(TransformError("Cast cannot turn \(v) into \(type)"))
    }
}

/// A record value: a primitive (what the file source reads: one line) or a struct's fields in order.
public enum Record: Sendable, Equatable, CustomStringConvertible {
    case primitive(FieldValue)
    case fields([(String, FieldValue)])

    public static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.primitive(let x), .primitive(let y)): x == y
        // JSON objects compare by content: the converter's field order is not part of the claim.
        case (.fields(let x), .fields(let y)):
            x.count == y.count
                && Dictionary(x, uniquingKeysWith: { a, _ in a })
                    == Dictionary(y, uniquingKeysWith: { a, _ in a })
        default: false
        }
    }

    public var description: String {
        switch self {
        case .primitive(let v): v.description
        case .fields(let f): "{" + f.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
    }
}

public struct TransformError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A chain of transforms and what it must produce from the source's records.
public struct TransformChain: Sendable {
    public var transforms: [MessageTransform]

    public init(_ transforms: [MessageTransform]) { self.transforms = transforms }

    public func apply(_ record: Record) -> Result<Record, TransformError> {
        transforms.reduce(.success(record)) { result, t in result.flatMap { t.apply($0) } }
    }

    /// The source's records through the chain, compared in order with the records read back from the
    /// topic: every source record arrives once, transformed as the chain says, and nothing else does.
    public func verdict(source: [Record], observed: [Record]) -> Verdict {
        guard !source.isEmpty else { return .fails("the source had no records, so no transform was checked") }
        var problems: [String] = []
        var expected: [Record] = []
        for (i, r) in source.enumerated() {
            switch apply(r) {
            case .success(let out): expected.append(out)
            case .failure(let e): problems.append("source record \(i + 1) (\(r)) cannot pass the chain: \(e)")
            }
        }
        if expected == source {
            problems.append("the chain leaves every source record as it is, so the transform was not checked")
        }
        for (i, (e, o)) in zip(expected, observed).enumerated() where e != o {
            problems.append("record \(i + 1): expected \(e), read \(o)")
            if problems.count > 5 { break }
        }
        if observed.count < expected.count {
            problems.append(
                "\(expected.count - observed.count) of \(expected.count) records did not arrive, "
                    + "from \(expected[observed.count])")
        } else if observed.count > expected.count {
            problems.append(
                "\(observed.count - expected.count) records more than the source had, from "
                    + "\(observed[expected.count])")
        }
        return Verdict(problems)
    }
}
