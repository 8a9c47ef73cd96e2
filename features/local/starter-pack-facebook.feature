@local @starterpack
Feature: Facebook through the public starter pack, run unchanged
  SocialAndLocalAccounts names https://www.facebook.com/dialog/oauth and
  https://graph.facebook.com/...; the stack's host map sends both to the Facebook
  mock, which accepts the pack's client id facebook_clientid. A new user signs up
  through SelfAsserted-Social (a directory write); a returning one is read from the
  directory (spec b2c-directory-local-accounts.md §1.9, §2.8, §5.3).

  Background:
    Given the relying party uses the starter pack policy "B2C_1A_signup_signin" from "SocialAndLocalAccounts"
    And Facebook has a user "alice" with password "wonderland" and claims:
      | name       | value             |
      | id         | 10158000000000001 |
      | first_name | Alice             |
      | last_name  | Liddell           |
      | name       | Alice Liddell     |
      | email      | alice@example.com |

  Scenario: A new Facebook user is written to the directory; signing in again reads it (DIR-05, CTP-04, CTP-05)
    When the user starts signing in
    And the user chooses "FacebookExchange"
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the page has field "displayName"
    When the user continues
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim       | value             |
      | name        | Alice Liddell     |
      | given_name  | Alice             |
      | family_name | Liddell           |
      | email       | alice@example.com |
      | idp         | facebook.com      |
    And the directory has 1 account
    When the user signs out
    And the user starts signing in
    And the user chooses "FacebookExchange"
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim | value         |
      | name  | Alice Liddell |
      | idp   | facebook.com  |
    And the directory has 1 account

  @inferred
  Scenario: After a Facebook sign-in the next one goes straight to Facebook (SSO-04)
    When the user starts signing in
    And the user chooses "FacebookExchange"
    And the user signs in at Facebook as "alice" with password "wonderland"
    And the user continues
    Then the relying party receives an id_token
    When the user starts signing in
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives an id_token
