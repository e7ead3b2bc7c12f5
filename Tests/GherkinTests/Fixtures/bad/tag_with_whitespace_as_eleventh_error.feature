Feature: The eleventh error is a tag with white space
  Scenario: s
    Given a
      """
      x
      """
    prose line 1
    prose line 2
    prose line 3
    prose line 4
    prose line 5
    prose line 6
    prose line 7
    prose line 8
    prose line 9
    prose line 10
    @bad tag
    Then more prose
