/// One Cucumber Messages envelope: every report is built from a stream of these. Its JSON reading and
/// writing are generated (MessagesCoding.swift).
public enum Envelope: Sendable {
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
    case testRunFinished(
        testRunStartedId: String, success: Bool, message: String?, exception: ExceptionInfo?,
        timestamp: Timestamp)

    /// The envelope as one NDJSON line.
    public var ndjsonLine: String {
        var w = JSONWriter(capacity: 1024)
        write(to: &w)
        w.newline()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
