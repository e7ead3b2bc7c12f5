import Foundation
@testable import KafkaClient
import Testing

/// Avro against an independent implementation: every expected canonical form, fingerprint and
/// encoding below was produced by Apache Avro's Python library (avro 1.12.0) from the same schema
/// and value.
@Suite("Avro")
struct AvroTests {
    static let order = #"{"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "id", "type": "long"}, {"name": "customer", "type": "string"}, {"name": "amount", "type": "double"}, {"name": "note", "type": ["null", "string"], "default": null}]}"#
    static let event = #"{"type": "record", "name": "Event", "namespace": "k.bdd", "doc": "ignored", "fields": [{"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["CREATED", "PAID", "SHIPPED"]}}, {"name": "tags", "type": {"type": "array", "items": "string"}}, {"name": "attrs", "type": {"type": "map", "values": "int"}}, {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 4}}, {"name": "ok", "type": "boolean"}, {"name": "ratio", "type": "float"}, {"name": "raw", "type": "bytes"}, {"name": "next", "type": ["null", "Event"]}, {"name": "again", "type": "Kind"}]}"#

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func canonicalFormAndFingerprintMatchApacheAvro() throws {
        let s = try AvroSchema(json: Self.order)
        #expect(s.canonicalForm == #"{"name":"shop.Order","type":"record","fields":[{"name":"id","type":"long"},{"name":"customer","type":"string"},{"name":"amount","type":"double"},{"name":"note","type":["null","string"]}]}"#)
        #expect(s.fingerprintHex == "62dbffeae546ce28")
        let e = try AvroSchema(json: Self.event)
        #expect(e.canonicalForm == #"{"name":"k.bdd.Event","type":"record","fields":[{"name":"kind","type":{"name":"k.bdd.Kind","type":"enum","symbols":["CREATED","PAID","SHIPPED"]}},{"name":"tags","type":{"type":"array","items":"string"}},{"name":"attrs","type":{"type":"map","values":"int"}},{"name":"hash","type":{"name":"k.bdd.Hash","type":"fixed","size":4}},{"name":"ok","type":"boolean"},{"name":"ratio","type":"float"},{"name":"raw","type":"bytes"},{"name":"next","type":["null","k.bdd.Event"]},{"name":"again","type":"k.bdd.Kind"}]}"#)
        #expect(e.fingerprintHex == "2e853482b69502e8")
        #expect(try AvroSchema(json: #""int""#).fingerprintHex == "8f5c393f1ad57572")
        #expect(try AvroSchema(json: #""string""#).fingerprintHex == "c70345637248018f")
        #expect(try AvroSchema(json: #"{"type": "null"}"#).fingerprintHex == "8a8f25cce724dd63")
    }

    @Test func binaryEncodingMatchesApacheAvroAndRoundTrips() throws {
        let s = try AvroSchema(json: Self.order)
        let a = AvroValue.record(["id": .long(42), "customer": .string("c-3"), "amount": .double(12.5), "note": .null])
        let b = AvroValue.record(["id": .long(-1), "customer": .string("Zoë"), "amount": .double(-0.25), "note": .string("gift")])
        #expect(Self.hex(try s.encode(a)) == "5406632d33000000000000294000")
        #expect(Self.hex(try s.encode(b)) == "01085a6fc3ab000000000000d0bf020867696674")
        #expect(try s.decode(try s.encode(a)) == a)
        #expect(try s.decode(try s.encode(b)) == b)

        let e = try AvroSchema(json: Self.event)
        let inner = AvroValue.record(["kind": .enumSymbol("CREATED"), "tags": .array([]), "attrs": .map([:]), "hash": .fixed(Array("abcd".utf8)),
                                      "ok": .boolean(false), "ratio": .float(0), "raw": .bytes([]), "next": .null, "again": .enumSymbol("SHIPPED")])
        let outer = AvroValue.record(["kind": .enumSymbol("PAID"), "tags": .array([.string("a"), .string("bc")]),
                                      "attrs": .map(["x": .int(1), "y": .int(-300)]), "hash": .fixed([1, 2, 3, 4]), "ok": .boolean(true),
                                      "ratio": .float(1.5), "raw": .bytes([0xff, 0]), "next": inner, "again": .enumSymbol("CREATED")])
        #expect(Self.hex(try e.encode(outer)) == "0204026104626300040278020279d7040001020304010000c03f04ff000200000061626364000000000000000400")
        #expect(try e.decode(try e.encode(outer)) == outer)
    }

    @Test func singleObjectEncodingNamesItsSchema() throws {
        let s = try AvroSchema(json: Self.order)
        let v = AvroValue.record(["id": .long(42), "customer": .string("c-3"), "amount": .double(12.5), "note": .null])
        let bytes = try s.encodeSingleObject(v)
        #expect(Self.hex(bytes) == "c301" + "62dbffeae546ce28" + "5406632d33000000000000294000")
        #expect(try AvroSchema.singleObjectFingerprint(bytes) == s.fingerprint)
        #expect(try s.decodeSingleObject(bytes) == v)
        // A record written with another schema is refused, not misread.
        let other = try AvroSchema(json: #"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"}]}"#)
        #expect(throws: AvroError.self) { try other.decodeSingleObject(bytes) }
        #expect(throws: AvroError.self) { try s.decodeSingleObject(Array(bytes.dropFirst())) }
    }

    @Test func badSchemasValuesAndDataAreErrorsNotCrashes() throws {
        #expect(throws: AvroError.self) { try AvroSchema(json: "{") }
        #expect(throws: AvroError.self) { try AvroSchema(json: #""Nope""#) }
        #expect(throws: AvroError.self) { try AvroSchema(json: #"{"type":"record","name":"R"}"#) }
        let s = try AvroSchema(json: Self.order)
        #expect(throws: AvroError.self) { try s.encode(.record(["id": .string("x")])) }
        #expect(throws: AvroError.self) { try s.encode(.record(["id": .long(1), "customer": .string("c"), "amount": .double(1), "extra": .null])) }
        let good = try s.encode(.record(["id": .long(1), "customer": .string("c"), "amount": .double(1), "note": .null]))
        for cut in 0..<good.count { #expect(throws: AvroError.self) { try s.decode(Array(good.prefix(cut))) } }
        #expect(throws: AvroError.self) { try s.decode(good + [0]) }
        #expect(throws: AvroError.self) { try s.decode([0x02, 0xff, 0xff, 0xff, 0xff, 0x0f]) }
    }
}
