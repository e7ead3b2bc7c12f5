Feature: A tag line with white space seen while looking ahead

  @fine
  @not fine
  Scenario: after two tag lines
    Given a step
