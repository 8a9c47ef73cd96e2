package oauth1_test

// A fake OAuth 1.0a provider that verifies HMAC-SHA1 signatures by RFC 5849
// §3.4 on its own (it shares no code with the signing library under test),
// and the checks of the verifier against the RFC's worked examples.

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// enc is RFC 5849 §3.6 percent-encoding: everything but ALPHA, DIGIT and
// "-._~" as %XX with uppercase hex.
func enc(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// authParams reads an `Authorization: OAuth k="v", ...` header (RFC 5849 §3.5.1).
func authParams(h string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(h, "OAuth ")
	if !ok {
		return nil, fmt.Errorf("no OAuth Authorization header: %q", h)
	}
	out := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, fmt.Errorf("bad Authorization parameter %q", part)
		}
		k, err1 := url.PathUnescape(k)
		v, err2 := url.PathUnescape(v[1 : len(v)-1])
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("bad Authorization parameter %q: %w", part, err)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("duplicate Authorization parameter %q", k)
		}
		out[k] = v
	}
	return out, nil
}

// baseString is the signature base string of a request (RFC 5849 §3.4.1):
// method, base string URI (scheme and host lowercase, default port dropped, no
// query) and the normalised query, form-body and header parameters (except
// realm and oauth_signature), each encoded, sorted by name then value.
func baseString(r *http.Request, scheme string, header map[string]string) string {
	var ps [][2]string
	add := func(vs url.Values) {
		for k, l := range vs {
			for _, v := range l {
				ps = append(ps, [2]string{enc(k), enc(v)})
			}
		}
	}
	add(r.URL.Query())
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(ct) == "application/x-www-form-urlencoded" && r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		add(form)
	}
	for k, v := range header {
		if k != "realm" && k != "oauth_signature" {
			ps = append(ps, [2]string{enc(k), enc(v)})
		}
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i][0] != ps[j][0] {
			return ps[i][0] < ps[j][0]
		}
		return ps[i][1] < ps[j][1]
	})
	pairs := make([]string, len(ps))
	for i, p := range ps {
		pairs[i] = p[0] + "=" + p[1]
	}
	host := strings.ToLower(r.Host)
	scheme = strings.ToLower(scheme)
	if h, port, ok := strings.Cut(host, ":"); ok && (scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = h
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	return strings.ToUpper(r.Method) + "&" + enc(scheme+"://"+host+path) + "&" + enc(strings.Join(pairs, "&"))
}

// hmacSHA1 signs a base string with enc(consumer secret)&enc(token secret) (RFC 5849 §3.4.2).
func hmacSHA1(base, consumerSecret, tokenSecret string) string {
	m := hmac.New(sha1.New, []byte(enc(consumerSecret)+"&"+enc(tokenSecret)))
	m.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// problem is an OAuth Problem Reporting name, sent back as oauth_problem.
type problem string

func (p problem) Error() string { return "oauth_problem=" + string(p) }

// verify checks the signature of r. tokenSecret gives the secret of the
// request's oauth_token (nil: the request must carry none, as a request-token
// call). It returns the Authorization parameters and the base string.
func verify(r *http.Request, scheme, consumerKey, consumerSecret string, tokenSecret func(token string) (string, bool)) (map[string]string, string, error) {
	h, err := authParams(r.Header.Get("Authorization"))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", problem("parameter_absent"), err)
	}
	for _, k := range []string{"oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"} {
		if h[k] == "" {
			return h, "", fmt.Errorf("%w: %s", problem("parameter_absent"), k)
		}
	}
	switch {
	case h["oauth_signature_method"] != "HMAC-SHA1":
		return h, "", problem("signature_method_rejected")
	case h["oauth_consumer_key"] != consumerKey:
		return h, "", problem("consumer_key_unknown")
	case h["oauth_version"] != "" && h["oauth_version"] != "1.0":
		return h, "", problem("version_rejected")
	}
	ts := ""
	if tokenSecret == nil {
		if _, has := h["oauth_token"]; has {
			return h, "", fmt.Errorf("%w: oauth_token in a request-token call", problem("parameter_rejected"))
		}
	} else {
		var ok bool
		if ts, ok = tokenSecret(h["oauth_token"]); !ok {
			return h, "", problem("token_rejected")
		}
	}
	base := baseString(r, scheme, h)
	got, err1 := base64.StdEncoding.DecodeString(h["oauth_signature"])
	want, err2 := base64.StdEncoding.DecodeString(hmacSHA1(base, consumerSecret, ts))
	if err1 != nil || err2 != nil || !hmac.Equal(got, want) {
		return h, base, problem("signature_invalid")
	}
	return h, base, nil
}

// TestVerifierRFC5849 checks the fake's verifier against the worked examples,
// so that the tests below cannot pass with a broken verifier.
func TestVerifierRFC5849(t *testing.T) {
	photos := func(header string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "http://photos.example.net/photos?file=vacation.jpg&size=original", nil)
		r.Header.Set("Authorization", header)
		return r
	}
	tokens := func(token string) (string, bool) { return "pfkkdhi9sl3r4s00", token == "nnch734d00sl2jdk" }
	tests := []struct {
		name     string
		req      *http.Request
		secret   string
		tokens   func(string) (string, bool)
		wantBase string
		wantErr  problem
	}{
		{
			name: "photos example (OAuth Core 1.0 §A.5, with oauth_version)",
			req: photos(`OAuth realm="http://photos.example.net/", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", ` +
				`oauth_signature_method="HMAC-SHA1", oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D", oauth_timestamp="1191242096", ` +
				`oauth_nonce="kllo9940pd9333jh", oauth_version="1.0"`),
			secret: "kd94hf93k423kf44", tokens: tokens,
			wantBase: "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal",
		},
		{
			name: "photos example (RFC 5849 §1.2)",
			req: photos(`OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", ` +
				`oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"`),
			secret: "kd94hf93k423kf44", tokens: tokens,
			wantBase: "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal",
		},
		{
			name: "wrong token secret",
			req: photos(`OAuth oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", ` +
				`oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D", oauth_timestamp="1191242096", oauth_nonce="kllo9940pd9333jh", oauth_version="1.0"`),
			secret: "kd94hf93k423kf44", tokens: func(string) (string, bool) { return "other", true },
			wantErr: "signature_invalid",
		},
		{
			name: "wrong consumer secret",
			req: photos(`OAuth oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", ` +
				`oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D", oauth_timestamp="1191242096", oauth_nonce="kllo9940pd9333jh", oauth_version="1.0"`),
			secret: "kd94hf93k423kf45", tokens: tokens,
			wantErr: "signature_invalid",
		},
		{
			name: "a query parameter the signer left out of the base string",
			req: func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, "http://photos.example.net/photos?file=vacation.jpg&size=original&include_email=true", nil)
				r.Header.Set("Authorization", `OAuth oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", `+
					`oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D", oauth_timestamp="1191242096", oauth_nonce="kllo9940pd9333jh", oauth_version="1.0"`)
				return r
			}(),
			secret: "kd94hf93k423kf44", tokens: tokens,
			wantErr: "signature_invalid",
		},
		{
			name: "unknown token",
			req: photos(`OAuth oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="other", oauth_signature_method="HMAC-SHA1", ` +
				`oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D", oauth_timestamp="1191242096", oauth_nonce="kllo9940pd9333jh"`),
			secret: "kd94hf93k423kf44", tokens: tokens,
			wantErr: "token_rejected",
		},
		{
			name: "PLAINTEXT refused",
			req: photos(`OAuth oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="PLAINTEXT", ` +
				`oauth_signature="kd94hf93k423kf44%26pfkkdhi9sl3r4s00", oauth_timestamp="1191242096", oauth_nonce="kllo9940pd9333jh"`),
			secret: "kd94hf93k423kf44", tokens: tokens,
			wantErr: "signature_method_rejected",
		},
		{
			name:    "no Authorization header",
			req:     httptest.NewRequest(http.MethodGet, "http://photos.example.net/photos", nil),
			secret:  "kd94hf93k423kf44",
			wantErr: "parameter_absent",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base, err := verify(tt.req, "http", "dpf43f3p2l4k3l03", tt.secret, tt.tokens)
			var p problem
			if errors.As(err, &p); p != tt.wantErr {
				t.Fatalf("verify = %v, want problem %q", err, tt.wantErr)
			}
			if tt.wantBase != "" && base != tt.wantBase {
				t.Errorf("base string\n got %s\nwant %s", base, tt.wantBase)
			}
		})
	}
	// RFC 5849 §3.4.1.1: the base string of a POST with query and form-body
	// parameters, duplicates, spaces, "@" and an encoded "=" (no secrets are given).
	t.Run("RFC 5849 §3.4.1.1 base string", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", strings.NewReader("c2&a3=2+q"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h, err := authParams(`OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", ` +
			`oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`)
		if err != nil {
			t.Fatal(err)
		}
		const want = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
		if got := baseString(r, "http", h); got != want {
			t.Errorf("base string\n got %s\nwant %s", got, want)
		}
	})
	t.Run("default ports and case in the base string URI (RFC 5849 §3.4.1.2)", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "https://WWW.Example.NET:443/r%20v/X?id=123", nil)
		if got, want := baseString(r, "HTTPS", nil), "GET&https%3A%2F%2Fwww.example.net%2Fr%2520v%2FX&id%3D123"; got != want {
			t.Errorf("base string\n got %s\nwant %s", got, want)
		}
		r = httptest.NewRequest(http.MethodGet, "http://example.net:8080/", nil)
		if got, want := baseString(r, "http", nil), "GET&http%3A%2F%2Fexample.net%3A8080%2F&"; got != want {
			t.Errorf("base string\n got %s\nwant %s", got, want)
		}
	})
}

// seen is one request the fake provider received, with what it made of it.
type seen struct {
	Method string
	Path   string
	Query  url.Values
	OAuth  map[string]string // Authorization header parameters
	Base   string            // the signature base string the fake computed
	Err    error             // why the fake refused the request; nil when it verified
}

type tempCred struct{ secret, callback, verifier string }

type accessCred struct{ secret, userID, screenName string }

// fakeProvider is an OAuth 1.0a provider (Twitter-like): request_token,
// access_token and a claims endpoint that returns the email only with
// include_email=true. Every request must carry a valid HMAC-SHA1 signature, a
// fresh nonce and a timestamp within five minutes of now.
type fakeProvider struct {
	srv            *httptest.Server
	consumerKey    string
	consumerSecret string

	mu     sync.Mutex
	reqs   []seen
	nonces map[string]bool
	temp   map[string]*tempCred
	access map[string]accessCred
	n      int
	// answer overrides the answer of a path once the request verified (or not).
	answer map[string]http.HandlerFunc
}

const (
	pathRequestToken = "/oauth/request_token"
	pathAuthorize    = "/oauth/authenticate"
	pathAccessToken  = "/oauth/access_token"
	pathClaims       = "/1.1/account/verify_credentials.json"
)

func newFakeProvider(t *testing.T, consumerKey, consumerSecret string) *fakeProvider {
	t.Helper()
	f := &fakeProvider{consumerKey: consumerKey, consumerSecret: consumerSecret, nonces: map[string]bool{},
		temp: map[string]*tempCred{}, access: map[string]accessCred{}, answer: map[string]http.HandlerFunc{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeProvider) set(path string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer[path] = h
}

func (f *fakeProvider) requests(path string) []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []seen
	for _, r := range f.reqs {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeProvider) all() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// authorize is the user's consent at the authorization endpoint: it returns
// the verifier the provider sends to the callback with the token.
func (f *fakeProvider) authorize(token string) (verifier string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.temp[token]
	if !ok {
		return "", false
	}
	f.n++
	c.verifier = fmt.Sprintf("verifier-%d", f.n)
	return c.verifier, true
}

// callback is the callback URI a request-token call registered for token.
func (f *fakeProvider) callback(token string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.temp[token]; ok {
		return c.callback
	}
	return ""
}

func refuse(w http.ResponseWriter, status int, err error) {
	var p problem
	if !errors.As(err, &p) {
		p = "parameter_rejected"
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, url.Values{"oauth_problem": {string(p)}}.Encode())
}

func (f *fakeProvider) serve(w http.ResponseWriter, r *http.Request) {
	var secretOf func(string) (string, bool)
	switch r.URL.Path {
	case pathAccessToken:
		secretOf = func(tok string) (string, bool) {
			c, ok := f.temp[tok]
			if !ok {
				return "", false
			}
			return c.secret, true
		}
	case pathClaims:
		secretOf = func(tok string) (string, bool) { c, ok := f.access[tok]; return c.secret, ok }
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	h, base, err := verify(r, "http", f.consumerKey, f.consumerSecret, secretOf)
	if err == nil {
		ts, _ := strconv.ParseInt(h["oauth_timestamp"], 10, 64)
		switch d := time.Since(time.Unix(ts, 0)); {
		case d > 5*time.Minute || d < -5*time.Minute:
			err = problem("timestamp_refused")
		case f.nonces[h["oauth_nonce"]]:
			err = problem("nonce_used")
		}
		f.nonces[h["oauth_nonce"]] = true
	}
	f.reqs = append(f.reqs, seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), OAuth: h, Base: base, Err: err})
	if a := f.answer[r.URL.Path]; a != nil {
		f.mu.Unlock()
		defer f.mu.Lock()
		a(w, r)
		return
	}
	if err != nil {
		refuse(w, http.StatusUnauthorized, err)
		return
	}
	f.n++
	switch {
	case r.Method == http.MethodPost && r.URL.Path == pathRequestToken:
		if h["oauth_callback"] == "" {
			refuse(w, http.StatusBadRequest, problem("parameter_absent"))
			return
		}
		tok, sec := fmt.Sprintf("temp-%d", f.n), fmt.Sprintf("temp secret/+&=%d", f.n)
		f.temp[tok] = &tempCred{secret: sec, callback: h["oauth_callback"]}
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		_, _ = io.WriteString(w, url.Values{"oauth_token": {tok}, "oauth_token_secret": {sec}, "oauth_callback_confirmed": {"true"}}.Encode())
	case r.Method == http.MethodPost && r.URL.Path == pathAccessToken:
		c := f.temp[h["oauth_token"]]
		delete(f.temp, h["oauth_token"]) // temporary credentials are single-use
		if c.verifier == "" || h["oauth_verifier"] != c.verifier {
			refuse(w, http.StatusUnauthorized, problem("verifier_invalid"))
			return
		}
		tok := fmt.Sprintf("access-%d", f.n)
		a := accessCred{secret: fmt.Sprintf("access secret %d~!", f.n), userID: fmt.Sprintf("10%d", f.n), screenName: fmt.Sprintf("user_%d", f.n)}
		f.access[tok] = a
		w.Header().Set("Content-Type", "text/html; charset=utf-8") // as Twitter does
		_, _ = io.WriteString(w, url.Values{"oauth_token": {tok}, "oauth_token_secret": {a.secret}, "user_id": {a.userID}, "screen_name": {a.screenName}}.Encode())
	case r.Method == http.MethodGet && r.URL.Path == pathClaims:
		a := f.access[h["oauth_token"]]
		body := fmt.Sprintf(`{"id_str":%q,"screen_name":%q`, a.userID, a.screenName)
		if r.URL.Query().Get("include_email") == "true" {
			body += fmt.Sprintf(`,"email":"%s@example.com"`, a.screenName)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body+"}")
	default:
		http.NotFound(w, r)
	}
}
