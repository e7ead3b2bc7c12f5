# Written to fail: records the table did not write are on the partition too, so it does not read back
# exactly the records written. `.ci/run` checks that every scenario here fails.
Feature: KAF-06 claims that must fail

  Scenario: a partition with records beyond the table's does not read back exactly what was written
    Given a 3-broker cluster
    And a topic "accounts" with 1 partition and replication factor 3
    When I write these records to "accounts":
      | key   | value |
      | alice | 10    |
      | bob   |       |
    And I produce 5 unkeyed records to partition 0 of "accounts"
    Then "accounts" reads back exactly the records written, tombstones included, at their offsets
