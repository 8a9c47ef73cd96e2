package rest

import (
	"crypto/rand"
	"crypto/rsa"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// TestUnregisteredJWKSURLIsNeverFetched: should a route ever name a JWKS URL that is not
// registered (every way of adding one registers or refuses it), its calls are refused without
// fetching the URL (security issue #18).
func TestUnregisteredJWKSURLIsNeverFetched(t *testing.T) {
	var hits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(internal.Close)
	u := internal.URL + "/keys"
	s, err := New(Config{Routes: []Route{{Method: "POST", Path: "/c", Behaviour: BehaviourCustomClaims,
		CustomClaims: &CustomClaims{JWKSURL: u, Audience: "api://a"}}}})
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	delete(s.jwksURLs, u)
	s.mu.Unlock()
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"aud": "api://a"})
	tok.Header["kid"] = "k1"
	signed, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/c", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+signed)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "is not a registered JWKS URL") {
		t.Errorf("got %d %s, want 401 saying the URL is not registered", resp.StatusCode, body)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the unregistered URL was fetched %d times", n)
	}
}
