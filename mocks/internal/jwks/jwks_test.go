package jwks

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A Cache follows no redirect, whatever the client it was given does, and
// never quotes what a JWKS URL answered in its errors.
func TestCacheFollowsNoRedirectAndQuotesNothing(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	doc := `{"keys":[{"kty":"RSA","kid":"k1","n":"` + base64.RawURLEncoding.EncodeToString(key.N.Bytes()) +
		`","e":"` + base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()) + `"}]}`
	var targetHits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		targetHits.Add(1)
		_, _ = w.Write([]byte(doc))
	}))
	defer target.Close()
	const leak = "INTERNAL-SECRET-7f3a"
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, target.URL, http.StatusFound)
		case "/error":
			http.Error(w, leak, http.StatusForbidden)
		default:
			_, _ = w.Write([]byte(doc))
		}
	}))
	defer origin.Close()

	followsAll := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	c := New(followsAll)
	if followsAll.CheckRedirect == nil {
		t.Fatal("New changed the client it was given")
	}
	_, err = c.Key(context.Background(), origin.URL+"/redirect", "k1")
	if err == nil || !strings.Contains(err.Error(), "got 302") {
		t.Errorf("a redirecting JWKS URL: %v, want an error saying 302", err)
	}
	if n := targetHits.Load(); n != 0 {
		t.Errorf("the redirect was followed: the target got %d requests", n)
	}
	_, err = c.Key(context.Background(), origin.URL+"/error", "k1")
	if err == nil || !strings.Contains(err.Error(), "got 403") || strings.Contains(err.Error(), leak) {
		t.Errorf("a 403 with a body: %v, want the status and not the body", err)
	}
	if k, err := c.Key(context.Background(), origin.URL+"/keys", "k1"); err != nil || k.N.Cmp(key.N) != 0 {
		t.Errorf("the key at a JWKS URL: %v, %v", k, err)
	}
	if k, err := New(nil).Key(context.Background(), origin.URL+"/keys", "k1"); err != nil || k == nil {
		t.Errorf("New(nil): %v, %v", k, err)
	}
}
