@rest @selfasserted
Feature: REST APIs as validation technical profiles of a self-asserted page
  Seed 004 and spec §4.3, §5.4: the user's Continue on a self-asserted page runs
  REST-ValidateEmail (the email-exists check) and then REST-GetLoyaltyNumber. An
  error contract (4xx with status 409 and userMessage) keeps the user on the page
  with the message and what they typed; the next validation profile is not
  called, unless the failing one has ContinueOnError.

  Background:
    Given the relying party uses the policy "B2C_1A_Rest_Profile" from "rest"
    And the REST API route "POST /api/validate-email" behaves as "email-exists" knowing "taken@example.com"
    And the REST API route "POST /api/loyalty" behaves as "loyalty-number"
    And the REST API route "POST /api/contacts" behaves as "contacts"

  Scenario: The page shows the 409 userMessage, keeps the input, and succeeds once the user corrects it (REST-08)
    When the user starts signing in
    And the user fills in:
      | field       | value             |
      | email       | taken@example.com |
      | displayName | Taken Person      |
    And the user continues
    Then the page shows the error "The email address is already registered."
    And the field "email" still holds "taken@example.com"
    And the field "displayName" still holds "Taken Person"
    And the page shows no debug details
    And the REST API received 1 call to "/api/validate-email"
    And the REST API received 0 calls to "/api/loyalty"
    When the user fills in:
      | field | value            |
      | email | free@example.com |
    And the user continues
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim         | value            |
      | sub           | free@example.com |
      | name          | Taken Person     |
      | loyaltyNumber | (present)        |
    And the REST API received 2 calls to "/api/validate-email"
    And the REST API received 1 call to "/api/loyalty"

  Scenario: ContinueOnError runs the next validation profile after a failure (REST-09)
    Given the validation technical profile "REST-ValidateEmail" of "SelfAsserted-Profile" continues on error
    When the user starts signing in
    And the user fills in:
      | field       | value             |
      | email       | taken@example.com |
      | displayName | Taken Person      |
    And the user continues
    Then the relying party receives an id_token
    And the REST API received 1 call to "/api/loyalty"

  Scenario: DebugMode shows the error contract's code, request id, developer message and more info (REST-10)
    Given the technical profile "REST-ValidateEmail" has the metadata:
      | key       | value |
      | DebugMode | true  |
    When the user starts signing in
    And the user fills in:
      | field       | value             |
      | email       | taken@example.com |
      | displayName | Taken Person      |
    And the user continues
    Then the page shows the error "The email address is already registered."
    And the page shows "API12345" as the code
    And the page shows "The provided email address is already registered." as the developer message

  Scenario: A 400 with the error contract (body status 409) is shown on the page like a 409 (REST-08)
    Given the REST API answers "POST /api/validate-email" with the error contract in HTTP 400: "Your membership has expired."
    When the user starts signing in
    And the user fills in:
      | field       | value            |
      | email       | some@example.com |
      | displayName | Some One         |
    And the user continues
    Then the page shows the error "Your membership has expired."
    And the REST API received 0 calls to "/api/loyalty"

  Scenario: A required field left empty keeps the user on the page, and no REST API is called
    When the user starts signing in
    And the user fills in:
      | field       | value            |
      | email       | some@example.com |
      | displayName |                  |
    And the user continues
    Then the field "email" still holds "some@example.com"
    And the REST API received 0 calls to "/api/validate-email"

  @error
  Scenario: Cancel on the page ends the journey with AADB2C90091
    When the user starts signing in
    And the user cancels the page
    Then the relying party receives the error "access_denied"
    And the error description starts with "AADB2C90091: The user has cancelled entering self-asserted information."
    And the relying party receives no token

  Scenario: A validation profile's output reaches the token only through the page's output claims (UJ-06)
    When the user starts signing in
    And the user fills in:
      | field       | value            |
      | email       | free@example.com |
      | displayName | Free Person      |
    And the user continues
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim         | value     |
      | loyaltyNumber | (present) |
    And the id_token has no claim "loyaltyNumberIsNew"

  Scenario: UseClaimAsBearerToken with the claim missing makes no call and shows AADB2C90194 (REST-06)
    Given the technical profile "REST-GetLoyaltyNumber" has the metadata:
      | key                   | value    |
      | AuthenticationType    | Bearer   |
      | UseClaimAsBearerToken | apiToken |
    And the technical profile "REST-GetLoyaltyNumber" has the input claim "apiToken"
    When the user starts signing in
    And the user fills in:
      | field       | value            |
      | email       | free@example.com |
      | displayName | Free Person      |
    And the user continues
    Then the page shows the error "AADB2C90194"
    And the REST API received 0 calls to "/api/loyalty"
