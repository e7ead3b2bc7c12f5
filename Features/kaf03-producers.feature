@KAF-03
Feature: KAF-03 Producers
  As a learner I write producers both ways — synchronous and asynchronous with a delivery callback —
  serialise values, tune acks, linger.ms and compression against measured throughput and latency,
  and keep per-key order when the broker makes the producer retry.

  Values are JSON here: self-describing, readable in any tool, and decoded back to exactly what was
  sent. (Avro with single-object encoding comes with the schema steps.)

  Background:
    Given a 3-broker cluster
    And a topic "orders" with 6 partitions and replication factor 3

  Rule: Synchronous and asynchronous sends both get acknowledged

    Scenario: a synchronous producer waits for each acknowledgement
      When I send 100 JSON orders to "orders" one at a time, waiting for each acknowledgement
      Then every order read back from "orders" is the JSON that was sent

    Scenario: an asynchronous producer learns each outcome from its delivery callback
      When I send 1000 JSON orders to "orders" asynchronously with a delivery callback
      Then the delivery callback reported every order acknowledged with its partition and offset
      And every order read back from "orders" is the JSON that was sent

  Rule: Producer settings trade throughput for latency and durability

    Scenario: three configurations, measured
      When I benchmark producing 20000 messages of 100 bytes to "orders" with these configurations:
        | acks | linger.ms | compression.type |
        | 1    | 0         | none             |
        | all  | 5         | lz4              |
        | all  | 50        | zstd             |
      Then every configuration delivered all 20000 messages

  Rule: An idempotent producer keeps per-key order through retries

    Scenario: retriable errors do not reorder a key's messages
      When the next 5 produce requests fail with NOT_LEADER_FOR_PARTITION
      And I produce 5000 keyed messages to "orders" with acks=all
      Then every acknowledged message is consumed exactly once
