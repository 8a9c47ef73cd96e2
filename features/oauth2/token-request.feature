@oauth2 @contoso
Feature: The OAuth2 token request
  Spec §2.1 step C: how B2C redeems the authorization code at
  AccessTokenEndpoint: HttpBinding, token_endpoint_auth_method,
  token_signing_algorithm, AccessTokenResponseFormat and the extra parameters
  of the token response. Contoso's client switches make the mock insist on
  exactly one way, so a scenario passes only when the emulator does that.

  Background:
    Given the relying party uses the policy "B2C_1A_OAuth2_SignIn" from "oauth2"
    And Contoso has a user "bob" with password "builder" and claims:
      | name       | value        |
      | sub        | contoso-0001 |
      | given_name | Bob          |

  Scenario: The default token request: POST with client_secret_post (OA2-05)
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And Contoso received a POST to "/token" with:
      | parameter     | value               |
      | grant_type    | authorization_code  |
      | code          | (present)           |
      | redirect_uri  | {authresp}          |
      | client_id     | {contoso.client_id} |
      | client_secret | {contoso.secret}    |
    And Contoso's last request to "/token" has the header "Content-Type" starting with "application/x-www-form-urlencoded"

  Scenario Outline: <method> over HTTP <binding> (OA2-05, OA2-06, OA2-07)
    Given Contoso's client is configured with:
      | field        | value                  |
      | authMethod   | <method>               |
      | tokenMethod  | <binding>              |
      | publicKeyPEM | {assertion_public_key} |
    And the technical profile "Contoso-OAUTH2" has the metadata:
      | key                        | value     |
      | token_endpoint_auth_method | <method>  |
      | HttpBinding                | <binding> |
      | AccessTokenResponseFormat  | json      |
    And the technical profile "Contoso-OAUTH2" has the cryptographic key "assertion_signing_key" stored in "B2C_1A_ContosoAssertionKey"
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim      | value |
      | given_name | Bob   |
    And Contoso received a <binding> to "/token" with:
      | parameter    | value              |
      | grant_type   | authorization_code |
      | code         | (present)          |
      | redirect_uri | {authresp}         |

    Examples:
      | method              | binding |
      | client_secret_post  | POST    |
      | client_secret_post  | GET     |
      | client_secret_basic | POST    |
      | client_secret_basic | GET     |
      | private_key_jwt     | POST    |
      | private_key_jwt     | GET     |

  Scenario: client_secret_basic sends the credentials in an Authorization header only (OA2-06)
    Given Contoso's client is configured with:
      | field      | value               |
      | authMethod | client_secret_basic |
    And the technical profile "Contoso-OAUTH2" has the metadata:
      | key                        | value               |
      | token_endpoint_auth_method | client_secret_basic |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And Contoso's last request to "/token" has the header "Authorization" starting with "Basic "
    And Contoso received a POST to "/token" with:
      | parameter     | value    |
      | client_secret | (absent) |
      | client_id     | (absent) |

  Scenario Outline: private_key_jwt signs a client assertion with <alg> (OA2-07)
    Given Contoso's client is configured with:
      | field         | value                  |
      | authMethod    | private_key_jwt        |
      | publicKeyPEM  | {assertion_public_key} |
      | assertionAlgs | ["<alg>"]              |
    And the technical profile "Contoso-OAUTH2" has the metadata:
      | key                        | value           |
      | token_endpoint_auth_method | private_key_jwt |
      | token_signing_algorithm    | <alg>           |
    And the technical profile "Contoso-OAUTH2" has the cryptographic key "assertion_signing_key" stored in "B2C_1A_ContosoAssertionKey"
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And Contoso received a POST to "/token" with:
      | parameter             | value                                                  |
      | client_assertion_type | urn:ietf:params:oauth:client-assertion-type:jwt-bearer |
      | client_assertion      | (present)                                              |
      | client_id             | {contoso.client_id}                                    |
      | client_secret         | (absent)                                               |
    And the client assertion Contoso received is signed with "<alg>", lives 300 seconds and has the claims:
      | claim | value                    |
      | iss   | {contoso.client_id}      |
      | sub   | {contoso.client_id}      |
      | aud   | {contoso.token_endpoint} |

    Examples:
      | alg   |
      | RS256 |
      | RS512 |

  @error
  Scenario: An identity provider that takes token requests only by GET refuses the default POST (OA2-05)
    Given Contoso's client is configured with:
      | field       | value |
      | tokenMethod | GET   |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289"
    And the relying party receives no token

  @inferred
  Scenario: With HttpBinding GET and no AccessTokenResponseFormat the token response is read form-encoded (Default)
    Given Contoso's client is configured with:
      | field               | value |
      | tokenMethod         | GET   |
      | tokenResponseFormat | form  |
    And the technical profile "Contoso-OAUTH2" has the metadata:
      | key         | value |
      | HttpBinding | GET   |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim      | value |
      | given_name | Bob   |

  @error @inferred
  Scenario: AccessTokenResponseFormat json refuses a form-encoded token response
    Given Contoso's client is configured with:
      | field               | value |
      | tokenResponseFormat | form  |
    And the technical profile "Contoso-OAUTH2" has the metadata:
      | key                       | value |
      | AccessTokenResponseFormat | json  |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90273: An invalid response was received : 'Error: the access token response is not JSON'"

  Scenario Outline: <key> carries a token-response parameter into the claims request (OA2-09)
    Given Contoso's client is configured with:
      | field                | value                                  |
      | tokenExtraParams     | {"resource":"https://graph.contoso.com"} |
      | claimsRequiredParams | ["resource"]                           |
    And the technical profile "Contoso-OAUTH2" has the metadata:
      | key   | value    |
      | <key> | resource |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    And Contoso received a GET to "/me" with:
      | parameter    | value                     |
      | resource     | https://graph.contoso.com |
      | access_token | (present)                 |

    Examples:
      | key                                      |
      | ExtraParamsInClaimsEndpointRequest       |
      | ExtraParamsInAccessTokenEndpointResponse |

  @error
  Scenario: Without ExtraParamsInClaimsEndpointRequest the IdP's required parameter is missing and the sign-in fails (OA2-09)
    Given Contoso's client is configured with:
      | field                | value                                  |
      | tokenExtraParams     | {"resource":"https://graph.contoso.com"} |
      | claimsRequiredParams | ["resource"]                           |
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289: We encountered an 'invalid_request' error"
