@oauth2 @contoso
Feature: Output claims from an OAuth2 identity provider
  Spec §2.1 step E: PartnerClaimType mapping, JSON paths
  (ResolveJsonPathsInJsonTokens), the {oauth2:...} claim resolvers, DefaultValue
  and AlwaysUseDefaultValue, claim resolvers in output claims
  (IncludeClaimResolvingInClaimsHandling) and the IdTokenAudience check.

  Background:
    Given the relying party uses the policy "B2C_1A_OAuth2_SignIn" from "oauth2"
    And Contoso has a user "bob" with password "builder" and claims:
      | name        | value                                                            |
      | sub         | contoso-0001                                                     |
      | given_name  | Bob                                                              |
      | family_name | Builder                                                          |
      | name        | Bob Builder                                                      |
      | email       | bob@contoso.com                                                  |
      | profile     | {"department":"Research"}                                        |
      | emails      | [{"value":"bob@work.contoso.com"},{"value":"bob@home.example"}] |

  Scenario: Flat claims map by PartnerClaimType; nested paths are not resolved by default (OA2-10)
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim       | value           |
      | sub         | contoso-0001    |
      | given_name  | Bob             |
      | family_name | Builder         |
      | name        | Bob Builder     |
      | email       | bob@contoso.com |
    And the id_token has no claim "department"
    And the id_token has no claim "work_email"
    And the id_token has no claim "home_email"

  Scenario: ResolveJsonPathsInJsonTokens resolves a.b, a[0].b and a.1.b (OA2-10)
    Given the technical profile "Contoso-OAUTH2" has the metadata:
      | key                          | value |
      | ResolveJsonPathsInJsonTokens | true  |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim      | value                |
      | department | Research             |
      | work_email | bob@work.contoso.com |
      | home_email | bob@home.example     |

  Scenario: The {oauth2:...} resolvers as PartnerClaimType read the token response (OA2-11)
    Given Contoso's token endpoint answers with HTTP 200 and the body "{"access_token":"at-0001","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-0001"}"
    And Contoso's claims endpoint answers with HTTP 200 and the body "{"sub":"contoso-0001","given_name":"Bob"}"
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim             | value   |
      | idp_access_token  | at-0001 |
      | idp_token_type    | Bearer  |
      | idp_expires_in    | 3600    |
      | idp_refresh_token | rt-0001 |
    And Contoso received a GET to "/me" with:
      | parameter    | value   |
      | access_token | at-0001 |

  Scenario: DefaultValue fills a claim the identity provider omits; AlwaysUseDefaultValue wins over it (OA2-12)
    Given Contoso has a user "eve" with password "secret" and claims:
      | name             | value        |
      | sub              | contoso-0002 |
      | given_name       | Eve          |
      | identityProvider | evil.example |
    When the user starts signing in
    And the user signs in at Contoso as "eve" with password "secret"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim                | value                   |
      | email                | unknown@contoso.com     |
      | idp                  | contoso.com             |
      | authenticationSource | socialIdpAuthentication |

  Scenario: A claim resolver in an output claim's DefaultValue stays literal by default (UJ-11)
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim          | value                   |
      | correlation_id | {Context:CorrelationId} |

  Scenario: IncludeClaimResolvingInClaimsHandling resolves it (UJ-10, UJ-11)
    Given the technical profile "Contoso-OAUTH2" has the metadata:
      | key                                   | value |
      | IncludeClaimResolvingInClaimsHandling | true  |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And the id_token claim "correlation_id" matches "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

  Scenario: IdTokenAudience accepts an id_token issued to the expected audience
    Given Contoso's client is configured with:
      | field           | value               |
      | issueIDToken    | true                |
      | idTokenAudience | {contoso.client_id} |
    And the technical profile "Contoso-OAUTH2" has the metadata:
      | key             | value               |
      | IdTokenAudience | {contoso.client_id} |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token

  @error @inferred
  Scenario: IdTokenAudience refuses an id_token issued to another audience
    Given Contoso's client is configured with:
      | field           | value                  |
      | issueIDToken    | true                   |
      | idTokenAudience | someone-else.example   |
    And the technical profile "Contoso-OAUTH2" has the metadata:
      | key             | value               |
      | IdTokenAudience | {contoso.client_id} |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90273: An invalid response was received : 'Error: the id_token audience 'someone-else.example'"
    And the relying party receives no token
