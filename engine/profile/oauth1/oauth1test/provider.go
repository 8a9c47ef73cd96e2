package oauth1test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// The provider's paths, Twitter's.
const (
	PathRequestToken = "/oauth/request_token"
	PathAuthorize    = "/oauth/authenticate"
	PathAccessToken  = "/oauth/access_token"
	PathClaims       = "/1.1/account/verify_credentials.json"
)

// Request is one request the provider received, with what it made of it.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	OAuth  map[string]string // Authorization header parameters
	Base   string            // the signature base string the provider computed
	Err    error             // why the provider refused the request; nil when it verified
}

type tempCred struct{ secret, callback, verifier string }

type accessCred struct{ secret, userID, screenName string }

// Provider is an OAuth 1.0a identity provider (Twitter-like) on a loopback
// listener:
//   - POST PathRequestToken issues temporary credentials for an oauth_callback;
//   - GET PathAuthorize is the user's consent, given at once: a redirect to
//     the callback with oauth_token and oauth_verifier (or denied, see Deny);
//   - POST PathAccessToken trades the temporary token and its verifier, once,
//     for token credentials, user_id and screen_name (Content-Type text/html,
//     as Twitter answers);
//   - GET PathClaims returns id_str and screen_name, and email only with
//     include_email=true.
//
// Every call but the consent must carry a valid HMAC-SHA1 signature (Verify),
// a fresh nonce and a timestamp within five minutes of now. The n-th
// answered request or consent numbers what it issues: temp-1, verifier-2,
// access-3 for user_id 103 (screen name user_3).
type Provider struct {
	// Server serves the provider; Server.URL is its base URL.
	Server         *httptest.Server
	consumerKey    string
	consumerSecret string

	mu     sync.Mutex
	reqs   []Request
	nonces map[string]bool
	temp   map[string]*tempCred
	access map[string]accessCred
	n      int
	deny   bool
	sentTo []string
	answer map[string]http.HandlerFunc
}

// NewProvider starts a provider for one consumer. Close it when done.
func NewProvider(consumerKey, consumerSecret string) *Provider {
	p := &Provider{consumerKey: consumerKey, consumerSecret: consumerSecret, nonces: map[string]bool{},
		temp: map[string]*tempCred{}, access: map[string]accessCred{}, answer: map[string]http.HandlerFunc{}}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	return p
}

// Close shuts the provider down.
func (p *Provider) Close() { p.Server.Close() }

// Answer has h answer the requests to path from now on, once the provider
// has checked (and recorded) them.
func (p *Provider) Answer(path string, h http.HandlerFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answer[path] = h
}

// Deny makes the user refuse (or, with false, accept) at the consent.
func (p *Provider) Deny(deny bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deny = deny
}

// Requests returns the requests to path in order; every request for "".
func (p *Provider) Requests(path string) []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Request
	for _, r := range p.reqs {
		if path == "" || r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Authorize is the user's consent without the browser: it returns the
// verifier the provider would send to the callback with token.
func (p *Provider) Authorize(token string) (verifier string, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.temp[token]
	if !ok {
		return "", false
	}
	p.n++
	c.verifier = fmt.Sprintf("verifier-%d", p.n)
	return c.verifier, true
}

// Callback is the callback URI a request-token call registered for token.
func (p *Provider) Callback(token string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.temp[token]; ok {
		return c.callback
	}
	return ""
}

// LastRedirect is the callback URL the last consent redirected to; "" before any.
func (p *Provider) LastRedirect() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.sentTo) == 0 {
		return ""
	}
	return p.sentTo[len(p.sentTo)-1]
}

func refuse(w http.ResponseWriter, status int, err error) {
	var pr Problem
	if !errors.As(err, &pr) {
		pr = "parameter_rejected"
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, url.Values{"oauth_problem": {string(pr)}}.Encode())
}

func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Method == http.MethodGet && r.URL.Path == PathAuthorize {
		p.consent(w, r)
		return
	}
	var secretOf func(string) (string, bool)
	switch r.URL.Path {
	case PathAccessToken:
		secretOf = func(tok string) (string, bool) {
			c, ok := p.temp[tok]
			if !ok {
				return "", false
			}
			return c.secret, true
		}
	case PathClaims:
		secretOf = func(tok string) (string, bool) { c, ok := p.access[tok]; return c.secret, ok }
	}
	h, base, err := Verify(r, "http", p.consumerKey, p.consumerSecret, secretOf)
	if err == nil {
		ts, _ := strconv.ParseInt(h["oauth_timestamp"], 10, 64)
		switch d := time.Since(time.Unix(ts, 0)); {
		case d > 5*time.Minute || d < -5*time.Minute:
			err = Problem("timestamp_refused")
		case p.nonces[h["oauth_nonce"]]:
			err = Problem("nonce_used")
		}
		p.nonces[h["oauth_nonce"]] = true
	}
	p.reqs = append(p.reqs, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), OAuth: h, Base: base, Err: err})
	if a := p.answer[r.URL.Path]; a != nil {
		p.mu.Unlock()
		defer p.mu.Lock()
		a(w, r)
		return
	}
	if err != nil {
		refuse(w, http.StatusUnauthorized, err)
		return
	}
	p.n++
	switch {
	case r.Method == http.MethodPost && r.URL.Path == PathRequestToken:
		if h["oauth_callback"] == "" {
			refuse(w, http.StatusBadRequest, Problem("parameter_absent"))
			return
		}
		tok, sec := fmt.Sprintf("temp-%d", p.n), fmt.Sprintf("temp secret/+&=%d", p.n)
		p.temp[tok] = &tempCred{secret: sec, callback: h["oauth_callback"]}
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		_, _ = io.WriteString(w, url.Values{"oauth_token": {tok}, "oauth_token_secret": {sec}, "oauth_callback_confirmed": {"true"}}.Encode())
	case r.Method == http.MethodPost && r.URL.Path == PathAccessToken:
		c := p.temp[h["oauth_token"]]
		delete(p.temp, h["oauth_token"]) // temporary credentials are single-use
		if c.verifier == "" || h["oauth_verifier"] != c.verifier {
			refuse(w, http.StatusUnauthorized, Problem("verifier_invalid"))
			return
		}
		tok := fmt.Sprintf("access-%d", p.n)
		a := accessCred{secret: fmt.Sprintf("access secret %d~!", p.n), userID: fmt.Sprintf("10%d", p.n), screenName: fmt.Sprintf("user_%d", p.n)}
		p.access[tok] = a
		w.Header().Set("Content-Type", "text/html; charset=utf-8") // as Twitter does
		_, _ = io.WriteString(w, url.Values{"oauth_token": {tok}, "oauth_token_secret": {a.secret}, "user_id": {a.userID}, "screen_name": {a.screenName}}.Encode())
	case r.Method == http.MethodGet && r.URL.Path == PathClaims:
		a := p.access[h["oauth_token"]]
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

// consent is the user at the authorization page: the browser goes back to
// the token's callback with the verifier, or with denied. Called with p.mu held.
func (p *Provider) consent(w http.ResponseWriter, r *http.Request) {
	p.reqs = append(p.reqs, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query()})
	p.n++
	tok := r.URL.Query().Get("oauth_token")
	c, ok := p.temp[tok]
	if !ok {
		http.Error(w, "unknown oauth_token", http.StatusBadRequest)
		return
	}
	answer := url.Values{"denied": {tok}}
	if !p.deny {
		c.verifier = fmt.Sprintf("verifier-%d", p.n)
		answer = url.Values{"oauth_token": {tok}, "oauth_verifier": {c.verifier}}
	}
	to := c.callback + "?" + answer.Encode()
	p.sentTo = append(p.sentTo, to)
	http.Redirect(w, r, to, http.StatusFound)
}
