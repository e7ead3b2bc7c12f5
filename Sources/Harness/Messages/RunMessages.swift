import Foundation

// The run's hand-written message types: those whose shape is not the schema's (Meta, SourceReference,
// StepDefinitionMessage, TestStep) and the enumerations. The rest is generated (MessagesTypes.swift),
// and so is every type's JSON (MessagesCoding.swift).

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

    public init(
        protocolVersion: String, implementation: (name: String, version: String),
        runtime: (name: String, version: String), os: (name: String, version: String?), cpu: String
    ) {
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

public struct TestStep: Sendable {
    public enum Kind: Sendable {
        case hook(hookId: String)
        case pickleStep(
            pickleStepId: String, stepDefinitionIds: [String],
            argumentLists: [[(group: MatchedGroup, parameterTypeName: String?)]])
    }

    public var id: String
    public var kind: Kind

    public init(id: String, kind: Kind) {
        self.id = id
        self.kind = kind
    }
}

public enum TestStepResultStatus: String, Sendable, Comparable, CaseIterable {
    case unknown = "UNKNOWN", passed = "PASSED", skipped = "SKIPPED", pending = "PENDING"
    case undefined = "UNDEFINED", ambiguous = "AMBIGUOUS", failed = "FAILED"

    /// Worse statuses sort later: a test case's status is its worst step's.
    private var severity: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.severity < b.severity }
}

extension Attachment {
    public enum Encoding: String, Sendable { case identity = "IDENTITY", base64 = "BASE64" }
}
