import Messages
/// Builds the GherkinDocument from the parser's rule and token events.
///
/// Each open rule is a Node with a typed slot for each kind of thing the rules inside it produce;
/// a rule that ends puts its AST value straight into its parent's slot. Ids are handed out when a
/// rule ends, in the order the reference hands them out.
final class ASTBuilder {
    /// A rule being built. Nodes are reused from one rule to the next at the same depth (their
    /// values are moved out when the rule ends), which spares an allocation per step.
    private final class Node {
        var rule: RuleType = .gherkinDocument
        /// The rule's keyword line (feature, rule, background, scenario, examples or step line), or a
        /// doc string's opening separator.
        var line: Token?
        /// Tag lines, table rows or #Other lines, in order.
        var tokens: [Token] = []
        var tags: [Tag] = []
        var description = ""
        var steps: [Step] = []
        var docString: DocString?
        var dataTable: DataTable?
        var rows: [TableRow] = []
        var examples: [Examples] = []
        var featureChildren: [FeatureChild] = []
        var ruleChildren: [RuleChild] = []
        var feature: Feature?
        /// Whether the header (of a feature or rule), scenario or examples inside it has ended.
        var hasInner = false

        /// Most slots are empty already (their values were moved out): only those that are not are
        /// written, which saves a release and a retain for each of the others.
        func reset(_ rule: RuleType) {
            self.rule = rule
            if line != nil { line = nil }
            if !tokens.isEmpty { tokens.removeAll(keepingCapacity: true) }
            if !tags.isEmpty { tags = [] }
            if !description.isEmpty { description = "" }
            if !steps.isEmpty { steps = [] }
            if docString != nil { docString = nil }
            if dataTable != nil { dataTable = nil }
            if !rows.isEmpty { rows = [] }
            if !examples.isEmpty { examples = [] }
            if !featureChildren.isEmpty { featureChildren = [] }
            if !ruleChildren.isEmpty { ruleChildren = [] }
            if feature != nil { feature = nil }
            hasInner = false
        }
    }

    private let ids: IdGenerator
    /// `stack[0 ..< depth]` are the open rules; the rest are spare nodes.
    private var stack: [Node] = [Node()]
    private var depth = 1
    private var comments: [Comment] = []
    private(set) var document = GherkinDocument(uri: nil, feature: nil, comments: [])

    init(ids: IdGenerator) {
        self.ids = ids
    }

    func build(_ token: Token) {
        switch token.type {
        case .comment:
            if token.isMarkup { return }
            comments.append(Comment(location: token.location, text: token.text))
        case .featureLine, .ruleLine, .backgroundLine, .scenarioLine, .examplesLine, .stepLine, .docStringSeparator:
            let node = stack[depth - 1]
            if node.line == nil { node.line = token }
        case .tagLine, .tableRow, .other:
            stack[depth - 1].tokens.append(token)
        case .eof, .empty, .language:
            break
        }
    }

    func startRule(_ rule: RuleType) {
        if depth == stack.count { stack.append(Node()) }
        stack[depth].reset(rule)
        depth += 1
    }

    /// Closes the innermost rule; returns an error when its content is invalid (a ragged table).
    func endRule(_ rule: RuleType) -> ParseError? {
        depth -= 1
        let node = stack[depth]
        if node.rule == .gherkinDocument {
            document.feature = node.feature
            document.comments = comments
            stack = [Node()]
            depth = 1
            return nil
        }
        return close(node, into: stack[depth - 1])
    }

    /// Turns `node` into its AST value and puts that into `parent`.
    private func close(_ node: Node, into parent: Node) -> ParseError? {
        var error: ParseError?
        switch node.rule {
        case .step:
            let line = node.line!
            parent.steps.append(
                Step(
                    id: ids.newId(), location: line.location, keyword: line.keyword,
                    keywordType: line.keywordType, text: line.text,
                    docString: node.docString, dataTable: node.dataTable))
        case .docString:
            let separator = node.line!
            var content = ""
            for (i, token) in node.tokens.enumerated() {
                if i > 0 { content.append("\n") }
                content.append(token.text)
            }
            parent.docString = DocString(
                location: separator.location,
                mediaType: separator.text.isEmpty ? nil : separator.text,
                content: content, delimiter: separator.keyword)
        case .dataTable:
            let rows = tableRows(node, &error)
            parent.dataTable = DataTable(location: rows[0].location, rows: rows)
        case .examplesTable:
            parent.rows = tableRows(node, &error)
        case .background:
            let line = node.line!
            let background = Background(
                id: ids.newId(), location: line.location, keyword: line.keyword,
                name: line.text, description: node.description, steps: take(&node.steps))
            if parent.rule == .rule {
                parent.ruleChildren.append(.background(background))
            } else {
                parent.featureChildren.append(.background(background))
            }
        case .scenarioDefinition:
            guard node.hasInner, let line = node.line else { break }
            let scenario = Scenario(
                id: ids.newId(), location: line.location, tags: take(&node.tags),
                keyword: line.keyword, name: line.text, description: node.description,
                steps: take(&node.steps), examples: take(&node.examples))
            if parent.rule == .rule {
                parent.ruleChildren.append(.scenario(scenario))
            } else {
                parent.featureChildren.append(.scenario(scenario))
            }
        case .examplesDefinition:
            guard node.hasInner, let line = node.line else { break }
            let rows = take(&node.rows)
            parent.examples.append(
                Examples(
                    id: ids.newId(), location: line.location, tags: take(&node.tags),
                    keyword: line.keyword, name: line.text, description: node.description,
                    tableHeader: rows.first, tableBody: Array(rows.dropFirst())))
        case .tags:
            var tags: [Tag] = []
            for token in node.tokens {
                for item in token.items {
                    tags.append(
                        Tag(
                            location: Location(line: token.line, column: item.column), name: item.text,
                            id: ids.newId()))
                }
            }
            parent.tags = tags
        case .description:
            var end = node.tokens.count
            while end > 0, node.tokens[end - 1].text.unicodeScalars.allSatisfy(\.isGherkinWhitespace) { end -= 1 }
            var description = ""
            for i in 0..<end {
                if i > 0 { description.append("\n") }
                description.append(node.tokens[i].text)
            }
            parent.description = description
        case .feature:
            guard node.hasInner, let line = node.line else { break }
            parent.feature = Feature(
                location: line.location, tags: take(&node.tags), language: line.dialect,
                keyword: line.keyword, name: line.text, description: node.description,
                children: take(&node.featureChildren))
        case .rule:
            guard node.hasInner, let line = node.line else { break }
            parent.featureChildren.append(
                .rule(
                    Rule(
                        id: ids.newId(), location: line.location, tags: take(&node.tags),
                        keyword: line.keyword, name: line.text,
                        description: node.description,
                        children: take(&node.ruleChildren))))
        case .featureHeader, .ruleHeader, .scenario, .examples:
            // Their content belongs to the feature, rule, scenario or examples definition around them.
            guard let line = node.line else { break }
            parent.line = line
            parent.hasInner = true
            if node.rule == .featureHeader || node.rule == .ruleHeader { parent.tags = take(&node.tags) }
            parent.description = node.description
            parent.steps = take(&node.steps)
            parent.examples = take(&node.examples)
            parent.rows = take(&node.rows)
        case .gherkinDocument, .stepArg, .dataTableAndMaybeDocString, .docStringAndMaybeDataTable, .descriptionHelper,
            .descriptionLine:
            break
        }
        return error
    }

    private func take<T>(_ array: inout [T]) -> [T] {
        var taken: [T] = []
        swap(&taken, &array)
        return taken
    }

    private func tableRows(_ node: Node, _ error: inout ParseError?) -> [TableRow] {
        var rows: [TableRow] = []
        rows.reserveCapacity(node.tokens.count)
        for token in node.tokens {
            let cells = token.items.map {
                TableCell(location: Location(line: token.line, column: $0.column), value: $0.text)
            }
            rows.append(TableRow(id: ids.newId(), location: token.location, cells: cells))
        }
        if let width = rows.first?.cells.count,
            let ragged = rows.first(where: { $0.cells.count != width })
        {
            error = ParseError(message: "inconsistent cell count within the table", location: ragged.location)
        }
        return rows
    }
}
