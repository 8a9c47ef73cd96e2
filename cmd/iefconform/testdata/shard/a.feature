# Features for the sharding tests (shard_test.go): comments, doc strings,
# tables, tags at every level, repeated names, outlines and a rule.
@all
Feature: Sharding A
  A description
  on two lines.

  # a comment before the background
  Background:
    Given a step that passes

  Scenario: one
    Given a step that passes
      """
      # a doc string line, not a comment
      """

  # a comment between scenarios
  @slow @x
  # a comment between tags and keyword
  Scenario: same name
    Given a step that fails
    And a step that passes

  Scenario: same name
    Given a step that passes
      | a | b |
      | 1 | 2 |

  Scenario Outline: row <n>
    Given a step that passes

    @first
    Examples: first
      | n |
      | 1 |
      # a comment in a table
      | 2 |
      | 3 |

    Examples: second
      | n |
      | 4 |

  Scenario Outline: unnamed rows
    Given a step that passes

    Examples:
      | n |
      | 1 |
      | 2 |
      | 3 |

  @ruled
  Rule: a rule
    Background:
      Given a step that passes

    Scenario: in a rule
      Given a step that passes
      """
      last
      """
