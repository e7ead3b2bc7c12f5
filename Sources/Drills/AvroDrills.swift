import Cluster
import Foundation
import KafkaClient
import Verification

/// KAF-03's Avro values: records of a schema made from a table's rows, sent single-object encoded, and
/// read back with the fingerprint and the decoding of each value.
public enum AvroDrills {
    /// A record of `schema` from a table row, each cell read as its field's type (an empty cell is null).
    public static func recordOf(_ schema: AvroSchema, header: [String], row: [String], line: Int) throws -> AvroValue {
        guard case .record(let name, let fields) = schema.root else { throw DrillFailure("the schema is not a record") }
        var values: [String: AvroValue] = [:]
        for (column, cell) in zip(header, row) {
            guard let field = fields.first(where: { $0.name == column }) else {
                throw DrillFailure(
                    "table column \"\(column)\" is not a field of \(name) "
                        + "(fields: \(fields.map(\.name).joined(separator: ", ")))")
            }
            guard let v = value(cell, as: schema.resolve(field.type), schema) else {
                throw DrillFailure("row \(line), column \(column): \"\(cell)\" is not a value of the field's type")
            }
            values[column] = v
        }
        return .record(values)
    }

    static func value(_ cell: String, as type: AvroType, _ schema: AvroSchema) -> AvroValue? {
        switch type {
        case .null: return cell.isEmpty ? .null : nil
        case .boolean: return Bool(cell).map(AvroValue.boolean)
        case .int: return Int32(cell).map(AvroValue.int)
        case .long: return Int64(cell).map(AvroValue.long)
        case .float: return Float(cell).map(AvroValue.float)
        case .double: return Double(cell).map(AvroValue.double)
        case .string: return .string(cell)
        case .bytes: return .bytes(Array(cell.utf8))
        case .enumeration(_, let symbols): return symbols.contains(cell) ? .enumSymbol(cell) : nil
        case .union(let branches):
            if cell.isEmpty, branches.contains(.null) { return .null }
            for b in branches where b != .null { if let v = value(cell, as: schema.resolve(b), schema) { return v } }
            return nil
        default: return nil
        }
    }

    /// Sends each row (header = field names) as a record keyed `field=value` by its first column; returns the
    /// records sent by key and a line per acknowledgement.
    public static func sendRows(
        _ rows: [[String]], header: [String], schema: AvroSchema, to topic: String, config: KafkaConfig
    ) async throws -> (sent: [String: AvroValue], log: [String]) {
        let producer = try Producer(config: config)
        defer { producer.close() }
        var sent: [String: AvroValue] = [:], log: [String] = []
        for (i, row) in rows.enumerated() {
            let value = try recordOf(schema, header: header, row: row, line: i + 2)
            let key = "\(header[0])=\(row[0])"
            let report = try await producer.send(
                topic: topic, key: Array(key.utf8),
                value: try schema.encodeSingleObject(value))
            sent[key] = value
            log.append("\(key) → partition \(report.partition) offset \(report.offset)")
        }
        return (sent, log)
    }

    /// Every keyed value of the topic, read to its end: the fingerprint it names and its decoding.
    public static func readBack(_ cluster: any Cluster, topic: String, partitions: Int32, schema: AvroSchema)
        async throws -> [Avro.ReadBack<AvroValue>]
    {
        try await LogEndReads.readTopic(cluster, topic: topic, partitions: partitions).compactMap { r in
            guard let key = r.keyString else { return nil }
            return Avro.ReadBack(
                key: key,
                fingerprint: Result { try AvroSchema.singleObjectFingerprint(r.value) }.mapError {
                    Avro.Failure("\($0)")
                },
                decoded: Result { try schema.decodeSingleObject(r.value) }.mapError { Avro.Failure("\($0)") })
        }
    }
}

extension AvroDrills {
    /// A parsed schema as the compatibility rules read it (KAF-09's schema evolution).
    public static func evolution(_ schema: AvroSchema) -> SchemaCompatibility.Schema {
        func node(_ type: AvroType) -> SchemaCompatibility.Node {
            switch type {
            case .null: .primitive("null")
            case .boolean: .primitive("boolean")
            case .int: .primitive("int")
            case .long: .primitive("long")
            case .float: .primitive("float")
            case .double: .primitive("double")
            case .bytes: .primitive("bytes")
            case .string: .primitive("string")
            case .record(let name, let fields):
                .record(
                    name: name,
                    fields: fields.map {
                        .init(name: $0.name, type: node($0.type), hasDefault: $0.hasDefault, aliases: $0.aliases)
                    })
            case .enumeration(let name, let symbols):
                .enumeration(name: name, symbols: symbols, default: schema.enumDefaults[name])
            case .array(let items): .array(node(items))
            case .map(let values): .map(node(values))
            case .union(let branches): .union(branches.map(node))
            case .fixed(let name, let size): .fixed(name: name, size: size)
            case .reference(let name): .reference(name)
            }
        }
        return .init(root: node(schema.root), named: schema.named.mapValues(node), aliases: schema.typeAliases)
    }
}
