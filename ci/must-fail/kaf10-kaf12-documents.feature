# Written to fail: each scenario claims what the documents do not say. `.ci/run` checks that every one
# of them fails; a pass would mean the document checks cannot see a missing procedure.
Feature: KAF-10 and KAF-12 document claims that must fail

  Scenario: the playbook has no active/active section
    Then the document "docs/kaf-10/playbook.md" has a section of at least 40 words for each of:
      | ACLs          |
      | Active/active |

  Scenario: the procedures do not each mention a snapshot
    Then the document "docs/kaf-12/safe-delete-and-rollback.md" has at least 6 sections that each mention:
      | Dry run  |
      | snapshot |

  Scenario: the procedures are not 500 words each
    Then the document "docs/kaf-12/safe-delete-and-rollback.md" has a section of at least 500 words for each of:
      | Deleting a topic |
