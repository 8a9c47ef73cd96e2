package rest_test

import (
	"net/http"
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
	*kittest.Env[*rest.Server]
}

func newEnv(t *testing.T, cfg rest.Config, opts ...rest.Option) *env {
	t.Helper()
	e := &env{kittest.Start(t, kittest.NewClock(testTime), func(now func() time.Time, j *journal.Journal) (*rest.Server, error) {
		return rest.New(cfg, append([]rest.Option{rest.WithClock(now), rest.WithJournal(j, "")}, opts...)...)
	})}
	e.HTTP = &http.Client{Transport: freshTransport()}
	return e
}

// freshTransport opens a new connection for every request, so that net/http never retries a
// request on its own after a fault.
func freshTransport() *http.Transport {
	return &http.Transport{DisableKeepAlives: true}
}

// response is a read and closed HTTP response.
type response = kittest.Response

func (e *env) postJSON(path, body string, header ...string) response {
	e.T.Helper()
	return e.Call(http.MethodPost, path, "application/json", body, header...)
}

func (e *env) get(path string, header ...string) response {
	e.T.Helper()
	return e.Call(http.MethodGet, path, "", "", header...)
}

// lastCall returns the latest call to path or fails the test.
func (e *env) lastCall(path string) rest.Call {
	e.T.Helper()
	c, ok := e.Srv.LastCall(path)
	if !ok {
		e.T.Fatalf("no call to %s; calls: %+v", path, e.Srv.AllCalls())
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
