package kit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
)

type testConfig struct {
	Clients []testClient `json:"clients"`
	Problem string       `json:"-"`
}

type testClient struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

func (c testConfig) Validate() error {
	if c.Problem != "" {
		return cfgfile.Check("test", []string{c.Problem})
	}
	return nil
}

type testServer struct {
	base *Base
	name string
}

func TestNew(t *testing.T) {
	opt := func(s *testServer) { s.name = "set" }
	s, err := New("test", testConfig{}, []func(*testServer){opt}, func(b *Base) *testServer { return &testServer{base: b} })
	if err != nil || s.name != "set" || s.base == nil || s.base.name != "test" {
		t.Fatalf("New = %+v, %v", s, err)
	}
	_, err = New("test", testConfig{Problem: "bad"}, []func(*testServer){opt}, func(b *Base) *testServer { return &testServer{base: b} })
	if !errors.Is(err, cfgfile.ErrInvalidConfig) || !strings.HasPrefix(err.Error(), "new test server: invalid test config:") {
		t.Errorf("err = %v", err)
	}
}

func TestSettings(t *testing.T) {
	b, err := NewBase("mock", testConfig{})
	if err != nil {
		t.Fatal(err)
	}
	fixed := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, set := range []Setting{Clock(func() time.Time { return fixed }), Clock(nil), Logger(nil), AdminToken("tok"), Journal(nil, "")} {
		set(b)
	}
	if !b.Now().Equal(fixed) || b.logger == nil || b.adminToken != "tok" || b.party != "mock" {
		t.Errorf("base = %+v", b)
	}
}

func TestRedact(t *testing.T) {
	v := map[string]any{
		"clients": []any{map[string]any{"id": "a", "secret": "s1"}, map[string]any{"id": "b", "secret": ""}},
		"users":   []any{map[string]any{"password": "p", "claims": map[string]any{"password": "claim"}}},
		"routes":  map[string]any{"x": map[string]any{"auth": map[string]any{"token": "t", "n": json.Number("12345678901234567890")}}},
	}
	got, err := Redact(v, "clients.*.secret", "users.*.password", "routes.*.auth.token", "nothing.here")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	want := `{"clients":[{"id":"a","secret":"(redacted)"},{"id":"b","secret":""}],"routes":{"x":{"auth":{"n":12345678901234567890,"token":"(redacted)"}}},"users":[{"claims":{"password":"claim"},"password":"(redacted)"}]}`
	if string(b) != want {
		t.Errorf("redacted\n got %s\nwant %s", b, want)
	}
	if _, err := Redact(func() {}); err == nil {
		t.Error("Redact of a value that is not JSON: no error")
	}
}

func TestLoopback(t *testing.T) {
	for remote, want := range map[string]bool{
		"127.0.0.1:80": true, "127.1.2.3:1": true, "[::1]:443": true, "[::ffff:127.0.0.1]:1": true, "::1": true,
		"192.0.2.1:80": false, "[2001:db8::1]:1": false, "[::ffff:192.0.2.1]:1": false, "": false, "localhost:80": false, "garbage": false,
	} {
		if _, got := loopback(remote); got != want {
			t.Errorf("loopback(%q) = %v, want %v", remote, got, want)
		}
	}
}

func TestAdminHandler(t *testing.T) {
	b, _ := NewBase("mock", testConfig{})
	var failed []string
	admin := Admin{
		Fail: func(w http.ResponseWriter, r *http.Request, err error) {
			var e *Error
			if !errors.As(err, &e) {
				e = &Error{Status: 500, Code: "server_error", Message: err.Error()}
			}
			failed = append(failed, e.Code)
			WriteJSON(w, e.Status, map[string]string{"error": e.Code, "message": e.Message})
		},
		Routes: []Route{
			Config(func() testConfig { return testConfig{Clients: []testClient{{"a", "s3cret"}}} }, "clients.*.secret"),
			Apply(http.MethodPut, "/_admin/clients", func(c testClient) error {
				if c.ID == "" {
					return errors.New("id is empty")
				}
				return nil
			}),
			Enqueue(Endpoints[string]{"token", "claims", "logout"}, 200, func(string, Response) {}),
			Requests(Endpoints[string]{"token"}, func(string) []Request { return nil }),
			Show("/_admin/broken", func(*http.Request) (int, error) { return 0, errors.New("boom") }),
		},
	}
	h := b.Handler(http.NotFoundHandler(), admin)
	tests := []struct {
		method, target, body string
		status               int
		mention              string
	}{
		{"GET", "/_admin/config", "", 200, `"secret":"(redacted)"`},
		{"GET", "/_admin/config?secrets=true", "", 200, `"secret":"s3cret"`},
		{"PUT", "/_admin/clients", `{"id":"x","secret":"y"}`, 204, ""},
		{"PUT", "/_admin/clients", `{"secret":"y"}`, 400, "id is empty"},
		{"PUT", "/_admin/clients", `{"id":"x","extra":1}`, 400, `bad JSON body: json: unknown field \"extra\"`},
		{"PUT", "/_admin/clients", `{"id":"` + strings.Repeat("x", MaxBody) + `"}`, 413, "request body larger than 1 MiB"},
		{"POST", "/_admin/enqueue?endpoint=nope", `{}`, 400, `endpoint: want token, claims or logout, got \"nope\"`},
		{"POST", "/_admin/enqueue?endpoint=token", `{"status":100,"delay":"-1s"}`, 400, "bad response: status: want 200-599, got 100; delay: want zero or positive, got -1s"},
		{"POST", "/_admin/enqueue?endpoint=token", `{"status":201}`, 204, ""},
		{"GET", "/_admin/requests?endpoint=token", "", 200, "[]"},
		{"GET", "/_admin/requests", "", 400, "endpoint: want token, got"},
		{"GET", "/_admin/broken", "", 500, "boom"},
		{"DELETE", "/_admin/config", "", 405, "DELETE is not allowed on /_admin/config"},
		{"GET", "/_admin/nothing", "", 404, "no admin route /_admin/nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			req.RemoteAddr = "127.0.0.1:1"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.mention) {
				t.Errorf("got %d %s, want %d mentioning %s", rec.Code, rec.Body, tt.status, tt.mention)
			}
		})
	}
	if !slices.Contains(failed, CodeTooLarge) || !slices.Contains(failed, CodeMethodNotAllowed) {
		t.Errorf("Fail saw %v", failed)
	}
}

func TestErrorHelpers(t *testing.T) {
	if got := Challenge("Bearer", "mock", "error", "invalid_token", "error_description", "bad \"token\"\n"); got != `Bearer realm="mock", error="invalid_token", error_description="bad  token  "` {
		t.Errorf("Challenge = %s", got)
	}
	if ErrorText("c", "") != "c" || ErrorText("c", "d") != "c: d" {
		t.Error("ErrorText")
	}
	if !Equal("secret", "secret") || Equal("secret", "secre") || Equal("", "x") {
		t.Error("Equal")
	}
	req := httptest.NewRequest("GET", "/", nil)
	for header, want := range map[string]string{"Bearer abc": "abc", "bearer  abc ": "abc", "Basic abc": "", "": ""} {
		req.Header.Set("Authorization", header)
		if got, _ := BearerToken(req); got != want {
			t.Errorf("BearerToken(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestResponseWire(t *testing.T) {
	r := Response{Status: 409, Header: map[string]string{"X-A": "1"}, ContentType: "application/problem+json", JSON: map[string]any{"n": json.Number("12345678901234567890")}, Delay: 1500 * time.Millisecond}
	b, err := json.Marshal(r)
	if want := `{"status":409,"header":{"X-A":"1"},"contentType":"application/problem+json","json":{"n":12345678901234567890},"delay":"1.5s"}`; err != nil || string(b) != want {
		t.Fatalf("JSON = %s %v, want %s", b, err, want)
	}
	var back Response
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("JSON round trip = %+v %v", back, err)
	}
	y, err := yaml.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var yback Response
	if err := yaml.Unmarshal(y, &yback); err != nil || yback.Delay != r.Delay || yback.Status != 409 {
		t.Errorf("YAML round trip = %+v %v\n%s", yback, err, y)
	}
	for in, want := range map[string]string{
		`{"stauts":1}`:   `unknown field "stauts"`,
		`{"delay":5}`:    `response: delay: want a string such as "2s", got 5`,
		`{"delay":"no"}`: `time: invalid duration`,
	} {
		if err := json.Unmarshal([]byte(in), &back); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", in, err, want)
		}
	}
	if err := yaml.Unmarshal([]byte("{status: 200, jsno: {}}"), &yback); err == nil || !strings.Contains(err.Error(), `response: unknown key "jsno" (want one of status, header, contentType, body, json, delay, fault)`) {
		t.Errorf("YAML unknown key: %v", err)
	}
}

func TestResponseProblems(t *testing.T) {
	r := Response{Status: 99, Header: map[string]string{"Bad Name": "x", "X-Ok": "a\nb"}, ContentType: "text/plain; =x", Body: "b", JSON: func() {}, Delay: -1, Fault: "explode"}
	want := []string{
		"status: want 100-599, got 99",
		`header: want a header name, got "Bad Name"`,
		`header X-Ok: value "a\nb" cannot be sent`,
		`contentType: want a media type such as application/json, got "text/plain; =x"`,
		"body and json are both set; set one",
		"json cannot be marshalled: json: unsupported type: func()",
		"delay: want zero or positive, got -1ns",
		`fault: want reset or close, got "explode"`,
	}
	if got := r.Problems(100); !slices.Equal(got, want) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if got := (Response{Fault: FaultReset, Status: 200}).Problems(200); len(got) != 1 || !strings.Contains(got[0], "sends no response") {
		t.Errorf("fault with a status: %v", got)
	}
	if got := (Response{Status: 200}).Problems(200); got != nil {
		t.Errorf("a good response: %v", got)
	}
}

func TestServe(t *testing.T) {
	b, _ := NewBase("mock", testConfig{})
	serve := func(resp Response, ct string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		if _, err := b.Serve(rec, httptest.NewRequest("GET", "/", nil), resp, ct); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	if rec := serve(Response{Body: "x"}, "text/html"); rec.Code != 200 || rec.Header().Get("Content-Type") != "text/html" || rec.Body.String() != "x" {
		t.Errorf("defaults: %d %v %q", rec.Code, rec.Header(), rec.Body)
	}
	if rec := serve(Response{Status: 201, Header: map[string]string{"content-type": "text/plain"}, JSON: []int{1}}, "application/json"); rec.Code != 201 || rec.Header().Get("Content-Type") != "text/plain" || rec.Body.String() != "[1]" {
		t.Errorf("JSON with a Content-Type header: %d %v %q", rec.Code, rec.Header(), rec.Body)
	}
	if _, err := b.Serve(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), Response{JSON: func() {}}, ""); err == nil {
		t.Error("a body that does not marshal: no error")
	}

	// a delay ends with the client (nothing written) or with Close (the answer written at once)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	if status, err := b.Serve(rec, httptest.NewRequest("GET", "/", nil).WithContext(ctx), Response{Delay: time.Hour}, ""); status != 0 || err != nil || rec.Body.Len() != 0 {
		t.Errorf("client gone: %d %v %q", status, err, rec.Body)
	}
	b.Close()
	b.Close()
	if rec := serve(Response{Delay: time.Hour, Body: "late"}, ""); rec.Body.String() != "late" {
		t.Errorf("after Close: %q", rec.Body)
	}
}

func TestServeFault(t *testing.T) {
	b, _ := NewBase("mock", testConfig{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := b.Serve(w, r, Response{Fault: FaultClose}, ""); err != nil {
			t.Error(err)
		}
	}))
	defer ts.Close()
	_, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Get(ts.URL)
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want EOF", err)
	}
}

func TestQueueAndLog(t *testing.T) {
	var q Queue[string]
	if _, ok := q.Pop("a"); ok {
		t.Error("Pop of an empty queue")
	}
	h := map[string]string{"X": "1"}
	q.Push("a", Response{Body: "1", Header: h})
	q.Push("a", Response{Body: "2"})
	h["X"] = "changed"
	if r, _ := q.Pop("a"); r.Body != "1" || r.Header["X"] != "1" {
		t.Errorf("first = %+v", r)
	}
	if r, _ := q.Pop("a"); r.Body != "2" {
		t.Errorf("second = %+v", r)
	}

	l := NewLog[string](Request.Clone)
	if _, ok := l.Last("a"); ok {
		t.Error("Last of an empty log")
	}
	in := Request{Method: "GET", Query: url.Values{"a": {"1"}}}
	l.Add("a", in)
	in.Query.Set("a", "changed")
	all := l.All("a")
	all[0].Query.Set("a", "changed too")
	if last, _ := l.Last("a"); last.Query.Get("a") != "1" || len(l.All("b")) != 0 {
		t.Errorf("the log shares memory: %+v", last)
	}
}

func TestCapture(t *testing.T) {
	now := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	req := httptest.NewRequest("POST", "/p?q=1", strings.NewReader("a=1&b=%zz"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	in, err := Capture(req, now)
	if !errors.Is(err, ErrBadForm) || !strings.HasPrefix(err.Error(), "parse form body: ") {
		t.Errorf("err = %v", err)
	}
	if in.Method != "POST" || in.URL != "/p?q=1" || in.Query.Get("q") != "1" || in.Body != "a=1&b=%zz" || in.Form.Get("a") != "1" || !in.Time.Equal(now) {
		t.Errorf("captured %+v", in)
	}
	in, err = Capture(httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", MaxBody+1))), now)
	if !errors.Is(err, ErrBodyTooLarge) || len(in.Body) != MaxBody || in.Form != nil {
		t.Errorf("too large: %v, %d bytes", err, len(in.Body))
	}
}

func TestRegistry(t *testing.T) {
	validate := func(c testClient) error {
		if c.ID == "" {
			return errors.New("id is empty")
		}
		return nil
	}
	g := NewRegistry("client", func(c testClient) string { return c.ID }, func(c testClient) testClient { return c }, validate, []testClient{{"a", "1"}, {"b", "2"}})
	if err := g.Add(testClient{}); err == nil || err.Error() != "add client: id is empty" {
		t.Errorf("Add(invalid) = %v", err)
	}
	taken := errors.New("taken")
	if err := g.Add(testClient{"c", "3"}, func(held []testClient) error { return fmt.Errorf("%d held: %w", len(held), taken) }); !errors.Is(err, taken) || err.Error() != "add client: 2 held: taken" {
		t.Errorf("Add with a failing check = %v", err)
	}
	if err := g.Add(testClient{"a", "new"}); err != nil {
		t.Fatal(err)
	}
	if !g.Update("b", func(c *testClient) { c.Secret = "updated" }) || g.Update("z", func(*testClient) {}) {
		t.Error("Update")
	}
	if got := g.All(); !reflect.DeepEqual(got, []testClient{{"a", "new"}, {"b", "updated"}}) {
		t.Errorf("All = %v", got)
	}
	if c, ok := g.Get("b"); !ok || c.Secret != "updated" {
		t.Errorf("Get = %v %v", c, ok)
	}
	if _, ok := g.Get("z"); ok {
		t.Error("Get of an unknown key")
	}
}
