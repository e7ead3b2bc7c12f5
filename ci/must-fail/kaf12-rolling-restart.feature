# Written to fail: a consumer whose partition's leader moved waits at least a fetch error's backoff
# (500 ms) before it reads again, so no rolling restart keeps every partition's reads within 100 ms.
# `.ci/run` checks every scenario here fails.
Feature: KAF-12 rolling-restart claims that must fail

  Scenario: a rolling restart with no wait longer than 100 ms
    Given a 3-broker cluster
    And a topic "orders" with 6 partitions and replication factor 3
    When within 45 seconds, a rolling restart stops each broker gracefully, keeps it down 1000 ms and starts it again while 200 records per second are produced to "orders" and read back
    Then producing and consuming never stopped for more than 100 ms during the rolling restart
