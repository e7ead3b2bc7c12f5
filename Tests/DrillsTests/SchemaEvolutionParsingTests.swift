import Drills
import KafkaClient
import Testing
import Verification

/// What decides resolution is read from the schema's JSON: field defaults, field aliases, enum defaults.
@Suite("Schema evolution from Avro JSON")
struct SchemaEvolutionParsingTests {
    @Test func defaultsAndAliasesAreRead() throws {
        let schema = AvroDrills.evolution(
            try AvroSchema(
                json: #"{"type":"record","name":"Order","namespace":"shop","fields":["#
                    + #"{"name":"total","type":"int","aliases":["amount"],"default":0},"#
                    + #"{"name":"s","type":{"type":"enum","name":"S","symbols":["A","B"],"default":"A"}}]}"#))
        guard case .record(let name, let fields) = schema.root else {
            Issue.record("not a record: \(schema.root)")
            return
        }
        #expect(name == "shop.Order")
        #expect(fields.map(\.hasDefault) == [true, false])
        #expect(fields[0].aliases == ["amount"])
        #expect(fields[1].type == .enumeration(name: "shop.S", symbols: ["A", "B"], default: "A"))
        let old = AvroDrills.evolution(
            try AvroSchema(json: #"{"type":"record","name":"Order","namespace":"shop","fields":[]}"#))
        #expect(SchemaCompatibility.readProblems(reader: old, writer: schema).isEmpty)
        #expect(!SchemaCompatibility.readProblems(reader: schema, writer: old).isEmpty)  // s has no default
    }
}
