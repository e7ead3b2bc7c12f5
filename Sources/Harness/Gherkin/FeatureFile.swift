import Foundation

/// A feature file read from disk and compiled: the first stage of the pipeline.
public struct FeatureFile: Sendable {
    public let uri: String
    public let source: String
    public let flavor: Parser.Flavor
    public let document: GherkinDocument?
    public let pickles: [Pickle]
    public let errors: [ParseError]

    /// Why a file could not be read at all (as opposed to parsed with errors).
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Parses `source` and compiles its pickles (none when it has errors).
    public init(uri: String, source: String, flavor: Parser.Flavor? = nil, ids: IdGenerator = IdGenerator()) {
        self.uri = uri
        self.source = source
        self.flavor = flavor ?? Parser.flavor(forPath: uri)
        let result = Parser(flavor: self.flavor).parse(source, uri: uri, ids: ids)
        self.document = result.document
        self.errors = result.errors
        self.pickles = result.document.map { PickleCompiler().compile($0, uri: uri, ids: ids) } ?? []
    }

    /// Reads and compiles the file at `path`; the uri is the path as given.
    public static func load(path: String, ids: IdGenerator = IdGenerator()) throws(ReadError) -> FeatureFile {
        FeatureFile(uri: path, source: try readSource(path: path), ids: ids)
    }

    /// The file's text; a missing, unreadable or non-UTF-8 file is a ReadError naming the problem.
    public static func readSource(path: String) throws(ReadError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReadError(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw ReadError(path: path, reason: "is a directory, not a feature file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(path: path, reason: "cannot be read (permission denied?)")
        }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let offset = firstInvalidUTF8Offset(bytes)
            let line = bytes[..<offset].count { $0 == UInt8(ascii: "\n") } + 1
            throw ReadError(path: path, reason: "line \(line): not valid UTF-8 (byte offset \(offset)); feature files must be UTF-8")
        }
        return text
    }

    private static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
        var i = 0
        while i < bytes.count {
            let lead = bytes[i]
            let width = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
            if i + width > bytes.count || String(validating: bytes[i..<(i + width)], as: UTF8.self) == nil { return i }
            i += width
        }
        return bytes.count
    }

    /// The `.feature` and `.feature.md` files under each path (a file is taken as it is), sorted.
    public static func discover(_ paths: [String]) throws(ReadError) -> [String] {
        var found: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ReadError(path: path, reason: "no such file or directory")
            }
            if !isDirectory.boolValue { found.append(path); continue }
            guard let walker = FileManager.default.enumerator(atPath: path) else { continue }
            var here: [String] = []
            for case let relative as String in walker
            where relative.hasSuffix(".feature") || relative.hasSuffix(".feature.md") {
                here.append((path as NSString).appendingPathComponent(relative))
            }
            found += here.sorted()
        }
        return found
    }
}
