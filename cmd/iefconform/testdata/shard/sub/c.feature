Feature: Sharding A

  Scenario: one
    Given a step that passes

  Scenario: two
    Given a step that passes
