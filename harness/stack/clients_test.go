package stack_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/engine/server"
	"github.com/iefconform/iefconform/harness"
	"github.com/iefconform/iefconform/harness/httpdriver"
	"github.com/iefconform/iefconform/harness/stack"
)

// appCallback is an application's redirect URI: it keeps the query each
// answer brings.
type appCallback struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []url.Values
}

func newAppCallback(t testing.TB) *appCallback {
	t.Helper()
	cb := &appCallback{}
	cb.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb.mu.Lock()
		cb.got = append(cb.got, r.URL.Query())
		cb.mu.Unlock()
		_, _ = w.Write([]byte("signed in"))
	}))
	t.Cleanup(cb.srv.Close)
	return cb
}

func (cb *appCallback) last() url.Values {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if len(cb.got) == 0 {
		return nil
	}
	return cb.got[len(cb.got)-1]
}

// TestClientLibraries signs in an application of its own registration with
// real client libraries, golang.org/x/oauth2 (code flow with PKCE S256, the
// exchange, refresh through TokenSource) and coreos/go-oidc (discovery,
// id_token and access token verification), against the stack's emulator
// over HTTPS running the unmodified starter pack (CLIENT, TOK-01/02,
// RT-01, RT-03).
func TestClientLibraries(t *testing.T) {
	dir := harness.StarterPackForTest(t)
	cb := newAppCallback(t)
	const clientID, secret = "6a1b5f7e-2c0d-4e1f-9a8b-7c6d5e4f3a2b", "app-s3cret"
	// The application is registered the way a user does: an applications file.
	appsFile := filepath.Join(t.TempDir(), "apps.yaml")
	if err := os.WriteFile(appsFile, []byte("applications:\n  - clientId: "+clientID+"\n    displayName: My app\n    redirectUris: ["+cb.srv.URL+"/signin-oidc]\n    secrets: ["+secret+"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	apps, err := server.LoadApplications(appsFile)
	if err != nil {
		t.Fatal(err)
	}
	s, bob, ctx, provider := appStack(t, dir, true, apps)

	conf := oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: provider.Endpoint(), RedirectURL: cb.srv.URL + "/signin-oidc",
		Scopes: []string{oidc.ScopeOpenID, oidc.ScopeOfflineAccess, clientID}}
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "n-1"), oauth2.SetAuthURLParam("response_mode", "query"))

	browser, err := httpdriver.New(30 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	browser.SetTransport(s.Client().Transport)
	if _, err := browser.SignIn(authURL, "localAccountForm", map[string]string{"signInName": "bob@example.com", "password": "Passw0rd!2024"}, "continue"); err != nil {
		t.Fatal(err)
	}
	answer := cb.last()
	if answer.Get("state") != "st-1" || answer.Get("code") == "" {
		t.Fatalf("the application got %v", answer)
	}

	tok, err := conf.Exchange(ctx, answer.Get("code"), oauth2.VerifierOption(verifier), oauth2.SetAuthURLParam("client_info", "1"))
	if err != nil {
		t.Fatal(err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idToken, err := provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatal(err)
	}
	if idToken.Nonce != "n-1" || idToken.Subject != bob.ObjectID {
		t.Errorf("id_token nonce %q subject %q, want n-1 and %s", idToken.Nonce, idToken.Subject, bob.ObjectID)
	}
	if err := idToken.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	at, err := provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("the access token for the client itself: %v", err)
	}
	var atClaims struct {
		AZP  string `json:"azp"`
		Name string `json:"name"`
	}
	if err := at.Claims(&atClaims); err != nil || atClaims.AZP != clientID || atClaims.Name != "Bob Jones" {
		t.Errorf("access token claims %+v (%v)", atClaims, err)
	}
	if tok.RefreshToken == "" || tok.Expiry.IsZero() || tok.Extra("resource") != clientID {
		t.Fatalf("token response: refresh %q expiry %v resource %v", tok.RefreshToken, tok.Expiry, tok.Extra("resource"))
	}
	if ci, _ := tok.Extra("client_info").(string); ci == "" {
		t.Error("no client_info with client_info=1")
	}

	// Refresh: the TokenSource redeems the refresh token of an expired token.
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Minute)
	renewed, err := conf.TokenSource(ctx, &expired).Token()
	if err != nil {
		t.Fatal(err)
	}
	// Only nbf, iat and exp change, by the second: within one second the new
	// access token may equal the old one; the refresh token is new.
	if renewed.RefreshToken == "" || renewed.RefreshToken == tok.RefreshToken || renewed.AccessToken == "" {
		t.Fatalf("a refresh must bring a new refresh token and an access token: refresh %q", renewed.RefreshToken)
	}
	again, err := provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, renewed.Extra("id_token").(string))
	if err != nil || again.Subject != bob.ObjectID || again.Nonce != "n-1" {
		t.Fatalf("the refreshed id_token: %v, subject %q nonce %q", err, again.Subject, again.Nonce)
	}

	// Revocation: the user's refresh tokens become invalid (revokeSignInSessions).
	if _, err := s.Directory.Update(context.Background(), bob.ObjectID, func(u *directory.User) error {
		u.RefreshTokensValidFromDateTime = time.Now().Add(10 * time.Minute)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	stale := *renewed
	stale.Expiry = time.Now().Add(-time.Minute)
	_, err = conf.TokenSource(ctx, &stale).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" || !strings.HasPrefix(re.ErrorDescription, "AADB2C90129: ") {
		t.Fatalf("a revoked refresh token: %v", err)
	}
	// A deleted user's refresh tokens are refused too.
	if err := s.Directory.Delete(context.Background(), bob.ObjectID); err != nil {
		t.Fatal(err)
	}
	_, err = conf.TokenSource(ctx, &stale).Token()
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" || !strings.HasPrefix(re.ErrorDescription, "AADB2C90128: ") {
		t.Fatalf("a deleted user's refresh token: %v", err)
	}
}

// issuerOf is the iss the policy's tokens carry, from its discovery document.
func issuerOf(t testing.TB, s *stack.Stack, base string) string {
	t.Helper()
	var doc struct {
		Issuer string `json:"issuer"`
	}
	resp, err := s.Client().Get(base + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.Issuer == "" {
		t.Fatalf("discovery: %v %+v", err, doc)
	}
	return doc.Issuer
}

// appStack starts a stack serving the unmodified SocialAndLocalAccounts pack
// (over HTTPS with tls) with the applications apps and a local account
// bob@example.com (Passw0rd!2024, Bob Jones), and returns the go-oidc provider
// of B2C_1A_signup_signin with a context whose client trusts the stack's CA.
// B2C's issuer is not its discovery URL's prefix: go-oidc is told the issuer.
func appStack(tb testing.TB, dir string, tls bool, apps []server.Application) (*stack.Stack, directory.User, context.Context, *oidc.Provider) {
	tb.Helper()
	s, err := stack.Start(stack.Options{Policies: os.DirFS(dir), TLS: tls, PKI: testPKI, Applications: apps})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	if err := s.Load("SocialAndLocalAccounts", stack.PolicyOptions{}); err != nil {
		tb.Fatal(err)
	}
	hash, _ := directory.HashPassword("Passw0rd!2024")
	bob, err := s.Directory.Create(context.Background(), directory.User{AccountEnabled: true, CreationType: directory.CreationTypeLocalAccount,
		Identities:   []directory.Identity{{SignInType: "emailAddress", IssuerAssignedID: "bob@example.com"}},
		PasswordHash: hash, Attributes: map[string]any{"displayName": "Bob Jones"}})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := oidc.ClientContext(context.Background(), s.Client())
	base := s.EmulatorURL() + "/" + s.Settings()["Tenant"] + "/B2C_1A_signup_signin"
	provider, err := oidc.NewProvider(oidc.InsecureIssuerURLContext(ctx, issuerOf(tb, s, base)), base+"/v2.0")
	if err != nil {
		tb.Fatal(err)
	}
	return s, bob, ctx, provider
}
