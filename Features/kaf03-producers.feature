@KAF-03
Feature: KAF-03 Producers
  As a learner I write producers both ways — synchronous and asynchronous with a delivery callback —
  serialise values, tune acks, linger.ms and compression against measured throughput and latency,
  and keep per-key order when the broker makes the producer retry.

  Values come in two formats. JSON: self-describing, readable in any tool, decoded back to exactly
  what was sent. Avro: compact binary with a schema, written in Avro's single-object encoding — the
  bytes C3 01, then the schema's 8-byte CRC-64-AVRO fingerprint, then the binary value — so every
  record names the schema it was written with and a reader refuses one written with another, with
  no schema registry to run. The serializer is KafkaBDD's own (Sources/KafkaClient/Avro.swift,
  Avro 1.11 specification); its canonical forms, fingerprints and encodings are checked against
  Apache Avro's Python library.

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

    Scenario: synchronous and asynchronous sends both land as JSON
      When I send 60 JSON orders to "orders" one at a time, waiting for each acknowledgement
      And I send 800 JSON orders to "orders" asynchronously with a delivery callback
      Then the delivery callback reported every order acknowledged with its partition and offset
      And every order read back from "orders" is the JSON that was sent

  Rule: Avro values name their schema

    Scenario: Avro records with single-object encoding round-trip
      Given the Avro schema:
        """json
        {"type": "record", "name": "Order", "namespace": "shop",
         "fields": [{"name": "id", "type": "long"},
                    {"name": "customer", "type": "string"},
                    {"name": "amount", "type": "double"},
                    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "SHIPPED"]}},
                    {"name": "note", "type": ["null", "string"], "default": null}]}
        """
      When I send these records to "orders" as Avro single-object encoded values:
        | id | customer | amount | status  | note          |
        | 1  | c-1      | 12.5   | NEW     |               |
        | 2  | Zoë      | 99.99  | PAID    | gift, wrapped |
        | 3  | c-3      | -0.25  | SHIPPED | refund        |
      Then every value read back from "orders" names the schema's fingerprint and decodes to the record sent

  Rule: Producer settings trade throughput for latency and durability

    Scenario: three configurations, measured
      When I benchmark producing 20000 messages of 100 bytes to "orders" with these configurations:
        | acks | linger.ms | compression.type |
        | 1    | 0         | none             |
        | all  | 5         | lz4              |
        | all  | 50        | zstd             |
      Then every configuration delivered all 20000 messages

  Rule: An idempotent producer keeps per-key order through retries

    @embedded-only
    Scenario: retriable errors do not reorder a key's messages
      When the next 5 produce requests fail with NOT_LEADER_FOR_PARTITION
      And I produce 5000 keyed messages to "orders" with acks=all
      Then every acknowledged message is consumed exactly once

    @embedded-only
    Scenario: without idempotence, retries with several requests in flight reorder a key's messages
      Given a topic "ledger" with 1 partition and replication factor 3
      When the network to every broker is slowed by 5 ms
      And produce request 3 from now fails with NOT_ENOUGH_REPLICAS
      And I produce 2000 keyed messages to "ledger" with these producer settings:
        | acks                                  | all   |
        | enable.idempotence                    | false |
        | max.in.flight.requests.per.connection | 5     |
        | linger.ms                             | 0     |
        | batch.num.messages                    | 50    |
      Then some key's messages are consumed out of the order they were sent
      And no acknowledged message is lost
