/// What a step definition is matched with: a Cucumber Expression or a regular expression.
public protocol StepExpression: Sendable {
    var source: String { get }
    /// The arguments when `text` matches the whole expression, else nil.
    func match(_ text: String) -> [StepMatchArgument]?
}

/// One matched argument: the text it matched, where, and the parameter type that turns it into a value.
public struct StepMatchArgument: Sendable {
    public let parameterType: ParameterType
    public let group: TreeRegexp.Group

    /// The matched text (nil for an optional group that did not take part).
    public var text: String? { group.value }
    /// Offset in Unicode scalars within the step text, or nil.
    public var start: Int? { group.start >= 0 ? group.start : nil }
    /// The groups the transformer receives: the inner groups when the parameter's regexp has any.
    public var groupValues: [String?] { group.values }

    public func value() throws -> (any Sendable)? { try parameterType.transform(group.values) }
}

/// A Cucumber Expression such as `I produce {int} keyed message(s) to {string}`.
public struct CucumberExpression: StepExpression {
    public let source: String
    public let parameterTypes: [ParameterType]
    let tree: TreeRegexp
    /// The literal text the expression starts and ends with (before its first and after its last parameter,
    /// optional or alternation): a step text without them cannot match, and needs no regular expression.
    private let head: [UInt8], tail: [UInt8]
    private let literal: Bool  // text only: the step text must be the head exactly

    /// The regular expression the expression compiles to.
    public var regexp: String { tree.source }

    public init(_ source: String, registry: ParameterTypeRegistry = ParameterTypeRegistry())
        throws(CucumberExpressionError)
    {
        self.source = source
        let ast = try CucumberExpressionParser.parse(source)
        var compiler = Compiler(source: source, registry: registry)
        let pattern = try compiler.rewrite(ast)
        self.parameterTypes = compiler.parameterTypes
        let parts = ast.nodes ?? []
        head = Array(parts.prefix { $0.kind == .text }.map { $0.token ?? "" }.joined().utf8)
        literal = parts.allSatisfy { $0.kind == .text }
        tail =
            literal
            ? []
            : Array(
                parts.reversed().prefix { $0.kind == .text }.reversed()
                    .map { $0.token ?? "" }.joined().utf8)
        do { self.tree = try TreeRegexp(pattern) } catch {
            throw CucumberExpressionError(
                "The expression \(source) compiles to an invalid regular expression \(pattern)")
        }
    }

    public func match(_ text: String) -> [StepMatchArgument]? {
        let bytes = text.utf8
        guard literal ? bytes.count == head.count : bytes.count >= head.count + tail.count, bytes.starts(with: head),
            bytes.reversed().starts(with: tail.reversed()), let root = tree.match(text)
        else { return nil }
        return zip(parameterTypes, root.children).map { StepMatchArgument(parameterType: $0, group: $1) }
    }

    private struct Compiler {
        let source: String
        let registry: ParameterTypeRegistry
        var parameterTypes: [ParameterType] = []

        typealias Node = CucumberExpressionNode

        mutating func rewrite(_ node: Node) throws(CucumberExpressionError) -> String {
            let children = node.nodes ?? []
            switch node.kind {
            case .text:
                return Compiler.escapeRegex(node.token ?? "")
            case .optional:
                if let p = children.first(where: { $0.kind == .parameter }) {
                    throw .node(
                        p, source, "An optional may not contain a parameter type",
                        "If you did not mean to use an parameter type you can use '\\{' to escape the '{'")
                }
                if let o = children.first(where: { $0.kind == .optional }) {
                    throw .node(
                        o, source, "An optional may not contain an other optional",
                        "If you did not mean to use an optional type you can use '\\(' to escape the '('. For more "
                            + "complicated expressions consider using a regular expression instead."
                    )
                }
                if !children.contains(where: { $0.kind == .text }) {
                    throw .node(
                        node, source, "An optional must contain some text",
                        "If you did not mean to use an optional you can use '\\(' to escape the '('")
                }
                return try join(children, "", "(?:", ")?")
            case .alternation:
                for alternative in children {
                    if (alternative.nodes ?? []).isEmpty {
                        throw .node(
                            alternative, source, "Alternative may not be empty",
                            "If you did not mean to use an alternative you can use '\\/' to escape the '/'")
                    }
                    if !(alternative.nodes ?? []).contains(where: { $0.kind == .text }) {
                        throw .node(
                            alternative, source, "An alternative may not exclusively contain optionals",
                            "If you did not mean to use an optional you can use '\\(' to escape the '('")
                    }
                }
                return try join(children, "|", "(?:", ")")
            case .alternative:
                return try join(children, "", "", "")
            case .parameter:
                let name = node.text
                guard let type = registry.lookup(name: name) else { throw .undefinedParameterType(name, node, source) }
                parameterTypes.append(type)
                if type.regexps.count == 1 { return "(\(type.regexps[0]))" }
                return "(" + type.regexps.map { "(?:\($0))" }.joined(separator: "|") + ")"
            case .expression:
                return try join(children, "", "^", "$")
            }
        }

        mutating func join(_ nodes: [Node], _ separator: String, _ prefix: String, _ suffix: String)
            throws(CucumberExpressionError) -> String
        {
            var out = prefix
            for (i, n) in nodes.enumerated() {
                if i > 0 { out += separator }
                out += try rewrite(n)
            }
            return out + suffix
        }

        static func escapeRegex(_ text: String) -> String {
            var out = ""
            for c in text.unicodeScalars {
                if "\\^[({$.|?*+})]".unicodeScalars.contains(c) { out += "\\" }
                out.unicodeScalars.append(c)
            }
            return out
        }
    }
}

/// A regular-expression step definition, e.g. `^I should( not)? see (\d+) records$`. A group whose
/// regexp is a parameter type's (such as `-?\d+`) is transformed by that type.
public struct RegularExpression: StepExpression {
    public let source: String
    let tree: TreeRegexp
    private let registry: ParameterTypeRegistry

    public init(_ source: String, registry: ParameterTypeRegistry = ParameterTypeRegistry()) throws {
        self.source = source
        self.tree = try TreeRegexp(source)
        self.registry = registry
    }

    public func match(_ text: String) -> [StepMatchArgument]? {
        guard let root = tree.match(text) else { return nil }
        let anonymous = registry.lookup(name: "")!
        return zip(tree.root.children, root.children).map { shape, group in
            StepMatchArgument(parameterType: registry.lookup(regexp: shape.source) ?? anonymous, group: group)
        }
    }
}
