@capstone
Feature: Capstone: change data capture into Kafka, a windowed aggregate and an idempotent PostgreSQL sink
  As a platform engineer I run a whole pipeline on one machine: changes to a PostgreSQL table are
  captured from a logical replication slot into Kafka (key = primary key, a tombstone for a delete),
  aggregated per customer and one-second window of the orders' event time, and upserted into a
  PostgreSQL sink table; I check the sink against an oracle by SQL, time every change from its commit
  to its sink row against an SLO, and put the pipeline through chaos.

  The database is a real PostgreSQL (`make postgres`, or any at KAFKA_BDD_POSTGRES with
  wal_level=logical); without it every scenario is skipped with the reason. The oracle is computed
  from the source's change history, which a trigger records in the same transaction as each change,
  independently of logical decoding; the pipeline never reads it.

  How the bounds follow from the drills: the CDC reader confirms the slot only after Kafka acknowledged
  a round of at most 100 decoded messages (whole transactions, of up to 3 changes), so a reader killed
  mid-round publishes that round again: at most 103 duplicates per restart, and no other source of
  duplicates without a fault. A broker kill adds the producer's retries of requests whose answer was
  lost: one request in flight per partition, of at most one round, so at most 103 more per partition of
  the CDC topic (3): 103 + 3 × 103 = 412 in the chaos drill. The latency bound: the reader polls the
  slot every 10 ms, the totals and the sink fetch with a 10 ms wait, the observer reads every 20 ms, so
  a change shows within tens to hundreds of milliseconds (p99 140 ms measured alone on this project's
  shared 2-core machines, 1.4 s with other test runs going on); the alert rule's histogram_quantile
  interpolates inside a Prometheus bucket (1–2.5 s, 2.5–5 s) and can read up to a bucket above the exact
  value. Hence 5000 ms, still far below what a stalled stage shows (it never drains within 20 s).

  Background:
    Given a 3-broker cluster
    And a topic "orders-cdc" with 3 partitions and replication factor 3
    And a topic "order-totals" with 3 partitions and replication factor 3
    And the capstone pipeline: CDC from PostgreSQL into "orders-cdc", totals per customer and 1-second window into "order-totals", upserted into a PostgreSQL sink table

  Rule: The sink holds what the source's history implies, in time

    Scenario: inserts, updates and deletes reach the sink table within the latency SLO
      When 600 changes to orders are made in PostgreSQL at 100 per second
      Then every change of each order is on "orders-cdc" in commit order, keyed by its primary key, deletes as tombstones, with at most 0 duplicates
      And the sink table equals the oracle computed from the source table's change history
      And the end-to-end latency from source commit to sink row has p99 under 5000 ms

  Rule: Chaos does not change the result

    Scenario: a broker killed, the CDC reader and the sink restarted mid-stream
      When 800 changes to orders are made in PostgreSQL at 100 per second while broker 2 is killed and the CDC reader and the sink are restarted mid-stream
      Then every change of each order is on "orders-cdc" in commit order, keyed by its primary key, deletes as tombstones, with at most 412 duplicates
      And the sink table equals the oracle computed from the source table's change history
