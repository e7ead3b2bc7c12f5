@KAF-04
Feature: KAF-04 Consumers
  As a learner I see how consumers share work and what commits guarantee: the consumers of a group
  split the partitions, a crash after a manual commit redelivers exactly what was not committed, a
  rebalance listener commits what was processed before partitions move, and a backfill reads
  exactly the range it is given.

  Background:
    Given a 3-broker cluster
    And a topic "orders" with 6 partitions and replication factor 3

  Rule: Consumers of one group share the partitions

    Scenario: two consumers split the partitions of a topic
      When 2 consumers join group "billing" on "orders"
      Then the consumers of group "billing" split the partitions of "orders" with none shared

  Rule: Manual commits decide what a crash redelivers

    Scenario: after a crash, manual commit redelivers exactly the uncommitted records
      When I produce 1000 messages with 10 distinct keys to "orders"
      And a consumer in group "billing" reads 600 records of "orders", commits after the first 400, and crashes
      And a new consumer in group "billing" reads "orders" to the end
      Then the new consumer started at the first uncommitted record of every partition
      And exactly the 200 uncommitted records were delivered twice, and nothing was lost

    Scenario: a rebalance listener commits on revocation
      When I produce 600 messages with 10 distinct keys to "orders"
      And a consumer in group "billing" reads 300 records of "orders", committing only when its partitions are revoked, and leaves
      Then group "billing" has committed on "orders" exactly the offsets that consumer processed

  Rule: A backfill processes exactly its range

    Scenario: backfilling partition 0 from an offset for a count
      When I produce 600 messages with 10 distinct keys to "orders"
      And I backfill partition 0 of "orders" from offset 10 for 25 records
      Then the backfill processed exactly offsets 10 to 34 of partition 0
