package kit

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
)

// Faults (Response.Fault): ways to fail below HTTP.
const (
	// FaultReset closes the connection with SO_LINGER 0: the client sees "connection reset by peer".
	FaultReset = "reset"
	// FaultClose closes the connection without a response: the client sees EOF.
	FaultClose = "close"
)

// Response is a canned answer, served instead of an endpoint's own logic.
type Response struct {
	// Status defaults to 200.
	Status int
	// Header holds extra response headers, for example WWW-Authenticate or Retry-After.
	Header map[string]string
	// ContentType defaults to the Content-Type in Header, else to the endpoint's own
	// (application/json unless the mock says otherwise).
	ContentType string
	// Body is the raw body.
	Body string
	// JSON is written as the body, marshalled, when Body is empty.
	JSON any
	// Delay holds the answer (or the fault) back. It ends early when the client goes away (the
	// request context ends: nothing is written) or when the server is closed (the answer is
	// written at once).
	Delay time.Duration
	// Fault, when set, answers with a broken connection instead of a response: FaultReset or
	// FaultClose. It needs an HTTP/1.x connection; on HTTP/2 the handler aborts the stream.
	Fault string
}

// responseWire is the wire form of Response: lowerCamel keys and the delay as "2s".
type responseWire struct {
	Status      int               `json:"status,omitempty" yaml:"status,omitempty"`
	Header      map[string]string `json:"header,omitempty" yaml:"header,omitempty"`
	ContentType string            `json:"contentType,omitempty" yaml:"contentType,omitempty"`
	Body        string            `json:"body,omitempty" yaml:"body,omitempty"`
	JSON        any               `json:"json,omitempty" yaml:"json,omitempty"`
	Delay       cfgfile.Delay     `json:"delay,omitempty" yaml:"delay,omitempty"`
	Fault       string            `json:"fault,omitempty" yaml:"fault,omitempty"`
}

func (r Response) wire() responseWire {
	return responseWire{r.Status, r.Header, r.ContentType, r.Body, r.JSON, cfgfile.Delay(r.Delay), r.Fault}
}

func (w responseWire) response() Response {
	return Response{w.Status, w.Header, w.ContentType, w.Body, w.JSON, time.Duration(w.Delay), w.Fault}
}

// MarshalJSON writes the response with lowerCamel keys and the delay as a duration string.
func (r Response) MarshalJSON() ([]byte, error) { return json.Marshal(r.wire()) }

// UnmarshalJSON reads the form MarshalJSON writes, rejecting unknown keys; numbers in JSON stay
// exact (json.Number).
func (r *Response) UnmarshalJSON(b []byte) error {
	return cfgfile.UnmarshalJSON(b, "response", func(w responseWire) { *r = w.response() })
}

// MarshalYAML writes the response as MarshalJSON does.
func (r Response) MarshalYAML() (any, error) { return r.wire(), nil }

// UnmarshalYAML reads the form MarshalYAML writes, rejecting unknown keys.
func (r *Response) UnmarshalYAML(n *yaml.Node) error {
	return cfgfile.UnmarshalYAML(n, "response", func(w responseWire) { *r = w.response() })
}

// Problems lists what is wrong with r, a status below lowestStatus among them.
func (r Response) Problems(lowestStatus int) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if r.Status != 0 && (r.Status < lowestStatus || r.Status > 599) {
		add("status: want %d-599, got %d", lowestStatus, r.Status)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Header)) {
		if !IsToken(k) {
			add("header: want a header name, got %q", k)
		} else if !validHeaderValue(r.Header[k]) {
			add("header %s: value %q cannot be sent", k, r.Header[k])
		}
	}
	if r.ContentType != "" {
		if _, _, err := mime.ParseMediaType(r.ContentType); err != nil {
			add("contentType: want a media type such as application/json, got %q", r.ContentType)
		}
	}
	if r.Body != "" && r.JSON != nil {
		add("body and json are both set; set one")
	}
	if r.JSON != nil {
		if _, err := json.Marshal(r.JSON); err != nil {
			add("json cannot be marshalled: %v", err)
		}
	}
	if r.Delay < 0 {
		add("delay: want zero or positive, got %s", r.Delay)
	}
	switch r.Fault {
	case "":
	case FaultReset, FaultClose:
		if r.Status != 0 || r.Body != "" || r.JSON != nil || len(r.Header) > 0 || r.ContentType != "" {
			add("fault %s sends no response: status, header, contentType, body and json would be ignored", r.Fault)
		}
	default:
		add("fault: want %s or %s, got %q", FaultReset, FaultClose, r.Fault)
	}
	return out
}

// Clone returns a copy of r that shares no map or slice with it: Header is copied and JSON
// deep-copied.
func (r Response) Clone() Response {
	r.Header = maps.Clone(r.Header)
	r.JSON = cfgfile.CloneJSON(r.JSON)
	return r
}

// contentType is the Content-Type r is written with, fallback when it names none.
func (r Response) contentType(fallback string) string {
	if r.ContentType != "" {
		return r.ContentType
	}
	for k, v := range r.Header {
		if http.CanonicalHeaderKey(k) == "Content-Type" {
			return v
		}
	}
	return fallback
}

// Serve answers with resp after its delay: its fault, or its status (200 when zero), headers,
// Content-Type (contentType when resp names none) and body. It returns the status written, 0
// when nothing was (a fault, or the client went away: Handler then aborts the connection), and an error when resp could not be
// written (a body that does not marshal, a fault that could not break the connection), in
// which case nothing was written and the caller answers with its own 500.
func (b *Base) Serve(w http.ResponseWriter, r *http.Request, resp Response, contentType string) (int, error) {
	if !b.Wait(r.Context(), resp.Delay) {
		return 0, nil
	}
	if resp.Fault != "" {
		hijacked, err := breakConnection(w, resp.Fault)
		switch {
		case err == nil:
		case hijacked: // nothing can be written any more
			b.Unexpected(r, fmt.Errorf("fault %s: %w", resp.Fault, err))
		default:
			return 0, fmt.Errorf("fault %s: %w", resp.Fault, err)
		}
		return 0, nil
	}
	body := []byte(resp.Body)
	if resp.Body == "" && resp.JSON != nil {
		var err error
		if body, err = json.Marshal(resp.JSON); err != nil {
			return 0, fmt.Errorf("marshal response json: %w", err)
		}
	}
	h := w.Header()
	for k, v := range resp.Header {
		h.Set(k, v)
	}
	h.Set("Content-Type", resp.contentType(contentType))
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status, nil
}

// breakConnection takes the connection from net/http and closes it: with SO_LINGER 0 for
// FaultReset, so the peer gets a TCP RST, or plainly for FaultClose, so it reads EOF. A TLS
// connection is closed below TLS, without close_notify. Where the connection cannot be taken
// (HTTP/2) the handler aborts with http.ErrAbortHandler, which net/http turns into a reset of
// the stream. hijacked reports whether the connection was taken, after which nothing can be
// written.
func breakConnection(w http.ResponseWriter, fault string) (hijacked bool, err error) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		if errors.Is(err, http.ErrNotSupported) || errors.Is(err, errors.ErrUnsupported) {
			panic(http.ErrAbortHandler) // the one way net/http offers to reset an HTTP/2 stream
		}
		return false, fmt.Errorf("hijack: %w", err)
	}
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok && fault == FaultReset {
		if err := tcp.SetLinger(0); err != nil {
			_ = raw.Close()
			return true, fmt.Errorf("set linger: %w", err)
		}
	}
	if err := raw.Close(); err != nil {
		return true, fmt.Errorf("close: %w", err)
	}
	return true, nil
}

// Queue holds canned responses per endpoint, served in order. Its zero value is empty and ready;
// it is safe for concurrent use.
type Queue[E comparable] struct {
	mu sync.Mutex
	m  map[E][]Response
}

// Push queues r for endpoint e.
func (q *Queue[E]) Push(e E, r Response) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.m == nil {
		q.m = map[E][]Response{}
	}
	q.m[e] = append(q.m[e], r.Clone())
}

// Pop takes the next response queued for e, and reports whether there was one.
func (q *Queue[E]) Pop(e E) (Response, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	rs := q.m[e]
	if len(rs) == 0 {
		return Response{}, false
	}
	q.m[e] = rs[1:]
	return rs[0], true
}

// IsToken reports whether s is an RFC 9110 token: a method or a header name.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c < 0x80 && isTchar[c]:
		default:
			return false
		}
	}
	return true
}

// isTchar marks the symbols RFC 9110 §5.6.2 allows in a token.
var isTchar = func() [128]bool {
	var t [128]bool
	for _, c := range []byte("!#$%&'*+-.^_`|~") {
		t[c] = true
	}
	return t
}()

// validHeaderValue reports whether v can be sent as a header value: no control characters
// other than horizontal tab.
func validHeaderValue(v string) bool {
	for _, c := range []byte(v) {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
