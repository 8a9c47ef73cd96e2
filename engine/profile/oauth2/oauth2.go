// Package oauth2 is the OAuth2 technical profile (<Protocol Name="OAuth2" />):
// federation with an OAuth2 identity provider such as Facebook (spec §2).
//
// The flow: an authorization redirect (Start), the IdP's answer at authresp
// (Complete), a token request to AccessTokenEndpoint, a claims request to
// ClaimsEndpoint, and the output-claim mapping.
package oauth2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// maxBody bounds what the profile reads from an IdP.
const maxBody = 1 << 20

// Metadata keys this package reads; other keys are kept and ignored.
const (
	KeyClientID               = "client_id"
	KeyAuthorizationEndpoint  = "authorization_endpoint"
	KeyAccessTokenEndpoint    = "AccessTokenEndpoint"
	KeyClaimsEndpoint         = "ClaimsEndpoint"
	KeyScope                  = "scope"
	KeyResponseMode           = "response_mode"
	KeyResponseTypes          = "response_types"
	KeyUsePolicyInRedirectURI = "UsePolicyInRedirectUri"
	KeyAdditionalQuery        = "AdditionalRequestQueryParameters"
	KeyResolveJSONPaths       = "ResolveJsonPathsInJsonTokens"
	KeyIncludeClaimResolving  = "IncludeClaimResolvingInClaimsHandling"
	KeyProviderName           = "ProviderName"
	// KeyClientSecret is the cryptographic key holding the client secret.
	KeyClientSecret = "client_secret"
)

// Config is the parsed metadata of one OAuth2 technical profile.
type Config struct {
	ID                    string
	ClientID              string
	AuthorizationEndpoint string
	AccessTokenEndpoint   string
	ClaimsEndpoint        string
	Scope                 string
	ResponseMode          string
	ResponseTypes         string
	UsePolicyInRedirect   bool
	AdditionalQuery       url.Values
	ResolveJSONPaths      bool
	IncludeClaimResolving bool
	// SecretContainer is the policy key holding client_secret.
	SecretContainer string
	InputClaims     []policy.ClaimRef
	OutputClaims    []policy.ClaimRef
}

// Profile runs an OAuth2 technical profile.
type Profile struct {
	cfg Config
}

// New parses a technical profile. Problems lists every missing or bad setting.
func New(tp *policy.TechnicalProfile) (*Profile, policy.Problems) {
	probs := policy.RequireMetadata(tp, KeyClientID, KeyAuthorizationEndpoint, KeyAccessTokenEndpoint, KeyClaimsEndpoint)
	md := tp.Metadata
	get := func(k, def string) string {
		if v, ok := md.Get(k); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	cfg := Config{
		ID:                    tp.ID,
		ClientID:              get(KeyClientID, ""),
		AuthorizationEndpoint: get(KeyAuthorizationEndpoint, ""),
		AccessTokenEndpoint:   get(KeyAccessTokenEndpoint, ""),
		ClaimsEndpoint:        get(KeyClaimsEndpoint, ""),
		Scope:                 get(KeyScope, ""),
		ResponseMode:          get(KeyResponseMode, "form_post"),
		ResponseTypes:         get(KeyResponseTypes, "code"),
		UsePolicyInRedirect:   isTrue(get(KeyUsePolicyInRedirectURI, "false")),
		ResolveJSONPaths:      isTrue(get(KeyResolveJSONPaths, "false")),
		IncludeClaimResolving: isTrue(get(KeyIncludeClaimResolving, "false")),
		InputClaims:           tp.InputClaims,
		OutputClaims:          tp.OutputClaims,
		AdditionalQuery:       url.Values{},
	}
	for _, k := range []string{KeyAuthorizationEndpoint, KeyAccessTokenEndpoint, KeyClaimsEndpoint} {
		if v := get(k, ""); v != "" {
			if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" {
				probs = append(probs, metadataProblem(tp, k, "AADB2C99011", fmt.Sprintf("metadata %s of technical profile %q is not an absolute URL: %q", k, tp.ID, v)))
			}
		}
	}
	switch cfg.ResponseMode {
	case "form_post", "query", "fragment":
	default:
		probs = append(probs, metadataProblem(tp, KeyResponseMode, "", fmt.Sprintf("response_mode %q of technical profile %q: want query, form_post or fragment", cfg.ResponseMode, tp.ID)))
	}
	if q := get(KeyAdditionalQuery, ""); q != "" {
		for _, pair := range strings.Split(q, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(pair), "=")
			if k != "" {
				cfg.AdditionalQuery.Add(k, v)
			}
		}
	}
	if cfg.ResponseTypes == "code" {
		probs = append(probs, policy.RequireKeys(tp, KeyClientSecret)...)
	}
	if k, ok := tp.Key(KeyClientSecret); ok {
		cfg.SecretContainer = k.StorageReferenceID
	}
	return &Profile{cfg: cfg}, probs
}

func metadataProblem(tp *policy.TechnicalProfile, key, code, msg string) policy.Problem {
	pos := tp.Pos
	for _, it := range tp.Metadata {
		if it.Key == key {
			pos = it.Pos
		}
	}
	return policy.Problem{File: pos.File, Line: pos.Line, Path: fmt.Sprintf("TechnicalProfile[Id=%s]/Metadata/Item[Key=%s]", tp.ID, key), Code: code, Message: msg}
}

func isTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes":
		return true
	}
	return false
}

// Config returns the parsed configuration.
func (p *Profile) Config() Config { return p.cfg }

// RedirectURI is the lowercase authresp URI this profile registers with the IdP.
func (p *Profile) RedirectURI(env *profile.Env) string {
	return env.CallbackURL("oauth2", p.cfg.UsePolicyInRedirect)
}

func (p *Profile) claimOptions(env *profile.Env) claims.Options {
	return claims.Options{ResolveDefaults: p.cfg.IncludeClaimResolving, Resolver: env.Resolver}
}

// Start builds the authorization request (spec §2.1 step A).
func (p *Profile) Start(_ context.Context, env *profile.Env) (string, error) {
	u, err := url.Parse(p.cfg.AuthorizationEndpoint)
	if err != nil {
		return "", fmt.Errorf("authorization endpoint: %w", err)
	}
	// B2C's parameters are appended to the endpoint's own query, which goes out
	// as configured: re-encoding it would reorder it or drop what Go's query
	// parser rejects (a ';').
	q := url.Values{}
	q.Set("client_id", p.cfg.ClientID)
	q.Set("response_type", p.cfg.ResponseTypes)
	q.Set("response_mode", p.cfg.ResponseMode)
	q.Set("redirect_uri", p.RedirectURI(env))
	if p.cfg.Scope != "" {
		q.Set("scope", p.cfg.Scope)
	}
	q.Set("state", env.State)
	params, err := claims.MapInput(p.cfg.InputClaims, env.Claims, p.claimOptions(env))
	if err != nil {
		return "", fmt.Errorf("input claims: %w", err)
	}
	for _, prm := range params {
		q.Set(prm.Name, claims.String(prm.Value))
	}
	for k, vs := range p.cfg.AdditionalQuery {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	u.RawQuery = appendQuery(u.RawQuery, q.Encode())
	return u.String(), nil
}

// appendQuery appends encoded parameters to a raw query string.
func appendQuery(raw, encoded string) string {
	raw = strings.TrimRight(raw, "&")
	switch {
	case raw == "":
		return encoded
	case encoded == "":
		return raw
	}
	return raw + "&" + encoded
}

// Complete handles the IdP's answer: token request, claims request, mapping.
func (p *Profile) Complete(ctx context.Context, env *profile.Env, params url.Values) error {
	if e := params.Get("error"); e != "" {
		code := profile.CodeServerError
		if e == "access_denied" {
			code = profile.CodeAccessDenied
		}
		return profile.Errorf(code, nil, "AADB2C90273: An invalid response was received : 'Error: %s,Error Description: %s'", e, params.Get("error_description"))
	}
	code := params.Get("code")
	if code == "" {
		return profile.Errorf(profile.CodeServerError, nil, "AADB2C90273: An invalid response was received : 'Error: the authorization response carries no code'")
	}
	tok, err := p.redeem(ctx, env, code)
	if err != nil {
		return err
	}
	body, err := p.userInfo(ctx, env, tok.AccessToken)
	if err != nil {
		return err
	}
	src, err := claims.ParseJSON(body, p.cfg.ResolveJSONPaths)
	if err != nil {
		return profile.Errorf(profile.CodeServerError, err, "AADB2C90273: An invalid response was received : 'Error: the claims endpoint response is not a JSON object'")
	}
	if err := claims.MapOutput(p.cfg.OutputClaims, claims.Sources{tok, src}, env.Claims, p.claimOptions(env)); err != nil {
		return profile.Errorf(profile.CodeServerError, err, "AADB2C90255: The claims exchange '%s' did not complete as expected.", p.cfg.ID)
	}
	return nil
}

// tokenResponse is the access-token response; it also answers the {oauth2:...}
// partner claim types (spec §5.7).
type tokenResponse struct {
	AccessToken  string
	TokenType    string
	ExpiresIn    string
	RefreshToken string
	raw          map[string]any
}

// Lookup implements claims.Source for {oauth2:access_token} and friends.
func (t *tokenResponse) Lookup(name string) (any, bool) {
	var v string
	switch name {
	case "{oauth2:access_token}":
		v = t.AccessToken
	case "{oauth2:token_type}":
		v = t.TokenType
	case "{oauth2:expires_in}":
		v = t.ExpiresIn
	case "{oauth2:refresh_token}":
		v = t.RefreshToken
	default:
		return nil, false
	}
	return v, v != ""
}

func connectError(err error) *profile.Error {
	return profile.Errorf(profile.CodeServerError, err, "AADB2C90289: We encountered an error connecting to the identity provider. Please try again later.")
}

func (p *Profile) redeem(ctx context.Context, env *profile.Env, code string) (*tokenResponse, error) {
	if env.Keys == nil {
		return nil, profile.Errorf(profile.CodeServerError, fmt.Errorf("secret %s: %w", p.cfg.SecretContainer, ErrNoKeyStore),
			"AADB2C90243: The IDP's client key/secret is not properly configured.")
	}
	secret, err := env.Keys.Secret(p.cfg.SecretContainer)
	if err != nil {
		return nil, profile.Errorf(profile.CodeServerError, err, "AADB2C90243: The IDP's client key/secret is not properly configured.")
	}
	form := url.Values{
		"client_id":     {p.cfg.ClientID},
		"client_secret": {string(secret)},
		"code":          {code},
		"grant_type":    {"authorization_code"},
		"redirect_uri":  {p.RedirectURI(env)},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.cfg.AccessTokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, connectError(fmt.Errorf("token request: %w", err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	status, ctype, body, err := do(env.HTTP, req)
	if err != nil {
		return nil, connectError(fmt.Errorf("token request: %w", err))
	}
	var raw map[string]any
	jsonErr := decodeJSON(body, &raw)
	if status != http.StatusOK {
		if e, _ := raw["error"].(string); jsonErr == nil && e != "" {
			return nil, profile.Errorf(profile.CodeServerError, fmt.Errorf("token endpoint: HTTP %d %s: %s", status, e, raw["error_description"]),
				"AADB2C90289: We encountered an '%s' error connecting to the identity provider. Please try again later.", e)
		}
		return nil, connectError(fmt.Errorf("token endpoint: HTTP %d (%s)", status, ctype))
	}
	if jsonErr != nil || raw == nil {
		return nil, profile.Errorf(profile.CodeServerError, fmt.Errorf("token endpoint: %w", claims.ErrNotJSON),
			"AADB2C90273: An invalid response was received : 'Error: the access token response is not JSON'")
	}
	t := &tokenResponse{raw: raw}
	t.AccessToken = str(raw["access_token"])
	t.TokenType = str(raw["token_type"])
	t.ExpiresIn = str(raw["expires_in"])
	t.RefreshToken = str(raw["refresh_token"])
	if t.AccessToken == "" {
		return nil, profile.Errorf(profile.CodeServerError, errors.New("token endpoint: no access_token"),
			"AADB2C90273: An invalid response was received : 'Error: the access token response carries no access_token'")
	}
	return t, nil
}

func (p *Profile) userInfo(ctx context.Context, env *profile.Env, token string) ([]byte, error) {
	u, err := url.Parse(p.cfg.ClaimsEndpoint)
	if err != nil {
		return nil, connectError(fmt.Errorf("claims endpoint: %w", err))
	}
	u.RawQuery = appendQuery(u.RawQuery, url.Values{"access_token": {token}}.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, connectError(fmt.Errorf("claims request: %w", err))
	}
	req.Header.Set("Accept", "application/json")
	status, ctype, body, err := do(env.HTTP, req)
	if err != nil {
		return nil, connectError(fmt.Errorf("claims request: %w", err))
	}
	if status != http.StatusOK {
		var raw map[string]any
		if decodeJSON(body, &raw) == nil {
			if e := errorName(raw); e != "" {
				return nil, profile.Errorf(profile.CodeServerError, fmt.Errorf("claims endpoint: HTTP %d %s", status, e),
					"AADB2C90289: We encountered an '%s' error connecting to the identity provider. Please try again later.", e)
			}
		}
		return nil, connectError(fmt.Errorf("claims endpoint: HTTP %d (%s)", status, ctype))
	}
	return body, nil
}

// errorName reads an RFC 6749 error, or Facebook's {"error":{"type":...}}.
func errorName(raw map[string]any) string {
	switch e := raw["error"].(type) {
	case string:
		return e
	case map[string]any:
		if t, ok := e["type"].(string); ok {
			return t
		}
		return "error"
	}
	return ""
}

func do(c *http.Client, req *http.Request) (status int, ctype string, body []byte, err error) {
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, "", nil, fmt.Errorf("read response: %w", err)
	}
	ctype, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return resp.StatusCode, ctype, body, nil
}

func decodeJSON(body []byte, v any) error {
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.UseNumber()
	return d.Decode(v)
}

func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		if t {
			return "true"
		}
		return "false"
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
