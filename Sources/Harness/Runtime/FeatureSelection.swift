import Messages
import Gherkin
import Expressions
import Foundation

/// What a run reads: feature files (or folders) with optional `:LINE` filters, as
/// `kafka-bdd run Features/kaf02.feature:12:30` takes them.
public struct FeatureSelection: Sendable {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public private(set) var files: [String] = []
    /// Lines asked for, per file; a file without an entry runs whole.
    public private(set) var lines: [String: Set<Int>] = [:]

    public init(_ arguments: [String]) throws(Problem) {
        for argument in arguments {
            var path = argument
            var wanted: [Int] = []
            // Peel `:LINE` suffixes off the end (a path may itself contain colons).
            while let colon = path.lastIndex(of: ":"), let n = Int(path[path.index(after: colon)...]) {
                guard n > 0 else { throw Problem(description: "\(argument): line numbers start at 1") }
                wanted.insert(n, at: 0)
                path = String(path[..<colon])
            }
            let found: [String]
            do { found = try FeatureFile.discover([path]) } catch {
                // `FILE.feature:abc`: the file exists and what follows its colon is not a line number.
                if let colon = path.lastIndex(of: ":"), FileManager.default.fileExists(atPath: String(path[..<colon])) {
                    let notLine = path[path.index(after: colon)...]
                    throw Problem(description: "\(argument): \"\(notLine)\" is not a line number")
                }
                throw Problem(description: error.description)
            }
            if !wanted.isEmpty {
                guard found == [path] else {
                    throw Problem(description: "\(argument): a line filter needs a feature file, not a folder")
                }
                lines[path, default: []].formUnion(wanted)
            }
            for f in found where !files.contains(f) { files.append(f) }
        }
    }

    /// Whether a pickle is selected: its file has no line filter, or a filter names its scenario's,
    /// its rule's, its examples' or its own line.
    public func includes(_ pickle: Pickle, in document: GherkinDocument?, path: String? = nil) -> Bool {
        guard let wanted = lines[path ?? pickle.uri] else { return true }
        return !wanted.isDisjoint(with: Self.lines(of: pickle, in: document))
    }

    /// Every `:LINE` that names no scenario, example row, rule or feature of its file.
    public func unmatchedLines(in files: [FeatureFile], path: (FeatureFile) -> String = \.uri) -> [String] {
        var problems: [String] = []
        for file in files {
            guard let wanted = lines[path(file)] else { continue }
            let covered = file.pickles.reduce(into: Set<Int>()) { $0.formUnion(Self.lines(of: $1, in: file.document)) }
            for line in wanted.sorted() where !covered.contains(line) {
                problems.append("\(file.uri):\(line): no scenario or example at line \(line)")
            }
        }
        return problems
    }

    static func lines(of pickle: Pickle, in document: GherkinDocument?) -> Set<Int> {
        var result: Set<Int> = [pickle.location.line]
        guard let feature = document?.feature else { return result }
        let ids = Set(pickle.astNodeIds)
        func visit(_ s: Scenario, rule: Rule?) {
            guard ids.contains(s.id) else { return }
            result.insert(s.location.line)
            if let rule { result.insert(rule.location.line) }
            result.insert(feature.location.line)
            for e in s.examples where e.tableBody.contains(where: { ids.contains($0.id) }) {
                result.insert(e.location.line)
            }
        }
        for child in feature.children {
            switch child {
            case .scenario(let s): visit(s, rule: nil)
            case .rule(let r):
                for c in r.children { if case .scenario(let s) = c { visit(s, rule: r) } }
            case .background: break
            }
        }
        return result
    }
}
