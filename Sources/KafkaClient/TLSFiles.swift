import Foundation

/// Checks what librdkafka does not: that the certificates a TLS client is configured with are valid
/// now. (OpenSSL loads an expired client certificate without a word, and the handshake then fails
/// on the broker's side with an alert that names nothing.) A missing file is named here too, so that
/// the error shows the property and not the path OpenSSL's message would carry. Errors name the
/// property and the certificate's validity, never the property's value.
public enum TLSFiles {
    public static let certificateKeys = ["ssl.ca.location", "ssl.certificate.location"]

    public static func check(_ config: KafkaConfig, now: Date = Date()) throws(KafkaError) {
        guard config["security.protocol"]?.lowercased().contains("ssl") == true else { return }
        for key in certificateKeys {
            guard let path = config[key], !path.isEmpty, path != "probe" else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw KafkaError.invalidArgument("client property \(key): no such file (the path is not shown)")
            }
            if isDirectory.boolValue { continue }  // a CA directory of hashed certificates: OpenSSL reads it
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw KafkaError.invalidArgument("client property \(key): the file cannot be read")
            }
            let certificates = pemCertificates(text)
            guard !certificates.isEmpty else {
                throw KafkaError.invalidArgument("client property \(key): the file holds no PEM certificate")
            }
            for (i, der) in certificates.enumerated() {
                let which = certificates.count > 1 ? "certificate \(i + 1) of the file" : "the certificate"
                guard let validity = validity(der) else {
                    throw KafkaError.invalidArgument(
                        "client property \(key): \(which) is not a readable X.509 "
                            + "certificate")
                }
                if now > validity.notAfter {
                    throw KafkaError.invalidArgument(
                        "client property \(key): \(which) expired on "
                            + "\(stamp(validity.notAfter)); issue a new one (make certs)")
                }
                if now < validity.notBefore {
                    throw KafkaError.invalidArgument(
                        "client property \(key): \(which) is not valid before "
                            + "\(stamp(validity.notBefore))")
                }
            }
        }
    }

    static func stamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// The DER bytes of each `CERTIFICATE` block of a PEM file.
    static func pemCertificates(_ text: String) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var body: String?
        for line in text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line == "-----BEGIN CERTIFICATE-----" {
                body = ""
            } else if line == "-----END CERTIFICATE-----", let b = body {
                if let data = Data(base64Encoded: b) { out.append([UInt8](data)) }
                body = nil
            } else if body != nil {
                body! += line
            }
        }
        return out
    }

    /// notBefore and notAfter of an X.509 certificate: Certificate ::= SEQUENCE { tbsCertificate SEQUENCE
    /// { [0] version OPTIONAL, serial INTEGER, signature SEQUENCE, issuer SEQUENCE, validity SEQUENCE {…} …
    public static func validity(_ der: [UInt8]) -> (notBefore: Date, notAfter: Date)? {
        guard let cert = element(der, at: 0), cert.tag == 0x30,
            let tbs = element(der, at: cert.body.lowerBound), tbs.tag == 0x30
        else { return nil }
        var fields: [(tag: UInt8, body: Range<Int>)] = []
        var i = tbs.body.lowerBound
        while i < tbs.body.upperBound, fields.count < 6, let e = element(der, at: i) {
            fields.append((e.tag, e.body))
            i = e.body.upperBound
        }
        let skip = fields.first?.tag == 0xA0 ? 1 : 0
        guard fields.count >= 4 + skip, fields[3 + skip].tag == 0x30 else { return nil }
        let validity = fields[3 + skip].body
        guard let a = element(der, at: validity.lowerBound), let b = element(der, at: a.body.upperBound),
            let notBefore = time(a.tag, der[a.body]), let notAfter = time(b.tag, der[b.body])
        else { return nil }
        return (notBefore, notAfter)
    }

    /// A DER element at `offset`: its tag and where its contents lie.
    static func element(_ der: [UInt8], at offset: Int) -> (tag: UInt8, body: Range<Int>)? {
        guard offset + 2 <= der.count else { return nil }
        var length = Int(der[offset + 1]), start = offset + 2
        if length & 0x80 != 0 {
            let n = length & 0x7F
            guard n >= 1, n <= 4, start + n <= der.count else { return nil }
            length = der[start..<start + n].reduce(0) { $0 << 8 | Int($1) }
            start += n
        }
        guard start + length <= der.count else { return nil }
        return (der[offset], start..<start + length)
    }

    /// UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ).
    static func time(_ tag: UInt8, _ bytes: ArraySlice<UInt8>) -> Date? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasSuffix("Z") else { return nil }
        var digits = String(text.dropLast())
        if tag == 0x17 {
            guard let yy = Int(digits.prefix(2)) else { return nil }
            digits = (yy < 50 ? "20" : "19") + digits
        } else if tag != 0x18 {
            return nil
        }
        guard digits.count == 14, digits.allSatisfy(\.isNumber) else { return nil }
        let n = Array(digits)
        func num(_ r: Range<Int>) -> Int { Int(String(n[r]))! }
        var c = DateComponents()
        c.year = num(0..<4); c.month = num(4..<6); c.day = num(6..<8)
        c.hour = num(8..<10); c.minute = num(10..<12); c.second = num(12..<14)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: c)
    }
}
