/// One Cucumber Messages envelope: every report is built from a stream of these.
public enum Envelope: JSONWritable, Sendable {
    case source(Source)
    case gherkinDocument(GherkinDocument)
    case pickle(Pickle)
    case parseError(SourcedParseError)

    public func write(to json: inout JSONWriter) {
        json.objectStart()
        switch self {
        case .source(let s): json.field("source", s)
        case .gherkinDocument(let d): json.field("gherkinDocument", d)
        case .pickle(let p): json.field("pickle", p)
        case .parseError(let e): json.field("parseError", e)
        }
        json.objectEnd()
    }

    /// The envelope as one NDJSON line.
    public var ndjsonLine: String {
        var w = JSONWriter(capacity: 1024)
        write(to: &w)
        w.newline()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
