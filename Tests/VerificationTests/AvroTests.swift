import Testing
import Verification

@Suite("Avro records read back")
struct AvroTests {
    typealias Read = Avro.ReadBack<String>
    static let fingerprint: UInt64 = 0xABCD

    static func read(_ key: String, _ value: String, fingerprint: UInt64 = fingerprint) -> Read {
        Read(key: key, fingerprint: .success(fingerprint), decoded: .success(value))
    }

    @Test func everyRecordReadBackAsSentHolds() {
        let read = [Self.read("a", "1"), Self.read("b", "2"), Self.read("x", "?")]
        let v = Avro.readBack(sent: ["a": "1", "b": "2"], read: read, schemaFingerprint: Self.fingerprint)
        #expect(v.holds)
    }

    @Test func anotherFingerprintAWrongValueAndAMissingRecordFail() {
        let v = Avro.readBack(sent: ["a": "1", "b": "2", "c": "3"],
                              read: [Self.read("a", "1", fingerprint: 0x1), Self.read("b", "9")],
                              schemaFingerprint: Self.fingerprint)
        #expect(v.problems == ["a names schema fingerprint 0000000000000001, not the schema's 000000000000abcd",
                               "b decoded to 9, sent 2", "1 records never read back: c"])
    }

    @Test func aValueThatDoesNotDecodeFails() {
        let broken = Read(key: "a", fingerprint: .success(Self.fingerprint),
                          decoded: .failure(Avro.Failure("truncated")))
        #expect(Avro.readBack(sent: ["a": "1"], read: [broken], schemaFingerprint: Self.fingerprint).problems
            == ["a does not decode: truncated"])
        let unmarked = Read(key: "a", fingerprint: .failure(Avro.Failure("no C3 01 marker")), decoded: .success("1"))
        #expect(Avro.readBack(sent: ["a": "1"], read: [unmarked], schemaFingerprint: Self.fingerprint).problems
            == ["a: no C3 01 marker"])
    }

    @Test func nothingSentIsNoEvidence() {
        #expect(Avro.readBack(sent: [String: String](), read: [], schemaFingerprint: Self.fingerprint).problems
            == ["no Avro records were sent in this scenario"])
    }
}
