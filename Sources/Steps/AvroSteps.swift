import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// Sentences about Avro values with single-object encoding (KAF-03).
enum AvroSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.given("the Avro schema:",
                   doc: "The schema (JSON, as a doc string) that the next Avro steps write and read with; its CRC-64-AVRO fingerprint and canonical form are attached.",
                   example: "Given the Avro schema:") { ctx in
            guard let text = ctx.docString else { throw StepFailure("give the schema as a doc string under the step") }
            let schema: AvroSchema
            do { schema = try AvroSchema(json: text) } catch { throw StepFailure("the Avro schema is not valid: \(error)") }
            guard case .record = schema.root else { throw StepFailure("the Avro schema must be a record, to be filled from a table's columns") }
            ctx.world.update(AvroState.Key.self) { $0.schema = schema }
            ctx.attach("| fingerprint (CRC-64-AVRO, little-endian) | canonical form |\n| --- | --- |\n| `\(schema.fingerprintHex)` | `\(schema.canonicalForm)` |",
                       mediaType: "text/markdown")
        }

        code.when("I send these records to {string} as Avro single-object encoded values:",
                  doc: "Each table row (header = field names) becomes a record of the schema, keyed by its first column; an empty cell is null.",
                  example: #"When I send these records to "orders" as Avro single-object encoded values:"#
        ) { (ctx, topicName: String) in
            let topic = try ctx.topic(topicName)
            guard let schema = ctx.world[AvroState.Key.self].schema else { throw StepFailure("no Avro schema yet: start with \"Given the Avro schema:\"") }
            guard let table = ctx.dataTable, let header = table.first, table.count > 1 else {
                throw StepFailure("give the records as a table with a header row of field names")
            }
            let producer = try Producer(config: try ctx.cluster().config(["acks": "all"]))
            defer { producer.close() }
            for (i, row) in table.dropFirst().enumerated() {
                let value = try record(schema, header: header, row: row, line: i + 2)
                let key = "\(header[0])=\(row[0])"
                let report = try await producer.send(topic: topic, key: Array(key.utf8), value: try schema.encodeSingleObject(value))
                ctx.world.update(AvroState.Key.self) { $0.sent[key] = value }
                ctx.log("\(key) → partition \(report.partition) offset \(report.offset)")
            }
        }

        code.then("every value read back from {string} names the schema's fingerprint and decodes to the record sent",
                  doc: "Reads the topic: each value starts with C3 01 and the schema's fingerprint, and decodes to exactly the record sent under its key.",
                  example: #"Then every value read back from "orders" names the schema's fingerprint and decodes to the record sent"#
        ) { (ctx, name: String) in
            let topic = try ctx.topic(name)
            let (schema, sent) = (ctx.world[AvroState.Key.self].schema, ctx.world[AvroState.Key.self].sent)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            guard let schema else { throw StepFailure("no Avro records were sent in this scenario") }
            let records = try await ConsumingSteps.readTopic(ctx, topic: topic, partitions: partitions)
            let read = records.compactMap { r -> Avro.ReadBack<AvroValue>? in
                guard let key = r.keyString else { return nil }
                return Avro.ReadBack(
                    key: key,
                    fingerprint: Result { try AvroSchema.singleObjectFingerprint(r.value) }
                        .mapError { Avro.Failure("\($0)") },
                    decoded: Result { try schema.decodeSingleObject(r.value) }.mapError { Avro.Failure("\($0)") })
            }
            try Avro.readBack(sent: sent, read: read, schemaFingerprint: schema.fingerprint).enforce()
        }
    }

    /// A record of `schema` from a table row, each cell read as its field's type.
    static func record(_ schema: AvroSchema, header: [String], row: [String], line: Int) throws -> AvroValue {
        guard case .record(let name, let fields) = schema.root else { throw StepFailure("the schema is not a record") }
        var values: [String: AvroValue] = [:]
        for (column, cell) in zip(header, row) {
            guard let field = fields.first(where: { $0.name == column }) else {
                throw StepFailure("table column \"\(column)\" is not a field of \(name) (fields: \(fields.map(\.name).joined(separator: ", ")))")
            }
            guard let v = value(cell, as: schema.resolve(field.type), schema) else {
                throw StepFailure("row \(line), column \(column): \"\(cell)\" is not a value of the field's type")
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
}

/// What a scenario's Avro steps remember: the schema, and each record sent by key.
struct AvroState: Sendable {
    enum Key: WorldKey { static var defaultValue: AvroState { AvroState() } }
    var schema: AvroSchema?
    var sent: [String: AvroValue] = [:]
}
