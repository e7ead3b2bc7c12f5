import Foundation

// The Cucumber Messages a test run produces (besides the Gherkin stage's). Plain data (their JSON is
// generated: MessagesCoding.swift); the runner builds them and every report reads them.

public struct Timestamp: Sendable, Hashable {
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
}

public struct Meta: Sendable {
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

public struct StepDefinitionMessage: Sendable {
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
}

public enum HookType: String, Sendable {
    case beforeTestCase = "BEFORE_TEST_CASE", afterTestCase = "AFTER_TEST_CASE"
    case beforeTestRun = "BEFORE_TEST_RUN", afterTestRun = "AFTER_TEST_RUN"
}

public struct HookMessage: Sendable {
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
}

public struct ParameterTypeMessage: Sendable {
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
}

public struct UndefinedParameterTypeMessage: Sendable {
    public var expression: String
    public var name: String

    public init(expression: String, name: String) {
        self.expression = expression
        self.name = name
    }
}

/// A matched group as the `testCase` message describes it.
public struct MatchedGroup: Sendable {
    public var start: Int?
    public var value: String?
    public var children: [MatchedGroup]

    public init(start: Int?, value: String?, children: [MatchedGroup]) {
        self.start = start
        self.value = value
        self.children = children
    }
}

public struct TestStep: Sendable {
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
}

public struct TestCaseMessage: Sendable {
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
}

public enum TestStepResultStatus: String, Sendable, Comparable, CaseIterable {
    case unknown = "UNKNOWN", passed = "PASSED", skipped = "SKIPPED", pending = "PENDING"
    case undefined = "UNDEFINED", ambiguous = "AMBIGUOUS", failed = "FAILED"

    /// Worse statuses sort later: a test case's status is its worst step's.
    private var severity: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.severity < b.severity }
}

public struct ExceptionInfo: Sendable {
    public var type: String
    public var message: String?
    public var stackTrace: String?

    public init(type: String, message: String? = nil, stackTrace: String? = nil) {
        self.type = type
        self.message = message
        self.stackTrace = stackTrace
    }
}

public struct TestStepResult: Sendable {
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
}

public struct Snippet: Sendable {
    public var language: String
    public var code: String

    public init(language: String, code: String) {
        self.language = language
        self.code = code
    }
}

public struct Attachment: Sendable {
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
}
