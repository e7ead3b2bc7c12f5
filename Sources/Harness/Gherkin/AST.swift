// The Gherkin document as Cucumber Messages describes it: plain data, built by ASTBuilder.

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

public struct Tag: Sendable {
    public var location: Location
    public var name: String
    public var id: String
}

public struct Comment: Sendable {
    public var location: Location
    public var text: String
}

public struct TableCell: Sendable {
    public var location: Location
    public var value: String
}

public struct TableRow: Sendable {
    public var id: String
    public var location: Location
    public var cells: [TableCell]
}

public struct DataTable: Sendable {
    public var location: Location
    public var rows: [TableRow]
}

public struct DocString: Sendable {
    public var location: Location
    public var mediaType: String?
    public var content: String
    public var delimiter: String
}

public struct Step: Sendable {
    public var id: String
    public var location: Location
    public var keyword: String
    public var keywordType: StepKeywordType?
    public var text: String
    public var docString: DocString?
    public var dataTable: DataTable?
}

public struct Background: Sendable {
    public var id: String
    public var location: Location
    public var keyword: String
    public var name: String
    public var description: String
    public var steps: [Step]
}

public struct Examples: Sendable {
    public var id: String
    public var location: Location
    public var tags: [Tag]
    public var keyword: String
    public var name: String
    public var description: String
    public var tableHeader: TableRow?
    public var tableBody: [TableRow]
}

public struct Scenario: Sendable {
    public var id: String
    public var location: Location
    public var tags: [Tag]
    public var keyword: String
    public var name: String
    public var description: String
    public var steps: [Step]
    public var examples: [Examples]
}

public enum RuleChild: Sendable {
    case background(Background)
    case scenario(Scenario)
}

public struct Rule: Sendable {
    public var id: String
    public var location: Location
    public var tags: [Tag]
    public var keyword: String
    public var name: String
    public var description: String
    public var children: [RuleChild]
}

public enum FeatureChild: Sendable {
    case background(Background)
    case scenario(Scenario)
    case rule(Rule)
}

public struct Feature: Sendable {
    public var location: Location
    public var tags: [Tag]
    public var language: String
    public var keyword: String
    public var name: String
    public var description: String
    public var children: [FeatureChild]
}

public struct GherkinDocument: Sendable {
    public var uri: String?
    public var feature: Feature?
    public var comments: [Comment]
}

/// A syntax error, located where the official parser locates it.
public struct ParseError: Error, Sendable, Equatable {
    /// The bare message, e.g. "inconsistent cell count within the table".
    public var text: String
    public var location: Location

    init(message: String, location: Location) {
        self.text = message
        self.location = location
    }

    /// The message as cucumber prints it: `(6:7): inconsistent cell count within the table`.
    public var message: String { "(\(location.line):\(location.column ?? 0)): \(text)" }
}
