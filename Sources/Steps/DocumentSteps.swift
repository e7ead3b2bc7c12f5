import Foundation
import Messages
import Runtime
import KafkaClient
import Cluster
import Verification

/// Sentences about a card's written deliverables.
enum DocumentSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.then("the document {string} has {int} use cases that each name producers, topics and partitions, and consumers",
                  doc: "Checks a Markdown brief: that many `## Use case` sections, each mentioning producers, topic, partitions and consumers.",
                  example: #"Then the document "docs/kaf-01/why-kafka.md" has 3 use cases that each name producers, topics and partitions, and consumers"#) { ctx in
            let path = try ctx.string(0)
            let expected = try ctx.int(1)
            let text = try Self.read(path)
            let sections = text.components(separatedBy: "\n## ").dropFirst().filter { $0.lowercased().hasPrefix("use case") }
            guard sections.count == expected else { throw StepFailure("\(path) has \(sections.count) use case sections, expected \(expected)") }
            for section in sections {
                let lower = section.lowercased()
                let missing = ["producer", "topic", "partition", "consumer"].filter { !lower.contains($0) }
                if !missing.isEmpty {
                    throw StepFailure("\(path): \"\(section.prefix { $0 != "\n" })\" does not name \(missing.joined(separator: ", "))")
                }
            }
        }

        code.then("the diagram {string} is a Mermaid flowchart from producers through topics to consumers",
                  doc: "Checks a Mermaid source: a flowchart whose edges lead from producers to topics and from topics to consumers.",
                  example: #"Then the diagram "docs/kaf-01/event-flow.mmd" is a Mermaid flowchart from producers through topics to consumers"#) { ctx in
            let path = try ctx.string(0)
            let text = try Self.read(path)
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("%%") && !$0.isEmpty }
            guard let first = lines.first, first.hasPrefix("flowchart") || first.hasPrefix("graph") else {
                throw StepFailure("\(path) is not a Mermaid flowchart (it starts with \"\(lines.first ?? "")\")")
            }
            for part in ["subgraph Producers", "subgraph Consumers", "topic"] where !text.contains(part) {
                throw StepFailure("\(path) has no \(part)")
            }
            guard lines.filter({ $0.contains("-->") }).count >= 2 else { throw StepFailure("\(path) has fewer than two edges") }
        }
    }

    static func read(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw StepFailure("cannot read \(path) (paths are relative to the directory kafka-bdd runs in)")
        }
        return text
    }
}
