// Package oauth2 is a Facebook-like OAuth 2.0 identity provider for conformance tests of an
// OAuth2 client such as Azure AD B2C's OAuth2 technical profile. It checks what a real provider
// checks (RFC 6749 authorization-code grant, RFC 6750 bearer tokens) and lets tests shape it in
// the manner of navikt/mock-oauth2-server: users and claims, canned responses, and the raw
// requests it received.
//
// Routes (fixed paths, relative to wherever Handler is served):
//
//	GET  /authorize   authorization endpoint: validates the request and shows the login page
//	POST /authorize   login form: signs in, cancels (access_denied) or shows the page again
//	POST /token       token endpoint: authorization_code grant, client_secret_post or
//	                  client_secret_basic; GET too when Config.AllowTokenGET is set
//	GET  /me          claims endpoint: the user's claims as JSON, access token in the
//	                  access_token query parameter or an Authorization: Bearer header,
//	                  "fields" filters top-level members as Facebook's Graph API does
//	                  (POST with a form-encoded access_token is accepted too, RFC 6750 §2.2)
//	GET  /logout      end-session endpoint: a small signed-out page
//
//	GET  /_admin/config              the current Config as JSON
//	PUT  /_admin/users               add or replace a User (JSON body)
//	PUT  /_admin/clients             add or replace a Client (JSON body)
//	POST /_admin/enqueue?endpoint=E  queue a Response for endpoint E (authorize, token, claims, logout)
//	GET  /_admin/requests?endpoint=E the raw requests endpoint E received, oldest first
//
// The login page has stable element ids for browser steps: form#login-form, input#username,
// input#password, button#signin, button#cancel; a failed sign-in adds #error. With
// response_mode=form_post the response is a page holding form#response-form that submits itself.
//
// Protocol errors are Error values turned into responses in one place: JSON bodies
// {"error","error_description"} (RFC 6749 §5.2) with WWW-Authenticate where RFC 6749 §5.2 or
// RFC 6750 §3 asks for it, redirects to the client for authorization errors (RFC 6749 §4.1.2.1),
// and an error page, never a redirect, when the client id or redirect URI cannot be trusted.
//
// Requests to the protocol routes are journaled when the Server is built WithJournal; the admin
// routes are the test's control plane and are not.
package oauth2
