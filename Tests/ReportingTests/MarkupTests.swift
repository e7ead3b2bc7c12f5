import Foundation
@testable import Reporting
import Testing

/// The reports' fast text helpers give what the Foundation calls they replace give.
@Suite("Report text helpers")
struct MarkupTests {
    @Test func fixed3IsPrintfExactly() {
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 0.0005, 0.0015, 0.0025, 1.0005, 2.675, 0.1 + 0.2, 1e-300, -1e-9,
                                .leastNonzeroMagnitude, 123456.7895, 999_999.9995, 4.35, -2.5e-4]
        for _ in 0..<20_000 {
            values.append(Double(Int.random(in: 0..<5_000_000_000, using: &rng)) / 1e9)
            values.append(Double.random(in: -1000...1000, using: &rng))
            values.append(Double(Int.random(in: 0..<100_000, using: &rng)) / 1000 + 0.0005)
        }
        for v in values where Markup.fixed3(v) != String(format: "%.3f", v) {
            Issue.record("\(v): \(Markup.fixed3(v)) ≠ \(String(format: "%.3f", v))")
            return
        }
    }

    @Test func escapingAndXMLSafety() {
        #expect(Markup.escaped("plain text é ✓") == "plain text é ✓")
        #expect(Markup.escaped(#"<a href="x">&</a>"#) == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;")
        #expect(Markup.xmlSafe("tab\tnew\nline ok ✓") == "tab\tnew\nline ok ✓")
        #expect(Markup.xmlSafe("bell\u{7} nul\u{0} \u{FFFE}\u{FFFF}\u{FFFD} 😀") == "bell nul \u{FFFD} 😀")
    }

    @Test func trimmingIsFoundationsTrimming() {
        let samples = ["", " ", "Given ", " a ", "a", "x\n", "\n\t", "\u{00A0}nbsp\u{00A0}", "é ", " é",
                       "\u{3000}ideographic", "tab\t", "\r\nboth\u{0B}\u{0C}", "a \u{85}", " e\u{301} "]
        for s in samples {
            #expect(s.trimmingWhitespace(newlines: false) == s.trimmingCharacters(in: .whitespaces),
                    "\(s.debugDescription)")
            #expect(s.trimmingWhitespace(newlines: true) == s.trimmingCharacters(in: .whitespacesAndNewlines),
                    "\(s.debugDescription)")
        }
    }
}
