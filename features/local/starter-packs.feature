@local @starterpack
Feature: The four starter packs run unchanged
  LocalAccounts, SocialAccounts and SocialAndLocalAccountsWithMfa, read byte for byte
  from the starter pack folder, next to SocialAndLocalAccounts (its own features).
  The MFA pack's phone-factor step is not implemented yet: the journey reaches it and
  stops with a page naming it.

  Background:
    Given Facebook has a user "alice" with password "wonderland" and claims:
      | name       | value             |
      | id         | 10158000000000001 |
      | first_name | Alice             |
      | last_name  | Liddell           |
      | name       | Alice Liddell     |
      | email      | alice@example.com |

  Scenario: LocalAccounts: sign-up, then sign-in after sign-out (LA-11, LA-07)
    Given the relying party uses the starter pack policy "B2C_1A_signup_signin" from "LocalAccounts"
    When the user starts signing in
    Then the page has field "localAccountForm"
    And the page has no field "FacebookExchange"
    When the user follows the link "createAccount"
    And the user verifies the email "ann@example.com"
    And the user fills in:
      | field           | value         |
      | newPassword     | Passw0rd!2024 |
      | reenterPassword | Passw0rd!2024 |
      | displayName     | Ann Smith     |
    And the user continues
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim | value           |
      | name  | Ann Smith       |
      | email | ann@example.com |
    And the id_token claim "tid" matches "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    When the user signs out
    And the user starts signing in
    And the user signs in with the email "ann@example.com" and the password "Passw0rd!2024"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim | value     |
      | name  | Ann Smith |
    And the id_token has no claim "email"

  Scenario: SocialAccounts: a new Facebook user signs up (DIR-05)
    Given the relying party uses the starter pack policy "B2C_1A_signup_signin" from "SocialAccounts"
    When the user starts signing in
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the page has field "displayName"
    When the user continues
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim       | value             |
      | name        | Alice Liddell     |
      | given_name  | Alice             |
      | family_name | Liddell           |
      | idp         | facebook.com      |
    And the directory has 1 account

  Scenario: SocialAndLocalAccountsWithMfa reaches its phone-factor step and says it is not implemented yet
    Given the relying party uses the starter pack policy "B2C_1A_signup_signin" from "SocialAndLocalAccountsWithMfa"
    And the directory has a local account "bob@example.com" with password "Passw0rd!2024"
    When the user starts signing in
    And the user signs in with the email "bob@example.com" and the password "Passw0rd!2024"
    Then the browser shows the error "PhoneFactor-InputOrVerify"
    And the browser shows the error "not implemented by the emulator yet"
