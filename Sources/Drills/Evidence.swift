import Foundation

/// Evidence attached to a report.
public enum Evidence {
    /// A horizontal bar chart as inline SVG (no scripts, no external resources).
    public static func barChart(title: String, bars: [(String, Double)]) -> String {
        let width = 640.0, barHeight = 22.0, gap = 8.0, labelWidth = 260.0
        let height = 40 + Double(bars.count) * (barHeight + gap)
        let top = max(bars.map(\.1).max() ?? 1, 1e-9)
        let esc = escape
        // xmlns: an SVG shown through <img> (as the HTML report shows attachments) renders only with it.
        var svg =
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" "#
            + #"font-family="sans-serif" font-size="12">"#
        svg += #"<text x="4" y="16" font-weight="bold">\#(esc(title))</text>"#
        for (i, (label, value)) in bars.enumerated() {
            let y = 28 + Double(i) * (barHeight + gap)
            let w = (width - labelWidth - 90) * value / top
            svg += #"<text x="4" y="\#(y + 15)">\#(esc(label))</text>"#
            let barWidth = String(format: "%.1f", w), shown = String(format: value >= 100 ? "%.0f" : "%.2f", value)
            svg +=
                "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(barWidth)\" height=\"\(barHeight)\" "
                + "fill=\"#3f51b5\"/>"
            svg += #"<text x="\#(String(format: "%.1f", labelWidth + w + 6))" y="\#(y + 15)">\#(shown)</text>"#
        }
        return svg + "</svg>"
    }

    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: "\"", with: "&quot;")
    }

    /// A line chart of (seconds, value) samples as inline SVG, with labelled spans shaded behind it
    /// (e.g. the phases of a scaling drill).
    public static func lineChart(
        title: String, unit: String, samples: [(Double, Double)],
        spans: [(label: String, from: Double, to: Double)] = []
    ) -> String {
        let width = 640.0, height = 240.0, left = 56.0, right = 16.0, top = 28.0, bottom = 36.0
        let maxX = max(samples.map(\.0).max() ?? 1, spans.map(\.to).max() ?? 0, 1e-9)
        let maxY = max(samples.map(\.1).max() ?? 1, 1)
        func x(_ t: Double) -> String { String(format: "%.1f", left + (width - left - right) * t / maxX) }
        func y(_ v: Double) -> String { String(format: "%.1f", height - bottom - (height - top - bottom) * v / maxY) }
        let plotHeight = String(format: "%.1f", height - top - bottom)
        let shades = ["#e8eaf6", "#fff3e0", "#e8f5e9", "#fce4ec"]
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "font-family=\"sans-serif\" font-size=\"11\">"
        svg += "<text x=\"4\" y=\"16\" font-weight=\"bold\" font-size=\"12\">\(escape(title))</text>"
        for (i, span) in spans.enumerated() {
            let w = String(format: "%.1f", max(0, (width - left - right) * (span.to - span.from) / maxX))
            let shade = shades[i % shades.count]
            svg +=
                "<rect x=\"\(x(span.from))\" y=\"\(top)\" width=\"\(w)\" height=\"\(plotHeight)\" "
                + "fill=\"\(shade)\"/>"
            svg += "<text x=\"\(x(span.from))\" y=\"\(top + 12)\">\(escape(span.label))</text>"
        }
        svg += "<line x1=\"\(left)\" y1=\"\(y(0))\" x2=\"\(width - right)\" y2=\"\(y(0))\" stroke=\"#555\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(y(0))\" stroke=\"#555\"/>"
        svg += "<text x=\"4\" y=\"\(y(maxY))\">\(Int(maxY))</text><text x=\"4\" y=\"\(y(0))\">0</text>"
        svg += "<text x=\"\(width / 2 - 60)\" y=\"\(height - 8)\">seconds; \(escape(unit))</text>"
        svg += "<text x=\"\(width - right - 30)\" y=\"\(height - bottom + 14)\">\(String(format: "%.1f", maxX))</text>"
        let points = samples.map { "\(x($0.0)),\(y($0.1))" }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"#3f51b5\" stroke-width=\"2\" points=\"\(points)\"/>"
        return svg + "</svg>"
    }

    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        ([header, header.map { _ in "---" }] + rows).map { "| " + $0.joined(separator: " | ") + " |" }.joined(
            separator: "\n")
    }
}
