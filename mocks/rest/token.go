package rest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/mocks/internal/kit"
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
	raw, ok := kit.BearerToken(r)
	if !ok || raw == "" {
		return nil, Error{
			Status: http.StatusUnauthorized, Code: CodeUnauthorized, Challenge: bearerChallenge,
			Message: fmt.Sprintf("want Authorization: Bearer <access token for %s from Entra>, got none", cc.Audience),
		}
	}
	if !s.jwksAllowed(cc.JWKSURL) {
		return nil, unregisteredJWKS(cc.JWKSURL)
	}
	claims := jwt.MapClaims{}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithJSONNumber(), jwt.WithoutClaimsValidation())
	_, err := parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token header has no kid")
		}
		return s.keys.Key(ctx, cc.JWKSURL, kid)
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
	now := s.base.Now()

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
