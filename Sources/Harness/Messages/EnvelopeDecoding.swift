import Foundation

// Reading Cucumber Messages back: any stream that follows the schema, ours or another tool's.
// Unknown envelope kinds and unknown fields are ignored. Where the schema makes a field optional
// that our types require (ids, a pickle's location, a feature's keyword), a missing one reads as
// empty or line 0.

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

/// Decodes NDJSON message streams into `Envelope` values.
public struct EnvelopeDecoder: Sendable {
    public init() {}

    /// One line's envelope; nil for a blank line or an envelope kind this package does not model.
    public func decode(line: some StringProtocol, number: Int = 1) throws(MessageStreamError) -> Envelope? {
        let bytes = Array(line.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(MessageStreamError) in
            try Self.decode(buffer, number: number)
        }
    }

    /// Every envelope of a stream, in order; the first malformed line stops it.
    public func decode(stream: Data, _ body: (Envelope) throws -> Void) throws {
        try stream.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Void in
            try Self.decodeLines(raw.bindMemory(to: UInt8.self), body)
        }
    }

    private static func decodeLines(_ all: UnsafeBufferPointer<UInt8>, _ body: (Envelope) throws -> Void) throws {
        guard let base = all.baseAddress else { return }
        var number = 0
        var start = 0
        while start < all.count {
            number += 1
            let end = memchr(base + start, 0x0A, all.count - start)
                .map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) } ?? all.count
            if let envelope = try decode(UnsafeBufferPointer(rebasing: all[start..<end]), number: number) {
                try body(envelope)
            }
            start = end + 1
        }
    }

    public func decode(stream: Data) throws -> [Envelope] {
        var envelopes: [Envelope] = []
        try decode(stream: stream) { envelopes.append($0) }
        return envelopes
    }

    private static func decode(_ line: UnsafeBufferPointer<UInt8>,
                               number: Int) throws(MessageStreamError) -> Envelope? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        var reader = JSONReader(line)
        do {
            let envelope = try Envelope.read(&reader)
            try reader.end()
            return envelope
        } catch let failure as JSONReader.Failure {
            throw MessageStreamError(line: number, reason: "column \(failure.offset + 1): \(failure.message)")
        } catch {
            throw MessageStreamError(line: number, reason: "\(error)")
        }
    }
}

extension Envelope {
    /// The envelope, or nil when none of its keys is a kind we model.
    static func read(_ r: inout JSONReader) throws -> Envelope? {
        var envelope: Envelope?
        try r.object { r, key in
            guard envelope == nil else { return try r.skip() }
            do {
                envelope = try readPayload(key, &r)
            } catch var failure as JSONReader.Failure {
                failure.message = "\(key.name): \(failure.message)"
                throw failure
            }
        }
        return envelope
    }

    private static func readPayload(_ key: JSONReader.Key, _ r: inout JSONReader) throws -> Envelope? {
        switch key {
        case "meta": return .meta(try r.read())
        case "source": return .source(try r.read())
        case "gherkinDocument": return .gherkinDocument(try r.read())
        case "pickle": return .pickle(try r.read())
        case "parseError": return .parseError(try r.read())
        case "stepDefinition": return .stepDefinition(try r.read())
        case "hook": return .hook(try r.read())
        case "parameterType": return .parameterType(try r.read())
        case "undefinedParameterType": return .undefinedParameterType(try r.read())
        case "testCase": return .testCase(try r.read())
        case "attachment": return .attachment(try r.read())
        case "testRunStarted", "testCaseStarted", "testStepStarted", "suggestion", "testStepFinished",
             "testCaseFinished", "testRunHookStarted", "testRunHookFinished", "testRunFinished":
            return try readRunEvent(key, &r)
        default:
            try r.skip()
            return nil
        }
    }

    /// The envelopes whose payload is not a type of its own.
    private static func readRunEvent(_ kind: JSONReader.Key, _ r: inout JSONReader) throws -> Envelope {
        var id, testCaseId, testCaseStartedId, testStepId, pickleStepId, testRunStartedId, hookId: String?
        var testRunHookStartedId, message: String?
        var attempt: Int?
        var timestamp: Timestamp?
        var result: TestStepResult?
        var snippets: [Snippet]?
        var willBeRetried, success: Bool?
        var exception: ExceptionInfo?
        try r.object { r, key in
            switch key {
            case "id": id = try r.string()
            case "testCaseId": testCaseId = try r.string()
            case "testCaseStartedId": testCaseStartedId = try r.string()
            case "testStepId": testStepId = try r.string()
            case "pickleStepId": pickleStepId = try r.string()
            case "testRunStartedId": testRunStartedId = try r.string()
            case "hookId": hookId = try r.string()
            case "testRunHookStartedId": testRunHookStartedId = try r.string()
            case "message": message = try r.string()
            case "attempt": attempt = try r.int()
            case "timestamp": timestamp = try r.read()
            case "testStepResult", "result": result = try r.read()
            case "snippets": snippets = try r.array()
            case "willBeRetried": willBeRetried = try r.bool()
            case "success": success = try r.bool()
            case "exception": exception = try r.read()
            default: try r.skip()
            }
        }
        switch kind {
        case "testRunStarted":
            return .testRunStarted(id: id ?? "", timestamp: try r.required(timestamp, "timestamp"))
        case "testCaseStarted":
            return .testCaseStarted(id: try r.required(id, "id"), testCaseId: try r.required(testCaseId, "testCaseId"),
                                    attempt: try r.required(attempt, "attempt"),
                                    timestamp: try r.required(timestamp, "timestamp"))
        case "testStepStarted":
            return .testStepStarted(testCaseStartedId: try r.required(testCaseStartedId, "testCaseStartedId"),
                                    testStepId: try r.required(testStepId, "testStepId"),
                                    timestamp: try r.required(timestamp, "timestamp"))
        case "suggestion":
            return .suggestion(id: try r.required(id, "id"), pickleStepId: try r.required(pickleStepId, "pickleStepId"),
                               snippets: try r.required(snippets, "snippets"))
        case "testStepFinished":
            return .testStepFinished(testCaseStartedId: try r.required(testCaseStartedId, "testCaseStartedId"),
                                     testStepId: try r.required(testStepId, "testStepId"),
                                     result: try r.required(result, "testStepResult"),
                                     timestamp: try r.required(timestamp, "timestamp"))
        case "testCaseFinished":
            return .testCaseFinished(testCaseStartedId: try r.required(testCaseStartedId, "testCaseStartedId"),
                                     willBeRetried: try r.required(willBeRetried, "willBeRetried"),
                                     timestamp: try r.required(timestamp, "timestamp"))
        case "testRunHookStarted":
            return .testRunHookStarted(id: try r.required(id, "id"),
                                       testRunStartedId: try r.required(testRunStartedId, "testRunStartedId"),
                                       hookId: try r.required(hookId, "hookId"),
                                       timestamp: try r.required(timestamp, "timestamp"))
        case "testRunHookFinished":
            let startedId = try r.required(testRunHookStartedId, "testRunHookStartedId")
            return .testRunHookFinished(testRunHookStartedId: startedId, result: try r.required(result, "result"),
                                        timestamp: try r.required(timestamp, "timestamp"))
        default:
            return .testRunFinished(testRunStartedId: testRunStartedId ?? "",
                                    success: try r.required(success, "success"), message: message, exception: exception,
                                    timestamp: try r.required(timestamp, "timestamp"))
        }
    }
}

extension JSONReader.Key {
    var name: String { unescaped ?? String(decoding: raw, as: UTF8.self) }
}

extension JSONReader {
    /// A string-valued enumeration; nil for a value it does not know.
    mutating func value<T: RawRepresentable>(_: T.Type = T.self) throws -> T? where T.RawValue == String {
        T(rawValue: try string())
    }

    /// A string-valued enumeration that must be one we know.
    mutating func known<T: RawRepresentable>(_: T.Type, _ field: StaticString) throws -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else { throw failure("unknown \(field) \"\(text)\"") }
        return value
    }
}

// MARK: Run messages

extension Timestamp: JSONReadable {
    init(json r: inout JSONReader) throws {
        var seconds, nanos: Int?
        try r.object { r, key in
            switch key {
            case "seconds": seconds = try r.int()
            case "nanos": nanos = try r.int()
            default: try r.skip()
            }
        }
        guard let nanos32 = Int32(exactly: try r.required(nanos, "nanos")) else {
            throw r.failure("nanos out of range")
        }
        self.init(seconds: Int64(try r.required(seconds, "seconds")), nanos: nanos32)
    }
}

extension Meta: JSONReadable {
    init(json r: inout JSONReader) throws {
        var protocolVersion, cpu: String?
        var implementation, runtime, os: (name: String, version: String?)?
        var ci: Meta.CI?
        func product(_ r: inout JSONReader) throws -> (name: String, version: String?) {
            var name, version: String?
            try r.object { r, key in
                switch key {
                case "name": name = try r.string()
                case "version": version = try r.string()
                default: try r.skip()
                }
            }
            return (try r.required(name, "name"), version)
        }
        try r.object { r, key in
            switch key {
            case "protocolVersion": protocolVersion = try r.string()
            case "implementation": implementation = try product(&r)
            case "runtime": runtime = try product(&r)
            case "os": os = try product(&r)
            case "cpu": cpu = try product(&r).name
            case "ci": ci = try Self.ci(&r)
            default: try r.skip()
            }
        }
        let i = try r.required(implementation, "implementation"), rt = try r.required(runtime, "runtime")
        self.init(protocolVersion: try r.required(protocolVersion, "protocolVersion"),
                  implementation: (i.name, i.version ?? ""), runtime: (rt.name, rt.version ?? ""),
                  os: try r.required(os, "os"), cpu: try r.required(cpu, "cpu"))
        self.ci = ci
    }

    private static func ci(_ r: inout JSONReader) throws -> Meta.CI {
        var name, url, buildNumber: String?
        var git: Meta.CI.Git?
        try r.object { r, key in
            switch key {
            case "name": name = try r.string()
            case "url": url = try r.string()
            case "buildNumber": buildNumber = try r.string()
            case "git":
                var remote, revision, branch, tag: String?
                try r.object { r, key in
                    switch key {
                    case "remote": remote = try r.string()
                    case "revision": revision = try r.string()
                    case "branch": branch = try r.string()
                    case "tag": tag = try r.string()
                    default: try r.skip()
                    }
                }
                let required = (try r.required(remote, "remote"), try r.required(revision, "revision"))
                git = Meta.CI.Git(remote: required.0, revision: required.1, branch: branch, tag: tag)
            default: try r.skip()
            }
        }
        return Meta.CI(name: try r.required(name, "name"), url: url, buildNumber: buildNumber, git: git)
    }
}

extension SourceReference: JSONReadable {
    init(json r: inout JSONReader) throws {
        var uri: String?
        var location: Location?
        try r.object { r, key in
            switch key {
            case "uri": uri = try r.string()
            case "location": location = try r.read()
            default: try r.skip()
            }
        }
        self.init(uri: uri ?? "", line: location?.line ?? 0)
    }
}

extension StepDefinitionMessage: JSONReadable {
    init(json r: inout JSONReader) throws {
        var id, source, type: String?
        var reference: SourceReference?
        try r.object { r, key in
            switch key {
            case "id": id = try r.string()
            case "sourceReference": reference = try r.read()
            case "pattern":
                try r.object { r, key in
                    switch key {
                    case "source": source = try r.string()
                    case "type": type = try r.string()
                    default: try r.skip()
                    }
                }
            default: try r.skip()
            }
        }
        self.init(id: try r.required(id, "id"), source: try r.required(source, "pattern.source"),
                  isRegularExpression: try r.required(type, "pattern.type") == "REGULAR_EXPRESSION",
                  sourceReference: try r.required(reference, "sourceReference"))
    }
}

extension HookMessage: JSONReadable {
    init(json r: inout JSONReader) throws {
        var id, name, tagExpression: String?
        var type: HookType?
        var reference: SourceReference?
        try r.object { r, key in
            switch key {
            case "id": id = try r.string()
            case "name": name = try r.string()
            case "tagExpression": tagExpression = try r.string()
            case "type": type = try r.value()
            case "sourceReference": reference = try r.read()
            default: try r.skip()
            }
        }
        self.init(id: try r.required(id, "id"), name: name, tagExpression: tagExpression, type: type,
                  sourceReference: try r.required(reference, "sourceReference"))
    }
}

extension ParameterTypeMessage: JSONReadable {
    init(json r: inout JSONReader) throws {
        var id, name: String?
        var regularExpressions: [String]?
        var prefer, useForSnippets: Bool?
        var reference: SourceReference?
        try r.object { r, key in
            switch key {
            case "id": id = try r.string()
            case "name": name = try r.string()
            case "regularExpressions": regularExpressions = try r.strings()
            case "preferForRegularExpressionMatch": prefer = try r.bool()
            case "useForSnippets": useForSnippets = try r.bool()
            case "sourceReference": reference = try r.read()
            default: try r.skip()
            }
        }
        self.init(id: try r.required(id, "id"), name: try r.required(name, "name"),
                  regularExpressions: try r.required(regularExpressions, "regularExpressions"),
                  preferForRegularExpressionMatch: try r.required(prefer, "preferForRegularExpressionMatch"),
                  useForSnippets: try r.required(useForSnippets, "useForSnippets"), sourceReference: reference)
    }
}

extension UndefinedParameterTypeMessage: JSONReadable {
    init(json r: inout JSONReader) throws {
        var expression, name: String?
        try r.object { r, key in
            switch key {
            case "expression": expression = try r.string()
            case "name": name = try r.string()
            default: try r.skip()
            }
        }
        self.init(expression: try r.required(expression, "expression"), name: try r.required(name, "name"))
    }
}

extension MatchedGroup: JSONReadable {
    init(json r: inout JSONReader) throws {
        var start: Int?
        var value: String?
        var children: [MatchedGroup] = []
        try r.object { r, key in
            switch key {
            case "start": start = try r.int()
            case "value": value = try r.string()
            case "children": children = try r.array()
            default: try r.skip()
            }
        }
        self.init(start: start, value: value, children: children)
    }
}

extension TestStep: JSONReadable {
    init(json r: inout JSONReader) throws {
        var id, hookId, pickleStepId: String?
        var definitionIds: [String] = []
        var lists: [[(group: MatchedGroup, parameterTypeName: String?)]] = []
        func argument(_ r: inout JSONReader) throws -> (group: MatchedGroup, parameterTypeName: String?) {
            var group: MatchedGroup?
            var parameterTypeName: String?
            try r.object { r, key in
                switch key {
                case "group": group = try r.read()
                case "parameterTypeName": parameterTypeName = try r.string()
                default: try r.skip()
                }
            }
            return (try r.required(group, "group"), parameterTypeName)
        }
        try r.object { r, key in
            switch key {
            case "id": id = try r.string()
            case "hookId": hookId = try r.string()
            case "pickleStepId": pickleStepId = try r.string()
            case "stepDefinitionIds": definitionIds = try r.strings()
            case "stepMatchArgumentsLists":
                lists = try r.array { r in
                    var arguments: [(group: MatchedGroup, parameterTypeName: String?)] = []
                    try r.object { r, key in
                        switch key {
                        case "stepMatchArguments": arguments = try r.array(argument)
                        default: try r.skip()
                        }
                    }
                    return arguments
                }
            default: try r.skip()
            }
        }
        let kind: Kind = if let hookId { .hook(hookId: hookId) } else {
            .pickleStep(pickleStepId: pickleStepId ?? "", stepDefinitionIds: definitionIds, argumentLists: lists)
        }
        self.init(id: try r.required(id, "id"), kind: kind)
    }
}

extension TestCaseMessage: JSONReadable {
    init(json r: inout JSONReader) throws {
        var id, pickleId, testRunStartedId: String?
        var steps: [TestStep]?
        try r.object { r, key in
            switch key {
            case "id": id = try r.string()
            case "pickleId": pickleId = try r.string()
            case "testRunStartedId": testRunStartedId = try r.string()
            case "testSteps": steps = try r.array()
            default: try r.skip()
            }
        }
        self.init(id: try r.required(id, "id"), pickleId: try r.required(pickleId, "pickleId"),
                  testSteps: try r.required(steps, "testSteps"), testRunStartedId: testRunStartedId ?? "")
    }
}

extension ExceptionInfo: JSONReadable {
    init(json r: inout JSONReader) throws {
        var type, message, stackTrace: String?
        try r.object { r, key in
            switch key {
            case "type": type = try r.string()
            case "message": message = try r.string()
            case "stackTrace": stackTrace = try r.string()
            default: try r.skip()
            }
        }
        self.init(type: try r.required(type, "type"), message: message, stackTrace: stackTrace)
    }
}

extension TestStepResult: JSONReadable {
    init(json r: inout JSONReader) throws {
        var status: TestStepResultStatus?
        var duration: Timestamp?
        var message: String?
        var exception: ExceptionInfo?
        try r.object { r, key in
            switch key {
            case "status": status = try r.known(TestStepResultStatus.self, "status")
            case "duration": duration = try r.read()
            case "message": message = try r.string()
            case "exception": exception = try r.read()
            default: try r.skip()
            }
        }
        self.init(status: try r.required(status, "status"), duration: try r.required(duration, "duration"),
                  message: message, exception: exception)
    }
}

extension Snippet: JSONReadable {
    init(json r: inout JSONReader) throws {
        var language, code: String?
        try r.object { r, key in
            switch key {
            case "language": language = try r.string()
            case "code": code = try r.string()
            default: try r.skip()
            }
        }
        self.init(language: try r.required(language, "language"), code: try r.required(code, "code"))
    }
}

extension Attachment: JSONReadable {
    init(json r: inout JSONReader) throws {
        var body, mediaType, fileName, testCaseStartedId, testStepId, testRunHookStartedId: String?
        var encoding: Encoding?
        var timestamp: Timestamp?
        try r.object { r, key in
            switch key {
            case "body": body = try r.string()
            case "contentEncoding": encoding = try r.known(Encoding.self, "contentEncoding")
            case "mediaType": mediaType = try r.string()
            case "fileName": fileName = try r.string()
            case "testCaseStartedId": testCaseStartedId = try r.string()
            case "testStepId": testStepId = try r.string()
            case "testRunHookStartedId": testRunHookStartedId = try r.string()
            case "timestamp": timestamp = try r.read()
            default: try r.skip()
            }
        }
        self.init(body: try r.required(body, "body"), contentEncoding: try r.required(encoding, "contentEncoding"),
                  mediaType: try r.required(mediaType, "mediaType"), fileName: fileName,
                  testCaseStartedId: testCaseStartedId, testStepId: testStepId,
                  testRunHookStartedId: testRunHookStartedId, timestamp: timestamp)
    }
}

// MARK: Gherkin-stage messages

extension Source: JSONReadable {
    init(json r: inout JSONReader) throws {
        var uri, data, mediaType: String?
        try r.object { r, key in
            switch key {
            case "uri": uri = try r.string()
            case "data": data = try r.string()
            case "mediaType": mediaType = try r.string()
            default: try r.skip()
            }
        }
        self.init(uri: try r.required(uri, "uri"), data: try r.required(data, "data"),
                  mediaType: try r.required(mediaType, "mediaType"))
    }
}

extension SourcedParseError: JSONReadable {
    init(json r: inout JSONReader) throws {
        var message: String?
        var source: (uri: String?, location: Location?)?
        try r.object { r, key in
            switch key {
            case "message": message = try r.string()
            case "source":
                var uri: String?
                var location: Location?
                try r.object { r, key in
                    switch key {
                    case "uri": uri = try r.string()
                    case "location": location = try r.read()
                    default: try r.skip()
                    }
                }
                source = (uri, location)
            default: try r.skip()
            }
        }
        let text = try r.required(message, "message")
        let location = try r.required(source, "source").location ?? Location(line: 0, column: nil)
        // The message carries its location as a prefix, which ParseError adds back.
        let prefix = "(\(location.line):\(location.column ?? 0)): "
        self.init(uri: source?.uri ?? "",
                  error: ParseError(message: text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text,
                                    location: location))
    }
}

extension Location: JSONReadable {
    init(json r: inout JSONReader) throws {
        var line, column: Int?
        try r.object { r, key in
            switch key {
            case "line": line = try r.int()
            case "column": column = try r.int()
            default: try r.skip()
            }
        }
        self.init(line: try r.required(line, "line"), column: column)
    }
}

extension Tag: JSONReadable {
    init(json r: inout JSONReader) throws {
        var location: Location?
        var name, id: String?
        try r.object { r, key in
            switch key {
            case "location": location = try r.read()
            case "name": name = try r.string()
            case "id": id = try r.string()
            default: try r.skip()
            }
        }
        self.init(location: try r.required(location, "location"), name: try r.required(name, "name"),
                  id: try r.required(id, "id"))
    }
}

extension Comment: JSONReadable {
    init(json r: inout JSONReader) throws {
        var location: Location?
        var text: String?
        try r.object { r, key in
            switch key {
            case "location": location = try r.read()
            case "text": text = try r.string()
            default: try r.skip()
            }
        }
        self.init(location: try r.required(location, "location"), text: try r.required(text, "text"))
    }
}

extension TableCell: JSONReadable {
    init(json r: inout JSONReader) throws {
        var location: Location?
        var value: String?
        try r.object { r, key in
            switch key {
            case "location": location = try r.read()
            case "value": value = try r.string()
            default: try r.skip()
            }
        }
        self.init(location: try r.required(location, "location"), value: try r.required(value, "value"))
    }
}

extension TableRow: JSONReadable {
    init(json r: inout JSONReader) throws {
        var id: String?
        var location: Location?
        var cells: [TableCell]?
        try r.object { r, key in
            switch key {
            case "id": id = try r.string()
            case "location": location = try r.read()
            case "cells": cells = try r.array()
            default: try r.skip()
            }
        }
        self.init(id: try r.required(id, "id"), location: try r.required(location, "location"),
                  cells: try r.required(cells, "cells"))
    }
}

extension DataTable: JSONReadable {
    init(json r: inout JSONReader) throws {
        var location: Location?
        var rows: [TableRow]?
        try r.object { r, key in
            switch key {
            case "location": location = try r.read()
            case "rows": rows = try r.array()
            default: try r.skip()
            }
        }
        self.init(location: try r.required(location, "location"), rows: try r.required(rows, "rows"))
    }
}

extension DocString: JSONReadable {
    init(json r: inout JSONReader) throws {
        var location: Location?
        var mediaType, content, delimiter: String?
        try r.object { r, key in
            switch key {
            case "location": location = try r.read()
            case "mediaType": mediaType = try r.string()
            case "content": content = try r.string()
            case "delimiter": delimiter = try r.string()
            default: try r.skip()
            }
        }
        self.init(location: try r.required(location, "location"), mediaType: mediaType,
                  content: try r.required(content, "content"), delimiter: try r.required(delimiter, "delimiter"))
    }
}

extension Step: JSONReadable {
    init(json r: inout JSONReader) throws {
        var id, keyword, text: String?
        var location: Location?
        var keywordType: StepKeywordType?
        var docString: DocString?
        var dataTable: DataTable?
        try r.object { r, key in
            switch key {
            case "id": id = try r.string()
            case "location": location = try r.read()
            case "keyword": keyword = try r.string()
            case "keywordType": keywordType = try r.value()
            case "text": text = try r.string()
            case "docString": docString = try r.read()
            case "dataTable": dataTable = try r.read()
            default: try r.skip()
            }
        }
        self.init(id: try r.required(id, "id"), location: try r.required(location, "location"),
                  keyword: try r.required(keyword, "keyword"), keywordType: keywordType,
                  text: try r.required(text, "text"), docString: docString, dataTable: dataTable)
    }
}

/// The fields Background, Scenario, Examples, Rule and Feature share.
private struct Heading {
    var id, keyword, name, description: String?
    var location: Location?
    var tags: [Tag]?

    /// Reads a shared field; false for any other key.
    mutating func read(_ key: JSONReader.Key, _ r: inout JSONReader) throws -> Bool {
        switch key {
        case "id": id = try r.string()
        case "keyword": keyword = try r.string()
        case "name": name = try r.string()
        case "description": description = try r.string()
        case "location": location = try r.read()
        case "tags": tags = try r.array()
        default: return false
        }
        return true
    }
}

extension Background: JSONReadable {
    init(json r: inout JSONReader) throws {
        var h = Heading()
        var steps: [Step]?
        try r.object { r, key in
            if try h.read(key, &r) { return }
            switch key {
            case "steps": steps = try r.array()
            default: try r.skip()
            }
        }
        self.init(id: try r.required(h.id, "id"), location: try r.required(h.location, "location"),
                  keyword: try r.required(h.keyword, "keyword"), name: try r.required(h.name, "name"),
                  description: try r.required(h.description, "description"), steps: try r.required(steps, "steps"))
    }
}

extension Examples: JSONReadable {
    init(json r: inout JSONReader) throws {
        var h = Heading()
        var header: TableRow?
        var body: [TableRow]?
        try r.object { r, key in
            if try h.read(key, &r) { return }
            switch key {
            case "tableHeader": header = try r.read()
            case "tableBody": body = try r.array()
            default: try r.skip()
            }
        }
        self.init(id: try r.required(h.id, "id"), location: try r.required(h.location, "location"),
                  tags: try r.required(h.tags, "tags"), keyword: try r.required(h.keyword, "keyword"),
                  name: try r.required(h.name, "name"), description: try r.required(h.description, "description"),
                  tableHeader: header, tableBody: try r.required(body, "tableBody"))
    }
}

extension Scenario: JSONReadable {
    init(json r: inout JSONReader) throws {
        var h = Heading()
        var steps: [Step]?
        var examples: [Examples]?
        try r.object { r, key in
            if try h.read(key, &r) { return }
            switch key {
            case "steps": steps = try r.array()
            case "examples": examples = try r.array()
            default: try r.skip()
            }
        }
        self.init(id: try r.required(h.id, "id"), location: try r.required(h.location, "location"),
                  tags: try r.required(h.tags, "tags"), keyword: try r.required(h.keyword, "keyword"),
                  name: try r.required(h.name, "name"), description: try r.required(h.description, "description"),
                  steps: try r.required(steps, "steps"), examples: try r.required(examples, "examples"))
    }
}

extension Rule: JSONReadable {
    init(json r: inout JSONReader) throws {
        var h = Heading()
        var children: [RuleChild]?
        try r.object { r, key in
            if try h.read(key, &r) { return }
            switch key {
            case "children":
                children = try r.array { r in
                    var child: RuleChild?
                    try r.object { r, key in
                        switch key {
                        case "background": child = .background(try r.read())
                        case "scenario": child = .scenario(try r.read())
                        default: try r.skip()
                        }
                    }
                    return try r.required(child, "background or scenario")
                }
            default: try r.skip()
            }
        }
        self.init(id: try r.required(h.id, "id"), location: try r.required(h.location, "location"),
                  tags: try r.required(h.tags, "tags"), keyword: try r.required(h.keyword, "keyword"),
                  name: try r.required(h.name, "name"), description: try r.required(h.description, "description"),
                  children: try r.required(children, "children"))
    }
}

extension Feature: JSONReadable {
    init(json r: inout JSONReader) throws {
        var h = Heading()
        var language: String?
        var children: [FeatureChild]?
        try r.object { r, key in
            if try h.read(key, &r) { return }
            switch key {
            case "language": language = try r.string()
            case "children":
                children = try r.array { r in
                    var child: FeatureChild?
                    try r.object { r, key in
                        switch key {
                        case "background": child = .background(try r.read())
                        case "scenario": child = .scenario(try r.read())
                        case "rule": child = .rule(try r.read())
                        default: try r.skip()
                        }
                    }
                    return try r.required(child, "background, rule or scenario")
                }
            default: try r.skip()
            }
        }
        self.init(location: try r.required(h.location, "location"), tags: try r.required(h.tags, "tags"),
                  language: try r.required(language, "language"), keyword: h.keyword ?? "",
                  name: try r.required(h.name, "name"), description: try r.required(h.description, "description"),
                  children: try r.required(children, "children"))
    }
}

extension GherkinDocument: JSONReadable {
    init(json r: inout JSONReader) throws {
        var uri: String?
        var feature: Feature?
        var comments: [Comment]?
        try r.object { r, key in
            switch key {
            case "uri": uri = try r.string()
            case "feature": feature = try r.read()
            case "comments": comments = try r.array()
            default: try r.skip()
            }
        }
        self.init(uri: uri, feature: feature, comments: try r.required(comments, "comments"))
    }
}

// MARK: Pickles

extension PickleTag: JSONReadable {
    init(json r: inout JSONReader) throws {
        var name, astNodeId: String?
        try r.object { r, key in
            switch key {
            case "name": name = try r.string()
            case "astNodeId": astNodeId = try r.string()
            default: try r.skip()
            }
        }
        self.init(name: try r.required(name, "name"), astNodeId: try r.required(astNodeId, "astNodeId"))
    }
}

extension PickleStepArgument: JSONReadable {
    init(json r: inout JSONReader) throws {
        var docString: PickleDocString?
        var dataTable: PickleTable?
        try r.object { r, key in
            switch key {
            case "docString":
                var content, mediaType: String?
                var index: Int?
                try r.object { r, key in
                    switch key {
                    case "content": content = try r.string()
                    case "mediaType": mediaType = try r.string()
                    case "argumentIndex": index = try r.int()
                    default: try r.skip()
                    }
                }
                docString = PickleDocString(mediaType: mediaType, content: try r.required(content, "content"),
                                            argumentIndex: index)
            case "dataTable":
                var rows: [[String]]?
                var index: Int?
                try r.object { r, key in
                    switch key {
                    case "rows": rows = try r.array { try $0.cells() }
                    case "argumentIndex": index = try r.int()
                    default: try r.skip()
                    }
                }
                dataTable = PickleTable(rows: try r.required(rows, "rows"), argumentIndex: index)
            default: try r.skip()
            }
        }
        self.init(docString: docString, dataTable: dataTable)
    }
}

extension JSONReader {
    /// A pickle table row: `{"cells":[{"value":…}]}`.
    fileprivate mutating func cells() throws -> [String] {
        var cells: [String]?
        try object { r, key in
            switch key {
            case "cells":
                cells = try r.array { r in
                    var value: String?
                    try r.object { r, key in
                        switch key {
                        case "value": value = try r.string()
                        default: try r.skip()
                        }
                    }
                    return try r.required(value, "value")
                }
            default: try r.skip()
            }
        }
        return try required(cells, "cells")
    }
}

extension PickleStep: JSONReadable {
    init(json r: inout JSONReader) throws {
        var id, text: String?
        var type: PickleStepType?
        var argument: PickleStepArgument?
        var astNodeIds: [String]?
        try r.object { r, key in
            switch key {
            case "id": id = try r.string()
            case "text": text = try r.string()
            case "type": type = try r.value()
            case "argument": argument = try r.read()
            case "astNodeIds": astNodeIds = try r.strings()
            default: try r.skip()
            }
        }
        self.init(id: try r.required(id, "id"), text: try r.required(text, "text"), type: type, argument: argument,
                  astNodeIds: try r.required(astNodeIds, "astNodeIds"))
    }
}

extension Pickle: JSONReadable {
    init(json r: inout JSONReader) throws {
        var id, uri, name, language: String?
        var location: Location?
        var steps: [PickleStep]?
        var tags: [PickleTag]?
        var astNodeIds: [String]?
        try r.object { r, key in
            switch key {
            case "id": id = try r.string()
            case "uri": uri = try r.string()
            case "location": location = try r.read()
            case "name": name = try r.string()
            case "language": language = try r.string()
            case "steps": steps = try r.array()
            case "tags": tags = try r.array()
            case "astNodeIds": astNodeIds = try r.strings()
            default: try r.skip()
            }
        }
        self.init(id: try r.required(id, "id"), uri: try r.required(uri, "uri"),
                  location: location ?? Location(line: 0, column: nil), name: try r.required(name, "name"),
                  language: try r.required(language, "language"), steps: try r.required(steps, "steps"),
                  tags: try r.required(tags, "tags"), astNodeIds: try r.required(astNodeIds, "astNodeIds"))
    }
}
