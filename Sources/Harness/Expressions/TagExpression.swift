/// A tag expression such as `@KAF-07 and not @slow`, as cucumber/tag-expressions defines it:
/// `not`, `and`, `or` (in that order of precedence), parentheses, and `\` escapes for spaces,
/// parentheses and backslashes inside tag names.
public indirect enum TagExpression: Sendable, Equatable, CustomStringConvertible {
    case always
    case tag(String)
    case not(TagExpression)
    case and(TagExpression, TagExpression)
    case or(TagExpression, TagExpression)

    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let expression: String
        public let problem: String
        public var description: String {
            "Tag expression \"\(expression)\" could not be parsed because of syntax error: \(problem)."
        }
    }

    public func evaluate(_ tags: some Collection<String>) -> Bool {
        switch self {
        case .always: true
        case .tag(let t): tags.contains(t)
        case .not(let e): !e.evaluate(tags)
        case .and(let a, let b): a.evaluate(tags) && b.evaluate(tags)
        case .or(let a, let b): a.evaluate(tags) || b.evaluate(tags)
        }
    }

    /// The fully parenthesised form, e.g. `( @a and not ( @b ) )`.
    public var description: String {
        switch self {
        case .always: return ""
        case .tag(let t):
            var out = ""
            for c in t.unicodeScalars {
                switch c {
                case "\\": out += "\\\\"
                case "(": out += "\\("
                case ")": out += "\\)"
                default: if c.properties.isWhitespace { out += "\\ " } else { out.unicodeScalars.append(c) }
                }
            }
            return out
        case .not(let e):
            switch e {
            case .and, .or: return "not \(e)"
            default: return "not ( \(e) )"
            }
        case .and(let a, let b): return "( \(a) and \(b) )"
        case .or(let a, let b): return "( \(a) or \(b) )"
        }
    }

    /// Parses with Dijkstra's shunting-yard algorithm, like the reference implementation.
    public init(parsing infix: String) throws(SyntaxError) {
        func fail(_ problem: String) -> SyntaxError { SyntaxError(expression: infix, problem: problem) }
        let tokens = try TagExpression.tokenize(infix)
        if tokens.isEmpty { self = .always; return }

        enum Expect { case operand, `operator` }
        let precedence: [String: Int] = ["(": -2, ")": -1, "or": 0, "and": 1, "not": 2]
        var operands: [TagExpression] = []
        var operators: [String] = []
        var expected = Expect.operand

        func popOperand() throws(SyntaxError) -> TagExpression {
            guard let e = operands.popLast() else { throw fail("Expected operand") }
            return e
        }
        func reduce(_ op: String) throws(SyntaxError) {
            switch op {
            case "and": let r = try popOperand(); operands.append(.and(try popOperand(), r))
            case "or": let r = try popOperand(); operands.append(.or(try popOperand(), r))
            case "not": operands.append(.not(try popOperand()))
            default: operands.append(.tag(op))
            }
        }
        func check(_ wanted: Expect) throws(SyntaxError) {
            if expected != wanted { throw fail(expected == .operand ? "Expected operand" : "Expected operator") }
        }

        for token in tokens {
            switch token {
            case .word("not"):
                try check(.operand)
                operators.append("not")
                expected = .operand
            case .word(let op) where op == "and" || op == "or":
                try check(.operator)
                // Both binary operators are left-associative.
                while let top = operators.last, ["and", "or", "not"].contains(top), precedence[op]! <= precedence[top]!
                {
                    try reduce(operators.removeLast())
                }
                operators.append(op)
                expected = .operand
            case .open:
                try check(.operand)
                operators.append("(")
                expected = .operand
            case .close:
                try check(.operator)
                while let top = operators.last, top != "(" { try reduce(operators.removeLast()) }
                if operators.isEmpty { throw fail("Unmatched )") }
                operators.removeLast()
                expected = .operator
            case .word(let literal):
                try check(.operand)
                operands.append(.tag(literal))
                expected = .operator
            }
        }
        while let op = operators.popLast() {
            if op == "(" { throw fail("Unmatched (") }
            try reduce(op)
        }
        self = operands.removeLast()
    }

    private enum Token: Equatable { case word(String), open, close }

    private static func tokenize(_ expression: String) throws(SyntaxError) -> [Token] {
        var tokens: [Token] = []
        var word = String.UnicodeScalarView()
        var escaped = false
        func flush() {
            if !word.isEmpty { tokens.append(.word(String(word))); word = String.UnicodeScalarView() }
        }
        for c in expression.unicodeScalars {
            let isSpace = c.properties.isWhitespace
            if escaped {
                guard c == "(" || c == ")" || c == "\\" || isSpace else {
                    throw SyntaxError(expression: expression, problem: "Illegal escape before \"\(c)\"")
                }
                word.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "(" || c == ")" || isSpace {
                flush()
                if c == "(" { tokens.append(.open) } else if c == ")" { tokens.append(.close) }
            } else {
                word.append(c)
            }
        }
        flush()
        return tokens
    }
}
