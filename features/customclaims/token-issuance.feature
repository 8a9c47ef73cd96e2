@customclaims
Feature: An Entra custom claims provider at token issuance
  Spec §7 and seed 003: before the emulator issues the token it POSTs the
  tokenIssuanceStart event to the application's custom authentication extension
  with a Bearer token it signs (azp 99045fe1-7639-4a75-9d4a-577b6ca3810f, aud the
  API's identifier URI), enforces the response contract and the timeout, adds
  the mapped claims, and on any failure gives the application a generic error
  and records the exact code in the sign-in log.

  Background:
    Given the relying party uses the policy "B2C_1A_Journey_CustomError" from "journey"
    And the REST API answers "POST /api/error" with HTTP 200 and the body "{}"
    And the application has a custom claims provider at "/api/claims"

  Scenario: The API gets the tokenIssuanceStart event with a valid bearer token, and its claims reach the token (ECP-01, ECP-02)
    When the user starts signing in
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim       | value                |
      | birthdate   | 01/01/2000           |
      | CustomRoles | ["Writer","Editor"]  |
    And the custom claims provider API at "/api/claims" accepted the emulator's bearer token
    And the REST API's last call to "/api/claims" had:
      | field                   | value                                                |
      | header:Content-Type     | application/json                                     |
      | json:type               | microsoft.graph.authenticationEvent.tokenIssuanceStart |

  Scenario: A refresh calls the custom claims provider again, and its claims reach the refreshed token (ECP-07)
    Given the relying party asks for a code by query
    And the relying party asks for the scopes "openid offline_access"
    When the user starts signing in
    Then the relying party receives a refresh token
    When the relying party refreshes its tokens
    Then the relying party receives an id_token
    And the id_token has the claims:
      | claim       | value                |
      | birthdate   | 01/01/2000           |
      | CustomRoles | ["Writer","Editor"]  |
    And the REST API received 2 calls to "/api/claims"

  Scenario Outline: An API answer that breaks the contract ("<fault>") gives a generic error and <code> in the sign-in log (ECP-03, ECP-06)
    Given the custom claims provider API at "/api/claims" answers with the fault "<fault>"
    When the user starts signing in
    Then the relying party receives the error "server_error"
    And the error description starts with "AADSTS1100001"
    And the relying party receives no token
    And the sign-in log records the code <code> <name>

    Examples:
      | fault             | code    | name                                      |
      | status-201        | 1003002 | CustomExtensionInvalidHTTPStatus          |
      | status-400        | 1003002 | CustomExtensionInvalidHTTPStatus          |
      | text-plain        | 1003006 | CustomExtensionInvalidResponseContentType |
      | no-data           | 1003003 | CustomExtensionInvalidResponseBody        |
      | invalid-json      | 1003003 | CustomExtensionInvalidResponseBody        |
      | boolean-claim     | 1003003 | CustomExtensionInvalidResponseBody        |
      | empty-body        | 1003009 | CustomExtensionEmptyResponse              |
      | null-claims       | 1003007 | CustomExtensionNullClaimsResponse         |
      | zero-actions      | 1003010 | CustomExtensionInvalidNumberOfActions     |
      | two-actions       | 1003010 | CustomExtensionInvalidNumberOfActions     |
      | wrong-action-type | 1003012 | CustomExtensionInvalidActionType          |
      | empty-key         | 1003026 | CustomExtensionNullOrEmptyClaimKeyNotSupported |
      | oversize-claims   | 1003025 | CustomExtensionResponseClaimsSizeExceeded |
      | oversize-body     | 1003024 | CustomExtensionResponseSizeExceeded       |
      | api-schema-version | 1003008 | CustomExtensionInvalidResponseApiSchemaVersion |

  Scenario: A 500 twice exhausts the one retry (ECP-03)
    Given the custom claims provider API at "/api/claims" answers with the fault "status-500"
    When the user starts signing in
    Then the relying party receives the error "server_error"
    And the sign-in log records the code 1003002 CustomExtensionInvalidHTTPStatus after 1 retry

  Scenario: Throttling gives 1003004 after the retry
    Given the custom claims provider API at "/api/claims" answers with the fault "throttle"
    When the user starts signing in
    Then the relying party receives the error "server_error"
    And the sign-in log records the code 1003004 CustomExtensionThrottlingError after 1 retry

  Scenario Outline: An API slower than the timeout is tried 1 + maximumRetries times, then 1003005 (ECP-04)
    Given the custom claims provider allows 200 ms with <retries> retries
    And the custom claims provider API at "/api/claims" answers with the fault "slow"
    When the user starts signing in
    Then the relying party receives the error "server_error"
    And the sign-in log records the code 1003005 CustomExtensionTimedOut after <retries> retries
    And the REST API received <calls> calls to "/api/claims"

    Examples:
      | retries | calls |
      | 0       | 1     |
      | 1       | 2     |

  Scenario: An API that refuses connections gives 1003027 after the retry (ECP-05)
    Given the custom claims provider's targetUrl is "https://127.0.0.1:1/api/claims"
    When the user starts signing in
    Then the relying party receives the error "server_error"
    And the sign-in log records the code 1003027 CustomExtensionConnectionError after 1 retry

  Scenario Outline: A configuration problem gives <code> without calling the API
    Given <problem>
    When the user starts signing in
    Then the relying party receives the error "server_error"
    And the sign-in log records the code <code> <name>
    And the REST API received 0 calls to "/api/claims"

    Examples:
      | problem                                                                      | code    | name                                                   |
      | the listener names the extension "missing-extension"                        | 1003011 | CustomExtensionNotFound                                |
      | the custom claims provider's targetUrl is "http://127.0.0.1/api/claims"      | 1003020 | CustomExtensionIncorrectTargetUrlFormat                |
      | the custom claims provider's resourceId is "https://127.0.0.1/not-an-api-uri" | 1003014 | CustomExtensionIncorrectResourceIdFormat               |
      | the custom claims provider's resourceId is "api://contoso.example/7c0d12ce-6fd3-4c6e-9b0f-2b7d5a1c8e42" | 1003015 | CustomExtensionDomainNameDoesNotMatch |
      | the directory lacks the resource service principal                          | 1003016 | CustomExtensionResourceServicePrincipalNotFound        |
      | the directory disables the resource service principal                       | 1003019 | CustomExtensionResourceServicePrincipalDisabled        |
      | the directory lacks the client service principal                            | 1003017 | CustomExtensionClientServicePrincipalNotFound          |
      | the directory disables the client service principal                         | 1003018 | CustomExtensionClientServiceDisabled                   |
      | admin consent is not granted to the custom claims provider API              | 1003021 | CustomExtensionPermissionNotGrantedToServicePrincipal  |
      | the Microsoft Graph service principal is disabled                           | 1003022 | CustomExtensionMsGraphServicePrincipalDisabledOrNotFound |
