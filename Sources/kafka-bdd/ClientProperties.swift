import ArgumentParser
import KafkaClient

/// `--property KEY=VALUE` (repeatable): extra librdkafka client properties for a command's clients, read
/// as a line of client.properties is (`KEY=VALUE`, `KEY:VALUE`, `KEY VALUE`).
struct ClientProperties: ParsableArguments {
    @Option(
        name: .customLong("property"),
        help: "Extra client property KEY=VALUE (repeatable; KEY:VALUE and KEY VALUE as in client.properties).")
    var properties: [String] = []

    func validate() throws {
        // The value may be a secret: the error names the position, never the text.
        for (i, p) in properties.enumerated() where KafkaConfig.property(p) == nil || !Self.hasSeparator(p) {
            throw ValidationError("--property number \(i + 1): expected KEY=VALUE (or KEY:VALUE, KEY VALUE)")
        }
    }

    static func hasSeparator(_ p: String) -> Bool {
        p.trimmingCharacters(in: .whitespaces).contains { $0 == "=" || $0 == ":" || $0 == " " || $0 == "\t" }
    }

    /// The properties by name; a property given twice keeps its last value.
    var values: [String: String] {
        Dictionary(properties.compactMap { KafkaConfig.property($0) }, uniquingKeysWith: { _, b in b })
    }
}
