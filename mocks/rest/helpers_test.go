package rest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/journal"
	"github.com/iefconform/iefconform/mocks/rest"
)

// testTime is the fixed time of the injected clock.
var testTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// env is one mock REST API on a real loopback listener.
type env struct {
	*kittest.Client
	t       *testing.T
	srv     *rest.Server
	ts      *httptest.Server
	journal *journal.Journal
}

func newEnv(t *testing.T, cfg rest.Config, opts ...rest.Option) *env {
	t.Helper()
	j := journal.New()
	opts = append([]rest.Option{rest.WithClock(func() time.Time { return testTime }), rest.WithJournal(j, "")}, opts...)
	srv, err := rest.New(cfg, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := kittest.Serve(t, srv.Handler(), srv.Close)
	c := kittest.NewClient(t, ts.URL)
	c.HTTP = &http.Client{Transport: freshTransport()}
	return &env{Client: c, t: t, srv: srv, ts: ts, journal: j}
}

// freshTransport opens a new connection for every request, so that net/http never retries a
// request on its own after a fault.
func freshTransport() *http.Transport {
	return &http.Transport{DisableKeepAlives: true}
}

// response is a read and closed HTTP response.
type response = kittest.Response

func (e *env) postJSON(path, body string, header ...string) response {
	e.t.Helper()
	return e.Call(http.MethodPost, path, "application/json", body, header...)
}

func (e *env) get(path string, header ...string) response {
	e.t.Helper()
	return e.Call(http.MethodGet, path, "", "", header...)
}

// lastCall returns the latest call to path or fails the test.
func (e *env) lastCall(path string) rest.Call {
	e.t.Helper()
	c, ok := e.srv.LastCall(path)
	if !ok {
		e.t.Fatalf("no call to %s; calls: %+v", path, e.srv.AllCalls())
	}
	return c
}

// wantStatus fails the test unless r has status want.
func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("status = %d, want %d\n%s", r.StatusCode, want, r.Text)
	}
}

// wantMockError checks a JSON error of the mock itself.
func wantMockError(t *testing.T, r response, status int, code string) {
	t.Helper()
	wantStatus(t, r, status)
	if got := r.JSON(t)["error"]; got != code {
		t.Errorf("error = %v, want %q\n%s", got, code, r.Text)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
}
