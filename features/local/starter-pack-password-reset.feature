@local @starterpack
Feature: Password reset and profile edit of the public starter pack, run unchanged
  B2C_1A_PasswordReset verifies the email, finds the account and writes the new
  password; B2C_1A_ProfileEdit signs the user in and updates the names
  (spec b2c-directory-local-accounts.md §2.5, §2.6).

  Background:
    Given the directory has a local account "bob@example.com" with password "Passw0rd!2024" and the attributes:
      | name        | value     |
      | displayName | Bob Jones |
      | givenName   | Bob       |
      | surname     | Jones     |

  Scenario: A password reset replaces the password (LA-13, DIR-08)
    Given the relying party uses the starter pack policy "B2C_1A_PasswordReset" from "SocialAndLocalAccounts"
    When the user starts signing in
    And the user verifies the email "bob@example.com"
    And the user continues
    Then the page has field "newPassword"
    When the user fills in:
      | field           | value          |
      | newPassword     | N3wPassw0rd!24 |
      | reenterPassword | N3wPassw0rd!24 |
    And the user continues
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim | value           |
      | email | bob@example.com |
    Given the relying party uses the starter pack policy "B2C_1A_signup_signin" from "SocialAndLocalAccounts"
    And the relying party sends the parameter "prompt" with "login"
    When the user starts signing in
    And the user signs in with the email "bob@example.com" and the password "Passw0rd!2024"
    Then the sign-in page shows the error "Your password is incorrect."
    When the user signs in with the email "bob@example.com" and the password "N3wPassw0rd!24"
    Then the relying party receives an id_token

  Scenario: A password reset for an address without an account (DIR-09)
    Given the relying party uses the starter pack policy "B2C_1A_PasswordReset" from "SocialAndLocalAccounts"
    When the user starts signing in
    And the user verifies the email "nobody@example.com"
    And the user continues
    Then the page shows the error "An account could not be found for the provided user ID."

  Scenario: Profile edit signs the user in and updates the names (LA-15, DIR-07)
    Given the relying party uses the starter pack policy "B2C_1A_ProfileEdit" from "LocalAccounts"
    When the user starts signing in
    Then the page has field "signInName"
    When the user fills in:
      | field      | value           |
      | signInName | bob@example.com |
      | password   | Passw0rd!2024   |
    And the user continues
    Then the field "givenName" still holds "Bob"
    When the user fills in:
      | field     | value  |
      | givenName | Robert |
    And the user continues
    Then the relying party receives an id_token
    And the id_token claim "sub" matches "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    And the id_token claim "tid" matches "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    And the id_token has no claim "given_name"
    And the directory has a local account "bob@example.com" named "Bob Jones"
    And the directory account "bob@example.com" has "givenName" equal to "Robert"
