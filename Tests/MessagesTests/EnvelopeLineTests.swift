import Foundation
@testable import Messages
import Testing

/// Single NDJSON lines back into typed envelopes: unknown kinds and fields ignored, JSON as any writer
/// may write it, a bad line reported by number.
@Suite("Envelope lines")
struct EnvelopeLineTests {
    @Test func unknownKindsAndFieldsAreIgnored() throws {
        let decoder = EnvelopeDecoder()
        #expect(try decoder.decode(line: #"{"externalAttachment":{"url":"x","mediaType":"text/plain"}}"#) == nil)
        #expect(try decoder.decode(line: "   ") == nil)
        let started = try decoder.decode(line: """
            {"testCaseStarted":{"attempt":0,"id":"7","testCaseId":"3","workerId":"w1",\
            "timestamp":{"seconds":1,"nanos":2,"extra":true}},"somethingNew":{}}
            """)
        guard case .testCaseStarted(let id, let testCaseId, let attempt, let timestamp)? = started else {
            Issue.record("not a testCaseStarted: \(String(describing: started))")
            return
        }
        #expect(id == "7" && testCaseId == "3" && attempt == 0 && timestamp == Timestamp(seconds: 1, nanos: 2))
        let hook = try decoder.decode(line: #"{"hook":{"id":"h","sourceReference":{}}}"#)
        guard case .hook(let h)? = hook else { Issue.record("not a hook"); return }
        #expect(h.type == nil && h.sourceReference.uri.isEmpty)
    }

    @Test func jsonAsAnyWriterMayWriteIt() throws {
        let line = """
             { "source" : { "uri":"a\\/b.feature", "mediaType" : "text/x.cucumber.gherkin+plain",\
             "extra":[{"x":[1,2.5e3,\
            null,true]}],\n "data":"caf\\u00e9 \\ud83d\\ude00 \\"q\\" \\\\ \\t\\n\\u0001 ✓" } }\r
            """
        guard case .source(let source)? = try EnvelopeDecoder().decode(line: line) else {
            Issue.record("not a source")
            return
        }
        #expect(source.uri == "a/b.feature")
        #expect(source.data == "café 😀 \"q\" \\ \t\n\u{1} ✓")
        let result = try EnvelopeDecoder().decode(line: """
            {"testStepFinished":{"testCaseStartedId":"1","testStepId":"2","timestamp":{"seconds":1.0,"nanos":0},\
            "testStepResult":{"status":"FAILED","message":null,"duration":{"seconds":0,"nanos":5}}}}
            """)
        guard case .testStepFinished(_, _, let r, let t)? = result else { Issue.record("not a step"); return }
        #expect(r.status == .failed && r.message == nil && r.duration.nanos == 5 && t.seconds == 1)
    }

    @Test(arguments: [
        #"{"testRunStarted":{"timestamp":{"seconds":0,"nanos":0}}} x"#, #"{"source":{"uri":"a" "data":"b"}}"#,
        #"{"source":{"uri":"a"#, "{\"x\":\"\u{1}\"}",
        #"{"testStepFinished":{"testStepResult":{"status":"GREEN"}}}"#, #"[1]"#, #"{"a":tru}"#, #"{"a":-}"#,
    ])
    func notJSONOrNotAnEnvelope(_ line: String) {
        #expect(throws: MessageStreamError.self) { try EnvelopeDecoder().decode(line: line, number: 7) }
    }

    @Test func malformedLinesAreErrorsWithTheirNumber() throws {
        let stream = Data("""
            {"testRunStarted":{"id":"1","timestamp":{"seconds":0,"nanos":0}}}

            {"pickle":{"id":"p"}}
            """.utf8)
        let error = #expect(throws: MessageStreamError.self) { try EnvelopeDecoder().decode(stream: stream) }
        #expect(error?.line == 3)
        #expect(error?.reason.hasSuffix("pickle: missing uri") == true, "\(String(describing: error))")
        let bad = #expect(throws: MessageStreamError.self) {
            try EnvelopeDecoder().decode(line: "{not json", number: 5)
        }
        #expect(bad?.line == 5)
    }
}
