package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
	"golang.org/x/oauth2"

	"github.com/iefconform/iefconform/harness/httpdriver"
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

// appCallback is an application's redirect URI: it keeps the query it got.
type appCallback struct {
	srv *httptest.Server
	mu  sync.Mutex
	got url.Values
}

func newAppCallback(t *testing.T) *appCallback {
	a := &appCallback{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.got = r.URL.Query()
		a.mu.Unlock()
		fmt.Fprintln(w, "signed in")
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *appCallback) query() url.Values {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.got
}

// login fills the mock's login page at u and signs in.
func login(t *testing.T, u, user, password, button string) {
	t.Helper()
	c, err := httpdriver.New(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(u, "login-form", map[string]string{"username": user, "password": password}, button); err != nil {
		t.Fatal(err)
	}
}

// TestMockOAuth2WithXOAuth2: `iefconform mock oauth2` alone, its client and
// user from a config file, signs a user in for golang.org/x/oauth2's
// authorization code flow, and refuses a wrong client secret.
func TestMockOAuth2WithXOAuth2(t *testing.T) {
	app := newAppCallback(t)
	cfg := writeFile(t, t.TempDir(), "facebook.yaml", `clients:
  - id: my-app
    secret: my-secret
    redirectURIs: [`+app.srv.URL+`/cb]
users:
  - username: bob
    password: builder
    claims: {id: "42", email: bob@example.com, name: Bob}
`)
	base := startMock(t, "oauth2", mockOptions{config: cfg, addr: "127.0.0.1:0"})
	conf := oauth2.Config{ClientID: "my-app", ClientSecret: "my-secret", RedirectURL: app.srv.URL + "/cb", Scopes: []string{"email"},
		Endpoint: oauth2.Endpoint{AuthURL: base + "/authorize", TokenURL: base + "/token", AuthStyle: oauth2.AuthStyleInParams}}
	login(t, conf.AuthCodeURL("st-1"), "bob", "builder", "signin")
	q := app.query()
	if q.Get("state") != "st-1" || q.Get("code") == "" {
		t.Fatalf("the app's callback got %v, want a code and state st-1", q)
	}
	ctx := context.Background()
	wrong := conf
	wrong.ClientSecret = "not-the-secret"
	if _, err := wrong.Exchange(ctx, q.Get("code")); err == nil {
		t.Error("a wrong client secret redeemed the code")
	}
	login(t, conf.AuthCodeURL("st-2"), "bob", "builder", "signin")
	tok, err := conf.Exchange(ctx, app.query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := conf.Client(ctx, tok).Get(base + "/me")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var claims map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&claims); err != nil {
		t.Fatal(err)
	}
	if claims["email"] != "bob@example.com" || claims["id"] != "42" {
		t.Errorf("claims %v", claims)
	}
}

// TestMockOAuth1WithDghubble: `iefconform mock oauth1` alone signs a user in
// for an RFC 5849 client (dghubble/oauth1): temporary credentials, the login
// page, token credentials, a signed claims call; a wrong consumer secret is
// refused.
func TestMockOAuth1WithDghubble(t *testing.T) {
	app := newAppCallback(t)
	cfg := writeFile(t, t.TempDir(), "twitter.yaml", `consumers:
  - key: my-consumer
    secret: consumer-secret
    callbackURLs: [`+app.srv.URL+`/cb]
users:
  - {username: carol, password: secret, userID: "1234", screenName: carol_s, email: carol@example.com}
`)
	base := startMock(t, "oauth1", mockOptions{config: cfg})
	conf := oauth1.Config{ConsumerKey: "my-consumer", ConsumerSecret: "consumer-secret", CallbackURL: app.srv.URL + "/cb",
		Endpoint: oauth1.Endpoint{RequestTokenURL: base + "/oauth/request_token", AuthorizeURL: base + "/oauth/authenticate", AccessTokenURL: base + "/oauth/access_token"}}
	wrong := conf
	wrong.ConsumerSecret = "not-the-secret"
	if _, _, err := wrong.RequestToken(); err == nil {
		t.Error("a wrong consumer secret got temporary credentials")
	}
	reqToken, reqSecret, err := conf.RequestToken()
	if err != nil {
		t.Fatal(err)
	}
	authURL, err := conf.AuthorizationURL(reqToken)
	if err != nil {
		t.Fatal(err)
	}
	login(t, authURL.String(), "carol", "secret", "allow")
	q := app.query()
	if q.Get("oauth_token") != reqToken || q.Get("oauth_verifier") == "" {
		t.Fatalf("the app's callback got %v", q)
	}
	accessToken, accessSecret, err := conf.AccessToken(reqToken, reqSecret, q.Get("oauth_verifier"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := conf.Client(context.Background(), oauth1.NewToken(accessToken, accessSecret)).Get(base + "/1.1/account/verify_credentials.json?include_email=true")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"screen_name":"carol_s"`) || !strings.Contains(string(body), "carol@example.com") {
		t.Errorf("claims: HTTP %d %s", resp.StatusCode, body)
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
