import Messages
import Synchronization

/// "Did you mean" for undefined steps in bounded time: the definitions are normalised once, every text
/// is looked up once (every formatter asks again for the same step), the edit distance works on bytes
/// and stops as soon as a row exceeds the bound, and after `limit` distinct texts no more are looked
/// up — a run with that many undefined steps has a setup problem, not a typo.
public final class Suggestions: Sendable {
    static let limit = 1_000

    private struct State {
        var definitionCount = -1
        var sources: [(shown: String, bytes: [UInt8])] = []
        var answers: [String: String?] = [:]
    }
    private let state = Mutex(State())

    func closest(to text: String, in definitions: [String: StepDefinitionMessage]) -> String? {
        state.withLock { s in
            if s.definitionCount != definitions.count {
                s = State(definitionCount: definitions.count, sources: Self.normalise(definitions), answers: [:])
            }
            if let known = s.answers[text] { return known }
            guard s.answers.count < Self.limit else { return nil }
            let answer = Self.nearest(text, s.sources)
            s.answers[text] = answer
            return answer
        }
    }

    private static func normalise(_ definitions: [String: StepDefinitionMessage]) -> [(String, [UInt8])] {
        definitions.values.sorted { $0.id < $1.id }.map { def in
            // A parameter stands for a word or value; compare the expression with its braces removed.
            var shown = def.source
            if def.isRegularExpression {
                if shown.hasPrefix("^") { shown.removeFirst() }
                if shown.hasSuffix("$") { shown.removeLast() }
            }
            let source = shown.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
            return (shown, Array(source.lowercased().utf8))
        }
    }

    /// The closest of `sources` (braces removed, lower-cased bytes) within a third of the text's length.
    public static func nearest(_ text: String, _ sources: [(shown: String, bytes: [UInt8])]) -> String? {
        let target = Array(text.lowercased().utf8)
        var bound = max(3, text.count / 3)
        var best: String?
        for (shown, bytes) in sources {
            guard let d = distance(target, bytes, atMost: bound) else { continue }
            if best == nil || d < bound { best = shown; bound = d }
            if d == 0 { break }
        }
        return best
    }

    /// The edit distance when it is at most `limit`, else nil (computed only that far).
    static func distance(_ a: [UInt8], _ b: [UInt8], atMost limit: Int) -> Int? {
        if abs(a.count - b.count) > limit { return nil }
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count), current = previous
        for i in 1...a.count {
            current[0] = i
            var rowMin = i
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowMin = min(rowMin, current[j])
            }
            if rowMin > limit { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}
