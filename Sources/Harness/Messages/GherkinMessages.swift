// The Gherkin stage's hand-written message types: a location that sorts, a parse error as cucumber
// prints it, the step keyword and pickle step types. Documents, pickles and sources are generated
// (MessagesTypes.swift).

public struct Location: Sendable, Hashable, Comparable {
    public var line: Int
    /// 1-based; nil where the reference omits it (an unexpected end of file).
    public var column: Int?

    public init(line: Int, column: Int?) {
        self.line = line
        self.column = column
    }

    public static func < (a: Location, b: Location) -> Bool {
        (a.line, a.column ?? 0) < (b.line, b.column ?? 0)
    }
}

/// A syntax error, located where the official parser locates it.
public struct ParseError: Error, Sendable, Equatable {
    /// The bare message, e.g. "inconsistent cell count within the table".
    public var text: String
    public var location: Location

    public init(message: String, location: Location) {
        self.text = message
        self.location = location
    }

    /// The message as cucumber prints it: `(6:7): inconsistent cell count within the table`.
    public var message: String { "(\(location.line):\(location.column ?? 0)): \(text)" }
}

/// A parse error as the `parseError` message: located in a source file.
public struct SourcedParseError: Sendable {
    public var uri: String
    public var error: ParseError

    public init(uri: String, error: ParseError) {
        self.uri = uri
        self.error = error
    }
}

public enum StepKeywordType: String, Sendable {
    case unknown = "Unknown"
    case context = "Context"
    case action = "Action"
    case outcome = "Outcome"
    case conjunction = "Conjunction"
}

public enum PickleStepType: String, Sendable {
    case unknown = "Unknown"
    case context = "Context"
    case action = "Action"
    case outcome = "Outcome"
}
