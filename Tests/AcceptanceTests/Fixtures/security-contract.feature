# KAF-11's user sentences on a compose cluster over a fake docker whose "secured listeners" are the
# mock's plaintext ones: the passwords go to the brokers' tools and to the clients, the clients fail.
Feature: Security contract

  Scenario: a wrong password
    Given a 3-broker cluster
    And the SCRAM-SHA-512 users "alice" with generated passwords
    Then "alice" with a wrong password is refused by the SASL_SSL listener, and with the right one admitted

  Scenario: a matrix
    Given a 3-broker cluster
    And a topic "orders" with 1 partition and replication factor 3
    And the SCRAM-SHA-512 users "alice, bob" with generated passwords
    When only the allowed rows of this permission matrix are granted:
      | principal  | operation | resource     | access  |
      | User:alice | Write     | topic:orders | allowed |
      | User:bob   | Write     | topic:orders | denied  |
    Then every allowed path of the matrix succeeds and every denied path fails with an authorization error
