@KAF-11
Feature: KAF-11 Securing Kafka
  As a platform engineer I can show that with issued certificates, SCRAM users and least-privilege
  ACLs, unauthorized access fails and authorized paths succeed. The secured listeners come from
  compose/security.yml (`make certs`, then `make up-secure`): SASL_SSL with SCRAM-SHA-512 and mTLS,
  with the KRaft StandardAuthorizer. Users get generated passwords that reach the brokers through
  stdin and never appear in a report. The permission matrix is checked in both directions: every
  allowed row must succeed and every denied row must meet the broker's authorization error (a
  timeout proves nothing); the evaluator's negative controls are in
  Tests/VerificationTests/PermissionMatrixTests.swift.

  What needs no broker runs everywhere: a client configured with an expired or missing certificate is
  refused before it connects, with an error that names the property and shows no path. The
  scenarios on the secured listeners are skipped on the embedded cluster (it has no TLS, SASL or
  ACLs), naming the missing capability; run them with --cluster compose and KAFKA_BDD_SECURE=1.

  Rule: A client with a bad certificate is refused before it connects

    Scenario: an expired client certificate
      Given a client certificate that expired yesterday
      Then a TLS client configured with that certificate is refused before it connects, with an error naming "ssl.certificate.location"
      And that error says "expired on"

    Scenario: a client certificate file that is missing
      Given a client certificate file that does not exist
      Then a TLS client configured with that certificate is refused before it connects, with an error naming "ssl.certificate.location"
      And that error says "no such file"

  Rule: A client checks the broker's certificate in the handshake

    A stand-in TLS listener (`openssl s_server`) presents a certificate made for each case, and a client
    trusting the scenario's CA, with host name verification on (librdkafka's default), connects to it as
    localhost. The server's side shows whether a cipher was agreed; the client's error says why not.
    TLS 1.1 is below OpenSSL 3's floor at its default security level: the client refuses the handshake
    (its words: "legacy sigalg disallowed").

    Scenario: a certificate from the trusted CA, for the host connected to, is accepted
      Given a TLS endpoint with a certificate for localhost signed by the scenario's CA
      Then a client trusting the scenario's CA completes the TLS handshake with the endpoint

    Scenario: a certificate from a CA the client does not trust is refused
      Given a TLS endpoint with a certificate signed by a CA the client does not trust
      Then a client trusting the scenario's CA fails the TLS handshake with the endpoint, with an error naming "certificate verify failed"

    Scenario: a certificate for another host is refused
      Given a TLS endpoint with a certificate for host "broker.example.com" signed by the scenario's CA
      Then a client trusting the scenario's CA fails the TLS handshake with the endpoint, with an error naming "certificate verify failed"

    Scenario: a listener that speaks only TLS 1.1 is refused
      Given a TLS endpoint that speaks only TLS 1.1
      Then a client trusting the scenario's CA fails the TLS handshake with the endpoint, with an error naming "SSL handshake failed"

  Rule: Only authenticated clients get in

    Background:
      Given a 3-broker cluster
      And the secured listeners of the compose cluster

    Scenario: mTLS refuses a client without a certificate
      Then a client without a certificate cannot connect to the mTLS listener

    Scenario: SCRAM refuses a wrong password
      Given the SCRAM-SHA-512 users "alice" with generated passwords
      Then "alice" with a wrong password is refused by the SASL_SSL listener, and with the right one admitted

  Rule: Least privilege, checked in both directions

    Background:
      Given a 3-broker cluster
      And the secured listeners of the compose cluster

    Scenario: each principal can do what it needs and nothing else
      Given a topic "orders" with 1 partition and replication factor 3
      And the SCRAM-SHA-512 users "alice, bob, mallory" with generated passwords
      When only the allowed rows of this permission matrix are granted:
        | principal    | operation | resource      | access  |
        | User:alice   | Write     | topic:orders  | allowed |
        | User:alice   | Describe  | topic:orders  | allowed |
        | User:bob     | Read      | topic:orders  | allowed |
        | User:bob     | Read      | group:billing | allowed |
        | User:bob     | Write     | topic:orders  | denied  |
        | User:alice   | Read      | topic:orders  | denied  |
        | User:mallory | Describe  | topic:orders  | denied  |
        | User:mallory | Create    | topic:audit   | denied  |
      Then every allowed path of the matrix succeeds and every denied path fails with an authorization error

  Rule: One broker's certificate rotates while clients keep producing

    The broker reloads a new keystore file through a dynamic listener config (no restart), so open
    connections keep working and new handshakes see the new certificate. Which certificate the broker
    serves is read on the wire with openssl s_client, not from the files the rotation wrote.

    Background:
      Given a 3-broker cluster
      And the secured listeners of the compose cluster

    Scenario: rotating broker 2's certificate while producing continuously
      Given a topic "payments" with 3 partitions and replication factor 3
      When broker 2's certificate is rotated while 2000 records are produced through the mTLS listener
      Then broker 2's mTLS listener presents the new certificate
      And nothing produced through the rotation is lost and every error the producer saw was retriable

  Rule: Hardening is written down

    Scenario: the hardening checklist covers each layer
      Then the document "docs/kaf-11/hardening.md" has a section of at least 40 words for each of:
        | Listeners and TLS |
        | Authentication    |
        | Authorization     |
        | Certificates      |
        | Secrets           |
        | Brokers and hosts |
