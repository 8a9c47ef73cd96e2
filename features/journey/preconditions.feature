@journey
Feature: Orchestration-step preconditions
  Spec §5.3: step 2 of the journey calls /api/guarded unless a precondition is
  satisfied. ClaimsExist tests that the claim has a value, ClaimEquals that it
  equals the literal (case-sensitive, ordinal); ExecuteActionsIf says whether a
  true or a false test is "satisfied"; the first satisfied precondition skips
  the step; a ClaimEquals on an absent claim is ignored. Step 1's REST answer
  decides the claims color and shape.

  Background:
    Given the relying party uses the policy "B2C_1A_Journey_Preconditions" from "preconditions"
    And the REST API answers "POST /api/guarded" with HTTP 200 and the body "{}"

  Scenario Outline: <first> on an API answer <answer>: the guarded step <outcome> (UJ-01, UJ-02, UJ-03)
    Given the REST API answers "POST /api/color" with HTTP 200 and the body "<answer>"
    And the guarded step's preconditions are "<first>" then "ClaimsExist true neverSet"
    When the user starts signing in
    Then the relying party receives an id_token
    And the REST API received 1 call to "/api/color"
    And the REST API received <calls> calls to "/api/guarded"

    Examples: ClaimsExist
      | first                   | answer             | outcome  | calls |
      | ClaimsExist true color  | {"color":"Blue"}   | is skipped | 0   |
      | ClaimsExist true color  | {}                 | runs     | 1     |
      | ClaimsExist false color | {"color":"Blue"}   | runs     | 1     |
      | ClaimsExist false color | {}                 | is skipped | 0   |
      | ClaimsExist true color  | {"color":""}       | runs     | 1     |

    Examples: ClaimEquals, case-sensitive; an absent claim is ignored
      | first                        | answer           | outcome    | calls |
      | ClaimEquals true color Blue  | {"color":"Blue"} | is skipped | 0     |
      | ClaimEquals true color Blue  | {"color":"Red"}  | runs       | 1     |
      | ClaimEquals true color Blue  | {}               | runs       | 1     |
      | ClaimEquals false color Blue | {"color":"Blue"} | runs       | 1     |
      | ClaimEquals false color Blue | {"color":"Red"}  | is skipped | 0     |
      | ClaimEquals false color Blue | {}               | runs       | 1     |
      | ClaimEquals true color Blue  | {"color":"blue"} | runs       | 1     |

  Scenario Outline: The first satisfied precondition wins; none satisfied runs the step (UJ-04)
    Given the REST API answers "POST /api/color" with HTTP 200 and the body "{"color":"Blue","shape":"Square"}"
    And the guarded step's preconditions are "<first>" then "<second>"
    When the user starts signing in
    Then the relying party receives an id_token
    And the REST API received <calls> calls to "/api/guarded"

    Examples:
      | first                          | second                          | calls |
      | ClaimEquals true color Red     | ClaimEquals true shape Square   | 0     |
      | ClaimsExist true neverSet      | ClaimsExist false shape         | 1     |
      | ClaimEquals true shape Square  | ClaimsExist true neverSet       | 0     |

  Scenario: A claim a step outputs is available to later steps (UJ-06)
    Given the REST API answers "POST /api/color" with HTTP 200 and the body "{"color":"Blue"}"
    And the guarded step's preconditions are "ClaimsExist true neverSet" then "ClaimsExist true neverSet"
    When the user starts signing in
    Then the relying party receives an id_token
    And the REST API's last call to "/api/guarded" had:
      | field      | value |
      | json:color | Blue  |
    And the id_token has the claims:
      | claim   | value |
      | sub     | Blue  |
      | guarded | ran   |
