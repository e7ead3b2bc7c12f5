/// Schema evolution judged by Avro's schema resolution rules (Avro 1.11 specification, "Schema Resolution"),
/// as a schema registry applies them for its compatibility levels: BACKWARD — the new schema reads what the
/// last one wrote; FORWARD — the last one reads what the new one writes; FULL — both; the _TRANSITIVE
/// levels against every earlier version, not only the last.
public enum SchemaCompatibility {
    /// A schema as resolution sees it: named types carry their full name, a use of a named type after its
    /// definition is a reference looked up in the schema's `named` table.
    public indirect enum Node: Sendable, Equatable {
        case primitive(String)
        case record(name: String, fields: [Field])
        case enumeration(name: String, symbols: [String], default: String?)
        case array(Node)
        case map(Node)
        case union([Node])
        case fixed(name: String, size: Int)
        case reference(String)
    }

    public struct Field: Sendable, Equatable {
        public var name: String
        public var type: Node
        public var hasDefault: Bool
        public var aliases: [String]

        public init(name: String, type: Node, hasDefault: Bool, aliases: [String] = []) {
            self.name = name
            self.type = type
            self.hasDefault = hasDefault
            self.aliases = aliases
        }
    }

    public struct Schema: Sendable, Equatable {
        public var root: Node
        public var named: [String: Node]
        /// The full names each named type is also known by (its `aliases`), by its full name.
        public var aliases: [String: [String]]

        public init(root: Node, named: [String: Node], aliases: [String: [String]] = [:]) {
            self.root = root
            self.named = named
            self.aliases = aliases
        }

        func resolve(_ node: Node) -> Node {
            if case .reference(let name) = node, let found = named[name] { return found }
            return node
        }
    }

    public enum Level: String, Sendable, CaseIterable {
        case backward = "BACKWARD", forward = "FORWARD", full = "FULL"
        case backwardTransitive = "BACKWARD_TRANSITIVE", forwardTransitive = "FORWARD_TRANSITIVE"
        case fullTransitive = "FULL_TRANSITIVE"

        var transitive: Bool { rawValue.hasSuffix("_TRANSITIVE") }
        var checksNewReadingOld: Bool { ![.forward, .forwardTransitive].contains(self) }
        var checksOldReadingNew: Bool { ![.backward, .backwardTransitive].contains(self) }
    }

    /// Why data `writer` wrote cannot be read with `reader`: each problem names where it is (an empty list:
    /// every datum of the writer resolves).
    public static func readProblems(reader: Schema, writer: Schema) -> [String] {
        var resolver = Resolver(reader: reader, writer: writer)
        resolver.check(reader.root, writer.root, at: "")
        return resolver.problems
    }

    /// Why `proposed` does not meet `level` against the registered versions (oldest first); empty when it does.
    public static func problems(proposed: Schema, versions: [Schema], level: Level) -> [String] {
        let judged = level.transitive ? Array(versions.enumerated()) : versions.enumerated().suffix(1)
        var problems: [String] = []
        for (index, old) in judged {
            let version = "version \(index + 1)"
            if level.checksNewReadingOld {
                problems += readProblems(reader: proposed, writer: old).map {
                    "the new schema cannot read what \(version) wrote: \($0)"
                }
            }
            if level.checksOldReadingNew {
                problems += readProblems(reader: old, writer: proposed).map {
                    "\(version) cannot read what the new schema writes: \($0)"
                }
            }
        }
        return problems
    }

    /// The claim that `proposed` meets `level`: it fails with every resolution problem. Without a registered
    /// version there is nothing to be compatible with, and the claim cannot pass.
    public static func meets(proposed: Schema, versions: [Schema], level: Level) -> Verdict {
        guard !versions.isEmpty else {
            return .fails("no earlier version of the schema is registered, so \(level.rawValue) says nothing")
        }
        return Verdict(problems(proposed: proposed, versions: versions, level: level))
    }

    /// The claim that `proposed` breaks `level`: it fails when every reader resolves.
    public static func breaks(proposed: Schema, versions: [Schema], level: Level) -> Verdict {
        guard !versions.isEmpty else {
            return .fails("no earlier version of the schema is registered, so \(level.rawValue) says nothing")
        }
        guard problems(proposed: proposed, versions: versions, level: level).isEmpty else { return Verdict() }
        return .fails("the new schema is \(level.rawValue) compatible: every reader resolves every writer")
    }

    struct Resolver {
        let reader: Schema, writer: Schema
        var problems: [String] = []
        /// Named pairs under check: a recursive record resolves if it resolves assuming itself.
        var assumed: Set<String> = []

        init(reader: Schema, writer: Schema) {
            self.reader = reader
            self.writer = writer
        }

        static let promotions: [String: Set<String>] = [
            "int": ["long", "float", "double"], "long": ["float", "double"], "float": ["double"],
            "string": ["bytes"], "bytes": ["string"],
        ]

        static func shortName(_ full: String) -> String {
            full.split(separator: ".").last.map(String.init) ?? full
        }

        /// Named types match by unqualified name, or by one of the reader's aliases naming the writer's type.
        func sameName(_ readerName: String, _ writerName: String) -> Bool {
            Self.shortName(readerName) == Self.shortName(writerName)
                || (reader.aliases[readerName] ?? []).contains(writerName)
        }

        static func describe(_ node: Node) -> String {
            switch node {
            case .primitive(let p): p
            case .record(let n, _): "record \(shortName(n))"
            case .enumeration(let n, _, _): "enum \(shortName(n))"
            case .array: "array"
            case .map: "map"
            case .union: "union"
            case .fixed(let n, let size): "fixed \(shortName(n)) (\(size) bytes)"
            case .reference(let n): shortName(n)
            }
        }

        /// Whether `r` reads `w` at all, without recording why not (for choosing a union branch).
        func resolves(_ r: Node, _ w: Node) -> Bool {
            var trial = self
            trial.problems = []
            trial.check(r, w, at: "")
            return trial.problems.isEmpty
        }

        mutating func check(_ readerNode: Node, _ writerNode: Node, at path: String) {
            let r = reader.resolve(readerNode), w = writer.resolve(writerNode)
            let place = path.isEmpty ? "" : "\(path): "
            if case .union(let branches) = w {
                for branch in branches { check(r, branch, at: path) }
                return
            }
            if case .union(let branches) = r {
                if !branches.contains(where: { resolves($0, w) }) {
                    problems.append("\(place)no branch of the reader's union reads the writer's \(Self.describe(w))")
                }
                return
            }
            switch (r, w) {
            case (.primitive(let a), .primitive(let b)):
                if a != b, !(Self.promotions[b]?.contains(a) ?? false) {
                    problems.append("\(place)a \(b) written cannot be read as \(a)")
                }
            case (.record(let rn, let rf), .record(let wn, let wf)):
                guard sameName(rn, wn) else {
                    problems.append("\(place)record \(Self.shortName(wn)) written, record \(Self.shortName(rn)) read")
                    return
                }
                let pair = "\(rn)<-\(wn)"
                guard !assumed.contains(pair) else { return }
                assumed.insert(pair)
                for field in rf {
                    let inner = path.isEmpty ? field.name : "\(path).\(field.name)"
                    if let written = wf.first(where: { $0.name == field.name || field.aliases.contains($0.name) }) {
                        check(field.type, written.type, at: inner)
                    } else if !field.hasDefault {
                        problems.append("field \(inner) is read but not written, and has no default")
                    }
                }
            case (.enumeration(let rn, let rs, let fallback), .enumeration(let wn, let ws, _)):
                guard sameName(rn, wn) else {
                    problems.append("\(place)enum \(Self.shortName(wn)) written, enum \(Self.shortName(rn)) read")
                    return
                }
                let unknown = ws.filter { !rs.contains($0) }
                if !unknown.isEmpty, fallback == nil {
                    problems.append(
                        "\(place)enum symbols \(unknown.joined(separator: ", ")) written, unknown to the reader, "
                            + "which has no default symbol")
                }
            case (.array(let a), .array(let b)): check(a, b, at: path.isEmpty ? "[]" : "\(path)[]")
            case (.map(let a), .map(let b)): check(a, b, at: path.isEmpty ? "{}" : "\(path){}")
            case (.fixed(let rn, let rs), .fixed(let wn, let ws)):
                if !sameName(rn, wn) || rs != ws {
                    problems.append("\(place)\(Self.describe(w)) written, \(Self.describe(r)) read")
                }
            default:
                problems.append("\(place)a \(Self.describe(w)) written cannot be read as \(Self.describe(r))")
            }
        }
    }
}
