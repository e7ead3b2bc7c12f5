import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// Sentences about Avro values with single-object encoding (KAF-03).
enum AvroSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.given(
            "the Avro schema:",
            doc: "The schema (JSON, as a doc string) that the next Avro steps write and read with; its "
                + "CRC-64-AVRO fingerprint and canonical form are attached.",
            example: "Given the Avro schema:"
        ) { ctx in
            guard let text = ctx.docString else { throw StepFailure("give the schema as a doc string under the step") }
            let schema: AvroSchema
            do { schema = try AvroSchema(json: text) } catch {
                throw StepFailure(
                    "the Avro schema is not valid: \(error)")
            }
            guard case .record = schema.root else {
                throw StepFailure(
                    "the Avro schema must be a record, to be filled from a table's columns")
            }
            ctx.world.update(AvroState.Key.self) { $0.schema = schema }
            ctx.attach(
                "| fingerprint (CRC-64-AVRO, little-endian) | canonical form |\n| --- | --- |\n| "
                    + "`\(schema.fingerprintHex)` | `\(schema.canonicalForm)` |",
                mediaType: "text/markdown")
        }

        code.when(
            "I send these records to {string} as Avro single-object encoded values:",
            doc: "Each table row (header = field names) becomes a record of the schema, keyed by its first "
                + "column; an empty cell is null.",
            example: #"When I send these records to "orders" as Avro single-object encoded values:"#
        ) { (ctx, topicName: String) in
            let topic = try ctx.topic(topicName)
            guard let schema = ctx.world[AvroState.Key.self].schema else {
                throw StepFailure(
                    "no Avro schema yet: start with \"Given the Avro schema:\"")
            }
            guard let table = ctx.dataTable, let header = table.first, table.count > 1 else {
                throw StepFailure("give the records as a table with a header row of field names")
            }
            let (sent, log) = try await AvroDrills.sendRows(
                Array(table.dropFirst()), header: header, schema: schema, to: topic,
                config: try ctx.cluster().config(["acks": "all"]))
            ctx.world.update(AvroState.Key.self) { $0.sent.merge(sent) { $1 } }
            for line in log { ctx.log(line) }
        }

        code.then(
            "every value read back from {string} names the schema's fingerprint and decodes to the record sent",
            doc: "Reads the topic: each value starts with C3 01 and the schema's fingerprint, and decodes to "
                + "exactly the record sent under its key.",
            example: #"Then every value read back from "orders" names the schema's fingerprint and decodes to "#
                + #"the record sent"#
        ) { (ctx, name: String) in
            let topic = try ctx.topic(name)
            let (schema, sent) = (ctx.world[AvroState.Key.self].schema, ctx.world[AvroState.Key.self].sent)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            guard let schema else { throw StepFailure("no Avro records were sent in this scenario") }
            let read = try await AvroDrills.readBack(
                try ctx.cluster(), topic: topic, partitions: partitions, schema: schema)
            try Avro.readBack(sent: sent, read: read, schemaFingerprint: schema.fingerprint).enforce()
        }
    }
}

/// What a scenario's Avro steps remember: the schema, and each record sent by key.
struct AvroState: Sendable {
    enum Key: WorldKey { static var defaultValue: AvroState { AvroState() } }
    var schema: AvroSchema?
    var sent: [String: AvroValue] = [:]
}
