package kit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/iefconform/iefconform/mocks/adminauth"
	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
)

// Codes of the admin API's refusals (Error.Code). A mock's Admin.Fail may answer with its own
// codes instead, as long as the status stays.
const (
	CodeBadRequest       = "invalid_request"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeTooLarge         = "request_too_large"
	CodeUnauthorized     = "unauthorized"
	CodeForbidden        = "forbidden"
	CodeMisdirected      = "misdirected_request"
	CodeUnsupportedType  = "unsupported_media_type"
)

// Redacted replaces a secret in the config the admin API shows.
const Redacted = "(redacted)"

// AdminRealm is the realm of the admin API's WWW-Authenticate challenge.
const AdminRealm = "mock-admin"

// Error is a refusal of the admin API: a status, a code (one of the Code constants) and a
// message that says what was wanted and what came.
type Error struct {
	Status  int
	Code    string
	Message string
	Err     error // the cause, if any
}

// Error returns "code: message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// BadRequest is a 400 refusal.
func BadRequest(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: msg}
}

// NotFound is a 404 refusal.
func NotFound(msg string) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: msg}
}

// Admin is a mock's admin API, the test's control plane under /_admin/.
//
// Every admin request is guarded: with an admin token (AdminToken) it needs
// Authorization: Bearer <token> (compared in constant time), else 401 with a Bearer challenge;
// without one only loopback clients are served, others get 403 saying to set a token. So a
// mock listening beyond loopback, in a container for example, does not hand its secrets out.
type Admin struct {
	Routes []Route
	// Fail answers a refusal in the mock's own error shape: an *Error from the guard, the
	// router (unknown route 404, wrong method 405), DecodeJSON or a route, or any other error
	// a route returns, which is the mock's to log.
	Fail func(w http.ResponseWriter, r *http.Request, err error)
}

// Route is one admin route.
type Route struct {
	Method, Path string
	// Serve answers the request, or returns the error Admin.Fail answers with (having written
	// nothing).
	Serve func(w http.ResponseWriter, r *http.Request) error
}

// adminHandler routes and guards the admin API.
func (b *Base) adminHandler(a Admin) http.Handler {
	router := mux.NewRouter()
	for _, rt := range a.Routes {
		router.HandleFunc(rt.Path, func(w http.ResponseWriter, r *http.Request) {
			if err := rt.Serve(w, r); err != nil {
				a.Fail(w, r, err)
			}
		}).Methods(rt.Method)
	}
	router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.Fail(w, r, NotFound("no admin route "+r.URL.Path))
	})
	router.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.Fail(w, r, &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: r.Method + " is not allowed on " + r.URL.Path})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := b.guard(r); err != nil {
			if err.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", Challenge("Bearer", AdminRealm))
			}
			a.Fail(w, r, err)
			return
		}
		router.ServeHTTP(w, r)
	})
}

// guard applies the admin rule (mocks/adminauth) to an admin request.
func (b *Base) guard(r *http.Request) *Error {
	refusal := adminauth.Check(r, b.name+" mock", b.adminToken)
	switch {
	case refusal == nil:
		return nil
	case refusal.Status == http.StatusUnauthorized:
		return &Error{Status: refusal.Status, Code: CodeUnauthorized, Message: refusal.Message}
	case refusal.Status == http.StatusMisdirectedRequest:
		return &Error{Status: refusal.Status, Code: CodeMisdirected, Message: refusal.Message}
	default:
		return &Error{Status: refusal.Status, Code: CodeForbidden, Message: refusal.Message}
	}
}

// DecodeJSON reads the JSON body of an admin request into v: Content-Type application/json
// (parameters such as charset allowed), one value, no unknown fields, numbers kept exact, at most
// MaxBody bytes, not null (every admin body is an object or a list, and null would decode to
// zero values). Its errors are *Error: 415 for another content type (so that a web page cannot
// post a form or text/plain to the admin API without a CORS preflight), 413 for a larger body,
// 400 for the rest.
func DecodeJSON(r *http.Request, v any) error {
	if err := JSONContentType(r); err != nil {
		return err
	}
	var raw json.RawMessage
	err := cfgfile.DecodeJSON(http.MaxBytesReader(nil, r.Body, MaxBody), &raw)
	if err == nil {
		if string(raw) == "null" {
			return BadRequest("bad JSON body: want an object (or a list), got null")
		}
		err = cfgfile.DecodeJSON(bytes.NewReader(raw), v)
	}
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Message: ErrBodyTooLarge.Error(), Err: err}
	default:
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: "bad JSON body: " + err.Error(), Err: err}
	}
}

// JSONContentType refuses, 415, a request whose Content-Type is not application/json.
func JSONContentType(r *http.Request) *Error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		return nil
	}
	if ct == "" {
		ct = "none"
	} else {
		ct = strconv.Quote(ct)
	}
	return &Error{Status: http.StatusUnsupportedMediaType, Code: CodeUnsupportedType,
		Message: "want Content-Type: application/json, got " + ct}
}

// Apply is the admin route method path: it decodes the JSON body into a T, passes it to apply
// and answers 204 No Content. An error of apply is a bad request.
func Apply[T any](method, path string, apply func(T) error) Route {
	return Route{Method: method, Path: path, Serve: func(w http.ResponseWriter, r *http.Request) error {
		var v T
		if err := DecodeJSON(r, &v); err != nil {
			return err
		}
		if err := apply(v); err != nil {
			return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: err.Error(), Err: err}
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}}
}

// Show is the admin route GET path: it answers with what get returns, as JSON.
func Show[T any](path string, get func(*http.Request) (T, error)) Route {
	return Route{Method: http.MethodGet, Path: path, Serve: func(w http.ResponseWriter, r *http.Request) error {
		v, err := get(r)
		if err != nil {
			return err
		}
		WriteJSON(w, http.StatusOK, v)
		return nil
	}}
}

// Config is the admin route GET /_admin/config: the mock's current config as JSON, with the
// string at each of the secrets paths (dot-separated JSON keys, * for every element of an array
// or member of an object, for example clients.*.secret) shown as Redacted when it is not empty.
// The request sees the secrets only when it asks with ?secrets=true.
func Config[C any](config func() C, secrets ...string) Route {
	return Show("/_admin/config", func(r *http.Request) (any, error) {
		if ShowSecrets(r) {
			return config(), nil
		}
		return Redact(config(), secrets...)
	})
}

// ShowSecrets reports whether an admin request asks to see secrets as they are, with
// ?secrets=true; every admin route that shows secrets redacts them otherwise.
func ShowSecrets(r *http.Request) bool { return r.URL.Query().Get("secrets") == "true" }

// Redact returns v as plain JSON values (numbers kept exact) with the non-empty strings at the
// given paths replaced by Redacted. See Config for the paths.
func Redact(v any, paths ...string) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	var plain any
	if err := cfgfile.DecodeJSON(strings.NewReader(string(b)), &plain); err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	for _, p := range paths {
		plain = redactAt(plain, strings.Split(p, "."))
	}
	return plain, nil
}

func redactAt(v any, path []string) any {
	if len(path) == 0 {
		if s, ok := v.(string); ok && s != "" {
			return Redacted
		}
		return v
	}
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if path[0] == "*" || path[0] == k {
				v[k] = redactAt(e, path[1:])
			}
		}
	case []any:
		if path[0] == "*" {
			for i, e := range v {
				v[i] = redactAt(e, path[1:])
			}
		}
	}
	return v
}

// Endpoints are the names of a mock's protocol endpoints, for Enqueue and Requests.
type Endpoints[E ~string] []E

// Valid reports whether e is one of es.
func (es Endpoints[E]) Valid(e E) bool { return slices.Contains(es, e) }

// FromQuery reads the endpoint query parameter of an admin request.
func (es Endpoints[E]) FromQuery(r *http.Request) (E, error) {
	e := E(r.URL.Query().Get("endpoint"))
	if !es.Valid(e) {
		names := make([]string, len(es))
		for i, x := range es {
			names[i] = string(x)
		}
		want := strings.Join(names, ", ")
		if i := strings.LastIndex(want, ", "); i >= 0 {
			want = want[:i] + " or " + want[i+2:]
		}
		return "", BadRequest(fmt.Sprintf("endpoint: want %s, got %q", want, e))
	}
	return e, nil
}

// Enqueue is the admin route POST /_admin/enqueue?endpoint=E: the JSON body is a Response (its
// status at least lowestStatus) queued for endpoint E.
func Enqueue[E ~string](es Endpoints[E], lowestStatus int, enqueue func(E, Response)) Route {
	return Route{Method: http.MethodPost, Path: "/_admin/enqueue", Serve: func(w http.ResponseWriter, r *http.Request) error {
		e, err := es.FromQuery(r)
		if err != nil {
			return err
		}
		var resp Response
		if err := DecodeJSON(r, &resp); err != nil {
			return err
		}
		if p := resp.Problems(lowestStatus); len(p) > 0 {
			return BadRequest("bad response: " + strings.Join(p, "; "))
		}
		enqueue(e, resp)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}}
}

// Requests is the admin route GET /_admin/requests?endpoint=E: the requests endpoint E
// received, oldest first, each passed through redact (see Captured).
func Requests[E ~string, R any](es Endpoints[E], requests func(E) []R, redact func(R) R) Route {
	return Captured("/_admin/requests", func(r *http.Request) ([]R, error) {
		e, err := es.FromQuery(r)
		if err != nil {
			return nil, err
		}
		return requests(e), nil
	}, redact)
}

// Captured is an admin route GET path that shows captured requests: what get returns (an empty
// list for nil), each passed through redact, which hides its secrets (Request.Redacted), unless
// the request asks for them with ?secrets=true as GET /_admin/config does. The mock's Go API
// keeps handing out the requests unredacted, for steps that assert on exact wire values.
func Captured[R any](path string, get func(*http.Request) ([]R, error), redact func(R) R) Route {
	return Show(path, func(r *http.Request) ([]R, error) {
		rs, err := get(r)
		if err != nil {
			return nil, err
		}
		if rs == nil {
			return []R{}, nil
		}
		if !ShowSecrets(r) {
			for i := range rs {
				rs[i] = redact(rs[i])
			}
		}
		return rs, nil
	})
}
