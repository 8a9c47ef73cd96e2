@rest
Feature: How a RESTful technical profile authenticates to the API
  Spec §4.1 AuthenticationType: None, Basic, Bearer, ApiKeyHeader and
  ClientCertificate (mutual TLS). The REST API is served over HTTPS by a
  certificate of the harness's CA, which the emulator trusts; a route that
  requires a credential answers 401 without it.

  Background:
    Given the relying party uses the policy "B2C_1A_Rest_Profile" from "rest"
    And the REST API route "POST /api/validate-email" behaves as "email-exists" knowing "taken@example.com"
    And the REST API route "POST /api/loyalty" behaves as "loyalty-number"
    And the REST API route "POST /api/contacts" behaves as "contacts"

  Scenario: None sends no credentials (REST-05)
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives an id_token
    And the REST API's last call to "/api/loyalty" had:
      | field                | value    |
      | auth                 | none     |
      | header:Authorization | (absent) |

  Scenario Outline: <type> authentication (REST-05)
    Given the REST API route "POST /api/loyalty" requires <kind> authentication
    And the technical profile "REST-GetLoyaltyNumber" has the metadata:
      | key                | value  |
      | AuthenticationType | <type> |
    And the technical profile "REST-GetLoyaltyNumber" has the cryptographic key "<key id>" stored in "<container>"
    And the technical profile "REST-GetLoyaltyNumber" has the cryptographic key "<key id 2>" stored in "<container 2>"
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives an id_token
    And the REST API's last call to "/api/loyalty" had:
      | field   | value  |
      | auth    | <kind> |
      | <check> | <seen> |

    Examples:
      | type              | kind       | key id                      | container                       | key id 2                    | container 2                     | check              | seen            |
      | Basic             | basic      | BasicAuthenticationUsername | B2C_1A_RestApiUsername          | BasicAuthenticationPassword | B2C_1A_RestApiPassword          | basic user         | b2c-rest-client |
      | Bearer            | bearer     | BearerAuthenticationToken   | B2C_1A_RestApiBearerToken       | BearerAuthenticationToken   | B2C_1A_RestApiBearerToken       | bearer token       | (present)       |
      | ApiKeyHeader      | apiKey     | x-functions-key             | B2C_1A_RestApiKey               | x-functions-key             | B2C_1A_RestApiKey               | header:x-functions-key | (present)   |
      | ClientCertificate | clientCert | ClientCertificate           | B2C_1A_RestApiClientCertificate | ClientCertificate           | B2C_1A_RestApiClientCertificate | client certificate | b2c-rest-client |

  Scenario: A required credential that is not sent gets 401, and the page shows the failure (REST-05)
    Given the REST API route "POST /api/loyalty" requires basic authentication
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the page shows the error "AADB2C90075"
    And the REST API received 1 call to "/api/loyalty"

  @error
  Scenario: An API whose certificate the emulator does not trust gets no claims
    Given the technical profile "REST-GetContacts" has the metadata:
      | key        | value                            |
      | ServiceUrl | {rest.untrusted}/api/contacts    |
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives the error "server_error"
    And the error description starts with "Failed to establish connection to restful service end point."
    And the relying party receives no token
    And the REST API received 0 calls to "/api/contacts"

  @error
  Scenario: AuthenticationType None in a Production policy is refused when the policy is loaded (REST-15)
    Then loading the policy folder "rest-production" fails with "AADB2C90258"

