@oauth2 @contoso
Feature: The OAuth2 authorization request and the identity provider's answer
  Spec §2.1 steps A and B: what B2C sends to an OAuth2 identity provider's
  authorization endpoint, and how the IdP's answer comes back to authresp. The
  policy B2C_1A_OAuth2_SignIn federates with a generic enterprise IdP, Contoso,
  through Contoso-OAUTH2, which sets only the required metadata: every other key
  has its default until a scenario sets it.

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

  Scenario: The defaults: client_id, response_type code, form_post, the lowercase authresp URI, scope and state (OA2-01, OA2-03)
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And Contoso received a GET to "/authorize" with:
      | parameter     | value                |
      | client_id     | {contoso.client_id}  |
      | response_type | code                 |
      | response_mode | form_post            |
      | redirect_uri  | {authresp}           |
      | scope         | openid profile email |
      | state         | (present)            |
    And Contoso received a POST to "/authorize" with:
      | parameter | value     |
      | username  | bob       |

  Scenario: UsePolicyInRedirectUri puts the policy id, lowercased, into the redirect URI (OA2-01)
    Given the technical profile "Contoso-OAUTH2" has the metadata:
      | key                    | value |
      | UsePolicyInRedirectUri | true  |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And Contoso received a GET to "/authorize" with:
      | parameter    | value             |
      | redirect_uri | {authresp.policy} |
    And Contoso received a POST to "/token" with:
      | parameter    | value             |
      | redirect_uri | {authresp.policy} |

  Scenario: Input claims go out under their partner names, an absent claim with its DefaultValue (OA2-02)
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then Contoso received a GET to "/authorize" with:
      | parameter   | value            |
      | domain_hint | contoso.com      |
      | login_hint  | {OIDC:LoginHint} |

  Scenario: With IncludeClaimResolvingInClaimsHandling a claim resolver in an input claim is resolved (OA2-02, UJ-11)
    Given the technical profile "Contoso-OAUTH2" has the metadata:
      | key                                   | value |
      | IncludeClaimResolvingInClaimsHandling | true  |
    And the relying party sends the parameter "login_hint" with "bob@contoso.com"
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then Contoso received a GET to "/authorize" with:
      | parameter  | value           |
      | login_hint | bob@contoso.com |

  @inferred
  Scenario: AdditionalRequestQueryParameters adds comma-separated parameters to the authorization request
    Given the technical profile "Contoso-OAUTH2" has the metadata:
      | key                              | value                       |
      | AdditionalRequestQueryParameters | prompt=login,acr_values=mfa |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then Contoso received a GET to "/authorize" with:
      | parameter  | value |
      | prompt     | login |
      | acr_values | mfa   |

  Scenario Outline: The identity provider answers by <mode> (OA2-03)
    Given the technical profile "Contoso-OAUTH2" has the metadata:
      | key           | value  |
      | response_mode | <mode> |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And Contoso received a GET to "/authorize" with:
      | parameter     | value  |
      | response_mode | <mode> |

    Examples:
      | mode      |
      | form_post |
      | query     |

    @inferred
    Examples: B2C cannot read a fragment server-side; the emulator's authresp page posts it back
      | mode     |
      | fragment |

  Scenario: response_types id_token: the identity provider's id_token is the answer and no token call follows
    Given Contoso's client is configured with:
      | field        | value |
      | issueIDToken | true  |
    And the technical profile "Contoso-OAUTH2" has the metadata:
      | key            | value    |
      | response_types | id_token |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim | value       |
      | idp   | contoso.com |
    And Contoso received a GET to "/authorize" with:
      | parameter     | value    |
      | response_type | id_token |
    And Contoso received no request to "/token"
    And Contoso received no request to "/me"
