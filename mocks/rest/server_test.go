package rest_test

import (
	"bufio"
	"bytes"
	"errors"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/rest"
)

func TestSequences(t *testing.T) {
	fail := rest.Response{Status: 500, Body: "boom", ContentType: "text/plain"}
	ok := rest.Response{JSON: map[string]any{"loyaltyNumber": "1234"}}
	tests := []struct {
		name      string
		responses []rest.Response
		want      []int // statuses of successive calls
	}{
		{name: "no responses", want: []int{200, 200}},
		{name: "one response repeats", responses: []rest.Response{fail}, want: []int{500, 500, 500}},
		{name: "fail then succeed", responses: []rest.Response{fail, ok}, want: []int{500, 200, 200}},
		{name: "fail twice then succeed", responses: []rest.Response{fail, fail, ok}, want: []int{500, 500, 200, 200}},
		{name: "error contract", responses: []rest.Response{rest.ErrorContract(409, "no")}, want: []int{409, 409}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, rest.Config{Routes: []rest.Route{{Method: "POST", Path: "/s", Responses: tt.responses}}})
			for i, want := range tt.want {
				r := e.postJSON("/s", `{}`)
				if r.StatusCode != want {
					t.Errorf("call %d: status %d, want %d (%s)", i+1, r.StatusCode, want, r.Text)
				}
				if c := e.lastCall("/s"); c.Attempt != i+1 || c.Status != want {
					t.Errorf("call %d: attempt %d status %d", i+1, c.Attempt, c.Status)
				}
			}
		})
	}
}

func TestResponseShapes(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{
		{Path: "/empty"},
		{Path: "/raw", Responses: []rest.Response{{Body: "not json", ContentType: "text/plain", Header: map[string]string{"X-A": "1"}}}},
		{Path: "/ct-in-header", Responses: []rest.Response{{Body: "<x/>", Header: map[string]string{"content-type": "application/xml"}}}},
		{Path: "/json", Responses: []rest.Response{{Status: 201, JSON: []any{"a", 1}}}},
	}})
	tests := []struct {
		path, body, contentType string
		status                  int
	}{
		{"/empty", "{}", "application/json", 200},
		{"/raw", "not json", "text/plain", 200},
		{"/ct-in-header", "<x/>", "application/xml", 200},
		{"/json", `["a",1]`, "application/json", 201},
	}
	for _, tt := range tests {
		r := e.get(tt.path)
		if r.StatusCode != tt.status || r.Text != tt.body || r.Header.Get("Content-Type") != tt.contentType {
			t.Errorf("%s: %d %q %q, want %d %q %q", tt.path, r.StatusCode, r.Header.Get("Content-Type"), r.Text, tt.status, tt.contentType, tt.body)
		}
	}
	if r := e.get("/raw"); r.Header.Get("X-A") != "1" {
		t.Errorf("extra header missing: %v", r.Header)
	}
}

func TestMethodRouting(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{
		{Path: "/r", Responses: []rest.Response{{Body: `"any"`}}},
		{Method: "post", Path: "/r", Responses: []rest.Response{{Body: `"post"`}}},
	}})
	if r := e.postJSON("/r", `{}`); r.Text != `"post"` {
		t.Errorf("POST: %s, want the POST route before the any-method route", r.Text)
	}
	if r := e.get("/r"); r.Text != `"any"` {
		t.Errorf("GET: %s, want the any-method route", r.Text)
	}
}

func TestAddRouteAndSetResponses(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{{Method: "POST", Path: "/a", Responses: []rest.Response{{Status: 500}}}}})
	wantStatus(t, e.postJSON("/a", `{}`), 500)

	// SetResponses restarts the sequence and keeps counting attempts
	if err := e.Srv.SetResponses("post", "/a", rest.Response{Status: 502}, rest.Response{Status: 200}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.postJSON("/a", `{}`), 502)
	wantStatus(t, e.postJSON("/a", `{}`), 200)
	if c := e.lastCall("/a"); c.Attempt != 3 {
		t.Errorf("attempt = %d, want 3", c.Attempt)
	}

	// AddRoute replaces by method and path and starts afresh
	if err := e.Srv.AddRoute(rest.Route{Method: "POST", Path: "/a", Responses: []rest.Response{{Status: 204}}}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.postJSON("/a", `{}`), 204)
	if c := e.lastCall("/a"); c.Attempt != 1 {
		t.Errorf("attempt after replacing = %d, want 1", c.Attempt)
	}
	if got := len(e.Srv.Routes()); got != 1 {
		t.Errorf("routes = %d, want the one replaced", got)
	}

	// a new route is served at once
	if err := e.Srv.AddRoute(rest.Route{Path: "/users/{id}", Behaviour: rest.BehaviourContacts}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.get("/users/7"), 200)

	// errors
	if err := e.Srv.SetResponses("GET", "/a", rest.Response{}); !errors.Is(err, rest.ErrUnknownRoute) {
		t.Errorf("SetResponses of an unknown route: %v, want ErrUnknownRoute", err)
	}
	if err := e.Srv.SetResponses("POST", "/a", rest.Response{Status: 700}); !errors.Is(err, rest.ErrInvalidConfig) {
		t.Errorf("SetResponses with a bad status: %v, want ErrInvalidConfig", err)
	}
	if err := e.Srv.AddRoute(rest.Route{Path: "nope"}); !errors.Is(err, rest.ErrInvalidConfig) {
		t.Errorf("AddRoute with a bad path: %v, want ErrInvalidConfig", err)
	}
}

func TestReset(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{{Path: "/a", Responses: []rest.Response{{Status: 500}, {Status: 200}}}}})
	wantStatus(t, e.get("/a"), 500)
	if err := e.Srv.AddRoute(rest.Route{Path: "/b"}); err != nil {
		t.Fatal(err)
	}
	if err := e.Srv.SetResponses("", "/a", rest.Response{Status: 418}); err != nil {
		t.Fatal(err)
	}
	e.Srv.Reset()
	if calls := e.Srv.AllCalls(); len(calls) != 0 {
		t.Errorf("calls after Reset = %d, want 0", len(calls))
	}
	wantStatus(t, e.get("/a"), 500) // initial responses, sequence from the start
	if c := e.lastCall("/a"); c.Attempt != 1 {
		t.Errorf("attempt after Reset = %d, want 1", c.Attempt)
	}
	wantMockError(t, e.get("/b"), 404, rest.CodeNotFound)
}

// failingHijacker is a ResponseWriter whose connection cannot be taken for an unexpected reason.
type failingHijacker struct{ *httptest.ResponseRecorder }

func (failingHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, errors.New("boom")
}

func TestUnexpectedErrorIsLogged(t *testing.T) {
	var logs bytes.Buffer
	srv, err := rest.New(rest.Config{Routes: []rest.Route{{Path: "/h", Responses: []rest.Response{{Fault: rest.FaultClose}}}}},
		rest.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	w := failingHijacker{httptest.NewRecorder()}
	srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/h", nil))
	if w.Code != 500 || !strings.Contains(w.Body.String(), `"error":"server_error"`) {
		t.Errorf("answer = %d %s, want 500 server_error", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("the failure was not logged: %q", logs.String())
	}
	if c, _ := srv.LastCall("/h"); c.Status != 500 {
		t.Errorf("call status = %d, want 500", c.Status)
	}

	// errors the mock expects are not logged
	logs.Reset()
	srv.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/missing", nil))
	if logs.Len() != 0 {
		t.Errorf("a 404 was logged: %s", logs.String())
	}
}
