@rest
Feature: What a RESTful technical profile does with the API's answer
  Spec §4.1 and §4.3: a flat JSON object maps by PartnerClaimType, nested paths
  in both forms with ResolveJsonPathsInJsonTokens (seed 004's contacts
  response), DefaultValue for missing members; a non-JSON 200 fails; in an
  orchestration step an error contract or a failure redirects to the relying
  party with an error; 5xx, resets and timeouts are retried, 3 attempts in all.
  REST-GetContacts is the orchestration step after the page.

  Background:
    Given the relying party uses the policy "B2C_1A_Rest_Profile" from "rest"
    And the REST API route "POST /api/validate-email" behaves as "email-exists" knowing "taken@example.com"
    And the REST API route "POST /api/loyalty" behaves as "loyalty-number"
    And the REST API route "POST /api/contacts" behaves as "contacts"

  Scenario: Flat members, seed 004's nested contacts response in both path forms, and a DefaultValue (REST-07)
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim                | value            |
      | loyaltyNumber        | (present)        |
      | contactEmail         | free@example.com |
      | contactName          | (present)        |
      | contactLoyaltyNumber | (present)        |

  Scenario: Without ResolveJsonPathsInJsonTokens nested paths are not resolved (REST-07)
    Given the technical profile "REST-GetContacts" has the metadata:
      | key                          | value |
      | ResolveJsonPathsInJsonTokens | false |
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives an id_token
    And the id_token has no claim "contactEmail"
    And the id_token has no claim "contactName"

  @error @inferred
  Scenario: A 200 whose body is not JSON fails the step (REST-14)
    Given the REST API answers "POST /api/contacts" with HTTP 200 and the body "<html>maintenance</html>"
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90273"
    And the relying party receives no token

  @error @inferred
  Scenario: An error contract from an orchestration step redirects to the relying party with its userMessage (REST-11)
    Given the REST API answers "POST /api/contacts" with the error contract in HTTP 409: "No contact record for this user."
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives the error "server_error"
    And the error description starts with "No contact record for this user."
    And the error description has B2C's correlation id and timestamp lines
    And the relying party receives no token

  @inferred
  Scenario: A 500 is retried and the second attempt succeeds (REST-13)
    Given the REST API answers "POST /api/contacts" in turn with:
      """
      [{"status": 500, "body": "{\"error\":\"busy\"}"}]
      """
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives an id_token
    And the REST API received 2 calls to "/api/contacts"

  @error @inferred
  Scenario: Three 500s end the journey after 3 attempts (REST-13)
    Given the REST API answers "POST /api/contacts" in turn with:
      """
      [{"status": 500}, {"status": 500}, {"status": 500}, {"status": 500}]
      """
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90075: The claims exchange 'REST-GetContacts'"
    And the REST API received 3 calls to "/api/contacts"

  @error @inferred
  Scenario: A connection reset every time ends with DefaultUserMessageIfRequestFailed after 3 attempts (REST-13)
    Given the technical profile "REST-GetContacts" has the metadata:
      | key                               | value                                   |
      | DefaultUserMessageIfRequestFailed | Our contact service is not available.   |
    And the REST API answers "POST /api/contacts" in turn with:
      """
      [{"fault": "reset"}, {"fault": "reset"}, {"fault": "reset"}, {"fault": "reset"}]
      """
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives the error "server_error"
    And the error description starts with "Our contact service is not available."
    And the REST API received 3 calls to "/api/contacts"

  @error @inferred
  Scenario: An API slower than the timeout is tried 3 times, then UserMessageIfRequestTimeout (REST-12)
    Given the emulator gives REST APIs 200 ms per attempt
    And the technical profile "REST-GetContacts" has the metadata:
      | key                         | value                                          |
      | UserMessageIfRequestTimeout | The contact service took more than {0} seconds. |
    And the REST API answers "POST /api/contacts" in turn with:
      """
      [{"delay": "5s"}, {"delay": "5s"}, {"delay": "5s"}, {"delay": "5s"}]
      """
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives the error "server_error"
    And the error description starts with "The contact service took more than 0.2 seconds."
    And the REST API received 3 calls to "/api/contacts"
