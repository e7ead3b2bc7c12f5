# Written to fail: each scenario claims what its drill makes false. `.ci/run` checks that every one
# of them fails; a pass would mean the checker cannot see the defect.
Feature: KAF-14 session-window claims that must fail

  Background:
    Given a 3-broker cluster
    And a topic "orders" with 3 partitions and replication factor 3
    And a topic "payments" with 3 partitions and replication factor 3

  Scenario: the results of tumbling windows are not the session windows' oracle
    Given the orders and payments topology with a join window of 5000 ms, tumbling windows of 10000 ms and a grace period of 2000 ms
    When I produce orders to "orders" and payments to "payments" for 4 keys over 30 seconds of event time, with 1 late pair within the grace period and 1 beyond it
    And stream processor "p1" runs the topology from "orders" and "payments" into "results"
    And the orders and payments topology with a join window of 5000 ms, session windows with an inactivity gap of 3000 ms and a grace period of 2000 ms
    Then the window results read back from "results" equal the oracle's

  Scenario: sessions of a shorter gap are not the oracle's for a longer one
    Given the orders and payments topology with a join window of 5000 ms, session windows with an inactivity gap of 2000 ms and a grace period of 2000 ms
    When I produce orders to "orders" and payments to "payments" for 6 keys over 60 seconds of event time, with 1 late pair within the grace period and 1 beyond it
    And stream processor "p1" runs the topology from "orders" and "payments" into "results"
    And the orders and payments topology with a join window of 5000 ms, session windows with an inactivity gap of 3000 ms and a grace period of 2000 ms
    Then the window results read back from "results" equal the oracle's

  Scenario: a session processor that forgets its state does not end with the oracle's sessions
    Given the orders and payments topology with a join window of 5000 ms, session windows with an inactivity gap of 3000 ms and a grace period of 2000 ms
    When I produce orders to "orders" and payments to "payments" for 4 keys over 30 seconds of event time, with 1 late pair within the grace period and 1 beyond it
    And stream processor "p1" runs the topology from "orders" and "payments" into "results" and is killed after 40 records
    And stream processor "p1" is restarted without restoring its state
    Then the window results read back from "results" equal the oracle's

  Scenario: a session-window query of a key with no pairs has nothing to compare
    Given the orders and payments topology with a join window of 5000 ms, session windows with an inactivity gap of 3000 ms and a grace period of 2000 ms
    When I produce orders to "orders" and payments to "payments" for 4 keys over 30 seconds of event time, with 1 late pair within the grace period and 1 beyond it
    And stream processor "p1" runs the topology from "orders" and "payments" into "results"
    Then querying stream processor "p1" for key "nobody" gives the oracle's windows
