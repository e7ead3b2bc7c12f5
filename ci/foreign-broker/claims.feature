Feature: Claims a one-node Tansu does not meet, made directly
  In the chapters some of these claims come only after a fault step, which skips on an external
  cluster. Here each is made on its own: none may pass on Tansu 0.6.0 (one broker, node 111, which
  reports a replication factor of 3 as broker 111 listed three times and assigns one offset per
  produced batch). The last one is the control: a defect the suite already catches. "a described topic
  claimed with another partition count" is the must-fail of a claim the embedded mock cannot judge (it
  models no ISR).

  Background:
    Given a 1-broker cluster

  Scenario: a replica list naming one broker three times is not three replicas in sync
    Given a topic "events" with 3 partitions and replication factor 3
    Then every replica of "events" is in sync

  Scenario: the inventory of a topic whose replicas name one broker three times
    Given a topic "orders" with 6 partitions and replication factor 3
    When the admin tool takes an inventory
    Then the inventory lists topic "orders" with 6 partitions and replication factor 3

  Scenario: a description whose replicas name one broker three times
    Given a topic "orders" with 6 partitions and replication factor 3
    When the admin tool describes topic "orders"
    Then the description shows 6 partitions, each led by one of its in-sync replicas

  Scenario: a described topic claimed with another partition count
    Given a topic "orders" with 6 partitions and replication factor 1
    When the admin tool describes topic "orders"
    Then the description shows 3 partitions, each led by one of its in-sync replicas

  Scenario: a broker the cluster does not have leads nothing, which proves nothing
    Given a topic "events" with 3 partitions and replication factor 1
    Then no partition of "events" is led by broker 2

  Scenario: acknowledged records that are not read back are found lost
    Given a topic "events" with 3 partitions and replication factor 1
    When I produce 2000 keyed messages to "events" with acks=all
    Then no acknowledged message is lost
