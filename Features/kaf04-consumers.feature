@KAF-04
Feature: KAF-04 Consumers
  As a learner I see how consumers share work and what commits guarantee: the consumers of a group
  split the partitions, a crash after a manual commit redelivers exactly what was not committed, a
  rebalance listener commits what was processed before partitions move, a group scaled up and down
  while records keep coming keeps its lag bounded, and a backfill reads exactly the range it is given.

  Lag is the group's: the sum over partitions of log end offset minus committed offset, sampled
  every 200 ms. A scaling drill produces 3750 records at 500 a second, two and a half seconds' worth
  with each group size, so the stated bound of 3000 records is six seconds of production: the group
  must keep consuming through its rebalances (about two seconds each on the embedded cluster) and
  never fall that far behind.

  Background:
    Given a 3-broker cluster
    And a topic "orders" with 6 partitions and replication factor 3

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

  Rule: Consumers of one group share the partitions, and rebalance each time the group is scaled

    The drill starts with two consumers sharing the partitions, then grows to three and shrinks to
    one while records keep coming; each rebalance is logged (see the attached log and lag charts).
    The lag bound is six seconds of production at the drill's pace: 3750 records over three 2.5 s
    phases is 500 records/s, and a rebalance may leave a partition unread for one 3 s session
    timeout of a leaving member plus the group's 3 s join delay, so 6 s × 500/s = 3000 records.

    Scenario Outline: scaling 2 → 3 → 1 consumers with the <assignor> assignor
      When group "scalers" scales 2 → 3 → 1 consumers on "orders" with the "<assignor>" assignor while 3750 messages are produced
      Then each scaling step of group "scalers" was a logged rebalance after which every partition had exactly one consumer
      And while group "scalers" grew, its consumers gave up <what>
      And the lag of group "scalers" stayed under 3000 records
      And consumer group "scalers" received every acknowledged message

      Examples: eager rebalancing revokes every partition; cooperative-sticky moves only what must move
        | assignor           | what                            |
        | range              | all their partitions            |
        | cooperative-sticky | only the partitions that moved  |

  Rule: A backfill processes exactly its range

    Scenario: backfilling partition 0 from an offset for a count
      When I produce 600 messages with 10 distinct keys to "orders"
      And I backfill partition 0 of "orders" from offset 10 for 25 records
      Then the backfill processed exactly offsets 10 to 34 of partition 0
