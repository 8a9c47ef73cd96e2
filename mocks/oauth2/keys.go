package oauth2

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
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
		k, err := parsePEMKeys(c.PublicKeyPEM)
		if err != nil {
			problems = append(problems, "publicKeyPEM: "+err.Error())
		}
		keys = append(keys, k...)
	}
	if c.JWKS != "" {
		k, err := parseJWKS(c.JWKS)
		if err != nil {
			problems = append(problems, "jwks: "+err.Error())
		}
		keys = append(keys, k...)
	}
	return keys, problems
}

// parsePEMKeys reads every PEM block: PUBLIC KEY (PKIX), RSA PUBLIC KEY (PKCS #1) or CERTIFICATE.
func parsePEMKeys(text string) ([]verificationKey, error) {
	var keys []verificationKey
	rest := []byte(text)
	for i := 0; ; i++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		var key any
		var err error
		switch block.Type {
		case "PUBLIC KEY":
			key, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			key, err = x509.ParsePKCS1PublicKey(block.Bytes)
		case "CERTIFICATE":
			var cert *x509.Certificate
			if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
				key = cert.PublicKey
			}
		default:
			return nil, fmt.Errorf("block %d: want PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE, got %s", i, block.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("block %d (%s): %w", i, block.Type, err)
		}
		switch key.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey:
		default:
			return nil, fmt.Errorf("block %d (%s): want an RSA or EC key, got %T", i, block.Type, key)
		}
		keys = append(keys, verificationKey{key: key})
	}
	if strings.TrimSpace(string(rest)) != "" || len(keys) == 0 {
		return nil, errors.New("want PEM blocks (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----) and nothing else")
	}
	return keys, nil
}

// jwk is the part of an RFC 7517 JSON Web Key this package reads.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseJWKS reads the RSA and EC keys of a JSON Web Key Set.
func parseJWKS(text string) ([]verificationKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal([]byte(text), &set); err != nil {
		return nil, fmt.Errorf("want a JSON Web Key Set {\"keys\":[...]}: %w", err)
	}
	if len(set.Keys) == 0 {
		return nil, errors.New("the key set has no keys")
	}
	var keys []verificationKey
	for i, k := range set.Keys {
		key, err := k.publicKey()
		if err != nil {
			return nil, fmt.Errorf("keys[%d]: %w", i, err)
		}
		keys = append(keys, verificationKey{kid: k.Kid, key: key})
	}
	return keys, nil
}

func (k jwk) publicKey() (crypto.PublicKey, error) {
	b64 := base64.RawURLEncoding.DecodeString
	switch k.Kty {
	case "RSA":
		n, err1 := b64(k.N)
		e, err2 := b64(k.E)
		if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("RSA key: want base64url n and e")
		}
		key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if key.E < 3 || key.N.BitLen() < 1024 {
			return nil, fmt.Errorf("RSA key: want a modulus of at least 1024 bits and e >= 3, got %d bits and e = %d", key.N.BitLen(), key.E)
		}
		return key, nil
	case "EC":
		curves := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}
		curve, ok := curves[k.Crv]
		if !ok {
			return nil, fmt.Errorf("EC key: want crv P-256, P-384 or P-521, got %q", k.Crv)
		}
		x, err1 := b64(k.X)
		y, err2 := b64(k.Y)
		size := (curve.Params().BitSize + 7) / 8
		if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
			return nil, fmt.Errorf("EC key: want base64url x and y of %d bytes", size)
		}
		key, err := ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, fmt.Errorf("EC key: %w", err)
		}
		return key, nil
	default:
		return nil, fmt.Errorf("want kty RSA or EC, got %q", k.Kty)
	}
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
		s.sig.kid = thumbprint(&s.sig.key.PublicKey)
	})
	return s.sig.key, s.sig.kid, s.sig.err
}

// rsaJWK is the public JWK of an RSA key.
func rsaJWK(k *rsa.PublicKey) map[string]string {
	enc := base64.RawURLEncoding.EncodeToString
	return map[string]string{"kty": "RSA", "n": enc(k.N.Bytes()), "e": enc(big.NewInt(int64(k.E)).Bytes())}
}

// thumbprint is the RFC 7638 JWK thumbprint of an RSA key: SHA-256 over the required members
// in lexical order.
func thumbprint(k *rsa.PublicKey) string {
	j := rsaJWK(k)
	sum := sha256.Sum256([]byte(`{"e":"` + j["e"] + `","kty":"RSA","n":"` + j["n"] + `"}`))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
