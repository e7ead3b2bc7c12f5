# Written to fail: totals stated by hand that the changes do not give, and a change the table cannot make.
# Needs PostgreSQL (.ci/run starts it). `.ci/run` checks every scenario here fails.
Feature: Capstone stated totals that must fail

  Background:
    Given a 3-broker cluster
    And a topic "orders-cdc" with 3 partitions and replication factor 3
    And a topic "order-totals" with 3 partitions and replication factor 3
    And the capstone pipeline: CDC from PostgreSQL into "orders-cdc", totals per customer and 1-second window into "order-totals", upserted into a PostgreSQL sink table

  Scenario: a total that forgets an update
    When these changes to orders are made in PostgreSQL at 20 per second:
      | change | order | customer | amount | second |
      | insert | 1     | alice    | 30     | 0      |
      | update | 1     |          | 40     |        |
    Then the sink table holds exactly these totals:
      | customer | window | total | orders |
      | alice    | 0      | 30    | 1      |

  Scenario: a window emptied by a delete is left out
    When these changes to orders are made in PostgreSQL at 20 per second:
      | change | order | customer | amount | second |
      | insert | 1     | alice    | 30     | 0      |
      | insert | 2     | bob      | 5      | 1      |
      | delete | 2     |          |        |        |
    Then the sink table holds exactly these totals:
      | customer | window | total | orders |
      | alice    | 0      | 30    | 1      |

  Scenario: an order placed in the next window is counted in the first
    When these changes to orders are made in PostgreSQL at 20 per second:
      | change | order | customer | amount | second |
      | insert | 1     | alice    | 30     | 0      |
      | insert | 2     | alice    | 5      | 1      |
    Then the sink table holds exactly these totals:
      | customer | window | total | orders |
      | alice    | 0      | 35    | 2      |

  Scenario: an update of an order never inserted
    When these changes to orders are made in PostgreSQL at 20 per second:
      | change | order | customer | amount | second |
      | insert | 1     | alice    | 30     | 0      |
      | update | 2     |          | 40     |        |
    Then the sink table holds exactly these totals:
      | customer | window | total | orders |
      | alice    | 0      | 30    | 1      |
