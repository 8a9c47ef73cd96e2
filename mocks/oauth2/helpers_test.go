package oauth2_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/iefconform/iefconform/mocks/journal"
	"github.com/iefconform/iefconform/mocks/oauth2"
)

const (
	authresp     = "https://contoso.b2clogin.com/contoso.onmicrosoft.com/oauth2/authresp"
	rpWithQuery  = "https://rp.example/cb?tenant=contoso"
	clientID     = "b2c-app"
	clientSecret = "app-secret"
)

func testConfig() oauth2.Config {
	return oauth2.Config{
		Clients: []oauth2.Client{
			{ID: clientID, Secret: clientSecret, RedirectURIs: []string{authresp, rpWithQuery}},
			{ID: "other-app", Secret: "other-secret"},
			{ID: "special:app", Secret: "p@ss w+rd%"},
		},
		Users: []oauth2.User{{
			Username: "alice",
			Password: "alice-pw",
			Claims: map[string]any{
				"id":         "1001",
				"first_name": "Alice",
				"last_name":  "Smith",
				"email":      "alice@example.com",
				"picture":    map[string]any{"data": map[string]any{"url": "https://example.com/alice.png"}},
				"languages":  []any{map[string]any{"id": "1", "name": "English"}},
			},
		}},
	}
}

// fakeClock is an injectable clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
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
	srv     *oauth2.Server
	ts      *httptest.Server
	clock   *fakeClock
	journal *journal.Journal
	client  *http.Client
}

func newEnv(t *testing.T, cfg oauth2.Config) *env {
	t.Helper()
	return newEnvOpts(t, cfg)
}

// newEnvOpts is newEnv with more options.
func newEnvOpts(t *testing.T, cfg oauth2.Config, opts ...oauth2.Option) *env {
	t.Helper()
	clock := newFakeClock()
	j := journal.New()
	srv, err := oauth2.New(cfg, append([]oauth2.Option{oauth2.WithClock(clock.Now), oauth2.WithJournal(j, "facebook")}, opts...)...)
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

// response is a read and closed HTTP response.
type response struct {
	*http.Response
	body string
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read body: %v", err)
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

func (e *env) postForm(path string, form url.Values, header http.Header) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, vs := range header {
		req.Header[k] = vs
	}
	return e.do(req)
}

// authzQuery is a B2C-like authorization request.
func authzQuery(mode string) url.Values {
	q := url.Values{
		"client_id":     {clientID},
		"redirect_uri":  {authresp},
		"response_type": {"code"},
		"scope":         {"email public_profile"},
		"state":         {"StateProperties=eyJTSUQiOiJ4In0"},
	}
	if mode != "" {
		q.Set("response_mode", mode)
	}
	return q
}

// loginForm reads the login page's hidden fields and adds the user's input.
func loginForm(t *testing.T, page string, username, password, action string) url.Values {
	t.Helper()
	doc := parseHTML(t, page)
	form := byID(doc, "login-form")
	if form == nil {
		t.Fatalf("no form#login-form in page:\n%s", page)
	}
	v := hiddenFields(form)
	v.Set("username", username)
	v.Set("password", password)
	v.Set("action", action)
	return v
}

// signIn runs the authorization request in query mode and returns the code.
func (e *env) signIn(q url.Values) string {
	e.t.Helper()
	q.Set("response_mode", "query")
	page := e.get("/authorize", q)
	if page.StatusCode != http.StatusOK {
		e.t.Fatalf("GET /authorize: status %d\n%s", page.StatusCode, page.body)
	}
	resp := e.postForm("/authorize", loginForm(e.t, page.body, "alice", "alice-pw", "signin"), nil)
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("POST /authorize: status %d, want 302\n%s", resp.StatusCode, resp.body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	code := loc.Query().Get("code")
	if code == "" {
		e.t.Fatalf("no code in %s", loc)
	}
	return code
}

// tokenForm is a client_secret_post token request.
func tokenForm(code string) url.Values {
	return url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {authresp},
		"client_id":     {clientID},
		"client_secret": {clientSecret},
	}
}

// accessToken signs in and redeems the code.
func (e *env) accessToken() string {
	e.t.Helper()
	resp := e.postForm("/token", tokenForm(e.signIn(authzQuery(""))), nil)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("token: status %d\n%s", resp.StatusCode, resp.body)
	}
	tok, _ := resp.json(e.t)["access_token"].(string)
	if tok == "" {
		e.t.Fatalf("no access_token in %s", resp.body)
	}
	return tok
}

func basic(id, secret string) http.Header {
	raw := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(raw))}}
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

// findAll returns the elements named tag under n.
func findAll(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	if n.Type == html.ElementNode && n.Data == tag {
		out = append(out, n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, findAll(c, tag)...)
	}
	return out
}

// wantOAuthError checks an RFC 6749 §5.2 error response.
func wantOAuthError(t *testing.T, r response, status int, code string) map[string]any {
	t.Helper()
	if r.StatusCode != status {
		t.Errorf("status = %d, want %d\n%s", r.StatusCode, status, r.body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	m := r.json(t)
	if m["error"] != code {
		t.Errorf("error = %v, want %q\n%s", m["error"], code, r.body)
	}
	if d, _ := m["error_description"].(string); d == "" {
		t.Errorf("error_description is empty\n%s", r.body)
	}
	return m
}

func decode(r *http.Response, v any) error {
	return json.NewDecoder(r.Body).Decode(v)
}
