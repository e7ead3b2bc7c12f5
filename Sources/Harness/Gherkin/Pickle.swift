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
}

public struct PickleDocString: Sendable {
    public var mediaType: String?
    public var content: String
    /// 1 or 2 when the step has both a doc string and a data table: their order in the file.
    public var argumentIndex: Int?
}

public struct PickleTable: Sendable {
    public var rows: [[String]]
    public var argumentIndex: Int?
}

public struct PickleStepArgument: Sendable {
    public var docString: PickleDocString?
    public var dataTable: PickleTable?
}

public struct PickleStep: Sendable {
    public var id: String
    public var text: String
    public var type: PickleStepType?
    public var argument: PickleStepArgument?
    public var astNodeIds: [String]
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
}
