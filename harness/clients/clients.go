// Package clients signs in against an identity provider with the real client
// libraries applications use: golang.org/x/oauth2 for OAuth2's authorization
// code flow and dghubble/oauth1 for OAuth 1.0a (RFC 5849). The user's part
// (the provider's login page) is played by harness/httpdriver. Tests of the
// standalone mocks use it, in process and in a container alike.
package clients

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dghubble/oauth1"
	"golang.org/x/oauth2"

	"github.com/iefconform/iefconform/harness/httpdriver"
)

// Login is the user's part at a provider's login page: the form's id, the
// fields to fill and the value of the submit button named "action".
type Login struct {
	FormID string
	Fields map[string]string
	Button string
}

// Callback is an application's redirect URI: it keeps the query of the last
// request it got.
type Callback struct {
	srv *httptest.Server
	mu  sync.Mutex
	got url.Values
}

// NewCallback starts a redirect URI on loopback; Close stops it.
func NewCallback() *Callback {
	c := &Callback{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.got = r.URL.Query()
		c.mu.Unlock()
		fmt.Fprintln(w, "signed in")
	}))
	return c
}

// URL is the redirect URI.
func (c *Callback) URL() string { return c.srv.URL + "/cb" }

// Close stops the redirect URI.
func (c *Callback) Close() { c.srv.Close() }

// Query is what the redirect URI last received.
func (c *Callback) Query() url.Values {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got
}

// authorize plays the user at u and returns what the callback received.
func (c *Callback) authorize(u string, login Login) (url.Values, error) {
	d, err := httpdriver.New(30 * time.Second)
	if err != nil {
		return nil, err
	}
	if _, err := d.SignIn(u, login.FormID, login.Fields, login.Button); err != nil {
		return nil, err
	}
	q := c.Query()
	if q == nil {
		return nil, errors.New("the login page did not send the browser to the redirect URI")
	}
	return q, nil
}

// OAuth2 runs x/oauth2's authorization code flow with conf (whose
// RedirectURL is cb's): the login, the code exchange, then a GET of
// claimsURL with the access token, whose JSON object it returns.
func OAuth2(ctx context.Context, conf oauth2.Config, cb *Callback, login Login, claimsURL string) (map[string]any, error) {
	state := fmt.Sprintf("st-%d", time.Now().UnixNano())
	q, err := cb.authorize(conf.AuthCodeURL(state), login)
	if err != nil {
		return nil, err
	}
	if q.Get("state") != state || q.Get("code") == "" {
		return nil, fmt.Errorf("the redirect URI got %v, want a code and state %s", q, state)
	}
	tok, err := conf.Exchange(ctx, q.Get("code"))
	if err != nil {
		return nil, fmt.Errorf("exchange: %w", err)
	}
	return getJSON(conf.Client(ctx, tok), claimsURL)
}

// OAuth1 runs dghubble/oauth1's flow with conf (whose CallbackURL is cb's):
// temporary credentials, the login, token credentials, then a signed GET of
// claimsURL, whose JSON object it returns.
func OAuth1(ctx context.Context, conf oauth1.Config, cb *Callback, login Login, claimsURL string) (map[string]any, error) {
	reqToken, reqSecret, err := conf.RequestToken()
	if err != nil {
		return nil, fmt.Errorf("request token: %w", err)
	}
	authURL, err := conf.AuthorizationURL(reqToken)
	if err != nil {
		return nil, err
	}
	q, err := cb.authorize(authURL.String(), login)
	if err != nil {
		return nil, err
	}
	if q.Get("oauth_token") != reqToken || q.Get("oauth_verifier") == "" {
		return nil, fmt.Errorf("the callback got %v, want oauth_token %s and a verifier", q, reqToken)
	}
	accessToken, accessSecret, err := conf.AccessToken(reqToken, reqSecret, q.Get("oauth_verifier"))
	if err != nil {
		return nil, fmt.Errorf("access token: %w", err)
	}
	return getJSON(conf.Client(ctx, oauth1.NewToken(accessToken, accessSecret)), claimsURL)
}

func getJSON(c *http.Client, u string) (map[string]any, error) {
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d: %s", u, resp.StatusCode, body)
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	return out, nil
}

// OAuth2MockConfig is a config file for `iefconform mock oauth2` with the
// client my-app (secret my-secret, redirect URI cb) and the user bob that
// CheckOAuth2Mock signs in with.
func OAuth2MockConfig(cb string) string {
	return `clients:
  - id: my-app
    secret: my-secret
    redirectURIs: [` + cb + `]
users:
  - username: bob
    password: builder
    claims: {id: "42", email: bob@example.com, name: Bob}
`
}

// OAuth1MockConfig is a config file for `iefconform mock oauth1` with the
// consumer my-consumer (callback cb) and the user carol that CheckOAuth1Mock
// signs in with.
func OAuth1MockConfig(cb string) string {
	return `consumers:
  - key: my-consumer
    secret: consumer-secret
    callbackURLs: [` + cb + `]
users:
  - {username: carol, password: secret, userID: "1234", screenName: carol_s, email: carol@example.com}
`
}

// CheckOAuth2Mock signs bob in with x/oauth2 at an OAuth2 mock at base
// configured with OAuth2MockConfig(cb.URL()), checks his claims, and checks
// that a wrong client secret is refused at the code exchange.
func CheckOAuth2Mock(ctx context.Context, base string, cb *Callback) error {
	conf := oauth2.Config{ClientID: "my-app", ClientSecret: "my-secret", RedirectURL: cb.URL(), Scopes: []string{"email"},
		Endpoint: oauth2.Endpoint{AuthURL: base + "/authorize", TokenURL: base + "/token", AuthStyle: oauth2.AuthStyleInParams}}
	login := Login{FormID: "login-form", Fields: map[string]string{"username": "bob", "password": "builder"}, Button: "signin"}
	claims, err := OAuth2(ctx, conf, cb, login, base+"/me")
	if err != nil {
		return err
	}
	if claims["email"] != "bob@example.com" || claims["id"] != "42" {
		return fmt.Errorf("claims %v, want bob's", claims)
	}
	wrong := conf
	wrong.ClientSecret = "not-the-secret"
	if _, err := OAuth2(ctx, wrong, cb, login, base+"/me"); err == nil || !strings.Contains(err.Error(), "exchange") {
		return fmt.Errorf("a wrong client secret: %v, want the exchange refused", err)
	}
	return nil
}

// CheckOAuth1Mock signs carol in with dghubble/oauth1 at an OAuth 1.0a mock
// at base configured with OAuth1MockConfig(cb.URL()), checks her claims, and
// checks that a wrong consumer secret gets no temporary credentials.
func CheckOAuth1Mock(ctx context.Context, base string, cb *Callback) error {
	conf := oauth1.Config{ConsumerKey: "my-consumer", ConsumerSecret: "consumer-secret", CallbackURL: cb.URL(),
		Endpoint: oauth1.Endpoint{RequestTokenURL: base + "/oauth/request_token", AuthorizeURL: base + "/oauth/authenticate", AccessTokenURL: base + "/oauth/access_token"}}
	login := Login{FormID: "login-form", Fields: map[string]string{"username": "carol", "password": "secret"}, Button: "allow"}
	claims, err := OAuth1(ctx, conf, cb, login, base+"/1.1/account/verify_credentials.json?include_email=true")
	if err != nil {
		return err
	}
	if claims["screen_name"] != "carol_s" || claims["email"] != "carol@example.com" {
		return fmt.Errorf("claims %v, want carol's", claims)
	}
	wrong := conf
	wrong.ConsumerSecret = "not-the-secret"
	if _, err := OAuth1(ctx, wrong, cb, login, base+"/1.1/account/verify_credentials.json"); err == nil || !strings.Contains(err.Error(), "request token") {
		return fmt.Errorf("a wrong consumer secret: %v, want temporary credentials refused", err)
	}
	return nil
}
