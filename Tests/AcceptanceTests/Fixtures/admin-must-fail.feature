@KAF-00-admin
Feature: Admin claims that must fail
  Negative controls for the KAF-05 and KAF-12 Then steps: each scenario claims what the cluster
  shows to be false after a refused or dry-run admin command, and must fail at its last step.

  Background:
    Given a 3-broker cluster

  Scenario: a refused add-partitions claimed to have grown the topic
    Given a topic "orders" with 6 partitions and replication factor 3
    And I produce 1000 messages with 20 distinct keys to "orders"
    When the admin tool adds partitions to "orders" up to 8
    Then topic "orders" has 8 partitions on the cluster

  Scenario: an accepted add-partitions claimed to be refused, also where the cluster cannot send it
    Given a topic "orders" with 6 partitions and replication factor 3
    And I produce 1000 messages with 20 distinct keys to "orders"
    When the admin tool adds partitions to "orders" up to 8, accepting the key remap
    Then the admin tool refuses it because "holds keyed records"

  Scenario: a dry-run create claimed to have created the topic
    When the admin tool creates topic "orders" with 6 partitions and replication factor 3 as a dry run
    Then topic "orders" has 6 partitions on the cluster

  Scenario: a dry-run record deletion claimed to have moved the low watermark
    Given a topic "orders" with 1 partition and replication factor 3
    And I produce 100 unkeyed records to partition 0 of "orders"
    When the admin tool deletes the records of "orders" partition 0 before offset 40 as a dry run
    Then the low watermark of "orders" partition 0 is 40

  Scenario: a valid create claimed to be refused
    When the admin tool creates topic "orders" with 6 partitions and replication factor 3 as a dry run
    Then the admin tool refuses it because "replication factor"

  Scenario: keys claimed to move on a topic without keys
    Given a topic "orders" with 6 partitions and replication factor 3
    And I produce 100 unkeyed records to partition 0 of "orders"
    When the admin tool adds partitions to "orders" up to 8 as a dry run
    Then the plan lists the keys of "orders" that move to another partition

  Scenario: drift claimed on an unchanged cluster
    Given a topic "orders" with 6 partitions and replication factor 3
    When the admin tool takes an inventory
    And the inventory is kept as the expected state
    And the admin tool takes an inventory
    Then the inventory shows the drift "topic orders: expected absent, found present"

  Scenario: a dry-run offset reset claimed to have committed
    Given a topic "orders" with 1 partition and replication factor 3
    And I produce 50 unkeyed records to partition 0 of "orders"
    And group "billing" commits offset 30 on every partition of "orders"
    When the admin tool resets the offsets of group "billing" on "orders" to "earliest" as a dry run
    Then group "billing" has committed offset 0 on every partition of "orders"

  Scenario: leaders claimed preferred after a broker came back, without an election
    Given a topic "orders" with 6 partitions and replication factor 3
    When broker 1 is killed
    And broker 1 is restarted
    And the admin tool plans a preferred leader election for "orders"
    Then every partition of "orders" is led by its preferred replica

  Scenario: replicas placed on a broker the cluster does not have
    Given a topic "orders" with 3 partitions and replication factor 3
    And every partition of "orders" has its replicas on brokers 1, 2 and 4

  Scenario: a listed topic claimed to have another partition count
    Given a topic "orders" with 6 partitions and replication factor 3
    When the admin tool lists the topics
    Then the topic listing shows "orders" with 4 partitions

  Scenario: a listed topic claimed not to be listed
    Given a topic "orders" with 6 partitions and replication factor 3
    When the admin tool lists the topics
    Then the topic listing does not show "orders"

  Scenario: a config of a several-config change claimed with another value
    Given a topic "orders" with 6 partitions and replication factor 3
    When the admin tool sets these configs on "orders" as a dry run:
      | config         | value   |
      | retention.ms   | 3600000 |
      | cleanup.policy | compact |
    Then the plan changes "orders cleanup.policy" to "delete"

  Scenario: an accepted several-config change claimed to be refused
    Given a topic "orders" with 6 partitions and replication factor 3
    When the admin tool sets these configs on "orders" as a dry run:
      | config       | value   |
      | retention.ms | 3600000 |
      | segment.ms   | 600000  |
    Then the admin tool refuses it because "unknown topic config key"

  Scenario: a described group claimed to have committed further
    Given a topic "orders" with 2 partitions and replication factor 3
    And I produce these record counts to the partitions of "orders":
      | partition | records |
      | 0         | 50      |
      | 1         | 50      |
    And group "billing" commits offset 30 on every partition of "orders"
    When the admin tool describes group "billing"
    Then the group description shows committed offset 40 on every partition of "orders", each lagging by the records acknowledged after it
