/// A named kind of step argument — `{int}`, `{string}`, or one of ours such as `{duration}` — made
/// of the regular expressions it matches and a transformer from the matched text to a value.
public struct ParameterType: Sendable {
    public typealias Transformer = @Sendable ([String?]) throws -> (any Sendable)?

    public let name: String
    public let regexps: [String]
    /// The Swift type a transformed value has, for snippets and `kafka-bdd steps`.
    public let typeName: String
    public let useForSnippets: Bool
    public let preferForRegexpMatch: Bool
    public let isBuiltin: Bool
    /// Where it was defined, for messages.
    let transformer: Transformer

    public init(
        name: String, regexps: [String], typeName: String = "String", useForSnippets: Bool = true,
        preferForRegexpMatch: Bool = false,
        transformer: @escaping Transformer
    ) throws(CucumberExpressionError) {
        if name.unicodeScalars.contains(where: { "{}()\\/".unicodeScalars.contains($0) }) {
            throw CucumberExpressionError(
                "Illegal character in parameter name {\(name)}. Parameter names may not contain '{', '}', '(', ')', "
                    + "'\\' or '/'"
            )
        }
        self.init(
            unchecked: name, regexps: regexps, typeName: typeName, useForSnippets: useForSnippets,
            preferForRegexpMatch: preferForRegexpMatch, builtin: false,
            transformer: transformer)
    }

    init(
        unchecked name: String, regexps: [String], typeName: String, useForSnippets: Bool, preferForRegexpMatch: Bool,
        builtin: Bool, transformer: @escaping Transformer
    ) {
        self.name = name
        self.regexps = regexps
        self.typeName = typeName
        self.useForSnippets = useForSnippets
        self.preferForRegexpMatch = preferForRegexpMatch
        self.isBuiltin = builtin
        self.transformer = transformer
    }

    public func transform(_ groups: [String?]) throws -> (any Sendable)? {
        try transformer(groups)
    }

    /// Preferential types first, then built-in ones, then by name.
    static func ordered(_ a: ParameterType, _ b: ParameterType) -> Bool {
        if a.preferForRegexpMatch != b.preferForRegexpMatch { return a.preferForRegexpMatch }
        if a.isBuiltin != b.isBuiltin { return a.isBuiltin }
        return a.name < b.name
    }
}

/// The parameter types known to an expression: the built-in ones plus the ones a suite defines.
public struct ParameterTypeRegistry: Sendable {
    public private(set) var byName: [String: ParameterType] = [:]
    private var byRegexp: [String: [ParameterType]] = [:]
    /// In definition order, for messages and listings.
    public private(set) var all: [ParameterType] = []

    public static let integerRegexps = [#"-?\d+"#, #"\d+"#]
    public static let floatRegexp = #"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[E][+-]?\d+)?"#
    public static let wordRegexp = #"[^\s]+"#
    public static let stringRegexp = #""([^"\\]*(\\.[^"\\]*)*)"|'([^'\\]*(\\.[^'\\]*)*)'"#

    public init() {
        func builtin(
            _ name: String, _ regexps: [String], _ typeName: String, snippets: Bool, prefer: Bool,
            _ transform: @escaping ParameterType.Transformer
        ) -> ParameterType {
            ParameterType(
                unchecked: name, regexps: regexps, typeName: typeName, useForSnippets: snippets,
                preferForRegexpMatch: prefer, builtin: true, transformer: transform)
        }
        func number<T: LosslessStringConvertible & Sendable>(_: T.Type) -> ParameterType.Transformer {
            { groups in
                guard let text = groups.first ?? nil else { return nil }
                guard let value = T(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
                    throw ParameterTransformError(text: text, type: String(describing: T.self))
                }
                return value
            }
        }
        let first: ParameterType.Transformer = { groups in groups.first ?? nil }
        let defaults: [ParameterType] = [
            builtin("int", Self.integerRegexps, "Int", snippets: true, prefer: true, number(Int.self)),
            builtin("float", [Self.floatRegexp], "Float", snippets: true, prefer: false, number(Float.self)),
            builtin("word", [Self.wordRegexp], "String", snippets: false, prefer: false, first),
            builtin("string", [Self.stringRegexp], "String", snippets: true, prefer: false) { groups in
                let text = (groups.first ?? nil) ?? (groups.count > 1 ? groups[1] : nil) ?? ""
                return text.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\'", with: "'")
            },
            builtin("", [".*"], "String", snippets: false, prefer: true, first),
            builtin("double", [Self.floatRegexp], "Double", snippets: false, prefer: false, number(Double.self)),
            // Arbitrary precision is kept as the matched text.
            builtin("bigdecimal", [Self.floatRegexp], "String", snippets: false, prefer: false, first),
            builtin("byte", Self.integerRegexps, "Int8", snippets: false, prefer: false, number(Int8.self)),
            builtin("short", Self.integerRegexps, "Int16", snippets: false, prefer: false, number(Int16.self)),
            builtin("long", Self.integerRegexps, "Int64", snippets: false, prefer: false, number(Int64.self)),
            builtin("biginteger", Self.integerRegexps, "String", snippets: false, prefer: false, first),
        ]
        for t in defaults { try! define(t) }
    }

    public mutating func define(_ type: ParameterType) throws(CucumberExpressionError) {
        if byName[type.name] != nil {
            throw CucumberExpressionError(
                type.name.isEmpty
                    ? "The anonymous parameter type has already been defined"
                    : "There is already a parameter type with name \(type.name)")
        }
        for regexp in type.regexps {
            var types = byRegexp[regexp] ?? []
            if let existing = types.first, existing.preferForRegexpMatch, type.preferForRegexpMatch {
                throw CucumberExpressionError(
                    "There can only be one preferential parameter type per regexp. The regexp /\(regexp)/ is used for "
                        + "two preferential parameter types, {\(existing.name)} and {\(type.name)}"
                )
            }
            types.append(type)
            byRegexp[regexp] = types.sorted(by: ParameterType.ordered)
        }
        byName[type.name] = type
        all.append(type)
    }

    public func lookup(name: String) -> ParameterType? { byName[name] }

    /// The parameter type a regular expression's capture group stands for, if any.
    func lookup(regexp: String) -> ParameterType? { byRegexp[regexp]?.first }
}

public struct ParameterTransformError: Error, CustomStringConvertible {
    public let text: String
    public let type: String
    public var description: String { "'\(text)' is not a valid \(type)" }
}
