/// Avro single-object records read back (KAF-07): each names the writer schema's fingerprint and decodes to
/// the record sent under its key.
public enum Avro {
    /// One value read back, as far as it could be taken apart: a failure is the error's text.
    public struct ReadBack<Value: Equatable & Sendable>: Sendable {
        public var key: String
        public var fingerprint: Result<UInt64, Failure>
        public var decoded: Result<Value, Failure>

        public init(key: String, fingerprint: Result<UInt64, Failure>, decoded: Result<Value, Failure>) {
            self.key = key
            self.fingerprint = fingerprint
            self.decoded = decoded
        }
    }

    /// Why a value could not be taken apart, in the decoder's words.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Every record sent (keyed) is read back exactly as sent, under the schema's fingerprint. Records whose
    /// key was not sent are someone else's and ignored.
    public static func readBack<Value>(
        sent: [String: Value], read: [ReadBack<Value>],
        schemaFingerprint: UInt64
    ) -> Verdict {
        guard !sent.isEmpty else { return .fails("no Avro records were sent in this scenario") }
        var problems: [String] = []
        var seen = Set<String>()  // keys read back, right or wrong
        for r in read {
            guard let expected = sent[r.key] else { continue }
            seen.insert(r.key)
            switch r.fingerprint {
            case .failure(let error): problems.append("\(r.key): \(error)"); continue
            case .success(let fingerprint) where fingerprint != schemaFingerprint:
                problems.append(
                    "\(r.key) names schema fingerprint \(hex(fingerprint)), not the schema's "
                        + hex(schemaFingerprint))
                continue
            case .success: break
            }
            switch r.decoded {
            case .failure(let error): problems.append("\(r.key) does not decode: \(error)"); continue
            case .success(let value) where value != expected:
                problems.append("\(r.key) decoded to \(value), sent \(expected)")
                continue
            case .success: break
            }
        }
        let missing = Set(sent.keys).subtracting(seen).sorted()
        if !missing.isEmpty {
            problems.append("\(missing.count) records never read back: \(missing.prefix(5).joined(separator: ", "))")
        }
        return Verdict(problems)
    }

    /// 16 lowercase hex digits, as `%016llx` prints them.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
