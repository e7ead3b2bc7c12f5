import Foundation
import Messages

/// Which tags name a card, the rows of the HTML report's readiness matrix: any tag starting with one
/// of `prefixes`, or equal to one of `names` ignoring case.
public struct CardTags: Sendable, Equatable {
    public var prefixes: [String]
    public var names: [String]

    public init(prefixes: [String], names: [String]) {
        self.prefixes = prefixes
        self.names = names.map { $0.lowercased() }
    }

    /// The study plan's cards: `@KAF-01` … `@KAF-14` and `@capstone`.
    public static let studyPlan = CardTags(prefixes: ["@KAF-"], names: ["@capstone"])

    /// The card of a case with these tags, without its `@` (`@KAF-07` → `KAF-07`), or nil.
    public func card(of tags: [String]) -> String? {
        tags.first { tag in prefixes.contains { tag.hasPrefix($0) } || names.contains(tag.lowercased()) }
            .map { String($0.dropFirst()) }
    }
}

/// Test cases of a run, shaped for the human-readable reports (HTML, Cucumber JSON, rerun).
public struct ReportModel {
    public struct StepLine {
        public var keyword: String
        public var text: String
        public var line: Int?
        public var isHook: Bool
        public var isBackground: Bool
        public var status: TestStepResultStatus
        public var seconds: Double
        public var message: String?
        public var location: String?
        public var attachments: [Attachment]
        public var docString: String?
        public var table: [[String]]?
    }

    public struct Case {
        public var uri: String
        public var line: Int
        public var name: String
        public var featureName: String
        public var ruleName: String?
        public var tags: [String]
        public var status: TestStepResultStatus
        public var seconds: Double
        public var steps: [StepLine]
        /// The card the case belongs to (see `CardTags`), or nil.
        public var card: String?
        public var featureDescription = ""
        public var ruleDescription = ""
        public var scenarioDescription = ""
        /// "Examples #1, row 2" for a scenario outline's row.
        public var exampleRow: String?
        /// Earlier attempts (with --retry) and the first line of why each failed.
        public var retried: [String] = []
        /// Passed, but only on a retry.
        public var flaky: Bool { status == .passed && !retried.isEmpty }

        /// The reason a skipped or failed case shows: its first non-passing step's message.
        public var reason: String? { steps.first { $0.status != .passed && $0.message != nil }?.message }
    }

    public var cases: [Case] = []
    public var success: Bool
    public var seconds: Double
    public var parseErrors: [String]

    public init(_ q: RunQuery, cardTags: CardTags = .studyPlan) {
        success = q.testRunFinished?.success ?? false
        seconds = q.testRunSeconds ?? 0
        parseErrors = q.parseErrors.map(\.error.message)
        for started in q.testCasesStarted {
            guard let pickle = q.pickle(startedId: started.id) else { continue }
            let lineage = q.lineage(of: pickle)
            let steps = q.stepResults(startedId: started.id).map { Self.line($0, startedId: started.id, q) }
            let tags = pickle.tags.map(\.name)
            cases.append(
                Case(
                    uri: pickle.uri, line: pickle.location.line, name: pickle.name,
                    featureName: lineage?.feature.name ?? "", ruleName: lineage?.rule?.name, tags: tags,
                    status: q.status(startedId: started.id),
                    seconds: q.testCaseSeconds(startedId: started.id) ?? 0, steps: steps,
                    card: cardTags.card(of: tags)))
            cases[cases.count - 1].featureDescription = lineage?.feature.description ?? ""
            cases[cases.count - 1].ruleDescription = lineage?.rule?.description ?? ""
            cases[cases.count - 1].scenarioDescription = lineage?.scenario.description ?? ""
            cases[cases.count - 1].retried = q.retriedAttempts(of: started.id).map { attempt in
                let why = q.notPassedStep(startedId: attempt.id)?.explanationLines.first
                return "attempt \(attempt.attempt + 1): \(why ?? q.status(startedId: attempt.id).lowercaseName)"
            }
            if let lineage, lineage.example != nil {
                let examples = lineage.examples?.name.isEmpty == false ? lineage.examples!.name : "Examples"
                cases[cases.count - 1].exampleRow =
                    "\(examples) #\((lineage.examplesIndex ?? 0) + 1), row \((lineage.exampleIndex ?? 0) + 1)"
            }
        }
    }

    static func line(_ r: RunQuery.StepResult, startedId: String, _ q: RunQuery) -> StepLine {
        let result = r.result
        let seconds = RunQuery.seconds(result.duration)
        let attachments = q.attachments(testCaseStartedId: startedId, testStepId: r.step.id)
        if case .pickleStep(let psId, let definitionIds, _) = r.step.kind, let ps = q.pickleStep(id: psId) {
            let astId = ps.astNodeIds.first ?? ""
            let ast = q.step(id: astId)
            let definition = definitionIds.count == 1 ? q.stepDefinitions[definitionIds[0]] : nil
            var message = result.message
            if result.status == .undefined, message == nil {
                let snippet = q.snippets(pickleStepId: psId).first?.code
                let near = q.closestDefinition(to: ps.text).map { "Did you mean: \($0)\n" } ?? ""
                message = "Undefined step. \(near)Define it with:\n" + (snippet ?? "(no snippet)")
            }
            return StepLine(
                keyword: (ast?.keyword ?? "").trimmingWhitespace(newlines: false), text: ps.text,
                line: ast?.location.line, isHook: false, isBackground: q.isFeatureBackgroundStep(id: astId),
                status: result.status, seconds: seconds, message: message,
                location: definition.map { "\($0.sourceReference.uri):\($0.sourceReference.line)" },
                attachments: attachments, docString: ps.argument?.docString?.content,
                table: ps.argument?.dataTable?.rows)
        }
        let hookId = if case .hook(let id) = r.step.kind { id } else { "" }
        return StepLine(
            keyword: q.hookKeyword(hookId: hookId) + (q.hooks[hookId]?.name.map { " \($0)" } ?? ""),
            text: "", line: nil, isHook: true, isBackground: false, status: result.status, seconds: seconds,
            message: result.message, location: nil, attachments: attachments, docString: nil, table: nil)
    }

    public func count(_ status: TestStepResultStatus) -> Int { cases.count { $0.status == status } }
}
