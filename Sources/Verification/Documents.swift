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

    /// A Mermaid flowchart with a Producers and a Consumers subgraph, a topic, and at least two edges.
    /// Reports the first problem.
    public static func mermaidFlowchart(_ text: String, path: String) -> Verdict {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.hasPrefix("%%") && !$0.isEmpty }
        guard let first = lines.first, first.hasPrefix("flowchart") || first.hasPrefix("graph") else {
            return .fails("\(path) is not a Mermaid flowchart (it starts with \"\(lines.first ?? "")\")")
        }
        for part in ["subgraph Producers", "subgraph Consumers", "topic"] where !text.contains(part) {
            return .fails("\(path) has no \(part)")
        }
        guard lines.filter({ $0.contains("-->") }).count >= 2 else { return .fails("\(path) has fewer than two edges") }
        return Verdict()
    }
}
