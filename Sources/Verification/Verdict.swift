/// A checker's conclusion: what was wrong, in the words a failed step reports; no problems when the
/// property holds.
public struct Verdict: Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]
    /// What the verdict was computed from, appended to the message when something was wrong.
    public var context: String?

    public init(_ problems: [String] = [], context: String? = nil) {
        self.problems = problems
        self.context = context
    }

    public static func fails(_ problem: String) -> Verdict { Verdict([problem]) }

    public var holds: Bool { problems.isEmpty }

    public var description: String {
        holds ? "holds" : problems.joined(separator: "; ") + (context.map { " — \($0)" } ?? "")
    }
}
