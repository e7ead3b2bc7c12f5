# Written to fail: each claim contradicts what the handshake does — a trusted certificate is accepted, an
# untrusted one refused, and a refusal for an untrusted CA does not speak of the host name.
# `.ci/run` checks every scenario here fails.
@KAF-11
Feature: KAF-11 TLS handshake claims that must fail

  Scenario: a trusted certificate claimed refused
    Given a TLS endpoint with a certificate for localhost signed by the scenario's CA
    Then a client trusting the scenario's CA fails the TLS handshake with the endpoint, with an error naming "certificate verify failed"

  Scenario: an untrusted certificate claimed accepted
    Given a TLS endpoint with a certificate signed by a CA the client does not trust
    Then a client trusting the scenario's CA completes the TLS handshake with the endpoint

  Scenario: a certificate for another host claimed accepted
    Given a TLS endpoint with a certificate for host "broker.example.com" signed by the scenario's CA
    Then a client trusting the scenario's CA completes the TLS handshake with the endpoint

  Scenario: TLS 1.1 claimed accepted
    Given a TLS endpoint that speaks only TLS 1.1
    Then a client trusting the scenario's CA completes the TLS handshake with the endpoint
