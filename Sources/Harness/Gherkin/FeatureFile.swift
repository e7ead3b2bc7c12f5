import Messages
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
        /// `LINE:COLUMN` where the problem is in the file, if it is at a place.
        public var at: String?
        public var description: String { "\(path):\(at.map { "\($0):" } ?? "") \(reason)" }

        public init(path: String, reason: String, at: String? = nil) {
            self.path = path
            self.reason = reason
            self.at = at
        }
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
        let whole = try readBytes(path: path)
        let bytes = whole.starts(with: [0xEF, 0xBB, 0xBF]) ? whole[3...] : whole[...]
        guard let text = bytes.withUnsafeBufferPointer({ String(validating: $0, as: UTF8.self) }) else {
            let bytes = Array(bytes)
            let offset = firstInvalidUTF8Offset(bytes)
            let line = bytes[..<offset].count { $0 == UInt8(ascii: "\n") } + 1
            let start = bytes[..<offset].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            // The line up to the bad byte is valid UTF-8: its characters give the column.
            let column = String(decoding: bytes[start..<offset], as: UTF8.self).count + 1
            throw ReadError(
                path: path, reason: "not valid UTF-8 (byte offset \(offset)); feature files must be UTF-8",
                at: "\(line):\(column)")
        }
        return text
    }

    private enum Kind { case missing, file, directory, other }

    // POSIX rather than FileManager: on Linux it is several times faster per file, which shows
    // when thousands of feature files are read.
    private static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    private static func readBytes(path: String) throws(ReadError) -> [UInt8] {
        // open and fstat rather than a stat first: one system call less per file.
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw ReadError(path: path, reason: "no such file") }
            throw ReadError(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ReadError(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))")
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw ReadError(path: path, reason: "is a directory, not a feature file")
        }
        let isFile = info.st_mode & S_IFMT == S_IFREG
        // A regular file is read straight into an array of its size; anything else (a pipe) until
        // its end, doubling the room.
        var bytes = [UInt8]()
        var capacity = isFile ? max(Int(info.st_size), 0) : 1 << 16
        while true {
            var failed = false
            var ended = false
            let more = [UInt8](unsafeUninitializedCapacity: capacity - bytes.count) { buffer, count in
                while count < buffer.count {
                    let n = read(fd, buffer.baseAddress! + count, buffer.count - count)
                    if n < 0, errno == EINTR { continue }
                    if n < 0 { failed = true }
                    if n <= 0 { ended = true; break }
                    count += n
                }
            }
            if failed { throw ReadError(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))") }
            if bytes.isEmpty { bytes = more } else { bytes += more }
            if ended || isFile { return bytes }
            capacity *= 2
        }
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

    /// Adds the feature files under `folder` (ending in "/"), hidden ones included; like
    /// FileManager's enumerator, a symbolic link to a folder is not followed. POSIX rather than
    /// that enumerator: it was a twentieth of the time of `kafka-bdd pickles` on a large corpus.
    private static func walk(_ folder: String, into found: inout [String]) {
        guard let dir = opendir(folder) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            let path = folder + name
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                isDirectory = lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
            }
            if isDirectory {
                walk(path + "/", into: &found)
            } else if name.hasSuffix(".feature") || name.hasSuffix(".feature.md") {
                found.append(path)
            }
        }
    }

    /// The `.feature` and `.feature.md` files under each path (a file is taken as it is), sorted.
    public static func discover(_ paths: [String]) throws(ReadError) -> [String] {
        var found: [String] = []
        for path in paths {
            switch kind(of: path) {
            case .missing: throw ReadError(path: path, reason: "no such file or directory")
            case .directory: break
            case .file, .other: found.append(path); continue
            }
            var here: [String] = []
            walk(path.hasSuffix("/") ? path : path + "/", into: &here)
            found += here.sorted()
        }
        return found
    }
}

extension FeatureFile {
    /// The Gherkin stage's messages for this file, in cucumber's order: source, document, pickles,
    /// parse errors. `kafka-bdd pickles` and the runner both announce files through this.
    public func envelopes(source: Bool = true, ast: Bool = true, pickles: Bool = true) -> [Envelope] {
        var out: [Envelope] = []
        if source {
            let mediaType = flavor == .markdown ? "text/x.cucumber.gherkin+markdown" : "text/x.cucumber.gherkin+plain"
            out.append(.source(Source(uri: uri, data: self.source, mediaType: mediaType)))
        }
        if ast, let document { out.append(.gherkinDocument(document)) }
        if pickles { out += self.pickles.map(Envelope.pickle) }
        out += errors.map { .parseError(SourcedParseError(uri: uri, error: $0)) }
        return out
    }
}
