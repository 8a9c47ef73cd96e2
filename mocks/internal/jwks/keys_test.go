package jwks

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
)

// TestThumbprint checks RFC 7638 §3.1's example.
func TestThumbprint(t *testing.T) {
	n := "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	b, _ := base64.RawURLEncoding.DecodeString(n)
	k := &rsa.PublicKey{N: new(big.Int).SetBytes(b), E: 65537}
	if got := Thumbprint(k); got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Errorf("Thumbprint = %s", got)
	}
	if j := RSAKey(k); j.Kty != "RSA" || j.N != n || j.E != "AQAB" {
		t.Errorf("RSAKey = %+v", j)
	}
}

func TestParsePEM(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 1024)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkix := func(k any) string {
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	}
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rk.PublicKey)}))
	keys, err := ParsePEM(pkix(&rk.PublicKey) + pkcs1 + pkix(&ek.PublicKey))
	if err != nil || len(keys) != 3 || keys[1].Type != "RSA PUBLIC KEY" || keys[2].Block != 2 {
		t.Fatalf("ParsePEM = %+v, %v", keys, err)
	}
	if _, ok := keys[2].Key.(*ecdsa.PublicKey); !ok {
		t.Errorf("keys[2] = %T", keys[2].Key)
	}
	for text, want := range map[string]string{
		"":                "want PEM blocks",
		pkcs1 + "garbage": "want PEM blocks",
		"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n": "block 0: want PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE, got PRIVATE KEY",
		"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n":   "block 0 (PUBLIC KEY)",
	} {
		if _, err := ParsePEM(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePEM(%.30q) = %v, want %q", text, err, want)
		}
	}
}

func TestParseSet(t *testing.T) {
	ek, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 1024)
	ec := Key{Kty: "EC", Kid: "e", Crv: "P-384", X: base64.RawURLEncoding.EncodeToString(ek.X.FillBytes(make([]byte, 48))), Y: base64.RawURLEncoding.EncodeToString(ek.Y.FillBytes(make([]byte, 48)))}
	r := RSAKey(&rk.PublicKey)
	r.Kid, r.E = "r", r.E+"==" // padding is tolerated
	b, _ := json.Marshal(Set{Keys: []Key{ec, r}})
	keys, pubs, err := ParseSet(string(b))
	if err != nil || len(keys) != 2 || keys[0].Kid != "e" || !pubs[1].(*rsa.PublicKey).Equal(&rk.PublicKey) || !pubs[0].(*ecdsa.PublicKey).Equal(&ek.PublicKey) {
		t.Fatalf("ParseSet = %+v %v %v", keys, pubs, err)
	}
	for text, want := range map[string]string{
		"{":                        "want a JSON Web Key Set",
		`{"keys":[]}`:              "the key set has no keys",
		`{"keys":[{"kty":"oct"}]}`: `keys[0]: want kty RSA or EC, got "oct"`,
		`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`:          "RSA key: want a modulus of at least 1024 bits",
		`{"keys":[{"kty":"RSA","n":"!","e":"AQAB"}]}`:             "RSA key: want base64url n and e",
		`{"keys":[{"kty":"EC","crv":"P-192"}]}`:                   `EC key: want crv P-256, P-384 or P-521, got "P-192"`,
		`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`: "EC key: want base64url x and y of 32 bytes",
	} {
		if _, _, err := ParseSet(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSet(%s) = %v, want %q", text, err, want)
		}
	}
}
