/// Text from a feature file or a cluster (names, step texts, record keys, error messages) made safe for a
/// terminal: control characters become visible escapes, so no input can move the cursor, retitle the
/// window, clear the screen or rewrite a line an operator is reading — also when output is piped into a
/// terminal later. Newlines and tabs stay; so do our own colours, which are added after this.
public enum TerminalText {
    public static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard isUnsafe(scalar) else { out.unicodeScalars.append(scalar); continue }
            let hex = String(scalar.value, radix: 16, uppercase: true)
            out += scalar.value <= 0xFF ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex : "\\u{\(hex)}"
        }
        return out
    }

    /// C0 controls but newline and tab, DEL, C1 controls (a lone 0x9B is a CSI on some terminals), and the
    /// bidirectional overrides and isolates that reorder what is shown ("Trojan Source").
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
