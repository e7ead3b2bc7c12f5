import Messages
import Foundation

/// JUnit XML as cucumber's junit-xml-formatter writes it: one `<testcase>` per test case, named
/// `Rule - Scenario - Examples - #1.2: pickle`, with the most severe step result as `<failure>` or
/// `<skipped>`, and the steps' statuses in `<system-out>`.
///
/// By default it says more than the reference: an undefined or pending step's failure carries a
/// message and the snippet, failure text starts with the step's feature file:line, and a feature
/// file that fails to parse is an errored test case. `reference: true` writes exactly what
/// cucumber's golden set expects (`<failure/>` for an undefined step). The `file` attribute is
/// opt-in because the Jenkins XSD forbids it.
public struct JUnitFormatter {
    public var suiteName = "Cucumber"
    public var reference: Bool
    public var fileAttribute: Bool

    public init(suiteName: String = "Cucumber", reference: Bool = false, fileAttribute: Bool = false) {
        self.suiteName = suiteName
        self.reference = reference
        self.fileAttribute = fileAttribute
    }

    public func render(_ q: RunQuery) -> String {
        let started = q.testCasesStarted
        var counts: [TestStepResultStatus: Int] = [:]
        for s in started {
            if let status = q.mostSevereResult(startedId: s.id)?.status { counts[status, default: 0] += 1 }
        }
        let skipped = counts[.skipped] ?? 0
        let failures = counts.filter { $0.key != .passed && $0.key != .skipped }.values.reduce(0, +)
        let parseErrors = q.parseErrors
        // A run that failed before its first scenario (no case, no parse error) is one error, not 0 tests
        // (cucumber's reference output has no element for it).
        let notStarted =
            !reference && started.isEmpty && parseErrors.isEmpty && q.testRunFinished?.success == false
            ? q.testRunFinished?.message : nil
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuite name=\"\(attr(suiteName))\" time=\"\(Self.number(q.testRunSeconds ?? 0))\" "
        let errors = parseErrors.count + (notStarted == nil ? 0 : 1)
        out += "tests=\"\(started.count + errors)\" skipped=\"\(skipped)\" failures=\"\(failures)\" "
        out += "errors=\"\(errors)\""
        if let ts = q.testRunStarted?.timestamp { out += " timestamp=\"\(Self.iso8601(RunQuery.millis(ts)))\"" }
        out += ">\n"

        // Ordered by feature file, then by line, keeping start order among equals.
        let ordered = started.enumerated().compactMap { i, s in q.pickle(startedId: s.id).map { (i, s.id, $0) } }
            .sorted { a, b in
                if a.2.uri != b.2.uri { return a.2.uri < b.2.uri }
                return a.2.location.line != b.2.location.line ? a.2.location.line < b.2.location.line : a.0 < b.0
            }

        for (_, id, pickle) in ordered {
            let lineage = q.lineage(of: pickle)
            let classname = lineage.flatMap { $0.feature.name.isEmpty ? nil : $0.feature.name } ?? pickle.uri
            out += "<testcase classname=\"\(attr(classname))\" name=\"\(attr(Self.name(lineage, pickle)))\" "
            out += "time=\"\(Self.number(q.testCaseSeconds(startedId: id) ?? 0))\""
            if fileAttribute { out += " file=\"\(attr(pickle.uri))\"" }
            out += ">\n"
            // Earlier attempts of a retried case, as Surefire writes them: flaky when it passed at last.
            let final = q.mostSevereResult(startedId: id)?.status ?? .passed
            let retries = reference ? "" : retried(q, id, flaky: final == .passed)
            if final == .passed { out += retries }
            if let result = q.mostSevereResult(startedId: id), result.status != .passed {
                let kind = result.status == .skipped ? "skipped" : "failure"
                var attrs = ""
                var text = result.exception?.stackTrace ?? result.message
                if kind == "failure", let exception = result.exception {
                    attrs += " type=\"\(attr(exception.type))\""
                    if let message = exception.message { attrs += " message=\"\(attr(message))\"" }
                }
                if !reference, kind == "failure", let d = q.notPassedStep(startedId: id) {
                    let (headline, rest) = d.explanationLines
                    if result.exception == nil {
                        let type =
                            switch d.status {
                            case .undefined: "Undefined"
                            case .pending: "Pending"
                            case .ambiguous: "Ambiguous"
                            default: "Failure"
                            }
                        attrs += " type=\"\(type)\" message=\"\(attr(headline ?? type))\""
                    }
                    let at = d.location.map { "\($0): " } ?? ""
                    // The explanation's first line repeats the step when there is no message.
                    let explained = d.message == nil ? rest : d.explanation
                    let body = result.exception?.stackTrace ?? explained
                    text = "\(at)\(d.keyword)\(d.text)\n\(body)"
                }
                if kind == "skipped" { out += retries }
                if let stack = text {
                    out += "<\(kind)\(attrs)>\n<![CDATA[\(cdata(stack))]]>\n</\(kind)>\n"
                } else {
                    out += "<\(kind)\(attrs)/>\n"
                }
                if kind == "failure" { out += retries }
            }
            let lines = q.stepResults(startedId: id).compactMap { r -> String? in
                guard case .pickleStep(let psId, _, _) = r.step.kind, let ps = q.pickleStep(id: psId),
                    let astId = ps.astNodeIds.first, let gherkinStep = q.step(id: astId)
                else { return nil }
                let keyword = gherkinStep.keyword.trimmingWhitespace(newlines: false)
                let text = "\(keyword) \(ps.text.trimmingWhitespace(newlines: true))."
                return text + Self.dots[max(1, 76 - text.count)] + r.result.status.lowercaseName
            }
            if !lines.isEmpty {
                out += "<system-out><![CDATA[\n\(cdata(lines.joined(separator: "\n")))\n]]></system-out>\n"
            }
            out += "</testcase>\n"
        }
        for e in parseErrors {
            let line = e.error.location.line, column = e.error.location.column.map { ":\($0)" } ?? ""
            out += "<testcase classname=\"\(attr(e.uri))\" name=\"\(attr(e.uri)) does not parse\" time=\"0\""
            if fileAttribute { out += " file=\"\(attr(e.uri))\"" }
            out += ">\n<error type=\"ParseError\" message=\"\(attr(e.error.text))\">\n"
            out += "<![CDATA[\(cdata("\(e.uri):\(line)\(column): \(e.error.text)"))]]>\n</error>\n</testcase>\n"
        }
        if let notStarted {
            out += "<testcase classname=\"kafka-bdd\" name=\"the run did not start\" time=\"0\">\n"
            out += "<error type=\"RunNotStarted\" message=\"\(attr(notStarted))\">"
            out += "<![CDATA[\(cdata(notStarted))]]></error>\n</testcase>\n"
        }
        out += "</testsuite>\n"
        return out
    }

    /// Dot leaders up to column 77 of a step line.
    private static let dots = (0...76).map { String(repeating: ".", count: $0) }

    /// `<flakyFailure>` (the case passed at last) or `<rerunFailure>` for each retried attempt: the step
    /// that failed it, with its message.
    func retried(_ q: RunQuery, _ startedId: String, flaky: Bool) -> String {
        let element = flaky ? "flakyFailure" : "rerunFailure"
        return q.retriedAttempts(of: startedId).map { attempt in
            let d = q.notPassedStep(startedId: attempt.id)
            let message = d?.explanationLines.first ?? "failed"
            let trace =
                d.map { "\($0.location.map { "\($0): " } ?? "")\($0.keyword)\($0.text)\n\($0.explanation)" }
                ?? "attempt \(attempt.attempt + 1) failed"
            return "<\(element) type=\"Failure\" message=\"\(attr("attempt \(attempt.attempt + 1): \(message)"))\">\n"
                + "<stackTrace><![CDATA[\(cdata(trace))]]></stackTrace>\n</\(element)>\n"
        }.joined()
    }

    static func name(_ lineage: RunQuery.Lineage?, _ pickle: Pickle) -> String {
        var parts: [String] = []
        if let r = lineage?.rule?.name, !r.isEmpty { parts.append(r) }
        let scenarioName = lineage?.scenario.name ?? ""
        parts.append(scenarioName.isEmpty ? pickle.name : scenarioName)
        if let e = lineage?.examples?.name, !e.isEmpty { parts.append(e) }
        if lineage?.example != nil {
            let number = "#\((lineage?.examplesIndex ?? 0) + 1).\((lineage?.exampleIndex ?? 0) + 1)"
            parts.append(scenarioName != pickle.name ? "\(number): \(pickle.name)" : number)
        }
        return parts.filter { !$0.isEmpty }.joined(separator: " - ")
    }

    /// A number as the reference writes it (`0.007`, `1`), to at most six decimals and never in
    /// exponent form: `8.4716796875e-05` → `0.000085`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        let micros = (value * 1_000_000).rounded()
        guard abs(micros) < 9e15 else { return String(Int(value.rounded())) }
        let n = Int(micros), whole = abs(n) / 1_000_000, fraction = abs(n) % 1_000_000
        var digits = String(fraction)
        digits = String(repeating: "0", count: 6 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        let sign = n < 0 ? "-" : ""
        return digits.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(digits)"
    }

    static func iso8601(_ millis: Double) -> String {
        let date = Date(timeIntervalSince1970: millis / 1000)
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions =
            millis.truncatingRemainder(dividingBy: 1000) == 0
            ? [.withInternetDateTime] : [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    func attr(_ s: String) -> String { Markup.escaped(Markup.xmlSafe(s)) }

    func cdata(_ s: String) -> String {
        let safe = Markup.xmlSafe(s)
        guard safe.utf8.contains(UInt8(ascii: "]")) else { return safe }
        return safe.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>")
    }
}
