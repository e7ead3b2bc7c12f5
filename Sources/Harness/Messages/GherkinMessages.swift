// The Gherkin stage's messages that are not part of the document: a source file and a parse error.

/// A parse error as the `parseError` message: located in a source file.
public struct SourcedParseError: Sendable {
    public var uri: String
    public var error: ParseError

    public init(uri: String, error: ParseError) {
        self.uri = uri
        self.error = error
    }
}

/// A feature file's text as the `source` message.
public struct Source: Sendable {
    public var uri: String
    public var data: String
    public var mediaType: String

    public init(uri: String, data: String, mediaType: String) {
        self.uri = uri
        self.data = data
        self.mediaType = mediaType
    }
}
