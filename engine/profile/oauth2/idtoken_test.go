package oauth2_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/engine/profile"
	"github.com/iefconform/iefconform/engine/profile/profiletest"
)

// TestIDTokenThroughTheBrowser: with response_types=id_token the IdP's
// id_token comes back through the browser, so it must be signed (alg none is
// refused), unexpired and carry the nonce the authorization request sent.
func TestIDTokenThroughTheBrowser(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	spec := tpSpec{noSecret: true, metadata: map[string]string{"response_types": "id_token", "response_mode": "form_post"},
		outputClaims: `<OutputClaim ClaimTypeReferenceId="email" PartnerClaimType="email" />`}
	start := func(t *testing.T) (*profile.Env, string) {
		p := newProfile(t, spec, "https://idp.example")
		env := newEnv(nil)
		env.Data = map[string]string{}
		u, err := p.Start(context.Background(), env)
		if err != nil {
			t.Fatal(err)
		}
		pu, _ := url.Parse(u)
		nonce := pu.Query().Get("nonce")
		if nonce == "" {
			t.Fatalf("no nonce in the authorization request %s", u)
		}
		return env, nonce
	}
	now := profiletest.Now()
	sign := func(method jwt.SigningMethod, k any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(method, c).SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	claims := func(nonce string, exp time.Time) jwt.MapClaims {
		return jwt.MapClaims{"email": "alice@example.com", "nonce": nonce, "exp": exp.Unix(), "iss": "https://idp.example"}
	}
	t.Run("a signed token with the nonce", func(t *testing.T) {
		env, nonce := start(t)
		p := newProfile(t, spec, "https://idp.example")
		if err := p.Complete(context.Background(), env, url.Values{"id_token": {sign(jwt.SigningMethodRS256, key, claims(nonce, now.Add(time.Hour)))}}); err != nil {
			t.Fatal(err)
		}
		if v, _ := env.Claims.Get("email"); v != "alice@example.com" {
			t.Errorf("email = %q", v)
		}
	})
	for name, tok := range map[string]func(nonce string) string{
		"alg none": func(n string) string {
			return sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(n, now.Add(time.Hour)))
		},
		"expired":       func(n string) string { return sign(jwt.SigningMethodRS256, key, claims(n, now.Add(-time.Hour))) },
		"no exp":        func(n string) string { return sign(jwt.SigningMethodRS256, key, jwt.MapClaims{"nonce": n}) },
		"another nonce": func(string) string { return sign(jwt.SigningMethodRS256, key, claims("other", now.Add(time.Hour))) },
		"no nonce":      func(string) string { return sign(jwt.SigningMethodRS256, key, claims("", now.Add(time.Hour))) },
		"unsigned parts": func(n string) string {
			t := sign(jwt.SigningMethodRS256, key, claims(n, now.Add(time.Hour)))
			return t[:strings.LastIndex(t, ".")+1]
		},
	} {
		t.Run(name, func(t *testing.T) {
			env, nonce := start(t)
			p := newProfile(t, spec, "https://idp.example")
			err := p.Complete(context.Background(), env, url.Values{"id_token": {tok(nonce)}})
			if pe := profile.AsError(err); err == nil || !strings.HasPrefix(pe.Message, "AADB2C90273: ") {
				t.Fatalf("got %v, want AADB2C90273", err)
			}
			if _, ok := env.Claims.Get("email"); ok {
				t.Error("claims were taken from a refused token")
			}
		})
	}
}
