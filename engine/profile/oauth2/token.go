package oauth2

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/profile"
)

// ClientAssertionType is RFC 7523's client_assertion_type for private_key_jwt.
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionLifetime is how long a private_key_jwt assertion is valid (exp − iat, spec §2.1 step C).
const assertionLifetime = 300 * time.Second

// tokenResponse is the access-token response. It answers the {oauth2:...}
// partner claim types (spec §5.7) and, by name, the parameters listed in
// ExtraParamsInAccessTokenEndpointResponse.
type tokenResponse struct {
	AccessToken  string
	TokenType    string
	ExpiresIn    string
	RefreshToken string
	IDToken      string
	params       map[string]string
	extra        []string
}

// Lookup implements claims.Source.
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
		if !slices.Contains(t.extra, name) {
			return nil, false
		}
		v = t.params[name]
	}
	return v, v != ""
}

func keyError(err error) *profile.Error {
	return profile.Errorf(profile.CodeServerError, err, "AADB2C90243: The IDP's client key/secret is not properly configured.")
}

// redeem exchanges the authorization code (spec §2.1 step C).
func (p *Profile) redeem(ctx context.Context, env *profile.Env, code string) (*tokenResponse, error) {
	if env.Keys == nil {
		return nil, keyError(ErrNoKeyStore)
	}
	form := url.Values{
		"code":         {code},
		"grant_type":   {"authorization_code"},
		"redirect_uri": {p.RedirectURI(env)},
	}
	var basic string
	switch p.cfg.AuthMethod {
	case AuthPrivateKeyJWT:
		assertion, err := p.assertion(env)
		if err != nil {
			return nil, keyError(err)
		}
		form.Set("client_id", p.cfg.ClientID)
		form.Set("client_assertion_type", ClientAssertionType)
		form.Set("client_assertion", assertion)
	default:
		secret, err := env.Keys.Secret(p.cfg.SecretContainer)
		if err != nil {
			return nil, keyError(err)
		}
		if p.cfg.AuthMethod == AuthClientSecretBasic {
			// RFC 6749 §2.3.1: id and secret are form-encoded before base64.
			basic = base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(p.cfg.ClientID) + ":" + url.QueryEscape(string(secret))))
		} else {
			form.Set("client_id", p.cfg.ClientID)
			form.Set("client_secret", string(secret))
		}
	}
	var req *http.Request
	var err error
	if p.cfg.HTTPBinding == "GET" {
		u, perr := url.Parse(p.cfg.AccessTokenEndpoint)
		if perr != nil {
			return nil, connectError(fmt.Errorf("token request: %w", perr))
		}
		u.RawQuery = profile.AppendQuery(u.RawQuery, form.Encode())
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, p.cfg.AccessTokenEndpoint, strings.NewReader(form.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return nil, connectError(fmt.Errorf("token request: %w", err))
	}
	if basic != "" {
		req.Header.Set("Authorization", "Basic "+basic)
	}
	req.Header.Set("Accept", "application/json")
	status, ctype, body, err := do(env.HTTP, req)
	if err != nil {
		return nil, connectError(fmt.Errorf("token request: %w", err))
	}
	if status != http.StatusOK {
		return nil, httpError("token endpoint", status, ctype, body)
	}
	params, err := p.parseTokenResponse(body)
	if err != nil {
		return nil, err
	}
	if name := p.cfg.ErrorParamName; name != "" && params[name] != "" {
		return nil, invalidResponse(fmt.Errorf("token endpoint: HTTP 200 with %s", name), "%s", params[name])
	}
	t := &tokenResponse{
		AccessToken:  params["access_token"],
		TokenType:    params["token_type"],
		ExpiresIn:    params["expires_in"],
		RefreshToken: params["refresh_token"],
		IDToken:      params["id_token"],
		params:       params,
		extra:        p.cfg.ExtraTokenParams,
	}
	if t.ExpiresIn == "" {
		t.ExpiresIn = params["expires"] // the form-encoded Facebook style
	}
	if t.AccessToken == "" {
		return nil, invalidResponse(fmt.Errorf("token endpoint: %w", errNoAccessToken), "the access token response carries no access_token")
	}
	return t, nil
}

// parseTokenResponse reads the body by AccessTokenResponseFormat: JSON,
// form-encoded (Default) or JSONP.
func (p *Profile) parseTokenResponse(body []byte) (map[string]string, error) {
	out := map[string]string{}
	switch p.cfg.TokenResponseFormat {
	case FormatDefault:
		v, err := url.ParseQuery(strings.TrimSpace(string(body)))
		if err != nil || len(v) == 0 || strings.HasPrefix(strings.TrimSpace(string(body)), "{") {
			return nil, invalidResponse(fmt.Errorf("token endpoint: form-encoded body expected: %v", err), "the access token response is not form-encoded (AccessTokenResponseFormat %s)", p.cfg.TokenResponseFormat)
		}
		for k := range v {
			out[k] = v.Get(k)
		}
		return out, nil
	case FormatJSONP:
		s := strings.TrimSpace(string(body))
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			return nil, invalidResponse(claims.ErrNotJSON, "the access token response is not JSONP")
		}
		body = []byte(s[open+1 : close])
	}
	var raw map[string]any
	if err := decodeJSON(body, &raw); err != nil || raw == nil {
		return nil, invalidResponse(fmt.Errorf("token endpoint: %w", claims.ErrNotJSON), "the access token response is not JSON")
	}
	for k, v := range raw {
		out[k] = str(v)
	}
	return out, nil
}

// assertion signs the private_key_jwt client assertion: iss = sub = client_id,
// aud = the token endpoint, a random jti, nbf = iat = now, exp = iat + 300 s,
// with the assertion_signing_key and token_signing_algorithm (OA2-07).
func (p *Profile) assertion(env *profile.Env) (string, error) {
	key, err := env.Keys.RSA(p.cfg.AssertionKeyContainer)
	if err != nil {
		return "", fmt.Errorf("assertion signing key: %w", err)
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("assertion jti: %w", err)
	}
	now := time.Now
	if env.Now != nil {
		now = env.Now
	}
	iat := now().Unix()
	method := jwt.SigningMethodRS256
	if p.cfg.SigningAlgorithm == "RS512" {
		method = jwt.SigningMethodRS512
	}
	t := jwt.NewWithClaims(method, jwt.MapClaims{
		"iss": p.cfg.ClientID,
		"sub": p.cfg.ClientID,
		"aud": p.cfg.AccessTokenEndpoint,
		"jti": base64.StdEncoding.EncodeToString(jti),
		"nbf": iat,
		"iat": iat,
		"exp": iat + int64(assertionLifetime/time.Second),
	})
	t.Header["kid"] = key.KeyID
	s, err := t.SignedString(key.Private)
	if err != nil {
		return "", fmt.Errorf("sign assertion: %w", err)
	}
	return s, nil
}
