@capstone-must-fail
Feature: A capstone claim no pipeline can meet
  A fixture that must fail (.ci/run checks it does): the observer reads the sink table every 20 ms, so no
  change can be seen in the sink within 1 ms of its commit, and none at the median within 5 ms. A pass
  here would mean the latency check cannot fail.

  Scenario: a latency bound below what can be measured
    Given a 3-broker cluster
    And a topic "orders-cdc" with 3 partitions and replication factor 3
    And a topic "order-totals" with 3 partitions and replication factor 3
    And the capstone pipeline: CDC from PostgreSQL into "orders-cdc", totals per customer and 1-second window into "order-totals", upserted into a PostgreSQL sink table
    When 100 changes to orders are made in PostgreSQL at 100 per second
    Then the sink table equals the oracle computed from the source table's change history
    And the end-to-end latency from source commit to sink row has p99 under 1 ms

  Scenario: a median bound below what can be measured, beside bounds that hold
    Given a 3-broker cluster
    And a topic "orders-cdc" with 3 partitions and replication factor 3
    And a topic "order-totals" with 3 partitions and replication factor 3
    And the capstone pipeline: CDC from PostgreSQL into "orders-cdc", totals per customer and 1-second window into "order-totals", upserted into a PostgreSQL sink table
    When 100 changes to orders are made in PostgreSQL at 100 per second
    Then the end-to-end latency from source commit to sink row stays under these bounds:
      | percentile | under ms |
      | p50        | 5        |
      | p99        | 1000     |
