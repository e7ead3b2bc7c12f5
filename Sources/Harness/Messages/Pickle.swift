// Pickles: the executable form of a scenario, one per scenario or per example row.

public enum PickleStepType: String, Sendable {
    case unknown = "Unknown"
    case context = "Context"
    case action = "Action"
    case outcome = "Outcome"
}

public struct PickleTag: Sendable {
    public var name: String
    public var astNodeId: String

    public init(name: String, astNodeId: String) {
        self.name = name
        self.astNodeId = astNodeId
    }
}

public struct PickleDocString: Sendable {
    public var mediaType: String?
    public var content: String
    /// 1 or 2 when the step has both a doc string and a data table: their order in the file.
    public var argumentIndex: Int?

    public init(mediaType: String? = nil, content: String, argumentIndex: Int? = nil) {
        self.mediaType = mediaType
        self.content = content
        self.argumentIndex = argumentIndex
    }
}

public struct PickleTable: Sendable {
    public var rows: [[String]]
    public var argumentIndex: Int?

    public init(rows: [[String]], argumentIndex: Int? = nil) {
        self.rows = rows
        self.argumentIndex = argumentIndex
    }
}

public struct PickleStepArgument: Sendable {
    public var docString: PickleDocString?
    public var dataTable: PickleTable?

    public init(docString: PickleDocString? = nil, dataTable: PickleTable? = nil) {
        self.docString = docString
        self.dataTable = dataTable
    }
}

public struct PickleStep: Sendable {
    public var id: String
    public var text: String
    public var type: PickleStepType?
    public var argument: PickleStepArgument?
    public var astNodeIds: [String]

    public init(id: String, text: String, type: PickleStepType? = nil, argument: PickleStepArgument? = nil, astNodeIds: [String]) {
        self.id = id
        self.text = text
        self.type = type
        self.argument = argument
        self.astNodeIds = astNodeIds
    }
}

public struct Pickle: Sendable {
    public var id: String
    public var uri: String
    public var location: Location
    public var name: String
    public var language: String
    public var steps: [PickleStep]
    public var tags: [PickleTag]
    public var astNodeIds: [String]

    public init(id: String, uri: String, location: Location, name: String, language: String, steps: [PickleStep], tags: [PickleTag], astNodeIds: [String]) {
        self.id = id
        self.uri = uri
        self.location = location
        self.name = name
        self.language = language
        self.steps = steps
        self.tags = tags
        self.astNodeIds = astNodeIds
    }
}
