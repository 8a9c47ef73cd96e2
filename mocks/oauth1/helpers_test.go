package oauth1_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dg "github.com/dghubble/oauth1"
	"golang.org/x/net/html"

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
			{Key: "rsa", SignatureMethods: []string{oauth1.RSASHA1}, PublicKeyPEM: readFile(t, "testdata/rsa-consumer.pub")},
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

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fakeClock is an injectable clock tests move by hand. It starts at the real time because
// github.com/dghubble/oauth1 stamps requests with time.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one mock IdP on a real listener, with a client that does not follow redirects.
type env struct {
	t       *testing.T
	srv     *oauth1.Server
	ts      *httptest.Server
	clock   *fakeClock
	journal *journal.Journal
	client  *http.Client
}

func newEnv(t *testing.T, cfg oauth1.Config, opts ...oauth1.Option) *env {
	t.Helper()
	clock := &fakeClock{t: time.Now()}
	j := journal.New()
	srv, err := oauth1.New(cfg, append([]oauth1.Option{oauth1.WithClock(clock.Now), oauth1.WithJournal(j, "twitter")}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	return &env{
		t: t, srv: srv, ts: ts, clock: clock, journal: j,
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// config is a dghubble client configuration for a consumer of the mock.
func (e *env) config(key, secret string) *dg.Config {
	return &dg.Config{
		ConsumerKey:    key,
		ConsumerSecret: secret,
		CallbackURL:    authresp,
		Endpoint: dg.Endpoint{
			RequestTokenURL: e.ts.URL + oauth1.PathRequestToken,
			AuthorizeURL:    e.ts.URL + oauth1.PathAuthenticate,
			AccessTokenURL:  e.ts.URL + oauth1.PathAccessToken,
		},
		HTTPClient: e.client,
	}
}

// response is a read and closed HTTP response.
type response struct {
	*http.Response
	body string
}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	return doWith(e.t, e.client, req)
}

func doWith(t *testing.T, c *http.Client, req *http.Request) response {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response{resp, string(b)}
}

func (e *env) get(path string, q url.Values) response {
	e.t.Helper()
	u := e.ts.URL + path
	if q != nil {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req)
}

func (e *env) postForm(path string, form url.Values) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

// creds are the credentials of one run of the three-legged flow.
type creds struct {
	reqToken, reqSecret, verifier string
	token, secret                 string
	tokenResponse                 url.Values // the whole access token response
}

// requestToken gets temporary credentials with dghubble.
func (e *env) requestToken(cfg *dg.Config) (string, string) {
	e.t.Helper()
	tok, sec, err := cfg.RequestToken()
	if err != nil {
		e.t.Fatalf("RequestToken: %v", err)
	}
	return tok, sec
}

// authorize shows the login page for reqToken and submits it; it returns the redirect response.
func (e *env) authorize(cfg *dg.Config, reqToken, username, password, action string) response {
	e.t.Helper()
	u, err := cfg.AuthorizationURL(reqToken)
	if err != nil {
		e.t.Fatal(err)
	}
	page := e.do(mustRequest(e.t, http.MethodGet, u.String(), ""))
	if page.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: status %d\n%s", u, page.StatusCode, page.body)
	}
	return e.postForm(oauth1.PathAuthorize, loginForm(e.t, page.body, username, password, action))
}

// verifier signs in and returns the oauth_verifier of the callback, checking its oauth_token.
func (e *env) verifier(cfg *dg.Config, reqToken string) string {
	e.t.Helper()
	resp := e.authorize(cfg, reqToken, "alice", "alice-pw", "allow")
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("POST /oauth/authorize: status %d, want 302\n%s", resp.StatusCode, resp.body)
	}
	cb := mustRequest(e.t, http.MethodGet, resp.Header.Get("Location"), "")
	tok, ver, err := dg.ParseAuthorizationCallback(cb)
	if err != nil || tok != reqToken {
		e.t.Fatalf("callback %s: token %q (want %q): %v", cb.URL, tok, reqToken, err)
	}
	return ver
}

// flow runs the three legs with dghubble as the consumer cfg and alice as the user.
func (e *env) flow(cfg *dg.Config) creds {
	e.t.Helper()
	var c creds
	c.reqToken, c.reqSecret = e.requestToken(cfg)
	c.verifier = e.verifier(cfg, c.reqToken)
	rec := &bodyRecorder{}
	withRec := *cfg
	withRec.HTTPClient = &http.Client{Transport: rec}
	var err error
	c.token, c.secret, err = withRec.AccessToken(c.reqToken, c.reqSecret, c.verifier)
	if err != nil {
		e.t.Fatalf("AccessToken: %v", err)
	}
	c.tokenResponse, err = url.ParseQuery(rec.last.body)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// claims calls the claims endpoint signed with dghubble's client for the access token.
func (e *env) claims(cfg *dg.Config, c creds, query string) response {
	e.t.Helper()
	hc := dg.NewClient(context.WithValue(context.Background(), dg.HTTPClient, e.client), cfg, dg.NewToken(c.token, c.secret))
	u := e.ts.URL + e.srv.ClaimsPath()
	if query != "" {
		u += "?" + query
	}
	return doWith(e.t, hc, mustRequest(e.t, http.MethodGet, u, ""))
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
	b.last = response{resp, string(body)}
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
	e.t.Helper()
	c := &capture{}
	hc := dg.NewClient(context.WithValue(context.Background(), dg.HTTPClient, &http.Client{Transport: c}), cfg, tok)
	resp, err := hc.Do(mustRequest(e.t, method, u, body))
	if err != nil {
		e.t.Fatal(err)
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
		t.Errorf("status = %d, want 401\n%s", r.StatusCode, r.body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q, want application/x-www-form-urlencoded", ct)
	}
	if got, want := r.Header.Get("WWW-Authenticate"), `OAuth realm="mock-oauth1", oauth_problem="`+name+`"`; got != want {
		t.Errorf("WWW-Authenticate = %q, want %q", got, want)
	}
	v, err := url.ParseQuery(r.body)
	if err != nil {
		t.Fatalf("body is not form-encoded: %v\n%s", err, r.body)
	}
	if got := v.Get("oauth_problem"); got != name {
		t.Errorf("oauth_problem = %q, want %q\n%s", got, name, r.body)
	}
	if v.Get("oauth_problem_advice") == "" {
		t.Errorf("oauth_problem_advice is empty\n%s", r.body)
	}
	return v
}

// loginForm reads the login page's hidden fields and adds the user's input.
func loginForm(t *testing.T, page, username, password, action string) url.Values {
	t.Helper()
	form := byID(parseHTML(t, page), "login-form")
	if form == nil {
		t.Fatalf("no form#login-form in page:\n%s", page)
	}
	v := hiddenFields(form)
	v.Set("username", username)
	v.Set("password", password)
	v.Set("action", action)
	return v
}

func parseHTML(t *testing.T, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

func byID(n *html.Node, id string) *html.Node {
	if n.Type == html.ElementNode && attr(n, "id") == id {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := byID(c, id); f != nil {
			return f
		}
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

// hiddenFields collects the hidden inputs under n.
func hiddenFields(n *html.Node) url.Values {
	v := url.Values{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "type") == "hidden" {
			v.Add(attr(n, "name"), attr(n, "value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return v
}
