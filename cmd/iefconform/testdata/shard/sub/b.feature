Feature: Sharding B

  Scenario: skips
    Given a step that skips

  @slow
  Scenario: one
    Given a step that passes
