@KAF-09
Feature: KAF-09 Kafka Connect
  As a data engineer I can move data in and out of Kafka with Connect and show that transforms do
  what they say and that bad records go to a dead-letter topic instead of stopping the pipeline.
  Connectors are created, restarted and deleted through the worker's REST API (the compose cluster's
  connect service: the apache/kafka image's distributed worker with its bundled file connectors).
  What reaches the topics and the sink's file is read back and judged by pure checkers: the
  transform oracle (Kafka Connect's documented HoistField, Cast, InsertField and ReplaceField, applied
  to each source line) and the dead-letter check (each malformed record once on the dead-letter
  topic with Connect's error context headers, each well-formed record once in the sink).

  The embedded cluster has no Connect worker: the pipeline scenarios are skipped there, naming the
  missing capability; run them with --cluster compose. Schema changes are judged on any cluster: a
  subject's versions and a proposed schema, by Avro's schema resolution rules for the registry's
  compatibility levels (Verification/SchemaCompatibility.swift). The checkers' negative controls are in
  Tests/VerificationTests/ConnectChecksTests.swift.

  Rule: A source with transforms delivers every record, transformed, through a restart

    Background:
      Given a 3-broker cluster
      And a Kafka Connect worker with the file connectors

    Scenario: a file source enriches amounts, and a restart loses nothing
      Given a topic "payments" with 1 partition and replication factor 3
      When the file source connector "amounts" reads 40 lines of amounts into "payments" through these transforms:
        | transform    | settings                                |
        | HoistField   | field=amount                            |
        | Cast         | spec=amount:int32                       |
        | InsertField  | static.field=source, static.value=file  |
        | ReplaceField | renames=amount:amount_cents             |
      And the connector "amounts" is restarted and 20 more lines are appended to its file
      Then within 50 seconds every line of "amounts" arrives on its topic once, in order, as its transforms make it

  Rule: A sink tolerates malformed records by dead-lettering them

    Background:
      Given a 3-broker cluster
      And a Kafka Connect worker with the file connectors

    Scenario: malformed records land on the dead-letter topic with the error, the rest flow
      Given a topic "orders" with 1 partition and replication factor 3
      And a topic "orders-dlq" with 1 partition and replication factor 3
      When 30 records are written to "orders", every 5th of them not JSON
      And the file sink connector "orders-out" reads "orders" with errors.tolerance=all and the dead-letter topic "orders-dlq"
      Then within 50 seconds the malformed records of "orders" are on the dead-letter topic with the error in their headers, and the rest reach the sink once

  Rule: Schemas evolve by rules that keep downstream readers working

    Scenario: the schema evolution strategy names its compatibility rules and what breaks
      Then the document "docs/kaf-09/schema-evolution.md" has a section of at least 40 words for each of:
        | BACKWARD                |
        | FORWARD                 |
        | FULL                    |
        | What breaks downstream  |
        | Adding a Postgres sink  |

    Scenario: a field added with a default keeps every reader working
      Given subject "orders-value" has the Avro schema:
        """json
        {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "int"}]}
        """
      When a new Avro schema is proposed for subject "orders-value":
        """json
        {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "int"},
         {"name": "currency", "type": "string", "default": "EUR"}]}
        """
      Then the new schema of subject "orders-value" is FULL compatible

    Scenario: a field added without a default breaks new readers of old data
      Given subject "orders-value" has the Avro schema:
        """json
        {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "int"}]}
        """
      When a new Avro schema is proposed for subject "orders-value":
        """json
        {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "int"},
         {"name": "currency", "type": "string"}]}
        """
      Then the new schema of subject "orders-value" is not BACKWARD compatible
      And the new schema of subject "orders-value" is FORWARD compatible

    Scenario: widening int to long is BACKWARD but not FORWARD compatible
      Given subject "orders-value" has the Avro schema:
        """json
        {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "int"}]}
        """
      When a new Avro schema is proposed for subject "orders-value":
        """json
        {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "long"}]}
        """
      Then the new schema of subject "orders-value" is BACKWARD compatible
      And the new schema of subject "orders-value" is not FORWARD compatible

    Scenario: a change compatible with the last version may still break an older one
      Given subject "orders-value" has the Avro schema:
        """json
        {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
        """
      And subject "orders-value" has the Avro schema:
        """json
        {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"},
         {"name": "note", "type": "string", "default": ""}]}
        """
      When a new Avro schema is proposed for subject "orders-value":
        """json
        {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "note", "type": "string"}]}
        """
      Then the new schema of subject "orders-value" is BACKWARD compatible
      And the new schema of subject "orders-value" is not BACKWARD_TRANSITIVE compatible

    Scenario: a record renamed with an alias still reads what the old name wrote
      Given subject "orders-value" has the Avro schema:
        """json
        {"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "id", "type": "long"}]}
        """
      When a new Avro schema is proposed for subject "orders-value":
        """json
        {"type": "record", "name": "Purchase", "namespace": "shop", "aliases": ["Order"],
         "fields": [{"name": "id", "type": "long"}]}
        """
      Then the new schema of subject "orders-value" is BACKWARD compatible
      And the new schema of subject "orders-value" is not FORWARD compatible
