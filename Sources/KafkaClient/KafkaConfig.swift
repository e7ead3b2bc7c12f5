import CRdKafka

/// Client properties, as librdkafka's CONFIGURATION.md names them. Secret values never appear in
/// descriptions, logs or reports.
public struct KafkaConfig: Sendable, Equatable, CustomStringConvertible {
    public private(set) var properties: [String: String]

    public static let secretKeys: Set<String> = [
        "sasl.password", "ssl.key.password", "ssl.keystore.password", "ssl.key.pem", "ssl_key",
        "sasl.oauthbearer.client.secret", "sasl.oauthbearer.config", "ssl.truststore.password",
    ]

    /// Words that mark a key whose value is a credential or carries one (a JAAS line holds a password,
    /// `basic.auth.user.info` is `user:password`).
    static let secretWords = ["password", "secret", "jaas", "user.info", "token", "credential", "ssl.key", "private"]

    public static func isSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return secretKeys.contains(k) || secretWords.contains { k.contains($0) }
    }

    public init(_ properties: [String: String] = [:]) {
        self.properties = properties
    }

    public subscript(key: String) -> String? {
        get { properties[key] }
        set { properties[key] = newValue }
    }

    public func merging(_ other: KafkaConfig) -> KafkaConfig {
        KafkaConfig(properties.merging(other.properties) { _, new in new })
    }

    /// `key=value` lines, secrets shown as `[redacted]`.
    public var description: String {
        properties.keys.sorted().map { "\($0)=\(Self.isSecret($0) ? "[redacted]" : properties[$0]!)" }.joined(
            separator: "\n")
    }

    /// Reads a Java-style properties file (`key=value`, `#` comments).
    public static func load(propertiesFile text: String) throws(KafkaError) -> KafkaConfig {
        var p: [String: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            guard let (key, value) = property(line) else {
                throw KafkaError.invalidArgument(
                    "client properties line \(number + 1): no property name before "
                        + "'=', ':' or a space")
            }
            p[key] = value
        }
        return KafkaConfig(p)
    }

    /// One `.properties` line as Java reads it: the name ends at the first `=`, `:` or white space, and
    /// the separator may have white space around it (`KEY=VALUE`, `KEY: VALUE`, `KEY VALUE`). Nil when
    /// there is no name.
    public static func property(_ line: some StringProtocol) -> (key: String, value: String)? {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard let end = text.firstIndex(where: { $0 == "=" || $0 == ":" || $0 == " " || $0 == "\t" }) else {
            return text.isEmpty ? nil : (text, "")
        }
        let key = String(text[..<end])
        guard !key.isEmpty else { return nil }
        var rest = text[end...].drop { $0 == " " || $0 == "\t" }
        if let first = rest.first, first == "=" || first == ":" { rest = rest.dropFirst() }
        return (key, rest.trimmingCharacters(in: .whitespaces))
    }

    /// librdkafka's reason for refusing a property, without the value (it quotes it): a property value
    /// comes from a client properties file, and an error never shows one, secret or not.
    static func withoutValue(_ value: String, _ reason: String) -> String {
        guard !value.isEmpty else { return reason }
        let quoted = reason.replacingOccurrences(of: "\"\(value)\"", with: "(value not shown)")
        return quoted.contains(value) ? "invalid value (not shown)" : quoted
    }

    /// A new `rd_kafka_conf_t`; a bad property is a KafkaError naming it (never its secret value).
    func makeConf() throws(KafkaError) -> OpaquePointer {
        try TLSFiles.check(self)
        let conf = rd_kafka_conf_new()!
        var buffer = [CChar](repeating: 0, count: 512)
        for (key, value) in ClientLog.apply(ClientLog.requested, to: properties).sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, key, value, &buffer, buffer.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                throw KafkaError(
                    code: RD_KAFKA_RESP_ERR__INVALID_ARG,
                    detail: "client property \(key): \(Self.withoutValue(value, reason))")
            }
        }
        ClientLog.install(on: conf)
        return conf
    }
}

import Foundation
