package oauth1

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Endpoint names a protocol route for Enqueue and Requests.
type Endpoint string

// The endpoints whose requests are kept and that can be given canned responses.
const (
	EndpointRequestToken Endpoint = "request_token" // POST /oauth/request_token
	EndpointAuthorize    Endpoint = "authorize"     // GET and POST /oauth/authorize and /oauth/authenticate
	EndpointAccessToken  Endpoint = "access_token"  // POST /oauth/access_token
	EndpointClaims       Endpoint = "claims"        // GET Config.ClaimsPath, by default /1.1/account/verify_credentials.json
)

// endpoints lists every Endpoint.
var endpoints = []Endpoint{EndpointRequestToken, EndpointAuthorize, EndpointAccessToken, EndpointClaims}

// Valid reports whether e names one of the endpoints above.
func (e Endpoint) Valid() bool { return slices.Contains(endpoints, e) }

// Response is a canned answer served instead of the endpoint's own logic.
type Response struct {
	// Status defaults to 200.
	Status int
	// ContentType defaults to the endpoint's own: application/json for claims, text/html for
	// authorize, application/x-www-form-urlencoded for the others.
	ContentType string
	Body        string
	// Header holds extra response headers, for example WWW-Authenticate or Location.
	Header map[string]string
	// Delay holds the response back; it ends early when the client goes away (the request
	// context is cancelled) or the Server is closed.
	Delay time.Duration
}

// responseJSON is the wire form of Response: lowerCamel keys and the delay as "2s".
type responseJSON struct {
	Status      int               `json:"status,omitempty"`
	ContentType string            `json:"contentType,omitempty"`
	Body        string            `json:"body,omitempty"`
	Header      map[string]string `json:"header,omitempty"`
	Delay       Duration          `json:"delay,omitempty"`
}

// MarshalJSON writes the response with lowerCamel keys and the delay as a duration string.
func (r Response) MarshalJSON() ([]byte, error) {
	return json.Marshal(responseJSON{r.Status, r.ContentType, r.Body, r.Header, Duration(r.Delay)})
}

// UnmarshalJSON reads the form MarshalJSON writes, rejecting unknown keys.
func (r *Response) UnmarshalJSON(b []byte) error {
	var w responseJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("response: %w", err)
	}
	*r = Response{w.Status, w.ContentType, w.Body, w.Header, time.Duration(w.Delay)}
	return nil
}

func (r Response) validate() error {
	var problems []string
	if r.Status != 0 && (r.Status < 100 || r.Status > 599) {
		problems = append(problems, fmt.Sprintf("status: want 100-599, got %d", r.Status))
	}
	if r.Delay < 0 {
		problems = append(problems, fmt.Sprintf("delay: want zero or positive, got %s", r.Delay))
	}
	if len(problems) > 0 {
		return &ConfigError{Problems: problems}
	}
	return nil
}

// ProblemResponse is a canned Response that refuses a request as the endpoints do: HTTP 401 with
// p as a form-encoded body and a WWW-Authenticate challenge. Enqueue it to force a problem on the
// next call; the journal records its oauth_problem either way.
func ProblemResponse(p Problem) Response {
	return Response{
		Status:      http.StatusUnauthorized,
		ContentType: formContentType,
		Body:        problemBody(p),
		Header:      map[string]string{"WWW-Authenticate": challenge(p), "Cache-Control": "no-store"},
	}
}

// Request is a request an endpoint received, unredacted, with what the server read from it, for
// steps that assert on exact wire values and on what was signed.
type Request struct {
	Method string `json:"method"`
	// URL is the request target as received: path and raw query.
	URL string `json:"url"`
	// Host is the Host header the request carried.
	Host   string      `json:"host"`
	Header http.Header `json:"header"`
	// Query holds the URL query parameters.
	Query url.Values `json:"query"`
	// Form holds the parameters of an application/x-www-form-urlencoded body, not the query.
	Form url.Values `json:"form,omitempty"`
	// Body is the raw request body.
	Body string    `json:"body,omitempty"`
	Time time.Time `json:"time"`

	// OAuth holds every oauth_ protocol parameter, decoded, wherever it was sent (oauth_signature
	// included); OAuthIn says where: header, query and/or body.
	OAuth   url.Values `json:"oauth,omitempty"`
	OAuthIn []string   `json:"oauthIn,omitempty"`
	// Realm is the realm of the Authorization header as sent (an RFC 2617 quoted-string, not
	// percent-decoded); it is not signed.
	Realm string `json:"realm,omitempty"`
	// BaseURI is the base string URI the server computed (RFC 5849 §3.4.1.2) and BaseString the
	// signature base string (§3.4.1.1) it verified the signature against; BaseString is empty
	// when the parameters could not be read.
	BaseURI    string `json:"baseURI"`
	BaseString string `json:"baseString,omitempty"`
}

func (r Request) clone() Request {
	r.Header = r.Header.Clone()
	r.Query = cloneValues(r.Query)
	r.Form = cloneValues(r.Form)
	r.OAuth = cloneValues(r.OAuth)
	r.OAuthIn = slices.Clone(r.OAuthIn)
	return r
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	return url.Values(http.Header(v).Clone())
}

// Enqueue queues r as the answer to the next call to endpoint, served after that request is
// recorded and instead of the endpoint's own checks. Responses queued for one endpoint are
// served in order. An endpoint that is not Valid never serves its queue.
func (s *Server) Enqueue(endpoint Endpoint, r Response) {
	r.Header = maps.Clone(r.Header)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue[endpoint] = append(s.queue[endpoint], r)
}

// Requests returns the requests endpoint received, oldest first.
func (s *Server) Requests(endpoint Endpoint) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests[endpoint]))
	for i, r := range s.requests[endpoint] {
		out[i] = r.clone()
	}
	return out
}

// LastRequest returns the latest request endpoint received, and false when there was none.
func (s *Server) LastRequest(endpoint Endpoint) (Request, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.requests[endpoint]
	if len(rs) == 0 {
		return Request{}, false
	}
	return rs[len(rs)-1].clone(), true
}

// maxBody bounds the request bodies the server reads.
const maxBody = 1 << 20

const formContentType = "application/x-www-form-urlencoded"

// received is a recorded request with what the server read from it.
type received struct {
	Request
	signed  *signedRequest
	readErr error // the body could not be read whole
}

// record reads r's body, reads the OAuth parameters and the signature base string, keeps the
// request for endpoint and returns it. A body that cannot be read is recorded as far as it was
// read and reported in readErr for the handler to answer with.
func (s *Server) record(endpoint Endpoint, r *http.Request) received {
	in := received{Request: Request{
		Method: r.Method,
		URL:    r.URL.RequestURI(),
		Host:   r.Host,
		Header: r.Header.Clone(),
		Query:  r.URL.Query(),
		Time:   s.now(),
	}}
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		switch {
		case err != nil:
			in.readErr = badRequest("cannot read the request body: " + err.Error())
		case len(body) > maxBody:
			in.readErr = requestError{Status: http.StatusRequestEntityTooLarge, Code: "invalid_request", Description: "request body larger than 1 MiB"}
			body = body[:maxBody]
		}
		in.Body = string(body)
	}
	isForm := false
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == formContentType {
		isForm = true
		in.Form, _ = url.ParseQuery(in.Body) // keeps every pair that parsed; readSigned reports the rest
	}
	in.signed = readSigned(r, in.Body, isForm && in.readErr == nil, s.trustProto)
	in.OAuth = in.signed.oauth
	in.OAuthIn = in.signed.in
	in.Realm = in.signed.realm
	in.BaseURI = in.signed.baseURI
	in.BaseString = in.signed.base

	s.mu.Lock()
	s.requests[endpoint] = append(s.requests[endpoint], in.Request.clone())
	s.mu.Unlock()
	return in
}

// serveQueued answers with the next queued response for endpoint, if any, and reports whether it did.
func (s *Server) serveQueued(w http.ResponseWriter, r *http.Request, endpoint Endpoint) bool {
	s.mu.Lock()
	q := s.queue[endpoint]
	if len(q) == 0 {
		s.mu.Unlock()
		return false
	}
	resp := q[0]
	s.queue[endpoint] = q[1:]
	s.mu.Unlock()

	if resp.Delay > 0 {
		t := time.NewTimer(resp.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true // the client is gone: nobody reads the answer
		case <-s.closed:
		}
	}
	for k, v := range resp.Header {
		w.Header().Set(k, v)
	}
	ct := resp.ContentType
	if ct == "" {
		switch endpoint {
		case EndpointClaims:
			ct = "application/json; charset=utf-8"
		case EndpointAuthorize:
			ct = "text/html; charset=utf-8"
		default:
			ct = formContentType
		}
	}
	w.Header().Set("Content-Type", ct)
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, resp.Body)
	return true
}
