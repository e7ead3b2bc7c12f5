import ArgumentParser

/// `--property KEY=VALUE` (repeatable): extra librdkafka client properties for a command's clients.
struct ClientProperties: ParsableArguments {
    @Option(name: .customLong("property"), help: "Extra client property KEY=VALUE (repeatable).")
    var properties: [String] = []

    func validate() throws {
        for p in properties where !p.contains("=") { throw ValidationError("--property \(p): expected KEY=VALUE") }
    }

    /// The properties by name; a property given twice keeps its last value.
    var values: [String: String] {
        Dictionary(properties.map { p in
            let i = p.firstIndex(of: "=")!
            return (String(p[..<i]), String(p[p.index(after: i)...]))
        }, uniquingKeysWith: { _, b in b })
    }
}
