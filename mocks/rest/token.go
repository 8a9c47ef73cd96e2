package rest

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// CodeInvalidToken is the error code of a 401 for a bearer token a custom-claims route refused.
const CodeInvalidToken = "invalid_token"

// checkToken verifies the bearer token of a call to a custom-claims route, records its claims
// and what was wrong with it on c, and returns the 401 to answer when it is refused.
func (s *Server) checkToken(r *http.Request, c *Call, cc CustomClaims) error {
	claims, err := s.verifyEntraToken(r.Context(), r, cc)
	s.mu.Lock()
	defer s.mu.Unlock()
	c.TokenClaims = claims
	if err != nil {
		var e Error
		if errors.As(err, &e) {
			c.TokenError = e.Message
		} else {
			c.TokenError = err.Error()
		}
	}
	return err
}

// verifyEntraToken checks the bearer token of r as a token Entra sends a custom claims provider.
// It returns the token's claims once its signature verified, with an Error naming every claim
// that is wrong.
func (s *Server) verifyEntraToken(ctx context.Context, r *http.Request, cc CustomClaims) (map[string]any, error) {
	raw, ok := bearerToken(r)
	if !ok || raw == "" {
		return nil, Error{
			Status: http.StatusUnauthorized, Code: CodeUnauthorized, Challenge: bearerChallenge,
			Message: fmt.Sprintf("want Authorization: Bearer <access token for %s from Entra>, got none", cc.Audience),
		}
	}
	claims := jwt.MapClaims{}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithJSONNumber(), jwt.WithoutClaimsValidation())
	_, err := parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token header has no kid")
		}
		return s.keys.key(ctx, cc.JWKSURL, kid)
	})
	if err != nil {
		return nil, invalidToken("token: " + err.Error())
	}
	if problems := s.tokenProblems(claims, cc); len(problems) > 0 {
		return map[string]any(claims), invalidToken(strings.Join(problems, "; "))
	}
	return map[string]any(claims), nil
}

func invalidToken(msg string) Error {
	return Error{Status: http.StatusUnauthorized, Code: CodeInvalidToken, Message: msg, Challenge: bearerChallenge + `, error="invalid_token"`}
}

// tokenProblems lists what is wrong with the claims of a token whose signature verified.
func (s *Server) tokenProblems(claims jwt.MapClaims, cc CustomClaims) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	now := s.now()

	name := "azp"
	app, ok := claims["azp"]
	if !ok {
		name = "appid"
		app, ok = claims["appid"]
	}
	if s, _ := app.(string); s != EntraEventsAppID {
		if !ok {
			name = "azp (or appid)"
		}
		add("%s: want %s (the Microsoft Entra authentication events service), got %s", name, EntraEventsAppID, describe(app, ok))
	}

	aud, err := claims.GetAudience()
	switch {
	case err != nil:
		add("aud: %v", err)
	case !slices.Contains(aud, cc.Audience):
		add("aud: want %q, got %s", cc.Audience, describe(claims["aud"], len(aud) > 0))
	}

	exp, err := claims.GetExpirationTime()
	switch {
	case err != nil:
		add("exp: %v", err)
	case exp == nil:
		add("exp: want an expiry, got none")
	case !now.Before(exp.Add(TokenLeeway)):
		add("exp: the token expired at %s; now is %s (leeway %s)", exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), TokenLeeway)
	}
	nbf, err := claims.GetNotBefore()
	switch {
	case err != nil:
		add("nbf: %v", err)
	case nbf != nil && now.Add(TokenLeeway).Before(nbf.Time):
		add("nbf: the token is valid from %s; now is %s (leeway %s)", nbf.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), TokenLeeway)
	}

	if cc.Issuer != "" {
		iss, ok := claims["iss"]
		if s, _ := iss.(string); s != cc.Issuer {
			add("iss: want %q, got %s", cc.Issuer, describe(iss, ok))
		}
	}
	return out
}

// keyCache holds the RSA signing keys of each JWKS URL.
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

// key returns the key kid of the JWKS at jwksURL, fetching the document when it is not cached
// and again when kid is unknown (the keys may have rotated).
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
	return nil, fmt.Errorf("unknown kid %q: the JWKS at %s has %q", kid, jwksURL, slices.Sorted(maps.Keys(set)))
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
		return nil, fmt.Errorf("fetch jwks %s: want status 200, got %d: %q", jwksURL, resp.StatusCode, snippet(string(body)))
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
	return &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(new(big.Int).SetBytes(eb).Int64())}, nil
}
