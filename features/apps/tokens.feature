@apps @starterpack
Feature: Tokens and refresh as B2C issues them to an application
  The relying party signs a local account in through the unmodified SocialAndLocalAccounts
  pack with the code flow and redeems the code: the token endpoint's answer depends on the
  scopes (spec b2c-apps-tokens.md §3, §4, §5).

  Background:
    Given the relying party uses the starter pack policy "B2C_1A_signup_signin" from "SocialAndLocalAccounts"
    And the directory has a local account "bob@example.com" with password "Passw0rd!2024" and the attributes:
      | name        | value     |
      | displayName | Bob Jones |
    And the relying party asks for a code by query

  Scenario: openid and offline_access: an id_token and a refresh token, no access token (TOK-01)
    Given the relying party asks for the scopes "openid offline_access"
    When the user starts signing in
    And the user signs in with the email "bob@example.com" and the password "Passw0rd!2024"
    Then the relying party receives an id_token
    And the relying party receives a refresh token
    And the relying party receives no access token

  Scenario: The client's own id as a scope: an access token for the client (TOK-02)
    Given the relying party asks for the scopes "openid {rp.client_id}"
    When the user starts signing in
    And the user signs in with the email "bob@example.com" and the password "Passw0rd!2024"
    Then the relying party receives an access token with the claims:
      | claim | value            |
      | aud   | {rp.client_id}   |
      | azp   | {rp.client_id}   |
      | name  | Bob Jones        |
      | ver   | 1.0              |

  Scenario: A refresh brings new tokens with the same claims (RT-01)
    Given the relying party asks for the scopes "openid offline_access {rp.client_id}"
    When the user starts signing in
    And the user signs in with the email "bob@example.com" and the password "Passw0rd!2024"
    Then the relying party receives a refresh token
    When the relying party refreshes its tokens
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim | value     |
      | name  | Bob Jones |
    And the relying party receives a refresh token
    And the relying party receives an access token with the claims:
      | claim | value          |
      | aud   | {rp.client_id} |

  Scenario: A refresh token revoked in the directory is refused (RT-03)
    Given the relying party asks for the scopes "openid offline_access"
    When the user starts signing in
    And the user signs in with the email "bob@example.com" and the password "Passw0rd!2024"
    Then the relying party receives a refresh token
    When the user's refresh tokens are revoked in the directory
    And the relying party refreshes its tokens
    Then the relying party receives the error "invalid_grant"
    And the error description starts with "AADB2C90129: The provided grant has been revoked."

  Scenario: Hybrid code id_token by form_post: the id_token carries the code's c_hash (TOK-06)
    Given the relying party asks for a code and an id_token by form_post
    When the user starts signing in
    And the user signs in with the email "bob@example.com" and the password "Passw0rd!2024"
    Then the relying party receives an id_token
    And the front-channel id_token carries the code's c_hash
