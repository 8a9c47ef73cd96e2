@claims @transformations
Feature: Claims transformations through a journey
  Issue #15: the documented claims-transformation methods run as a technical
  profile's output claims transformations, in order, each reading what the one
  before wrote (CT-CORE-04), in a ClaimsTransformationProtocolProvider
  exchange (CTP-01). Step 1's REST answer gives the inputs; the token shows
  every result under its claim type's name. engine/claims has each method's
  documentation examples as Go tests.

  Background:
    Given the relying party uses the policy "B2C_1A_Transformations" from "transformations"

  Scenario: Integer, string collection, string and general methods chained in one profile
    Given the REST API answers "POST /api/inputs" with HTTP 200 and the body "{"email":"joe@contoso.com","displayName":"Joe Smith","phone":"+1644114520","steps":1,"roles":["reader","admin"],"tagList":"red;green"}"
    When the user starts signing in
    Then the relying party receives an id_token
    And the id_token has the claims:
      | stepsNext   | 2                                    |
      | stepsText   | 2                                    |
      | isAdmin     | true                                 |
      | firstRole   | reader                               |
      | rolesPlus   | ["reader","admin","guest"]           |
      | rolesCsv    | reader,admin,guest                   |
      | tags        | ["red","green"]                      |
      | hasEmail    | true                                 |
      | hasNickname | false                                |
      | domain      | contoso.com                          |
      | domainAppId | 13c15f79-8fb1-4e29-a6c9-be0d36ff19f1 |
      | isSmith     | true                                 |
      | phonePrefix | +1                                   |

  Scenario: Other inputs give the other outcomes; a lookup without a match leaves its claim out
    Given the REST API answers "POST /api/inputs" with HTTP 200 and the body "{"email":"ann@fabrikam.com","displayName":"Ann Jones","phone":"+44207","nickname":"annie","steps":41,"roles":["author"],"tagList":"blue"}"
    When the user starts signing in
    Then the relying party receives an id_token
    And the id_token has the claims:
      | stepsNext   | 42                  |
      | stepsText   | 42                  |
      | isAdmin     | false               |
      | firstRole   | author              |
      | rolesPlus   | ["author","guest"]  |
      | rolesCsv    | author,guest        |
      | tags        | ["blue"]            |
      | hasEmail    | true                |
      | hasNickname | true                |
      | domain      | fabrikam.com        |
      | isSmith     | false               |
      | phonePrefix | +4                  |
    And the id_token has no claim "domainAppId"
