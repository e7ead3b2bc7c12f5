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

    public init(location: Location, name: String, id: String) {
        self.location = location
        self.name = name
        self.id = id
    }
}

public struct Comment: Sendable {
    public var location: Location
    public var text: String

    public init(location: Location, text: String) {
        self.location = location
        self.text = text
    }
}

public struct TableCell: Sendable {
    public var location: Location
    public var value: String

    public init(location: Location, value: String) {
        self.location = location
        self.value = value
    }
}

public struct TableRow: Sendable {
    public var id: String
    public var location: Location
    public var cells: [TableCell]

    public init(id: String, location: Location, cells: [TableCell]) {
        self.id = id
        self.location = location
        self.cells = cells
    }
}

public struct DataTable: Sendable {
    public var location: Location
    public var rows: [TableRow]

    public init(location: Location, rows: [TableRow]) {
        self.location = location
        self.rows = rows
    }
}

public struct DocString: Sendable {
    public var location: Location
    public var mediaType: String?
    public var content: String
    public var delimiter: String

    public init(location: Location, mediaType: String? = nil, content: String, delimiter: String) {
        self.location = location
        self.mediaType = mediaType
        self.content = content
        self.delimiter = delimiter
    }
}

public struct Step: Sendable {
    public var id: String
    public var location: Location
    public var keyword: String
    public var keywordType: StepKeywordType?
    public var text: String
    public var docString: DocString?
    public var dataTable: DataTable?

    public init(id: String, location: Location, keyword: String, keywordType: StepKeywordType? = nil, text: String, docString: DocString? = nil, dataTable: DataTable? = nil) {
        self.id = id
        self.location = location
        self.keyword = keyword
        self.keywordType = keywordType
        self.text = text
        self.docString = docString
        self.dataTable = dataTable
    }
}

public struct Background: Sendable {
    public var id: String
    public var location: Location
    public var keyword: String
    public var name: String
    public var description: String
    public var steps: [Step]

    public init(id: String, location: Location, keyword: String, name: String, description: String, steps: [Step]) {
        self.id = id
        self.location = location
        self.keyword = keyword
        self.name = name
        self.description = description
        self.steps = steps
    }
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

    public init(id: String, location: Location, tags: [Tag], keyword: String, name: String, description: String, tableHeader: TableRow? = nil, tableBody: [TableRow]) {
        self.id = id
        self.location = location
        self.tags = tags
        self.keyword = keyword
        self.name = name
        self.description = description
        self.tableHeader = tableHeader
        self.tableBody = tableBody
    }
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

    public init(id: String, location: Location, tags: [Tag], keyword: String, name: String, description: String, steps: [Step], examples: [Examples]) {
        self.id = id
        self.location = location
        self.tags = tags
        self.keyword = keyword
        self.name = name
        self.description = description
        self.steps = steps
        self.examples = examples
    }
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

    public init(id: String, location: Location, tags: [Tag], keyword: String, name: String, description: String, children: [RuleChild]) {
        self.id = id
        self.location = location
        self.tags = tags
        self.keyword = keyword
        self.name = name
        self.description = description
        self.children = children
    }
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

    public init(location: Location, tags: [Tag], language: String, keyword: String, name: String, description: String, children: [FeatureChild]) {
        self.location = location
        self.tags = tags
        self.language = language
        self.keyword = keyword
        self.name = name
        self.description = description
        self.children = children
    }
}

public struct GherkinDocument: Sendable {
    public var uri: String?
    public var feature: Feature?
    public var comments: [Comment]

    public init(uri: String? = nil, feature: Feature? = nil, comments: [Comment]) {
        self.uri = uri
        self.feature = feature
        self.comments = comments
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

public enum StepKeywordType: String, Sendable {
    case unknown = "Unknown"
    case context = "Context"
    case action = "Action"
    case outcome = "Outcome"
    case conjunction = "Conjunction"
}
