import Foundation

/// Suggests Cucumber Expressions for a step text that no definition matches, the way cucumber does:
/// numbers become `{int}`/`{float}`, quoted text `{string}`, and so on for every parameter type used
/// for snippets; one expression per combination of candidate types.
public struct CucumberExpressionGenerator: Sendable {
    public let registry: ParameterTypeRegistry
    /// Compiled once per generator: a run suggests snippets for every undefined step with one generator.
    private let matchers: [Matcher]

    public init(registry: ParameterTypeRegistry) {
        self.registry = registry
        matchers = registry.all.filter(\.useForSnippets).flatMap { type in
            type.regexps.compactMap { r in
                (try? NSRegularExpression(pattern: "(\(r))")).map { Matcher(type: type, regex: $0) }
            }
        }
    }

    public struct GeneratedExpression: Sendable {
        public let source: String
        public let parameterTypes: [ParameterType]

        /// Names for the closure's parameters: `int`, `int2`, `string`, …
        public var parameterNames: [String] {
            var used: [String: Int] = [:]
            return parameterTypes.map { t in
                let name = t.name.isEmpty ? "arg" : t.name
                used[name, default: 0] += 1
                return used[name]! == 1 ? name : "\(name)\(used[name]!)"
            }
        }
    }

    private struct Matcher {
        let type: ParameterType
        let regex: NSRegularExpression

        /// The first whole-word, non-empty match at or after `position`.
        func find(in text: NSString, from position: Int) -> NSRange? {
            var p = position
            while p < text.length {
                guard
                    let m = regex.firstMatch(
                        in: text as String, options: [], range: NSRange(location: p, length: text.length - p))
                else {
                    return nil
                }
                let r = m.range
                if r.length > 0, Self.isBoundary(text, before: r.location),
                    Self.isBoundary(text, at: r.location + r.length)
                {
                    return r
                }
                p += 1
            }
            return nil
        }

        static func isBoundary(_ text: NSString, before index: Int) -> Bool {
            index == 0 || isSeparator(text, index - 1)
        }

        static func isBoundary(_ text: NSString, at index: Int) -> Bool {
            index >= text.length || isSeparator(text, index)
        }

        static func isSeparator(_ text: NSString, _ index: Int) -> Bool {
            guard let scalar = Unicode.Scalar(text.character(at: index)) else { return false }
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator,
                .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                .initialPunctuation, .finalPunctuation, .otherPunctuation,
                .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
                return true
            default:
                return false
            }
        }
    }

    public func generateExpressions(_ text: String) -> [GeneratedExpression] {
        let ns = text as NSString
        var template = ""
        var combinations: [[ParameterType]] = []
        var position = 0
        while position < ns.length {
            let found = matchers.compactMap { m in m.find(in: ns, from: position).map { (m, $0) } }
            guard !found.isEmpty else { break }
            // Earliest first, then longest; every matcher as good as the best is a candidate.
            let best = found.min { a, b in
                a.1.location != b.1.location ? a.1.location < b.1.location : a.1.length > b.1.length
            }!
            var types: [ParameterType] = []
            for (m, r) in found where r.location == best.1.location && r.length == best.1.length {
                if !types.contains(where: { $0.name == m.type.name }) { types.append(m.type) }
            }
            combinations.append(types.sorted(by: ParameterType.ordered))
            template += Self.escape(ns.substring(with: NSRange(location: position, length: best.1.location - position)))
            template += "\u{0}\(combinations.count - 1)\u{0}"
            position = best.1.location + best.1.length
        }
        template += Self.escape(ns.substring(from: min(position, ns.length)))

        var results: [GeneratedExpression] = []
        func permute(_ depth: Int, _ chosen: [ParameterType]) {
            guard results.count < 256 else { return }
            if depth == combinations.count {
                var source = template
                for (i, t) in chosen.enumerated() {
                    source = source.replacingOccurrences(of: "\u{0}\(i)\u{0}", with: "{\(t.name)}")
                }
                results.append(GeneratedExpression(source: source, parameterTypes: chosen))
                return
            }
            for t in combinations[depth] { permute(depth + 1, chosen + [t]) }
        }
        permute(0, [])
        return results
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: "{", with: "\\{").replacingOccurrences(
            of: "/", with: "\\/")
    }
}
