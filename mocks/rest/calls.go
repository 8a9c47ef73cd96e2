package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// Where the claims of a call arrived (Call.ClaimsIn), after B2C's SendClaimsIn.
const (
	ClaimsInBody   = "body"   // Body: a request body, normally a JSON object
	ClaimsInForm   = "form"   // Form: an application/x-www-form-urlencoded body
	ClaimsInHeader = "header" // Header: one header per claim
	ClaimsInQuery  = "query"  // QueryString: the query of the URL
	ClaimsInPath   = "path"   // Url: placeholders in the path, the route's path variables
	ClaimsInNone   = "none"   // nothing that looks like claims
)

// Call is one request the API received, unredacted, for steps that assert on exact wire values.
type Call struct {
	// Time is when the request arrived, by the Server's clock.
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	// Path is the request path, unescaped.
	Path string `json:"path"`
	// Route is the Path pattern of the route that matched; empty when none did (404, 405).
	Route string `json:"route,omitempty"`
	// URL is the request target as received: escaped path and raw query.
	URL    string      `json:"url"`
	Query  url.Values  `json:"query,omitempty"`
	Header http.Header `json:"header,omitempty"`
	// Body is the raw request body (at most 1 MiB of it).
	Body string `json:"body,omitempty"`
	// Form holds the fields of an application/x-www-form-urlencoded body, not the query.
	Form url.Values `json:"form,omitempty"`
	// JSON is the body when it is a JSON object, whatever the Content-Type; numbers are
	// json.Number, exactly as sent.
	JSON map[string]any `json:"json,omitempty"`
	// ClaimsIn says where the claims arrived, best effort: form for a form-encoded body, body for
	// any other body, path when the route's template has variables, query for a query, header
	// when there are headers beyond the usual HTTP and authentication ones, none otherwise.
	ClaimsIn string `json:"claimsIn"`
	// PathVars are the route's path variables, unescaped.
	PathVars map[string]string `json:"pathVars,omitempty"`
	// AuthType is the authentication presented: the route's Auth.Type when the request carried
	// that kind of credential (right or wrong), otherwise the first of basic, bearer, apiKey
	// (the route's header, x-functions-key, x-api-key or Ocp-Apim-Subscription-Key) and
	// clientCert it carried, or none.
	AuthType string `json:"authType"`
	// BasicUser is the user name of an Authorization: Basic header.
	BasicUser string `json:"basicUser,omitempty"`
	// BearerToken is the token of an Authorization: Bearer header.
	BearerToken string `json:"bearerToken,omitempty"`
	// ClientCertCN is the subject common name of the TLS client certificate, if one was sent.
	ClientCertCN string `json:"clientCertCN,omitempty"`
	// Attempt counts the calls to the route, from 1; 0 when no route matched.
	Attempt int `json:"attempt"`
	// Status is the HTTP status answered: 0 while the call is being served, and for a call that
	// ended with a fault or whose client went away during a delay.
	Status int `json:"status"`
	// TokenClaims are the claims of the bearer token of a call to a custom-claims route with
	// CustomClaims.JWKSURL, once its signature verified against that JWKS, even when a claim
	// check then failed (TokenError says which); nil when no token verified.
	TokenClaims map[string]any `json:"tokenClaims,omitempty"`
	// TokenError says why the bearer token of a call to a custom-claims route with
	// CustomClaims.JWKSURL was refused (401); empty when it was accepted or not checked.
	TokenError string `json:"tokenError,omitempty"`
	// PayloadProblems lists how the body of a call to a custom-claims route differs from the
	// tokenIssuanceStart request Entra sends (type, data.@odata.type, correlationId, JSON
	// content type). The route answers all the same, as an API owner would log and go on.
	PayloadProblems []string `json:"payloadProblems,omitempty"`
}

// clone deep-copies c.
func (c Call) clone() Call {
	c.Query = kit.CloneValues(c.Query)
	c.Header = c.Header.Clone()
	c.Form = kit.CloneValues(c.Form)
	if c.JSON != nil {
		c.JSON = cfgfile.CloneJSON(c.JSON).(map[string]any)
	}
	c.PathVars = maps.Clone(c.PathVars)
	if c.TokenClaims != nil {
		c.TokenClaims = cfgfile.CloneJSON(c.TokenClaims).(map[string]any)
	}
	c.PayloadProblems = slices.Clone(c.PayloadProblems)
	return c
}

// redacted is c as GET /_admin/calls shows it without ?secrets=true: its secrets (the journal's
// names and the header of every apiKey route) shown as "(redacted)" in the query of URL, Query,
// Header, Form, Body, JSON and PathVars, and the BearerToken hidden.
func (s *Server) redacted(c Call) Call {
	var extra []string
	for _, rt := range s.Routes() {
		if rt.Auth.Type == AuthAPIKey && rt.Auth.Header != "" {
			extra = append(extra, rt.Auth.Header)
		}
	}
	rule := kit.Secrets(extra...)
	in := kit.Request{URL: c.URL, Header: c.Header, Query: c.Query, Form: c.Form, Body: c.Body}.Redacted(rule)
	c.URL, c.Header, c.Query, c.Form, c.Body = in.URL, in.Header, in.Query, in.Form, in.Body
	if c.JSON != nil {
		c.JSON = rule.JSON(c.JSON).(map[string]any)
	}
	if c.PathVars != nil {
		vars := make(map[string]string, len(c.PathVars))
		for k, v := range c.PathVars {
			if rule.Secret(k) {
				v = rule.Mask
			}
			vars[k] = v
		}
		c.PathVars = vars
	}
	if c.BearerToken != "" {
		c.BearerToken = rule.Mask
	}
	return c
}

// readCall reads r into a Call: its body (at most kit.MaxBody; a longer body or a read error
// is returned as an Error for the handler to answer) and everything derived from it. route is
// the matched route's Path and auth its authentication, both empty for an unknown route.
func (s *Server) readCall(r *http.Request, route string, auth Auth) (*Call, error) {
	in, err := kit.Capture(r, s.base.Now())
	c := &Call{
		Time:   in.Time,
		Method: in.Method,
		Path:   r.URL.Path,
		Route:  route,
		URL:    in.URL,
		Query:  in.Query,
		Header: in.Header,
		Body:   in.Body,
		Form:   in.Form, // keeps every pair that parsed
	}
	var readErr error
	switch {
	case errors.Is(err, kit.ErrBodyTooLarge):
		readErr = Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Message: err.Error()}
	case err != nil && !errors.Is(err, kit.ErrBadForm):
		readErr = errBadRequest(err.Error())
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if b := bytes.TrimSpace([]byte(c.Body)); len(b) > 0 && b[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var m map[string]any
		if dec.Decode(&m) == nil && !dec.More() {
			c.JSON = m
		}
	}
	if route != "" {
		for k, v := range mux.Vars(r) {
			if u, err := url.PathUnescape(v); err == nil {
				v = u
			}
			if c.PathVars == nil {
				c.PathVars = map[string]string{}
			}
			c.PathVars[k] = v
		}
	}
	c.presented(r, auth)
	c.ClaimsIn = c.claimsIn(mt, auth)
	return c, readErr
}

// claimsIn guesses where the claims of c arrived.
func (c *Call) claimsIn(mediaType string, auth Auth) string {
	switch {
	case mediaType == "application/x-www-form-urlencoded" && strings.TrimSpace(c.Body) != "":
		return ClaimsInForm
	case strings.TrimSpace(c.Body) != "":
		return ClaimsInBody
	case len(c.PathVars) > 0:
		return ClaimsInPath
	case len(c.Query) > 0:
		return ClaimsInQuery
	}
	for k := range c.Header {
		if !plainHeader(k, auth) {
			return ClaimsInHeader
		}
	}
	return ClaimsInNone
}

// plainHeaders are headers that HTTP clients, proxies and tracing add on their own; any other
// header may be a claim.
var plainHeaders = map[string]bool{
	"Accept": true, "Accept-Charset": true, "Accept-Encoding": true, "Accept-Language": true,
	"Authorization": true, "Cache-Control": true, "Connection": true, "Content-Length": true,
	"Content-Type": true, "Cookie": true, "Expect": true, "Forwarded": true, "Host": true,
	"Keep-Alive": true, "Origin": true, "Pragma": true, "Proxy-Authorization": true,
	"Referer": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"User-Agent": true, "Via": true, "Traceparent": true, "Tracestate": true,
	"Request-Id": true, "X-Request-Id": true, "X-Correlation-Id": true,
	"X-Functions-Key": true, "X-Api-Key": true, "Ocp-Apim-Subscription-Key": true,
}

func plainHeader(name string, auth Auth) bool {
	name = http.CanonicalHeaderKey(name)
	if plainHeaders[name] || strings.HasPrefix(name, "X-Forwarded-") || strings.HasPrefix(name, "X-Ms-") {
		return true
	}
	return auth.Type == AuthAPIKey && name == http.CanonicalHeaderKey(auth.Header)
}

// apiKeyHeaders are the header names taken for an API key when a route does not name one.
var apiKeyHeaders = []string{"X-Functions-Key", "X-Api-Key", "Ocp-Apim-Subscription-Key"}

// presented fills the authentication fields of c from r.
func (c *Call) presented(r *http.Request, auth Auth) {
	var kinds []string
	if user, _, ok := r.BasicAuth(); ok {
		c.BasicUser = user
		kinds = append(kinds, AuthBasic)
	} else if tok, ok := kit.BearerToken(r); ok {
		c.BearerToken = tok
		kinds = append(kinds, AuthBearer)
	}
	if auth.Type == AuthAPIKey && r.Header.Get(auth.Header) != "" {
		kinds = append(kinds, AuthAPIKey)
	} else {
		for _, h := range apiKeyHeaders {
			if r.Header.Get(h) != "" {
				kinds = append(kinds, AuthAPIKey)
				break
			}
		}
	}
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		c.ClientCertCN = r.TLS.PeerCertificates[0].Subject.CommonName
		kinds = append(kinds, AuthClientCert)
	}
	switch {
	case len(kinds) == 0:
		c.AuthType = AuthNone
	case auth.Type != "" && auth.Type != AuthNone && slices.Contains(kinds, auth.Type):
		c.AuthType = auth.Type
	default:
		c.AuthType = kinds[0]
	}
}

// size is about how many bytes c holds; its body counts twice, once more for JSON decoded
// from it.
func (c *Call) size() int {
	if c == nil {
		return 0
	}
	n := len(c.Method) + len(c.Path) + len(c.Route) + len(c.URL) + 2*len(c.Body) + len(c.BearerToken)
	return n + kit.ValuesSize(c.Query) + kit.ValuesSize(url.Values(c.Header)) + kit.ValuesSize(c.Form)
}

// record keeps c unless it belongs to a generation Reset has ended, and wakes WaitCalls.
func (s *Server) record(c *Call, gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.gen {
		return
	}
	s.calls = append(s.calls, c)
	s.callBytes += c.size()
	s.calls, s.callBytes = kit.Trim(s.calls, s.callBytes, s.callLimits, (*Call).size)
	s.notifyLocked()
}

// finish sets the status answered to c.
func (s *Server) finish(c *Call, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Status = status
}

// matches reports whether c is a call for path: a route's Path pattern, or a request path.
func (c *Call) matches(path string) bool {
	return path == "" || c.Route == path || c.Path == path
}

func (s *Server) callsLocked(path string) []Call {
	out := []Call{}
	for _, c := range s.calls {
		if c.matches(path) {
			out = append(out, c.clone())
		}
	}
	return out
}

// Calls returns the calls made to the route whose Path pattern is path (for example
// /users/{id}), whatever their method, oldest first. A request path (/users/42) matches the
// calls made to exactly that path, routed or not.
func (s *Server) Calls(path string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsLocked(path)
}

// LastCall returns the latest of Calls(path), and false when there was none.
func (s *Server) LastCall(path string) (Call, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.calls) - 1; i >= 0; i-- {
		if s.calls[i].matches(path) {
			return s.calls[i].clone(), true
		}
	}
	return Call{}, false
}

// AllCalls returns every call, to any route or none, oldest first.
func (s *Server) AllCalls() []Call {
	return s.Calls("")
}

// WaitCalls waits until Calls(path) holds at least n calls (every call when path is empty) and
// returns them, or returns ctx's error wrapped with what was seen. A call counts from the moment
// it arrives, before its delay and answer.
func (s *Server) WaitCalls(ctx context.Context, path string, n int) ([]Call, error) {
	for {
		s.mu.Lock()
		calls := s.callsLocked(path)
		changed := s.changed
		s.mu.Unlock()
		if len(calls) >= n {
			return calls, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return calls, fmt.Errorf("wait for %d calls to %q: got %d: %w", n, path, len(calls), context.Cause(ctx))
		}
	}
}
