/// One Cucumber Messages envelope: every report is built from a stream of these.
public enum Envelope: JSONWritable, Sendable {
    case meta(Meta)
    case source(Source)
    case gherkinDocument(GherkinDocument)
    case pickle(Pickle)
    case parseError(SourcedParseError)
    case stepDefinition(StepDefinitionMessage)
    case hook(HookMessage)
    case parameterType(ParameterTypeMessage)
    case undefinedParameterType(UndefinedParameterTypeMessage)
    case testRunStarted(id: String, timestamp: Timestamp)
    case testCase(TestCaseMessage)
    case testCaseStarted(id: String, testCaseId: String, attempt: Int, timestamp: Timestamp)
    case testStepStarted(testCaseStartedId: String, testStepId: String, timestamp: Timestamp)
    case suggestion(id: String, pickleStepId: String, snippets: [Snippet])
    case attachment(Attachment)
    case testStepFinished(testCaseStartedId: String, testStepId: String, result: TestStepResult, timestamp: Timestamp)
    case testCaseFinished(testCaseStartedId: String, willBeRetried: Bool, timestamp: Timestamp)
    case testRunHookStarted(id: String, testRunStartedId: String, hookId: String, timestamp: Timestamp)
    case testRunHookFinished(testRunHookStartedId: String, result: TestStepResult, timestamp: Timestamp)
    case testRunFinished(testRunStartedId: String, success: Bool, message: String?, exception: ExceptionInfo?, timestamp: Timestamp)

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        switch self {
        case .meta(let m): json.field("meta", m)
        case .source(let s): json.field("source", s)
        case .gherkinDocument(let d): json.field("gherkinDocument", d)
        case .pickle(let p): json.field("pickle", p)
        case .parseError(let e): json.field("parseError", e)
        case .stepDefinition(let s): json.field("stepDefinition", s)
        case .hook(let h): json.field("hook", h)
        case .parameterType(let p): json.field("parameterType", p)
        case .undefinedParameterType(let u): json.field("undefinedParameterType", u)
        case .testRunStarted(let id, let timestamp):
            json.key("testRunStarted"); json.objectStart()
            json.field("id", id); json.field("timestamp", timestamp)
            json.objectEnd()
        case .testCase(let t): json.field("testCase", t)
        case .testCaseStarted(let id, let testCaseId, let attempt, let timestamp):
            json.key("testCaseStarted"); json.objectStart()
            json.field("attempt", attempt); json.field("id", id); json.field("testCaseId", testCaseId); json.field("timestamp", timestamp)
            json.objectEnd()
        case .testStepStarted(let caseStartedId, let stepId, let timestamp):
            json.key("testStepStarted"); json.objectStart()
            json.field("testCaseStartedId", caseStartedId); json.field("testStepId", stepId); json.field("timestamp", timestamp)
            json.objectEnd()
        case .suggestion(let id, let pickleStepId, let snippets):
            json.key("suggestion"); json.objectStart()
            json.field("id", id); json.field("pickleStepId", pickleStepId); json.array("snippets", snippets)
            json.objectEnd()
        case .attachment(let a): json.field("attachment", a)
        case .testStepFinished(let caseStartedId, let stepId, let result, let timestamp):
            json.key("testStepFinished"); json.objectStart()
            json.field("testCaseStartedId", caseStartedId); json.field("testStepId", stepId)
            json.field("testStepResult", result); json.field("timestamp", timestamp)
            json.objectEnd()
        case .testCaseFinished(let caseStartedId, let willBeRetried, let timestamp):
            json.key("testCaseFinished"); json.objectStart()
            json.field("testCaseStartedId", caseStartedId); json.field("timestamp", timestamp); json.field("willBeRetried", willBeRetried)
            json.objectEnd()
        case .testRunHookStarted(let id, let runId, let hookId, let timestamp):
            json.key("testRunHookStarted"); json.objectStart()
            json.field("hookId", hookId); json.field("id", id); json.field("testRunStartedId", runId); json.field("timestamp", timestamp)
            json.objectEnd()
        case .testRunHookFinished(let startedId, let result, let timestamp):
            json.key("testRunHookFinished"); json.objectStart()
            json.field("result", result); json.field("testRunHookStartedId", startedId); json.field("timestamp", timestamp)
            json.objectEnd()
        case .testRunFinished(let runId, let success, let message, let exception, let timestamp):
            json.key("testRunFinished"); json.objectStart()
            json.fieldIfPresent("exception", exception); json.fieldIfPresent("message", message)
            json.field("success", success); json.field("testRunStartedId", runId); json.field("timestamp", timestamp)
            json.objectEnd()
        }
        json.objectEnd()
    }

    /// The envelope as one NDJSON line.
    public var ndjsonLine: String {
        var w = JSONWriter(capacity: 1024)
        write(to: &w)
        w.newline()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
