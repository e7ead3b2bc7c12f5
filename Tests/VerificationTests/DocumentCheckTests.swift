import Foundation
import Testing
import Verification

/// The written deliverables' checkers on hand-written Markdown and Mermaid.
@Suite("Document checkers")
struct DocumentCheckTests {
    static let brief = """
        # Why Kafka

        ## Use case 1: orders
        Producers write orders to a topic with six partitions; consumers bill them.

        ## Use case 2: clicks
        Producers send clicks to a topic; its partitions are read by consumers.

        ## Not a use case
        """

    @Test func briefWithEveryUseCaseNamingEverythingPasses() {
        #expect(DocumentChecks.useCases(in: Self.brief, path: "b.md", expected: 2).holds)
    }

    @Test func briefWithTheWrongNumberOfUseCasesFails() {
        #expect(DocumentChecks.useCases(in: Self.brief, path: "b.md", expected: 3).problems
                    == ["b.md has 2 use case sections, expected 3"])
    }

    @Test func useCaseThatDoesNotNameConsumersFails() {
        let text = Self.brief.replacing("consumers bill them", with: "billing reads them")
        #expect(DocumentChecks.useCases(in: text, path: "b.md", expected: 2).problems
                    == [#"b.md: "Use case 1: orders" does not name consumer"#])
    }

    static let flow = """
        %% the event flow
        flowchart LR
          subgraph Producers
            shop
          end
          subgraph Consumers
            billing
          end
          shop --> orders[orders topic]
          orders --> billing
        """

    @Test func flowchartFromProducersThroughTopicsToConsumersPasses() {
        #expect(DocumentChecks.mermaidFlowchart(Self.flow, path: "f.mmd").holds)
    }

    @Test func flowchartWithAnEdgeMissingFails() {
        let text = Self.flow.replacing("orders --> billing", with: "")
        #expect(DocumentChecks.mermaidFlowchart(text, path: "f.mmd").problems == [
            "f.mmd: the topic orders is read by no consumer",
            "f.mmd: the producer shop writes to no topic a consumer reads",
            "f.mmd: the consumer billing reads from no topic a producer writes to",
        ])
    }

    @Test func flowchartWhoseEdgesAllPointBackwardsFails() {
        let text = Self.flow.replacing("shop --> orders[orders topic]", with: "orders[orders topic] --> shop")
            .replacing("orders --> billing", with: "billing --> orders")
        #expect(DocumentChecks.mermaidFlowchart(text, path: "f.mmd").problems == [
            "f.mmd: the edge orders --> shop runs from a topic to a producer",
            "f.mmd: the edge billing --> orders runs from a consumer to a topic",
            "f.mmd: the topic orders is fed by no producer and read by no consumer",
            "f.mmd: the producer shop writes to no topic a consumer reads",
            "f.mmd: the consumer billing reads from no topic a producer writes to",
        ])
    }

    @Test func flowchartWithAnIsolatedTopicFails() {
        let text = Self.flow + "\n  audit[(audit topic)]\n  shop --> audit\n"
        #expect(DocumentChecks.mermaidFlowchart(Self.flow + "\n  audit[(audit topic)]\n", path: "f.mmd").problems
                    == ["f.mmd: the topic audit is fed by no producer and read by no consumer"])
        #expect(DocumentChecks.mermaidFlowchart(text, path: "f.mmd").problems
                    == ["f.mmd: the topic audit is read by no consumer"])
    }

    @Test func aProducerStraightToAConsumerOrAConsumerToAProducerFails() {
        let text = Self.flow + "\n  shop -->|direct| billing\n  billing -.-> shop\n"
        #expect(DocumentChecks.mermaidFlowchart(text, path: "f.mmd").problems == [
            "f.mmd: the edge shop --> billing runs from a producer straight to a consumer, not through a topic",
            "f.mmd: the edge billing -.-> shop runs from a consumer to a producer",
        ])
    }

    @Test func undirectedAndTwoWayEdgesFail() {
        let text = Self.flow.replacing("orders --> billing", with: "orders --- billing\n  shop <--> orders")
        #expect(DocumentChecks.mermaidFlowchart(text, path: "f.mmd").problems == [
            "f.mmd: the edge orders --- billing has no direction",
            "f.mmd: the edge shop <--> orders points both ways",
            "f.mmd: the topic orders is read by no consumer",
            "f.mmd: the producer shop writes to no topic a consumer reads",
            "f.mmd: the consumer billing reads from no topic a producer writes to",
        ])
    }

    /// Chains, `&`, labelled links, shapes and a topic-to-topic stage are read as Mermaid draws them.
    @Test func richerSyntaxFromProducersThroughTopicsToConsumersPasses() {
        let text = """
            graph TD
              subgraph Producers
                direction LR
                a[app A]:::svc & b((app B))
              end
              subgraph K["Kafka"]
                raw[(raw topic)]
                clean{{clean topic}}
              end
              subgraph readers [Consumers]
                r1>report]
              end
              a -- writes --> raw ==> clean -.->|reads| r1; b --> raw
            """
        #expect(DocumentChecks.mermaidFlowchart(text, path: "f.mmd").holds)
    }

    @Test func theCardsEventFlowDiagramPasses() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/kaf-01/event-flow.mmd")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(DocumentChecks.mermaidFlowchart(text, path: "event-flow.mmd").holds)
        let reversed = text.replacing("orders --> billing", with: "billing --> orders")
        #expect(DocumentChecks.mermaidFlowchart(reversed, path: "event-flow.mmd").problems
                    == ["event-flow.mmd: the edge billing --> orders runs from a consumer to a topic",
                        "event-flow.mmd: the consumer billing reads from no topic a producer writes to"])
    }

    @Test func diagramThatIsNotAFlowchartOrLacksASubgraphFails() {
        #expect(DocumentChecks.mermaidFlowchart("sequenceDiagram\n  A->>B: hi\n", path: "f.mmd").problems
                    == [#"f.mmd is not a Mermaid flowchart (it starts with "sequenceDiagram")"#])
        let noConsumers = Self.flow.replacing("subgraph Consumers", with: "subgraph Readers")
        #expect(DocumentChecks.mermaidFlowchart(noConsumers, path: "f.mmd").problems
                    == ["f.mmd has no subgraph Consumers"])
    }
}
