package oauth2

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
)

// Limits on a client_assertion's times (RFC 7523 §3): clocks may differ by assertionSkew, and
// an assertion may not live longer than assertionMaxLifetime from now.
const (
	assertionSkew        = time.Minute
	assertionMaxLifetime = 10 * time.Minute
)

// Assertion is a decoded client_assertion (RFC 7523): its JOSE header and its claims as sent,
// not verified, so that steps can assert alg, kid, exp−iat and the rest. Numbers are float64.
type Assertion struct {
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
}

func (a *Assertion) clone() *Assertion {
	if a == nil {
		return nil
	}
	return &Assertion{Header: cfgfile.CloneClaims(a.Header), Claims: cfgfile.CloneClaims(a.Claims)}
}

// decodeJWT decodes the header and claims of a compact JWS without verifying it.
func decodeJWT(token string) (header, claims map[string]any, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("want three dot-separated parts, got %d", len(parts))
	}
	decode := func(name, seg string) (map[string]any, error) {
		b, err := base64.RawURLEncoding.DecodeString(seg)
		if err != nil {
			return nil, fmt.Errorf("%s is not base64url: %w", name, err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil || m == nil {
			return nil, fmt.Errorf("%s is not a JSON object", name)
		}
		return m, nil
	}
	if header, err = decode("header", parts[0]); err != nil {
		return nil, nil, err
	}
	if claims, err = decode("claims", parts[1]); err != nil {
		return nil, nil, err
	}
	return header, claims, nil
}

// verifyAssertion authenticates a client by private_key_jwt (RFC 7523 §2.2 and §3): the
// assertion type, the client's method, the algorithm, the signature against the registered
// keys, iss = sub = client_id, aud = the token endpoint, exp, nbf, iat and a fresh jti.
func (s *Server) verifyAssertion(r *http.Request, params url.Values) (Client, error) {
	bad := func(format string, args ...any) error {
		return oauthError(CodeInvalidClient, fmt.Sprintf(format, args...))
	}
	typ, raw := params.Get("client_assertion_type"), params.Get("client_assertion")
	switch {
	case !params.Has("client_assertion_type"):
		return Client{}, oauthError(CodeInvalidRequest, "client_assertion_type is missing (RFC 7523 §2.2)")
	case typ != ClientAssertionType:
		return Client{}, bad("unsupported client_assertion_type %q; want %s", typ, ClientAssertionType)
	case raw == "":
		return Client{}, oauthError(CodeInvalidRequest, "client_assertion is missing (RFC 7523 §2.2)")
	}
	header, claims, err := decodeJWT(raw)
	if err != nil {
		return Client{}, bad("client_assertion is not a JWT: %v", err)
	}
	iss, _ := claims["iss"].(string)
	id := params.Get("client_id")
	if id == "" {
		id = iss
	}
	if id == "" {
		return Client{}, bad("client_assertion has no iss and the request no client_id")
	}
	c, ok := s.clients.Get(id)
	if !ok {
		return Client{}, bad("unknown client %s", id)
	}
	if c.AuthMethod != AuthPrivateKeyJWT {
		return Client{}, authMismatch(c, AuthPrivateKeyJWT)
	}

	algs := c.assertionAlgs()
	alg, _ := header["alg"].(string)
	if !slices.Contains(algs, alg) {
		return Client{}, bad("client_assertion alg %q is not accepted for client %s; want %s", alg, id, strings.Join(algs, " or "))
	}
	keys, _ := c.verificationKeys()
	kid, _ := header["kid"].(string)
	var candidates []jwt.VerificationKey
	for _, k := range keys {
		if (kid == "" || k.kid == "" || k.kid == kid) && keyFits(alg, k.key) {
			candidates = append(candidates, k.key)
		}
	}
	if len(candidates) == 0 {
		return Client{}, bad("no registered key of client %s verifies %s (kid %q)", id, alg, kid)
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{alg}), jwt.WithoutClaimsValidation())
	if _, err := parser.Parse(raw, func(*jwt.Token) (any, error) {
		if len(candidates) == 1 {
			return candidates[0], nil
		}
		return jwt.VerificationKeySet{Keys: candidates}, nil
	}); err != nil {
		return Client{}, bad("client_assertion does not verify with the registered key of client %s: %v", id, err)
	}

	mc := jwt.MapClaims(claims)
	if sub, _ := claims["sub"].(string); iss != id || sub != id {
		return Client{}, bad("client_assertion iss %q and sub %q must both be the client_id %q (RFC 7523 §3)", iss, sub, id)
	}
	aud, err := mc.GetAudience()
	if err != nil {
		return Client{}, bad("client_assertion aud: %v", err)
	}
	endpoint, err := s.assertionAudience(r, c)
	if err != nil {
		return Client{}, err
	}
	if !slices.Contains(aud, endpoint) {
		return Client{}, bad("client_assertion aud %q does not contain the token endpoint URL %s", []string(aud), endpoint)
	}
	now := s.base.Now()
	exp, err := mc.GetExpirationTime()
	switch {
	case err != nil:
		return Client{}, bad("client_assertion exp: %v", err)
	case exp == nil:
		return Client{}, bad("client_assertion exp is missing")
	case !now.Before(exp.Time):
		return Client{}, bad("client_assertion expired at %s (now %s)", exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case exp.Sub(now) > assertionMaxLifetime:
		return Client{}, bad("client_assertion exp %s is more than %s ahead", exp.UTC().Format(time.RFC3339), assertionMaxLifetime)
	}
	for _, d := range []struct {
		name string
		get  func() (*jwt.NumericDate, error)
	}{{"nbf", mc.GetNotBefore}, {"iat", mc.GetIssuedAt}} {
		t, err := d.get()
		switch {
		case err != nil:
			return Client{}, bad("client_assertion %s: %v", d.name, err)
		case t != nil && t.After(now.Add(assertionSkew)):
			return Client{}, bad("client_assertion %s %s is in the future (now %s)", d.name, t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
	}
	jti, _ := claims["jti"].(string)
	if jti == "" {
		return Client{}, bad("client_assertion jti is missing")
	}
	if !s.useJTI(id, jti) {
		return Client{}, bad("client_assertion jti already used: %s", jti)
	}
	return c, nil
}

// useJTI records jti for clientID and reports whether it was new.
func (s *Server) useJTI(clientID, jti string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := s.jtis[clientID]
	if seen == nil {
		seen = map[string]bool{}
		s.jtis[clientID] = seen
	}
	if seen[jti] {
		return false
	}
	seen[jti] = true
	return true
}

// authMismatch is the invalid_client error for a client that presented another authentication
// method (got: a method or "none") than the one it must use.
func authMismatch(c Client, got string) error {
	if got == "none" {
		got = "no client authentication"
	}
	desc := fmt.Sprintf("client %s must authenticate with %s, got %s", c.ID, c.AuthMethod, got)
	if c.AuthMethod == "" {
		desc = fmt.Sprintf("client %s authenticates with %s or %s, got %s", c.ID, AuthClientSecretPost, AuthClientSecretBasic, got)
	}
	err := oauthError(CodeInvalidClient, desc)
	if got == AuthClientSecretBasic || c.AuthMethod == AuthClientSecretBasic {
		return challengeError{err: err, scheme: "Basic"} // RFC 6749 §5.2
	}
	return err
}

// assertionAudience is the aud a client assertion of c must name (RFC 7523 §3: the token
// endpoint URL), from configuration only: c's TokenEndpointURL, else Config.BaseURL plus the
// path of the route r reached, else the address of the listener r came in on plus the path of
// r's target (which keeps any mount prefix). The Host header and an absolute request target are
// the client's to write: an aud taken from them would accept an assertion minted for another
// audience sent with a forged Host (security issue #18).
func (s *Server) assertionAudience(r *http.Request, c Client) (string, error) {
	switch {
	case c.TokenEndpointURL != "":
		return c.TokenEndpointURL, nil
	case s.baseURL != "":
		return s.baseURL + r.URL.EscapedPath(), nil
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok || local == nil {
		return "", Error{Code: CodeServerError, Status: http.StatusInternalServerError,
			Description: "the server does not know its token endpoint URL to check the client_assertion aud: set Config.BaseURL or the client's TokenEndpointURL"}
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	path := r.URL.EscapedPath()
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
		path = u.EscapedPath()
	}
	return scheme + "://" + local.String() + path, nil
}

// publicURL is the base URL the discovery document and the default issuer name: Config.BaseURL,
// else the base URL r reached.
func (s *Server) publicURL(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	return baseURL(r)
}

// reachedURL is the URL of r as the client reached it: scheme, host and the path of the request
// target, which keeps any mount prefix stripped from r.URL.Path; no query.
func reachedURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host, path := r.Host, r.URL.EscapedPath()
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
		if u.IsAbs() {
			scheme, host = u.Scheme, u.Host
		}
		path = u.EscapedPath()
	}
	return scheme + "://" + host + path
}

// baseURL is where the handler is served as the client reached it: reachedURL without the route.
func baseURL(r *http.Request) string {
	return strings.TrimSuffix(reachedURL(r), r.URL.EscapedPath())
}
