import Messages
/// What `kafka-bdd run` prints as it goes: `pretty` (every step), `progress` (a character per step)
/// or `summary` (only the end). Colours only on a terminal and never with NO_COLOR.
public final class ConsoleFormatter: @unchecked Sendable {
    public enum Style: String, Sendable, CaseIterable { case pretty, progress, summary }

    private let style: Style
    private let colour: Bool
    private let write: (String) -> Void
    private var pickles: [String: Pickle] = [:]
    private var testCases: [String: TestCaseMessage] = [:]
    private var hookNames: [String: String] = [:]
    private var startedCase: [String: String] = [:] // testCaseStartedId → pickle id
    private var statusCounts: [TestStepResultStatus: Int] = [:]
    private var worst: [String: TestStepResultStatus] = [:]
    private var failures: [String] = []
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

    public func handle(_ envelope: Envelope) {
        switch envelope {
        case .pickle(let p):
            pickles[p.id] = p
        case .hook(let h):
            hookNames[h.id] = (h.type == .beforeTestCase || h.type == .beforeTestRun ? "Before" : "After") + (h.name.map { " \($0)" } ?? " hook")
        case .parseError(let e):
            write("\(e.uri):\(e.error.location.line):\(e.error.location.column ?? 0): \(e.error.text)\n")
        case .testCase(let t):
            testCases[t.id] = t
        case .testCaseStarted(let id, let testCaseId, _, _):
            guard let pickleId = testCases[testCaseId]?.pickleId, let p = pickles[pickleId] else { return }
            startedCase[id] = pickleId
            if style == .pretty { write("\nScenario: \(p.name)  # \(p.uri):\(p.location.line)\n") }
        case .testStepFinished(let caseId, let stepId, let result, _):
            guard let pickleId = startedCase[caseId], let p = pickles[pickleId] else { return }
            worst[caseId] = max(worst[caseId] ?? .passed, result.status)
            let step = testCases.values.first { $0.pickleId == pickleId }?.testSteps.first { $0.id == stepId }
            var text = "hook"
            switch step?.kind {
            case .pickleStep(let psId, _, _)?: text = p.steps.first { $0.id == psId }?.text ?? ""
            case .hook(let hookId)?: text = hookNames[hookId] ?? "hook"
            case nil: break
            }
            switch style {
            case .pretty:
                write("  " + paint("\(symbol(result.status)) \(text)", result.status) + "\n")
                if let m = result.message, result.status != .passed { write(paint(m.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n"), result.status) + "\n") }
            case .progress:
                write(paint(progressChar(result.status), result.status))
                progressColumn += 1
                if progressColumn % 80 == 0 { write("\n") }
            case .summary:
                break
            }
        case .testCaseFinished(let caseId, _, _):
            let status = worst[caseId] ?? .passed
            statusCounts[status, default: 0] += 1
            if status > .skipped, let pickleId = startedCase[caseId], let p = pickles[pickleId] {
                failures.append("\(p.uri):\(p.location.line) \(p.name) (\(status.rawValue.lowercased()))")
            }
        case .testRunFinished(_, let success, let message, _, _):
            if style == .progress { write("\n") }
            if let message, !success { write(paint("Run failed: \(message)", .failed) + "\n") }
            if !failures.isEmpty { write("\nNot passed:\n" + failures.map { "  \($0)\n" }.joined()) }
            let passed = statusCounts[.passed] ?? 0
            let skipped = statusCounts[.skipped] ?? 0
            let failed = statusCounts.filter { $0.key > .skipped }.values.reduce(0, +)
            write("\(passed) passed, \(failed) failed, \(skipped) skipped\n")
        default:
            break
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
