import Foundation

// The Cucumber Messages a test run produces (besides the Gherkin stage's). Plain data with
// sorted-key JSON; the runner builds them and every report reads them.

public struct Timestamp: Sendable, Hashable, JSONWritable {
    public var seconds: Int64
    public var nanos: Int32

    public init(seconds: Int64, nanos: Int32) {
        self.seconds = seconds
        self.nanos = nanos
    }

    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(seconds: Int64(ts.tv_sec), nanos: Int32(ts.tv_nsec))
    }

    public init(_ duration: Duration) {
        let c = duration.components
        seconds = c.seconds
        nanos = Int32(c.attoseconds / 1_000_000_000)
    }

    public var duration: Duration { .seconds(seconds) + .nanoseconds(Int64(nanos)) }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("nanos", Int(nanos))
        json.field("seconds", Int(seconds))
        json.objectEnd()
    }
}

public struct Meta: Sendable, JSONWritable {
    public var protocolVersion = "30.1.0"
    public var implementation = (name: "kafka-bdd", version: "0.1.0")
    public var runtime = (name: "swift", version: "6")
    public var os: (name: String, version: String?)
    public var cpu: String
    /// The CI build a run was part of, when the producer of the stream knew it.
    public var ci: CI?

    public struct CI: Sendable {
        public var name: String
        public var url: String?
        public var buildNumber: String?
        public var git: Git?

        public struct Git: Sendable {
            public var remote: String
            public var revision: String
            public var branch: String?
            public var tag: String?

            public init(remote: String, revision: String, branch: String? = nil, tag: String? = nil) {
                self.remote = remote
                self.revision = revision
                self.branch = branch
                self.tag = tag
            }
        }

        public init(name: String, url: String? = nil, buildNumber: String? = nil, git: Git? = nil) {
            self.name = name
            self.url = url
            self.buildNumber = buildNumber
            self.git = git
        }
    }

    public init() {
        var u = utsname()
        uname(&u)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        os = (text(u.sysname).lowercased(), text(u.release))
        cpu = text(u.machine)
    }

    public init(protocolVersion: String, implementation: (name: String, version: String),
                runtime: (name: String, version: String), os: (name: String, version: String?), cpu: String) {
        self.protocolVersion = protocolVersion
        self.implementation = implementation
        self.runtime = runtime
        self.os = os
        self.cpu = cpu
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        if let ci {
            json.key("ci"); json.objectStart()
            json.fieldIfPresent("buildNumber", ci.buildNumber)
            if let git = ci.git {
                json.key("git"); json.objectStart()
                json.fieldIfPresent("branch", git.branch)
                json.field("remote", git.remote)
                json.field("revision", git.revision)
                json.fieldIfPresent("tag", git.tag)
                json.objectEnd()
            }
            json.field("name", ci.name)
            json.fieldIfPresent("url", ci.url)
            json.objectEnd()
        }
        json.key("cpu"); json.objectStart(); json.field("name", cpu); json.objectEnd()
        json.key("implementation"); json.objectStart(); json.field("name", implementation.name); json.field("version", implementation.version); json.objectEnd()
        json.key("os"); json.objectStart(); json.field("name", os.name); json.fieldIfPresent("version", os.version); json.objectEnd()
        json.field("protocolVersion", protocolVersion)
        json.key("runtime"); json.objectStart(); json.field("name", runtime.name); json.field("version", runtime.version); json.objectEnd()
        json.objectEnd()
    }
}

/// A place in a source file: a step definition's or hook's origin.
public struct SourceReference: Sendable, Hashable {
    public var uri: String
    public var line: Int

    public init(uri: String, line: Int) {
        self.uri = uri
        self.line = line
    }

    public init(fileID: String = #fileID, line: Int = #line) {
        self.init(uri: fileID, line: line)
    }
}

extension SourceReference: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.key("location"); json.objectStart(); json.field("line", line); json.objectEnd()
        json.field("uri", uri)
        json.objectEnd()
    }
}

public struct StepDefinitionMessage: Sendable, JSONWritable {
    public var id: String
    public var source: String
    public var isRegularExpression: Bool
    public var sourceReference: SourceReference

    public init(id: String, source: String, isRegularExpression: Bool, sourceReference: SourceReference) {
        self.id = id
        self.source = source
        self.isRegularExpression = isRegularExpression
        self.sourceReference = sourceReference
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("id", id)
        json.key("pattern")
        json.objectStart()
        json.field("source", source)
        json.field("type", isRegularExpression ? "REGULAR_EXPRESSION" : "CUCUMBER_EXPRESSION")
        json.objectEnd()
        json.field("sourceReference", sourceReference)
        json.objectEnd()
    }
}

public enum HookType: String, Sendable {
    case beforeTestCase = "BEFORE_TEST_CASE", afterTestCase = "AFTER_TEST_CASE"
    case beforeTestRun = "BEFORE_TEST_RUN", afterTestRun = "AFTER_TEST_RUN"
}

public struct HookMessage: Sendable, JSONWritable {
    public var id: String
    public var name: String?
    public var tagExpression: String?
    /// Optional in the schema: older streams leave it out.
    public var type: HookType?
    public var sourceReference: SourceReference

    public init(id: String, name: String? = nil, tagExpression: String? = nil, type: HookType?,
                sourceReference: SourceReference) {
        self.id = id
        self.name = name
        self.tagExpression = tagExpression
        self.type = type
        self.sourceReference = sourceReference
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("id", id)
        json.fieldIfPresent("name", name)
        json.field("sourceReference", sourceReference)
        json.fieldIfPresent("tagExpression", tagExpression)
        json.fieldIfPresent("type", type?.rawValue)
        json.objectEnd()
    }
}

public struct ParameterTypeMessage: Sendable, JSONWritable {
    public var id: String
    public var name: String
    public var regularExpressions: [String]
    public var preferForRegularExpressionMatch: Bool
    public var useForSnippets: Bool
    public var sourceReference: SourceReference?

    public init(id: String, name: String, regularExpressions: [String], preferForRegularExpressionMatch: Bool,
                useForSnippets: Bool, sourceReference: SourceReference?) {
        self.id = id
        self.name = name
        self.regularExpressions = regularExpressions
        self.preferForRegularExpressionMatch = preferForRegularExpressionMatch
        self.useForSnippets = useForSnippets
        self.sourceReference = sourceReference
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("id", id)
        json.field("name", name)
        json.field("preferForRegularExpressionMatch", preferForRegularExpressionMatch)
        json.stringArray("regularExpressions", regularExpressions)
        json.fieldIfPresent("sourceReference", sourceReference)
        json.field("useForSnippets", useForSnippets)
        json.objectEnd()
    }
}

public struct UndefinedParameterTypeMessage: Sendable, JSONWritable {
    public var expression: String
    public var name: String

    public init(expression: String, name: String) {
        self.expression = expression
        self.name = name
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("expression", expression)
        json.field("name", name)
        json.objectEnd()
    }
}

/// A matched group as the `testCase` message describes it.
public struct MatchedGroup: Sendable, JSONWritable {
    public var start: Int?
    public var value: String?
    public var children: [MatchedGroup]

    public init(start: Int?, value: String?, children: [MatchedGroup]) {
        self.start = start
        self.value = value
        self.children = children
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        if !children.isEmpty { json.array("children", children) }
        if let start { json.field("start", start) }
        json.fieldIfPresent("value", value)
        json.objectEnd()
    }
}

public struct TestStep: Sendable, JSONWritable {
    public enum Kind: Sendable {
        case hook(hookId: String)
        case pickleStep(pickleStepId: String, stepDefinitionIds: [String], argumentLists: [[(group: MatchedGroup, parameterTypeName: String?)]])
    }

    public var id: String
    public var kind: Kind

    public init(id: String, kind: Kind) {
        self.id = id
        self.kind = kind
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        switch kind {
        case .hook(let hookId):
            json.field("hookId", hookId)
            json.field("id", id)
        case .pickleStep(let pickleStepId, let definitionIds, let lists):
            json.field("id", id)
            json.field("pickleStepId", pickleStepId)
            json.stringArray("stepDefinitionIds", definitionIds)
            json.key("stepMatchArgumentsLists")
            json.arrayStart()
            for list in lists {
                json.objectStart()
                json.key("stepMatchArguments")
                json.arrayStart()
                for argument in list {
                    json.objectStart()
                    json.field("group", argument.group)
                    if let name = argument.parameterTypeName, !name.isEmpty { json.field("parameterTypeName", name) }
                    json.objectEnd()
                }
                json.arrayEnd()
                json.objectEnd()
            }
            json.arrayEnd()
        }
        json.objectEnd()
    }
}

public struct TestCaseMessage: Sendable, JSONWritable {
    public var id: String
    public var pickleId: String
    public var testSteps: [TestStep]
    public var testRunStartedId: String

    public init(id: String, pickleId: String, testSteps: [TestStep], testRunStartedId: String) {
        self.id = id
        self.pickleId = pickleId
        self.testSteps = testSteps
        self.testRunStartedId = testRunStartedId
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("id", id)
        json.field("pickleId", pickleId)
        json.field("testRunStartedId", testRunStartedId)
        json.array("testSteps", testSteps)
        json.objectEnd()
    }
}

public enum TestStepResultStatus: String, Sendable, Comparable, CaseIterable {
    case unknown = "UNKNOWN", passed = "PASSED", skipped = "SKIPPED", pending = "PENDING"
    case undefined = "UNDEFINED", ambiguous = "AMBIGUOUS", failed = "FAILED"

    /// Worse statuses sort later: a test case's status is its worst step's.
    private var severity: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.severity < b.severity }
}

public struct ExceptionInfo: Sendable, JSONWritable {
    public var type: String
    public var message: String?
    public var stackTrace: String?

    public init(type: String, message: String? = nil, stackTrace: String? = nil) {
        self.type = type
        self.message = message
        self.stackTrace = stackTrace
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.fieldIfPresent("message", message)
        json.fieldIfPresent("stackTrace", stackTrace)
        json.field("type", type)
        json.objectEnd()
    }
}

public struct TestStepResult: Sendable, JSONWritable {
    public var status: TestStepResultStatus
    public var duration: Timestamp
    public var message: String?
    public var exception: ExceptionInfo?

    public init(status: TestStepResultStatus, duration: Timestamp = Timestamp(seconds: 0, nanos: 0),
                message: String? = nil, exception: ExceptionInfo? = nil) {
        self.status = status
        self.duration = duration
        self.message = message
        self.exception = exception
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("duration", duration)
        json.fieldIfPresent("exception", exception)
        json.fieldIfPresent("message", message)
        json.field("status", status.rawValue)
        json.objectEnd()
    }
}

public struct Snippet: Sendable, JSONWritable {
    public var language: String
    public var code: String

    public init(language: String, code: String) {
        self.language = language
        self.code = code
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("code", code)
        json.field("language", language)
        json.objectEnd()
    }
}

public struct Attachment: Sendable, JSONWritable {
    public enum Encoding: String, Sendable { case identity = "IDENTITY", base64 = "BASE64" }

    public var body: String
    public var contentEncoding: Encoding
    public var mediaType: String
    public var fileName: String?
    public var testCaseStartedId: String?
    public var testStepId: String?
    public var testRunHookStartedId: String?
    public var timestamp: Timestamp?

    public init(body: String, contentEncoding: Encoding, mediaType: String, fileName: String? = nil, testCaseStartedId: String? = nil, testStepId: String? = nil, testRunHookStartedId: String? = nil, timestamp: Timestamp? = nil) {
        self.body = body
        self.contentEncoding = contentEncoding
        self.mediaType = mediaType
        self.fileName = fileName
        self.testCaseStartedId = testCaseStartedId
        self.testStepId = testStepId
        self.testRunHookStartedId = testRunHookStartedId
        self.timestamp = timestamp
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("body", body)
        json.field("contentEncoding", contentEncoding.rawValue)
        json.fieldIfPresent("fileName", fileName)
        json.field("mediaType", mediaType)
        json.fieldIfPresent("testCaseStartedId", testCaseStartedId)
        json.fieldIfPresent("testRunHookStartedId", testRunHookStartedId)
        json.fieldIfPresent("testStepId", testStepId)
        json.fieldIfPresent("timestamp", timestamp)
        json.objectEnd()
    }
}
