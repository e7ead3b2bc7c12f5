import Foundation
import Messages

/// What every report says about a step that did not pass: where it is, what it says, the message,
/// the snippets for an undefined step and the closest defined sentence.
public struct StepDetail: Sendable {
    public var keyword: String
    public var text: String
    /// `features/x.feature:12`, the Gherkin step's line.
    public var location: String?
    public var status: TestStepResultStatus
    public var message: String?
    public var snippets: [String]
    public var didYouMean: String?

    /// The message, or for an undefined step a sentence, the snippets and the nearest definition.
    public var explanation: String { explanation(sameSnippetsAs: nil) }

    /// `sameSnippetsAs`: where the same snippets were shown already (the console's summary shows each once).
    public func explanation(sameSnippetsAs earlier: String?) -> String {
        var lines: [String] = []
        switch status {
        case .undefined:
            lines.append("Undefined step: \(keyword)\(text)")
            if let didYouMean { lines.append("Did you mean: \(didYouMean)") }
            if let earlier, !snippets.isEmpty {
                lines.append("Implement it with: the snippets shown above for \(earlier)")
            } else if !snippets.isEmpty {
                lines.append("Implement it with:\n" + snippets.joined(separator: "\n"))
            }
        case .pending where message == nil: lines.append("Pending step: \(keyword)\(text)")
        case .ambiguous where message == nil:
            lines.append("Ambiguous step (several definitions match): \(keyword)\(text)")
        default: if let message { lines.append(message) }
        }
        return lines.joined(separator: "\n")
    }

    /// The explanation's first non-empty line and what follows that line (without splitting the whole
    /// text: a report of 50,000 undefined steps did that for every snippet line).
    public var explanationLines: (first: String?, rest: String) {
        let text = explanation.drop { $0 == "\n" }
        guard !text.isEmpty else { return (nil, "") }
        guard let end = text.firstIndex(of: "\n") else { return (String(text), "") }
        return (String(text[..<end]), String(text[text.index(after: end)...]))
    }
}

extension RunQuery {
    /// The first step of a test case with the case's most severe status, or nil when it passed.
    public func notPassedStep(startedId: String) -> StepDetail? {
        let status = self.status(startedId: startedId)
        guard status != .passed,
            let r = stepResults(startedId: startedId).first(where: { $0.result.status == status })
        else { return nil }
        return detail(r, startedId: startedId)
    }

    /// Every undefined step of a case, in order: each needs its own snippet (cucumber prints them all).
    public func undefinedSteps(startedId: String) -> [StepDetail] {
        stepResults(startedId: startedId).filter { $0.result.status == .undefined }
            .map { detail($0, startedId: startedId) }
    }

    public func detail(_ r: StepResult, startedId: String) -> StepDetail {
        var d = StepDetail(keyword: "", text: "", status: r.result.status, message: r.result.message, snippets: [])
        switch r.step.kind {
        case .pickleStep(let psId, _, _):
            let ps = pickleStep(id: psId)
            d.text = ps?.text ?? ""
            if let astId = ps?.astNodeIds.first, let s = step(id: astId) {
                d.keyword = s.keyword
                if let uri = pickle(startedId: startedId)?.uri { d.location = "\(uri):\(s.location.line)" }
            }
            if r.result.status == .undefined {
                d.snippets = snippets(pickleStepId: psId).map(\.code)
                d.didYouMean = closestDefinition(to: d.text)
            }
        case .hook(let hookId):
            d.keyword = hookKeyword(hookId: hookId) + " "
            d.text = hooks[hookId]?.name ?? "hook"
            if let ref = hooks[hookId]?.sourceReference { d.location = "\(ref.uri):\(ref.line)" }
        }
        return d
    }

    /// The step definition source nearest to `text` by edit distance, when it is near enough to help.
    public func closestDefinition(to text: String) -> String? {
        suggestions.closest(to: text, in: stepDefinitions)
    }
}
