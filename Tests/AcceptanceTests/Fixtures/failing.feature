@KAF-00
Feature: A deliberately failing scenario
  A fixture: the acceptance harness must report this failure at the step's line.

  Scenario: a partition count that does not hold
    Given a 3-broker cluster
    And a topic "fixture" with 2 partitions and replication factor 3
    Then the leaders of "fixture" are spread over 3 brokers
