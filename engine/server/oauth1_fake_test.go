package server

// A fake OAuth 1.0a provider (Twitter-like) for the journey tests. It verifies
// HMAC-SHA1 signatures by RFC 5849 §3.4 on its own, sharing no code with the
// signing library the emulator uses; TestOAuth1FakeVerifier checks it against
// the RFC's worked examples.

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

// oa1Enc is RFC 5849 §3.6 percent-encoding.
func oa1Enc(s string) string {
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

// oa1Header reads an `Authorization: OAuth k="v", ...` header (RFC 5849 §3.5.1).
func oa1Header(h string) (map[string]string, error) {
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
		out[k] = v
	}
	return out, nil
}

// oa1Base is the signature base string (RFC 5849 §3.4.1): method, base string
// URI, and the query, form-body and header parameters (less realm and
// oauth_signature), encoded and sorted by name then value.
func oa1Base(r *http.Request, scheme string, header map[string]string) string {
	var ps []string
	add := func(k, v string) { ps = append(ps, oa1Enc(k)+"="+oa1Enc(v)) }
	for k, l := range r.URL.Query() {
		for _, v := range l {
			add(k, v)
		}
	}
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(ct) == "application/x-www-form-urlencoded" && r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		for k, l := range form {
			for _, v := range l {
				add(k, v)
			}
		}
	}
	for k, v := range header {
		if k != "realm" && k != "oauth_signature" {
			add(k, v)
		}
	}
	// By encoded name, then encoded value (an encoded name holds no '=').
	sort.Slice(ps, func(i, j int) bool {
		ni, vi, _ := strings.Cut(ps[i], "=")
		nj, vj, _ := strings.Cut(ps[j], "=")
		return ni < nj || ni == nj && vi < vj
	})
	host, scheme := strings.ToLower(r.Host), strings.ToLower(scheme)
	if h, port, ok := strings.Cut(host, ":"); ok && (scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = h
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	return strings.ToUpper(r.Method) + "&" + oa1Enc(scheme+"://"+host+path) + "&" + oa1Enc(strings.Join(ps, "&"))
}

// oa1Sign is HMAC-SHA1 with the key enc(consumer secret)&enc(token secret) (RFC 5849 §3.4.2).
func oa1Sign(base, consumerSecret, tokenSecret string) string {
	m := hmac.New(sha1.New, []byte(oa1Enc(consumerSecret)+"&"+oa1Enc(tokenSecret)))
	m.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// oa1Problem is an OAuth Problem Reporting name, answered as oauth_problem.
type oa1Problem string

func (p oa1Problem) Error() string { return "oauth_problem=" + string(p) }

// oa1Verify checks r's signature. tokenSecret gives the secret of its
// oauth_token; nil means the request must carry none (a request-token call).
func oa1Verify(r *http.Request, scheme, consumerKey, consumerSecret string, tokenSecret func(string) (string, bool)) (map[string]string, error) {
	h, err := oa1Header(r.Header.Get("Authorization"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", oa1Problem("parameter_absent"), err)
	}
	for _, k := range []string{"oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"} {
		if h[k] == "" {
			return h, fmt.Errorf("%w: %s", oa1Problem("parameter_absent"), k)
		}
	}
	switch {
	case h["oauth_signature_method"] != "HMAC-SHA1":
		return h, oa1Problem("signature_method_rejected")
	case h["oauth_consumer_key"] != consumerKey:
		return h, oa1Problem("consumer_key_unknown")
	case h["oauth_version"] != "" && h["oauth_version"] != "1.0":
		return h, oa1Problem("version_rejected")
	}
	ts := ""
	if _, has := h["oauth_token"]; tokenSecret == nil && has {
		return h, oa1Problem("parameter_rejected")
	} else if tokenSecret != nil {
		if ts, has = tokenSecret(h["oauth_token"]); !has {
			return h, oa1Problem("token_rejected")
		}
	}
	got, err1 := base64.StdEncoding.DecodeString(h["oauth_signature"])
	want, _ := base64.StdEncoding.DecodeString(oa1Sign(oa1Base(r, scheme, h), consumerSecret, ts))
	if err1 != nil || !hmac.Equal(got, want) {
		return h, oa1Problem("signature_invalid")
	}
	return h, nil
}

// TestOAuth1FakeVerifier: the fake's verifier accepts the photos example
// (OAuth Core 1.0 §A.5 and RFC 5849 §1.2) and refuses it altered.
func TestOAuth1FakeVerifier(t *testing.T) {
	const (
		a5 = `OAuth realm="http://photos.example.net/", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", ` +
			`oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D", oauth_timestamp="1191242096", oauth_nonce="kllo9940pd9333jh", oauth_version="1.0"`
		rfc = `OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", ` +
			`oauth_timestamp="137131202", oauth_nonce="chapoH", oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"`
		photos = "http://photos.example.net/photos?file=vacation.jpg&size=original"
	)
	tests := []struct {
		name, method, url, header, consumerSecret, tokenSecret string
		want                                                   oa1Problem
	}{
		{"OAuth Core 1.0 §A.5", http.MethodGet, photos, a5, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00", ""},
		{"RFC 5849 §1.2", http.MethodGet, photos, rfc, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00", ""},
		{"another token secret", http.MethodGet, photos, a5, "kd94hf93k423kf44", "pfkkdhi9sl3r4s01", "signature_invalid"},
		{"another consumer secret", http.MethodGet, photos, a5, "kd94hf93k423kf4", "pfkkdhi9sl3r4s00", "signature_invalid"},
		{"another method", http.MethodPost, photos, a5, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00", "signature_invalid"},
		{"another query", http.MethodGet, photos + "&include_email=true", a5, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00", "signature_invalid"},
		{"another path", http.MethodGet, "http://photos.example.net/photo?file=vacation.jpg&size=original", a5, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00", "signature_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.url, nil)
			r.Header.Set("Authorization", tt.header)
			_, err := oa1Verify(r, "http", "dpf43f3p2l4k3l03", tt.consumerSecret, func(tok string) (string, bool) { return tt.tokenSecret, tok == "nnch734d00sl2jdk" })
			var p oa1Problem
			if errors.As(err, &p); p != tt.want {
				t.Fatalf("verify = %v, want problem %q", err, tt.want)
			}
		})
	}
	t.Run("RFC 5849 §3.4.1.1 base string", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", strings.NewReader("c2&a3=2+q"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h, _ := oa1Header(`OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", ` +
			`oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`)
		const want = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
		if got := oa1Base(r, "http", h); got != want {
			t.Errorf("base string\n got %s\nwant %s", got, want)
		}
	})
}

// twitterRequest is one request the fake provider received.
type twitterRequest struct {
	Method string
	Path   string
	Query  url.Values
	OAuth  map[string]string
	Err    error // why the signature or nonce was refused; nil when it verified
}

type twitterTemp struct{ secret, callback, verifier string }

// fakeTwitter is an OAuth 1.0a provider: request_token, authenticate (the
// user consents at once and the browser is redirected to the callback with
// oauth_token and oauth_verifier, or denied), access_token and
// verify_credentials.json. Signatures, nonces and timestamps are checked.
type fakeTwitter struct {
	key, secret string
	srv         *httptest.Server

	mu     sync.Mutex
	reqs   []twitterRequest
	nonces map[string]bool
	temp   map[string]*twitterTemp
	access map[string][2]string // token -> secret, user number
	n      int
	deny   bool     // knob: the user cancels at authenticate
	sentTo []string // the callback URLs authenticate redirected to
}

func newFakeTwitter(t testing.TB, key, secret string) *fakeTwitter {
	t.Helper()
	f := &fakeTwitter{key: key, secret: secret, nonces: map[string]bool{}, temp: map[string]*twitterTemp{}, access: map[string][2]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTwitter) set(fn func(f *fakeTwitter)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeTwitter) requests(path string) []twitterRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []twitterRequest
	for _, r := range f.reqs {
		if path == "" || r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeTwitter) lastCallback() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sentTo) == 0 {
		return ""
	}
	return f.sentTo[len(f.sentTo)-1]
}

func twitterRefuse(w http.ResponseWriter, status int, p oa1Problem) {
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "oauth_problem="+string(p))
}

func (f *fakeTwitter) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if r.Method == http.MethodGet && r.URL.Path == "/oauth/authenticate" {
		f.reqs = append(f.reqs, twitterRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query()})
		tok := r.URL.Query().Get("oauth_token")
		c, ok := f.temp[tok]
		if !ok {
			http.Error(w, "unknown oauth_token", http.StatusBadRequest)
			return
		}
		answer := url.Values{"denied": {tok}}
		if !f.deny {
			c.verifier = fmt.Sprintf("verifier-%d", f.n)
			answer = url.Values{"oauth_token": {tok}, "oauth_verifier": {c.verifier}}
		}
		to := c.callback + "?" + answer.Encode()
		f.sentTo = append(f.sentTo, to)
		http.Redirect(w, r, to, http.StatusFound)
		return
	}
	var secretOf func(string) (string, bool)
	switch r.URL.Path {
	case "/oauth/access_token":
		secretOf = func(tok string) (string, bool) {
			if c, ok := f.temp[tok]; ok {
				return c.secret, true
			}
			return "", false
		}
	case "/1.1/account/verify_credentials.json":
		secretOf = func(tok string) (string, bool) { a, ok := f.access[tok]; return a[0], ok }
	}
	h, err := oa1Verify(r, "http", f.key, f.secret, secretOf)
	if err == nil {
		ts, _ := strconv.ParseInt(h["oauth_timestamp"], 10, 64)
		if d := time.Since(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
			err = oa1Problem("timestamp_refused")
		} else if f.nonces[h["oauth_nonce"]] {
			err = oa1Problem("nonce_used")
		}
		f.nonces[h["oauth_nonce"]] = true
	}
	f.reqs = append(f.reqs, twitterRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), OAuth: h, Err: err})
	if err != nil {
		var p oa1Problem
		errors.As(err, &p)
		twitterRefuse(w, http.StatusUnauthorized, p)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/oauth/request_token":
		tok, sec := fmt.Sprintf("temp-%d", f.n), fmt.Sprintf("temp secret&%d", f.n)
		f.temp[tok] = &twitterTemp{secret: sec, callback: h["oauth_callback"]}
		_, _ = io.WriteString(w, url.Values{"oauth_token": {tok}, "oauth_token_secret": {sec}, "oauth_callback_confirmed": {"true"}}.Encode())
	case r.Method == http.MethodPost && r.URL.Path == "/oauth/access_token":
		c := f.temp[h["oauth_token"]]
		delete(f.temp, h["oauth_token"])
		if c.verifier == "" || h["oauth_verifier"] != c.verifier {
			twitterRefuse(w, http.StatusUnauthorized, "verifier_invalid")
			return
		}
		tok, user := fmt.Sprintf("access-%d", f.n), strconv.Itoa(f.n)
		f.access[tok] = [2]string{"access secret " + user, user}
		_, _ = io.WriteString(w, url.Values{"oauth_token": {tok}, "oauth_token_secret": {"access secret " + user}, "user_id": {"10" + user}, "screen_name": {"user_" + user}}.Encode())
	case r.Method == http.MethodGet && r.URL.Path == "/1.1/account/verify_credentials.json":
		user := f.access[h["oauth_token"]][1]
		body := fmt.Sprintf(`{"id_str":"10%s","screen_name":"user_%s"`, user, user)
		if r.URL.Query().Get("include_email") == "true" {
			body += fmt.Sprintf(`,"email":"user_%s@example.com"`, user)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body+"}")
	default:
		http.NotFound(w, r)
	}
}
