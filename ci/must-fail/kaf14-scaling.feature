# Written to fail: each scenario claims what its drill makes false. `.ci/run` checks that every one
# of them fails; a pass would mean the checker cannot see the defect.
Feature: KAF-14 scaling claims that must fail

  Background:
    Given a 3-broker cluster
    And a topic "orders" with 3 partitions and replication factor 3
    And a topic "payments" with 3 partitions and replication factor 3
    And the orders and payments topology with a join window of 5000 ms, tumbling windows of 10000 ms and a grace period of 2000 ms
    When I produce orders to "orders" and payments to "payments" for 6 keys over 60 seconds of event time, with 3 late pairs within the grace period and 2 beyond it

  Scenario: a joiner that does not restore the tasks it takes did not take over their state
    When stream processor "p1" runs the topology from "orders" and "payments" into "results" and holds after 70 records
    And stream processor "p2" joins the application of stream processor "p1" without restoring the state of the tasks it takes
    Then stream processor "p2" took over tasks of stream processor "p1" with the state it had built

  Scenario: a joiner that does not restore the tasks it takes does not end with the oracle's windows
    When stream processor "p1" runs the topology from "orders" and "payments" into "results" and holds after 70 records
    And stream processor "p2" joins the application of stream processor "p1" without restoring the state of the tasks it takes
    Then the window results read back from "results" equal the oracle's

  Scenario: nothing built before the join is no evidence of state moving
    When stream processor "p1" runs the topology from "orders" and "payments" into "results" and holds after 0 records
    And stream processor "p2" joins the application of stream processor "p1"
    Then stream processor "p2" took over tasks of stream processor "p1" with the state it had built

  Scenario: the first instance took over nothing from the joiner
    When stream processor "p1" runs the topology from "orders" and "payments" into "results" and holds after 70 records
    And stream processor "p2" joins the application of stream processor "p1"
    Then stream processor "p1" took over tasks of stream processor "p2" with the state it had built

  Scenario: an instance that stays without restoring the leaver's tasks did not take over their state
    When stream processor "p1" runs the topology from "orders" and "payments" into "results" and holds after 70 records
    And stream processor "p2" joins the application of stream processor "p1"
    And stream processor "p2" leaves its application, the others taking its tasks without restoring them
    Then stream processor "p1" took over the tasks of stream processor "p2" when it left, with their state

  Scenario: an application whose instance forgot the leaver's tasks does not answer for their keys
    When stream processor "p1" runs the topology from "orders" and "payments" into "results" and holds after 70 records
    And stream processor "p2" joins the application of stream processor "p1"
    And stream processor "p2" leaves its application, the others taking its tasks without restoring them
    Then querying the application of stream processor "p1" for every key gives the oracle's windows
