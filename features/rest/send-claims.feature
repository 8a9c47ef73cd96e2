@rest
Feature: How a RESTful technical profile sends claims
  Spec §4.1: SendClaimsIn (Body, Form, Header, QueryString, Url),
  ClaimUsedForRequestPayload built by GenerateJson, and claim resolvers in
  input claims. REST-GetLoyaltyNumber sends email, language (as lang), a
  correlation id and an LCID; scenarios change one metadata item at a time.

  Background:
    Given the relying party uses the policy "B2C_1A_Rest_Profile" from "rest"
    And the REST API route "POST /api/validate-email" behaves as "email-exists" knowing "taken@example.com"
    And the REST API route "* /api/loyalty" behaves as "loyalty-number"
    And the REST API route "POST /api/contacts" behaves as "contacts"

  Scenario: Body is the default: a JSON object keyed by partner names, claims without a value left out (REST-01)
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives an id_token
    And the REST API's last call to "/api/loyalty" had:
      | field               | value                   |
      | method              | POST                    |
      | claims in           | body                    |
      | header:Content-Type | application/json        |
      | json:email          | free@example.com        |
      | json:lang           | en                      |
      | json:language       | (absent)                |
      | json:correlationId  | {Context:CorrelationId} |
      | json:lcid           | {Culture:LCID}          |

  Scenario: With IncludeClaimResolvingInClaimsHandling claim resolvers in input claims are resolved (UJ-10, UJ-11)
    Given the technical profile "REST-GetLoyaltyNumber" has the metadata:
      | key                                   | value |
      | IncludeClaimResolvingInClaimsHandling | true  |
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives an id_token
    And the REST API's last call to "/api/loyalty" had:
      | field    | value |
      | json:lcid | 1033 |

  Scenario Outline: SendClaimsIn <where> (REST-02)
    Given the technical profile "REST-GetLoyaltyNumber" has the metadata:
      | key          | value   |
      | SendClaimsIn | <where> |
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives an id_token
    And the REST API's last call to "/api/loyalty" had:
      | field     | value            |
      | method    | <method>         |
      | claims in | <claims in>      |
      | <field>   | free@example.com |
      | <lang>    | en               |

    Examples:
      | where       | method | claims in | field        | lang        |
      | Form        | POST   | form      | form:email   | form:lang   |
      | Header      | GET    | header    | header:email | header:lang |
      | QueryString | GET    | query     | query:email  | query:lang  |

  Scenario: SendClaimsIn Url puts claims into the ServiceUrl's placeholders, URL-encoded (REST-02)
    Given the REST API answers "GET /api/loyalty/{email}" with HTTP 200 and the body "{"loyaltyNumber":"L-77"}"
    And the technical profile "REST-GetLoyaltyNumber" has the metadata:
      | key          | value                                 |
      | SendClaimsIn | Url                                   |
      | ServiceUrl   | {rest}/api/loyalty/{email}?lang={lang} |
    When the user starts signing in
    And the user enters the email "free+1@example.com" and the name "Free Person" and continues
    Then the relying party receives an id_token
    And the REST API's last call to "/api/loyalty/{email}" had:
      | field      | value              |
      | method     | GET                |
      | path:email | free+1@example.com |
      | query:lang | en                 |
    And the id_token has the claims:
      | claim         | value |
      | loyaltyNumber | L-77  |

  Scenario: ClaimUsedForRequestPayload sends a GenerateJson document as the whole body (REST-03, REST-04)
    Given the technical profile "REST-GetContacts" first runs the claims transformation "GenerateContactsRequest"
    And the technical profile "REST-GetContacts" has the input claim "requestBody"
    And the technical profile "REST-GetContacts" has the metadata:
      | key                        | value       |
      | ClaimUsedForRequestPayload | requestBody |
    When the user starts signing in
    And the user enters the email "free@example.com" and the name "Free Person" and continues
    Then the relying party receives an id_token
    And the REST API's last call to "/api/contacts" had:
      | field | value                                                                                                                   |
      | body  | {"personalizations":[{"maxResults":1,"to":[{"email":"free@example.com","name":"Free Person"}]}],"template_id":"d-contacts"} |
