# The KAF-09 sentences on a compose cluster over a fake docker and a fake Connect REST endpoint: no
# worker moves records, so each Then fails; the contract is the requests, the commands and the cleanup.
Feature: Connect contract

  Scenario: a source with a transform, restarted
    Given a 3-broker cluster
    And a Kafka Connect worker with the file connectors
    And a topic "payments" with 1 partition and replication factor 3
    When the file source connector "amounts" reads 4 lines of amounts into "payments" through these transforms:
      | transform  | settings     |
      | HoistField | field=amount |
    And the connector "amounts" is restarted and 2 more lines are appended to its file
    Then within 1 seconds every line of "amounts" arrives on its topic once, in order, as its transforms make it

  Scenario: a sink with a dead-letter topic
    Given a 3-broker cluster
    And a Kafka Connect worker with the file connectors
    And a topic "orders" with 1 partition and replication factor 3
    And a topic "orders-dlq" with 1 partition and replication factor 3
    When 10 records are written to "orders", every 5th of them not JSON
    And the file sink connector "orders-out" reads "orders" with errors.tolerance=all and the dead-letter topic "orders-dlq"
    Then within 1 seconds the malformed records of "orders" are on the dead-letter topic with the error in their headers, and the rest reach the sink once
