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
            try DocumentChecks.useCases(in: try Self.read(path), path: path, expected: try ctx.int(1)).enforce()
        }

        code.then("the diagram {string} is a Mermaid flowchart from producers through topics to consumers",
                  doc: "Checks a Mermaid source: a `flowchart` (or `graph`) with a `subgraph Producers` and a "
                      + "`subgraph Consumers` (by id or title); every other node is a topic, and there is one. Every "
                      + "edge is directed and runs producer → topic, topic → topic or topic → consumer: none from a "
                      + "consumer or into a producer, none from a producer straight to a consumer, none undirected or "
                      + "two-way. Every topic lies on a path from a producer to a consumer, every producer writes to "
                      + "such a path and every consumer reads from one.",
                  example: #"Then the diagram "docs/kaf-01/event-flow.mmd" is a Mermaid flowchart from producers through topics to consumers"#) { ctx in
            let path = try ctx.string(0)
            try DocumentChecks.mermaidFlowchart(try Self.read(path), path: path).enforce()
        }
    }

    static func read(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw StepFailure("cannot read \(path) (paths are relative to the directory kafka-bdd runs in)")
        }
        return text
    }
}
