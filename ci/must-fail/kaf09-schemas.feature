# Written to fail: each scenario claims a compatibility the change does not have (or denies one it has).
# `.ci/run` checks that every scenario here fails.
Feature: KAF-09 schema claims that must fail

  Background:
    Given subject "orders-value" has the Avro schema:
      """json
      {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "int"},
       {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}}]}
      """

  Scenario: a field added without a default is not BACKWARD compatible
    When a new Avro schema is proposed for subject "orders-value":
      """json
      {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "int"},
       {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
       {"name": "currency", "type": "string"}]}
      """
    Then the new schema of subject "orders-value" is BACKWARD compatible

  Scenario: narrowing long to int is not BACKWARD compatible (new readers meet old longs)
    When a new Avro schema is proposed for subject "orders-value":
      """json
      {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "int"}, {"name": "amount", "type": "int"},
       {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}}]}
      """
    Then the new schema of subject "orders-value" is BACKWARD compatible

  Scenario: a symbol added to an enum without a default is not FULL compatible
    When a new Avro schema is proposed for subject "orders-value":
      """json
      {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "int"},
       {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "REFUNDED"]}}]}
      """
    Then the new schema of subject "orders-value" is FULL compatible

  Scenario: a field dropped from a record whose readers have no default for it is not FORWARD compatible
    When a new Avro schema is proposed for subject "orders-value":
      """json
      {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"},
       {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}}]}
      """
    Then the new schema of subject "orders-value" is FULL compatible

  Scenario: an unchanged schema is compatible, so denying it fails
    When a new Avro schema is proposed for subject "orders-value":
      """json
      {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "int"},
       {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}}]}
      """
    Then the new schema of subject "orders-value" is not FULL_TRANSITIVE compatible

  Scenario: a subject with no version has nothing to be compatible with
    When a new Avro schema is proposed for subject "payments-value":
      """json
      {"type": "record", "name": "Payment", "fields": [{"name": "id", "type": "long"}]}
      """
    Then the new schema of subject "payments-value" is BACKWARD compatible

  Scenario: a schema whose default is not a value of its field's type is refused, as a registry refuses it
    When a new Avro schema is proposed for subject "orders-value":
      """json
      {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "int"},
       {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
       {"name": "note", "type": ["null", "string"], "default": "none"}]}
      """
    Then the new schema of subject "orders-value" is BACKWARD compatible
