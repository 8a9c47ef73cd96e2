@apps
Feature: Application registrations: B2C's checks at authorize and at the token endpoint
  The emulator's tenant has application registrations as a B2C tenant does: client id,
  redirect URIs matched exactly, secrets, public clients, the implicit flag. The relying
  party signs in as one of them (spec b2c-apps-tokens.md §1).

  Background:
    Given the relying party uses the policy "B2C_1A_signup_signin" from "facebook"
    And Facebook has a user "alice" with password "wonderland" and claims:
      | name | value             |
      | id   | 10158000000000001 |

  Scenario: An unknown client id is refused on B2C's error page (APP-01)
    Given the relying party sends the parameter "client_id" with "7b0c8d7e-0000-4000-8000-000000000000"
    When the user starts signing in
    Then the browser shows the error "AADB2C90018"
    And the browser shows the error "specified in the request is not registered in tenant"

  Scenario: A redirect URI the application did not register is refused on the error page (APP-02)
    Given the relying party sends the parameter "redirect_uri" with "https://evil.example/callback"
    When the user starts signing in
    Then the browser shows the error "AADB2C90006"
    And the browser shows the error "https://evil.example/callback"

  Scenario: A confidential client's wrong secret (APP-03)
    Given the application "a0000000-0000-4000-8000-000000000001" is registered for the relying party's redirect URI with the secret "right"
    And the relying party signs in as the application "a0000000-0000-4000-8000-000000000001"
    And the relying party asks for a code by query
    And the relying party redeems the code with the client secret "wrong"
    When the user starts signing in
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives the error "invalid_client"
    And the error description starts with "AADB2C90081: The specified client_secret does not match the expected value for this client."

  Scenario: A confidential client that sends no secret (APP-04)
    Given the application "a0000000-0000-4000-8000-000000000002" is registered for the relying party's redirect URI with the secret "right"
    And the relying party signs in as the application "a0000000-0000-4000-8000-000000000002"
    And the relying party asks for a code by query
    And the relying party redeems the code without a client secret
    When the user starts signing in
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives the error "invalid_request"
    And the error description starts with "AADB2C90079: Clients must send a client_secret when redeeming a confidential grant."

  Scenario: A confidential client with its secret gets its token (APP-05)
    Given the application "a0000000-0000-4000-8000-000000000003" is registered for the relying party's redirect URI with the secret "right"
    And the relying party signs in as the application "a0000000-0000-4000-8000-000000000003"
    And the relying party asks for a code by query
    And the relying party redeems the code with the client secret "right"
    When the user starts signing in
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim | value                                |
      | aud   | a0000000-0000-4000-8000-000000000003 |

  Scenario: A public client that sends a secret (APP-06)
    Given the application "a0000000-0000-4000-8000-000000000004" is registered for the relying party's redirect URI as a public client
    And the relying party signs in as the application "a0000000-0000-4000-8000-000000000004"
    And the relying party asks for a code by query
    And the relying party uses PKCE
    And the relying party redeems the code with the client secret "a-secret"
    When the user starts signing in
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives the error "invalid_request"
    And the error description starts with "AADB2C90084: Public clients should not send a client_secret when redeeming a publicly acquired grant."

  Scenario: A public client without PKCE (APP-07)
    Given the application "a0000000-0000-4000-8000-000000000005" is registered for the relying party's redirect URI as a public client
    And the relying party signs in as the application "a0000000-0000-4000-8000-000000000005"
    And the relying party asks for a code by query
    When the user starts signing in
    Then the relying party receives the error "invalid_request"
    And the error description starts with "AADB2C99059: The supplied request must present a code_challenge."

  Scenario: An id_token for an application without the implicit flag (APP-08)
    Given the application "a0000000-0000-4000-8000-000000000006" is registered for the relying party's redirect URI with the secret "right" and no implicit flow
    And the relying party signs in as the application "a0000000-0000-4000-8000-000000000006"
    And the relying party asks for an id_token by fragment
    When the user starts signing in
    Then the relying party receives the error "unauthorized_client"
    And the error description starts with "AADB2C90057: The provided application is not configured to allow the 'OAuth' Implicit flow."
