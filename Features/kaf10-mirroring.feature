@KAF-10
Feature: KAF-10 Cross-cluster mirroring
  As a platform engineer I mirror a subset of topics from one cluster to another, keep the copy
  faithful under link degradation, and fail a consumer group over with minimal disruption.

  The mirror follows MirrorMaker 2's conventions (docs/kaf-10/playbook.md): `orders` on "east" becomes
  `east.orders` on "west", same partition, keys, values, headers and timestamps kept, in order; the
  group's committed offsets are translated and written to `east.checkpoints.internal` on "west" every
  second; a heartbeat goes to `heartbeats` on "west" every second. On the embedded backend both
  clusters are in-process mock clusters and the mirror is ours; with `--cluster compose` the second
  cluster is the `mirror` profile's.

  How the bounds follow from the drills. Lag: 50 records/s for 8 s, the mirror paused from second 2 to
  second 5. A record sent as the pause begins waits the 3 s pause, so the peak lag during it is at
  least 2500 ms (500 ms for where in its 50 ms poll the pause caught the mirror and for the producer's
  pace). Outside the pause (more than 1 s before it — a record still on
  its way when the mirror pauses waits for the pause too — or at least 1 s after it, once the backlog has
  drained) a record waits for the mirror's poll (50 ms), one produce round trip to a west broker slowed by
  100 ms, and our reader's fetch round trip (100 ms), fetch wait (50 ms) and poll (100 ms): about 400 ms;
  measured, a median of 300–360 ms and at most 480 ms once running. The drill's first records also pay for
  the new connections to the slowed west brokers (ApiVersions and Metadata round trips, for the mirror's
  producer and for our reader): about one cycle more, at most 843 ms in five runs. So the bound outside the
  pause is 1500 ms — those 843 ms and a margin for the other suites sharing the machine — well under the
  2500 ms the pause must show. The 150 records
  sent during the pause are one 500-record batch for the mirror: caught up within 3 s of the resume. Failover: the
  group reads at 100 records/s and commits every 20; a checkpoint is at most 1 s old at the switch, so
  the records read after it — consumed again on west — are at most 100 (one checkpoint interval at the
  group's pace) + 20 (one commit batch) + 30 (300 ms for the mirror's loop to come round to the
  checkpoint): 150. The measured bound (committed offset minus the newest checkpoint's, read back from
  both clusters) is checked too. The group joins on the target as a member, and a coordinator holds the
  first join of a group with no members for its initial rebalance delay (3 s: Kafka's default
  group.initial.rebalance.delay.ms, and the embedded mock's): resumed within 3 s + one fetch, bound 5 s.
  A heartbeat every 1 s is at most 1 s old when the step asks, plus its
  produce round trip (100 ms on the slowed link) and 1.4 s of scheduling margin on a loaded machine:
  2500 ms.

  Background:
    Given a source cluster "east" and a target cluster "west" with 3 brokers each
    And a topic "orders" on cluster "east" with 3 partitions and replication factor 3
    And a topic "audit" on cluster "east" with 1 partition and replication factor 3

  Rule: The copy is faithful and filtered

    Scenario: mirrored records keep their partition, order, keys, values, headers and timestamps
      Given the steps below act on cluster "east"
      When I produce 300 keyed messages with headers to "orders"
      And I produce 50 keyed messages with headers to "audit"
      And a mirror from "east" to "west" for topics matching "orders|payments" excluding "audit.*", checkpointing group "billing" every 1000 ms
      Then within 30 seconds "east.orders" on cluster "west" holds every record of "orders" on cluster "east" in partition order with keys, values, headers and timestamps
      And cluster "west" has "east.orders" but no copy of "audit"
      And the newest heartbeat on cluster "west" is at most 2500 ms old

    Scenario: the mirror keeps copying when a broker of the target dies
      Given a mirror from "east" to "west" for topics matching "orders" excluding "audit", checkpointing group "billing" every 1000 ms
      And the steps below act on cluster "east"
      When I produce 100 keyed messages with headers to "orders"
      And the steps below act on cluster "west"
      And broker 2 is killed
      And the steps below act on cluster "east"
      And I produce 100 keyed messages with headers to "orders"
      Then within 30 seconds "east.orders" on cluster "west" holds every record of "orders" on cluster "east" in partition order with keys, values, headers and timestamps

  Rule: Mirrors both ways do not loop

    The playbook's rule: a mirror never copies a topic named for its target (`east.orders` is not mirrored
    back to east), so with a mirror each way east's records reach west once and never return. The mirror
    back selects `.*orders` — it would take `east.orders` if the rule did not stop it — and looks for new
    topics every second; the check waits for two of its scans after the copy appears (at most 2 s) and for
    the copy itself (the forward mirror's first scan, 1 s): 3 s, doubled for a busy machine and given the
    copy's read-back: 10 s.

    Scenario: east's records reach west once and never come back
      Given a mirror from "east" to "west" for topics matching "orders" excluding "audit", checkpointing group "billing" every 1000 ms
      And a mirror from "west" to "east" for topics matching ".*orders" excluding "audit", checkpointing group "billing" every 1000 ms
      And the steps below act on cluster "east"
      When I produce 100 keyed messages with headers to "orders"
      Then within 10 seconds "orders" on cluster "east" is mirrored to cluster "west" and none of its records comes back

  Rule: Lag under link degradation is measured

    Scenario: a paused mirror on a slow link falls behind by the pause and catches up
      Given a mirror from "east" to "west" for topics matching "orders" excluding "audit", checkpointing group "billing" every 1000 ms
      When the network to every broker of cluster "west" is slowed by 100 ms
      And 50 messages per second go to "orders" for 8 seconds while the mirror is paused from second 2 to second 5
      Then the mirror lag rose to at least 2500 ms during the pause and stayed under 1500 ms outside it
      And the mirror caught up within 3 seconds after it resumed
      And the newest heartbeat on cluster "west" is at most 2500 ms old

  Rule: A consumer group fails over at translated offsets

    Scenario: planned failover from east to west loses nothing and repeats only what followed the last checkpoint
      Given a mirror from "east" to "west" for topics matching "orders" excluding "audit", checkpointing group "billing" every 1000 ms
      And the steps below act on cluster "east"
      When I produce 300 keyed messages with headers to "orders"
      And group "billing" consumes 200 messages of "orders" on cluster "east" at 100 messages per second, committing every 20, then fails over to cluster "west" at the translated offsets
      Then the failover lost no message and consumed twice only messages read after the last checkpoint
      And at most 150 messages were consumed twice in the failover
      And the group resumed on the target within 5 seconds of the switch

    Scenario: unplanned failover: east dies, and the group resumes on west from the last checkpoint
      The 300 records are produced before the group starts: the mirror copies them within its 50 ms poll,
      long before the 2 s the group takes to read 200, so nothing acknowledged dies uncopied with east (0).
      The group's last commit precedes the outage at once, so the newest checkpoint on west is at most one
      interval old, as in the planned switch: at most 150 read twice.

      Given a mirror from "east" to "west" for topics matching "orders" excluding "audit", checkpointing group "billing" every 1000 ms
      And the steps below act on cluster "east"
      When I produce 300 keyed messages with headers to "orders"
      And group "billing" consumes 200 messages of "orders" on cluster "east" at 100 messages per second, committing every 20
      And every broker of cluster "east" is killed
      And group "billing" fails over to cluster "west" at the translated offsets after cluster "east" died
      Then the failover lost only messages the mirror had not copied and consumed twice only messages read after the last checkpoint
      And at most 0 acknowledged messages were lost with the source cluster
      And at most 150 messages were consumed twice in the failover
      And the group resumed on the target within 5 seconds of the switch

  Rule: A consumer group fails back at the reverse mirror's translated offsets

    The playbook's failback: after the planned failover the producers write west's own `orders`; a mirror
    back from west to east copies it to `west.orders` on east and checkpoints the group there (its pattern
    `.*orders` also selects `east.orders`, which the loop rule keeps back). The group reads and commits on
    west, then fails back: it starts on east at the reverse mirror's translated offsets. Records sent to
    each cluster are told apart in the ledger, so each switch is judged against its own source's records.
    The bounds are the planned failover's: at most 150 read twice, and resumed within 5 s (the group's join
    on east waits the 3 s rebalance delay of a group with no members, then one fetch).

    Scenario: failback: the producers moved to west, and the group returns to east at the translated offsets
      Given a mirror from "east" to "west" for topics matching "orders" excluding "audit", checkpointing group "billing" every 1000 ms
      And the steps below act on cluster "east"
      When I produce 300 keyed messages with headers to "orders"
      And group "billing" consumes 200 messages of "orders" on cluster "east" at 100 messages per second, committing every 20, then fails over to cluster "west" at the translated offsets
      And a topic "orders" on cluster "west" with 3 partitions and replication factor 3
      And a mirror from "west" to "east" for topics matching ".*orders" excluding "audit", checkpointing group "billing" every 1000 ms
      And the steps below act on cluster "west"
      And I produce 300 keyed messages with headers to "orders"
      And group "billing" consumes 200 messages of "orders" on cluster "west" at 100 messages per second, committing every 20, then fails over to cluster "east" at the translated offsets
      Then the failover lost no message and consumed twice only messages read after the last checkpoint
      And at most 150 messages were consumed twice in the failover
      And the group resumed on the target within 5 seconds of the switch
      And within 10 seconds "orders" on cluster "east" is mirrored to cluster "west" and none of its records comes back

  Rule: The mirroring playbook is written down

    Scenario: the playbook's mirroring use cases name their producers, topics, partitions and consumers
      Then the document "docs/kaf-10/playbook.md" has 3 use cases that each name producers, topics and partitions, and consumers

    Scenario: the playbook covers naming, ACLs, offset sync, planned and unplanned failover, and failback
      Then the document "docs/kaf-10/playbook.md" has a section of at least 40 words for each of:
        | Naming and filtering |
        | ACLs                 |
        | Offset sync          |
        | Planned failover     |
        | Unplanned failover   |
        | Failback             |
