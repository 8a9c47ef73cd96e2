package oauth2_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth2"
)

// Fixed keys under testdata, made with openssl for these tests only:
//
//	rsa-client.key / .pub / .crt  a client's assertion signing key, its public key and certificate
//	rsa-other.key                 a key no client registered
//	ec-client.key                 a P-256 key, registered through a JWKS
//	idp-signing.key               the mock's id_token key, given WithSigningKey
//
// privateKey reads a PKCS #8 PEM private key.
func privateKey(t *testing.T, path string) crypto.Signer {
	t.Helper()
	block, _ := pem.Decode([]byte(kittest.ReadFile(t, path)))
	if block == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return k.(crypto.Signer)
}

// newEnvWith is newEnv with the server's id_token key fixed.
func newEnvWith(t *testing.T, cfg oauth2.Config) *env {
	t.Helper()
	return newEnvOpts(t, cfg, oauth2.WithSigningKey(privateKey(t, "testdata/idp-signing.key").(*rsa.PrivateKey)))
}

// client returns a copy of the test client registration with the given id and redirect URI.
func switchClient(id string, mutate func(*oauth2.Client)) oauth2.Client {
	c := oauth2.Client{ID: id, Secret: id + "-secret", RedirectURIs: []string{authresp}}
	if mutate != nil {
		mutate(&c)
	}
	return c
}

// configWith is testConfig plus clients.
func configWith(clients ...oauth2.Client) oauth2.Config {
	cfg := testConfig()
	cfg.Clients = append(cfg.Clients, clients...)
	return cfg
}

// codeFor signs alice in for the client and returns the code.
func (e *env) codeFor(clientID string) string {
	e.T.Helper()
	q := authzQuery("")
	q.Set("client_id", clientID)
	return e.signIn(q)
}

// postTokenForm is the client_secret_post token request of a test client.
func postTokenForm(clientID, code string) url.Values {
	f := codeForm(clientID, code)
	f.Set("client_secret", clientID+"-secret")
	return f
}

// tokenFor redeems a fresh code of the client by client_secret_post and returns the response.
func (e *env) tokenFor(clientID string) response {
	e.T.Helper()
	return e.PostForm("/token", postTokenForm(clientID, e.codeFor(clientID)), nil)
}

// accessTokenFor returns a fresh access token of the client.
func (e *env) accessTokenFor(clientID string) string {
	e.T.Helper()
	r := e.tokenFor(clientID)
	if r.StatusCode != http.StatusOK {
		e.T.Fatalf("token for %s: %d\n%s", clientID, r.StatusCode, r.Text)
	}
	tok, _ := r.JSON(e.T)["access_token"].(string)
	if tok == "" {
		e.T.Fatalf("no access_token in %s", r.Text)
	}
	return tok
}

// wantIn200 checks an error answered with HTTP 200 and {param: description, "error": code}, and
// that the journal caught the code.
func wantIn200(t *testing.T, e *env, r response, param, code string) map[string]any {
	t.Helper()
	if r.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200\n%s", r.StatusCode, r.Text)
	}
	m := r.JSON(t)
	if m["error"] != code {
		t.Errorf("error = %v, want %q\n%s", m["error"], code, r.Text)
	}
	if d, _ := m[param].(string); d == "" {
		t.Errorf("%s is empty\n%s", param, r.Text)
	}
	if en := e.Journal.Entries(); en[len(en)-1].Error != code || en[len(en)-1].Status != http.StatusOK {
		t.Errorf("journal = %d %q, want 200 %q", en[len(en)-1].Status, en[len(en)-1].Error, code)
	}
	return m
}

// jwksKeys fetches the mock's JWKS and returns its RSA keys by kid.
func (e *env) jwksKeys(path string) map[string]*rsa.PublicKey {
	e.T.Helper()
	r := e.Get(path, nil)
	if r.StatusCode != http.StatusOK {
		e.T.Fatalf("GET %s: %d\n%s", path, r.StatusCode, r.Text)
	}
	var set struct {
		Keys []struct{ Kty, Kid, Use, Alg, N, E string }
	}
	if err := json.Unmarshal([]byte(r.Text), &set); err != nil {
		e.T.Fatalf("JWKS: %v\n%s", err, r.Text)
	}
	out := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Use != "sig" || k.Alg != "RS256" || k.Kid == "" {
			e.T.Errorf("JWK = %+v, want an RS256 signing key with a kid", k)
		}
		n, _ := base64.RawURLEncoding.DecodeString(k.N)
		ex, _ := base64.RawURLEncoding.DecodeString(k.E)
		out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(ex).Int64())}
	}
	return out
}

// verifyIDToken checks an id_token's signature against the JWKS, its aud and iss, and returns its claims.
func (e *env) verifyIDToken(raw, aud, iss string) jwt.MapClaims {
	e.T.Helper()
	return e.verifyIDTokenAt("/.well-known/jwks.json", raw, aud, iss)
}

// verifyIDTokenAt is verifyIDToken with the JWKS at jwksPath.
func (e *env) verifyIDTokenAt(jwksPath, raw, aud, iss string) jwt.MapClaims {
	e.T.Helper()
	keys := e.jwksKeys(jwksPath)
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		return keys[kid], nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(aud), jwt.WithIssuer(iss),
		jwt.WithTimeFunc(e.Clock.Now), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		e.T.Fatalf("id_token does not verify against the JWKS with aud %s and iss %s: %v\n%s", aud, iss, err, raw)
	}
	return claims
}

// fragmentParams reads the parameters of a Location's fragment.
func fragmentParams(t *testing.T, loc string) url.Values {
	t.Helper()
	_, frag, ok := strings.Cut(loc, "#")
	if !ok {
		t.Fatalf("no fragment in %s", loc)
	}
	v, err := url.ParseQuery(frag)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// rsaJWKS is a JSON Web Key Set holding the public halves of RSA key files, given as path, kid pairs.
func rsaJWKS(t *testing.T, pathKid ...string) string {
	t.Helper()
	var keys []map[string]string
	for i := 0; i+1 < len(pathKid); i += 2 {
		pub := privateKey(t, pathKid[i]).Public().(*rsa.PublicKey)
		keys = append(keys, map[string]string{
			"kty": "RSA", "kid": pathKid[i+1],
			"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		})
	}
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
