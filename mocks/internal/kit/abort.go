package kit

import (
	"bufio"
	"net"
	"net/http"
)

// abortWhenGone wraps a mock's protocol handler: when the handler returns without answering a
// client that went away (its request context is done, as when Serve's delay outlives the
// caller's timeout), the connection is aborted rather than left to net/http, which would send
// an implicit empty 200 that a client racing its own deadline could read as the answer.
func abortWhenGone(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &touchWriter{ResponseWriter: w}
		h.ServeHTTP(tw, r)
		if !tw.touched && r.Context().Err() != nil {
			panic(http.ErrAbortHandler) // net/http closes the connection and logs nothing
		}
	})
}

// touchWriter notes whether a handler wrote anything.
type touchWriter struct {
	http.ResponseWriter
	touched bool
}

func (t *touchWriter) WriteHeader(code int) {
	t.touched = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *touchWriter) Write(p []byte) (int, error) {
	t.touched = true
	return t.ResponseWriter.Write(p)
}

// Flush passes on to the connection; a flushed answer has begun.
func (t *touchWriter) Flush() {
	t.touched = true
	_ = http.NewResponseController(t.ResponseWriter).Flush()
}

// Hijack passes on to the connection; a hijacked connection is the handler's to end.
func (t *touchWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	t.touched = true
	return http.NewResponseController(t.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the connection (Hijack, Flush, deadlines).
func (t *touchWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
