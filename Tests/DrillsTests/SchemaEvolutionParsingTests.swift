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

    /// Found by a new user's trial: a record or enum renamed with an alias naming the old type resolves.
    @Test func aRenamedRecordResolvesThroughTheReadersAlias() throws {
        let old = AvroDrills.evolution(
            try AvroSchema(json: #"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"}]}"#))
        let renamed = AvroDrills.evolution(
            try AvroSchema(
                json: #"{"type":"record","name":"Purchase","namespace":"shop","aliases":["Order"],"#
                    + #""fields":[{"name":"id","type":"string"}]}"#))
        #expect(SchemaCompatibility.readProblems(reader: renamed, writer: old).isEmpty)
        #expect(SchemaCompatibility.readProblems(reader: old, writer: renamed) == ["record Purchase written, record Order read"])
        let status = #"{"type":"record","name":"R","fields":[{"name":"s","type":{"type":"enum","name":"Status","symbols":["A"]}}]}"#
        let state = #"{"type":"record","name":"R","fields":[{"name":"s","type":{"type":"enum","name":"State","#
            + #""aliases":["Status"],"symbols":["A"]}}]}"#
        #expect(SchemaCompatibility.readProblems(
            reader: AvroDrills.evolution(try AvroSchema(json: state)), writer: AvroDrills.evolution(try AvroSchema(json: status))).isEmpty)
    }

    /// Found by a new user's trial: schemas a registry refuses are refused here too.
    @Test func invalidDefaultsDuplicateFieldsAndUnknownEnumDefaultsAreRefused() throws {
        func record(_ fields: String) -> String { #"{"type":"record","name":"R","fields":["# + fields + "]}" }
        for (json, message) in [
            (record(#"{"name":"q","type":"int","default":"abc"}"#), "the default of field q of R is not a value"),
            (record(#"{"name":"q","type":["string","null"],"default":null}"#), "the default of field q of R is not a value"),
            (record(#"{"name":"q","type":"int","default":1.5}"#), "the default of field q of R is not a value"),
            (record(#"{"name":"id","type":"int"},{"name":"id","type":"long"}"#), "record R has two fields named id"),
            (#"{"type":"enum","name":"E","symbols":["A","B"],"default":"Z"}"#, "the default of enum E is not one of"),
            (#"{"type":"enum","name":"E","symbols":["A","A"]}"#, "enum E lists a symbol twice"),
        ] {
            #expect(throws: AvroError.self, "\(json)") { try AvroSchema(json: json) }
            do { _ = try AvroSchema(json: json) } catch { #expect("\(error)".hasPrefix(message), "\(error)") }
        }
        // Valid defaults of every kind are accepted.
        _ = try AvroSchema(
            json: record(
                #"{"name":"a","type":"boolean","default":true},{"name":"b","type":"int","default":5},"#
                    + #"{"name":"c","type":"long","default":10000000000},{"name":"d","type":"double","default":1.5},"#
                    + #"{"name":"e","type":"string","default":""},{"name":"f","type":["null","string"],"default":null},"#
                    + #"{"name":"g","type":{"type":"array","items":"int"},"default":[1,2]},"#
                    + #"{"name":"h","type":{"type":"map","values":"string"},"default":{"k":"v"}},"#
                    + #"{"name":"i","type":{"type":"enum","name":"E","symbols":["X","Y"]},"default":"Y"}"#))
    }
}
