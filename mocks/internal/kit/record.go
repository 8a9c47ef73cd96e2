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

	"github.com/iefconform/iefconform/mocks/journal"
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

// Secrets is the rule the admin API hides captured secrets with: the journal's secret names
// (journal.Redact: client_secret, password, newPassword, code_verifier, oauth_verifier,
// client_assertion, Authorization, API-key headers, any name with password, secret, token or an
// API-key spelling...) and the extra names a mock was configured with (an API-key header, an
// access-token parameter), their values shown as Redacted.
func Secrets(extra ...string) journal.Rule { return journal.Rule{Mask: Redacted, Extra: extra} }

// Redacted returns a copy of r with the secrets of rule hidden: in the query of URL, in Header,
// Query and Form, and in Body (its form fields, or the members of a JSON body).
func (r Request) Redacted(rule journal.Rule) Request {
	r.URL = rule.URL(r.URL)
	r.Header = rule.Values(r.Header)
	r.Query = rule.Values(r.Query)
	r.Form = rule.Values(r.Form)
	r.Body = rule.Body(r.Body, r.Form != nil)
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

// Default bounds of a mock's request log (Log, and the REST mock's calls): a mock that serves a
// long run (serve, a container) keeps the latest requests, not every one it ever got.
const (
	// DefaultLogCount is how many requests a log keeps (per endpoint for a Log).
	DefaultLogCount = 1000
	// DefaultLogBytes is about how many bytes of requests (bodies, URLs, headers, parameters) a
	// log keeps (per endpoint for a Log).
	DefaultLogBytes = 32 << 20
)

// Limits bound a request log: past Count requests or Bytes bytes (Size) the oldest go. Zero
// (or negative) means the default, DefaultLogCount and DefaultLogBytes. The newest request is
// always kept, however large.
type Limits struct {
	Count int `json:"count,omitempty" yaml:"count,omitempty"`
	Bytes int `json:"bytes,omitempty" yaml:"bytes,omitempty"`
}

// OrDefault fills the zero limits with the defaults.
func (l Limits) OrDefault() Limits {
	if l.Count <= 0 {
		l.Count = DefaultLogCount
	}
	if l.Bytes <= 0 {
		l.Bytes = DefaultLogBytes
	}
	return l
}

// Trim drops the oldest items of items, which hold bytes bytes by size, while more than l.Count
// of them or more than l.Bytes bytes are held, keeping the newest. It returns what is kept and
// its bytes. Dropped slots are zeroed so that what they held can be collected.
func Trim[T any](items []T, bytes int, l Limits, size func(T) int) ([]T, int) {
	l = l.OrDefault()
	drop := 0
	for len(items)-drop > 1 && (len(items)-drop > l.Count || bytes > l.Bytes) {
		bytes -= size(items[drop])
		var zero T
		items[drop] = zero
		drop++
	}
	return items[drop:], bytes
}

// Size is about how many bytes r holds: its body, URL, headers and parameters.
func (r Request) Size() int {
	return len(r.Method) + len(r.URL) + len(r.Body) + ValuesSize(url.Values(r.Header)) + ValuesSize(r.Query) + ValuesSize(r.Form)
}

// ValuesSize is about how many bytes the keys and values of v hold.
func ValuesSize(v url.Values) int {
	n := 0
	for k, vs := range v {
		n += len(k)
		for _, s := range vs {
			n += len(s)
		}
	}
	return n
}

// Sized is a request that knows its Size.
type Sized interface{ Size() int }

// Log keeps the latest requests each endpoint received, in order, within its Limits per
// endpoint (by default DefaultLogCount requests and DefaultLogBytes bytes). It is safe for
// concurrent use.
type Log[E comparable, R Sized] struct {
	clone  func(R) R
	mu     sync.Mutex
	limits Limits
	m      map[E]*logged[R]
}

type logged[R Sized] struct {
	items []R
	bytes int
}

// NewLog returns an empty log with the default limits whose requests are copied in and out
// with clone.
func NewLog[E comparable, R Sized](clone func(R) R) *Log[E, R] {
	return &Log[E, R]{clone: clone, m: map[E]*logged[R]{}}
}

// SetLimits changes the limits per endpoint (zero members: the defaults), dropping the oldest
// requests past them.
func (l *Log[E, R]) SetLimits(lim Limits) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limits = lim
	for _, g := range l.m {
		g.items, g.bytes = Trim(g.items, g.bytes, l.limits, R.Size)
	}
}

// Limits returns the log's limits per endpoint, defaults filled in.
func (l *Log[E, R]) Limits() Limits {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limits.OrDefault()
}

// Add keeps a copy of r as the latest request of e, dropping the oldest of e past the limits.
func (l *Log[E, R]) Add(e E, r R) {
	l.mu.Lock()
	defer l.mu.Unlock()
	g := l.m[e]
	if g == nil {
		g = &logged[R]{}
		l.m[e] = g
	}
	g.items = append(g.items, l.clone(r))
	g.bytes += r.Size()
	g.items, g.bytes = Trim(g.items, g.bytes, l.limits, R.Size)
}

// All returns copies of the requests e received, oldest first (the latest ones, within the
// limits).
func (l *Log[E, R]) All(e E) []R {
	l.mu.Lock()
	defer l.mu.Unlock()
	g := l.m[e]
	if g == nil {
		return []R{}
	}
	out := make([]R, len(g.items))
	for i, r := range g.items {
		out[i] = l.clone(r)
	}
	return out
}

// Last returns a copy of the latest request e received, and false when there was none.
func (l *Log[E, R]) Last(e E) (R, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	g := l.m[e]
	if g == nil || len(g.items) == 0 {
		var zero R
		return zero, false
	}
	return l.clone(g.items[len(g.items)-1]), true
}
