/// What an operation will change, each change as before → after. A dry run prints it and stops.
public struct Plan: Sendable, Equatable, Codable {
    public struct Change: Sendable, Equatable, Codable {
        public var subject: String
        public var before: String
        public var after: String

        public init(_ subject: String, _ before: String, _ after: String) {
            self.subject = subject
            self.before = before
            self.after = after
        }
    }

    public var action: String
    public var changes: [Change]
    public var notes: [String]

    public init(action: String, changes: [Change], notes: [String] = []) {
        self.action = action
        self.changes = changes
        self.notes = notes
    }

    /// The plan as a person reads it: the action, then one line per change.
    public var text: String {
        var lines = ["plan: \(action)"]
        lines += changes.map { "  \($0.subject): \($0.before) → \($0.after)" }
        lines += notes.map { "  note: \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// A safety check said no: the operation is not run, and the reason says why.
public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { "refused: \(reason)" }
}

/// "1 partition", "6 partitions": counts in plans, refusals and the CLI's lines.
public func counted(_ n: Int, _ noun: String) -> String {
    "\(n) \(noun)\(n == 1 ? "" : "s")"
}
