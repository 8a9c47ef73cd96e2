@oauth2 @facebook
Feature: Sign in with a Facebook-like OAuth2 identity provider
  The relying party signs users in through B2C_1A_signup_signin, whose journey
  federates with Facebook through the OAuth2 technical profile Facebook-OAUTH of
  seed 001: authorization redirect, callback, token request, claims request and
  output-claim mapping (spec §2.1). The journey has one provider, so with the
  default DisplayOption the browser goes to Facebook straight away.

  Background:
    Given the relying party uses the policy "B2C_1A_signup_signin" from "facebook"
    And Facebook has a user "alice" with password "wonderland" and claims:
      | name       | value             |
      | id         | 10158000000000001 |
      | first_name | Alice             |
      | last_name  | Liddell           |
      | name       | Alice Liddell     |
      | email      | alice@example.com |

  Scenario: Sign-in gives the claims the policy mapped (OA2-01, OA2-05, OA2-08, OA2-10, OA2-12)
    When the user starts signing in
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim                | value                   |
      | sub                  | 10158000000000001       |
      | given_name           | Alice                   |
      | family_name          | Liddell                 |
      | name                 | Alice Liddell           |
      | email                | alice@example.com       |
      | idp                  | facebook.com            |
      | authenticationSource | socialIdpAuthentication |
      | aud                  | {rp.client_id}          |
      | tfp                  | b2c_1a_signup_signin    |
    And Facebook received a GET to "/authorize" with:
      | parameter     | value                |
      | client_id     | {facebook.client_id} |
      | response_type | code                 |
      | response_mode | form_post            |
      | redirect_uri  | {authresp}           |
      | scope         | email public_profile |
      | state         | (present)            |
    And Facebook received a POST to "/token" with:
      | parameter     | value                |
      | grant_type    | authorization_code   |
      | code          | (present)            |
      | redirect_uri  | {authresp}           |
      | client_id     | {facebook.client_id} |
      | client_secret | {facebook.secret}    |
    And Facebook received a GET to "/me" with:
      | parameter    | value     |
      | access_token | (present) |

  Scenario Outline: The relying party gets its answer by <type> through <mode>
    Given the relying party asks for an <type> by <mode>
    And the relying party sends the state "<state>"
    When the user starts signing in
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives an id_token
    And the answer arrives by <mode>
    And the state "<state>" comes back
    And the id_token has the claims:
      | claim      | value |
      | given_name | Alice |

    Examples:
      | type     | mode      | state        |
      | id_token | fragment  | frag-1       |
      | id_token | form_post | post-3       |
      | code     | query     | code-query-4 |
      | code     | form_post | code-post-5  |
      | code     | fragment  | code-frag-6  |

  @security
  Scenario: An id_token by query is refused before Facebook is asked (AADB2C90014)
    Given the relying party asks for an id_token by query
    When the user starts signing in
    Then the relying party receives the error "invalid_request"
    And the answer arrives by fragment
    And the error description starts with "AADB2C90014: "
    And Facebook received no request to "/authorize"

  Scenario: With ShowSingleProvider the selection page offers Facebook
    Given the relying party uses the policy "B2C_1A_signup_signin_picker" from "facebook"
    When the user starts signing in
    Then the sign-in page offers the claims exchange "FacebookExchange"
    When the user chooses "FacebookExchange"
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives an id_token

  @error
  Scenario: The user cancels at Facebook (OA2-13)
    Given the relying party sends the state "cancel-1"
    When the user starts signing in
    And the user cancels at Facebook
    Then the relying party receives the error "access_denied"
    And the error description starts with "AADB2C90273: An invalid response was received : 'Error: access_denied"
    And the error description has B2C's correlation id and timestamp lines
    And the state "cancel-1" comes back
    And the relying party receives no token
    And Facebook received no request to "/token"

  @error
  Scenario: A wrong client secret in the policy is refused by Facebook
    Given the policy key "B2C_1A_FacebookSecret" holds the secret "not-the-secret"
    When the user starts signing in
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289: We encountered an 'invalid_client' error"
    And the relying party receives no token
    And the journal shows Facebook answered "/token" with the error "invalid_client"
    And Facebook received no request to "/me"

  @error @inferred
  Scenario: Facebook's claims endpoint answers with something that is not JSON
    Given Facebook's claims endpoint answers with HTTP 200 and the body "<html>oops</html>"
    When the user starts signing in
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90273: An invalid response was received"
    And the relying party receives no token

  @error @inferred
  Scenario: Facebook's token endpoint is down
    Given Facebook's token endpoint is unreachable
    When the user starts signing in
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289: We encountered an error connecting to the identity provider"
    And the relying party receives no token
