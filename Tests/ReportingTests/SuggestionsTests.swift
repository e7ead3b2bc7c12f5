@testable import Reporting
import Testing

/// "Did you mean" in bounded time: a bounded edit distance, and a cap on distinct lookups.
@Suite("Did-you-mean suggestions")
struct SuggestionsTests {
    static let sources: [(shown: String, bytes: [UInt8])] = ["a failing step", "a passing step", "I produce {int} records"]
        .map { ($0, Array($0.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "").utf8)) }

    @Test func theNearestDefinitionWithinTheBound() {
        #expect(Suggestions.nearest("a failling step", Self.sources) == "a failing step")
        #expect(Suggestions.nearest("I produce 5 records", Self.sources) == "I produce {int} records")
        #expect(Suggestions.nearest("something else entirely, nothing like any step", Self.sources) == nil)
    }

    @Test func theDistanceStopsAtItsBound() {
        let a = Array("kitten".utf8), b = Array("sitting".utf8)
        #expect(Suggestions.distance(a, b, atMost: 3) == 3)
        #expect(Suggestions.distance(a, b, atMost: 2) == nil)
        #expect(Suggestions.distance([], Array("abc".utf8), atMost: 3) == 3)
        #expect(Suggestions.distance(Array("a".utf8), Array("abcdef".utf8), atMost: 3) == nil)
    }

    // 50,000 undefined steps spent 9 minutes here: every lookup past the cap costs nothing.
    @Test func distinctLookupsAreCapped() {
        let s = Suggestions()
        for i in 0..<Suggestions.limit { _ = s.closest(to: "step number \(i)", in: [:]) }
        #expect(s.closest(to: "a failling step", in: [:]) == nil)
    }
}
