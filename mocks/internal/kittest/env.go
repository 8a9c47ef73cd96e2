package kittest

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/journal"
)

// Closer is a mock server Start can serve: Close releases its held responses.
type Closer interface {
	Mock
	Close()
}

// Env is one mock on a real loopback listener, with a client that does not follow redirects,
// the clock the mock reads and the journal it records into.
type Env[M Closer] struct {
	*Client
	T       *testing.T
	Srv     M
	TS      *httptest.Server
	Clock   *Clock
	Journal *journal.Journal
}

// Start builds a mock with newMock, handing it clock.Now and a new journal, fails t when that
// returns an error, and serves the mock until the test ends.
func Start[M Closer](t *testing.T, clock *Clock, newMock func(now func() time.Time, j *journal.Journal) (M, error)) *Env[M] {
	t.Helper()
	j := journal.New()
	srv, err := newMock(clock.Now, j)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := Serve(t, srv.Handler(), srv.Close)
	return &Env[M]{Client: NewClient(t, ts.URL), T: t, Srv: srv, TS: ts, Clock: clock, Journal: j}
}
