# Written to fail: each scenario claims what its drill makes false. `.ci/run` checks that every one
# of them fails; a pass would mean the checker cannot see the defect.
Feature: KAF-10 and KAF-14 claims that must fail

  Scenario: a processor that forgets its state does not end with the oracle's results
    Given a 3-broker cluster
    And a topic "orders" with 3 partitions and replication factor 3
    And a topic "payments" with 3 partitions and replication factor 3
    And the orders and payments topology with a join window of 5000 ms, tumbling windows of 10000 ms and a grace period of 2000 ms
    When I produce orders to "orders" and payments to "payments" for 4 keys over 30 seconds of event time, with 1 late pair within the grace period and 1 beyond it
    And stream processor "p1" runs the topology from "orders" and "payments" into "results" and is killed after 40 records
    And stream processor "p1" is restarted without restoring its state
    Then the window results read back from "results" equal the oracle's

  Scenario: an excluded topic is not copied
    Given a source cluster "east" and a target cluster "west" with 3 brokers each
    And a topic "orders" on cluster "east" with 1 partition and replication factor 3
    And a topic "audit" on cluster "east" with 1 partition and replication factor 3
    And the steps below act on cluster "east"
    When I produce 20 keyed messages with headers to "audit"
    And a mirror from "east" to "west" for topics matching "orders|audit" excluding "audit", checkpointing group "billing" every 1000 ms
    Then within 5 seconds "east.audit" on cluster "west" holds every record of "audit" on cluster "east" in partition order with keys, values, headers and timestamps

  Scenario: a mirror paused for 2 seconds does not fall 6 seconds behind
    Given a source cluster "east" and a target cluster "west" with 3 brokers each
    And a topic "orders" on cluster "east" with 1 partition and replication factor 3
    And a mirror from "east" to "west" for topics matching "orders" excluding "audit", checkpointing group "billing" every 1000 ms
    When 50 messages per second go to "orders" for 5 seconds while the mirror is paused from second 1 to second 3
    Then the mirror lag rose to at least 6000 ms during the pause and stayed under 1500 ms outside it

  Scenario: a replay of the inputs is not the output of a processor that forgot its state
    Given a 3-broker cluster
    And a topic "orders" with 3 partitions and replication factor 3
    And a topic "payments" with 3 partitions and replication factor 3
    And the orders and payments topology with a join window of 5000 ms, tumbling windows of 10000 ms and a grace period of 2000 ms
    When I produce orders to "orders" and payments to "payments" for 4 keys over 30 seconds of event time, with 1 late pair within the grace period and 1 beyond it
    And stream processor "p1" runs the topology from "orders" and "payments" into "results" and is killed after 40 records
    And stream processor "p1" is restarted without restoring its state
    And the streams replay command reprocesses "orders" and "payments" into "results-replay"
    Then "results" and "results-replay" hold the same records in the same order

  Scenario: the results of tumbling windows are not the hopping windows' oracle
    Given a 3-broker cluster
    And a topic "orders" with 3 partitions and replication factor 3
    And a topic "payments" with 3 partitions and replication factor 3
    And the orders and payments topology with a join window of 5000 ms, tumbling windows of 10000 ms and a grace period of 2000 ms
    When I produce orders to "orders" and payments to "payments" for 4 keys over 30 seconds of event time, with 1 late pair within the grace period and 1 beyond it
    And stream processor "p1" runs the topology from "orders" and "payments" into "results"
    And the orders and payments topology with a join window of 5000 ms, hopping windows of 10000 ms advancing by 5000 ms and a grace period of 2000 ms
    Then the window results read back from "results" equal the oracle's
