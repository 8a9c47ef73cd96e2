// Package oauth2 is the OAuth2 technical profile (<Protocol Name="OAuth2" />):
// federation with an OAuth2 identity provider such as Facebook, LinkedIn or an
// enterprise IdP (spec §2).
//
// The flow: an authorization redirect (Start), the IdP's answer at authresp
// (Complete), a token request to AccessTokenEndpoint (token.go), a claims
// request to ClaimsEndpoint (userinfo.go), and the output-claim mapping. With
// response_types=id_token the IdP's id_token is the answer and no call follows.
package oauth2

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/profile"
)

// maxBody bounds what the profile reads from an IdP.
const maxBody = 1 << 20

// Profile runs an OAuth2 technical profile.
type Profile struct {
	cfg Config
}

// Config returns the parsed configuration.
func (p *Profile) Config() Config { return p.cfg }

// RedirectURI is the lowercase authresp URI this profile registers with the IdP.
func (p *Profile) RedirectURI(env *profile.Env) string {
	return env.CallbackURL("oauth2", p.cfg.UsePolicyInRedirect)
}

// LogoutURL is the IdP's end_session_endpoint when single logout applies
// (SingleLogoutEnabled, the default, and an endpoint configured).
func (p *Profile) LogoutURL() (string, bool) {
	return p.cfg.EndSessionEndpoint, p.cfg.SingleLogout && p.cfg.EndSessionEndpoint != ""
}

func (p *Profile) claimOptions(env *profile.Env) claims.Options {
	return claims.Options{ResolveDefaults: p.cfg.IncludeClaimResolving, Resolver: env.Resolver, Policy: env.Policy, Protocol: ProtocolName}
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
	q.Set("state", p.exchangeState(env))
	if p.cfg.ResponseTypes == "id_token" && env.Data != nil {
		// The id_token comes back through the browser: a nonce binds it to
		// this request (OIDC Core 3.2.2.1), checked in Complete.
		n := make([]byte, 18)
		_, _ = rand.Read(n)
		nonce := base64.RawURLEncoding.EncodeToString(n)
		env.Data[p.cfg.ID+":nonce"] = nonce
		q.Set("nonce", nonce)
	}
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
	u.RawQuery = profile.AppendQuery(u.RawQuery, q.Encode())
	return u.String(), nil
}

// exchangeState is the state sent to the identity provider: a fresh value
// bound to the journey and good for one answer, so that an answer replayed
// later (even to a later step of the same journey) finds nothing. Outside a
// journey (no Bind) the journey's own state is used.
func (p *Profile) exchangeState(env *profile.Env) string {
	if env.Bind == nil {
		return env.State
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return env.State
	}
	st := base64.RawURLEncoding.EncodeToString(b)
	env.Bind(st)
	return st
}

func invalidResponse(cause error, format string, args ...any) *profile.Error {
	return profile.Errorf(profile.CodeServerError, cause, "AADB2C90273: An invalid response was received : 'Error: "+format+"'", args...)
}

func connectError(err error) *profile.Error {
	return profile.Errorf(profile.CodeServerError, err, "AADB2C90289: We encountered an error connecting to the identity provider. Please try again later.")
}

// Complete handles the IdP's answer: with response_types=code the token and
// claims requests, with id_token the token itself; then the output mapping.
func (p *Profile) Complete(ctx context.Context, env *profile.Env, params url.Values) error {
	if e := params.Get("error"); e != "" {
		code := profile.CodeServerError
		if e == "access_denied" {
			code = profile.CodeAccessDenied
		}
		return profile.Errorf(code, nil, "AADB2C90273: An invalid response was received : 'Error: %s,Error Description: %s'", e, params.Get("error_description"))
	}
	var sources claims.Sources
	if p.cfg.ResponseTypes == "id_token" {
		raw := params.Get("id_token")
		if raw == "" {
			return invalidResponse(nil, "the authorization response carries no id_token")
		}
		idt, err := p.idToken(raw, env)
		if err != nil {
			return err
		}
		sources = claims.Sources{idt}
	} else {
		code := params.Get("code")
		if code == "" {
			return invalidResponse(nil, "the authorization response carries no code")
		}
		tok, err := p.redeem(ctx, env, code)
		if err != nil {
			return err
		}
		if tok.IDToken != "" && p.cfg.IDTokenAudience != "" {
			if _, err := p.idToken(tok.IDToken, nil); err != nil {
				return err
			}
		}
		body, err := p.userInfo(ctx, env, tok)
		if err != nil {
			return err
		}
		src, err := claims.ParseJSON(body, p.cfg.ResolveJSONPaths)
		if err != nil {
			return invalidResponse(err, "the claims endpoint response is not a JSON object")
		}
		if err := p.errorIn200(src); err != nil {
			return err
		}
		sources = claims.Sources{tok, src}
	}
	if err := claims.MapOutput(p.cfg.OutputClaims, sources, env.Claims, p.claimOptions(env)); err != nil {
		return profile.Errorf(profile.CodeServerError, err, "AADB2C90255: The claims exchange '%s' did not complete as expected.", p.cfg.ID)
	}
	return nil
}

// errorIn200 fails a 200 answer that carries ResponseErrorCodeParamName (OA2-14).
func (p *Profile) errorIn200(src claims.Source) error {
	if p.cfg.ErrorParamName == "" {
		return nil
	}
	if v, ok := src.Lookup(p.cfg.ErrorParamName); ok {
		return invalidResponse(fmt.Errorf("HTTP 200 with %s", p.cfg.ErrorParamName), "%s", claims.String(v))
	}
	return nil
}

// idToken reads an id_token the IdP returned: signed (an unsigned, alg none,
// token is refused), not expired, the nonce this journey sent when it came
// through the browser (env set), and its audience IdTokenAudience. The OAuth2
// profile has no metadata naming the IdP's keys, so the signature itself is
// not verified (see docs/behavior-decisions.md).
func (p *Profile) idToken(raw string, env *profile.Env) (*claims.JSONSource, error) {
	c := jwt.MapClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(raw, c)
	if err != nil {
		return nil, invalidResponse(err, "the id_token is not a JWT")
	}
	if alg, _ := tok.Header["alg"].(string); alg == "" || strings.EqualFold(alg, "none") || len(strings.Split(raw, ".")) != 3 || strings.HasSuffix(raw, ".") {
		return nil, invalidResponse(fmt.Errorf("id_token alg %q", alg), "the id_token is not signed")
	}
	now := time.Now()
	if env != nil && env.Now != nil {
		now = env.Now()
	}
	if exp, err := c.GetExpirationTime(); err != nil || exp == nil || now.After(exp.Add(5*time.Minute)) {
		return nil, invalidResponse(fmt.Errorf("id_token exp %v", exp), "the id_token has expired or has no exp")
	}
	if env != nil && env.Data != nil {
		want := env.Data[p.cfg.ID+":nonce"]
		delete(env.Data, p.cfg.ID+":nonce")
		if got, _ := c["nonce"].(string); want == "" || got != want {
			return nil, invalidResponse(fmt.Errorf("id_token nonce %q", got), "the id_token's nonce is not the one sent")
		}
	}
	if want := p.cfg.IDTokenAudience; want != "" {
		aud, _ := c.GetAudience()
		ok := false
		for _, a := range aud {
			ok = ok || a == want
		}
		if !ok {
			return nil, invalidResponse(fmt.Errorf("id_token aud %v", aud), "the id_token audience '%s' is not the expected '%s'", strings.Join(aud, ","), want)
		}
	}
	body, err := json.Marshal(c)
	if err != nil {
		return nil, invalidResponse(err, "the id_token claims cannot be read")
	}
	return claims.ParseJSON(body, p.cfg.ResolveJSONPaths)
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

// httpError turns a non-200 answer into B2C's error: the IdP's error name when
// the body carries one, else the generic connection error.
func httpError(what string, status int, ctype string, body []byte) error {
	var raw map[string]any
	if decodeJSON(body, &raw) == nil {
		if e := errorName(raw); e != "" {
			return profile.Errorf(profile.CodeServerError, fmt.Errorf("%s: HTTP %d %s: %v", what, status, e, raw["error_description"]),
				"AADB2C90289: We encountered an '%s' error connecting to the identity provider. Please try again later.", e)
		}
	}
	if v, err := url.ParseQuery(string(body)); err == nil && v.Get("error") != "" && !strings.Contains(ctype, "html") {
		return profile.Errorf(profile.CodeServerError, fmt.Errorf("%s: HTTP %d %s", what, status, v.Get("error")),
			"AADB2C90289: We encountered an '%s' error connecting to the identity provider. Please try again later.", v.Get("error"))
	}
	return connectError(fmt.Errorf("%s: HTTP %d (%s)", what, status, ctype))
}

var errNoAccessToken = errors.New("no access_token")

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
