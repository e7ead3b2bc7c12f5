Feature: And and But take the type of the step before them, the background's included
  A scenario's first step may be an And or a But: it continues the background's last step.

  Background:
    Given a cluster of 3 brokers
    And a topic "orders" with 6 partitions

  Scenario Outline: an outline whose first step is an And
    And <n> records are produced
    When a consumer reads the topic
    Then it reads <n> records

    Examples:
      | n  |
      | 1  |
      | 10 |

  Scenario: a scenario whose first step is a But
    But no record is produced
    Then the topic is empty

  Scenario: a scenario without steps gets no background steps

  Rule: a rule without a background of its own
    Scenario: a rule's scenario whose first step is an And
      And a consumer group "billing"
      When it joins

  Rule: a rule whose background ends with an action
    Background:
      When broker 1 is stopped

    Scenario: an And after the rule's background
      And broker 1 is restarted
      Then the ISR is back to 3 replicas

    Scenario Outline: a But after the rule's background
      But broker <id> is not restarted
      Then the ISR shrinks

      Examples:
        | id |
        | 2  |

  Rule: a rule with an empty background
    Background:

    Scenario: the feature's background still sets the type
      And a producer with acks=all

  Rule: a rule whose background ends with a star
    Background:
      Given a topic "audit"
      * retention of one hour

    Scenario: an And after a star has no type
      And a record is produced
      Then it is retained
