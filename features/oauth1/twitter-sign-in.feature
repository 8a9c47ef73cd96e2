@oauth1 @twitter
Feature: Sign in with a Twitter-like OAuth 1.0a identity provider
  Twitter-OAUTH1 of seed 002 against a strict RFC 5849 provider: temporary
  credentials with the lowercase callback, the authorization redirect, token
  credentials with the verifier, a signed claims call whose own query is part
  of the signature, and the output claims of seed 002 (spec §3).

  Background:
    Given the relying party uses the policy "B2C_1A_Twitter_SignIn" from "social"
    And Twitter has a user "alice" with password "wonderland" and claims:
      | name        | value             |
      | user_id     | 1187000000000001  |
      | screen_name | alice_l           |
      | email       | alice@example.com |

  Scenario: Sign-in gives the claims seed 002 maps (OA1-01, OA1-02, OA1-03, OA1-06)
    When the user starts signing in
    And the user signs in at Twitter as "alice" with password "wonderland"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim                | value                   |
      | sub                  | 1187000000000001        |
      | name                 | alice_l                 |
      | email                | alice@example.com       |
      | idp                  | twitter.com             |
      | authenticationSource | socialIdpAuthentication |
    And Twitter received a POST to "/oauth/request_token" with the OAuth parameters:
      | parameter              | value                  |
      | oauth_callback         | {oauth1.callback}      |
      | oauth_consumer_key     | {twitter.consumer_key} |
      | oauth_signature_method | HMAC-SHA1              |
      | oauth_token            | (absent)               |
    And Twitter received a GET to "/oauth/authenticate" with:
      | parameter   | value     |
      | oauth_token | (present) |
    And Twitter received a POST to "/oauth/access_token" with the OAuth parameters:
      | parameter      | value     |
      | oauth_token    | (present) |
      | oauth_verifier | (present) |

  Scenario: Every signed request has its own nonce and a current timestamp (OA1-04)
    When the user starts signing in
    And the user signs in at Twitter as "alice" with password "wonderland"
    Then the relying party receives an id_token
    And the OAuth requests Twitter received used distinct nonces and timestamps within 60 seconds of when they arrived

  Scenario: The claims call is signed with the access token over the ClaimsEndpoint's own query (OA1-05)
    When the user starts signing in
    And the user signs in at Twitter as "alice" with password "wonderland"
    Then the relying party receives an id_token
    And Twitter received a GET to "/1.1/account/verify_credentials.json" with:
      | parameter     | value |
      | include_email | true  |
    And Twitter's last request to "/1.1/account/verify_credentials.json" was signed over a base string containing "include_email%3Dtrue"

  Scenario: Without include_email Twitter gives no email and the claim is left out (OA1-05, OA1-06)
    Given the setting "TwitterClaimsEndpoint" is "{twitter}/1.1/account/verify_credentials.json?skip_status=true"
    When the user starts signing in
    And the user signs in at Twitter as "alice" with password "wonderland"
    Then the relying party receives an id_token
    And the id_token has no claim "email"
    And the id_token has the claims:
      | claim | value            |
      | sub   | 1187000000000001 |

  @error @inferred
  Scenario: The user denies at Twitter (OA1-07)
    Given the relying party sends the state "deny-1"
    When the user starts signing in
    And the user cancels at Twitter
    Then the relying party receives the error "access_denied"
    And the error description starts with "AADB2C90273: An invalid response was received"
    And the error description has B2C's correlation id and timestamp lines
    And the state "deny-1" comes back
    And the relying party receives no token
    And Twitter received no request to "/oauth/access_token"

  @error
  Scenario: A wrong consumer secret in the policy is refused with signature_invalid
    Given the policy key "B2C_1A_TwitterSecret" holds the secret "not-the-secret"
    When the user starts signing in
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289: We encountered an 'signature_invalid' error"
    And the relying party receives no token
    And the journal shows Twitter answered "/oauth/request_token" with the error "signature_invalid"

  @error
  Scenario: Twitter refuses a replayed request with nonce_used
    When the user starts signing in
    And the user signs in at Twitter as "alice" with password "wonderland"
    Then the relying party receives an id_token
    When Twitter's last request to "/oauth/request_token" is sent to it again
    Then the journal shows Twitter answered "/oauth/request_token" with the error "nonce_used"

  @error @inferred
  Scenario: An expired request token ends the sign-in with an error (OA1-03)
    Given Twitter's access token endpoint answers with HTTP 401 and the body "oauth_problem=token_expired"
    When the user starts signing in
    And the user signs in at Twitter as "alice" with password "wonderland"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289: We encountered an 'token_expired' error"
    And the relying party receives no token
    And the journal shows Twitter answered "/oauth/access_token" with the error "token_expired"

  @error @inferred
  Scenario: Twitter's claims endpoint is down
    Given Twitter's claims endpoint is unreachable
    When the user starts signing in
    And the user signs in at Twitter as "alice" with password "wonderland"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289: We encountered an error connecting to the identity provider"
    And the relying party receives no token

  Scenario Outline: One policy offers an OAuth1 and an OAuth2 identity provider; the user takes <idp> (UJ-05)
    Given the relying party uses the policy "B2C_1A_Social_SignIn" from "social"
    And Facebook has a user "alice" with password "wonderland" and claims:
      | name       | value             |
      | id         | 10158000000000001 |
      | first_name | Alice             |
      | email      | alice@example.com |
    When the user starts signing in
    Then the sign-in page offers the claims exchange "TwitterExchange"
    And the sign-in page offers the claims exchange "FacebookExchange"
    When the user chooses "<exchange>"
    And the user signs in at <idp> as "alice" with password "wonderland"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim | value  |
      | sub   | <sub>  |
      | idp   | <host> |
    And <other> received no request to "<other path>"

    Examples:
      | idp      | exchange         | sub               | host         | other    | other path           |
      | Twitter  | TwitterExchange  | 1187000000000001  | twitter.com  | Facebook | /authorize           |
      | Facebook | FacebookExchange | 10158000000000001 | facebook.com | Twitter  | /oauth/request_token |
