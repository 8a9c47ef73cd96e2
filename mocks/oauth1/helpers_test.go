package oauth1_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	dg "github.com/dghubble/oauth1"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/journal"
	"github.com/iefconform/iefconform/mocks/oauth1"
)

const (
	authresp       = "https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1a_signin/oauth1/authresp"
	consumerKey    = "b2c-consumer"
	consumerSecret = "consumer secret&+/%é" // every character class §3.6 encodes
	userID         = "1001"
)

func testConfig(t *testing.T) oauth1.Config {
	t.Helper()
	return oauth1.Config{
		Consumers: []oauth1.Consumer{
			{Key: consumerKey, Secret: consumerSecret, CallbackURLs: []string{authresp, "https://rp.example/cb?tenant=contoso"}},
			{Key: "any-callback", Secret: "any-secret"},
			{Key: "plain", Secret: "plain-secret", SignatureMethods: []string{oauth1.PLAINTEXT}},
			{Key: "rsa", SignatureMethods: []string{oauth1.RSASHA1}, PublicKeyPEM: kittest.ReadFile(t, "testdata/rsa-consumer.pub")},
		},
		Users: []oauth1.User{
			{
				Username: "alice", Password: "alice-pw", UserID: userID, ScreenName: "alice_s", Email: "alice@example.com",
				Claims: map[string]any{"name": "Alice Smith", "verified": true, "location": map[string]any{"city": "Oslo"}},
			},
			{Username: "bob", Password: "bob-pw", UserID: "9007199254740993"}, // above 2^53: must survive as a JSON number
		},
	}
}

// env is one mock IdP on a real listener, with a client that does not follow redirects. Its
// clock starts at the real time because github.com/dghubble/oauth1 stamps requests with time.Now.
type env struct {
	*kittest.Env[*oauth1.Server]
}

// response is a read and closed HTTP response.
type response = kittest.Response

func newEnv(t *testing.T, cfg oauth1.Config, opts ...oauth1.Option) *env {
	t.Helper()
	return &env{kittest.Start(t, kittest.NewClock(time.Now()), func(now func() time.Time, j *journal.Journal) (*oauth1.Server, error) {
		return oauth1.New(cfg, append([]oauth1.Option{oauth1.WithClock(now), oauth1.WithJournal(j, "twitter")}, opts...)...)
	})}
}

// newConsumerEnv is newEnv with the test config, and the dghubble client configuration of the
// test consumer.
func newConsumerEnv(t *testing.T) (*env, *dg.Config) {
	t.Helper()
	e := newEnv(t, testConfig(t))
	return e, e.config(consumerKey, consumerSecret)
}

// config is a dghubble client configuration for a consumer of the mock.
func (e *env) config(key, secret string) *dg.Config {
	return &dg.Config{
		ConsumerKey:    key,
		ConsumerSecret: secret,
		CallbackURL:    authresp,
		Endpoint: dg.Endpoint{
			RequestTokenURL: e.TS.URL + oauth1.PathRequestToken,
			AuthorizeURL:    e.TS.URL + oauth1.PathAuthenticate,
			AccessTokenURL:  e.TS.URL + oauth1.PathAccessToken,
		},
		HTTPClient: e.HTTP,
	}
}

// creds are the credentials of one run of the three-legged flow.
type creds struct {
	reqToken, reqSecret, verifier string
	token, secret                 string
	tokenResponse                 url.Values // the whole access token response
}

// requestToken gets temporary credentials with dghubble.
func (e *env) requestToken(cfg *dg.Config) (string, string) {
	e.T.Helper()
	tok, sec, err := cfg.RequestToken()
	if err != nil {
		e.T.Fatalf("RequestToken: %v", err)
	}
	return tok, sec
}

// authorize shows the login page for reqToken and submits it; it returns the redirect response.
func (e *env) authorize(cfg *dg.Config, reqToken, username, password, action string) response {
	e.T.Helper()
	u, err := cfg.AuthorizationURL(reqToken)
	if err != nil {
		e.T.Fatal(err)
	}
	page := e.Do(mustRequest(e.T, http.MethodGet, u.String(), ""))
	if page.StatusCode != http.StatusOK {
		e.T.Fatalf("GET %s: status %d\n%s", u, page.StatusCode, page.Text)
	}
	return e.PostForm(oauth1.PathAuthorize, kittest.LoginForm(e.T, page.Text, username, password, action), nil)
}

// verifier signs in and returns the oauth_verifier of the callback, checking its oauth_token.
func (e *env) verifier(cfg *dg.Config, reqToken string) string {
	e.T.Helper()
	resp := e.authorize(cfg, reqToken, "alice", "alice-pw", "allow")
	if resp.StatusCode != http.StatusFound {
		e.T.Fatalf("POST /oauth/authorize: status %d, want 302\n%s", resp.StatusCode, resp.Text)
	}
	cb := mustRequest(e.T, http.MethodGet, resp.Header.Get("Location"), "")
	tok, ver, err := dg.ParseAuthorizationCallback(cb)
	if err != nil || tok != reqToken {
		e.T.Fatalf("callback %s: token %q (want %q): %v", cb.URL, tok, reqToken, err)
	}
	return ver
}

// flow runs the three legs with dghubble as the consumer cfg and alice as the user.
func (e *env) flow(cfg *dg.Config) creds {
	e.T.Helper()
	var c creds
	c.reqToken, c.reqSecret = e.requestToken(cfg)
	c.verifier = e.verifier(cfg, c.reqToken)
	rec := &bodyRecorder{}
	withRec := *cfg
	withRec.HTTPClient = &http.Client{Transport: rec}
	var err error
	c.token, c.secret, err = withRec.AccessToken(c.reqToken, c.reqSecret, c.verifier)
	if err != nil {
		e.T.Fatalf("AccessToken: %v", err)
	}
	c.tokenResponse, err = url.ParseQuery(rec.last.Text)
	if err != nil {
		e.T.Fatal(err)
	}
	return c
}

// claims calls the claims endpoint signed with dghubble's client for the access token.
func (e *env) claims(cfg *dg.Config, c creds, query string) response {
	e.T.Helper()
	hc := dg.NewClient(context.WithValue(context.Background(), dg.HTTPClient, e.HTTP), cfg, dg.NewToken(c.token, c.secret))
	u := e.TS.URL + e.Srv.ClaimsPath()
	if query != "" {
		u += "?" + query
	}
	return kittest.Do(e.T, hc, mustRequest(e.T, http.MethodGet, u, ""))
}

func mustRequest(t *testing.T, method, u, body string) *http.Request {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req
}

// bodyRecorder keeps the last response it saw, read.
type bodyRecorder struct {
	base http.RoundTripper
	last response
}

func (b *bodyRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	base := b.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	b.last = response{Response: resp, Text: string(body)}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// tamper changes a request after dghubble signed it and before it is sent.
type tamper struct {
	base http.RoundTripper
	fn   func(*http.Request)
}

func (t tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if t.fn != nil {
		t.fn(r)
	}
	return t.base.RoundTrip(r)
}

// capture keeps a signed request instead of sending it.
type capture struct{ req *http.Request }

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	c.req = r
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: r}, nil
}

// signed returns a request dghubble signed for the access token, not yet sent, to edit and send.
func (e *env) signed(cfg *dg.Config, tok *dg.Token, method, u, body string) *http.Request {
	e.T.Helper()
	c := &capture{}
	hc := dg.NewClient(context.WithValue(context.Background(), dg.HTTPClient, &http.Client{Transport: c}), cfg, tok)
	resp, err := hc.Do(mustRequest(e.T, method, u, body))
	if err != nil {
		e.T.Fatal(err)
	}
	resp.Body.Close()
	req := c.req.Clone(context.Background())
	if body != "" {
		req.Body = io.NopCloser(strings.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
		req.ContentLength = int64(len(body))
	}
	req.RequestURI = ""
	return req
}

var authParam = func(name string) *regexp.Regexp { return regexp.MustCompile(`(^OAuth |, )` + name + `="[^"]*"`) }

// setAuthParam replaces (or, with value "-", removes) one parameter of an OAuth Authorization header.
func setAuthParam(t *testing.T, r *http.Request, name, value string) {
	t.Helper()
	h := r.Header.Get("Authorization")
	re := authParam(name)
	if !re.MatchString(h) {
		t.Fatalf("no %s in %s", name, h)
	}
	if value == "-" {
		h = re.ReplaceAllStringFunc(h, func(m string) string {
			if strings.HasPrefix(m, "OAuth ") {
				return "OAuth "
			}
			return ""
		})
		h = strings.Replace(h, "OAuth , ", "OAuth ", 1)
	} else {
		h = re.ReplaceAllString(h, `${1}`+name+`="`+value+`"`)
	}
	r.Header.Set("Authorization", h)
}

// authParamValue reads one (percent-encoded) parameter of an OAuth Authorization header.
func authParamValue(t *testing.T, r *http.Request, name string) string {
	t.Helper()
	m := regexp.MustCompile(name + `="([^"]*)"`).FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		t.Fatalf("no %s in %s", name, r.Header.Get("Authorization"))
	}
	return m[1]
}

// wantProblem checks an OAuth Problem Reporting refusal and returns its parameters.
func wantProblem(t *testing.T, r response, name string) url.Values {
	t.Helper()
	if r.StatusCode != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401\n%s", r.StatusCode, r.Text)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q, want application/x-www-form-urlencoded", ct)
	}
	if got, want := r.Header.Get("WWW-Authenticate"), `OAuth realm="mock-oauth1", oauth_problem="`+name+`"`; got != want {
		t.Errorf("WWW-Authenticate = %q, want %q", got, want)
	}
	v, err := url.ParseQuery(r.Text)
	if err != nil {
		t.Fatalf("body is not form-encoded: %v\n%s", err, r.Text)
	}
	if got := v.Get("oauth_problem"); got != name {
		t.Errorf("oauth_problem = %q, want %q\n%s", got, name, r.Text)
	}
	if v.Get("oauth_problem_advice") == "" {
		t.Errorf("oauth_problem_advice is empty\n%s", r.Text)
	}
	return v
}
