package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/server"
	"github.com/iefconform/iefconform/features"
	"github.com/iefconform/iefconform/harness/clients"
	"github.com/iefconform/iefconform/harness/httpdriver"
	"github.com/iefconform/iefconform/harness/stack"
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
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
		{[]string{"mock", "saml"}, `unknown mock kind "saml": want one of oauth2, oauth1, rest, rp`},
		{[]string{"mock", "rp"}, "mock rp takes --client-id (required)"},
		{[]string{"mock", "rp", "--client-id", "a", "--config", bad}, "not --config"},
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

// TestMockRPAgainstTheEmulator: `iefconform mock rp` alone, registered at the
// emulator, begins a sign-in through its admin API; a user signs in at the
// Facebook mock; the relying party's result is a verified id_token, its raw
// answer redacted unless ?secrets=true.
func TestMockRPAgainstTheEmulator(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	policies, err := fs.Sub(features.FS, features.Policies)
	if err != nil {
		t.Fatal(err)
	}
	st, err := stack.Start(stack.Options{Policies: policies, Applications: []server.Application{
		{ClientID: "my-rp", RedirectURIs: []string{"http://" + addr + "/callback"}, AllowImplicitFlow: true}}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.UsePolicy("facebook", nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Facebook.AddUser(mockoauth2.User{Username: "alice", Password: "wonderland", Claims: demoClaims()}); err != nil {
		t.Fatal(err)
	}
	base := startMock(t, "rp", mockOptions{addr: addr, clientID: "my-rp"})
	emu := st.Emulator()
	var begun struct{ URL, State string }
	body := fmt.Sprintf(`{"AuthorizeEndpoint": %q, "JWKSURL": %q, "ResponseType": "id_token", "ResponseMode": "form_post"}`,
		emu.AuthorizeURL("B2C_1A_signup_signin"), emu.JWKSURL("B2C_1A_signup_signin"))
	if code := postJSON(t, base+"/_admin/signin", body, &begun); code != http.StatusOK || begun.URL == "" {
		t.Fatalf("signin: HTTP %d %+v", code, begun)
	}
	c, err := httpdriver.New(30 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(begun.URL, "login-form", map[string]string{"username": "alice", "password": "wonderland"}, "signin"); err != nil {
		t.Fatal(err)
	}
	var res struct {
		IDToken, VerifyError, Raw string
		Claims                    map[string]any
	}
	if code := getJSON(t, base+"/_admin/results/"+begun.State+"?wait=10s", &res); code != http.StatusOK || res.IDToken == "" || res.VerifyError != "" ||
		res.Claims["email"] != "alice@example.com" || res.Raw != "(redacted)" {
		t.Fatalf("result: HTTP %d %+v", code, res)
	}
	if code := getJSON(t, base+"/_admin/results/nobody?wait=10s", nil); code != http.StatusNotFound {
		t.Errorf("a state never begun: HTTP %d, want 404 at once", code)
	}
	if code := postJSON(t, base+"/_admin/signin", `{"AuthorizeEndpoint": "not a url"}`, nil); code != http.StatusBadRequest {
		t.Errorf("a bad request: HTTP %d, want 400", code)
	}
}

func postJSON(t *testing.T, u, body string, out any) int {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return decodeBody(t, resp, out)
}

func getJSON(t *testing.T, u string, out any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return decodeBody(t, resp, out)
}

func decodeBody(t *testing.T, resp *http.Response, out any) int {
	t.Helper()
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}
