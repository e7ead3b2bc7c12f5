@KAF-13
Feature: KAF-13 Monitoring
  As an operator I export client metrics in Prometheus format, alert when a consumer group falls
  behind, probe the cluster end to end, and check service-level objectives — and I can show each of
  them reacting to a real fault.

  Client metrics come from librdkafka's statistics and are written in the Prometheus text format
  (`kafka-bdd metrics` prints them; monitoring/ has the alert rules and a Grafana dashboard for the
  compose cluster). The lag alert is evaluated as Prometheus evaluates a rule with `for:`.

  How the bounds follow from the drills: the stall drill produces 1600 records over 8 s (200/s), so
  a 4 s stall builds at least 800 records of lag (peaks of about 1200 were measured: the lag is the group's
  committed offsets against the log end, which go on growing until the resumed consumer has read and
  committed the backlog); lag over 300 is crossed 1.5 s into the stall and, held for
  1 s, fires at 2.5 s, 1.5 s before the consumer resumes (room for a loaded machine's sampling
  jitter), while a consumer that keeps up stays within one 100 ms batch (20 records). The probe's and the SLOs' 250 ms sit below what the latency negative
  control injects (150 ms each way, over 300 ms a round trip) and far above the few milliseconds a
  healthy loopback round trip takes; end-to-end adds one fetch wait and one poll, hence 500 ms.

  Background:
    Given a 3-broker cluster
    And a topic "orders" with 6 partitions and replication factor 3

  Rule: Consumer lag is exported and alerted on

    Scenario: a stalled consumer fires the lag alert, which resolves when it catches up
      When the consumer of group "billing" on "orders" stalls for 4 seconds while 1600 messages are produced, then catches up
      Then the lag alert (lag over 300 records for 1 second) fired while the consumer stalled and resolved after it caught up
      And the exported metrics of group "billing" give the lag of every partition of "orders"

  Rule: A heartbeat probe checks the cluster end to end

    Scenario: the probe is green
      Given a topic "heartbeat" with 3 partitions and replication factor 3
      When the heartbeat probe makes 40 round trips through "heartbeat"
      Then the probe is green with a p95 round trip under 250 ms

  Rule: Service-level objectives hold, and an outage breaches them

    Scenario: produce and end-to-end latency and availability are within their objectives
      When I measure produce and end-to-end latency of 2000 messages on "orders"
      Then the SLOs hold: produce p95 under 250 ms, end-to-end p95 under 500 ms, and no offline partition of "orders"

    Scenario: killing every replica of a partition breaches the availability objective
      When every replica of partition 0 of "orders" is killed
      Then the offline-partitions SLO of "orders" is breached

  Rule: The capstone's dashboard draws the capstone's objectives

    The bounds are the capstone's (Features/capstone.feature, its latency scenario): a dashboard whose
    thresholds drift from them shows an SLO nobody checks.

    Scenario: each commit-to-sink percentile is a panel with its bound as a threshold
      Then the Grafana dashboard "monitoring/capstone-dashboard.json" draws these percentiles of "kafka_bdd_pipeline_latency_seconds" with their bounds as thresholds:
        | percentile | under ms |
        | p50        | 500      |
        | p95        | 1000     |
        | p99        | 1000     |
