package kit

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

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

func TestAdminHandler(t *testing.T) {
	b, _ := newBase("mock", testConfig{})
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
			Requests(Endpoints[string]{"token", "claims"}, func(e string) []Request {
				if e == "claims" {
					return nil
				}
				return []Request{{Method: "POST", URL: "/token?access_token=at-1&x=1", Body: "client_id=a&client_secret=s3cret",
					Header: http.Header{"Authorization": {"Basic YTpzM2NyZXQ="}, "X-Custom-Key": {"k3y"}},
					Query:  url.Values{"access_token": {"at-1"}, "x": {"1"}}, Form: url.Values{"client_id": {"a"}, "client_secret": {"s3cret"}}}}
			}, func(r Request) Request { return r.Redacted(Secrets("x-custom-key")) }),
			Show("/_admin/broken", func(*http.Request) (int, error) { return 0, errors.New("boom") }),
		},
	}
	h := b.Handler(http.NotFoundHandler(), admin)
	tests := []struct {
		method, target, body string
		status               int
		mention              string
		contentType          string
	}{
		{"GET", "/_admin/config", "", 200, `"secret":"(redacted)"`, ""},
		{"GET", "/_admin/config?secrets=true", "", 200, `"secret":"s3cret"`, ""},
		{"PUT", "/_admin/clients", `{"id":"x","secret":"y"}`, 204, "", ""},
		{"PUT", "/_admin/clients", `{"id":"x","secret":"y"}`, 204, "", "application/json; charset=utf-8"},
		{"PUT", "/_admin/clients", `{"id":"x","secret":"y"}`, 204, "", "Application/JSON"},
		{"PUT", "/_admin/clients", `{"id":"x","secret":"y"}`, 415, `"error":"unsupported_media_type","message":"want Content-Type: application/json, got \"text/plain\""`, "text/plain"},
		{"PUT", "/_admin/clients", `id=x`, 415, "want Content-Type: application/json", "application/x-www-form-urlencoded"},
		{"PUT", "/_admin/clients", `{"id":"x"}`, 415, "want Content-Type: application/json", "application/jsonx"},
		{"POST", "/_admin/enqueue?endpoint=token", `{"status":201}`, 415, "want Content-Type: application/json", "text/plain;charset=utf-8"},
		{"PUT", "/_admin/clients", `{"secret":"y"}`, 400, "id is empty", ""},
		{"PUT", "/_admin/clients", `{"id":"x","extra":1}`, 400, `bad JSON body: json: unknown field \"extra\"`, ""},
		{"PUT", "/_admin/clients", `{"id":"` + strings.Repeat("x", MaxBody) + `"}`, 413, "request body larger than 1 MiB", ""},
		{"POST", "/_admin/enqueue?endpoint=nope", `{}`, 400, `endpoint: want token, claims or logout, got \"nope\"`, ""},
		{"POST", "/_admin/enqueue?endpoint=token", `{"status":100,"delay":"-1s"}`, 400, "bad response: status: want 200-599, got 100; delay: want zero or positive, got -1s", ""},
		{"POST", "/_admin/enqueue?endpoint=token", `{"status":201}`, 204, "", ""},
		{"GET", "/_admin/requests?endpoint=claims", "", 200, "[]", ""},
		{"GET", "/_admin/requests?endpoint=token", "", 200, `"url":"/token?access_token=(redacted)\u0026x=1","header":{"Authorization":["(redacted)"],"X-Custom-Key":["(redacted)"]},"query":{"access_token":["(redacted)"],"x":["1"]},"form":{"client_id":["a"],"client_secret":["(redacted)"]},"body":"client_id=a\u0026client_secret=(redacted)"`, ""},
		{"GET", "/_admin/requests?endpoint=token&secrets=true", "", 200, `"url":"/token?access_token=at-1\u0026x=1","header":{"Authorization":["Basic YTpzM2NyZXQ="],"X-Custom-Key":["k3y"]},"query":{"access_token":["at-1"],"x":["1"]},"form":{"client_id":["a"],"client_secret":["s3cret"]},"body":"client_id=a\u0026client_secret=s3cret"`, ""},
		{"GET", "/_admin/requests", "", 400, "endpoint: want token or claims, got", ""},
		{"GET", "/_admin/broken", "", 500, "boom", ""},
		{"DELETE", "/_admin/config", "", 405, "DELETE is not allowed on /_admin/config", ""},
		{"GET", "/_admin/nothing", "", 404, "no admin route /_admin/nothing", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			req.RemoteAddr = "127.0.0.1:1"
			req.Host = "localhost:1234"
			if tt.body != "" {
				req.Header.Set("Content-Type", cmp.Or(tt.contentType, "application/json"))
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.mention) {
				t.Errorf("got %d %s, want %d mentioning %s", rec.Code, rec.Body, tt.status, tt.mention)
			}
		})
	}
	// A body with no Content-Type at all is refused too.
	req := httptest.NewRequest("PUT", "/_admin/clients", strings.NewReader(`{"id":"x"}`))
	req.RemoteAddr, req.Host = "127.0.0.1:1", "127.0.0.1"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnsupportedMediaType || !strings.Contains(rec.Body.String(), "got none") {
		t.Errorf("no Content-Type: %d %s, want 415", rec.Code, rec.Body)
	}
	if !slices.Contains(failed, CodeTooLarge) || !slices.Contains(failed, CodeMethodNotAllowed) || !slices.Contains(failed, CodeUnsupportedType) {
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
