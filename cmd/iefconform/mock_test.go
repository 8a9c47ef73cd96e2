package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/harness/clients"
)

// startMock runs `iefconform mock kind` with o until the test ends and
// returns its URL.
func startMock(t *testing.T, kind string, o mockOptions) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	o.ready = func(u string) { ready <- u }
	done := make(chan error, 1)
	var stdout, stderr lockedBuffer
	go func() { done <- runMock(ctx, kind, o, &stdout, &stderr) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("mock %s: %v", kind, err)
		}
	})
	select {
	case u := <-ready:
		return u
	case err := <-done:
		t.Fatalf("mock %s ended: %v\n%s", kind, err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("mock %s was not ready within 30s", kind)
	}
	return ""
}

// TestMockOAuth2WithXOAuth2: `iefconform mock oauth2` alone, its client and
// user from a config file, signs a user in for golang.org/x/oauth2's
// authorization code flow, and refuses a wrong client secret.
func TestMockOAuth2WithXOAuth2(t *testing.T) {
	cb := clients.NewCallback()
	defer cb.Close()
	base := startMock(t, "oauth2", mockOptions{config: writeFile(t, t.TempDir(), "facebook.yaml", clients.OAuth2MockConfig(cb.URL())), addr: "127.0.0.1:0"})
	if err := clients.CheckOAuth2Mock(context.Background(), base, cb); err != nil {
		t.Fatal(err)
	}
}

// TestMockOAuth1WithDghubble: `iefconform mock oauth1` alone signs a user in
// for an RFC 5849 client (dghubble/oauth1): temporary credentials, the login
// page, token credentials, a signed claims call; a wrong consumer secret is
// refused.
func TestMockOAuth1WithDghubble(t *testing.T) {
	cb := clients.NewCallback()
	defer cb.Close()
	base := startMock(t, "oauth1", mockOptions{config: writeFile(t, t.TempDir(), "twitter.yaml", clients.OAuth1MockConfig(cb.URL()))})
	if err := clients.CheckOAuth1Mock(context.Background(), base, cb); err != nil {
		t.Fatal(err)
	}
}

// TestMockProblems: an unknown kind, a bad config and a port in use each end
// with one clear message and exit status 2.
func TestMockProblems(t *testing.T) {
	busy := httptest.NewServer(http.NotFoundHandler())
	defer busy.Close()
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.yaml", "clients:\n  - id: a\n    colour: red\n")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"mock", "saml"}, `unknown mock kind "saml": want one of oauth2, oauth1, rest`},
		{[]string{"mock", "oauth2", "--config", bad}, bad},
		{[]string{"mock", "oauth2", "--config", bad}, "field colour not found"},
		{[]string{"mock", "rest", "--config", dir + "/missing.yaml"}, "missing.yaml"},
		{[]string{"mock", "oauth1", "--addr", strings.TrimPrefix(busy.URL, "http://")}, "address already in use"},
		{[]string{"mock"}, "accepts 1 arg"},
	} {
		var stdout, stderr lockedBuffer
		if code := execute(context.Background(), tt.args, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%q: status %d, stderr %q; want %d naming %q", tt.args, code, stderr.String(), exitUsage, tt.want)
		}
	}
}
