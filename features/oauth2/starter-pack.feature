@oauth2 @starterpack
Feature: The starter pack's Facebook and LinkedIn profiles run unchanged
  B2C_1A_StarterPack_SignIn holds the public starter pack's Facebook-OAUTH
  (HttpBinding GET, AccessTokenResponseFormat json, a ClaimsEndpoint with
  ?fields=) and LinkedIn-OAUTH (BearerTokenTransmissionMethod
  AuthorizationHeader, ResolveJsonPathsInJsonTokens) with only their
  {Settings:...} endpoint values changed; the journey offers both.

  Background:
    Given the relying party uses the policy "B2C_1A_StarterPack_SignIn" from "starterpack"
    And Facebook has a user "alice" with password "wonderland" and claims:
      | name       | value             |
      | id         | 10158000000000001 |
      | first_name | Alice             |
      | last_name  | Liddell           |
      | name       | Alice Liddell     |
      | email      | alice@example.com |
    And LinkedIn has a user "alice" with password "wonderland" and claims:
      | name      | value                                                          |
      | id        | li-42                                                          |
      | firstName | {"localized":{"en_US":"Alice"},"preferredLocale":{"language":"en","country":"US"}} |
      | lastName  | {"localized":{"en_US":"Liddell"}}                              |

  Scenario: The CombinedSignInAndSignUp page offers both identity providers, and no local form since the step has no ValidationClaimsExchangeId (UJ-05)
    When the user starts signing in
    Then the sign-in page offers the claims exchange "FacebookExchange"
    And the sign-in page offers the claims exchange "LinkedInExchange"
    And the page has no field "localAccountForm"

  Scenario: Facebook as the starter pack configures it
    When the user starts signing in
    And the user chooses "FacebookExchange"
    And the user signs in at Facebook as "alice" with password "wonderland"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim       | value             |
      | sub         | 10158000000000001 |
      | given_name  | Alice             |
      | family_name | Liddell           |
      | email       | alice@example.com |
      | idp         | facebook.com      |
    And Facebook received a GET to "/token" with:
      | parameter     | value                |
      | client_id     | {facebook.client_id} |
      | client_secret | {facebook.secret}    |
    And Facebook received a GET to "/me" with:
      | parameter | value                              |
      | fields    | id,first_name,last_name,name,email |
    And LinkedIn received no request to "/authorize"

  Scenario: LinkedIn as the starter pack configures it
    When the user starts signing in
    And the user chooses "LinkedInExchange"
    And the user signs in at LinkedIn as "alice" with password "wonderland"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim       | value        |
      | sub         | li-42        |
      | given_name  | Alice        |
      | family_name | Liddell      |
      | idp         | linkedin.com |
    And LinkedIn's last request to "/me" has the header "Authorization" starting with "Bearer "
    And LinkedIn received a GET to "/authorize" with:
      | parameter | value                        |
      | scope     | r_emailaddress r_liteprofile |
    And Facebook received no request to "/authorize"
