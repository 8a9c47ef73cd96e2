package server

// Test doubles for the server tests: a clock, a fake OAuth2 identity provider,
// and a browser-like client that stops at the relying party. The engine never
// imports mocks/ or harness/, so these are written here, small and specific.

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	xhtml "golang.org/x/net/html"

	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/policy"
)

const (
	rpClientID    = "rp-client"
	rpSecret      = "rp-secret"
	rpRedirectURI = "https://rp.example/cb"
	rpHost        = "rp.example"
	idpASecret    = "alpha secret"
	idpBSecret    = "beta+secret"
	policySignIn  = "B2C_1A_Signup_Signin"
	policyPicker  = "B2C_1A_Picker"
)

// clock is an injectable clock that tests move forward.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// idpRequest is one request the fake IdP received.
type idpRequest struct {
	Method string
	Path   string
	Query  url.Values
	Form   url.Values
}

type grant struct {
	redirectURI string
	user        string
}

// fakeIdP is an OAuth2 identity provider: /authorize answers at once with a
// code (no login page) by redirect or auto-posting form, per response_mode;
// /token redeems a code once; /me returns the user's claims.
type fakeIdP struct {
	clientID string
	secret   string
	srv      *httptest.Server

	mu     sync.Mutex
	reqs   []idpRequest
	n      int
	codes  map[string]grant
	tokens map[string]string
	// Knobs a test sets (under mu) to shape the next answers.
	authorizeError string // answer /authorize with this error
	answerState    string // answer /authorize with this state instead of the one received
	tokenStatus    int    // answer /token with this status and tokenBody
	tokenBody      string
	tokenLocation  string // the Location header of that answer
	tokenBlock     bool   // /token blocks until the client gives up
	claimsBody     string
}

func newFakeIdP(t testing.TB, clientID, secret string) *fakeIdP {
	t.Helper()
	f := &fakeIdP{clientID: clientID, secret: secret, codes: map[string]grant{}, tokens: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", f.handleAuthorize)
	mux.HandleFunc("POST /token", f.handleToken)
	mux.HandleFunc("GET /me", f.handleMe)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		f.reqs = append(f.reqs, idpRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Form: r.PostForm})
		f.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIdP) set(fn func(f *fakeIdP)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// reset clears the knobs.
func (f *fakeIdP) reset() {
	f.set(func(f *fakeIdP) {
		f.authorizeError, f.answerState, f.tokenStatus, f.tokenBody, f.tokenBlock, f.claimsBody = "", "", 0, "", false, ""
	})
}

// total returns how many requests the IdP received.
func (f *fakeIdP) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

// count returns how many requests reached path.
func (f *fakeIdP) count(path string) int { return len(f.requests(path)) }

// requests returns the requests that reached path, in order.
func (f *fakeIdP) requests(path string) []idpRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []idpRequest
	for _, r := range f.reqs {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeIdP) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || q.Get("client_id") != f.clientID || q.Get("response_type") != "code" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.n++
	user := fmt.Sprintf("user-%d", f.n)
	code := fmt.Sprintf("code-%d", f.n)
	f.codes[code] = grant{redirectURI: q.Get("redirect_uri"), user: user}
	answer := url.Values{"code": {code}, "state": {q.Get("state")}}
	if f.authorizeError != "" {
		answer = url.Values{"error": {f.authorizeError}, "error_description": {"The user denied the request"}, "state": {q.Get("state")}}
	}
	if f.answerState != "" {
		answer.Set("state", f.answerState)
	}
	f.mu.Unlock()
	if q.Get("response_mode") == "query" {
		redirect.RawQuery = answer.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<html><body><form id="f" method="post" action="%s">`, html.EscapeString(redirect.String()))
	for k, vs := range answer {
		for _, v := range vs {
			fmt.Fprintf(w, `<input type="hidden" name="%s" value="%s">`, html.EscapeString(k), html.EscapeString(v))
		}
	}
	fmt.Fprint(w, `</form><script>document.getElementById("f").submit()</script></body></html>`)
}

func oauthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": code + " from the fake IdP"})
}

func (f *fakeIdP) handleToken(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	block, status, body, location := f.tokenBlock, f.tokenStatus, f.tokenBody, f.tokenLocation
	f.mu.Unlock()
	if block {
		<-r.Context().Done()
		return
	}
	if status != 0 {
		if location != "" {
			w.Header().Set("Location", location)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
		return
	}
	if r.PostForm.Get("client_id") != f.clientID || r.PostForm.Get("client_secret") != f.secret {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	f.mu.Lock()
	g, ok := f.codes[r.PostForm.Get("code")]
	delete(f.codes, r.PostForm.Get("code"))
	token := "at-" + g.user
	if ok {
		f.tokens[token] = g.user
	}
	f.mu.Unlock()
	if !ok || r.PostForm.Get("grant_type") != "authorization_code" || g.redirectURI != r.PostForm.Get("redirect_uri") {
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":5183944}`, token)
}

func (f *fakeIdP) handleMe(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	user, ok := f.tokens[r.URL.Query().Get("access_token")]
	body := f.claimsBody
	f.mu.Unlock()
	if !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_token")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if body != "" {
		_, _ = io.WriteString(w, body)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"id": user, "first_name": "Given " + user, "email": user + "@example.com"})
}

// emulator is a Server on a loopback listener with its two fake IdPs.
type emulator struct {
	srv   *Server
	ts    *httptest.Server
	base  string
	clock *clock
	idpA  *fakeIdP
	idpB  *fakeIdP
	keys  *keys.Store
}

type emuOptions struct {
	noApps     bool
	idpAToken  string // overrides IdP A's token endpoint
	httpClient *http.Client
	// The server's limits (Config.RequestTimeout, MaxBodyBytes, MaxURLBytes).
	requestTimeout time.Duration
	maxBodyBytes   int64
	maxURLBytes    int
	// apps are registered beside the relying party, which is granted
	// rpPermissions.
	apps          []Application
	rpPermissions []string
}

func loadKeys(t testing.TB) *keys.Store {
	t.Helper()
	k, _, err := keys.ParsePEMFile("testdata/signing_key.pem")
	if err != nil {
		t.Fatal(err)
	}
	ks := keys.NewStore()
	if _, err := ks.SetRSA("B2C_1A_TokenSigningKeyContainer", k, nil); err != nil {
		t.Fatal(err)
	}
	ks.SetSecret("B2C_1A_IdPASecret", []byte(idpASecret))
	ks.SetSecret("B2C_1A_IdPBSecret", []byte(idpBSecret))
	return ks
}

func newEmulator(t testing.TB, o emuOptions) *emulator {
	t.Helper()
	e := &emulator{clock: newClock(), idpA: newFakeIdP(t, "idp-a-client", idpASecret), idpB: newFakeIdP(t, "idp-b-client", idpBSecret), keys: loadKeys(t)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.base = "http://" + ln.Addr().String()
	tokenA := e.idpA.srv.URL + "/token"
	if o.idpAToken != "" {
		tokenA = o.idpAToken
	}
	settings := policy.Settings{
		"Tenant":        DefaultTenant,
		"IdPAAuthorize": e.idpA.srv.URL + "/authorize",
		"IdPAToken":     tokenA,
		"IdPAClaims":    e.idpA.srv.URL + "/me",
		"IdPBAuthorize": e.idpB.srv.URL + "/authorize",
		"IdPBToken":     e.idpB.srv.URL + "/token",
		"IdPBClaims":    e.idpB.srv.URL + "/me?fields=id,first_name,email",
	}
	set, err := policy.LoadDir("testdata/policies", settings)
	if err != nil {
		t.Fatalf("load policies: %v", err)
	}
	cfg := Config{BaseURL: e.base, Policies: set, Keys: e.keys, Now: e.clock.Now, HTTPClient: o.httpClient,
		RequestTimeout: o.requestTimeout, MaxBodyBytes: o.maxBodyBytes, MaxURLBytes: o.maxURLBytes}
	if !o.noApps {
		cfg.Applications = append([]Application{{ClientID: rpClientID, RedirectURIs: []string{rpRedirectURI, "https://rp.example/signed-out"}, Secret: rpSecret, AllowImplicitFlow: true,
			Permissions: o.rpPermissions}}, o.apps...)
	}
	e.start(t, ln, cfg)
	return e
}

// start creates the emulator's Server from cfg and serves it on ln, whose
// address cfg.BaseURL names.
func (e *emulator) start(t testing.TB, ln net.Listener, cfg Config) {
	t.Helper()
	var err error
	if e.srv, err = New(cfg); err != nil {
		t.Fatalf("New: %v", err)
	}
	e.ts = httptest.NewUnstartedServer(e.srv.Handler())
	_ = e.ts.Listener.Close()
	e.ts.Listener = ln
	e.ts.Start()
	t.Cleanup(e.ts.Close)
}

// authorizeURL is the RP's authorization request for a policy.
func (e *emulator) authorizeURL(policyID string, params map[string]string) string {
	q := url.Values{
		"client_id":     {rpClientID},
		"redirect_uri":  {rpRedirectURI},
		"response_type": {"id_token"},
		"scope":         {"openid"},
		"nonce":         {"nonce-1"},
		"state":         {"rp-state"},
	}
	for k, v := range params {
		if v == "" {
			q.Del(k)
			continue
		}
		q.Set(k, v)
	}
	return e.srv.AuthorizeURL(policyID) + "?" + q.Encode()
}

// browser is a browser-like client: a cookie jar, redirects followed, and forms
// that a script submits at once submitted, until the relying party's host.
type browser struct {
	t    testing.TB
	c    *http.Client
	mu   sync.Mutex
	sent []*http.Request // the requests the browser made (not redirects), with their bodies
	body map[*http.Request]string
}

func newBrowser(t testing.TB) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, body: map[*http.Request]string{}, c: &http.Client{
		Jar:     jar,
		Timeout: 10 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Hostname() == rpHost {
				return http.ErrUseLastResponse
			}
			if len(via) > 10 {
				return fmt.Errorf("more than 10 redirects")
			}
			return nil
		},
	}}
}

// outcome is where a navigation ended: at the relying party (Mode query,
// fragment or form_post, with Params and for query/fragment the Raw encoded
// string), or on a page of some other party (Mode "page").
type outcome struct {
	Mode   string
	Params url.Values
	Raw    string
	Target string // the RP URL without parameters
	Status int
	Body   string
	URL    *url.URL
}

func (o *outcome) String() string {
	if o.Mode == "page" {
		return fmt.Sprintf("page %s HTTP %d: %.300s", o.URL, o.Status, o.Body)
	}
	return fmt.Sprintf("%s to %s: %v", o.Mode, o.Target, o.Params)
}

func (b *browser) get(u string) *outcome {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.navigate(req, "")
}

func (b *browser) post(u string, form url.Values) *outcome {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.navigate(req, form.Encode())
}

// noFollow sends req with the browser's cookies and returns the response
// without following a redirect, its body closed.
func (b *browser) noFollow(t testing.TB, req *http.Request) *http.Response {
	t.Helper()
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func (b *browser) navigate(req *http.Request, body string) *outcome {
	b.t.Helper()
	for i := 0; i < 10; i++ {
		b.mu.Lock()
		b.sent = append(b.sent, req)
		b.body[req] = body
		b.mu.Unlock()
		resp, err := b.c.Do(req)
		if err != nil {
			b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		data, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			b.t.Fatalf("read %s: %v", resp.Request.URL, err)
		}
		if loc := resp.Header.Get("Location"); resp.StatusCode/100 == 3 && loc != "" {
			u, err := resp.Request.URL.Parse(loc)
			if err != nil || u.Hostname() != rpHost {
				b.t.Fatalf("redirect to %q stopped: %v", loc, err)
			}
			o := &outcome{Status: resp.StatusCode}
			target, frag, hasFrag := strings.Cut(loc, "#")
			if hasFrag {
				o.Mode, o.Raw, o.Target = "fragment", frag, target
			} else {
				o.Mode = "query"
				o.Target, o.Raw, _ = strings.Cut(target, "?")
			}
			o.Params, err = url.ParseQuery(o.Raw)
			if err != nil {
				b.t.Fatalf("parameters of %s: %v", loc, err)
			}
			return o
		}
		page := &outcome{Mode: "page", Status: resp.StatusCode, Body: string(data), URL: resp.Request.URL}
		f := autoSubmit(b.t, page)
		if f == nil {
			return page
		}
		if f.Action.Hostname() == rpHost {
			return &outcome{Mode: "form_post", Params: f.Fields, Target: f.Action.String(), Status: resp.StatusCode}
		}
		body = f.Fields.Encode()
		req, err = http.NewRequest(http.MethodPost, f.Action.String(), strings.NewReader(body))
		if err != nil {
			b.t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	b.t.Fatalf("more than 10 auto-submitted forms")
	return nil
}

// form is an HTML form of a page.
type form struct {
	ID      string
	Action  *url.URL
	Method  string
	Fields  url.Values
	Buttons []button
}

type button struct{ ID, Name, Value, Label string }

func attr(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func walk(n *xhtml.Node, fn func(*xhtml.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func text(n *xhtml.Node) string {
	var b strings.Builder
	walk(n, func(t *xhtml.Node) {
		if t.Type == xhtml.TextNode {
			b.WriteString(t.Data)
		}
	})
	return strings.TrimSpace(b.String())
}

// forms parses the forms of a page.
func forms(t testing.TB, page *outcome) ([]*form, *xhtml.Node) {
	t.Helper()
	doc, err := xhtml.Parse(bytes.NewReader([]byte(page.Body)))
	if err != nil {
		t.Fatalf("parse %s: %v", page.URL, err)
	}
	var out []*form
	walk(doc, func(n *xhtml.Node) {
		if n.Type != xhtml.ElementNode || n.Data != "form" {
			return
		}
		f := &form{ID: attr(n, "id"), Method: strings.ToUpper(attr(n, "method")), Fields: url.Values{}, Action: page.URL}
		if a := attr(n, "action"); a != "" {
			u, err := page.URL.Parse(a)
			if err != nil {
				t.Fatalf("form action %q: %v", a, err)
			}
			f.Action = u
		}
		walk(n, func(c *xhtml.Node) {
			if c.Type != xhtml.ElementNode {
				return
			}
			switch {
			case c.Data == "input" && attr(c, "type") != "submit" && attr(c, "name") != "":
				f.Fields.Add(attr(c, "name"), attr(c, "value"))
			case c.Data == "button":
				f.Buttons = append(f.Buttons, button{ID: attr(c, "id"), Name: attr(c, "name"), Value: attr(c, "value"), Label: text(c)})
			}
		})
		out = append(out, f)
	})
	return out, doc
}

// autoSubmit returns the form a script on the page submits at once, or nil.
func autoSubmit(t testing.TB, page *outcome) *form {
	if !strings.Contains(page.Body, ".submit()") {
		return nil
	}
	fs, _ := forms(t, page)
	if len(fs) != 1 {
		t.Fatalf("auto-submitting page %s has %d forms, want 1", page.URL, len(fs))
	}
	return fs[0]
}

// elementText returns the text of the element with the given id on a page.
func elementText(t testing.TB, page *outcome, id string) string {
	t.Helper()
	_, doc := forms(t, page)
	out := ""
	walk(doc, func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode && attr(n, "id") == id {
			out = text(n)
		}
	})
	return out
}

// jwks fetches a JWKS document and returns its RSA keys by kid.
func jwks(t testing.TB, u string) map[string]*rsa.PublicKey {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Keys []struct{ Kid, Kty, Use, Alg, N, E string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("decode JWKS %s: %v", u, err)
	}
	out := map[string]*rsa.PublicKey{}
	for _, k := range doc.Keys {
		if k.Kty != "RSA" || k.Use != "sig" || k.Alg != "RS256" {
			t.Errorf("JWKS key %+v: want kty RSA, use sig, alg RS256", k)
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil {
			t.Fatalf("JWKS key %s: bad n or e", k.Kid)
		}
		out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return out
}

// verifyToken verifies an id_token against a key set at the emulator's clock.
func verifyToken(t testing.TB, token string, ks map[string]*rsa.PublicKey, now func() time.Time, opts ...jwt.ParserOption) jwt.MapClaims {
	t.Helper()
	c := jwt.MapClaims{}
	opts = append([]jwt.ParserOption{jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(now), jwt.WithExpirationRequired()}, opts...)
	_, err := jwt.ParseWithClaims(token, c, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		if k, ok := ks[kid]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("no key with kid %q in the JWKS", kid)
	}, opts...)
	if err != nil {
		t.Fatalf("verify id_token: %v", err)
	}
	return c
}
