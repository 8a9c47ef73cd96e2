package rp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// clockSkew is the leeway allowed on exp and nbf.
const clockSkew = 5 * time.Minute

// maxBody bounds every body the RP reads.
const maxBody = 1 << 20

// verify checks raw as a token of req's issuer for audience and returns its claims.
func (s *Server) verify(ctx context.Context, raw string, req *AuthorizeRequest, audience string) (map[string]any, error) {
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithAudience(audience),
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
		return s.keys.Key(ctx, req.JWKSURL, kid)
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
