# Written to fail: each scenario claims what its drill makes false. `.ci/run` checks that every one
# of them fails; a pass would mean the checker cannot see the defect.
Feature: KAF-10 failback claims that must fail

  Background:
    Given a source cluster "east" and a target cluster "west" with 3 brokers each
    And a topic "orders" on cluster "east" with 3 partitions and replication factor 3
    And a mirror from "east" to "west" for topics matching "orders" excluding "audit", checkpointing group "billing" every 1000 ms
    And the steps below act on cluster "east"
    When I produce 300 keyed messages with headers to "orders"
    And group "billing" consumes 200 messages of "orders" on cluster "east" at 100 messages per second, committing every 20, then fails over to cluster "west" at the translated offsets
    And a topic "orders" on cluster "west" with 3 partitions and replication factor 3

  Scenario: a mirror back that checkpoints another group gives the failback no translated offsets
    Given a mirror from "west" to "east" for topics matching ".*orders" excluding "audit", checkpointing group "ledger" every 1000 ms
    And the steps below act on cluster "west"
    When I produce 300 keyed messages with headers to "orders"
    And group "billing" consumes 200 messages of "orders" on cluster "west" at 100 messages per second, committing every 20, then fails over to cluster "east" at the translated offsets
    Then the failover lost no message and consumed twice only messages read after the last checkpoint

  Scenario: the failback's group joins east in more than a second
    Given a mirror from "west" to "east" for topics matching ".*orders" excluding "audit", checkpointing group "billing" every 1000 ms
    And the steps below act on cluster "west"
    When I produce 300 keyed messages with headers to "orders"
    And group "billing" consumes 200 messages of "orders" on cluster "west" at 100 messages per second, committing every 20, then fails over to cluster "east" at the translated offsets
    Then the group resumed on the target within 1 seconds of the switch

  Scenario: west's own orders are not the copy of east's
    Given a mirror from "west" to "east" for topics matching ".*orders" excluding "audit", checkpointing group "billing" every 1000 ms
    And the steps below act on cluster "west"
    When I produce 300 keyed messages with headers to "orders"
    And group "billing" consumes 200 messages of "orders" on cluster "west" at 100 messages per second, committing every 20, then fails over to cluster "east" at the translated offsets
    Then within 10 seconds "east.orders" on cluster "west" holds every record of "orders" on cluster "west" in partition order with keys, values, headers and timestamps
