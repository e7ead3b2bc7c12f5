@KAF-05
Feature: KAF-05 Administering Kafka programmatically
  As a platform engineer I create, alter and inspect topics, list groups and delete records with
  `kafka-bdd admin`, and every change can be planned first: a dry run prints it (before → after) and
  changes nothing, and safety checks refuse, with the reason, what would hurt a production cluster.

  Each step runs the admin command's own code on the scenario's cluster, and the Then steps look at
  the cluster afterwards: its metadata, watermarks, committed offsets and the records read back. The
  embedded cluster (librdkafka's mock) answers metadata, watermarks and offset commits but has no
  Admin API: the admin tool's topic creation goes through the mock's own API there, and altering
  configs, adding partitions, deleting records or topics, listing groups and committing a reset are
  skipped with the reason (--cluster compose runs them). Plans, dry runs and every safety check run
  everywhere, from the cluster's own metadata.

  Background:
    Given a 3-broker cluster

  Rule: A dry run prints the change and changes nothing

    Scenario: a dry-run create prints the plan and the topic stays absent
      When the admin tool creates topic "orders" with 6 partitions and replication factor 3 as a dry run
      Then the plan changes "topic orders" from "absent" to "6 partitions, replication factor 3"
      And the cluster has no topic "orders"

    Scenario: the admin tool creates a topic
      When the admin tool creates topic "orders" with 6 partitions and replication factor 3
      Then topic "orders" has 6 partitions on the cluster

  Rule: Topics are listed and described from the cluster's metadata

    Scenario: the listing shows the topics made, and no other
      Given a topic "orders" with 6 partitions and replication factor 3
      And a topic "payments" with 2 partitions and replication factor 3
      When the admin tool lists the topics
      Then the topic listing shows "orders" with 6 partitions
      And the topic listing shows "payments" with 2 partitions
      And the topic listing does not show "audit"

    Scenario: a description shows each partition led by one of its in-sync replicas
      Given a topic "orders" with 6 partitions and replication factor 3
      When the admin tool describes topic "orders"
      Then the description shows 6 partitions, each led by one of its in-sync replicas

  Rule: Safety checks refuse with the reason, and nothing changes

    Scenario: a replication factor above the live brokers is refused
      When the admin tool creates topic "orders" with 6 partitions and replication factor 4
      Then the admin tool refuses it because "replication factor 4 is above the 3 live brokers"
      And the cluster has no topic "orders"

    Scenario: min.insync.replicas above the replication factor is refused
      When the admin tool creates topic "orders" with 6 partitions, replication factor 2 and "min.insync.replicas" set to "3"
      Then the admin tool refuses it because "min.insync.replicas=3 is above the replication factor 2"
      And the cluster has no topic "orders"

    Scenario: an unknown config key is refused
      Given a topic "orders" with 6 partitions and replication factor 3
      When the admin tool sets "retention.msec" to "1000" on "orders"
      Then the admin tool refuses it because "unknown topic config key retention.msec"

    Scenario: an internal topic is never deleted
      When the admin tool deletes topic "__consumer_offsets"
      Then the admin tool refuses it because "__consumer_offsets is an internal topic"

  Rule: Topic configs are altered with a plan, and listed

    Scenario: a dry-run config change shows the new value and sends nothing
      Given a topic "orders" with 6 partitions and replication factor 3
      When the admin tool sets "retention.ms" to "3600000" on "orders" as a dry run
      Then the plan changes "orders retention.ms" to "3600000"

    Scenario: a config change is applied and listed as a non-default
      Given a topic "orders" with 6 partitions and replication factor 3
      When the admin tool sets "retention.ms" to "3600000" on "orders"
      Then the non-default configs of "orders" include "retention.ms" = "3600000"

    Scenario: several configs in one dry-run change, each before → after
      Given a topic "orders" with 6 partitions and replication factor 3
      When the admin tool sets these configs on "orders" as a dry run:
        | config         | value   |
        | retention.ms   | 3600000 |
        | cleanup.policy | compact |
      Then the plan changes "orders retention.ms" to "3600000"
      And the plan changes "orders cleanup.policy" to "compact"

    Scenario: several configs set in one change, then one removed: the default applies again, the other stays
      Given a topic "orders" with 6 partitions and replication factor 3
      When the admin tool sets these configs on "orders":
        | config       | value   |
        | retention.ms | 3600000 |
        | segment.ms   | 600000  |
      Then the non-default configs of "orders" include "retention.ms" = "3600000"
      And the non-default configs of "orders" include "segment.ms" = "600000"
      When the admin tool removes the config "retention.ms" from "orders"
      Then the plan changes "orders retention.ms" from "3600000" to "(default)"
      And the non-default configs of "orders" do not include "retention.ms"
      And the non-default configs of "orders" include "segment.ms" = "600000"

    Scenario: an unknown key is refused for removal too
      Given a topic "orders" with 6 partitions and replication factor 3
      When the admin tool removes the config "retention.msec" from "orders" as a dry run
      Then the admin tool refuses it because "unknown topic config key retention.msec"

  Rule: Adding partitions to keyed data is refused unless the key remap is accepted

    Background:
      Given a topic "orders" with 6 partitions and replication factor 3
      And I produce 1000 messages with 20 distinct keys to "orders"

    Scenario: add-partitions is refused on a topic with keyed records
      When the admin tool adds partitions to "orders" up to 8
      Then the admin tool refuses it because "holds keyed records"
      And topic "orders" has 6 partitions on the cluster

    Scenario: with the remap accepted, a dry run lists the keys that move
      When the admin tool adds partitions to "orders" up to 8, accepting the key remap as a dry run
      Then the plan changes "orders partitions" from "6" to "8"
      And the plan lists the keys of "orders" that move to another partition
      And topic "orders" has 6 partitions on the cluster

    Scenario: with the remap accepted, the partitions are added
      When the admin tool adds partitions to "orders" up to 8, accepting the key remap
      Then topic "orders" has 8 partitions on the cluster

    Scenario: decreasing the partition count is refused
      When the admin tool adds partitions to "orders" up to 4, accepting the key remap
      Then the admin tool refuses it because "cannot decrease"
      And topic "orders" has 6 partitions on the cluster

  Rule: Deleting records is guarded

    Background:
      Given a topic "orders" with 1 partition and replication factor 3
      And I produce 100 unkeyed records to partition 0 of "orders"

    Scenario: a dry run shows what goes and deletes nothing
      When the admin tool deletes the records of "orders" partition 0 before offset 40 as a dry run
      Then the plan changes "orders[0] low watermark" from "0" to "40"
      And the low watermark of "orders" partition 0 is 0
      And partition 0 of "orders" reads back exactly offsets 0 to 99

    Scenario: records before the offset are deleted, and nothing else
      When the admin tool deletes the records of "orders" partition 0 before offset 40
      Then the low watermark of "orders" partition 0 is 40
      And partition 0 of "orders" reads back exactly offsets 40 to 99

    Scenario: deleting beyond the high watermark is refused
      When the admin tool deletes the records of "orders" partition 0 before offset 500
      Then the admin tool refuses it because "beyond the high watermark 100"
      And the low watermark of "orders" partition 0 is 0

  Rule: Consumer groups are listed, described and reset

    Background:
      Given a topic "orders" with 2 partitions and replication factor 3
      And I produce these record counts to the partitions of "orders":
        | partition | records |
        | 0         | 50      |
        | 1         | 50      |
      And group "billing" commits offset 30 on every partition of "orders"

    Scenario: the groups are listed and described
      When the admin tool lists the consumer groups
      Then the admin tool lists group "billing" with 0 members

    Scenario: a described group shows its committed offsets, lagging by the records acknowledged after them
      When the admin tool describes group "billing"
      Then the group description shows committed offset 30 on every partition of "orders", each lagging by the records acknowledged after it

    Scenario: a dry-run offset reset shows before → after and commits nothing
      When the admin tool resets the offsets of group "billing" on "orders" to "earliest" as a dry run
      Then the plan changes "billing orders[0]" from "30" to "0"
      And group "billing" has committed offset 30 on every partition of "orders"

    Scenario: an offset outside the log is refused
      When the admin tool resets the offsets of group "billing" on "orders" to "80" as a dry run
      Then the admin tool refuses it because "offset 80 is outside orders[0]'s log 0…50"
      And group "billing" has committed offset 30 on every partition of "orders"

    Scenario: the offsets are reset
      When the admin tool resets the offsets of group "billing" on "orders" to "earliest"
      Then group "billing" has committed offset 0 on every partition of "orders"

  Rule: A read-only inventory, and drift against an expected one

    Background:
      Given a topic "orders" with 6 partitions and replication factor 3

    Scenario: the inventory lists the cluster's topics
      When the admin tool takes an inventory
      Then the inventory lists topic "orders" with 6 partitions and replication factor 3

    Scenario: an unchanged cluster shows no drift
      When the admin tool takes an inventory
      And the inventory is kept as the expected state
      And the admin tool takes an inventory
      Then the inventory shows no drift from the expected state

    Scenario: a new topic is reported as drift
      When the admin tool takes an inventory
      And the inventory is kept as the expected state
      And the admin tool creates topic "audit" with 1 partition and replication factor 3
      And the admin tool takes an inventory
      Then the inventory shows the drift "topic audit: expected absent, found present"
