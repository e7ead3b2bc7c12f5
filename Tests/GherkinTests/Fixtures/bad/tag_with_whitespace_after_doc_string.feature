Feature: Tags with white space after text that is not Gherkin

  Background:
    Given a cluster

  Scenario: the doc string is followed by prose
    Given a payload
      """json
      {"key": 1}
      """
    this line is not Gherkin
    @needs review @slow
    Then nothing

  @wip @needs review
  Scenario: tags with white space before a scenario
    When it runs
    @another bad tag
    Then it ends
