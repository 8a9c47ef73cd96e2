@oauth2 @contoso
Feature: The OAuth2 claims (user info) request
  Spec §2.1 step D: the claims endpoint is called with GET, the access token in
  the query (ClaimsEndpointAccessTokenName) or in an Authorization header
  (BearerTokenTransmissionMethod), a format parameter
  (ClaimsEndpointFormatName/ClaimsEndpointFormat), and the endpoint's own query.

  Background:
    Given the relying party uses the policy "B2C_1A_OAuth2_SignIn" from "oauth2"
    And Contoso has a user "bob" with password "builder" and claims:
      | name        | value        |
      | sub         | contoso-0001 |
      | given_name  | Bob          |
      | family_name | Builder      |

  Scenario: By default the access token goes in the query parameter access_token (OA2-08)
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And Contoso received a GET to "/me" with:
      | parameter    | value     |
      | access_token | (present) |
    And Contoso's last request to "/me" has no header "Authorization"

  Scenario: ClaimsEndpointAccessTokenName renames the query parameter (OA2-08)
    Given Contoso's client is configured with:
      | field            | value |
      | claimsTokenParam | token |
      | claimsTokenIn    | query |
    And the technical profile "Contoso-OAUTH2" has the metadata:
      | key                           | value |
      | ClaimsEndpointAccessTokenName | token |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And Contoso received a GET to "/me" with:
      | parameter    | value     |
      | token        | (present) |
      | access_token | (absent)  |

  Scenario: BearerTokenTransmissionMethod AuthorizationHeader sends the token as a Bearer header only (OA2-08)
    Given Contoso's client is configured with:
      | field         | value  |
      | claimsTokenIn | header |
    And the technical profile "Contoso-OAUTH2" has the metadata:
      | key                           | value               |
      | BearerTokenTransmissionMethod | AuthorizationHeader |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And Contoso's last request to "/me" has the header "Authorization" starting with "Bearer "
    And Contoso received a GET to "/me" with:
      | parameter    | value    |
      | access_token | (absent) |

  @error
  Scenario: An identity provider that wants the token in a header refuses it in the query (OA2-08)
    Given Contoso's client is configured with:
      | field         | value  |
      | claimsTokenIn | header |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289"

  Scenario: ClaimsEndpointFormatName and ClaimsEndpointFormat add the format parameter (OA2-09)
    Given Contoso's client is configured with:
      | field             | value  |
      | claimsFormatParam | format |
      | claimsFormatValue | json   |
    And the technical profile "Contoso-OAUTH2" has the metadata:
      | key                      | value  |
      | ClaimsEndpointFormatName | format |
      | ClaimsEndpointFormat     | json   |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And Contoso received a GET to "/me" with:
      | parameter | value |
      | format    | json  |

  @error
  Scenario: Without the format parameter an identity provider that requires one refuses the claims request (OA2-09)
    Given Contoso's client is configured with:
      | field             | value  |
      | claimsFormatParam | format |
      | claimsFormatValue | json   |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289: We encountered an 'invalid_request' error"

  Scenario: A ClaimsEndpoint with its own query string keeps it and gets the token appended
    Given the setting "ContosoClaimsEndpoint" is "{contoso}/me?fields=sub,given_name"
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And Contoso received a GET to "/me" with:
      | parameter    | value          |
      | fields       | sub,given_name |
      | access_token | (present)      |
    And the id_token has the claims:
      | claim      | value |
      | given_name | Bob   |
    And the id_token has no claim "family_name"
