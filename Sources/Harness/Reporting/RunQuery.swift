import Messages

/// The read model every report is built from: fed envelopes one at a time — as a run emits them or
/// as a saved stream (ours or any Cucumber tool's) is decoded — it indexes them so the reports can
/// ask for a test case's pickle, lineage, steps, results and attachments without searching.
public struct RunQuery: Sendable {
    /// Where a pickle came from in its feature file.
    public struct Lineage: Sendable {
        public var uri: String?
        public var feature: Feature
        public var rule: Rule?
        public var scenario: Scenario
        public var examples: Examples?
        public var examplesIndex: Int?
        public var example: TableRow?
        public var exampleIndex: Int?
    }

    public struct TestRunStarted: Sendable {
        public var id: String
        public var timestamp: Timestamp
    }

    public struct TestRunFinished: Sendable {
        public var testRunStartedId: String
        public var success: Bool
        public var message: String?
        public var exception: ExceptionInfo?
        public var timestamp: Timestamp
    }

    public struct TestCaseStarted: Sendable {
        public var id: String
        public var testCaseId: String
        public var attempt: Int
        public var timestamp: Timestamp
    }

    public struct TestCaseFinished: Sendable {
        public var willBeRetried: Bool
        public var timestamp: Timestamp
    }

    /// A finished test step with its result.
    public struct StepResult: Sendable {
        public var step: TestStep
        public var result: TestStepResult
    }

    /// A started test case and what has been reported of it so far.
    private struct CaseRecord {
        var started: TestCaseStarted
        var pickleId: String?
        var finished: TestCaseFinished?
        var steps: [StepResult] = []
    }

    private var retriedByTestCase: [String: [String]] = [:]  // test case id → started ids retried

    private struct StepKey: Hashable {
        var testCaseStartedId: String
        var testStepId: String
    }

    public private(set) var meta: Meta?
    public private(set) var testRunStarted: TestRunStarted?
    public private(set) var testRunFinished: TestRunFinished?
    public private(set) var documents: [GherkinDocument] = []
    public private(set) var parseErrors: [SourcedParseError] = []
    public private(set) var stepDefinitions: [String: StepDefinitionMessage] = [:]
    /// Shared by every copy of the query: the formatters ask for the same hints.
    let suggestions = Suggestions()
    public private(set) var hooks: [String: HookMessage] = [:]
    private var pickleById: [String: Pickle] = [:]
    private var pickleStepById: [String: PickleStep] = [:]
    private var testCaseById: [String: TestCaseMessage] = [:]
    private var testStepById: [String: TestStep] = [:]
    private var caseByStartedId: [String: CaseRecord] = [:]
    private var startedOrder: [String] = []
    private var testCaseOrder: [String: Int] = [:]  // testCase id → place among the announced test cases
    private var attachmentsByStep: [StepKey: [Attachment]] = [:]
    private var snippetsByPickleStep: [String: [Snippet]] = [:]
    private var stepById: [String: Step] = [:]
    private var featureBackgroundStepIds: Set<String> = []
    /// By scenario and examples-row id.
    private var lineageById: [String: Lineage] = [:]

    public init() {}

    public mutating func update(_ envelope: Envelope) {
        switch envelope {
        case .meta(let m): meta = m
        case .gherkinDocument(let d): index(document: d)
        case .pickle(let p):
            pickleById[p.id] = p
            for s in p.steps { pickleStepById[s.id] = s }
        case .parseError(let e): parseErrors.append(e)
        case .stepDefinition(let s): stepDefinitions[s.id] = s
        case .hook(let h): hooks[h.id] = h
        case .testRunStarted(let id, let timestamp): testRunStarted = TestRunStarted(id: id, timestamp: timestamp)
        case .testCase(let t):
            testCaseById[t.id] = t
            if testCaseOrder[t.id] == nil { testCaseOrder[t.id] = testCaseOrder.count }
            for s in t.testSteps { testStepById[s.id] = s }
        case .testCaseStarted(let id, let testCaseId, let attempt, let timestamp):
            let started = TestCaseStarted(id: id, testCaseId: testCaseId, attempt: attempt, timestamp: timestamp)
            if caseByStartedId[id] == nil {
                startedOrder.append(id)
                caseByStartedId[id] = CaseRecord(started: started, pickleId: testCaseById[testCaseId]?.pickleId)
            } else {
                caseByStartedId[id]?.started = started
            }
        case .testStepFinished(let startedId, let stepId, let result, _):
            if let step = testStepById[stepId] {
                caseByStartedId[startedId]?.steps.append(StepResult(step: step, result: result))
            }
        case .testCaseFinished(let startedId, let willBeRetried, let timestamp):
            caseByStartedId[startedId]?.finished = TestCaseFinished(willBeRetried: willBeRetried, timestamp: timestamp)
            if willBeRetried, let testCaseId = caseByStartedId[startedId]?.started.testCaseId {
                retriedByTestCase[testCaseId, default: []].append(startedId)
            }
        case .attachment(let a):
            let key = StepKey(testCaseStartedId: a.testCaseStartedId ?? "", testStepId: a.testStepId ?? "")
            attachmentsByStep[key, default: []].append(a)
        case .suggestion(_, let pickleStepId, let snippets): snippetsByPickleStep[pickleStepId, default: []] += snippets
        case .testRunFinished(let runId, let success, let message, let exception, let timestamp):
            testRunFinished = TestRunFinished(
                testRunStartedId: runId, success: success, message: message,
                exception: exception, timestamp: timestamp)
        case .source, .parameterType, .undefinedParameterType, .testStepStarted, .testRunHookStarted,
            .testRunHookFinished:
            break
        }
    }

    private mutating func index(document: GherkinDocument) {
        documents.append(document)
        guard let feature = document.feature else { return }
        func add(_ s: Scenario, rule: Rule?) {
            let lineage = Lineage(uri: document.uri, feature: feature, rule: rule, scenario: s)
            lineageById[s.id] = lineage
            for step in s.steps { stepById[step.id] = step }
            for (i, examples) in s.examples.enumerated() {
                for (j, row) in examples.tableBody.enumerated() {
                    var l = lineage
                    l.examples = examples
                    l.examplesIndex = i
                    l.example = row
                    l.exampleIndex = j
                    lineageById[row.id] = l
                }
            }
        }
        for child in feature.children {
            switch child {
            case .background(let b):
                for step in b.steps { stepById[step.id] = step; featureBackgroundStepIds.insert(step.id) }
            case .scenario(let s):
                add(s, rule: nil)
            case .rule(let r):
                for rc in r.children {
                    switch rc {
                    case .background(let b): for step in b.steps { stepById[step.id] = step }
                    case .scenario(let s): add(s, rule: r)
                    }
                }
            }
        }
    }

    // MARK: Queries

    public func pickle(id: String) -> Pickle? { pickleById[id] }
    public func pickleStep(id: String) -> PickleStep? { pickleStepById[id] }
    public func testCase(id: String) -> TestCaseMessage? { testCaseById[id] }
    public func testStep(id: String) -> TestStep? { testStepById[id] }
    /// A Gherkin step of any scenario or background.
    public func step(id: String) -> Step? { stepById[id] }
    /// Whether a Gherkin step belongs to its feature's own background (not a rule's).
    public func isFeatureBackgroundStep(id: String) -> Bool { featureBackgroundStepIds.contains(id) }
    public func snippets(pickleStepId: String) -> [Snippet] { snippetsByPickleStep[pickleStepId] ?? [] }
    public func attachments(testCaseStartedId: String, testStepId: String) -> [Attachment] {
        attachmentsByStep[StepKey(testCaseStartedId: testCaseStartedId, testStepId: testStepId)] ?? []
    }

    /// The lineage of a pickle: its examples row's, else its scenario's.
    public func lineage(of pickle: Pickle) -> Lineage? {
        for id in pickle.astNodeIds.reversed() { if let l = lineageById[id] { return l } }
        return nil
    }

    /// Test cases started and not to be retried, in the order their test cases were announced (scenario
    /// order, however they were scheduled: `--timings` starts the longest first), then in the order they started.
    public var testCasesStarted: [TestCaseStarted] {
        let all = startedOrder.compactMap { caseByStartedId[$0] }.filter { $0.finished?.willBeRetried != true }
            .map(\.started)
        return all.enumerated().sorted { a, b in
            let oa = testCaseOrder[a.element.testCaseId] ?? Int.max, ob = testCaseOrder[b.element.testCaseId] ?? Int.max
            if oa != ob { return oa < ob }
            let ta = Self.millis(a.element.timestamp), tb = Self.millis(b.element.timestamp)
            return ta != tb ? ta < tb : a.offset < b.offset
        }.map(\.element)
    }

    /// A case still running when the reports are written (an interrupt) did not pass: the step it was at
    /// fails with `why`, the steps after it are skipped, and the case is finished.
    public mutating func closeUnfinishedCases(why: String) {
        for started in testCasesStarted where testCaseFinished(startedId: started.id) == nil {
            let done = Set(stepResults(startedId: started.id).map(\.step.id))
            var first = true
            for step in testCase(id: started.testCaseId)?.testSteps ?? [] where !done.contains(step.id) {
                let result = first ? TestStepResult(status: .failed, message: why) : TestStepResult(status: .skipped)
                first = false
                update(
                    .testStepFinished(
                        testCaseStartedId: started.id, testStepId: step.id, result: result,
                        timestamp: .now()))
            }
            update(.testCaseFinished(testCaseStartedId: started.id, willBeRetried: false, timestamp: .now()))
        }
    }

    /// The earlier attempts of the test case `startedId` ran (those retried), first attempt first.
    public func retriedAttempts(of startedId: String) -> [TestCaseStarted] {
        guard let final = caseByStartedId[startedId]?.started else { return [] }
        return (retriedByTestCase[final.testCaseId] ?? []).compactMap { caseByStartedId[$0]?.started }
            .sorted { $0.attempt < $1.attempt }
    }

    public func testCaseStarted(id: String) -> TestCaseStarted? { caseByStartedId[id]?.started }
    public func testCaseFinished(startedId: String) -> TestCaseFinished? { caseByStartedId[startedId]?.finished }

    public func pickle(startedId: String) -> Pickle? {
        guard let record = caseByStartedId[startedId],
            let pickleId = record.pickleId ?? testCaseById[record.started.testCaseId]?.pickleId
        else { return nil }
        return pickleById[pickleId]
    }

    /// The finished steps of a started test case, in order.
    public func stepResults(startedId: String) -> [StepResult] { caseByStartedId[startedId]?.steps ?? [] }

    /// The most severe step result of a test case; among equally severe ones the first with a message,
    /// so that a skipped case carries the reason its first skipped step gave.
    public func mostSevereResult(startedId: String) -> TestStepResult? {
        var best: TestStepResult?
        for r in (caseByStartedId[startedId]?.steps ?? []).lazy.map(\.result) {
            guard let b = best else { best = r; continue }
            if r.status > b.status || (r.status == b.status && b.message == nil && r.message != nil) { best = r }
        }
        return best
    }

    /// A test case's status: its most severe step's, and passed when it has no steps.
    public func status(startedId: String) -> TestStepResultStatus {
        mostSevereResult(startedId: startedId)?.status ?? .passed
    }

    /// "Before" or "After", as a hook's step is shown.
    public func hookKeyword(hookId: String) -> String {
        switch hooks[hookId]?.type {
        case .beforeTestCase?, .beforeTestRun?: "Before"
        default: "After"
        }
    }

    public static func millis(_ t: Timestamp) -> Double { Double(t.seconds) * 1000 + Double(t.nanos) / 1_000_000 }
    public static func seconds(_ duration: Timestamp) -> Double { millis(duration) / 1000 }

    public func testCaseSeconds(startedId: String) -> Double? {
        guard let record = caseByStartedId[startedId], let finished = record.finished else { return nil }
        return (Self.millis(finished.timestamp) - Self.millis(record.started.timestamp)) / 1000
    }

    public var testRunSeconds: Double? {
        guard let s = testRunStarted, let f = testRunFinished else { return nil }
        return (Self.millis(f.timestamp) - Self.millis(s.timestamp)) / 1000
    }
}
