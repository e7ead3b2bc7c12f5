import Foundation

// Reading Cucumber Messages back: any stream that follows the schema, ours or another tool's.
// Unknown envelope kinds and unknown fields are ignored. Where the schema makes a field optional
// that our types require (ids, a pickle's location), a missing one decodes as empty or line 0.

/// A line of a message stream that is not a valid envelope.
public struct MessageStreamError: Error, Equatable, CustomStringConvertible {
    /// 1-based line number in the stream.
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}

/// Decodes NDJSON message streams into `Envelope` values with Foundation's JSONDecoder.
public struct EnvelopeDecoder {
    private let json = JSONDecoder()

    public init() {}

    /// One line's envelope; nil for a blank line or an envelope kind this package does not model.
    public func decode(line: some StringProtocol, number: Int = 1) throws(MessageStreamError) -> Envelope? {
        try decode(line: Data(line.utf8), number: number)
    }

    public func decode(line: Data, number: Int = 1) throws(MessageStreamError) -> Envelope? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        do {
            return try json.decode(KnownEnvelope.self, from: line).envelope
        } catch let error as DecodingError {
            throw MessageStreamError(line: number, reason: Self.reason(error))
        } catch {
            throw MessageStreamError(line: number, reason: "\(error)")
        }
    }

    /// Every envelope of a stream, in order; the first malformed line stops it.
    public func decode(stream: Data, _ body: (Envelope) throws -> Void) throws {
        var number = 0
        var start = stream.startIndex
        while start < stream.endIndex {
            number += 1
            let end = stream[start...].firstIndex(of: 0x0A) ?? stream.endIndex
            if let envelope = try decode(line: stream[start..<end], number: number) { try body(envelope) }
            start = end < stream.endIndex ? stream.index(after: end) : end
        }
    }

    public func decode(stream: Data) throws -> [Envelope] {
        var envelopes: [Envelope] = []
        try decode(stream: stream) { envelopes.append($0) }
        return envelopes
    }

    static func reason(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(type), found null"
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            let at = context.codingPath.isEmpty ? "" : "\(path(context.codingPath)): "
            return "\(at)\(context.debugDescription)\(underlying)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// An envelope whose kind may be unknown to us.
private struct KnownEnvelope: Decodable {
    var envelope: Envelope?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Envelope.Kind.self)
        envelope = container.allKeys.isEmpty ? nil : try Envelope(from: decoder)
    }
}

extension Envelope: Decodable {
    enum Kind: String, CodingKey {
        case meta, source, gherkinDocument, pickle, parseError, stepDefinition, hook, parameterType
        case undefinedParameterType, testRunStarted, testCase, testCaseStarted, testStepStarted, suggestion
        case attachment, testStepFinished, testCaseFinished, testRunHookStarted, testRunHookFinished
        case testRunFinished
    }

    private struct TestRunStarted: Decodable {
        var id: String?
        var timestamp: Timestamp
    }

    private struct TestCaseStarted: Decodable {
        var id: String
        var testCaseId: String
        var attempt: Int
        var timestamp: Timestamp
    }

    private struct TestStepStarted: Decodable {
        var testCaseStartedId: String
        var testStepId: String
        var timestamp: Timestamp
    }

    private struct Suggestion: Decodable {
        var id: String
        var pickleStepId: String
        var snippets: [Snippet]
    }

    private struct TestStepFinished: Decodable {
        var testCaseStartedId: String
        var testStepId: String
        var testStepResult: TestStepResult
        var timestamp: Timestamp
    }

    private struct TestCaseFinished: Decodable {
        var testCaseStartedId: String
        var willBeRetried: Bool
        var timestamp: Timestamp
    }

    private struct TestRunHookStarted: Decodable {
        var id: String
        var testRunStartedId: String
        var hookId: String
        var timestamp: Timestamp
    }

    private struct TestRunHookFinished: Decodable {
        var testRunHookStartedId: String
        var result: TestStepResult
        var timestamp: Timestamp
    }

    private struct TestRunFinished: Decodable {
        var testRunStartedId: String?
        var success: Bool
        var message: String?
        var exception: ExceptionInfo?
        var timestamp: Timestamp
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Kind.self)
        guard let kind = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no known envelope kind"))
        }
        switch kind {
        case .meta: self = .meta(try c.decode(Meta.self, forKey: kind))
        case .source: self = .source(try c.decode(Source.self, forKey: kind))
        case .gherkinDocument: self = .gherkinDocument(try c.decode(GherkinDocument.self, forKey: kind))
        case .pickle: self = .pickle(try c.decode(Pickle.self, forKey: kind))
        case .parseError: self = .parseError(try c.decode(SourcedParseError.self, forKey: kind))
        case .stepDefinition: self = .stepDefinition(try c.decode(StepDefinitionMessage.self, forKey: kind))
        case .hook: self = .hook(try c.decode(HookMessage.self, forKey: kind))
        case .parameterType: self = .parameterType(try c.decode(ParameterTypeMessage.self, forKey: kind))
        case .undefinedParameterType:
            self = .undefinedParameterType(try c.decode(UndefinedParameterTypeMessage.self, forKey: kind))
        case .testRunStarted:
            let m = try c.decode(TestRunStarted.self, forKey: kind)
            self = .testRunStarted(id: m.id ?? "", timestamp: m.timestamp)
        case .testCase: self = .testCase(try c.decode(TestCaseMessage.self, forKey: kind))
        case .testCaseStarted:
            let m = try c.decode(TestCaseStarted.self, forKey: kind)
            self = .testCaseStarted(id: m.id, testCaseId: m.testCaseId, attempt: m.attempt, timestamp: m.timestamp)
        case .testStepStarted:
            let m = try c.decode(TestStepStarted.self, forKey: kind)
            self = .testStepStarted(testCaseStartedId: m.testCaseStartedId, testStepId: m.testStepId,
                                    timestamp: m.timestamp)
        case .suggestion:
            let m = try c.decode(Suggestion.self, forKey: kind)
            self = .suggestion(id: m.id, pickleStepId: m.pickleStepId, snippets: m.snippets)
        case .attachment: self = .attachment(try c.decode(Attachment.self, forKey: kind))
        case .testStepFinished:
            let m = try c.decode(TestStepFinished.self, forKey: kind)
            self = .testStepFinished(testCaseStartedId: m.testCaseStartedId, testStepId: m.testStepId,
                                     result: m.testStepResult, timestamp: m.timestamp)
        case .testCaseFinished:
            let m = try c.decode(TestCaseFinished.self, forKey: kind)
            self = .testCaseFinished(testCaseStartedId: m.testCaseStartedId, willBeRetried: m.willBeRetried,
                                     timestamp: m.timestamp)
        case .testRunHookStarted:
            let m = try c.decode(TestRunHookStarted.self, forKey: kind)
            self = .testRunHookStarted(id: m.id, testRunStartedId: m.testRunStartedId, hookId: m.hookId,
                                       timestamp: m.timestamp)
        case .testRunHookFinished:
            let m = try c.decode(TestRunHookFinished.self, forKey: kind)
            self = .testRunHookFinished(testRunHookStartedId: m.testRunHookStartedId, result: m.result,
                                        timestamp: m.timestamp)
        case .testRunFinished:
            let m = try c.decode(TestRunFinished.self, forKey: kind)
            self = .testRunFinished(testRunStartedId: m.testRunStartedId ?? "", success: m.success,
                                    message: m.message, exception: m.exception, timestamp: m.timestamp)
        }
    }
}

// MARK: Types whose JSON shape differs from their Swift shape

private struct NamedVersion: Decodable {
    var name: String
    var version: String?
}

extension Meta: Decodable {
    private enum CodingKeys: String, CodingKey { case protocolVersion, implementation, runtime, os, cpu }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let implementation = try c.decode(NamedVersion.self, forKey: .implementation)
        let runtime = try c.decode(NamedVersion.self, forKey: .runtime)
        let os = try c.decode(NamedVersion.self, forKey: .os)
        self.init(protocolVersion: try c.decode(String.self, forKey: .protocolVersion),
                  implementation: (implementation.name, implementation.version ?? ""),
                  runtime: (runtime.name, runtime.version ?? ""), os: (os.name, os.version),
                  cpu: try c.decode(NamedVersion.self, forKey: .cpu).name)
    }
}

extension SourceReference: Decodable {
    private enum CodingKeys: String, CodingKey { case uri, location }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(uri: try c.decodeIfPresent(String.self, forKey: .uri) ?? "",
                  line: try c.decodeIfPresent(Location.self, forKey: .location)?.line ?? 0)
    }
}

extension StepDefinitionMessage: Decodable {
    private enum CodingKeys: String, CodingKey { case id, pattern, sourceReference }
    private struct Pattern: Decodable {
        var source: String
        var type: String
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let pattern = try c.decode(Pattern.self, forKey: .pattern)
        self.init(id: try c.decode(String.self, forKey: .id), source: pattern.source,
                  isRegularExpression: pattern.type == "REGULAR_EXPRESSION",
                  sourceReference: try c.decode(SourceReference.self, forKey: .sourceReference))
    }
}

extension MatchedGroup: Decodable {
    private enum CodingKeys: String, CodingKey { case start, value, children }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(start: try c.decodeIfPresent(Int.self, forKey: .start),
                  value: try c.decodeIfPresent(String.self, forKey: .value),
                  children: try c.decodeIfPresent([MatchedGroup].self, forKey: .children) ?? [])
    }
}

extension TestStep: Decodable {
    private enum CodingKeys: String, CodingKey {
        case id, hookId, pickleStepId, stepDefinitionIds, stepMatchArgumentsLists
    }
    private struct ArgumentList: Decodable {
        var stepMatchArguments: [Argument]
    }
    private struct Argument: Decodable {
        var group: MatchedGroup
        var parameterTypeName: String?
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let id = try c.decode(String.self, forKey: .id)
        if let hookId = try c.decodeIfPresent(String.self, forKey: .hookId) {
            self.init(id: id, kind: .hook(hookId: hookId))
            return
        }
        let lists = try c.decodeIfPresent([ArgumentList].self, forKey: .stepMatchArgumentsLists) ?? []
        self.init(id: id, kind: .pickleStep(
            pickleStepId: try c.decodeIfPresent(String.self, forKey: .pickleStepId) ?? "",
            stepDefinitionIds: try c.decodeIfPresent([String].self, forKey: .stepDefinitionIds) ?? [],
            argumentLists: lists.map { $0.stepMatchArguments.map { ($0.group, $0.parameterTypeName) } }))
    }
}

extension TestCaseMessage: Decodable {
    private enum CodingKeys: String, CodingKey { case id, pickleId, testSteps, testRunStartedId }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id), pickleId: try c.decode(String.self, forKey: .pickleId),
                  testSteps: try c.decode([TestStep].self, forKey: .testSteps),
                  testRunStartedId: try c.decodeIfPresent(String.self, forKey: .testRunStartedId) ?? "")
    }
}

extension SourcedParseError: Decodable {
    private enum CodingKeys: String, CodingKey { case message, source }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let message = try c.decode(String.self, forKey: .message)
        let source = try c.decode(ErrorSource.self, forKey: .source)
        let location = source.location ?? Location(line: 0, column: nil)
        // The message carries its location as a prefix, which ParseError adds back.
        let prefix = "(\(location.line):\(location.column ?? 0)): "
        let text = message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
        self.init(uri: source.uri ?? "", error: ParseError(message: text, location: location))
    }

    private struct ErrorSource: Decodable {
        var uri: String?
        var location: Location?
    }
}

extension PickleTable: Decodable {
    private enum CodingKeys: String, CodingKey { case rows, argumentIndex }
    private struct Row: Decodable { var cells: [Cell] }
    private struct Cell: Decodable { var value: String }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(rows: try c.decode([Row].self, forKey: .rows).map { $0.cells.map(\.value) },
                  argumentIndex: try c.decodeIfPresent(Int.self, forKey: .argumentIndex))
    }
}

extension Pickle: Decodable {
    private enum CodingKeys: String, CodingKey { case id, uri, location, name, language, steps, tags, astNodeIds }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id), uri: try c.decode(String.self, forKey: .uri),
                  location: try c.decodeIfPresent(Location.self, forKey: .location) ?? Location(line: 0, column: nil),
                  name: try c.decode(String.self, forKey: .name), language: try c.decode(String.self, forKey: .language),
                  steps: try c.decode([PickleStep].self, forKey: .steps), tags: try c.decode([PickleTag].self, forKey: .tags),
                  astNodeIds: try c.decode([String].self, forKey: .astNodeIds))
    }
}

extension Feature: Decodable {
    private enum CodingKeys: String, CodingKey { case location, tags, language, keyword, name, description, children }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(location: try c.decode(Location.self, forKey: .location), tags: try c.decode([Tag].self, forKey: .tags),
                  language: try c.decode(String.self, forKey: .language),
                  keyword: try c.decodeIfPresent(String.self, forKey: .keyword) ?? "",
                  name: try c.decode(String.self, forKey: .name), description: try c.decode(String.self, forKey: .description),
                  children: try c.decode([FeatureChild].self, forKey: .children))
    }
}

extension FeatureChild: Decodable {
    private enum CodingKeys: String, CodingKey { case background, scenario, rule }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let b = try c.decodeIfPresent(Background.self, forKey: .background) {
            self = .background(b)
        } else if let r = try c.decodeIfPresent(Rule.self, forKey: .rule) {
            self = .rule(r)
        } else {
            self = .scenario(try c.decode(Scenario.self, forKey: .scenario))
        }
    }
}

extension RuleChild: Decodable {
    private enum CodingKeys: String, CodingKey { case background, scenario }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let b = try c.decodeIfPresent(Background.self, forKey: .background) {
            self = .background(b)
        } else {
            self = .scenario(try c.decode(Scenario.self, forKey: .scenario))
        }
    }
}
