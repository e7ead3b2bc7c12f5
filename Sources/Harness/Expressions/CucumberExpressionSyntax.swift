/// The syntax of Cucumber Expressions (cucumber/cucumber-expressions): tokens, the AST, and the
/// parser. Positions are counted in Unicode scalars, as the reference counts them.
public struct CucumberExpressionToken: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case startOfLine = "START_OF_LINE", endOfLine = "END_OF_LINE", whiteSpace = "WHITE_SPACE"
        case beginOptional = "BEGIN_OPTIONAL", endOptional = "END_OPTIONAL"
        case beginParameter = "BEGIN_PARAMETER", endParameter = "END_PARAMETER"
        case alternation = "ALTERNATION", text = "TEXT"

        var symbol: String {
            switch self {
            case .beginOptional: "("
            case .endOptional: ")"
            case .beginParameter: "{"
            case .endParameter: "}"
            case .alternation: "/"
            default: ""
            }
        }

        var purpose: String {
            switch self {
            case .beginOptional, .endOptional, .endParameter: "optional text"
            case .beginParameter: "a parameter"
            case .alternation: "alternation"
            default: ""
            }
        }
    }

    public var kind: Kind
    public var text: String
    public var start: Int
    public var end: Int
}

public struct CucumberExpressionNode: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case text = "TEXT_NODE", optional = "OPTIONAL_NODE", alternation = "ALTERNATION_NODE"
        case alternative = "ALTERNATIVE_NODE", parameter = "PARAMETER_NODE", expression = "EXPRESSION_NODE"
    }

    public var kind: Kind
    public var start: Int
    public var end: Int
    /// The text of a text node; nil for the other kinds.
    public var token: String?
    public var nodes: [CucumberExpressionNode]?

    /// All the text below this node, concatenated.
    var text: String { (token ?? "") + (nodes ?? []).map(\.text).joined() }
}

/// A syntax or definition problem in a Cucumber Expression, with the reference's wording:
/// a caret under the offending column and a suggestion.
public struct CucumberExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    init(_ message: String) { self.message = message }

    init(at index: Int, in expression: String, pointer: String, problem: String, solution: String) {
        message =
            "This Cucumber Expression has a problem at column "
            + "\(index + 1):\n\n\(expression)\n\(pointer)\n\(problem).\n\(solution)"
    }

    static func pointer(start: Int, end: Int) -> String {
        var p = String(repeating: " ", count: start) + "^"
        if start + 1 < end { p += String(repeating: "-", count: max(0, end - start - 2)) + "^" }
        return p
    }

    static func missingEnd(
        _ expression: String, begin: CucumberExpressionToken.Kind, end: CucumberExpressionToken.Kind,
        at token: CucumberExpressionToken
    ) -> Self {
        Self(
            at: token.start, in: expression, pointer: pointer(start: token.start, end: token.end),
            problem: "The '\(begin.symbol)' does not have a matching '\(end.symbol)'",
            solution:
                "If you did not intend to use \(begin.purpose) you can use '\\\(begin.symbol)' to escape the "
                + "\(begin.purpose)"
        )
    }

    static func alternationInOptional(_ expression: String, at token: CucumberExpressionToken) -> Self {
        Self(
            at: token.start, in: expression, pointer: pointer(start: token.start, end: token.end),
            problem: "An alternation can not be used inside an optional",
            solution:
                "If you did not mean to use an alternation you can use '\\/' to escape the '/'. Otherwise rephrase "
                + "your expression or consider using a regular expression instead."
        )
    }

    static func endOfLineEscaped(_ expression: String) -> Self {
        let index = expression.unicodeScalars.count - 1
        return Self(
            at: index, in: expression, pointer: pointer(start: index, end: index + 1),
            problem: "The end of line can not be escaped", solution: "You can use '\\\\' to escape the '\\'")
    }

    static func cannotEscape(_ expression: String, at index: Int) -> Self {
        Self(
            at: index, in: expression, pointer: pointer(start: index, end: index + 1),
            problem: "Only the characters '{', '}', '(', ')', '\\', '/' and whitespace can be escaped",
            solution: "If you did mean to use an '\\' you can use '\\\\' to escape it")
    }

    static func node(_ node: CucumberExpressionNode, _ expression: String, _ problem: String, _ solution: String)
        -> Self
    {
        Self(
            at: node.start, in: expression, pointer: pointer(start: node.start, end: node.end), problem: problem,
            solution: solution)
    }

    static func invalidParameterName(_ expression: String, at token: CucumberExpressionToken) -> Self {
        Self(
            at: token.start, in: expression, pointer: pointer(start: token.start, end: token.end),
            problem: "Parameter names may not contain '{', '}', '(', ')', '\\' or '/'",
            solution: "Did you mean to use a regular expression?")
    }

    static func undefinedParameterType(_ name: String, _ node: CucumberExpressionNode, _ expression: String) -> Self {
        Self.node(
            node, expression, "Undefined parameter type '\(name)'", "Please register a ParameterType for '\(name)'")
    }
}

enum CucumberExpressionTokenizer {
    static func canEscape(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || "\\/{}()".unicodeScalars.contains(c)
    }

    static func kind(of c: Unicode.Scalar) -> CucumberExpressionToken.Kind {
        if c.properties.isWhitespace { return .whiteSpace }
        switch c {
        case "/": return .alternation
        case "{": return .beginParameter
        case "}": return .endParameter
        case "(": return .beginOptional
        case ")": return .endOptional
        default: return .text
        }
    }

    static func tokenize(_ expression: String) throws(CucumberExpressionError) -> [CucumberExpressionToken] {
        let scalars = Array(expression.unicodeScalars)
        var tokens: [CucumberExpressionToken] = []
        var buffer = String.UnicodeScalarView()
        var bufferLength = 0
        var previous = CucumberExpressionToken.Kind.startOfLine
        var treatAsText = false
        var escaped = 0
        var bufferStart = 0

        func flush(_ kind: CucumberExpressionToken.Kind) -> CucumberExpressionToken {
            var escapes = 0
            if kind == .text { escapes = escaped; escaped = 0 }
            let consumed = bufferStart + bufferLength + escapes
            let token = CucumberExpressionToken(kind: kind, text: String(buffer), start: bufferStart, end: consumed)
            buffer = String.UnicodeScalarView()
            bufferLength = 0
            bufferStart = consumed
            return token
        }

        if scalars.isEmpty { tokens.append(CucumberExpressionToken(kind: .startOfLine, text: "", start: 0, end: 0)) }
        for c in scalars {
            if !treatAsText && c == "\\" {
                escaped += 1
                treatAsText = true
                continue
            }
            let current: CucumberExpressionToken.Kind
            if treatAsText {
                guard canEscape(c) else { throw .cannotEscape(expression, at: bufferStart + bufferLength + escaped) }
                current = .text
            } else {
                current = kind(of: c)
            }
            treatAsText = false
            // Runs of text and of white space make one token; every other symbol is its own.
            if current != previous || (current != .whiteSpace && current != .text) {
                tokens.append(flush(previous))
            }
            previous = current
            buffer.append(c)
            bufferLength += 1
        }
        if bufferLength > 0 { tokens.append(flush(previous)) }
        if treatAsText { throw .endOfLineEscaped(expression) }
        tokens.append(CucumberExpressionToken(kind: .endOfLine, text: "", start: scalars.count, end: scalars.count))
        return tokens
    }
}

/// A recursive-descent parser over the tokens; each rule returns how many tokens it consumed.
struct CucumberExpressionParser {
    typealias Token = CucumberExpressionToken
    typealias Node = CucumberExpressionNode
    typealias Rule = @Sendable (CucumberExpressionParser, Int) throws(CucumberExpressionError) -> (Int, Node?)

    let expression: String
    let tokens: [Token]

    static func parse(_ expression: String) throws(CucumberExpressionError) -> Node {
        let parser = CucumberExpressionParser(
            expression: expression, tokens: try CucumberExpressionTokenizer.tokenize(expression))
        let (consumed, node) = try parser.between(
            .expression, .startOfLine, .endOfLine,
            [alternation, optional, parameter, text], at: 0)
        guard let node, consumed == parser.tokens.count else {
            throw CucumberExpressionError("Could not parse \(expression)")
        }
        return node
    }

    func lookingAt(_ at: Int, _ kind: Token.Kind) -> Bool {
        if at < 0 { return kind == .startOfLine }
        if at >= tokens.count { return kind == .endOfLine }
        return tokens[at].kind == kind
    }

    func lookingAtAny(_ at: Int, _ kinds: [Token.Kind]) -> Bool { kinds.contains { lookingAt(at, $0) } }

    // text := whitespace | ')' | '}' | .
    static let text: Rule = { p, at throws(CucumberExpressionError) in
        let t = p.tokens[at]
        switch t.kind {
        case .whiteSpace, .text, .endParameter, .endOptional:
            return (1, Node(kind: .text, start: t.start, end: t.end, token: t.text, nodes: nil))
        case .alternation:
            throw .alternationInOptional(p.expression, at: t)
        default:
            return (0, nil)
        }
    }

    // name := whitespace | .
    static let name: Rule = { p, at throws(CucumberExpressionError) in
        let t = p.tokens[at]
        switch t.kind {
        case .whiteSpace, .text:
            return (1, Node(kind: .text, start: t.start, end: t.end, token: t.text, nodes: nil))
        case .beginParameter, .endParameter, .beginOptional, .endOptional, .alternation:
            throw .invalidParameterName(p.expression, at: t)
        default:
            return (0, nil)
        }
    }

    // parameter := '{' + name* + '}'
    static let parameter: Rule = { p, at throws(CucumberExpressionError) in
        try p.between(.parameter, .beginParameter, .endParameter, [name], at: at)
    }

    // optional := '(' + option* + ')'; option := optional | parameter | text
    static let optional: Rule = { p, at throws(CucumberExpressionError) in
        try p.between(.optional, .beginOptional, .endOptional, [optional, parameter, text], at: at)
    }

    static let alternativeSeparator: Rule = { p, at throws(CucumberExpressionError) in
        guard p.lookingAt(at, .alternation) else { return (0, nil) }
        let t = p.tokens[at]
        return (1, Node(kind: .alternative, start: t.start, end: t.end, token: t.text, nodes: nil))
    }

    // alternation := (?<=left-boundary) alternative* ( '/' alternative* )+ (?=right-boundary)
    // left-boundary := whitespace | '}' | ^ ; right-boundary := whitespace | '{' | $
    static let alternation: Rule = { p, at throws(CucumberExpressionError) in
        guard p.lookingAtAny(at - 1, [.startOfLine, .whiteSpace, .endParameter]) else { return (0, nil) }
        let (consumed, nodes) = try p.until(
            [alternativeSeparator, optional, parameter, text], at: at,
            endingAt: [.whiteSpace, .endOfLine, .beginParameter])
        guard nodes.contains(where: { $0.kind == .alternative }) else { return (0, nil) }
        // The right-hand boundary token is not consumed.
        let start = p.tokens[at].start
        let end = p.tokens[at + consumed].start
        return (
            consumed,
            Node(
                kind: .alternation, start: start, end: end, token: nil,
                nodes: splitAlternatives(start: start, end: end, nodes))
        )
    }

    static func splitAlternatives(start: Int, end: Int, _ nodes: [Node]) -> [Node] {
        var separators: [Node] = []
        var groups: [[Node]] = [[]]
        for n in nodes {
            if n.kind == .alternative {
                separators.append(n); groups.append([])
            } else {
                groups[groups.count - 1].append(n)
            }
        }
        return groups.enumerated().map { i, group in
            let from = i == 0 ? start : separators[i - 1].end
            let to = i == groups.count - 1 ? end : separators[i].start
            return Node(kind: .alternative, start: from, end: to, token: nil, nodes: group)
        }
    }

    func between(_ kind: Node.Kind, _ begin: Token.Kind, _ end: Token.Kind, _ rules: [Rule], at: Int)
        throws(CucumberExpressionError) -> (Int, Node?)
    {
        guard lookingAt(at, begin) else { return (0, nil) }
        let (consumed, nodes) = try until(rules, at: at + 1, endingAt: [end, .endOfLine])
        let closing = at + 1 + consumed
        guard lookingAt(closing, end) else { throw .missingEnd(expression, begin: begin, end: end, at: tokens[at]) }
        return (
            closing + 1 - at,
            Node(kind: kind, start: tokens[at].start, end: tokens[closing].end, token: nil, nodes: nodes)
        )
    }

    func until(_ rules: [Rule], at start: Int, endingAt ends: [Token.Kind]) throws(CucumberExpressionError) -> (
        Int, [Node]
    ) {
        var nodes: [Node] = []
        var current = start
        tokenLoop: while current < tokens.count {
            if lookingAtAny(current, ends) { break }
            for rule in rules {
                let (consumed, node) = try rule(self, current)
                if consumed > 0, let node {
                    nodes.append(node)
                    current += consumed
                    continue tokenLoop
                }
            }
            throw CucumberExpressionError("No eligible parsers for \(expression)")
        }
        return (current - start, nodes)
    }
}
