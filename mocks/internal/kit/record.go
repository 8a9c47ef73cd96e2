package kit

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// MaxBody bounds the request bodies a mock reads.
const MaxBody = 1 << 20

var (
	// ErrBodyTooLarge reports a request body over MaxBody.
	ErrBodyTooLarge = errors.New("request body larger than 1 MiB")
	// ErrBadForm reports an application/x-www-form-urlencoded body that does not decode.
	ErrBadForm = errors.New("parse form body")
)

// FormContentType is the media type of form-encoded bodies.
const FormContentType = "application/x-www-form-urlencoded"

// Request is a request an endpoint received, unredacted, for steps that assert on exact wire
// values.
type Request struct {
	Method string `json:"method"`
	// URL is the request target as received: path and raw query.
	URL    string      `json:"url"`
	Header http.Header `json:"header"`
	// Query holds the URL query parameters.
	Query url.Values `json:"query"`
	// Form holds the parameters of an application/x-www-form-urlencoded body, not the query.
	Form url.Values `json:"form,omitempty"`
	// Body is the raw request body, at most MaxBody bytes of it.
	Body string    `json:"body,omitempty"`
	Time time.Time `json:"time"`
}

// Clone returns a copy of r that shares no map with it.
func (r Request) Clone() Request {
	r.Header = r.Header.Clone()
	r.Query = CloneValues(r.Query)
	r.Form = CloneValues(r.Form)
	return r
}

// CloneValues deep-copies v; nil stays nil.
func CloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	return url.Values(http.Header(v).Clone())
}

// IsForm reports whether r's Content-Type is application/x-www-form-urlencoded.
func IsForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == FormContentType
}

// Capture reads r into a Request stamped now: its body (at most MaxBody bytes; the body is
// consumed) and, for a form-encoded body, its fields. The Request holds what was read even when
// the error reports a body that could not be read whole (ErrBodyTooLarge, or "read body" and
// the reader's error) or, read whole, a form body that does not decode (ErrBadForm; Form holds
// the pairs that did).
func Capture(r *http.Request, now time.Time) (Request, error) {
	in := Request{
		Method: r.Method,
		URL:    r.URL.RequestURI(),
		Header: r.Header.Clone(),
		Query:  r.URL.Query(),
		Time:   now,
	}
	var readErr error
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
		switch {
		case err != nil:
			readErr = fmt.Errorf("read body: %w", err)
		case len(body) > MaxBody:
			readErr = ErrBodyTooLarge
			body = body[:MaxBody]
		}
		in.Body = string(body)
	}
	if IsForm(r) {
		form, err := url.ParseQuery(in.Body)
		if err != nil && readErr == nil {
			readErr = fmt.Errorf("%w: %w", ErrBadForm, err)
		}
		in.Form = form
	}
	return in, readErr
}

// Log keeps the requests each endpoint received, in order. It is safe for concurrent use.
type Log[E comparable, R any] struct {
	clone func(R) R
	mu    sync.Mutex
	m     map[E][]R
}

// NewLog returns an empty log whose requests are copied in and out with clone.
func NewLog[E comparable, R any](clone func(R) R) *Log[E, R] {
	return &Log[E, R]{clone: clone, m: map[E][]R{}}
}

// Add keeps a copy of r as the latest request of e.
func (l *Log[E, R]) Add(e E, r R) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[e] = append(l.m[e], l.clone(r))
}

// All returns copies of the requests e received, oldest first.
func (l *Log[E, R]) All(e E) []R {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]R, len(l.m[e]))
	for i, r := range l.m[e] {
		out[i] = l.clone(r)
	}
	return out
}

// Last returns a copy of the latest request e received, and false when there was none.
func (l *Log[E, R]) Last(e E) (R, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rs := l.m[e]
	if len(rs) == 0 {
		var zero R
		return zero, false
	}
	return l.clone(rs[len(rs)-1]), true
}
