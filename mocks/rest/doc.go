// Package rest is a mock REST claims API in the shapes Azure AD B2C's RESTful technical profile
// speaks: claims in a JSON body, a form, headers, the query or the path; Basic, Bearer, API-key
// or client-certificate authentication; flat or nested JSON answers; the 4xx error contract;
// slow answers and broken connections. Tests shape it in the manner of
// navikt/mock-oauth2-server, from Go or over HTTP, and read back every call it received.
//
// Routes (relative to wherever Handler is served):
//
//	<method> <path>          each configured Route: any gorilla/mux template (/users/{id}), one
//	                         method or all; unknown paths get 404 and known paths with another
//	                         method 405, as JSON {"error","message"}, and are recorded too
//
//	GET  /_admin/config                  the current Config as JSON, secrets redacted unless ?secrets=true
//	PUT  /_admin/routes                  add or replace a Route (JSON body), matched by method and path;
//	                                     a customClaims.jwksURL must be registered (below), else 400
//	POST /_admin/responses?method=M&path=P  replace the responses of route M P (a JSON list of
//	                                     Response; method empty for the any-method route) and
//	                                     restart its sequence; 404 for an unknown route
//	GET  /_admin/calls?path=P            the calls to route pattern or request path P, or every
//	                                     call when P is empty, oldest first, secrets redacted
//	                                     unless ?secrets=true
//	POST /_admin/reset                   restore the initial routes and forget every call
//
// Bad admin input gets 400 with a JSON error; only unexpected failures get 500 and are logged.
//
// # Admin API guard
//
// The admin API is the test's control plane and hands out every secret of the config, so it is
// guarded. Built WithAdminToken(token), the Server serves an admin request only with
// Authorization: Bearer <token> (compared in constant time, from any client); without the header
// or with another token it answers 401 with WWW-Authenticate: Bearer realm="mock-admin" and a
// JSON error "unauthorized". Without an admin token it serves loopback clients only (127.0.0.0/8
// and ::1, by the connection's remote address; X-Forwarded-For is not trusted) and answers any
// other client 403 with a JSON error "forbidden" saying to set an admin token, so that a mock
// listening beyond loopback (in a container, say) is not open. The protocol routes are never
// guarded.
//
// GET /_admin/config shows the credentials of routes (basic passwords, bearer tokens and API
// keys) as "(redacted)"; a request that asks for them explicitly with ?secrets=true gets them
// as they are. GET /_admin/calls does the same with the secrets the API received: the
// Authorization header and BearerToken, API-key headers (every apiKey route's own header among
// them), and every name with password, secret, token or an API-key spelling in it (the
// journal's rule, journal.Redact: newPassword, reenterPassword, client_secret...) in the URL,
// the query, the form, the JSON body and the path variables. Calls, LastCall, AllCalls and
// WaitCalls, the Go API steps assert exact wire values with, never redact.
//
// # Routes and responses
//
// A Route answers its n-th call with Responses[min(n, len-1)], so a sequence such as "the
// first call fails, the second succeeds" is two Responses, and a route that always fails has
// one. A Response has a status (200), headers, a content type (application/json), a raw Body
// or a JSON value, a Delay, and a Fault: "reset" closes the connection with SO_LINGER 0 (the
// client sees connection reset by peer), "close" closes it without a response (EOF). A Delay
// ends early when the client gives up (nothing is written) or the Server is Closed (the answer
// is written at once). ErrorContract and ErrorBody build B2C's error contract.
//
// Faults take the TCP connection, so a client that reuses connections may retry on its own:
// net/http's Transport replays an idempotent request (GET) once when a reused connection breaks
// before any response. Count attempts with a client that does not, or with fresh connections.
//
// # Authentication
//
// Auth.Type is none, basic (username and password), bearer (token), apiKey (a header such as
// x-functions-key and its key) or clientCert (a TLS client certificate, optionally with a given
// subject CN). Missing or wrong credentials get 401 with {"error":"unauthorized","message"} and,
// for basic and bearer, a WWW-Authenticate challenge. clientCert needs HTTPS with a tls.Config
// that verifies client certificates when given (tls.VerifyClientCertIfGiven with ClientCAs;
// harness/pki.ServerTLSConfig): the route then requires a certificate the TLS layer verified.
//
// # Behaviours
//
// Route.Behaviour selects a ready-made handler after B2C's REST walkthroughs. Each reads its
// input claims from the JSON body, form, query, path variables or headers. Responses, if any,
// are served first, in order; the behaviour answers every later call.
//
//	email-exists    an email in Route.Known (any case) gets 409 and the error contract
//	                {"version":"1.0.0","status":409,"code":"API12345","requestId":"<uuid>",
//	                "userMessage":"The email address is already registered.",
//	                "developerMessage":"The provided email address is already registered.",
//	                "moreInfo":"https://example.com/errors/API12345"}; another gets 200
//	                {"email": same}; none gets 400 with the contract
//	loyalty-number  200 {"email", "loyaltyNumber": LoyaltyNumber(email), "loyaltyNumberIsNew":
//	                false for an email in Route.Known, true otherwise}; no email gets 400
//	contacts        200 {"contacts":[{"id":"MAINCONTACT_1","person":{"name","loyaltyNumber":1234,
//	                "emails":[{"id":"EMAIL_1","type":"WORK","email"}]}}]}, the nested answer that
//	                ResolveJsonPathsInJsonTokens reads, with the request's email and name (or
//	                displayName), else B2C's example values
//	custom-claims   a Microsoft Entra custom claims provider (OnTokenIssuanceStart), shaped by
//	                Route.CustomClaims: 200 application/json {"data":{"@odata.type":
//	                "microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":
//	                "microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{...}}]}}
//	                with Claims (DefaultClaims when empty), or the wrong answer of one row of
//	                Entra's error table (CustomClaims.Fault, ClaimsFaults); with JWKSURL set, a
//	                missing or refused bearer token gets 401 {"error","message"} saying what was
//	                wrong and no claims (CustomClaims documents the checks)
//
// The mock fetches the JWKS of a custom-claims route (without following redirects, and never
// repeating what it fetched in an answer) only from a registered URL, so that the admin API
// cannot make it request an address of the caller's choice: the URLs of the Config given to
// New, of WithJWKSURLs and Server.AllowJWKS, and of routes the program adds with
// Server.AddRoute. PUT /_admin/routes refuses a route naming any other with 400, which names the
// URL and how to register it.
//
// The custom-claims behaviour also records, on each Call, how the body differs from Entra's
// tokenIssuanceStart request (PayloadProblems: the answer is the same) and the claims of a
// bearer token that verified (TokenClaims) or why it was refused (TokenError).
// CustomClaims.Response gives the same answers to queue in Route.Responses.
//
// # Calls
//
// Every request, routed or not, is recorded unredacted as a Call when it arrives: method, path,
// query, headers, body, form fields, the JSON object, path variables, where the claims arrived
// (ClaimsIn), the authentication presented, the attempt number on its route, and, once
// answered, the status. Calls, LastCall, AllCalls and WaitCalls read them. With WithJournal the
// API's requests (not the admin API's) also go to the scenario's redacted journal.
package rest
