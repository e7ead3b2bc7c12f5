# Written to fail: the loop check has nothing to judge without a mirror back or a copy, and a topic named
# as a copy of east's own, made by hand, is what a loop leaves. `.ci/run` checks every scenario here fails.
@KAF-10
Feature: KAF-10 loop claims that must fail

  Background:
    Given a source cluster "east" and a target cluster "west" with 3 brokers each
    And a topic "orders" on cluster "east" with 3 partitions and replication factor 3

  Scenario: no mirror back, so nothing could loop
    Given a mirror from "east" to "west" for topics matching "orders" excluding "audit", checkpointing group "billing" every 1000 ms
    And the steps below act on cluster "east"
    When I produce 20 keyed messages with headers to "orders"
    Then within 20 seconds "orders" on cluster "east" is mirrored to cluster "west" and none of its records comes back

  Scenario: the topic is never copied, so nothing could loop
    Given a mirror from "east" to "west" for topics matching "payments" excluding "audit", checkpointing group "billing" every 1000 ms
    And a mirror from "west" to "east" for topics matching ".*orders" excluding "audit", checkpointing group "billing" every 1000 ms
    And the steps below act on cluster "east"
    When I produce 20 keyed messages with headers to "orders"
    Then within 10 seconds "orders" on cluster "east" is mirrored to cluster "west" and none of its records comes back

  Scenario: a copy of east's own topic is on east
    Given a topic "west.east.orders" on cluster "east" with 1 partition and replication factor 3
    And a mirror from "east" to "west" for topics matching "orders" excluding "audit", checkpointing group "billing" every 1000 ms
    And a mirror from "west" to "east" for topics matching ".*orders" excluding "audit", checkpointing group "billing" every 1000 ms
    And the steps below act on cluster "east"
    When I produce 20 keyed messages with headers to "orders"
    Then within 30 seconds "orders" on cluster "east" is mirrored to cluster "west" and none of its records comes back
