@KAF-02
Feature: KAF-02 Installing Kafka
  As a learner I install a three-broker cluster and prove it behaves like one: topics are
  replicated on distinct brokers, leadership is spread, and a broker can die without losing a
  single acknowledged message.

  On the embedded cluster the brokers are librdkafka's mock brokers and the suite plays the
  controller; with --cluster compose the same scenarios run against docker-compose.yml (make up).
  There, a kill, a restart and a leadership move are checked on the wire (ApiVersions probes, the
  metadata a live broker returns); replica placement, ISR and "no acknowledged message lost after a
  kill" are skipped with the reason, because the mock shares one log among all brokers.

  Background:
    Given a 3-broker cluster
    And a topic "events" with 6 partitions and replication factor 3

  Rule: A replicated topic spreads over the whole cluster

    Scenario: every partition has three replicas on distinct brokers
      Then every partition of "events" has 3 replicas on distinct brokers
      And every replica of "events" is in sync
      And the leaders of "events" are spread over 3 brokers

    Scenario: leadership is spread over every broker
      Then the leaders of "events" are spread over 3 brokers

  Rule: Losing a broker loses no acknowledged message

    Scenario: a broker is killed while producing with acks=all
      When I produce 20000 keyed messages to "events" with acks=all while broker 2 is killed
      Then no partition of "events" is led by broker 2
      And every acknowledged message is consumed exactly once

    Scenario: a killed broker stops serving and its partitions get live leaders
      When broker 2 is killed
      Then no partition of "events" is led by broker 2

    Scenario: the killed broker returns and rejoins
      When broker 2 is killed
      And broker 2 is restarted
      Then broker 2 is back in the cluster

    Scenario: after the broker rejoins, producing goes on without loss
      When broker 2 is killed
      And broker 2 is restarted
      And I produce 1000 keyed messages to "events" with acks=all
      Then every acknowledged message is consumed exactly once
