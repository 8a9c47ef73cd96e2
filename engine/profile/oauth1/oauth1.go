// Package oauth1 is the OAuth1 technical profile (<Protocol Name="OAuth1" />):
// federation with an OAuth 1.0a identity provider such as Twitter (spec §3,
// seed 002). Requests are signed (HMAC-SHA1) by github.com/dghubble/oauth1.
//
// The flow (RFC 5849): temporary credentials from request_token_endpoint with
// the lowercase callback {base}/{tenant}/{policy}/oauth1/authresp (Start), the
// browser to authorization_endpoint, the IdP's answer at the callback with
// oauth_token and oauth_verifier (Complete), token credentials from
// access_token_endpoint, then a signed GET of ClaimsEndpoint. Output claims
// read the access-token response (user_id, screen_name) and the claims JSON.
package oauth1

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/dghubble/oauth1"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// Metadata keys and the cryptographic key this package reads (spec §3.2).
// ProtocolName is the Protocol Name of the profiles this package implements; it
// picks the claim types' DefaultPartnerClaimTypes.
const ProtocolName = "OAuth1"

const (
	KeyClientID              = "client_id"
	KeyProviderName          = "ProviderName"
	KeyRequestTokenEndpoint  = "request_token_endpoint"
	KeyAuthorizationEndpoint = "authorization_endpoint"
	KeyAccessTokenEndpoint   = "access_token_endpoint"
	KeyClaimsEndpoint        = "ClaimsEndpoint"
	KeyClaimsResponseFormat  = "ClaimsResponseFormat"
	KeyIncludeClaimResolving = "IncludeClaimResolvingInClaimsHandling"
	KeyResolveJSONPaths      = "ResolveJsonPathsInJsonTokens"
	KeyClientSecret          = "client_secret"
)

// maxBody bounds what the profile reads from an IdP.
const maxBody = 1 << 20

// Sentinel errors.
var (
	ErrNoTemporaryCredentials = errors.New("no temporary credentials for this journey")
	ErrTokenMismatch          = errors.New("oauth_token does not match the journey's temporary credentials")
	ErrNoKeyStore             = errors.New("no policy key store")
)

// Config is the parsed metadata of one OAuth1 technical profile.
type Config struct {
	ID                    string
	ClientID              string
	RequestTokenEndpoint  string
	AuthorizationEndpoint string
	AccessTokenEndpoint   string
	ClaimsEndpoint        string
	ClaimsResponseFormat  string
	IncludeClaimResolving bool
	ResolveJSONPaths      bool
	SecretContainer       string
	OutputClaims          []policy.ClaimRef
}

// Profile runs an OAuth1 technical profile.
type Profile struct {
	cfg Config
}

// New parses a technical profile. Problems lists every missing or bad setting.
func New(tp *policy.TechnicalProfile) (*Profile, policy.Problems) {
	probs := policy.RequireMetadata(tp, KeyClientID, KeyRequestTokenEndpoint, KeyAuthorizationEndpoint, KeyAccessTokenEndpoint)
	probs = append(probs, policy.RequireKeys(tp, KeyClientSecret)...)
	get := func(key string) string { return profile.MetadataValue(tp, key) }
	cfg := Config{
		ID:                    tp.ID,
		ClientID:              get(KeyClientID),
		RequestTokenEndpoint:  get(KeyRequestTokenEndpoint),
		AuthorizationEndpoint: get(KeyAuthorizationEndpoint),
		AccessTokenEndpoint:   get(KeyAccessTokenEndpoint),
		ClaimsEndpoint:        get(KeyClaimsEndpoint),
		ClaimsResponseFormat:  strings.ToLower(get(KeyClaimsResponseFormat)),
		IncludeClaimResolving: strings.EqualFold(get(KeyIncludeClaimResolving), "true"),
		ResolveJSONPaths:      strings.EqualFold(get(KeyResolveJSONPaths), "true"),
		OutputClaims:          tp.OutputClaims,
	}
	for _, k := range []string{KeyRequestTokenEndpoint, KeyAuthorizationEndpoint, KeyAccessTokenEndpoint, KeyClaimsEndpoint} {
		if v := get(k); v != "" {
			if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" {
				probs = append(probs, policy.Problem{File: tp.Pos.File, Line: tp.Pos.Line, Path: fmt.Sprintf("TechnicalProfile[Id=%s]/Metadata/Item[Key=%s]", tp.ID, k),
					Code: "AADB2C99011", Message: fmt.Sprintf("metadata %s of technical profile %q is not an absolute URL: %q", k, tp.ID, v)})
			}
		}
	}
	switch cfg.ClaimsResponseFormat {
	case "", "json":
	default:
		probs = append(probs, policy.Problem{File: tp.Pos.File, Line: tp.Pos.Line, Path: fmt.Sprintf("TechnicalProfile[Id=%s]/Metadata/Item[Key=%s]", tp.ID, KeyClaimsResponseFormat),
			Message: fmt.Sprintf("ClaimsResponseFormat %q of technical profile %q: only json is supported", cfg.ClaimsResponseFormat, tp.ID)})
	}
	if k, ok := tp.Key(KeyClientSecret); ok {
		cfg.SecretContainer = k.StorageReferenceID
	}
	return &Profile{cfg: cfg}, probs
}

// Config returns the parsed configuration.
func (p *Profile) Config() Config { return p.cfg }

// CallbackURL is the lowercase callback URI; OAuth1's always carries the policy id.
func (p *Profile) CallbackURL(env *profile.Env) string { return env.CallbackURL("oauth1", true) }

// recorder is the HTTP client the library calls through: it carries the
// journey's context and keeps the last response, whose extra parameters
// (user_id, screen_name) and oauth_problem the library does not return.
type recorder struct {
	base   http.RoundTripper
	ctx    context.Context
	status int
	body   []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req.WithContext(r.ctx))
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	r.status, r.body = resp.StatusCode, body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// client returns the library configuration for one call, and its recorder.
func (p *Profile) client(ctx context.Context, env *profile.Env) (*oauth1.Config, *recorder, error) {
	if env.Keys == nil {
		return nil, nil, keyError(ErrNoKeyStore)
	}
	secret, err := env.Keys.Secret(p.cfg.SecretContainer)
	if err != nil {
		return nil, nil, keyError(err)
	}
	base := http.DefaultTransport
	hc := &http.Client{}
	if env.HTTP != nil {
		if env.HTTP.Transport != nil {
			base = env.HTTP.Transport
		}
		hc.Timeout = env.HTTP.Timeout
	}
	rec := &recorder{base: base, ctx: ctx}
	hc.Transport = rec
	return &oauth1.Config{
		ConsumerKey:    p.cfg.ClientID,
		ConsumerSecret: string(secret),
		CallbackURL:    p.CallbackURL(env),
		Endpoint: oauth1.Endpoint{
			RequestTokenURL: p.cfg.RequestTokenEndpoint,
			AuthorizeURL:    p.cfg.AuthorizationEndpoint,
			AccessTokenURL:  p.cfg.AccessTokenEndpoint,
		},
		HTTPClient: hc,
	}, rec, nil
}

func keyError(err error) *profile.Error {
	return profile.Errorf(profile.CodeServerError, err, "AADB2C90243: The IDP's client key/secret is not properly configured.")
}

// partyError turns a failed call into B2C's error: the IdP's oauth_problem
// when its answer names one, else the generic connection error.
func partyError(what string, rec *recorder, err error) *profile.Error {
	if rec.status != 0 {
		v, _ := url.ParseQuery(string(rec.body))
		if problem := v.Get("oauth_problem"); problem != "" {
			return profile.Errorf(profile.CodeServerError, fmt.Errorf("%s: HTTP %d oauth_problem=%s: %w", what, rec.status, problem, err),
				"AADB2C90289: We encountered an '%s' error connecting to the identity provider. Please try again later.", problem)
		}
	}
	return profile.Errorf(profile.CodeServerError, fmt.Errorf("%s: %w", what, err),
		"AADB2C90289: We encountered an error connecting to the identity provider. Please try again later.")
}

func (p *Profile) dataKey(name string) string { return p.cfg.ID + "/" + name }

// Start gets temporary credentials and returns the authorization URL (spec §3.1 steps 1–2).
func (p *Profile) Start(ctx context.Context, env *profile.Env) (string, error) {
	cfg, rec, err := p.client(ctx, env)
	if err != nil {
		return "", err
	}
	token, secret, err := cfg.RequestToken()
	if err != nil {
		return "", partyError("request token", rec, err)
	}
	if env.Data == nil {
		return "", fmt.Errorf("oauth1 %s: the journey has no data store", p.cfg.ID)
	}
	env.Data[p.dataKey("token")] = token
	env.Data[p.dataKey("secret")] = secret
	if env.Bind != nil {
		env.Bind("oauth1:" + token)
	}
	u, err := cfg.AuthorizationURL(token)
	if err != nil {
		return "", fmt.Errorf("authorization endpoint: %w", err)
	}
	return u.String(), nil
}

// Complete takes the callback (oauth_token and oauth_verifier, or denied),
// gets token credentials, calls the claims endpoint and maps output claims.
func (p *Profile) Complete(ctx context.Context, env *profile.Env, params url.Values) error {
	token := env.Data[p.dataKey("token")]
	secret := env.Data[p.dataKey("secret")]
	delete(env.Data, p.dataKey("token"))
	delete(env.Data, p.dataKey("secret"))
	if token == "" {
		return profile.Errorf(profile.CodeServerError, ErrNoTemporaryCredentials, "AADB2C90273: An invalid response was received : 'Error: no OAuth1 authorization is in progress'")
	}
	if d := params.Get("denied"); d != "" {
		return profile.Errorf(profile.CodeAccessDenied, nil, "AADB2C90273: An invalid response was received : 'Error: access_denied,Error Description: the user denied the authorization request'")
	}
	if params.Get("oauth_token") != token {
		return profile.Errorf(profile.CodeServerError, ErrTokenMismatch, "AADB2C90273: An invalid response was received : 'Error: the oauth_token does not match the authorization request'")
	}
	verifier := params.Get("oauth_verifier")
	if verifier == "" {
		return profile.Errorf(profile.CodeServerError, nil, "AADB2C90273: An invalid response was received : 'Error: the callback carries no oauth_verifier'")
	}
	cfg, rec, err := p.client(ctx, env)
	if err != nil {
		return err
	}
	accessToken, accessSecret, err := cfg.AccessToken(token, secret, verifier)
	if err != nil {
		return partyError("access token", rec, err)
	}
	tokenParams, _ := url.ParseQuery(string(rec.body))
	sources := claims.Sources{tokenSource(tokenParams)}
	if p.cfg.ClaimsEndpoint != "" {
		body, err := p.userInfo(ctx, cfg, rec, oauth1.NewToken(accessToken, accessSecret))
		if err != nil {
			return err
		}
		src, err := claims.ParseJSON(body, p.cfg.ResolveJSONPaths)
		if err != nil {
			return profile.Errorf(profile.CodeServerError, err, "AADB2C90273: An invalid response was received : 'Error: the claims endpoint response is not a JSON object'")
		}
		sources = append(sources, src)
	}
	opts := claims.Options{ResolveDefaults: p.cfg.IncludeClaimResolving, Resolver: env.Resolver, Policy: env.Policy, Protocol: ProtocolName}
	if err := claims.MapOutput(p.cfg.OutputClaims, sources, env.Claims, opts); err != nil {
		return profile.Errorf(profile.CodeServerError, err, "AADB2C90255: The claims exchange '%s' did not complete as expected.", p.cfg.ID)
	}
	return nil
}

// tokenSource answers partner claims from the access-token response, except
// the credentials themselves.
func tokenSource(v url.Values) claims.Source {
	return claims.SourceFunc(func(name string) (any, bool) {
		if name == "oauth_token" || name == "oauth_token_secret" || !v.Has(name) {
			return nil, false
		}
		return v.Get(name), true
	})
}

// userInfo makes the signed GET of the claims endpoint; its own query string
// takes part in the signature base string (OA1-05).
func (p *Profile) userInfo(ctx context.Context, cfg *oauth1.Config, rec *recorder, tok *oauth1.Token) ([]byte, error) {
	hc := oauth1.NewClient(context.WithValue(ctx, oauth1.HTTPClient, cfg.HTTPClient), cfg, tok)
	hc.Timeout = cfg.HTTPClient.Timeout
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.ClaimsEndpoint, nil)
	if err != nil {
		return nil, partyError("claims request", rec, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, partyError("claims request", rec, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, partyError("claims request", rec, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, partyError("claims request", rec, fmt.Errorf("HTTP %d", resp.StatusCode))
	}
	return body, nil
}
