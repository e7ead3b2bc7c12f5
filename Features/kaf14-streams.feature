@KAF-14
Feature: KAF-14 Stream processing
  As an application developer I run a join + tumbling-window aggregate over orders and payments, and
  its results are correct under reprocessing and restart; with hopping windows too.

  The topology (Sources/Streams, tested there like Kafka Streams' TopologyTestDriver) joins an order
  and a payment of the same customer when their event times differ by at most 5 s, and counts the
  pairs and sums the payments per customer in tumbling windows of 10 s (the window of the later of
  the two times; hopping windows of 10 s starting every 5 s count a pair in both windows holding it;
  session windows chain a key's pairs at most the inactivity gap apart into one session, merging two
  sessions a late pair bridges and deleting the one merged away from the results topic with a tombstone).
  Stream time is the largest event time processed; a record older than stream time −
  join window − grace (5 s + 2 s) is late for the join, and a pair whose window ended more than the
  2 s grace before stream time is too late for it: both are dropped and reported on
  `<results>-dropped`. Every expectation comes from an oracle (Sources/Verification/StreamOracle.swift)
  computed from the input records alone, written apart from the topology; results are read back from
  the output topic.

  Guarantees: at-least-once. An instance writes results, then its changelog (one record per processed
  input, with the input's offset), then commits the input offsets; a restarted instance restores its
  state from the changelog and skips re-delivered records its state already holds, and the results
  are idempotent upserts keyed by customer and window, so the view ends as an uninterrupted run's.

  Background:
    Given a 3-broker cluster
    And a topic "orders" with 3 partitions and replication factor 3
    And a topic "payments" with 3 partitions and replication factor 3
    And the orders and payments topology with a join window of 5000 ms, tumbling windows of 10000 ms and a grace period of 2000 ms
    When I produce orders to "orders" and payments to "payments" for 6 keys over 60 seconds of event time, with 3 late pairs within the grace period and 2 beyond it

  Rule: Results equal the oracle, also when processed again

    Scenario: the join and window results equal the oracle's
      When stream processor "p1" runs the topology from "orders" and "payments" into "results"
      Then the window results read back from "results" equal the oracle's
      And querying stream processor "p1" for key "customer-3" gives the oracle's windows

    Scenario: reprocessing from the beginning gives identical output
      When stream processor "p1" runs the topology from "orders" and "payments" into "results"
      And stream processor "replay" runs the topology from "orders" and "payments" into "results-replay"
      Then "results" and "results-replay" hold the same records in the same order
      And the window results read back from "results-replay" equal the oracle's

    Scenario: the streams replay command reprocesses into an identical output
      When stream processor "p1" runs the topology from "orders" and "payments" into "results"
      And the streams replay command reprocesses "orders" and "payments" into "results-replay"
      Then "results" and "results-replay" hold the same records in the same order
      And the window results read back from "results-replay" equal the oracle's

    Scenario: hopping windows count each pair in every window holding it, as the oracle does
      Given the orders and payments topology with a join window of 5000 ms, hopping windows of 10000 ms advancing by 5000 ms and a grace period of 2000 ms
      When stream processor "p1" runs the topology from "orders" and "payments" into "results"
      Then the window results read back from "results" equal the oracle's
      And querying stream processor "p1" for key "customer-3" gives the oracle's windows

    Scenario: session windows chain a key's pairs within the inactivity gap and merge what a pair bridges, as the oracle does
      Given the orders and payments topology with a join window of 5000 ms, session windows with an inactivity gap of 3000 ms and a grace period of 2000 ms
      When stream processor "p1" runs the topology from "orders" and "payments" into "results"
      Then the window results read back from "results" equal the oracle's
      And querying stream processor "p1" for key "customer-3" gives the oracle's windows
      And the late records reported by stream processor "p1" are the oracle's

  Rule: An instance killed mid-stream restores its state from the changelog

    Scenario: killed after 70 of its 164 records and restarted, the results are correct
      When stream processor "p1" runs the topology from "orders" and "payments" into "results" and is killed after 70 records
      And stream processor "p1" is restarted
      Then the window results read back from "results" equal the oracle's
      And querying stream processor "p1" for key "customer-3" gives the oracle's windows

  Rule: Two instances of one application share its tasks, and a task's state moves with it

    A task joins orders partition n with payments partition n, with its own state and stream time. An instance
    that joins an application takes some tasks from the first (the group's range assignor) and restores each
    one's state from the changelog before going on from the committed offsets; one that leaves hands its tasks
    to those that stay, which restore them the same way. An instance answers queries for its own tasks: the
    application's query asks the instance holding the key's task.

    Scenario: a second instance takes over tasks with the state the first had built, and the results are correct
      When stream processor "p1" runs the topology from "orders" and "payments" into "results" and holds after 70 records
      And stream processor "p2" joins the application of stream processor "p1"
      Then stream processor "p2" took over tasks of stream processor "p1" with the state it had built
      And the window results read back from "results" equal the oracle's
      And the late records reported by stream processor "p2" are the oracle's
      And querying the application of stream processor "p1" for key "customer-3" gives the oracle's windows
      And querying the application of stream processor "p1" for every key gives the oracle's windows

    Scenario: an instance that leaves hands its tasks, with their state, to the one that stays
      When stream processor "p1" runs the topology from "orders" and "payments" into "results" and holds after 70 records
      And stream processor "p2" joins the application of stream processor "p1"
      And stream processor "p2" leaves its application
      Then stream processor "p1" took over the tasks of stream processor "p2" when it left, with their state
      And querying the application of stream processor "p1" for every key gives the oracle's windows

  Rule: Out-of-order records within grace count; beyond grace they are dropped and reported

    Scenario: late records are counted within the grace period and reported beyond it
      When stream processor "p1" runs the topology from "orders" and "payments" into "results"
      Then the late pairs within the grace period were counted and those beyond it were dropped and reported
      And the late records reported by stream processor "p1" are the oracle's

  Rule: Scaling and fault recovery are written down

    Scenario: the streams notes' use cases name their producers, topics, partitions and consumers
      Then the document "docs/kaf-14/scaling-and-recovery.md" has 2 use cases that each name producers, topics and partitions, and consumers
