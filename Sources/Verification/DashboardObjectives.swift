import Foundation

/// A Grafana dashboard's latency panels against the objectives a feature states: each percentile is drawn
/// from the exported histogram (`histogram_quantile(q, … <metric>_bucket …)`) with its bound as a threshold,
/// in the panel's unit. Read from the dashboard file; Grafana itself is not needed.
public enum DashboardObjectives {
    public struct Panel: Sendable, Equatable {
        public var title: String
        public var queries: [String]
        /// Grafana's unit of the panel's values (`s`, `ms`); nil when not set.
        public var unit: String?
        /// The values of its threshold steps (the base step has none).
        public var thresholds: [Double]

        public init(title: String, queries: [String], unit: String?, thresholds: [Double]) {
            self.title = title
            self.queries = queries
            self.unit = unit
            self.thresholds = thresholds
        }
    }

    /// The quantiles a query asks of `metric`'s histogram (every `histogram_quantile(q, …)` of a query that
    /// reads `<metric>_bucket` as a whole name, not a longer one containing it).
    public static func quantiles(in query: String, of metric: String) -> [Double] {
        let compact = query.filter { !$0.isWhitespace }
        func isNameChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == ":" }
        let bucket = metric + "_bucket"
        var reads = false
        var from = compact.startIndex
        while let r = compact.range(of: bucket, range: from..<compact.endIndex) {
            let before = r.lowerBound == compact.startIndex ? nil : compact[compact.index(before: r.lowerBound)]
            let after = r.upperBound == compact.endIndex ? nil : compact[r.upperBound]
            if !(before.map(isNameChar) ?? false), !(after.map(isNameChar) ?? false) { reads = true }
            from = r.upperBound
        }
        guard reads else { return [] }
        return compact.ranges(of: "histogram_quantile(").compactMap { open in
            let rest = compact[open.upperBound...]
            return rest.firstIndex(of: ",").flatMap { Double(rest[..<$0]) }
        }
    }

    /// Prometheus's metric names: a letter, `_` or `:` first, then letters, digits, `_` and `:`.
    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    /// Each bound (percentile 0–100, milliseconds) needs a panel asking that quantile of `metric` whose
    /// thresholds include the bound in the panel's unit.
    public static func verdict(
        _ panels: [Panel], metric: String, bounds: [(percentile: Double, under: Double)]
    ) -> Verdict {
        guard !bounds.isEmpty else { return .fails("no objective stated: nothing to look for on the dashboard") }
        guard isMetricName(metric) else { return .fails("\"\(metric)\" is not a Prometheus metric name") }
        guard !panels.isEmpty else { return .fails("the dashboard has no panels") }
        var problems: [String] = []
        for bound in bounds {
            let name = PercentileName.of(bound.percentile)
            let drawing = panels.filter { p in
                p.queries.contains { q in
                    quantiles(in: q, of: metric).contains { abs($0 * 100 - bound.percentile) < 1e-9 }
                }
            }
            guard !drawing.isEmpty else {
                problems.append(
                    "no panel draws the \(name) of \(metric) (histogram_quantile("
                        + "\(PercentileName.fraction(bound.percentile)), …\(metric)_bucket…))")
                continue
            }
            let matching = drawing.filter { p in
                guard let scale = p.unit.flatMap(millisecondsPerUnit) else { return false }
                return p.thresholds.contains { abs($0 * scale - bound.under) < 1e-6 }
            }
            if matching.isEmpty {
                let shown = drawing.map { p in
                    "\"\(p.title)\" has thresholds \(p.thresholds.map { "\($0)" }.joined(separator: ", ")) "
                        + "in \(p.unit ?? "no unit")"
                }
                problems.append(
                    "the \(name) panel does not mark \(bound.under.formatted(.number.grouping(.never))) ms: "
                        + shown.joined(separator: "; "))
            }
        }
        return Verdict(problems)
    }

    /// Grafana's time units, in milliseconds.
    static func millisecondsPerUnit(_ unit: String) -> Double? {
        switch unit {
        case "s": 1000
        case "ms": 1
        case "µs", "us": 0.001
        case "m": 60_000
        default: nil
        }
    }
}
