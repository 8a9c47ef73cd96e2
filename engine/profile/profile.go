// Package profile is the technical-profile contract: small interfaces by ability
// (redirects the browser to a party, calls a service, issues the relying party's
// response) and the types they share. Implementations live in one package per
// protocol (profile/oauth2, profile/jwtissuer, ...) and are registered by
// engine/server.
package profile

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/policy"
)

// Env is what a technical profile sees of the journey it runs in.
type Env struct {
	// Tenant is the tenant name as it appears in URLs, e.g. contoso.onmicrosoft.com.
	Tenant string
	// TenantGUID is the tenant's object id, used in token issuers.
	TenantGUID string
	// PolicyID is the relying-party policy the journey runs under.
	PolicyID string
	// BaseURL is the emulator's external base URL without a trailing slash.
	BaseURL string
	// CorrelationID identifies the journey ({Context:CorrelationId}).
	CorrelationID string
	// State is the opaque value this journey sends to parties and expects back.
	State string
	// Policy is the effective policy the journey runs; technical profiles name
	// claims on the wire by its DefaultPartnerClaimTypes (claims.Options). The
	// journey sets it when it is nil; nil outside a journey means no defaults.
	Policy   *policy.Policy
	Claims   *claims.Bag
	Resolver *claims.Context
	Keys     *keys.Store
	// Directory is the tenant's user accounts, which directory technical
	// profiles (AzureActiveDirectoryProvider) read and write; nil outside a
	// server.
	Directory directory.Store
	HTTP      *http.Client
	Now       func() time.Time
	// RootCAs are the certificate authorities the emulator trusts for HTTPS to
	// parties; nil means the system's.
	RootCAs *x509.CertPool
	// RESTTimeout bounds one attempt of a RESTful call (B2C: 30 s; spec §4.1).
	RESTTimeout time.Duration
	// Data is the journey's private store for a profile's values between its
	// Start and Complete (e.g. OAuth1 temporary credentials); keys are prefixed
	// with the technical profile id by convention. Never sent anywhere.
	Data map[string]string
	// Mail delivers the messages profiles send (email verification codes);
	// nil when the emulator has no mailbox.
	Mail Mailer
	// Bind lets a profile name another value by which its party's answer finds
	// the journey, for protocols whose callback carries no state (OAuth1's
	// oauth_token). May be nil outside a journey.
	Bind func(key string)
}

// Mailer delivers an email message. The emulator sends verification codes
// through it; the stack's mock mailbox implements it and keeps what arrives
// for tests to read.
type Mailer interface {
	SendMail(ctx context.Context, to, subject, body string) error
}

// WrappingTransport is an http.RoundTripper in front of another (the
// emulator's host map in front of an *http.Transport). A profile that needs a
// transport of its own (TLS settings) builds it from Unwrap's and puts it
// behind Rewrap.
type WrappingTransport interface {
	http.RoundTripper
	Unwrap() http.RoundTripper
	Rewrap(http.RoundTripper) http.RoundTripper
}

// CallbackURL is the authresp URI of a protocol ("oauth2", "oauth1"), all in
// lowercase as B2C registers it with identity providers (spec §0.2):
// {base}/{tenant}/oauth2/authresp, or with withPolicy {base}/{tenant}/{policy}/oauth2/authresp.
func (e *Env) CallbackURL(protocol string, withPolicy bool) string {
	p := "/" + e.Tenant
	if withPolicy {
		p += "/" + e.PolicyID
	}
	return strings.ToLower(e.BaseURL + p + "/" + protocol + "/authresp")
}

// Redirector is a profile that federates by sending the browser to a party and
// taking its answer at the emulator's authresp endpoint.
type Redirector interface {
	// Start returns the URL to send the browser to.
	Start(ctx context.Context, env *Env) (string, error)
	// Complete takes the party's answer (the query or form parameters that reached
	// authresp), finishes the exchange server to server and writes the output
	// claims into env.Claims.
	Complete(ctx context.Context, env *Env, params url.Values) error
}

// Caller is a profile that runs without the browser: a service call or a
// computation whose output claims go into env.Claims.
type Caller interface {
	Call(ctx context.Context, env *Env) error
}

// IssueRequest is what the journey hands the SendClaims profile.
type IssueRequest struct {
	// Audience is the relying party's client id.
	Audience string
	// Nonce is copied from the relying party's request.
	Nonce string
	// Claims are the relying party's output claims, named as they go into the token.
	Claims map[string]any
	// AuthTime is when the user authenticated.
	AuthTime time.Time
	// Access, when set, asks for an access token too (the request's scope
	// named the client id or an API's scope).
	Access *AccessRequest
	// Code is the authorization code the id_token travels with (the hybrid
	// code id_token response): the id_token then carries its c_hash.
	Code string
}

// AccessRequest is the access token a relying party asked for: its audience
// (the client's own id, or the API's), the granted scopes' short names (scp)
// and the client that asked (azp).
type AccessRequest struct {
	Audience        string
	Scopes          []string
	AuthorizedParty string
}

// Issued is the relying party's response: tokens, or an error the profile
// formatted itself (OAuth2Error).
type Issued struct {
	IDToken string
	// AccessToken is set when IssueRequest.Access was.
	AccessToken string
	// Lifetimes are the issuer's token lifetimes.
	Lifetimes Lifetimes
	Error     *Error
}

// Lifetimes are a token issuer's lifetimes (JwtIssuer metadata, spec apps §3.4).
type Lifetimes struct {
	IDToken, AccessToken, RefreshToken time.Duration
	// RollingRefresh is the sliding window from the original sign-in beyond
	// which no refresh token is redeemed, unless InfiniteRolling.
	RollingRefresh  time.Duration
	InfiniteRolling bool
}

// Issuer is a SendClaims profile (JwtIssuer, OAuth2Error).
type Issuer interface {
	Issue(ctx context.Context, env *Env, req IssueRequest) (*Issued, error)
}

// SingleLogout is implemented by redirecting profiles whose party is signed
// out from the emulator's sign-out page (a hidden iframe to the returned URL)
// when ok is true.
type SingleLogout interface {
	LogoutURL() (url string, ok bool)
}

// PublicKeys is implemented by issuers whose tokens the relying party verifies
// against the policy's JWKS.
type PublicKeys interface {
	SigningKeys(env *Env) ([]*keys.RSAKey, error)
}
