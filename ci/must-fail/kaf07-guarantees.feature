# Written to fail: each row states a guarantee its run did not keep. With acks=0 the mock drops the writes it
# rejects, so no-loss claims fail; an idempotent producer with acks=1 is refused before a record is sent.
# `.ci/run` checks that every scenario here fails.
Feature: KAF-07 guarantees that must fail

  Background:
    Given a 3-broker cluster
    And a topic "payments" with 6 partitions and replication factor 3

  Scenario Outline: acks=0 under rejected writes is not <guarantee>
    Given the next 5 produce requests fail with NOT_ENOUGH_REPLICAS
    When I produce 2000 keyed messages to "payments" with acks=0 and idempotence off while nothing fails
    Then the delivery is <guarantee>

    Examples:
      | guarantee     |
      | at least once |
      | exactly once  |

  Scenario: an idempotent producer needs acks=all
    When I produce 2000 keyed messages to "payments" with acks=1 and idempotence on while nothing fails
    Then the delivery is exactly once
