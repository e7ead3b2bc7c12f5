@KAF-01
Feature: KAF-01 Meet Kafka
  As a learner I see Kafka's primitives do what the book says: a key always lands in the same
  partition, order holds within a partition, every consumer group gets every message, and the
  consumers of one group split the partitions between them.

  The card's deliverables live in docs/kaf-01/: a one-page "Why Kafka" brief with three use cases
  mapped to producers, topics and partitions, and consumers, and an event-flow diagram (Mermaid).

  Background:
    Given a 3-broker cluster
    And a topic "events" with 6 partitions and replication factor 3

  Rule: Keys decide partitions, deterministically

    Scenario: each key maps to one partition, and always the same one
      When I produce 1000 messages with 20 distinct keys to "events"
      Then each key's messages are all in one partition
      And a new producer sends each key to the same partition again

  Rule: Order holds within a partition

    Scenario: records come back in send order partition by partition
      When I produce 5000 messages with 20 distinct keys to "events"
      Then every partition holds its messages in the order they were sent

  Rule: Consumer groups are independent readers

    Scenario: two groups each receive every message
      When I produce 2000 messages with 20 distinct keys to "events"
      And consumer group "billing" reads "events" to the end
      And consumer group "audit" reads "events" to the end
      Then consumer group "billing" received every acknowledged message
      And consumer group "audit" received every acknowledged message

    Scenario: consumers of one group split the partitions
      When 3 consumers join group "billing" on "events"
      Then the consumers of group "billing" split the partitions of "events" with none shared

  Rule: Records expire after the topic's retention

    Scenario: a record past retention.ms is gone
      Given a topic "clicks" with 1 partition, replication factor 3 and retention.ms=2000
      When I produce 100 messages with 5 distinct keys to "clicks"
      Then within 50 seconds the records of "clicks" written before are gone

  Rule: The card's deliverables exist and name Kafka's parts

    Scenario: the Why Kafka brief maps three use cases to Kafka's parts
      Then the document "docs/kaf-01/why-kafka.md" has 3 use cases that each name producers, topics and partitions, and consumers
      And the diagram "docs/kaf-01/event-flow.mmd" is a Mermaid flowchart from producers through topics to consumers
