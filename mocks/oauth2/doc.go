// Package oauth2 is a Facebook-like OAuth 2.0 identity provider for conformance tests of an
// OAuth2 client such as Azure AD B2C's OAuth2 technical profile. It checks what a real provider
// checks (RFC 6749 authorization-code grant, RFC 6750 bearer tokens, RFC 7523 client
// assertions) and lets tests shape it in the manner of navikt/mock-oauth2-server: users and
// claims, canned responses, and the raw requests it received.
//
// Routes (fixed paths, relative to wherever Handler is served):
//
//	GET  /authorize   authorization endpoint: validates the request and shows the login page
//	POST /authorize   login form: signs in, cancels (access_denied) or shows the page again;
//	                  answers with a code, or with an id_token for response_type=id_token
//	POST /token       token endpoint: authorization_code grant; client_secret_post,
//	                  client_secret_basic or private_key_jwt; GET instead for a client with
//	                  TokenMethod GET, or besides POST for all when Config.AllowTokenGET is set
//	GET  /me          claims endpoint: the user's claims as JSON, access token in the
//	                  access_token query parameter or an Authorization: Bearer header,
//	                  "fields" filters top-level members as Facebook's Graph API does
//	                  (POST with a form-encoded access_token is accepted too, RFC 6750 §2.2)
//	GET  /logout      end-session endpoint (POST too): a small signed-out page
//	GET  /.well-known/jwks.json             the key that signs id_tokens (RS256)
//	GET  /.well-known/openid-configuration  discovery document for the routes above
//
//	GET  /_admin/config              the current Config as JSON, secrets redacted unless ?secrets=true
//	PUT  /_admin/users               add or replace a User (JSON body)
//	PUT  /_admin/clients             add or replace a Client (JSON body, every switch included)
//	POST /_admin/enqueue?endpoint=E  queue a Response for endpoint E (authorize, token, claims, logout)
//	GET  /_admin/requests?endpoint=E the raw requests endpoint E received, oldest first, secrets
//	                                 redacted unless ?secrets=true
//
// # Per-client switches
//
// A Client's switches make the one mock play each kind of IdP the B2C OAuth2 technical profile
// has metadata for; their zero values keep the lenient Facebook-like behaviour above.
//
//	TokenMethod          POST | GET: the one method of the token endpoint (HttpBinding); the other gets 405
//	AuthMethod           client_secret_post | client_secret_basic | private_key_jwt (token_endpoint_auth_method);
//	                     empty accepts either secret method; another method gets 401 invalid_client
//	PublicKeyPEM, JWKS   the keys that verify private_key_jwt assertions (assertion_signing_key)
//	AssertionAlgs        accepted assertion algorithms, default RS256 and RS512 (token_signing_algorithm)
//	TokenEndpointURL     the one assertion aud accepted, instead of Config.BaseURL plus the token path
//	TokenResponseFormat  json | form: access_token=…&token_type=bearer&expires=… (AccessTokenResponseFormat)
//	TokenExtraParams     extra token response members (ExtraParamsInAccessTokenEndpointResponse)
//	ClaimsRequiredParams extra members the claims endpoint requires back (ExtraParamsInClaimsEndpointRequest)
//	ClaimsTokenParam     the access token's query parameter (ClaimsEndpointAccessTokenName)
//	ClaimsTokenIn        query | header | any (BearerTokenTransmissionMethod)
//	ClaimsFormatParam, ClaimsFormatValue  a required parameter such as format=json (ClaimsEndpointFormat*)
//	ErrorIn200           errors as HTTP 200 {name: description, "error": code} (ResponseErrorCodeParamName)
//	IssueIDToken, IDTokenAudience  id_tokens in token responses and response_type=id_token (IdTokenAudience)
//
// A private_key_jwt assertion must have client_assertion_type
// urn:ietf:params:oauth:client-assertion-type:jwt-bearer, an accepted alg (never none or HS*),
// a signature by a registered key, iss = sub = client_id, aud = the token endpoint URL,
// exp in the future and at most 10 minutes ahead, nbf and iat at most a minute in the future,
// and a jti the client has not used before. Requests records it decoded (Request.Assertion).
// The token endpoint URL comes from configuration only, never from the request's Host header or
// target, which the client writes: the client's TokenEndpointURL, else Config.BaseURL plus the
// path reached (/token, /oauth/access_token...), else the address of the listener the request
// came in on plus that path. Set BaseURL for a server that clients reach through a proxy or by
// a name; the discovery document and the default issuer then use it too.
//
// The login page has stable element ids for browser steps: form#login-form, input#username,
// input#password, button#signin, button#cancel; a failed sign-in adds #error. With
// response_mode=form_post the response is a page holding form#response-form that submits itself.
//
// Protocol errors are Error values turned into responses in one place: JSON bodies
// {"error","error_description"} (RFC 6749 §5.2) with WWW-Authenticate where RFC 6749 §5.2 or
// RFC 6750 §3 asks for it, HTTP 200 bodies for clients with ErrorIn200, redirects to the client
// for authorization errors (RFC 6749 §4.1.2.1), and an error page, never a redirect, when the
// client id or redirect URI cannot be trusted. ErrorResponse builds the same answers for Enqueue.
// A queued Response may also hold its answer back (Delay) or break the connection (Fault reset
// or close) to play a slow or failing provider.
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
// GET /_admin/config shows client secrets and user passwords as "(redacted)"; a request that
// asks for them explicitly with ?secrets=true gets them as they are. GET /_admin/requests does
// the same with the secrets the endpoints received: the values of client_secret, code,
// code_verifier, client_assertion, password, the Authorization header (Basic and Bearer
// credentials), every name with password, secret, token or an API-key spelling in it (the
// journal's rule, journal.Redact) and every client's ClaimsTokenParam, in the URL, the headers,
// the query, the form and the body; the decoded Assertion, unsigned, stays. Requests and
// LastRequest, the Go API steps assert exact wire values with, never redact.
//
// Requests to the protocol routes are journaled when the Server is built WithJournal; the admin
// routes are the test's control plane and are not.
package oauth2
