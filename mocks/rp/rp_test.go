package rp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const testClientID = "client-123"

// fakeOP is a tiny OpenID provider: it serves a JWKS and a token endpoint and signs id_tokens.
type fakeOP struct {
	t        *testing.T
	srv      *httptest.Server
	jwksHits atomic.Int32
	jwksDown atomic.Bool

	mu    sync.Mutex
	keys  map[string]*rsa.PrivateKey // published keys by kid
	codes map[string]string          // code -> id_token
	// token, when set, answers the token endpoint instead of the code table.
	token     func(w http.ResponseWriter, r *http.Request)
	lastToken url.Values
}

func newFakeOP(t *testing.T) *fakeOP {
	t.Helper()
	op := &fakeOP{t: t, keys: map[string]*rsa.PrivateKey{"k1": newKey(t)}, codes: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwks", op.handleJWKS)
	mux.HandleFunc("POST /token", op.handleToken)
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	return op
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	return k
}

func (op *fakeOP) issuer() string       { return op.srv.URL + "/tenant/v2.0/" }
func (op *fakeOP) jwksURL() string      { return op.srv.URL + "/jwks" }
func (op *fakeOP) authorizeURL() string { return op.srv.URL + "/authorize?p=B2C_1A_signin" }
func (op *fakeOP) tokenURL() string     { return op.srv.URL + "/token" }

func (op *fakeOP) addKey(kid string, k *rsa.PrivateKey) {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.keys[kid] = k
}

func (op *fakeOP) key(kid string) *rsa.PrivateKey {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.keys[kid]
}

func (op *fakeOP) handleJWKS(w http.ResponseWriter, r *http.Request) {
	op.jwksHits.Add(1)
	if op.jwksDown.Load() {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	op.mu.Lock()
	var keys []map[string]string
	for kid, k := range op.keys {
		keys = append(keys, map[string]string{
			"kty": "RSA", "use": "sig", "kid": kid,
			"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
		})
	}
	op.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
}

func (op *fakeOP) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	op.mu.Lock()
	op.lastToken = r.PostForm
	custom := op.token
	tok, ok := op.codes[r.PostForm.Get("code")]
	op.mu.Unlock()
	if custom != nil {
		custom(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": "unknown code"})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"id_token": tok, "token_type": "Bearer"})
}

// claims returns valid id_token claims for nonce.
func (op *fakeOP) claims(nonce string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss":   op.issuer(),
		"aud":   testClientID,
		"sub":   "user-1",
		"nonce": nonce,
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
		"name":  "Alice",
		"big":   json.Number("12345678901234567890"),
	}
}

// sign signs claims with RS256 and the key kid.
func (op *fakeOP) sign(kid string, claims jwt.MapClaims) string {
	op.t.Helper()
	return signWith(op.t, op.key(kid), kid, claims)
}

func signWith(t *testing.T, k *rsa.PrivateKey, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(k)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// newRP starts an RP on a real listener.
func newRP(t *testing.T, cfg Config, opts ...Option) (*Server, *httptest.Server) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	cfg.BaseURL = "http://" + ts.Listener.Addr().String() + cfg.BaseURL
	if cfg.ClientID == "" {
		cfg.ClientID = testClientID
	}
	s, err := New(cfg, opts...)
	if err != nil {
		t.Fatalf("new rp: %v", err)
	}
	ts.Config.Handler = s.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return s, ts
}

func (op *fakeOP) request() AuthorizeRequest {
	return AuthorizeRequest{AuthorizeEndpoint: op.authorizeURL(), TokenEndpoint: op.tokenURL(), JWKSURL: op.jwksURL(), Issuer: op.issuer()}
}

// begin starts a sign-in and returns its state and nonce.
func begin(t *testing.T, s *Server, req AuthorizeRequest) (state, nonce string) {
	t.Helper()
	u, state, err := s.Begin(req)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatalf("parse authorize url: %v", err)
	}
	return state, pu.Query().Get("nonce")
}

// postFragment posts a fragment as the fragment page's script does.
func postFragment(t *testing.T, s *Server, fragment string) string {
	t.Helper()
	return post(t, strings.TrimSuffix(s.RedirectURI(), "/callback")+"/callback/fragment", url.Values{"fragment": {fragment}}.Encode())
}

func post(t *testing.T, u, body string) string {
	t.Helper()
	resp, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatalf("post %s: %v", u, err)
	}
	return readPage(t, resp)
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("get %s: %v", u, err)
	}
	return readPage(t, resp)
}

func readPage(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("want status 200 from %s, got %d: %s", resp.Request.URL, resp.StatusCode, b)
	}
	return string(b)
}

func waitResult(t *testing.T, s *Server, state string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := s.Wait(ctx, state)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	return res
}

func TestNewValidatesConfig(t *testing.T) {
	_, err := New(Config{BaseURL: "not a url"})
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("want ErrInvalidConfig, got %v", err)
	}
	for _, want := range []string{"baseURL", "clientID is required"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("want error mentioning %q, got %v", want, err)
		}
	}
}

func TestBegin(t *testing.T) {
	op := newFakeOP(t)
	s, _ := newRP(t, Config{BaseURL: "/rp"})
	tests := []struct {
		name    string
		req     AuthorizeRequest
		want    map[string]string
		wantErr string
	}{
		{
			name: "defaults for id_token",
			req:  AuthorizeRequest{AuthorizeEndpoint: op.authorizeURL(), JWKSURL: op.jwksURL()},
			want: map[string]string{
				"p": "B2C_1A_signin", "client_id": testClientID, "redirect_uri": s.RedirectURI(),
				"response_type": "id_token", "response_mode": "fragment", "scope": "openid",
			},
		},
		{
			name: "code defaults to query",
			req:  AuthorizeRequest{AuthorizeEndpoint: op.authorizeURL(), JWKSURL: op.jwksURL(), TokenEndpoint: op.tokenURL(), ResponseType: "code"},
			want: map[string]string{"response_type": "code", "response_mode": "query"},
		},
		{
			name: "explicit values and extra",
			req: AuthorizeRequest{
				AuthorizeEndpoint: op.authorizeURL(), JWKSURL: op.jwksURL(), ResponseMode: "form_post",
				Scope: "openid offline_access", State: "abc", Nonce: "n-1", Extra: url.Values{"prompt": {"login"}, "scope": {"openid profile"}},
			},
			want: map[string]string{"response_mode": "form_post", "scope": "openid profile", "state": "abc", "nonce": "n-1", "prompt": "login"},
		},
		{
			name:    "missing endpoints",
			req:     AuthorizeRequest{ResponseType: "code"},
			wantErr: "authorizeEndpoint is required",
		},
		{
			name:    "code needs token endpoint",
			req:     AuthorizeRequest{AuthorizeEndpoint: op.authorizeURL(), JWKSURL: op.jwksURL(), ResponseType: "code"},
			wantErr: "tokenEndpoint is required",
		},
		{
			name:    "bad response mode",
			req:     AuthorizeRequest{AuthorizeEndpoint: op.authorizeURL(), JWKSURL: op.jwksURL(), ResponseMode: "web_message"},
			wantErr: `got "web_message"`,
		},
		{
			name:    "relative endpoint",
			req:     AuthorizeRequest{AuthorizeEndpoint: "/authorize", JWKSURL: op.jwksURL()},
			wantErr: "absolute http(s) URL",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, state, err := s.Begin(tt.req)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("want ErrInvalidRequest mentioning %q, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("begin: %v", err)
			}
			pu, err := url.Parse(u)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(u, op.srv.URL+"/authorize?p=B2C_1A_signin&") {
				t.Errorf("want the endpoint's own query kept first, got %s", u)
			}
			q := pu.Query()
			for k, v := range tt.want {
				if got := q.Get(k); got != v {
					t.Errorf("param %s: want %q, got %q", k, v, got)
				}
			}
			if state == "" || q.Get("state") != state {
				t.Errorf("want returned state %q in the URL, got %q", state, q.Get("state"))
			}
			if q.Get("nonce") == "" {
				t.Error("want a nonce")
			}
		})
	}
	if got := s.RedirectURI(); !strings.HasSuffix(got, "/rp/callback") {
		t.Errorf("want redirect URI under the base path, got %s", got)
	}
}

func TestFragmentMode(t *testing.T) {
	op := newFakeOP(t)
	s, _ := newRP(t, Config{})
	state, nonce := begin(t, s, op.request())

	page := get(t, s.RedirectURI())
	for _, want := range []string{`action="/callback/fragment"`, "location.hash", "<noscript>"} {
		if !strings.Contains(page, want) {
			t.Errorf("fragment page: want %q in\n%s", want, page)
		}
	}

	tok := op.sign("k1", op.claims(nonce))
	fragment := "id_token=" + tok + "&state=" + state
	page = postFragment(t, s, fragment)
	res := waitResult(t, s, state)
	if res.Mode != "fragment" || res.Raw != fragment || res.IDToken != tok {
		t.Fatalf("want fragment result with raw %q, got mode %q raw %q", fragment, res.Mode, res.Raw)
	}
	if res.VerifyError != "" {
		t.Fatalf("want verified token, got %s", res.VerifyError)
	}
	if res.Claims["name"] != "Alice" || res.Claims["big"] != json.Number("12345678901234567890") {
		t.Errorf("want claims name=Alice big=12345678901234567890, got %v", res.Claims)
	}
	if res.Header["kid"] != "k1" || res.Header["alg"] != "RS256" {
		t.Errorf("want header kid k1 alg RS256, got %v", res.Header)
	}
	for _, want := range []string{`id="claims"`, `&#34;name&#34;: &#34;Alice&#34;`, `id="raw">` + tok, `id="mode">fragment`, `id="verified"`} {
		if !strings.Contains(page, want) {
			t.Errorf("result page: want %q in\n%s", want, page)
		}
	}
	if strings.Contains(page, `id="error"`) {
		t.Errorf("result page: want no error element, got\n%s", page)
	}
}

func TestQueryModeError(t *testing.T) {
	op := newFakeOP(t)
	s, _ := newRP(t, Config{})
	req := op.request()
	req.ResponseMode = "query"
	req.State = "abc"
	state, _ := begin(t, s, req)
	// The exact bytes B2C sends: .NET encoding, lowercase hex, '+' for space.
	raw := "error=access_denied&error_description=AAD_Custom_1234%3a+My+custom+error+message%0d%0aCorrelation+ID%3a+233bf9bd-747a-4800-9062-6236f3f69a47%0d%0aTimestamp%3a+2021-03-25+14%3a01%3a23Z%0d%0a&state=abc"
	page := get(t, s.RedirectURI()+"?"+raw)
	res := waitResult(t, s, state)
	if res.Raw != raw {
		t.Errorf("want raw query byte for byte\n%s\ngot\n%s", raw, res.Raw)
	}
	wantDesc := "AAD_Custom_1234: My custom error message\r\nCorrelation ID: 233bf9bd-747a-4800-9062-6236f3f69a47\r\nTimestamp: 2021-03-25 14:01:23Z\r\n"
	if res.Mode != "query" || res.Error != "access_denied" || res.ErrorDescription != wantDesc || res.State != "abc" {
		t.Errorf("want query access_denied with decoded description, got %+v", res)
	}
	if res.VerifyError != "" {
		t.Errorf("want no verify error for an error response, got %s", res.VerifyError)
	}
	for _, want := range []string{`id="error">access_denied`, `id="error_description">AAD_Custom_1234: My custom error message`, `id="mode">query`} {
		if !strings.Contains(page, want) {
			t.Errorf("result page: want %q in\n%s", want, page)
		}
	}
}

func TestFormPost(t *testing.T) {
	op := newFakeOP(t)
	s, _ := newRP(t, Config{})
	req := op.request()
	req.ResponseMode = "form_post"
	state, nonce := begin(t, s, req)
	body := url.Values{"id_token": {op.sign("k1", op.claims(nonce))}, "state": {state}}.Encode()
	post(t, s.RedirectURI(), body)
	res := waitResult(t, s, state)
	if res.Mode != "form_post" || res.Raw != body || res.VerifyError != "" || res.Claims["sub"] != "user-1" {
		t.Fatalf("want verified form_post result, got %+v", res)
	}
}

func TestCodeFlow(t *testing.T) {
	tests := []struct {
		name       string
		secret     string
		token      func(w http.ResponseWriter, r *http.Request)
		wantErr    string
		wantError  string
		wantVerify bool
	}{
		{name: "redeems code", wantVerify: true},
		{name: "sends client secret", secret: "s3cret", wantVerify: true},
		{
			name: "oauth error answer",
			token: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"error":"invalid_grant","error_description":"AADB2C90080: The provided grant has expired."}`)
			},
			wantErr:   "answered 400",
			wantError: "invalid_grant",
		},
		{
			name: "non-JSON answer",
			token: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = io.WriteString(w, "<html>oops</html>")
			},
			wantErr: "non-JSON body",
		},
		{
			name: "no id_token",
			token: func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, `{"access_token":"x"}`)
			},
			wantErr: "without an id_token",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := newFakeOP(t)
			op.token = tt.token
			s, _ := newRP(t, Config{ClientSecret: tt.secret})
			req := op.request()
			req.ResponseType = "code"
			state, nonce := begin(t, s, req)
			op.mu.Lock()
			op.codes["code-1"] = signWith(t, op.keys["k1"], "k1", op.claims(nonce))
			op.mu.Unlock()

			get(t, s.RedirectURI()+"?code=code-1&state="+state)
			res := waitResult(t, s, state)
			if res.Code != "code-1" || res.Mode != "query" {
				t.Errorf("want code-1 in query mode, got %+v", res)
			}
			op.mu.Lock()
			form := op.lastToken
			op.mu.Unlock()
			for k, v := range map[string]string{"grant_type": "authorization_code", "code": "code-1", "redirect_uri": s.RedirectURI(), "client_id": testClientID, "client_secret": tt.secret} {
				if form.Get(k) != v {
					t.Errorf("token request %s: want %q, got %q", k, v, form.Get(k))
				}
			}
			if tt.wantVerify {
				if res.VerifyError != "" || res.Claims["sub"] != "user-1" {
					t.Fatalf("want verified id_token from the token endpoint, got %q %v", res.VerifyError, res.Claims)
				}
				return
			}
			if !strings.Contains(res.VerifyError, tt.wantErr) {
				t.Errorf("want verify error mentioning %q, got %q", tt.wantErr, res.VerifyError)
			}
			if res.Error != tt.wantError {
				t.Errorf("want error %q, got %q", tt.wantError, res.Error)
			}
		})
	}
}

// signedWith returns a token that is valid but for claim k, set to v, signed with k1.
func signedWith(k string, v any) func(op *fakeOP, nonce string) string {
	return func(op *fakeOP, n string) string {
		c := op.claims(n)
		c[k] = v
		return op.sign("k1", c)
	}
}

func TestVerification(t *testing.T) {
	now := time.Now()
	other := newKey(t)
	tests := []struct {
		name    string
		token   func(op *fakeOP, nonce string) string
		setup   func(op *fakeOP)
		issuer  string
		wantErr string // "" means the token verifies
	}{
		{name: "valid", token: func(op *fakeOP, n string) string { return op.sign("k1", op.claims(n)) }},
		{
			name: "bad signature",
			token: func(op *fakeOP, n string) string {
				return signWith(t, other, "k1", op.claims(n))
			},
			wantErr: "signature is invalid",
		},
		{
			name: "tampered payload",
			token: func(op *fakeOP, n string) string {
				parts := strings.Split(op.sign("k1", op.claims(n)), ".")
				c := op.claims(n)
				c["sub"] = "mallory"
				b, _ := json.Marshal(c)
				return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
			},
			wantErr: "signature is invalid",
		},
		{
			name:    "wrong aud",
			token:   signedWith("aud", "someone-else"),
			wantErr: "invalid audience",
		},
		{
			name:    "wrong nonce",
			token:   func(op *fakeOP, n string) string { return op.sign("k1", op.claims("other-nonce")) },
			wantErr: "nonce mismatch",
		},
		{
			name:    "expired beyond skew",
			token:   signedWith("exp", now.Add(-6*time.Minute).Unix()),
			wantErr: "token is expired",
		},
		{
			name:  "expired within skew",
			token: signedWith("exp", now.Add(-4*time.Minute).Unix()),
		},
		{
			name:    "not yet valid",
			token:   signedWith("nbf", now.Add(10*time.Minute).Unix()),
			wantErr: "not valid yet",
		},
		{
			name:    "no exp",
			token:   func(op *fakeOP, n string) string { c := op.claims(n); delete(c, "exp"); return op.sign("k1", c) },
			wantErr: "missing required claim",
		},
		{
			name:    "wrong issuer",
			issuer:  "https://elsewhere/v2.0/",
			token:   func(op *fakeOP, n string) string { return op.sign("k1", op.claims(n)) },
			wantErr: "invalid issuer",
		},
		{
			name: "alg none",
			token: func(op *fakeOP, n string) string {
				tok := jwt.NewWithClaims(jwt.SigningMethodNone, op.claims(n))
				tok.Header["kid"] = "k1"
				s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
				if err != nil {
					t.Fatal(err)
				}
				return s
			},
			wantErr: "signing method none is invalid",
		},
		{
			name: "HS256 with the public key as secret",
			token: func(op *fakeOP, n string) string {
				tok := jwt.NewWithClaims(jwt.SigningMethodHS256, op.claims(n))
				tok.Header["kid"] = "k1"
				s, err := tok.SignedString(op.key("k1").N.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				return s
			},
			wantErr: "signing method HS256 is invalid",
		},
		{
			name:    "unknown kid",
			token:   func(op *fakeOP, n string) string { return signWith(t, other, "k9", op.claims(n)) },
			wantErr: `unknown kid "k9"`,
		},
		{
			name: "no kid",
			token: func(op *fakeOP, n string) string {
				tok := jwt.NewWithClaims(jwt.SigningMethodRS256, op.claims(n))
				s, err := tok.SignedString(op.key("k1"))
				if err != nil {
					t.Fatal(err)
				}
				return s
			},
			wantErr: "no kid",
		},
		{
			name:    "JWKS down",
			setup:   func(op *fakeOP) { op.jwksDown.Store(true) },
			token:   func(op *fakeOP, n string) string { return op.sign("k1", op.claims(n)) },
			wantErr: "want status 200, got 503",
		},
		{name: "not a JWT", token: func(*fakeOP, string) string { return "not.a.jwt" }, wantErr: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := newFakeOP(t)
			if tt.setup != nil {
				tt.setup(op)
			}
			s, _ := newRP(t, Config{}, WithClock(func() time.Time { return now }))
			req := op.request()
			if tt.issuer != "" {
				req.Issuer = tt.issuer
			}
			state, nonce := begin(t, s, req)
			page := postFragment(t, s, url.Values{"id_token": {tt.token(op, nonce)}, "state": {state}}.Encode())
			res := waitResult(t, s, state)
			if tt.wantErr == "" {
				if res.VerifyError != "" || res.Claims == nil {
					t.Fatalf("want verified, got %q", res.VerifyError)
				}
				return
			}
			if !strings.Contains(res.VerifyError, tt.wantErr) {
				t.Fatalf("want verify error mentioning %q, got %q", tt.wantErr, res.VerifyError)
			}
			if res.Claims != nil {
				t.Errorf("want no verified claims, got %v", res.Claims)
			}
			if !strings.Contains(page, `id="verify_error"`) {
				t.Errorf("want verify_error on the page, got\n%s", page)
			}
		})
	}
}

func TestJWKSCacheAndRefetch(t *testing.T) {
	op := newFakeOP(t)
	s, _ := newRP(t, Config{})
	verifyOnce := func(kid string) Result {
		t.Helper()
		state, nonce := begin(t, s, op.request())
		postFragment(t, s, url.Values{"id_token": {op.sign(kid, op.claims(nonce))}, "state": {state}}.Encode())
		return waitResult(t, s, state)
	}
	if res := verifyOnce("k1"); res.VerifyError != "" {
		t.Fatalf("first token: %s", res.VerifyError)
	}
	if res := verifyOnce("k1"); res.VerifyError != "" {
		t.Fatalf("second token: %s", res.VerifyError)
	}
	if got := op.jwksHits.Load(); got != 1 {
		t.Fatalf("want the JWKS fetched once and cached, got %d fetches", got)
	}
	op.addKey("k2", newKey(t)) // key rotation
	if res := verifyOnce("k2"); res.VerifyError != "" {
		t.Fatalf("rotated key: %s", res.VerifyError)
	}
	if got := op.jwksHits.Load(); got != 2 {
		t.Fatalf("want one refetch on the unknown kid, got %d fetches", got)
	}
}

func TestUnknownAndMissingState(t *testing.T) {
	op := newFakeOP(t)
	s, _ := newRP(t, Config{})
	page := postFragment(t, s, "id_token="+op.sign("k1", op.claims("x"))+"&state=never-begun")
	res, ok := s.Result("never-begun")
	if !ok || !strings.Contains(res.VerifyError, `unknown state "never-begun"`) {
		t.Fatalf("want a result under the unknown state with a verify error, got %v %+v", ok, res)
	}
	if !strings.Contains(page, `id="state">never-begun`) || !strings.Contains(page, `&#34;name&#34;: &#34;Alice&#34;`) {
		t.Errorf("want the page to show the state and the decoded claims, got\n%s", page)
	}

	postFragment(t, s, "")
	if res, ok := s.Result(""); !ok || res.Mode != "fragment" {
		t.Fatalf("want an empty fragment captured under state \"\", got %v %+v", ok, res)
	}

	get(t, s.RedirectURI()+"?error=server_error&error_description=bad%zz")
	if res, ok := s.Result(""); !ok || !strings.Contains(res.VerifyError, "parse query response") {
		t.Fatalf("want a malformed query captured with a parse error, got %+v", res)
	}
	if n := len(s.Results()); n != 3 {
		t.Errorf("want 3 results, got %d", n)
	}
}

func TestWait(t *testing.T) {
	op := newFakeOP(t)
	s, _ := newRP(t, Config{})

	t.Run("context ends", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := s.Wait(ctx, "nobody")
		if !errors.Is(err, ErrNoResult) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), `"nobody"`) {
			t.Fatalf("want ErrNoResult naming the state, got %v", err)
		}
	})

	t.Run("waiting before the result arrives", func(t *testing.T) {
		state, nonce := begin(t, s, op.request())
		got := make(chan Result, 1)
		errc := make(chan error, 1)
		go func() {
			res, err := s.Wait(context.Background(), state)
			if err != nil {
				errc <- err
				return
			}
			got <- res
		}()
		if _, ok := s.Result(state); ok {
			t.Fatal("want no result yet")
		}
		postFragment(t, s, url.Values{"id_token": {op.sign("k1", op.claims(nonce))}, "state": {state}}.Encode())
		select {
		case res := <-got:
			if res.State != state || res.VerifyError != "" {
				t.Fatalf("want verified result for %s, got %+v", state, res)
			}
		case err := <-errc:
			t.Fatal(err)
		case <-time.After(5 * time.Second):
			t.Fatal("wait did not return after the result arrived")
		}
	})
}

func TestConcurrentSignIns(t *testing.T) {
	op := newFakeOP(t)
	s, _ := newRP(t, Config{})
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := op.request()
			req.ResponseMode = []string{"fragment", "query", "form_post"}[i%3]
			u, state, err := s.Begin(req)
			if err != nil {
				errs <- err
				return
			}
			pu, _ := url.Parse(u)
			c := op.claims(pu.Query().Get("nonce"))
			c["sub"] = fmt.Sprintf("user-%d", i)
			body := url.Values{"id_token": {op.sign("k1", c)}, "state": {state}}.Encode()
			var resp *http.Response
			switch req.ResponseMode {
			case "fragment":
				resp, err = http.PostForm(s.RedirectURI()+"/fragment", url.Values{"fragment": {body}})
			case "query":
				resp, err = http.Get(s.RedirectURI() + "?" + body)
			default:
				resp, err = http.Post(s.RedirectURI(), "application/x-www-form-urlencoded", strings.NewReader(body))
			}
			if err != nil {
				errs <- err
				return
			}
			_ = resp.Body.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			res, err := s.Wait(ctx, state)
			if err != nil {
				errs <- err
				return
			}
			if res.VerifyError != "" || res.Claims["sub"] != fmt.Sprintf("user-%d", i) || res.Mode != req.ResponseMode {
				errs <- fmt.Errorf("sign-in %d: want verified user-%d in %s, got %q %v %s", i, i, req.ResponseMode, res.VerifyError, res.Claims["sub"], res.Mode)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := len(s.Results()); got != n {
		t.Errorf("want %d results, got %d", n, got)
	}
}

// TestBegan: Began knows the states Begin issued, and asking records nothing.
func TestBegan(t *testing.T) {
	op := newFakeOP(t)
	s, _ := newRP(t, Config{BaseURL: "/rp"})
	_, state, err := s.Begin(AuthorizeRequest{AuthorizeEndpoint: op.authorizeURL(), JWKSURL: op.jwksURL()})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Began(state) {
		t.Error("Began(the issued state) = false")
	}
	for range 3 {
		if s.Began("never-issued") {
			t.Error("Began(a state never issued) = true")
		}
	}
	s.mu.Lock()
	n := len(s.sessions)
	s.mu.Unlock()
	if n != 1 {
		t.Errorf("%d sessions after asking, want 1", n)
	}
}
