package rest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/journal"
	"github.com/iefconform/iefconform/mocks/rest"
)

// testTime is the fixed time of the injected clock.
var testTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// env is one mock REST API on a real loopback listener.
type env struct {
	t       *testing.T
	srv     *rest.Server
	ts      *httptest.Server
	journal *journal.Journal
	client  *http.Client
}

func newEnv(t *testing.T, cfg rest.Config, opts ...rest.Option) *env {
	t.Helper()
	j := journal.New()
	opts = append([]rest.Option{rest.WithClock(func() time.Time { return testTime }), rest.WithJournal(j, "")}, opts...)
	srv, err := rest.New(cfg, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	return &env{t: t, srv: srv, ts: ts, journal: j, client: &http.Client{Transport: freshTransport()}}
}

// freshTransport opens a new connection for every request, so that net/http never retries a
// request on its own after a fault.
func freshTransport() *http.Transport {
	return &http.Transport{DisableKeepAlives: true}
}

// response is a read and closed HTTP response.
type response struct {
	*http.Response
	body string
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// request builds a request to the test server; header holds name, value pairs.
func (e *env) request(method, path, contentType, body string, header ...string) *http.Request {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	return doWith(e.t, e.client, req)
}

func doWith(t *testing.T, client *http.Client, req *http.Request) response {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response{resp, string(b)}
}

func (e *env) call(method, path, contentType, body string, header ...string) response {
	e.t.Helper()
	return e.do(e.request(method, path, contentType, body, header...))
}

func (e *env) postJSON(path, body string, header ...string) response {
	e.t.Helper()
	return e.call(http.MethodPost, path, "application/json", body, header...)
}

func (e *env) get(path string, header ...string) response {
	e.t.Helper()
	return e.call(http.MethodGet, path, "", "", header...)
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
		t.Fatalf("status = %d, want %d\n%s", r.StatusCode, want, r.body)
	}
}

// wantMockError checks a JSON error of the mock itself.
func wantMockError(t *testing.T, r response, status int, code string) {
	t.Helper()
	wantStatus(t, r, status)
	if got := r.json(t)["error"]; got != code {
		t.Errorf("error = %v, want %q\n%s", got, code, r.body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
}
