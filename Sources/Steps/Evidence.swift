import Foundation

/// Evidence attached to a report.
enum Evidence {
    /// A horizontal bar chart as inline SVG (no scripts, no external resources).
    static func barChart(title: String, bars: [(String, Double)]) -> String {
        let width = 640.0, barHeight = 22.0, gap = 8.0, labelWidth = 260.0
        let height = 40 + Double(bars.count) * (barHeight + gap)
        let top = max(bars.map(\.1).max() ?? 1, 1e-9)
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var svg = #"<svg width="\#(Int(width))" height="\#(Int(height))" font-family="sans-serif" font-size="12">"#
        svg += #"<text x="4" y="16" font-weight="bold">\#(esc(title))</text>"#
        for (i, (label, value)) in bars.enumerated() {
            let y = 28 + Double(i) * (barHeight + gap)
            let w = (width - labelWidth - 90) * value / top
            svg += #"<text x="4" y="\#(y + 15)">\#(esc(label))</text>"#
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(String(format: "%.1f", w))\" height=\"\(barHeight)\" fill=\"#3f51b5\"/>"
            svg += #"<text x="\#(String(format: "%.1f", labelWidth + w + 6))" y="\#(y + 15)">\#(String(format: value >= 100 ? "%.0f" : "%.2f", value))</text>"#
        }
        return svg + "</svg>"
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        ([header, header.map { _ in "---" }] + rows).map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n")
    }
}
