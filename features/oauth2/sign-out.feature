@oauth2 @contoso
Feature: Single sign-out from OAuth2 identity providers
  Spec §2.1 step F: at the relying party's sign-out, B2C's sign-out page calls
  each federated identity provider's end_session_endpoint from a hidden iframe,
  unless the technical profile sets SingleLogoutEnabled to false.

  Background:
    Given the relying party uses the policy "B2C_1A_OAuth2_SignIn" from "oauth2"
    And Contoso has a user "bob" with password "builder" and claims:
      | name | value        |
      | sub  | contoso-0001 |

  Scenario: By default sign-out calls the identity provider's end_session_endpoint (OA2-15)
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    When the user signs out
    Then Contoso received 1 request to "/logout"

  Scenario: SingleLogoutEnabled false leaves the identity provider alone (OA2-15)
    Given the technical profile "Contoso-OAUTH2" has the metadata:
      | key                 | value |
      | SingleLogoutEnabled | false |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    When the user signs out
    Then Contoso received no request to "/logout"
