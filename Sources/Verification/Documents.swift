import Foundation

/// Checks of a card's written deliverables, on their text; `path` only names the file in messages.
public enum DocumentChecks {
    /// A Markdown brief with `expected` `## Use case` sections, each naming producers, topics,
    /// partitions and consumers. Reports the first problem.
    public static func useCases(in text: String, path: String, expected: Int) -> Verdict {
        let sections = text.components(separatedBy: "\n## ").dropFirst()
            .filter { $0.lowercased().hasPrefix("use case") }
        guard sections.count == expected else {
            return .fails("\(path) has \(sections.count) use case sections, expected \(expected)")
        }
        for section in sections {
            let lower = section.lowercased()
            let missing = ["producer", "topic", "partition", "consumer"].filter { !lower.contains($0) }
            if !missing.isEmpty {
                let title = section.prefix { $0 != "\n" }
                return .fails("\(path): \"\(title)\" does not name \(missing.joined(separator: ", "))")
            }
        }
        return Verdict()
    }

    /// A Mermaid flowchart of an event flow. The nodes declared inside `subgraph Producers` are
    /// producers, those inside `subgraph Consumers` consumers, every other node a topic. Every edge
    /// is directed and runs producer → topic, topic → topic or topic → consumer (never backwards,
    /// never a producer straight to a consumer); there is a topic, and every topic lies on a path
    /// from a producer to a consumer; every producer writes to a topic and every consumer reads
    /// from one. Reports every problem.
    public static func mermaidFlowchart(_ text: String, path: String) -> Verdict {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.hasPrefix("%%") && !$0.isEmpty }
        guard let first = lines.first, first.hasPrefix("flowchart") || first.hasPrefix("graph") else {
            return .fails("\(path) is not a Mermaid flowchart (it starts with \"\(lines.first ?? "")\")")
        }
        let flow = MermaidFlow(lines.dropFirst())
        for group in ["Producers", "Consumers"] where !flow.subgraphs.contains(group) {
            return .fails("\(path) has no subgraph \(group)")
        }
        var problems = flow.nodes.filter(flow.isProducerAndConsumer).map {
            "\(path): \($0) is both a producer and a consumer"
        }
        var along: [MermaidFlow.Edge] = []
        for edge in flow.edges {
            let from = flow.role(edge.from), to = flow.role(edge.to)
            let name = "\(edge.from) \(edge.arrow) \(edge.to)"
            switch (edge.direction, from, to) {
            case (.none, _, _): problems.append("\(path): the edge \(name) has no direction")
            case (.both, _, _): problems.append("\(path): the edge \(name) points both ways")
            case (.forward, .producer, .topic), (.forward, .topic, .topic), (.forward, .topic, .consumer):
                along.append(edge)
            case (.forward, .producer, .consumer):
                problems.append(
                    "\(path): the edge \(name) runs from a producer straight to a consumer, "
                        + "not through a topic")
            case (.forward, _, _):
                problems.append("\(path): the edge \(name) runs from a \(from.rawValue) to a \(to.rawValue)")
            }
        }
        let topics = flow.nodes.filter { flow.role($0) == .topic }
        if topics.isEmpty { problems.append("\(path) has no topic") }
        // Paths follow only the edges that run the right way.
        let written = MermaidFlow.reachable(from: flow.nodes.filter { flow.role($0) == .producer }, along: along)
        let read = MermaidFlow.reachable(
            from: flow.nodes.filter { flow.role($0) == .consumer }, along: along,
            backwards: true)
        for topic in topics where !written.contains(topic) || !read.contains(topic) {
            let missing = [
                written.contains(topic) ? nil : "fed by no producer",
                read.contains(topic) ? nil : "read by no consumer",
            ].compactMap { $0 }
            problems.append("\(path): the topic \(topic) is \(missing.joined(separator: " and "))")
        }
        for node in flow.nodes where flow.role(node) == .producer && !read.contains(node) {
            problems.append("\(path): the producer \(node) writes to no topic a consumer reads")
        }
        for node in flow.nodes where flow.role(node) == .consumer && !written.contains(node) {
            problems.append("\(path): the consumer \(node) reads from no topic a producer writes to")
        }
        return Verdict(problems)
    }
}

/// The nodes, subgraphs and edges of a Mermaid flowchart's body (the lines after its header).
struct MermaidFlow {
    enum Role: String { case producer, topic, consumer }
    enum Direction { case forward, both, none }
    struct Edge {
        var from: String, to: String
        var arrow: String
        var direction: Direction
    }

    private(set) var nodes: [String] = []
    private(set) var edges: [Edge] = []
    /// The subgraphs by id; a Producers or Consumers subgraph (by id or title) under that name.
    private(set) var subgraphs: Set<String> = []
    private var producers: Set<String> = [], consumers: Set<String> = []

    init<Lines: Sequence<String>>(_ lines: Lines) {
        var open: [String] = []
        for line in lines {
            for statement in Self.statements(line) {
                if statement.hasPrefix("subgraph ") {
                    let (id, title) = Self.subgraphHeader(statement.dropFirst("subgraph".count))
                    let name = [id, title].first { $0 == "Producers" || $0 == "Consumers" } ?? id
                    subgraphs.insert(name)
                    open.append(name)
                } else if statement == "end" {
                    _ = open.popLast()
                } else if !Self.isDirective(statement) {
                    add(statement, inside: open)
                }
            }
        }
    }

    /// A subgraph header's id and title: `Kafka["Kafka cluster"]`, `Producers`, `"A title"` (id and title).
    private static func subgraphHeader(_ rest: Substring) -> (id: String, title: String) {
        let text = rest.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("\"") {
            let title = String(text.dropFirst().prefix { $0 != "\"" })
            return (title, title)
        }
        let id = String(text.prefix { !"[( ".contains($0) })
        let title = text.dropFirst(id.count).trimmingCharacters(in: CharacterSet(charactersIn: " []()\""))
        return (id, title.isEmpty ? id : title)
    }

    private static func isDirective(_ statement: String) -> Bool {
        ["direction ", "classDef ", "class ", "style ", "linkStyle ", "click "].contains { statement.hasPrefix($0) }
    }

    /// A line's statements, split at semicolons outside labels.
    private static func statements(_ line: String) -> [String] {
        var out: [String] = [], current = "", depth = 0, quoted = false
        for c in line {
            if c == "\"" { quoted.toggle() }
            if !quoted && "[({".contains(c) { depth += 1 }
            if !quoted && "])}".contains(c) { depth = max(0, depth - 1) }
            if c == ";" && depth == 0 && !quoted {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        out.append(current)
        return out.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private mutating func add(_ statement: String, inside open: [String]) {
        var scanner = Scanner(Array(statement))
        var previous = scanner.nodeGroup()
        var all = previous
        while let link = scanner.link() {
            let next = scanner.nodeGroup()
            guard !next.isEmpty else { break }
            for a in previous {
                for b in next {
                    switch link.direction {
                    case .invisible: break
                    case .backward: edges.append(Edge(from: b, to: a, arrow: link.text, direction: .forward))
                    case .forward: edges.append(Edge(from: a, to: b, arrow: link.text, direction: .forward))
                    case .both: edges.append(Edge(from: a, to: b, arrow: link.text, direction: .both))
                    case .none: edges.append(Edge(from: a, to: b, arrow: link.text, direction: .none))
                    }
                }
            }
            all += next
            previous = next
        }
        for node in all {
            if !nodes.contains(node) { nodes.append(node) }
            if open.contains("Producers") { producers.insert(node) }
            if open.contains("Consumers") { consumers.insert(node) }
        }
    }

    func isProducerAndConsumer(_ node: String) -> Bool { producers.contains(node) && consumers.contains(node) }

    /// A subgraph used as a node stands for what it holds.
    func role(_ node: String) -> Role {
        if node == "Producers" || producers.contains(node) { return .producer }
        if node == "Consumers" || consumers.contains(node) { return .consumer }
        return .topic
    }

    /// The nodes reachable from `start` along `edges` (against their direction when `backwards`).
    static func reachable(from start: [String], along edges: [Edge], backwards: Bool = false) -> Set<String> {
        var seen = Set(start), queue = start
        while let node = queue.popLast() {
            for e in edges where (backwards ? e.to : e.from) == node {
                let next = backwards ? e.from : e.to
                if seen.insert(next).inserted { queue.append(next) }
            }
        }
        return seen
    }

    /// Reads node groups (`a & b[label]`) and links (`-->`, `-.->`, `==>`, `-- text -->`, `<-->`, `---`).
    struct Scanner {
        let chars: [Character]
        var i = 0

        init(_ chars: [Character]) { self.chars = chars }

        private var current: Character? { i < chars.count ? chars[i] : nil }
        private func peek(_ k: Int) -> Character? { i + k < chars.count ? chars[i + k] : nil }
        private mutating func skipSpaces() { while current == " " || current == "\t" { i += 1 } }

        mutating func nodeGroup() -> [String] {
            var ids: [String] = []
            while true {
                skipSpaces()
                guard let id = node() else { break }
                ids.append(id)
                skipSpaces()
                guard current == "&" else { break }
                i += 1
            }
            return ids
        }

        private mutating func node() -> String? {
            let start = i
            while let c = current, isIdChar(c) || (c == "-" || c == ".") && isIdChar(peek(1)) {
                i += 1
            }
            guard i > start else { return nil }
            let id = String(chars[start..<i])
            skipShape()
            if current == ":", peek(1) == ":", peek(2) == ":" {
                i += 3
                while let c = current, c.isLetter || c.isNumber || c == "_" || c == "-" { i += 1 }
            }
            return id
        }

        private func isIdChar(_ c: Character?) -> Bool { c.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false }

        /// Passes over a node's shape and label: `[...]`, `(...)`, `{...}`, nested as `[(...)]`, or `>...]`.
        private mutating func skipShape() {
            guard let open = current, "[({>".contains(open) else { return }
            i += 1
            var depth = open == ">" ? 0 : 1, quoted = false
            while let c = current {
                i += 1
                if c == "\"" { quoted.toggle() } else if !quoted && open == ">" && c == "]" { return }
                if quoted || open == ">" { continue }
                if "[({".contains(c) { depth += 1 }
                if "])}".contains(c) { depth -= 1 }
                if depth == 0 { return }
            }
        }

        enum LinkDirection { case forward, backward, both, none, invisible }

        /// The next link (`-->`, `-.->`, `==>`, `--o`, `-- text -->`, `-->|text|`, `<-->`, `---`, `~~~`), or nil.
        mutating func link() -> (text: String, direction: LinkDirection)? {
            skipSpaces()
            let start = i
            let back = current == "<"
            if back { i += 1 }
            var run = ""
            while let c = current, "-=.~".contains(c) {
                run.append(c)
                i += 1
            }
            guard run.count >= 2 else {
                i = start
                return nil
            }
            var head = false
            if let c = current, c == ">" || (c == "o" || c == "x") && !isIdChar(peek(1)) {
                head = true
                i += 1
            } else if ["--", "==", "-."].contains(run), current == " ", let end = labelledLinkEnd() {
                head = ">ox".contains(chars[end - 1])
                i = end
            }
            let text = String(chars[start..<i])
            skipSpaces()
            if current == "|", let close = chars[(i + 1)...].firstIndex(of: "|") { i = close + 1 }
            if run.contains("~") { return (text, .invisible) }
            switch (back, head) {
            case (true, true): return (text, .both)
            case (true, false): return (text, .backward)
            case (false, true): return (text, .forward)
            case (false, false): return (text, .none)
            }
        }

        /// Where a link whose text follows its opening (`-- text -->`) ends: after the closing run.
        private func labelledLinkEnd() -> Int? {
            var j = i
            while j + 1 < chars.count {
                if "-=.".contains(chars[j]), "-=>".contains(chars[j + 1]), chars[j - 1] == " " {
                    var k = j
                    while k < chars.count, "-=.".contains(chars[k]) { k += 1 }
                    if k < chars.count, ">ox".contains(chars[k]) { k += 1 }
                    if k - j >= 2 { return k }
                }
                j += 1
            }
            return nil
        }
    }
}

extension DocumentChecks {
    /// The `## ` sections of a Markdown text: heading and body.
    static func sections(_ text: String) -> [(heading: String, body: String)] {
        text.components(separatedBy: "\n## ").dropFirst().map { chunk in
            let heading = chunk.prefix { $0 != "\n" }
            return (heading.trimmingCharacters(in: .whitespaces), String(chunk.dropFirst(heading.count)))
        }
    }

    /// At least `minimum` `## ` sections, each of whose text mentions every one of `terms` (case-insensitive).
    public static func sections(in text: String, path: String, minimum: Int, mentioning terms: [String]) -> Verdict {
        let all = sections(text)
        var problems: [String] = []
        if all.count < minimum { problems.append("\(path) has \(all.count) sections, at least \(minimum) expected") }
        for s in all {
            let lower = (s.heading + "\n" + s.body).lowercased()
            let missing = terms.filter { !lower.contains($0.lowercased()) }
            if !missing.isEmpty {
                problems.append("\(path): \"\(s.heading)\" does not mention \(missing.joined(separator: ", "))")
            }
        }
        return Verdict(problems)
    }

    /// For each heading, a `## ` section whose heading contains it (case-insensitive) with at least `words` words.
    public static func sections(in text: String, path: String, headings: [String], words: Int) -> Verdict {
        let all = sections(text)
        var problems: [String] = []
        for wanted in headings {
            guard let s = all.first(where: { $0.heading.lowercased().contains(wanted.lowercased()) }) else {
                problems.append("\(path) has no section \"\(wanted)\"")
                continue
            }
            let count = s.body.split(whereSeparator: \.isWhitespace).filter { $0.contains(where: \.isLetter) }.count
            if count < words {
                problems.append("\(path): \"\(s.heading)\" has \(count) words, at least \(words) expected")
            }
        }
        return Verdict(problems)
    }
}
