import Messages
/// The Gherkin grammar (cucumber/gherkin's `gherkin.berp`) as data, and the state machine the
/// parser runs, derived from it once. Deriving the states from the grammar — rather than writing
/// them out by hand — is what makes the parser's behaviour, including the list of expected tokens
/// in its error messages, follow the specification.
enum RuleType: Int, Sendable {
    // Rules that build AST nodes (marked `!` in the grammar).
    case gherkinDocument, feature, featureHeader, rule, ruleHeader, background, scenarioDefinition
    case scenario, examplesDefinition, examples, examplesTable, step, dataTable, docString, tags
    case description
    // Rules that only structure the grammar.
    case stepArg, dataTableAndMaybeDocString, docStringAndMaybeDataTable, descriptionHelper, descriptionLine

    var buildsNode: Bool { rawValue <= RuleType.description.rawValue }
}

struct Grammar {
    enum Symbol { case token(TokenType), rule(RuleType) }
    enum Multiplicity { case one, optional, zeroOrMore, oneOrMore }

    struct Element {
        let symbol: Symbol
        let multiplicity: Multiplicity
        var isRepeatable: Bool { multiplicity == .zeroOrMore || multiplicity == .oneOrMore }
    }

    /// A hint that decides an ambiguous tag line by looking at the lines that follow it:
    /// skipping `skip` tokens, the first other token must be `target`.
    struct Lookahead: Equatable {
        let skip: [TokenType]
        let target: TokenType
    }

    struct Production {
        let alternatives: [[Element]]
        let lookahead: Lookahead?
    }

    let productions: [RuleType: Production]

    static let gherkin: Grammar = {
        func t(_ type: TokenType, _ m: Multiplicity = .one) -> Element {
            Element(symbol: .token(type), multiplicity: m)
        }
        func r(_ rule: RuleType, _ m: Multiplicity = .one) -> Element { Element(symbol: .rule(rule), multiplicity: m) }
        func seq(_ elements: Element..., lookahead: Lookahead? = nil) -> Production {
            Production(alternatives: [elements], lookahead: lookahead)
        }
        let p: [RuleType: Production] = [
            .gherkinDocument: seq(r(.feature, .optional)),
            .feature: seq(
                r(.featureHeader), r(.background, .optional), r(.scenarioDefinition, .zeroOrMore), r(.rule, .zeroOrMore)
            ),
            .featureHeader: seq(t(.language, .optional), r(.tags, .optional), t(.featureLine), r(.descriptionHelper)),
            .rule: seq(r(.ruleHeader), r(.background, .optional), r(.scenarioDefinition, .zeroOrMore)),
            .ruleHeader: seq(r(.tags, .optional), t(.ruleLine), r(.descriptionHelper)),
            .background: seq(t(.backgroundLine), r(.descriptionHelper), r(.step, .zeroOrMore)),
            .scenarioDefinition: seq(
                r(.tags, .optional), r(.scenario),
                lookahead: Lookahead(skip: [.empty, .comment, .tagLine], target: .scenarioLine)),
            .scenario: seq(
                t(.scenarioLine), r(.descriptionHelper), r(.step, .zeroOrMore), r(.examplesDefinition, .zeroOrMore)),
            .examplesDefinition: seq(
                r(.tags, .optional), r(.examples),
                lookahead: Lookahead(skip: [.empty, .comment, .tagLine], target: .examplesLine)),
            .examples: seq(t(.examplesLine), r(.descriptionHelper), r(.examplesTable, .optional)),
            .examplesTable: seq(t(.tableRow), t(.tableRow, .zeroOrMore)),
            .step: seq(t(.stepLine), r(.stepArg, .optional)),
            .stepArg: Production(
                alternatives: [[r(.dataTableAndMaybeDocString)], [r(.docStringAndMaybeDataTable)]], lookahead: nil),
            .dataTableAndMaybeDocString: seq(r(.dataTable), r(.docString, .optional)),
            .docStringAndMaybeDataTable: seq(r(.docString), r(.dataTable, .optional)),
            .dataTable: seq(t(.tableRow, .oneOrMore)),
            .docString: seq(t(.docStringSeparator), t(.other, .zeroOrMore), t(.docStringSeparator)),
            .tags: seq(t(.tagLine, .oneOrMore)),
            .descriptionHelper: seq(t(.empty, .zeroOrMore), r(.description, .optional)),
            .description: seq(r(.descriptionLine, .oneOrMore)),
            .descriptionLine: Production(alternatives: [[t(.other)], [t(.comment)]], lookahead: nil),
        ]
        return Grammar(productions: p)
    }()

    /// Tokens skipped in any state that does not mention them (unless it accepts #Other).
    static let ignored: [TokenType] = [.comment, .empty]

    func isNullable(_ e: Element) -> Bool {
        switch e.multiplicity {
        case .optional, .zeroOrMore: return true
        case .one, .oneOrMore:
            guard case .rule(let rule) = e.symbol else { return false }
            return productions[rule]!.alternatives.contains { $0.allSatisfy(isNullable) }
        }
    }
}

/// The parser's states, compiled from `Grammar.gherkin`.
struct StateMachine {
    struct Transition {
        let token: TokenType
        let lookahead: Grammar.Lookahead?
        /// AST rules closed, innermost first, then opened, outermost first, before the token is built.
        let ends: [RuleType]
        let starts: [RuleType]
        let target: Int
    }

    struct State {
        var transitions: [Transition] { didSet { tokens = transitions.map(\.token) } }
        var expected: String
        /// The token of each transition: what the parser tries for every line, without copying the
        /// transitions themselves.
        private(set) var tokens: [TokenType]

        init(transitions: [Transition], expected: String) {
            self.transitions = transitions
            self.expected = expected
            self.tokens = transitions.map(\.token)
        }
    }

    /// Index of the state reached after #EOF.
    let endState: Int
    let states: [State]

    static let gherkin = StateMachine(grammar: .gherkin)

    /// A position in the grammar: the path of (rule, alternative, element) from the document to the
    /// token just matched; element -1 of the document means "nothing read yet".
    private struct Frame: Hashable {
        let rule: RuleType
        let alternative: Int
        let element: Int
    }

    init(grammar: Grammar) {
        var ids: [[Frame]: Int] = [:]
        var paths: [[Frame]] = []
        var states: [State] = []
        let endPath = [Frame(rule: .gherkinDocument, alternative: 0, element: Int.max)]
        func intern(_ path: [Frame]) -> Int {
            if let id = ids[path] { return id }
            ids[path] = paths.count
            paths.append(path)
            return paths.count - 1
        }
        _ = intern([Frame(rule: .gherkinDocument, alternative: 0, element: -1)])
        let end = intern(endPath)
        var next = 0
        while next < paths.count {
            let path = paths[next]
            let state =
                next == end
                ? State(transitions: [], expected: "")
                : StateMachine.state(for: path, grammar: grammar, id: next, end: end, intern: intern)
            states.append(state)
            next += 1
        }
        self.states = states
        self.endState = end
    }

    private struct RawTransition {
        let token: TokenType
        let lookahead: Grammar.Lookahead?
        let ends: [RuleType]
        let starts: [RuleType]
        let target: [Frame]?
    }

    private static func state(
        for path: [Frame], grammar: Grammar, id selfID: Int, end: Int,
        intern: ([Frame]) -> Int
    ) -> State {
        var raw: [RawTransition] = []

        // Every token that can start `element`, reached from `prefix` (the path up to the frame that
        // holds the element).
        func first(
            _ element: Grammar.Element, at frame: Frame, prefix: ArraySlice<Frame>, ends: [RuleType],
            starts: [RuleType], lookahead: Grammar.Lookahead?
        ) {
            switch element.symbol {
            case .token(let type):
                let la = lookahead.flatMap { $0.skip.contains(type) ? $0 : nil }
                raw.append(
                    RawTransition(
                        token: type, lookahead: la, ends: ends, starts: starts, target: Array(prefix) + [frame]))
            case .rule(let rule):
                let production = grammar.productions[rule]!
                let starts = rule.buildsNode ? starts + [rule] : starts
                let lookahead = production.lookahead ?? lookahead
                for (a, alternative) in production.alternatives.enumerated() {
                    for (i, inner) in alternative.enumerated() {
                        first(
                            inner, at: Frame(rule: rule, alternative: a, element: i), prefix: prefix + [frame],
                            ends: ends, starts: starts, lookahead: lookahead)
                        if !grammar.isNullable(inner) { break }
                    }
                }
            }
        }

        var ends: [RuleType] = []
        var canEndEverything = true
        for level in stride(from: path.count - 1, through: 0, by: -1) {
            let frame = path[level]
            let elements = grammar.productions[frame.rule]!.alternatives[frame.alternative]
            let prefix = path[..<level]
            if frame.element >= 0, elements[frame.element].isRepeatable {
                first(elements[frame.element], at: frame, prefix: prefix, ends: ends, starts: [], lookahead: nil)
            }
            var j = frame.element + 1
            while j < elements.count {
                first(
                    elements[j], at: Frame(rule: frame.rule, alternative: frame.alternative, element: j),
                    prefix: prefix, ends: ends, starts: [], lookahead: nil)
                if !grammar.isNullable(elements[j]) { break }
                j += 1
            }
            if j < elements.count { canEndEverything = false; break }
            if frame.rule.buildsNode && frame.rule != .gherkinDocument { ends.append(frame.rule) }
        }
        if canEndEverything {
            raw.append(RawTransition(token: .eof, lookahead: nil, ends: ends, starts: [], target: nil))
        }

        // The official parser tries #EOF first and #Other last; the rest by token, in grammar order.
        var order: [TokenType] = []
        for t in raw where !order.contains(t.token) { order.append(t.token) }
        order.removeAll { $0 == .eof || $0 == .other }
        if raw.contains(where: { $0.token == .eof }) { order.insert(.eof, at: 0) }
        if raw.contains(where: { $0.token == .other }) { order.append(.other) }
        var transitions: [Transition] = []
        for type in order {
            for t in raw where t.token == type {
                let target = t.target.map(intern) ?? end
                transitions.append(
                    Transition(token: t.token, lookahead: t.lookahead, ends: t.ends, starts: t.starts, target: target))
            }
        }
        if !order.contains(.other) {
            for type in Grammar.ignored where !order.contains(type) {
                order.append(type)
                transitions.append(Transition(token: type, lookahead: nil, ends: [], starts: [], target: selfID))
            }
        }
        return State(transitions: transitions, expected: order.map(\.grammarName).joined(separator: ", "))
    }
}
