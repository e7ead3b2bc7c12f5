# KAF-11's certificate rotation on a compose cluster over a fake docker and a fake openssl s_client; the
# "mTLS listener" is the mock's plaintext one, so the producer's records fail and the last step with them.
Feature: Rotation contract

  Scenario: rotate broker 2
    Given a 3-broker cluster
    And a topic "payments" with 3 partitions and replication factor 3
    When broker 2's certificate is rotated while 200 records are produced through the mTLS listener
    Then broker 2's mTLS listener presents the new certificate
    And nothing produced through the rotation is lost and every error the producer saw was retriable
