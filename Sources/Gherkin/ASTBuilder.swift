import Messages
/// Builds the GherkinDocument from the parser's rule and token events.
final class ASTBuilder {
    /// A rule being built: its tokens and the values of the rules it contains, in order.
    private final class Node {
        let rule: RuleType
        var tokens: [Token] = []
        var values: [(RuleType, Value)] = []
        init(_ rule: RuleType) { self.rule = rule }

        func first(_ rule: RuleType) -> Value? { values.first { $0.0 == rule }?.1 }
        func all(_ rule: RuleType) -> [Value] { values.compactMap { $0.0 == rule ? $0.1 : nil } }
        func token(_ type: TokenType) -> Token? { tokens.first { $0.type == type } }
        var description: String {
            if case .description(let d)? = first(.description) { return d }
            return ""
        }
        var tags: [Tag] {
            if case .tags(let t)? = first(.tags) { return t }
            return []
        }
        var steps: [Step] {
            all(.step).compactMap { if case .step(let s) = $0 { return s } else { return nil } }
        }
    }

    private enum Value {
        case node(Node)
        case tags([Tag])
        case description(String)
        case step(Step)
        case docString(DocString)
        case dataTable(DataTable)
        case rows([TableRow])
        case background(Background)
        case scenario(Scenario)
        case examples(Examples)
        case rule(Rule)
        case feature(Feature)
        case none
    }

    private let ids: IdGenerator
    private var stack: [Node] = [Node(.gherkinDocument)]
    private var comments: [Comment] = []
    private(set) var document = GherkinDocument(uri: nil, feature: nil, comments: [])

    init(ids: IdGenerator) {
        self.ids = ids
    }

    func build(_ token: Token) {
        if token.type == .comment {
            if token.isMarkup { return }
            comments.append(Comment(location: token.location, text: token.text))
        } else {
            stack[stack.count - 1].tokens.append(token)
        }
    }

    func startRule(_ rule: RuleType) {
        stack.append(Node(rule))
    }

    /// Closes the innermost rule; returns an error when its content is invalid (a ragged table).
    func endRule(_ rule: RuleType) -> ParseError? {
        let node = stack.removeLast()
        var error: ParseError?
        let value = transform(node, &error)
        if node.rule == .gherkinDocument {
            if case .feature(let f) = value { document.feature = f }
            document.comments = comments
            stack = [Node(.gherkinDocument)]
        } else {
            stack[stack.count - 1].values.append((node.rule, value))
        }
        return error
    }

    private func transform(_ node: Node, _ error: inout ParseError?) -> Value {
        switch node.rule {
        case .step:
            let line = node.token(.stepLine)!
            var step = Step(id: ids.newId(), location: line.location, keyword: line.keyword,
                            keywordType: line.keywordType, text: line.text)
            if case .dataTable(let t)? = node.first(.dataTable) { step.dataTable = t }
            if case .docString(let d)? = node.first(.docString) { step.docString = d }
            return .step(step)
        case .docString:
            let separator = node.token(.docStringSeparator)!
            let content = node.tokens.lazy.filter { $0.type == .other }.map(\.text).joined(separator: "\n")
            return .docString(DocString(location: separator.location,
                                        mediaType: separator.text.isEmpty ? nil : separator.text,
                                        content: content, delimiter: separator.keyword))
        case .dataTable:
            let rows = tableRows(node, &error)
            return .dataTable(DataTable(location: rows[0].location, rows: rows))
        case .examplesTable:
            return .rows(tableRows(node, &error))
        case .background:
            let line = node.token(.backgroundLine)!
            return .background(Background(id: ids.newId(), location: line.location, keyword: line.keyword,
                                          name: line.text, description: node.description, steps: node.steps))
        case .scenarioDefinition:
            guard case .node(let scenarioNode)? = node.first(.scenario) else { return .none }
            let line = scenarioNode.token(.scenarioLine)!
            let tags = node.tags
            let examples = scenarioNode.all(.examplesDefinition).compactMap { v -> Examples? in
                if case .examples(let e) = v { return e } else { return nil }
            }
            return .scenario(Scenario(id: ids.newId(), location: line.location, tags: tags, keyword: line.keyword,
                                      name: line.text, description: scenarioNode.description,
                                      steps: scenarioNode.steps, examples: examples))
        case .examplesDefinition:
            guard case .node(let examplesNode)? = node.first(.examples) else { return .none }
            let tags = node.tags
            let line = examplesNode.token(.examplesLine)!
            var rows: [TableRow] = []
            if case .rows(let r)? = examplesNode.first(.examplesTable) { rows = r }
            return .examples(Examples(id: ids.newId(), location: line.location, tags: tags, keyword: line.keyword,
                                      name: line.text, description: examplesNode.description,
                                      tableHeader: rows.first, tableBody: Array(rows.dropFirst())))
        case .tags:
            var tags: [Tag] = []
            for token in node.tokens where token.type == .tagLine {
                for item in token.items {
                    tags.append(Tag(location: Location(line: token.line, column: item.column), name: item.text, id: ids.newId()))
                }
            }
            return .tags(tags)
        case .description:
            var lines = node.tokens.filter { $0.type == .other }.map(\.text)
            while let last = lines.last, last.unicodeScalars.allSatisfy(\.isGherkinWhitespace) {
                lines.removeLast()
            }
            return .description(lines.joined(separator: "\n"))
        case .feature:
            guard case .node(let header)? = node.first(.featureHeader),
                  let line = header.token(.featureLine) else { return .none }
            let tags = header.tags
            var children: [FeatureChild] = []
            if case .background(let b)? = node.first(.background) { children.append(.background(b)) }
            for v in node.all(.scenarioDefinition) { if case .scenario(let s) = v { children.append(.scenario(s)) } }
            for v in node.all(.rule) { if case .rule(let r) = v { children.append(.rule(r)) } }
            return .feature(Feature(location: line.location, tags: tags, language: line.dialect, keyword: line.keyword,
                                    name: line.text, description: header.description, children: children))
        case .rule:
            guard case .node(let header)? = node.first(.ruleHeader),
                  let line = header.token(.ruleLine) else { return .none }
            let tags = header.tags
            var children: [RuleChild] = []
            if case .background(let b)? = node.first(.background) { children.append(.background(b)) }
            for v in node.all(.scenarioDefinition) { if case .scenario(let s) = v { children.append(.scenario(s)) } }
            return .rule(Rule(id: ids.newId(), location: line.location, tags: tags, keyword: line.keyword,
                              name: line.text, description: header.description, children: children))
        case .gherkinDocument:
            return node.first(.feature) ?? .none
        case .featureHeader, .ruleHeader, .scenario, .examples:
            return .node(node)
        case .stepArg, .dataTableAndMaybeDocString, .docStringAndMaybeDataTable, .descriptionHelper, .descriptionLine:
            return .node(node)
        }
    }

    private func tableRows(_ node: Node, _ error: inout ParseError?) -> [TableRow] {
        var rows: [TableRow] = []
        for token in node.tokens where token.type == .tableRow {
            let cells = token.items.map { TableCell(location: Location(line: token.line, column: $0.column), value: $0.text) }
            rows.append(TableRow(id: ids.newId(), location: token.location, cells: cells))
        }
        if let width = rows.first?.cells.count,
           let ragged = rows.first(where: { $0.cells.count != width }) {
            error = ParseError(message: "inconsistent cell count within the table", location: ragged.location)
        }
        return rows
    }
}
