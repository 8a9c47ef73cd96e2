package harness

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/iefconform/iefconform/harness/stack"
	mockoauth1 "github.com/iefconform/iefconform/mocks/oauth1"
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
)

// Request is a request an identity provider received, unredacted, whatever
// its protocol.
type Request struct {
	Method string
	// URL is the request target as received: path and raw query.
	URL    string
	Header http.Header
	Query  url.Values
	Form   url.Values
	Body   string
	// OAuth holds the OAuth 1.0a protocol parameters and BaseString the
	// signature base string the identity provider computed (OAuth1 only).
	OAuth      url.Values
	BaseString string
	// Assertion is the decoded private_key_jwt client assertion (OAuth2 only).
	Assertion *mockoauth2.Assertion
	Time      time.Time
}

// isTwitter tells whether a name in the features is the OAuth 1.0a identity provider.
func isTwitter(name string) bool { return strings.EqualFold(name, stack.PartyTwitter) }

// oauth2Endpoints and oauth1Endpoints map paths in the features to the mocks'
// endpoint names.
var oauth2Endpoints = map[string]mockoauth2.Endpoint{
	"/authorize": mockoauth2.EndpointAuthorize,
	"/token":     mockoauth2.EndpointToken,
	"/me":        mockoauth2.EndpointClaims,
	"/logout":    mockoauth2.EndpointLogout,
}

func (w *World) oauth1Endpoint(path string) (mockoauth1.Endpoint, bool) {
	switch path {
	case mockoauth1.PathRequestToken:
		return mockoauth1.EndpointRequestToken, true
	case mockoauth1.PathAuthorize, mockoauth1.PathAuthenticate:
		return mockoauth1.EndpointAuthorize, true
	case mockoauth1.PathAccessToken:
		return mockoauth1.EndpointAccessToken, true
	case w.Stack.Twitter.ClaimsPath():
		return mockoauth1.EndpointClaims, true
	}
	return "", false
}

// Requests lists, in order, what an identity provider's endpoint received, by
// the endpoint's path.
func (w *World) Requests(idp, path string) ([]Request, error) {
	if isTwitter(idp) {
		ep, ok := w.oauth1Endpoint(path)
		if !ok {
			return nil, fmt.Errorf("unknown path %q of %s", path, idp)
		}
		var out []Request
		for _, r := range w.Stack.Twitter.Requests(ep) {
			out = append(out, Request{Method: r.Method, URL: r.URL, Header: r.Header, Query: r.Query, Form: r.Form, Body: r.Body,
				OAuth: r.OAuth, BaseString: r.BaseString, Time: r.Time})
		}
		return out, nil
	}
	p, ok := w.Stack.IdP(idp)
	if !ok {
		return nil, fmt.Errorf("unknown identity provider %q: want Facebook, LinkedIn, Contoso or Twitter", idp)
	}
	ep, ok := oauth2Endpoints[path]
	if !ok {
		return nil, fmt.Errorf("unknown path %q of %s", path, idp)
	}
	var out []Request
	for _, r := range p.Mock.Requests(ep) {
		out = append(out, Request{Method: r.Method, URL: r.URL, Header: r.Header, Query: r.Query, Form: r.Form, Body: r.Body,
			Assertion: r.Assertion, Time: r.Time})
	}
	return out, nil
}

// LastRequest is the last request with the method (any when empty) that an
// identity provider's endpoint received.
func (w *World) LastRequest(idp, method, path string) (*Request, error) {
	rs, err := w.Requests(idp, path)
	if err != nil {
		return nil, err
	}
	for i := len(rs) - 1; i >= 0; i-- {
		if method == "" || rs[i].Method == method {
			return &rs[i], nil
		}
	}
	return nil, fmt.Errorf("%s received no %s %s; journal:\n%s", idp, method, path, w.Stack.Journal.String())
}

// AddUser creates a user at an identity provider. For Twitter the claims
// user_id, screen_name and email set the account's fields; the rest, like every
// claim of an OAuth2 identity provider, are members of the claims JSON.
func (w *World) AddUser(idp, username, password string, claims map[string]any) error {
	if isTwitter(idp) {
		u := mockoauth1.User{Username: username, Password: password, Claims: map[string]any{}}
		for k, v := range claims {
			switch k {
			case "user_id":
				u.UserID = fmt.Sprint(v)
			case "screen_name":
				u.ScreenName = fmt.Sprint(v)
			case "email":
				u.Email = fmt.Sprint(v)
			default:
				u.Claims[k] = v
			}
		}
		return w.Stack.Twitter.AddUser(u)
	}
	p, ok := w.Stack.IdP(idp)
	if !ok {
		return fmt.Errorf("unknown identity provider %q", idp)
	}
	return p.Mock.AddUser(mockoauth2.User{Username: username, Password: password, Claims: claims})
}

// Enqueue has an identity provider's endpoint ("token", "claims", and for
// Twitter "request token", "access token", "claims") answer its next request
// with the given status and body, after delay.
func (w *World) Enqueue(idp, endpoint string, status int, body string, delay time.Duration) error {
	ctype := "application/json"
	if !strings.HasPrefix(strings.TrimSpace(body), "{") && !strings.HasPrefix(strings.TrimSpace(body), "[") {
		ctype = "text/html; charset=utf-8"
		if strings.Contains(body, "=") && !strings.Contains(body, "<") {
			ctype = "application/x-www-form-urlencoded"
		}
	}
	if isTwitter(idp) {
		ep := mockoauth1.Endpoint(strings.ReplaceAll(endpoint, " ", "_"))
		if !ep.Valid() {
			return fmt.Errorf("unknown endpoint %q of %s: want request token, access token or claims", endpoint, idp)
		}
		w.Stack.Twitter.Enqueue(ep, mockoauth1.Response{Status: status, ContentType: ctype, Body: body, Delay: delay})
		return nil
	}
	p, ok := w.Stack.IdP(idp)
	if !ok {
		return fmt.Errorf("unknown identity provider %q", idp)
	}
	ep := mockoauth2.Endpoint(endpoint)
	if !ep.Valid() {
		return fmt.Errorf("unknown endpoint %q of %s: want token or claims", endpoint, idp)
	}
	p.Mock.Enqueue(ep, mockoauth2.Response{Status: status, ContentType: ctype, Body: body, Delay: delay})
	return nil
}

// EndpointSetting names the {Settings:Name} that holds an identity provider's
// endpoint ("token", "claims", "request token", "access token").
func (w *World) EndpointSetting(idp, endpoint string) (string, error) {
	title := ""
	if isTwitter(idp) {
		title = "Twitter"
	} else if p, ok := w.Stack.IdP(idp); ok {
		title = p.Title
	} else {
		return "", fmt.Errorf("unknown identity provider %q", idp)
	}
	switch endpoint {
	case "token", "access token":
		return title + "AccessTokenEndpoint", nil
	case "claims":
		return title + "ClaimsEndpoint", nil
	case "request token":
		return title + "RequestTokenEndpoint", nil
	}
	return "", fmt.Errorf("unknown endpoint %q", endpoint)
}

// Resend sends an identity provider the last request its endpoint received
// again, byte for byte (a replay), and returns the answer's status.
func (w *World) Resend(ctx context.Context, idp, path string) (int, error) {
	last, err := w.LastRequest(idp, "", path)
	if err != nil {
		return 0, err
	}
	_, base, err := w.PartyURL(idp)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, last.Method, base+last.URL, bytes.NewReader([]byte(last.Body)))
	if err != nil {
		return 0, fmt.Errorf("replay %s %s: %w", idp, path, err)
	}
	req.Header = last.Header.Clone()
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("replay %s %s: %w", idp, path, err)
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
