import Messages
/// What `kafka-bdd run` prints as it goes: `pretty` (every step), `progress` (a character per step)
/// or `summary` (only the end). Colours only on a terminal and never with NO_COLOR. It reads the
/// run's `RunQuery`; envelopes arrive one at a time, as the runner emits them.
public final class ConsoleFormatter: @unchecked Sendable {
    public enum Style: String, Sendable, CaseIterable { case pretty, progress, summary }

    private let style: Style
    private let colour: Bool
    private let write: (String) -> Void
    private var progressColumn = 0

    public init(style: Style, colour: Bool, write: @escaping (String) -> Void) {
        self.style = style
        self.colour = colour
        self.write = write
    }

    private func paint(_ text: String, _ status: TestStepResultStatus) -> String {
        guard colour else { return text }
        let code = switch status {
        case .passed: "32"
        case .failed, .ambiguous: "31"
        case .undefined, .pending: "33"
        case .skipped: "36"
        case .unknown: "37"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// Prints what an envelope adds to the run; `query` has already been updated with it.
    public func handle(_ envelope: Envelope, query q: RunQuery) {
        switch envelope {
        case .parseError(let e):
            write("\(e.uri):\(e.error.location.line):\(e.error.location.column ?? 0): \(e.error.text)\n")
        case .testCaseStarted(let id, _, _, _):
            guard style == .pretty, let p = q.pickle(startedId: id) else { return }
            write("\nScenario: \(p.name)  # \(p.uri):\(p.location.line)\n")
        case .testStepFinished(let caseId, let stepId, let result, _):
            guard q.pickle(startedId: caseId) != nil else { return }
            switch style {
            case .pretty:
                write("  " + paint("\(symbol(result.status)) \(text(ofStep: stepId, q))", result.status) + "\n")
                if let m = result.message, result.status != .passed {
                    let indented = m.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n")
                    write(paint(indented, result.status) + "\n")
                }
            case .progress:
                write(paint(progressChar(result.status), result.status))
                progressColumn += 1
                if progressColumn % 80 == 0 { write("\n") }
            case .summary:
                break
            }
        case .testRunFinished(_, let success, let message, _, _):
            if style == .progress { write("\n") }
            if let message, !success { write(paint("Run failed: \(message)", .failed) + "\n") }
            var counts: [TestStepResultStatus: Int] = [:]
            var failures: [String] = []
            for started in q.testCasesStarted where q.testCaseFinished(startedId: started.id) != nil {
                let status = q.status(startedId: started.id)
                counts[status, default: 0] += 1
                if status > .skipped, let p = q.pickle(startedId: started.id) {
                    failures.append("\(p.uri):\(p.location.line) \(p.name) (\(status.rawValue.lowercased()))")
                }
            }
            if !failures.isEmpty { write("\nNot passed:\n" + failures.map { "  \($0)\n" }.joined()) }
            let failed = counts.filter { $0.key > .skipped }.values.reduce(0, +)
            write("\(counts[.passed] ?? 0) passed, \(failed) failed, \(counts[.skipped] ?? 0) skipped\n")
        default:
            break
        }
    }

    /// A pickle step's text, or a hook's keyword and name.
    private func text(ofStep id: String, _ q: RunQuery) -> String {
        switch q.testStep(id: id)?.kind {
        case .pickleStep(let psId, _, _)?: q.pickleStep(id: psId)?.text ?? ""
        case .hook(let hookId)?:
            q.hooks[hookId].map { q.hookKeyword(hookId: $0.id) + " \($0.name ?? "hook")" } ?? "hook"
        case nil: "hook"
        }
    }

    private func symbol(_ s: TestStepResultStatus) -> String {
        switch s {
        case .passed: "✔"
        case .failed: "✘"
        case .skipped: "↷"
        case .undefined: "?"
        case .pending: "…"
        case .ambiguous: "⁇"
        case .unknown: "·"
        }
    }

    private func progressChar(_ s: TestStepResultStatus) -> String {
        switch s {
        case .passed: "."
        case .failed: "F"
        case .skipped: "-"
        case .undefined: "U"
        case .pending: "P"
        case .ambiguous: "A"
        case .unknown: "?"
        }
    }
}
