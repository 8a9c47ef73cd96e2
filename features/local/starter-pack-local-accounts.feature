@local @starterpack
Feature: Local accounts of the public starter pack, run unchanged
  The SocialAndLocalAccounts pack of Azure-Samples/active-directory-b2c-custom-policy-starterpack,
  read byte for byte from the starter pack folder (IEFCONFORM_STARTERPACK), signs users up
  with a verified email, signs them in against the directory and reports B2C's errors
  (spec b2c-directory-local-accounts.md §2, §3).

  Background:
    Given the relying party uses the starter pack policy "B2C_1A_signup_signin" from "SocialAndLocalAccounts"

  Scenario: The unified page has B2C's local form and the Facebook button (LA-01)
    When the user starts signing in
    Then the page has field "signInName"
    And the field "signInName" is of type "email"
    And the page has field "password"
    And the page has field "forgotPassword"
    And the page has field "createAccount"
    And the sign-in page offers the claims exchange "FacebookExchange"

  Scenario: Sign-up with a verified email writes the account and the token names the claims as B2C does (LA-08, LA-09, LA-11, DIR-01)
    When the user starts signing in
    And the user follows the link "createAccount"
    Then the page has field "newPassword"
    And the page has no field "objectId"
    And the page has no field "executed-SelfAsserted-Input"
    When the user verifies the email "ann@example.com"
    And the user fills in:
      | field           | value         |
      | newPassword     | Passw0rd!2024 |
      | reenterPassword | Passw0rd!2024 |
      | displayName     | Ann Smith     |
      | givenName       | Ann           |
      | surname         | Smith         |
    And the user continues
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim       | value           |
      | name        | Ann Smith       |
      | given_name  | Ann             |
      | family_name | Smith           |
      | email       | ann@example.com |
    And the id_token claim "sub" matches "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    And the id_token has no claim "idp"
    And the directory has a local account "ann@example.com" named "Ann Smith"

  Scenario: Sign-up cannot continue with an unverified email (LA-10)
    When the user starts signing in
    And the user follows the link "createAccount"
    And the user fills in:
      | field           | value           |
      | email           | ann@example.com |
      | newPassword     | Passw0rd!2024   |
      | reenterPassword | Passw0rd!2024   |
    And the user continues
    Then the page shows the error "Claim not verified: Email Address"
    And the directory has 0 accounts

  Scenario: Passwords that differ are refused on the page (SA-06)
    When the user starts signing in
    And the user follows the link "createAccount"
    And the user verifies the email "ann@example.com"
    And the user fills in:
      | field           | value         |
      | newPassword     | Passw0rd!2024 |
      | reenterPassword | Passw0rd!2025 |
    And the user continues
    Then the page shows the message "The password entry fields do not match." in "passwordEntryMismatch"
    And the directory has 0 accounts

  Scenario: A password outside the pack's pattern is refused with its help text (SA-05)
    When the user starts signing in
    And the user follows the link "createAccount"
    And the user verifies the email "ann@example.com"
    And the user fills in:
      | field           | value |
      | newPassword     | abc   |
      | reenterPassword | abc   |
    And the user continues
    Then the field "newPassword" shows the error "8-16 characters"

  Scenario: A local account signs in and the directory is read (LA-07)
    Given the directory has a local account "bob@example.com" with password "Passw0rd!2024" and the attributes:
      | name        | value     |
      | displayName | Bob Jones |
      | givenName   | Bob       |
      | surname     | Jones     |
    When the user starts signing in
    And the user signs in with the email "bob@example.com" and the password "Passw0rd!2024"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim       | value     |
      | name        | Bob Jones |
      | given_name  | Bob       |
      | family_name | Jones     |
    And the id_token has no claim "email"

  Scenario: A wrong password keeps the sign-in page with B2C's message (LA-03)
    Given the directory has a local account "bob@example.com" with password "Passw0rd!2024"
    When the user starts signing in
    And the user signs in with the email "bob@example.com" and the password "Wrong!2024x"
    Then the sign-in page shows the error "Your password is incorrect."

  Scenario: An unknown user keeps the sign-in page with B2C's message (LA-04)
    When the user starts signing in
    And the user signs in with the email "nobody@example.com" and the password "Passw0rd!2024"
    Then the sign-in page shows the error "We can't seem to find your account."

  Scenario: The forgot-password link of the unmodified pack hands over to the password-reset policy (LA-12)
    When the user starts signing in
    And the user follows the link "forgotPassword"
    Then the relying party receives the error "access_denied"
    And the error description starts with "AADB2C90118: The user has forgotten their password."

  @inferred
  Scenario: A second sign-in in the same browser is silent (SSO-01)
    Given the directory has a local account "bob@example.com" with password "Passw0rd!2024" and the attributes:
      | name        | value     |
      | displayName | Bob Jones |
    When the user starts signing in
    And the user signs in with the email "bob@example.com" and the password "Passw0rd!2024"
    Then the relying party receives an id_token
    When the user starts signing in
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim | value     |
      | name  | Bob Jones |

  @inferred
  Scenario: A sign-up is remembered too (SSO-02)
    When the user starts signing in
    And the user follows the link "createAccount"
    And the user verifies the email "ann@example.com"
    And the user fills in:
      | field           | value         |
      | newPassword     | Passw0rd!2024 |
      | reenterPassword | Passw0rd!2024 |
      | displayName     | Ann Smith     |
    And the user continues
    Then the relying party receives an id_token
    When the user starts signing in
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim | value     |
      | name  | Ann Smith |

  Scenario: prompt=login shows the sign-in page despite the session (SSO-03)
    Given the directory has a local account "bob@example.com" with password "Passw0rd!2024"
    When the user starts signing in
    And the user signs in with the email "bob@example.com" and the password "Passw0rd!2024"
    Then the relying party receives an id_token
    Given the relying party sends the parameter "prompt" with "login"
    When the user starts signing in
    Then the page has field "signInName"

  Scenario: prompt=none without a session (SSO-03)
    Given the relying party sends the parameter "prompt" with "none"
    When the user starts signing in
    Then the relying party receives the error "interaction_required"
    And the error description starts with "AADB2C90077: User does not have an existing session and request prompt parameter has a value of 'none'."

  Scenario: After signing out the sign-in page shows again (SSO-07)
    Given the directory has a local account "bob@example.com" with password "Passw0rd!2024"
    When the user starts signing in
    And the user signs in with the email "bob@example.com" and the password "Passw0rd!2024"
    Then the relying party receives an id_token
    When the user signs out
    And the user starts signing in
    Then the page has field "signInName"

  Scenario: Sign-up with an address already registered creates nothing and says so (DIR-03)
    Given the directory has a local account "Bob@Example.com" with password "Passw0rd!2024"
    When the user starts signing in
    And the user follows the link "createAccount"
    And the user verifies the email "bob@example.com"
    And the user fills in:
      | field           | value         |
      | newPassword     | Passw0rd!2024 |
      | reenterPassword | Passw0rd!2024 |
    And the user continues
    Then the page shows the error "A user with the specified ID already exists. Please choose a different one."
    And the directory has 1 account

  Scenario: Cancel on the sign-up page ends the journey with AADB2C90091 (LA-16)
    When the user starts signing in
    And the user follows the link "createAccount"
    And the user presses "cancel"
    Then the relying party receives the error "access_denied"
    And the error description starts with "AADB2C90091: The user has cancelled entering self-asserted information."

  Scenario: The sign-up page's button reads as the pack localizes it (LA-08)
    When the user starts signing in
    And the user follows the link "createAccount"
    Then the page shows the message "Create" in "continue"
