package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
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

// PEMKey is a public key read from one PEM block.
type PEMKey struct {
	Block int    // the block's position, from 0
	Type  string // the block's type: PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE
	Key   crypto.PublicKey
}

// ParsePEM reads every PEM block of text as an RSA or EC public key: PUBLIC KEY (PKIX), RSA
// PUBLIC KEY (PKCS #1) or CERTIFICATE. Text other than PEM blocks, or no block at all, is an
// error.
func ParsePEM(text string) ([]PEMKey, error) {
	var keys []PEMKey
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
		keys = append(keys, PEMKey{Block: i, Type: block.Type, Key: key})
	}
	if strings.TrimSpace(string(rest)) != "" || len(keys) == 0 {
		return nil, errors.New("want PEM blocks (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----) and nothing else")
	}
	return keys, nil
}

// Key is an RFC 7517 JSON Web Key as sent: the members of RSA and EC public keys.
type Key struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

// Set is an RFC 7517 JSON Web Key Set.
type Set struct {
	Keys []Key `json:"keys"`
}

// ParseSet reads a JSON Web Key Set whose every key is an RSA or EC public key, in order.
func ParseSet(text string) ([]Key, []crypto.PublicKey, error) {
	var set Set
	if err := json.Unmarshal([]byte(text), &set); err != nil {
		return nil, nil, fmt.Errorf("want a JSON Web Key Set {\"keys\":[...]}: %w", err)
	}
	if len(set.Keys) == 0 {
		return nil, nil, errors.New("the key set has no keys")
	}
	pubs := make([]crypto.PublicKey, len(set.Keys))
	for i, k := range set.Keys {
		pub, err := k.PublicKey()
		if err != nil {
			return nil, nil, fmt.Errorf("keys[%d]: %w", i, err)
		}
		pubs[i] = pub
	}
	return set.Keys, pubs, nil
}

// curves are the EC curves a Key may name.
var curves = map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}

// PublicKey returns the RSA (at least 1024 bits, e >= 3) or EC (P-256, P-384, P-521) public key
// k describes. Base64url members may carry trailing padding.
func (k Key) PublicKey() (crypto.PublicKey, error) {
	b64 := func(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "=")) }
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

// RSAKey is the public JWK of an RSA key: kty, n and e, with kid and use and alg left for the
// caller to set.
func RSAKey(k *rsa.PublicKey) Key {
	enc := base64.RawURLEncoding.EncodeToString
	return Key{Kty: "RSA", N: enc(k.N.Bytes()), E: enc(big.NewInt(int64(k.E)).Bytes())}
}

// Thumbprint is the RFC 7638 JWK thumbprint of an RSA key: SHA-256 over the required members in
// lexical order, base64url.
func Thumbprint(k *rsa.PublicKey) string {
	j := RSAKey(k)
	sum := sha256.Sum256([]byte(`{"e":"` + j.E + `","kty":"RSA","n":"` + j.N + `"}`))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
