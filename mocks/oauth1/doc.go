// Package oauth1 is a Twitter-like OAuth 1.0a identity provider for conformance tests of an
// OAuth 1.0a consumer such as Azure AD B2C's OAuth1 technical profile. It runs the three-legged
// flow of RFC 5849 and checks every signed request as strictly as the RFC allows, so that a
// vendor can trust its verdict on their own signing code. Tests shape it in the manner of
// navikt/mock-oauth2-server: consumers, users and claims, seeded access tokens, canned
// responses, and the raw requests it received with the base string it verified.
//
// Routes (fixed paths, relative to wherever Handler is served):
//
//	POST /oauth/request_token   temporary credentials (RFC 5849 §2.1), signed with the consumer
//	                            secret alone; oauth_callback required (an absolute URL or "oob");
//	                            answers oauth_token=…&oauth_token_secret=…&oauth_callback_confirmed=true
//	GET  /oauth/authorize       the login page for ?oauth_token=<temporary credential>
//	GET  /oauth/authenticate    the same page (Twitter's "Sign in with Twitter" URL)
//	POST /oauth/authorize       the login form: allow redirects to the callback with oauth_token
//	                            and a single-use oauth_verifier; deny revokes the credential and
//	                            redirects with denied=<oauth_token>, as Twitter does; a wrong
//	                            password shows the page again; an "oob" callback gets a page
//	                            showing the verifier (#oauth-verifier) or #denied instead
//	POST /oauth/access_token    token credentials (RFC 5849 §2.3): oauth_token (temporary) and
//	                            oauth_verifier, signed with the consumer secret and the temporary
//	                            token secret; answers oauth_token=…&oauth_token_secret=…&user_id=…&screen_name=…
//	GET  /1.1/account/verify_credentials.json
//	                            the claims endpoint (Config.ClaimsPath moves it), signed with the
//	                            access token: {"id": <number>, "id_str", "screen_name", "name",
//	                            the user's Claims…} and "email" only with ?include_email=true
//
//	GET  /_admin/config              the current Config as JSON, secrets redacted unless ?secrets=true
//	PUT  /_admin/consumers           add or replace a Consumer (JSON body)
//	PUT  /_admin/users               add or replace a User (JSON body)
//	PUT  /_admin/tokens              seed an AccessToken (JSON body)
//	POST /_admin/enqueue?endpoint=E  queue a Response for E (request_token, authorize, access_token, claims)
//	GET  /_admin/requests?endpoint=E the raw requests E received, oldest first, secrets redacted
//	                                 unless ?secrets=true
//
// Other methods on these routes get 405 with an Allow header. Admin and other non-OAuth errors
// are JSON {"error","error_description"}.
//
// # Checks on every signed request
//
// Each refusal is HTTP 401, Content-Type application/x-www-form-urlencoded, body
// oauth_problem=<name>&oauth_problem_advice=<text>[&<extra>=…] (OAuth Problem Reporting) and
// WWW-Authenticate: OAuth realm="mock-oauth1", oauth_problem="<name>". The checks run in this
// order; the first that fails answers:
//
//	parameter_rejected         a malformed Authorization header (values must be quoted and
//	                           percent-encoded), query or form body; a non-oauth_ parameter in the
//	                           header; two OAuth headers; an oauth_ parameter repeated; oauth_
//	                           parameters in more than one of header, query and body (RFC 5849
//	                           §3.5); an oauth_ parameter the endpoint does not take, such as
//	                           oauth_verifier at the claims endpoint or a non-empty oauth_token at
//	                           request_token (oauth_parameters_rejected=a&b names them)
//	version_rejected           oauth_version present and not 1.0 (oauth_acceptable_versions=1.0-1.0)
//	parameter_absent           oauth_consumer_key, oauth_signature_method, oauth_signature,
//	                           oauth_timestamp and oauth_nonce (both optional with PLAINTEXT, RFC
//	                           5849 §3.1), plus oauth_callback, oauth_token or oauth_verifier where
//	                           the endpoint needs them, missing or empty (oauth_parameters_absent=a&b)
//	consumer_key_unknown       no such consumer
//	signature_method_rejected  the method is not in the consumer's SignatureMethods (names are
//	                           case-sensitive; HMAC-SHA256 is not an RFC 5849 method)
//	parameter_rejected         oauth_timestamp is not a decimal number
//	timestamp_refused          oauth_timestamp more than TimestampWindow from the server's clock
//	                           (oauth_acceptable_timestamps=<from>-<to>, Unix seconds)
//	token_rejected             an unknown token; an access token where the temporary credential is
//	                           due or the reverse; another consumer's token; a temporary credential
//	                           already exchanged or denied by the user
//	token_expired              a temporary credential older than TemporaryCredentialTTL
//	signature_invalid          the signature does not verify; the advice shows the base string the
//	                           server signed
//	nonce_used                 the same nonce, timestamp, consumer and token were seen within the
//	                           window (a nonce is remembered only once its signature verified)
//	parameter_rejected         request_token: oauth_callback neither "oob" nor an absolute URL
//	                           without fragment, or not registered for the consumer
//	verifier_invalid           access_token: the user has not authorized the credential, or
//	                           oauth_verifier is not the one issued with it
//
// The signature base string is RFC 5849 §3.4.1's: the method in uppercase; the base string URI of
// the URL the request reached (scheme from TLS, or from X-Forwarded-Proto WithForwardedProto;
// r.Host lowercase with the default port dropped; the path as received; no query); the
// parameters of the Authorization header (without realm and oauth_signature), the query and an
// application/x-www-form-urlencoded body, percent-encoded per §3.6, sorted by name then value.
// HMAC-SHA1 uses the key enc(consumer secret)&enc(token secret), PLAINTEXT that key as the
// signature (§3.4.4; TLS is not enforced), RSA-SHA1 the consumer's PublicKeyPEM (§3.4.3).
// Signatures are compared in constant time. Temporary credentials and verifiers are single-use.
//
// The login page has stable element ids, the same as mocks/oauth2's, so that the harness drives
// both with the same code: form#login-form (posting to /oauth/authorize with a hidden
// oauth_token), input#username, input#password, button#signin (action=allow),
// button#cancel (action=deny); #consumer-key shows the consumer; a failed sign-in adds #error
// ("Incorrect username or password"). An unknown, expired or used oauth_token gets an HTML error
// page with status 400 and #error, never a redirect.
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
// GET /_admin/config shows consumer secrets and user passwords as "(redacted)"; a request that
// asks for them explicitly with ?secrets=true gets them as they are. GET /_admin/requests does
// the same with the secrets the endpoints received: oauth_signature, oauth_verifier, the
// Authorization header, passwords and every name with password, secret, token (but the public
// oauth_token) or an API-key spelling in it (the journal's rule, journal.Redact), in the URL,
// the headers, the query, the form, the body, Request.OAuth and the signature base string.
// Requests and LastRequest, the Go API steps assert exact wire values with, never redact.
//
// Requests to the protocol routes are journaled when the Server is built WithJournal (the
// journal fills Entry.Error from oauth_problem); the admin routes are the test's control plane
// and are not.
package oauth1
