@KAF-07
Feature: KAF-07 Reliable delivery
  As a platform engineer I can show that with replication factor 3, min.insync.replicas=2, an
  idempotent producer and acks=all, no acknowledged record is lost when the leader dies, the network
  to a broker slows down, or both at once — and what weaker settings cost. Each drill's verdict
  comes from the delivery checker: every send and acknowledgement is recorded, the topic is read
  back from the beginning, and lost, duplicated and reordered records are listed with their ids.

  On the embedded cluster every fault is confirmed on the wire (a killed broker stops answering an
  ApiVersions probe, injected latency shows in the measured round trip) and each drill records how
  many records were in flight when the fault landed. But the mock keeps one log per partition for
  all brokers and does not check an idempotent producer's sequence numbers, so it cannot lose what a
  leader acknowledged nor de-duplicate retries: the three drills of the first rule cannot fail there
  and are skipped, naming the claim and the missing capability (run them with --cluster compose).
  The counter-scenarios can fail there, and run: the mock really drops the writes it rejects and
  really writes twice what a non-idempotent producer retries.

  Background:
    Given a 3-broker cluster
    And a topic "payments" with 6 partitions, replication factor 3 and min.insync.replicas=2

  Rule: With acks=all and idempotence, no acknowledged record is lost

    Scenario: the leader is killed mid-stream
      When I produce 20000 keyed messages to "payments" with acks=all while the leader of partition 0 is killed
      Then every acknowledged message is consumed exactly once

    Scenario: the network to a broker slows down
      When the network to broker 2 is slowed by 100 ms
      And I produce 5000 keyed messages to "payments" with acks=all
      Then every acknowledged message is consumed exactly once

    Scenario: a slow network and a dead leader at once
      When the network to broker 2 is slowed by 100 ms
      And I produce 10000 keyed messages to "payments" with acks=all while the leader of partition 1 is killed
      Then every acknowledged message is consumed exactly once

  Rule: Weaker settings cost records, and the checker says which

    @embedded-only
    Scenario: acks=0 counts a rejected write as delivered
      When the next 5 produce requests fail with NOT_ENOUGH_REPLICAS
      And I produce 2000 keyed messages to "payments" with these producer settings:
        | acks               | 0     |
        | enable.idempotence | false |
      Then the checker finds acknowledged messages that were lost

    @embedded-only
    Scenario: retries without idempotence write a record twice
      When the next 3 produce requests are written but answered only after 1500 ms
      And I produce 2000 keyed messages to "payments" with these producer settings:
        | acks               | 1     |
        | enable.idempotence | false |
        | socket.timeout.ms  | 500   |
      Then the checker finds messages that were written twice
      And no acknowledged message is lost

  Rule: Each fault meets each workload, and each row states the guarantee its settings keep

    Kafka's own system tests cross failure modes with client settings; so does this table. A row's
    guarantee is what Kafka promises for its settings under its fault, not what one run happened to
    show: acks=all with idempotence keeps exactly once; without idempotence a retry may write twice; acks=1
    loses what a killed leader acknowledged but had not replicated; acks=0 never retries. On the
    embedded cluster a row whose claim the mock cannot falsify (no loss after a kill, no duplicates from
    an idempotent producer after a fault) is skipped, naming it.

    Scenario Outline: <fault>, acks=<acks>, idempotence <idempotence>: <guarantee>
      When I produce 1000 keyed messages to "payments" with acks=<acks> and idempotence <idempotence> while <fault>
      Then the delivery is <guarantee>

      Examples:
        | fault                                                                               | acks | idempotence | guarantee     |
        | nothing fails                                                                       | all  | on          | exactly once  |
        | the leader of partition 0 is killed                                                 | all  | on          | exactly once  |
        | the network to broker 2 is slowed by 100 ms                                         | all  | on          | exactly once  |
        | the network to broker 2 is slowed by 100 ms and the leader of partition 1 is killed | all  | on          | exactly once  |
        | nothing fails                                                                       | all  | off         | at least once |
        | the leader of partition 0 is killed                                                 | all  | off         | at least once |
        | the network to broker 2 is slowed by 100 ms                                         | all  | off         | at least once |
        | the network to broker 2 is slowed by 100 ms and the leader of partition 1 is killed | all  | off         | at least once |
        | nothing fails                                                                       | 1    | off         | at least once |
        | the leader of partition 0 is killed                                                 | 1    | off         | best effort   |
        | the network to broker 2 is slowed by 100 ms                                         | 1    | off         | at least once |
        | the network to broker 2 is slowed by 100 ms and the leader of partition 1 is killed | 1    | off         | best effort   |
        | nothing fails                                                                       | 0    | off         | at most once  |
        | the leader of partition 0 is killed                                                 | 0    | off         | at most once  |
        | the network to broker 2 is slowed by 100 ms                                         | 0    | off         | at most once  |
        | the network to broker 2 is slowed by 100 ms and the leader of partition 1 is killed | 0    | off         | at most once  |

  Rule: A record that cannot be processed goes to a dead-letter topic and the flow goes on

    Scenario: retry with backoff, then dead-letter with the error in headers
      Given a topic "payments-dlq" with 1 partition and replication factor 3
      When I produce 500 keyed messages to "payments" with acks=all
      And a consumer processes "payments", where every record whose id is a multiple of 50 fails, retrying 3 times before sending it to "payments-dlq"
      Then every failing record is on "payments-dlq" with its error, attempts and origin in headers, and every other record was processed once
