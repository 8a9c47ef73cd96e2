package oauth1

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/iefconform/iefconform/mocks/internal/kit"
	"github.com/iefconform/iefconform/mocks/journal"
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
var endpoints = kit.Endpoints[Endpoint]{EndpointRequestToken, EndpointAuthorize, EndpointAccessToken, EndpointClaims}

// Valid reports whether e names one of the endpoints above.
func (e Endpoint) Valid() bool { return endpoints.Valid(e) }

// Response is a canned answer served instead of the endpoint's own logic: Status (default 200),
// Header, ContentType (default: the Content-Type in Header, else the endpoint's own:
// application/json for claims, text/html for authorize, application/x-www-form-urlencoded for
// the others), Body or JSON, a Delay that ends early when the client goes away or the Server is
// closed, and a Fault (reset or close) that breaks the connection instead of answering. In JSON
// and YAML its keys are lowerCamel and its delay a duration string such as "2s".
type Response = kit.Response

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
// steps that assert on exact wire values and on what was signed: Method, URL (path and raw query
// as received), Header, Query, Form (the fields of a form-encoded body), Body and Time, and the
// fields below.
type Request struct {
	kit.Request
	// Host is the Host header the request carried.
	Host string `json:"host"`

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

// redacted is r as GET /_admin/requests shows it without ?secrets=true: its secrets (the
// journal's names: oauth_signature, oauth_verifier, the Authorization header, passwords...)
// shown as "(redacted)" wherever they were recorded, the OAuth parameters and the signature
// base string included.
func redacted(r Request) Request {
	rule := kit.Secrets()
	r.Request = r.Request.Redacted(rule)
	r.OAuth = rule.Values(r.OAuth)
	r.BaseString = redactBaseString(rule, r.BaseString)
	return r
}

// redactBaseString hides the secret parameter values of a signature base string (RFC 5849
// §3.4.1.1: method, base string URI and normalised parameters, each percent-encoded, joined by
// '&'), keeping the rest as it was.
func redactBaseString(rule journal.Rule, base string) string {
	method, rest, ok := strings.Cut(base, "&")
	if !ok {
		return base
	}
	uri, params, ok := strings.Cut(rest, "&")
	if !ok {
		return base
	}
	normalized, err := url.PathUnescape(params)
	if err != nil {
		return rule.Mask
	}
	return method + "&" + uri + "&" + PercentEncode(rule.Query(normalized))
}

func (r Request) clone() Request {
	r.Request = r.Request.Clone()
	r.OAuth = kit.CloneValues(r.OAuth)
	r.OAuthIn = slices.Clone(r.OAuthIn)
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

const formContentType = kit.FormContentType

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
	captured, err := kit.Capture(r, s.base.Now())
	in := received{Request: Request{Request: captured, Host: r.Host}}
	switch {
	case errors.Is(err, kit.ErrBodyTooLarge):
		in.readErr = requestError{Status: http.StatusRequestEntityTooLarge, Code: "invalid_request", Description: err.Error()}
	case err != nil && !errors.Is(err, kit.ErrBadForm): // readSigned reports a bad form as a Problem
		in.readErr = badRequest("cannot read the request body: " + err.Error())
	}
	in.signed = readSigned(r, in.Body, in.Form != nil && in.readErr == nil, s.trustProto)
	in.OAuth = in.signed.oauth
	in.OAuthIn = in.signed.in
	in.Realm = in.signed.realm
	in.BaseURI = in.signed.baseURI
	in.BaseString = in.signed.base
	s.requests.Add(endpoint, in.Request)
	return in
}

// serveQueued answers with the next queued response for endpoint, if any, and reports whether it did.
func (s *Server) serveQueued(w http.ResponseWriter, r *http.Request, endpoint Endpoint) bool {
	resp, ok := s.queue.Pop(endpoint)
	if !ok {
		return false
	}
	ct := formContentType
	switch endpoint {
	case EndpointClaims:
		ct = "application/json; charset=utf-8"
	case EndpointAuthorize:
		ct = "text/html; charset=utf-8"
	}
	if _, err := s.base.Serve(w, r, resp, ct); err != nil {
		s.writeError(w, r, err)
	}
	return true
}
