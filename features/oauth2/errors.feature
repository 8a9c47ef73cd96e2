@oauth2 @contoso @error
Feature: OAuth2 federation failures end in a clean error at the relying party
  Spec §2.4: an identity provider's error, a refused client, an error inside an
  HTTP 200, garbage, a party that is down or slow, a tampered state and a
  replayed answer. Each ends the journey with an error redirect to the relying
  party (or the emulator's error page when there is no journey to redirect), and
  the emulator keeps serving.

  Background:
    Given the relying party uses the policy "B2C_1A_OAuth2_SignIn" from "oauth2"
    And the relying party sends the state "err-1"
    And Contoso has a user "bob" with password "builder" and claims:
      | name       | value        |
      | sub        | contoso-0001 |
      | given_name | Bob          |

  Scenario: The identity provider answers with error=access_denied (OA2-13)
    When the user starts signing in
    And the user cancels at Contoso
    Then the relying party receives the error "access_denied"
    And the error description starts with "AADB2C90273: An invalid response was received : 'Error: access_denied,Error Description: "
    And the error description has B2C's correlation id and timestamp lines
    And the state "err-1" comes back
    And the relying party receives no token
    And Contoso received no request to "/token"

  @inferred
  Scenario: A tampered state at authresp ends the journey without a token call (OA2-04)
    When the user starts signing in
    And the browser returns to the emulator with a tampered state
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90273: An invalid response was received : 'Error: the state parameter does not match the journey in progress'"
    And the relying party receives no token
    And Contoso received no request to "/token"

  @inferred
  Scenario: A replayed answer after the journey finished is refused without a second token call
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives an id_token
    When Contoso's answer is replayed to the emulator
    Then the emulator shows the error "does not belong to a journey in progress"
    And Contoso received 1 request to "/token"

  Scenario: A wrong client secret is refused with invalid_client
    Given the policy key "B2C_1A_ContosoSecret" holds the secret "not-the-secret"
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289: We encountered an 'invalid_client' error"
    And the journal shows Contoso answered "/token" with the error "invalid_client"
    And Contoso received no request to "/me"

  Scenario: A redirect URI the identity provider does not know stops the sign-in at the identity provider
    Given Contoso's client is configured with:
      | field        | value                                    |
      | redirectURIs | ["https://elsewhere.example/oauth2/cb"] |
    When the user starts signing in
    Then the browser shows the error "redirect_uri"
    And Contoso received no request to "/token"

  Scenario Outline: An error inside an HTTP 200 from the <endpoint> endpoint fails the sign-in (OA2-14)
    Given the technical profile "Contoso-OAUTH2" has the metadata:
      | key                        | value         |
      | ResponseErrorCodeParamName | error_message |
    And Contoso's <endpoint> endpoint answers with HTTP 200 and the body "{"error_message":"quota exceeded"}"
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90273: An invalid response was received : 'Error: quota exceeded'"
    And the relying party receives no token

    Examples:
      | endpoint |
      | token    |
      | claims   |

  @inferred
  Scenario: A truncated token response is not JSON
    Given Contoso's token endpoint answers with HTTP 200 and the body "{"access_token":"abc","token_ty"
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90273: An invalid response was received : 'Error: the access token response is not JSON'"

  @inferred
  Scenario: A server error page from the token endpoint
    Given Contoso's token endpoint answers with HTTP 500 and the body "<html>Internal Server Error</html>"
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289: We encountered an error connecting to the identity provider"

  @inferred
  Scenario: The identity provider's token endpoint is down
    Given Contoso's token endpoint is unreachable
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289: We encountered an error connecting to the identity provider"

  @inferred
  Scenario: The identity provider's token endpoint is slower than the emulator waits
    Given the emulator gives parties 100 ms to answer
    And Contoso's token endpoint answers only after 3000 ms
    When the user starts signing in
    And the user signs in at Contoso as "bob" with password "builder"
    Then the relying party receives the error "server_error"
    And the error description starts with "AADB2C90289: We encountered an error connecting to the identity provider"
