package oauth2

import (
	"fmt"
	"net/http"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/mocks/internal/jwks"
	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// registeredIDTokenClaims are the id_token claims the server sets itself; a user's claims of the
// same names are left out.
var registeredIDTokenClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "nonce", "jti", "azp", "auth_time", "at_hash", "c_hash"}

// issuerFor is the iss of id_tokens answering r.
func (s *Server) issuerFor(r *http.Request) string {
	if s.issuer != "" {
		return s.issuer
	}
	return s.publicURL(r)
}

// subject is the user's OpenID Connect subject: the "id" claim, or the
// username.
func (u User) subject() string {
	if id, ok := u.Claims["id"]; ok && id != nil {
		return fmt.Sprint(id)
	}
	return u.Username
}

// idToken signs an RS256 id_token for u and client c: iss the issuer, sub the user's "id" claim
// (or the username), aud c's IDTokenAudience, the nonce when there was one, and the user's
// other claims.
func (s *Server) idToken(r *http.Request, c Client, u User, nonce string) (string, error) {
	key, kid, err := s.signingKey()
	if err != nil {
		return "", err
	}
	claims := jwt.MapClaims{}
	for k, v := range u.Claims {
		claims[k] = v
	}
	for _, k := range registeredIDTokenClaims {
		delete(claims, k)
	}
	now := s.base.Now()
	claims["iss"] = s.issuerFor(r)
	claims["sub"] = u.subject()
	claims["aud"] = c.idTokenAudience()
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(s.tokenTTL).Unix()
	if nonce != "" {
		claims["nonce"] = nonce
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	signed, err := tok.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("sign id_token: %w", err)
	}
	return signed, nil
}

// handleJWKS serves the public key that verifies id_tokens (RFC 7517).
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if !s.wellKnownMethod(w, r) {
		return
	}
	key, kid, err := s.signingKey()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	k := jwks.RSAKey(&key.PublicKey)
	k.Kid, k.Use, k.Alg = kid, "sig", "RS256"
	kit.WriteJSON(w, http.StatusOK, jwks.Set{Keys: []jwks.Key{k}})
}

// handleDiscovery serves OpenID Provider metadata (OpenID Connect Discovery 1.0 §3) whose
// endpoints are where the request reached the server.
func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	if !s.wellKnownMethod(w, r) {
		return
	}
	base := s.publicURL(r)
	kit.WriteJSON(w, http.StatusOK, map[string]any{
		"issuer":                                           s.issuerFor(r),
		"authorization_endpoint":                           base + "/authorize",
		"token_endpoint":                                   base + "/token",
		"userinfo_endpoint":                                base + "/me",
		"end_session_endpoint":                             base + "/logout",
		"jwks_uri":                                         base + "/.well-known/jwks.json",
		"response_types_supported":                         []string{"code", "id_token"},
		"response_modes_supported":                         []string{ResponseModeQuery, ResponseModeFragment, ResponseModeFormPost},
		"grant_types_supported":                            []string{"authorization_code"},
		"subject_types_supported":                          []string{"public"},
		"id_token_signing_alg_values_supported":            []string{"RS256"},
		"token_endpoint_auth_methods_supported":            []string{AuthClientSecretPost, AuthClientSecretBasic, AuthPrivateKeyJWT},
		"token_endpoint_auth_signing_alg_values_supported": assertionAlgsAllowed,
	})
}

// wellKnownMethod answers anything but GET and HEAD with 405 and reports whether r may go on.
func (s *Server) wellKnownMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	s.writeError(w, r, Error{Code: CodeInvalidRequest, Description: r.Method + " is not allowed on " + r.URL.Path, Status: http.StatusMethodNotAllowed})
	return false
}
