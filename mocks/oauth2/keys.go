package oauth2

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/iefconform/iefconform/mocks/internal/jwks"
)

// assertionAlgsAllowed are the asymmetric JWS algorithms a client may list in AssertionAlgs.
var assertionAlgsAllowed = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}

// verificationKey is a registered public key of a client; kid is empty for PEM keys.
type verificationKey struct {
	kid string
	key crypto.PublicKey
}

// verificationKeys parses PublicKeyPEM and JWKS. Problems are worded for Validate.
func (c Client) verificationKeys() ([]verificationKey, []string) {
	var keys []verificationKey
	var problems []string
	if c.PublicKeyPEM != "" {
		pems, err := jwks.ParsePEM(c.PublicKeyPEM)
		if err != nil {
			problems = append(problems, "publicKeyPEM: "+err.Error())
		}
		for _, k := range pems {
			keys = append(keys, verificationKey{key: k.Key})
		}
	}
	if c.JWKS != "" {
		set, pubs, err := jwks.ParseSet(c.JWKS)
		if err != nil {
			problems = append(problems, "jwks: "+err.Error())
		}
		for i, k := range set {
			keys = append(keys, verificationKey{kid: k.Kid, key: pubs[i]})
		}
	}
	return keys, problems
}

// keyFits reports whether key can verify signatures made with alg.
func keyFits(alg string, key crypto.PublicKey) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		want := map[string]int{"ES256": 256, "ES384": 384, "ES512": 521}[alg]
		return want != 0 && k.Curve.Params().BitSize == want
	}
	return false
}

// signer is the server's id_token signing key, generated on first use unless WithSigningKey
// gave one.
type signer struct {
	key *rsa.PrivateKey
	kid string
	err error
}

// signingKey returns the server's RSA key and its kid (the RFC 7638 thumbprint).
func (s *Server) signingKey() (*rsa.PrivateKey, string, error) {
	s.keyOnce.Do(func() {
		if s.sig.key == nil {
			s.sig.key, s.sig.err = rsa.GenerateKey(rand.Reader, 2048)
			if s.sig.err != nil {
				s.sig.err = fmt.Errorf("generate id_token signing key: %w", s.sig.err)
				return
			}
		}
		s.sig.kid = jwks.Thumbprint(&s.sig.key.PublicKey)
	})
	return s.sig.key, s.sig.kid, s.sig.err
}
