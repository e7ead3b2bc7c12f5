import Messages
import Foundation

/// JUnit XML as cucumber's junit-xml-formatter writes it: one `<testcase>` per test case, named
/// `Rule - Scenario - Examples - #1.2: pickle`, with the most severe step result as `<failure>` or
/// `<skipped>`, and the steps' statuses in `<system-out>`.
public struct JUnitFormatter {
    public var suiteName = "Cucumber"

    public init(suiteName: String = "Cucumber") {
        self.suiteName = suiteName
    }

    public func render(_ q: MessageQuery) -> String {
        let started = q.testCasesStarted
        var counts: [String: Int] = [:]
        for s in started {
            if let status = q.mostSevereResult(startedId: s["id"] as! String)?["status"] as? String { counts[status, default: 0] += 1 }
        }
        let skipped = counts["SKIPPED"] ?? 0
        let failures = counts.filter { $0.key != "PASSED" && $0.key != "SKIPPED" }.values.reduce(0, +)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuite name=\"\(attr(suiteName))\" time=\"\(Self.number(q.testRunSeconds ?? 0))\" tests=\"\(started.count)\" skipped=\"\(skipped)\" failures=\"\(failures)\" errors=\"0\""
        if let ts = q.testRunStarted?["timestamp"] { out += " timestamp=\"\(Self.iso8601(MessageQuery.millis(ts)))\"" }
        out += ">\n"

        // Ordered by feature file, then by line, keeping start order among equals.
        let ordered = started.enumerated().sorted { a, b in
            let pa = q.pickle(ofStarted: a.element), pb = q.pickle(ofStarted: b.element)
            let ua = pa?["uri"] as? String ?? "", ub = pb?["uri"] as? String ?? ""
            if ua != ub { return ua < ub }
            let la = (pa?["location"] as? [String: Any])?["line"] as? Int ?? 0, lb = (pb?["location"] as? [String: Any])?["line"] as? Int ?? 0
            return la != lb ? la < lb : a.offset < b.offset
        }.map(\.element)

        for s in ordered {
            let id = s["id"] as! String
            guard let pickle = q.pickle(ofStarted: s) else { continue }
            let lineage = q.lineage(of: pickle)
            let classname = (lineage?.feature?["name"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? (pickle["uri"] as? String ?? "")
            out += "<testcase classname=\"\(attr(classname))\" name=\"\(attr(Self.name(lineage, pickle)))\" time=\"\(Self.number(q.testCaseSeconds(startedId: id) ?? 0))\">\n"
            if let result = q.mostSevereResult(startedId: id), let status = result["status"] as? String, status != "PASSED" {
                let kind = status == "SKIPPED" ? "skipped" : "failure"
                let exception = result["exception"] as? [String: Any]
                var attrs = ""
                if kind == "failure" {
                    if let type = exception?["type"] as? String { attrs += " type=\"\(attr(type))\"" }
                    if let message = exception?["message"] as? String { attrs += " message=\"\(attr(message))\"" }
                }
                if let stack = (exception?["stackTrace"] as? String) ?? (result["message"] as? String) {
                    out += "<\(kind)\(attrs)>\n<![CDATA[\(cdata(stack))]]>\n</\(kind)>\n"
                } else {
                    out += "<\(kind)\(attrs)/>\n"
                }
            }
            let lines = q.stepResults(startedId: id).compactMap { finished, step -> String? in
                guard let psId = step["pickleStepId"] as? String, let ps = q.pickleStep(id: psId),
                      let astId = (ps["astNodeIds"] as? [String])?.first, let gherkinStep = q.astNode(id: astId) else { return nil }
                let status = ((finished["testStepResult"] as? [String: Any])?["status"] as? String ?? "UNKNOWN").lowercased()
                var text = "\((gherkinStep["keyword"] as? String ?? "").trimmingCharacters(in: .whitespaces)) \((ps["text"] as? String ?? "").trimmingCharacters(in: .whitespacesAndNewlines))."
                repeat { text += "." } while text.count < 76
                return text + status
            }
            if !lines.isEmpty { out += "<system-out><![CDATA[\n\(cdata(lines.joined(separator: "\n")))\n]]></system-out>\n" }
            out += "</testcase>\n"
        }
        out += "</testsuite>\n"
        return out
    }

    static func name(_ lineage: MessageQuery.Lineage?, _ pickle: [String: Any]) -> String {
        var parts: [String] = []
        if let r = lineage?.rule?["name"] as? String, !r.isEmpty { parts.append(r) }
        let pickleName = pickle["name"] as? String ?? ""
        let scenarioName = lineage?.scenario?["name"] as? String ?? ""
        parts.append(scenarioName.isEmpty ? pickleName : scenarioName)
        if let e = lineage?.examples?["name"] as? String, !e.isEmpty { parts.append(e) }
        if lineage?.example != nil {
            let number = "#\((lineage?.examplesIndex ?? 0) + 1).\((lineage?.exampleIndex ?? 0) + 1)"
            parts.append(scenarioName != pickleName ? "\(number): \(pickleName)" : number)
        }
        return parts.filter { !$0.isEmpty }.joined(separator: " - ")
    }

    /// A number as JavaScript prints it (`0.007`, `1`), which is what the reference writes.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }

    static func iso8601(_ millis: Double) -> String {
        let date = Date(timeIntervalSince1970: millis / 1000)
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions = millis.truncatingRemainder(dividingBy: 1000) == 0 ? [.withInternetDateTime] : [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// Characters XML 1.0 cannot carry are dropped.
    static func xmlSafe(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.filter { c in
            c == "\t" || c == "\n" || c == "\r" || (c.value >= 0x20 && c.value <= 0xD7FF) || (c.value >= 0xE000 && c.value <= 0xFFFD) || c.value >= 0x10000
        }))
    }

    func attr(_ s: String) -> String {
        Self.xmlSafe(s).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    func cdata(_ s: String) -> String {
        Self.xmlSafe(s).replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>")
    }
}
