package rp

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// clockSkew is the leeway allowed on exp and nbf.
const clockSkew = 5 * time.Minute

// maxBody bounds every body the RP reads.
const maxBody = 1 << 20

// verify checks raw as an id_token for req and returns its claims.
func (s *Server) verify(ctx context.Context, raw string, req *AuthorizeRequest) (map[string]any, error) {
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithAudience(s.cfg.ClientID),
		jwt.WithTimeFunc(s.now),
		jwt.WithLeeway(clockSkew),
		jwt.WithExpirationRequired(),
		jwt.WithJSONNumber(),
	}
	if req.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(req.Issuer))
	}
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(opts...).ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token header has no kid")
		}
		return s.keys.key(ctx, req.JWKSURL, kid)
	})
	if err != nil {
		return nil, err
	}
	nonce, _ := claims["nonce"].(string)
	if nonce != req.Nonce {
		return nil, fmt.Errorf("nonce mismatch: want %q (sent in the authorize request), got %q", req.Nonce, nonce)
	}
	return claims, nil
}

// decodeUnverified returns the header and claims of raw without checking anything.
func decodeUnverified(raw string) (header, claims map[string]any, err error) {
	c := jwt.MapClaims{}
	tok, _, err := jwt.NewParser(jwt.WithJSONNumber()).ParseUnverified(raw, c)
	if err != nil {
		return nil, nil, err
	}
	return tok.Header, c, nil
}

// tokenResponse is the part of a token endpoint answer the RP reads.
type tokenResponse struct {
	IDToken          string `json:"id_token"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// redeem exchanges code at the token endpoint of req and returns the id_token.
// An error answer of the endpoint is returned as a *tokenError.
func (s *Server) redeem(ctx context.Context, code string, req *AuthorizeRequest) (string, error) {
	form := url.Values{}
	form.Set("grant_type", "authorization_code")
	if req.CodeVerifier != "" {
		v := req.CodeVerifier
		if req.TamperVerifier {
			v += "-tampered"
		}
		form.Set("code_verifier", v)
	}
	form.Set("code", code)
	form.Set("redirect_uri", s.RedirectURI())
	form.Set("client_id", s.cfg.ClientID)
	if s.cfg.ClientSecret != "" {
		form.Set("client_secret", s.cfg.ClientSecret)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, req.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("redeem code: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hreq.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(hreq)
	if err != nil {
		return "", fmt.Errorf("redeem code: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", fmt.Errorf("redeem code: read answer of %s: %w", req.TokenEndpoint, err)
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		return "", fmt.Errorf("redeem code: %s answered %d with a non-JSON body (Content-Type %q): %q",
			req.TokenEndpoint, resp.StatusCode, resp.Header.Get("Content-Type"), snippet(body))
	}
	if tr.Error != "" || resp.StatusCode != http.StatusOK {
		return "", &tokenError{endpoint: req.TokenEndpoint, status: resp.StatusCode, code: tr.Error, description: tr.ErrorDescription}
	}
	if tr.IDToken == "" {
		return "", fmt.Errorf("redeem code: %s answered without an id_token: %q", req.TokenEndpoint, snippet(body))
	}
	return tr.IDToken, nil
}

// tokenError is an OAuth2 error answered by the token endpoint.
type tokenError struct {
	endpoint    string
	status      int
	code        string
	description string
}

func (e *tokenError) Error() string {
	return fmt.Sprintf("redeem code: %s answered %d: error=%q error_description=%q", e.endpoint, e.status, e.code, e.description)
}

// snippet shortens a body for an error message.
func snippet(b []byte) string {
	const n = 200
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// keyCache holds the RSA keys of each JWKS URL.
type keyCache struct {
	client *http.Client
	mu     sync.Mutex
	sets   map[string]keySet
}

// keySet maps kid to its key, or to why the key could not be read.
type keySet map[string]jwk

type jwk struct {
	key *rsa.PublicKey
	err error
}

func newKeyCache(c *http.Client) *keyCache {
	return &keyCache{client: c, sets: map[string]keySet{}}
}

// key returns the key kid of the JWKS at jwksURL, fetching the document when it is
// not cached and fetching it again once when kid is unknown.
func (c *keyCache) key(ctx context.Context, jwksURL, kid string) (*rsa.PublicKey, error) {
	c.mu.Lock()
	set, cached := c.sets[jwksURL]
	c.mu.Unlock()
	if cached {
		if k, ok := set[kid]; ok {
			return k.get(kid)
		}
	}
	set, err := c.fetch(ctx, jwksURL)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.sets[jwksURL] = set
	c.mu.Unlock()
	if k, ok := set[kid]; ok {
		return k.get(kid)
	}
	kids := make([]string, 0, len(set))
	for k := range set {
		kids = append(kids, k)
	}
	slices.Sort(kids)
	return nil, fmt.Errorf("unknown kid %q: the JWKS at %s has %q", kid, jwksURL, kids)
}

func (k jwk) get(kid string) (*rsa.PublicKey, error) {
	if k.err != nil {
		return nil, fmt.Errorf("key %q: %w", kid, k.err)
	}
	return k.key, nil
}

// fetch downloads and parses the JWKS at jwksURL.
func (c *keyCache) fetch(ctx context.Context, jwksURL string) (keySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, jwksURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", jwksURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks %s: want status 200, got %d: %q", jwksURL, resp.StatusCode, snippet(body))
	}
	var doc struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			Use string `json:"use"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("fetch jwks %s: not a JWKS document: %w", jwksURL, err)
	}
	set := keySet{}
	for _, k := range doc.Keys {
		if k.Kid == "" || k.Use == "enc" {
			continue
		}
		if k.Kty != "RSA" {
			set[k.Kid] = jwk{err: fmt.Errorf("want kty RSA, got %q", k.Kty)}
			continue
		}
		key, err := rsaKey(k.N, k.E)
		set[k.Kid] = jwk{key: key, err: err}
	}
	return set, nil
}

// rsaKey builds an RSA public key from the base64url modulus and exponent of a JWK.
func rsaKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(n, "="))
	if err != nil {
		return nil, fmt.Errorf("modulus n: %w", err)
	}
	eb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(e, "="))
	if err != nil {
		return nil, fmt.Errorf("exponent e: %w", err)
	}
	if len(nb) == 0 || len(eb) == 0 || len(eb) > 4 {
		return nil, errors.New("modulus or exponent is empty or too long")
	}
	exp := new(big.Int).SetBytes(eb)
	return &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(exp.Int64())}, nil
}
