package oauth2

import (
	"encoding/json"
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/kit"
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

// endpoints lists every Endpoint.
var endpoints = kit.Endpoints[Endpoint]{EndpointAuthorize, EndpointToken, EndpointClaims, EndpointLogout}

// Valid reports whether e names one of the endpoints above.
func (e Endpoint) Valid() bool { return endpoints.Valid(e) }

// Response is a canned answer served instead of the endpoint's own logic: Status (default 200),
// Header, ContentType (default application/json, or the Content-Type in Header), Body or JSON,
// a Delay that ends early when the client goes away or the Server is closed, and a Fault
// (reset or close) that breaks the connection instead of answering. In JSON and YAML its keys
// are lowerCamel and its delay a duration string such as "2s".
type Response = kit.Response

// ErrorResponse is a canned Response that answers with e as the endpoints do: RFC 6749 §5.2 JSON
// with e's status or, when in200 names a parameter (a Client's ErrorIn200, for example
// error_message), HTTP 200 with {in200: description, "error": code}. Enqueue it to force an error
// on the next call; the journal sees its error code either way.
func ErrorResponse(e Error, in200 string) Response {
	status, v := e.status(), kit.ErrorBody(e.Code, e.Description)
	if in200 != "" {
		status, v = http.StatusOK, in200Body(e, in200)
	}
	b, _ := json.Marshal(v) // a map of strings always marshals
	return Response{
		Status:      status,
		ContentType: "application/json; charset=utf-8",
		Body:        string(b),
		Header:      map[string]string{"Cache-Control": "no-store"},
	}
}

// Request is a request an endpoint received, unredacted, for steps that assert on exact wire
// values: Method, URL (path and raw query as received), Header, Query, Form (the fields of a
// form-encoded body), Body and Time, and for a token request its client assertion.
type Request struct {
	kit.Request
	// Assertion is the decoded client_assertion of a token request (private_key_jwt), nil when
	// there was none or it was not a JWT.
	Assertion *Assertion `json:"assertion,omitempty"`
}

// redacted is r as GET /_admin/requests shows it without ?secrets=true: its secrets (the
// journal's names and every client's ClaimsTokenParam) shown as "(redacted)". The decoded
// Assertion stays: without its signature it authenticates nobody.
func (s *Server) redacted(r Request) Request {
	r.Request = r.Request.Redacted(kit.Secrets(s.claimsTokenParams()...))
	return r
}

func (r Request) clone() Request {
	r.Request = r.Request.Clone()
	r.Assertion = r.Assertion.clone()
	return r
}

// Enqueue queues r as the answer to the next call to endpoint, served after that request is
// recorded and instead of the endpoint's own checks. Responses queued for one endpoint are
// served in order. An endpoint that is not Valid never serves its queue.
func (s *Server) Enqueue(endpoint Endpoint, r Response) { s.queue.Push(endpoint, r) }

// Requests returns the requests endpoint received, oldest first.
func (s *Server) Requests(endpoint Endpoint) []Request { return s.requests.All(endpoint) }

// LastRequest returns the latest request endpoint received, and false when there was none.
func (s *Server) LastRequest(endpoint Endpoint) (Request, bool) { return s.requests.Last(endpoint) }

// record reads r's body (putting nothing back: handlers use the returned Request), keeps the
// request for endpoint and returns it. A body that cannot be read whole, or a form body that
// does not decode, is recorded as far as it was read and reported as an error for the handler
// to answer with.
func (s *Server) record(endpoint Endpoint, r *http.Request) (Request, error) {
	captured, err := kit.Capture(r, s.base.Now())
	in := Request{Request: captured}
	if endpoint == EndpointToken {
		a := in.Form.Get("client_assertion")
		if a == "" {
			a = in.Query.Get("client_assertion")
		}
		if header, claims, err := decodeJWT(a); a != "" && err == nil {
			in.Assertion = &Assertion{Header: header, Claims: claims}
		}
	}
	s.requests.Add(endpoint, in)
	return in, err
}

// serveQueued answers with the next queued response for endpoint, if any, and reports whether it did.
func (s *Server) serveQueued(w http.ResponseWriter, r *http.Request, endpoint Endpoint) bool {
	resp, ok := s.queue.Pop(endpoint)
	if !ok {
		return false
	}
	if _, err := s.base.Serve(w, r, resp, "application/json"); err != nil {
		s.writeError(w, r, err)
	}
	return true
}
