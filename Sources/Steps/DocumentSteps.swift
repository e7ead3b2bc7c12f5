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
                  doc: "Checks a Mermaid source: a flowchart whose edges lead from producers to topics and from topics to consumers.",
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
