package oauth2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"
)

// Endpoint names a protocol route for Enqueue and Requests.
type Endpoint string

// The endpoints whose requests are kept and that can be given canned responses.
const (
	EndpointAuthorize Endpoint = "authorize" // GET and POST /authorize
	EndpointToken     Endpoint = "token"     // /token
	EndpointClaims    Endpoint = "claims"    // /me
	EndpointLogout    Endpoint = "logout"    // GET and POST /logout
)

// Valid reports whether e names one of the endpoints above.
func (e Endpoint) Valid() bool {
	switch e {
	case EndpointAuthorize, EndpointToken, EndpointClaims, EndpointLogout:
		return true
	}
	return false
}

// Response is a canned answer served instead of the endpoint's own logic.
type Response struct {
	// Status defaults to 200.
	Status int
	// ContentType defaults to application/json.
	ContentType string
	Body        string
	// Header holds extra response headers, for example WWW-Authenticate.
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

// ErrorResponse is a canned Response that answers with e as the endpoints do: RFC 6749 §5.2 JSON
// with e's status or, when in200 names a parameter (a Client's ErrorIn200, for example
// error_message), HTTP 200 with {in200: description, "error": code}. Enqueue it to force an error
// on the next call; the journal sees its error code either way.
func ErrorResponse(e Error, in200 string) Response {
	status := e.status()
	var v any
	if in200 != "" {
		status, v = http.StatusOK, in200Body(e, in200)
	} else {
		body := map[string]string{"error": e.Code}
		if e.Description != "" {
			body["error_description"] = e.Description
		}
		v = body
	}
	b, _ := json.Marshal(v) // a map of strings always marshals
	return Response{
		Status:      status,
		ContentType: "application/json; charset=utf-8",
		Body:        string(b),
		Header:      map[string]string{"Cache-Control": "no-store"},
	}
}

// Request is a request an endpoint received, unredacted, for steps that assert on exact wire values.
type Request struct {
	Method string `json:"method"`
	// URL is the request target as received: path and raw query.
	URL    string      `json:"url"`
	Header http.Header `json:"header"`
	// Query holds the URL query parameters.
	Query url.Values `json:"query"`
	// Form holds the parameters of an application/x-www-form-urlencoded body, not the query.
	Form url.Values `json:"form,omitempty"`
	// Body is the raw request body.
	Body string    `json:"body,omitempty"`
	Time time.Time `json:"time"`
	// Assertion is the decoded client_assertion of a token request (private_key_jwt), nil when
	// there was none or it was not a JWT.
	Assertion *Assertion `json:"assertion,omitempty"`
}

func (r Request) clone() Request {
	r.Header = r.Header.Clone()
	r.Query = cloneValues(r.Query)
	r.Form = cloneValues(r.Form)
	r.Assertion = r.Assertion.clone()
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
	r.Header = cloneHeaderMap(r.Header)
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

func cloneHeaderMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// maxBody bounds the request bodies the server reads.
const maxBody = 1 << 20

// errBodyTooLarge reports a request body over maxBody.
var errBodyTooLarge = errors.New("request body larger than 1 MiB")

// record reads r's body (putting nothing back: handlers use the returned Request), keeps the
// request for endpoint and returns it. A body that cannot be read is recorded as far as it was
// read and reported as an error for the handler to answer with.
func (s *Server) record(endpoint Endpoint, r *http.Request) (Request, error) {
	in := Request{
		Method: r.Method,
		URL:    r.URL.RequestURI(),
		Header: r.Header.Clone(),
		Query:  r.URL.Query(),
		Time:   s.now(),
	}
	var readErr error
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		switch {
		case err != nil:
			readErr = fmt.Errorf("read body: %w", err)
		case len(body) > maxBody:
			readErr = errBodyTooLarge
			body = body[:maxBody]
		}
		in.Body = string(body)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "application/x-www-form-urlencoded" && readErr == nil {
		form, err := url.ParseQuery(in.Body)
		if err != nil {
			readErr = fmt.Errorf("parse form body: %w", err)
		}
		in.Form = form
	}
	if endpoint == EndpointToken {
		a := in.Form.Get("client_assertion")
		if a == "" {
			a = in.Query.Get("client_assertion")
		}
		if header, claims, err := decodeJWT(a); a != "" && err == nil {
			in.Assertion = &Assertion{Header: header, Claims: claims}
		}
	}
	s.mu.Lock()
	s.requests[endpoint] = append(s.requests[endpoint], in.clone())
	s.mu.Unlock()
	return in, readErr
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
		ct = "application/json"
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
