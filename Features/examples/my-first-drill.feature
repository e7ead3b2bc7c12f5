# Written from docs/steps.md alone, as a user would: no Swift. It carries no card tag, so it runs
# under "Other feature files" in `swift test` and in `make acceptance`.
Feature: My first drill
  Our payments topic must survive losing a broker while we keep producing, and every consumer group
  must still see every payment exactly once. (On the embedded cluster the exactly-once check is
  skipped with its reason: the mock cannot lose what a killed leader acknowledged.)

  Scenario: a broker dies mid-stream and nothing acknowledged is lost
    Given a 3-broker cluster
    And a topic "payments" with 3 partitions and replication factor 3
    When I produce 3000 keyed messages to "payments" with acks=all while broker 3 is killed
    Then no partition of "payments" is led by broker 3
    And every acknowledged message is consumed exactly once
    When broker 3 is restarted
    Then broker 3 is back in the cluster
