// The Cucumber Messages JSON form of the Gherkin stage's output (keys in sorted order).

extension Location: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        if let column { json.field("column", column) }
        json.field("line", line)
        json.objectEnd()
    }
}

extension Tag: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("id", id)
        json.field("location", location)
        json.field("name", name)
        json.objectEnd()
    }
}

extension Comment: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("location", location)
        json.field("text", text)
        json.objectEnd()
    }
}

extension TableCell: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("location", location)
        json.field("value", value)
        json.objectEnd()
    }
}

extension TableRow: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.array("cells", cells)
        json.field("id", id)
        json.field("location", location)
        json.objectEnd()
    }
}

extension DataTable: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("location", location)
        json.array("rows", rows)
        json.objectEnd()
    }
}

extension DocString: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("content", content)
        json.field("delimiter", delimiter)
        json.field("location", location)
        json.fieldIfPresent("mediaType", mediaType)
        json.objectEnd()
    }
}

extension Step: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.fieldIfPresent("dataTable", dataTable)
        json.fieldIfPresent("docString", docString)
        json.field("id", id)
        json.field("keyword", keyword)
        json.fieldIfPresent("keywordType", keywordType?.rawValue)
        json.field("location", location)
        json.field("text", text)
        json.objectEnd()
    }
}

extension Background: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("description", description)
        json.field("id", id)
        json.field("keyword", keyword)
        json.field("location", location)
        json.field("name", name)
        json.array("steps", steps)
        json.objectEnd()
    }
}

extension Examples: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("description", description)
        json.field("id", id)
        json.field("keyword", keyword)
        json.field("location", location)
        json.field("name", name)
        json.array("tableBody", tableBody)
        json.fieldIfPresent("tableHeader", tableHeader)
        json.array("tags", tags)
        json.objectEnd()
    }
}

extension Scenario: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("description", description)
        json.array("examples", examples)
        json.field("id", id)
        json.field("keyword", keyword)
        json.field("location", location)
        json.field("name", name)
        json.array("steps", steps)
        json.array("tags", tags)
        json.objectEnd()
    }
}

extension RuleChild: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        switch self {
        case .background(let b): json.field("background", b)
        case .scenario(let s): json.field("scenario", s)
        }
        json.objectEnd()
    }
}

extension Rule: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.array("children", children)
        json.field("description", description)
        json.field("id", id)
        json.field("keyword", keyword)
        json.field("location", location)
        json.field("name", name)
        json.array("tags", tags)
        json.objectEnd()
    }
}

extension FeatureChild: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        switch self {
        case .background(let b): json.field("background", b)
        case .rule(let r): json.field("rule", r)
        case .scenario(let s): json.field("scenario", s)
        }
        json.objectEnd()
    }
}

extension Feature: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.array("children", children)
        json.field("description", description)
        if !keyword.isEmpty { json.field("keyword", keyword) }
        json.field("language", language)
        json.field("location", location)
        json.field("name", name)
        json.array("tags", tags)
        json.objectEnd()
    }
}

extension GherkinDocument: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.array("comments", comments)
        json.fieldIfPresent("feature", feature)
        json.fieldIfPresent("uri", uri)
        json.objectEnd()
    }
}

extension PickleTag: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("astNodeId", astNodeId)
        json.field("name", name)
        json.objectEnd()
    }
}

extension PickleDocString: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        if let argumentIndex { json.field("argumentIndex", argumentIndex) }
        json.field("content", content)
        json.fieldIfPresent("mediaType", mediaType)
        json.objectEnd()
    }
}

extension PickleTable: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        if let argumentIndex { json.field("argumentIndex", argumentIndex) }
        json.key("rows")
        json.arrayStart()
        for row in rows {
            json.objectStart()
            json.key("cells")
            json.arrayStart()
            for value in row {
                json.objectStart()
                json.field("value", value)
                json.objectEnd()
            }
            json.arrayEnd()
            json.objectEnd()
        }
        json.arrayEnd()
        json.objectEnd()
    }
}

extension PickleStepArgument: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.fieldIfPresent("dataTable", dataTable)
        json.fieldIfPresent("docString", docString)
        json.objectEnd()
    }
}

extension PickleStep: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.fieldIfPresent("argument", argument)
        json.stringArray("astNodeIds", astNodeIds)
        json.field("id", id)
        json.field("text", text)
        json.fieldIfPresent("type", type?.rawValue)
        json.objectEnd()
    }
}

extension Pickle: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.stringArray("astNodeIds", astNodeIds)
        json.field("id", id)
        json.field("language", language)
        json.field("location", location)
        json.field("name", name)
        json.array("steps", steps)
        json.array("tags", tags)
        json.field("uri", uri)
        json.objectEnd()
    }
}

/// A parse error as the `parseError` message: located in a source file.
public struct SourcedParseError: JSONWritable, Sendable {
    public var uri: String
    public var error: ParseError

    public init(uri: String, error: ParseError) {
        self.uri = uri
        self.error = error
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("message", error.message)
        json.key("source")
        json.objectStart()
        json.field("location", error.location)
        json.field("uri", uri)
        json.objectEnd()
        json.objectEnd()
    }
}

/// A feature file's text as the `source` message.
public struct Source: JSONWritable, Sendable {
    public var uri: String
    public var data: String
    public var mediaType: String

    public init(uri: String, data: String, mediaType: String) {
        self.uri = uri
        self.data = data
        self.mediaType = mediaType
    }

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        json.field("data", data)
        json.field("mediaType", mediaType)
        json.field("uri", uri)
        json.objectEnd()
    }
}
