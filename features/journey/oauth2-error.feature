@journey @error
Feature: The OAuth2 error technical profile
  Seed 000 and spec §6: a SendClaims step with the OAuth2Error profile
  ReturnOAuth2Error ends the journey with error=access_denied and
  error_description "AAD_Custom_<errorCode>: <errorMessage>", the correlation id
  and the timestamp, each line ended by CRLF, form-encoded as .NET does. The
  step runs only when the REST API returned an errorCode.

  Background:
    Given the relying party uses the policy "B2C_1A_Journey_CustomError" from "journey"
    And the REST API answers "POST /api/error" with HTTP 200 and the body "{"errorCode":"1234","errorMessage":"My custom error message"}"
    And the REST API answers "POST /api/guarded" with HTTP 200 and the body "{}"

  Scenario: Seed 000's example, byte for byte but for the correlation id and the timestamp (ERR-01, ERR-02)
    Given the relying party sends no state
    When the user starts signing in
    Then the relying party receives the error "access_denied"
    And the answer arrives by fragment
    And the raw answer is exactly "error=access_denied&error_description=AAD_Custom_1234%3a+My+custom+error+message%0d%0aCorrelation+ID%3a+233bf9bd-747a-4800-9062-6236f3f69a47%0d%0aTimestamp%3a+2021-03-25+14%3a01%3a23Z%0d%0a" but for the correlation id and the timestamp
    And the error description starts with "AAD_Custom_1234: My custom error message"
    And the error description has B2C's correlation id and timestamp lines
    And the relying party receives no token

  @inferred
  Scenario Outline: The error travels by the relying party's response_mode <mode>, with state (ERR-03, ERR-04)
    Given the relying party asks for <kind> by <mode>
    And the relying party sends the state "abc"
    When the user starts signing in
    Then the relying party receives the error "access_denied"
    And the answer arrives by <mode>
    And the state "abc" comes back
    And the error description starts with "AAD_Custom_1234: My custom error message"
    And the error description has B2C's correlation id and timestamp lines

    Examples:
      | kind        | mode      |
      | an id_token | fragment  |
      | a code      | query     |
      | an id_token | form_post |

  @security
  Scenario: An id_token is never sent in a query string: AADB2C90014 by fragment before the journey runs
    Given the relying party asks for an id_token by query
    When the user starts signing in
    Then the relying party receives the error "invalid_request"
    And the answer arrives by fragment
    And the error description starts with "AADB2C90014: The requested response mode 'query' is not supported for the response type 'id_token'"
    And the REST API received 0 calls to "/api/error"

  Scenario: Without an errorCode the error step is skipped and JwtIssuer issues the token (ERR-05)
    Given the REST API answers "POST /api/error" with HTTP 200 and the body "{}"
    When the user starts signing in
    Then the relying party receives an id_token

  @inferred
  Scenario: With DefaultCpimIssuerTechnicalProfileReferenceId set, the code flow's /token is served by JwtIssuer (ERR-06)
    Given the REST API answers "POST /api/error" with HTTP 200 and the body "{}"
    And the relying party asks for a code by query
    When the user starts signing in
    Then the relying party receives an id_token

  Scenario: Special characters in the message are form-encoded (ERR-08)
    Given the REST API answers "POST /api/error" with HTTP 200 and the body "{"errorCode":"42","errorMessage":"Tom & Jerry = 1+1 (50%)"}"
    And the relying party asks for a code by query
    When the user starts signing in
    Then the relying party receives the error "access_denied"
    And the raw answer contains "error_description=AAD_Custom_42%3a+Tom+%26+Jerry+%3d+1%2b1+(50%25)%0d%0a"
    And the error description starts with "AAD_Custom_42: Tom & Jerry = 1+1 (50%)"

  Scenario: Without DefaultCpimIssuerTechnicalProfileReferenceId the first SendClaims step's issuer is the default (UJ-08)
    Given the relying party uses the policy "B2C_1A_Journey_CustomErrorNoDefault" from "journey"
    And the REST API answers "POST /api/error" with HTTP 200 and the body "{}"
    When the user starts signing in
    Then the relying party receives the error "access_denied"
    And the error description starts with "AAD_Custom_: "

  Scenario: A Transfer sub journey returns the error and the parent's later steps never run (ERR-07)
    Given the relying party uses the policy "B2C_1A_Journey_Transfer" from "journey"
    When the user starts signing in
    Then the relying party receives the error "access_denied"
    And the error description starts with "AAD_Custom_1234: My custom error message"
    And the REST API received 0 calls to "/api/guarded"

  Scenario: A Call sub journey returns to the parent's next step
    Given the relying party uses the policy "B2C_1A_Journey_Call" from "journey"
    And the REST API answers "POST /api/color" with HTTP 200 and the body "{"color":"Green"}"
    When the user starts signing in
    Then the relying party receives an id_token
    And the REST API received 1 call to "/api/guarded"
    And the id_token has the claims:
      | claim   | value |
      | sub     | Green |
      | guarded | ran   |

  Scenario: Relying-party output claims resolve {Context:CorrelationId}, {Policy:PolicyId} and {OAUTH-KV:...} (UJ-09, UJ-10)
    Given the REST API answers "POST /api/error" with HTTP 200 and the body "{}"
    And the relying party sends the parameter "campaignId" with "spring-sale"
    When the user starts signing in
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim    | value                      |
      | sub      | nobody                     |
      | policy   | B2C_1A_Journey_CustomError |
      | campaign | spring-sale                |
    And the id_token claim "correlation_id" matches "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    And the id_token has no claim "shape"

  @inferred
  Scenario: A Transfer sub journey never returns: one without SendClaims ends the journey (ERR-07)
    Given the relying party uses the policy "B2C_1A_Journey_TransferColor" from "journey"
    And the REST API answers "POST /api/color" with HTTP 200 and the body "{"color":"Green"}"
    When the user starts signing in
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90040"
    And the REST API received 1 call to "/api/color"
    And the REST API received 0 calls to "/api/guarded"

  Scenario: The code flow with PKCE S256 (UJ-09)
    Given the REST API answers "POST /api/error" with HTTP 200 and the body "{}"
    And the relying party asks for a code by query
    And the relying party uses PKCE
    When the user starts signing in
    Then the relying party receives an id_token

  Scenario: A code_verifier that does not match the code_challenge is refused at the token endpoint (UJ-09)
    Given the REST API answers "POST /api/error" with HTTP 200 and the body "{}"
    And the relying party asks for a code by query
    And the relying party uses PKCE but redeems the code with the wrong code_verifier
    When the user starts signing in
    Then the relying party receives the error "invalid_grant"
    And the error description starts with "AADB2C90181"
