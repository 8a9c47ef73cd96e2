package rest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/rest"
)

func TestAdminAPI(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{
		{Method: "POST", Path: "/validate", Auth: rest.Auth{Type: rest.AuthBasic, Username: "u", Password: "p"}, Behaviour: rest.BehaviourEmailExists, Known: []string{"taken@contoso.com"}},
	}})

	r := e.Admin("GET", "/_admin/config?secrets=true", "")
	wantStatus(t, r, 200)
	var cfg rest.Config
	if err := json.Unmarshal([]byte(r.Text), &cfg); err != nil || len(cfg.Routes) != 1 || cfg.Routes[0].Auth.Password != "p" {
		t.Fatalf("GET config: %v\n%s", err, r.Text)
	}

	// add a route with a sequence, call it
	r = e.Admin("PUT", "/_admin/routes", `{"method":"GET","path":"/users/{id}","auth":{"type":"apiKey","header":"x-api-key","key":"k"},
		"responses":[{"status":500,"body":"boom","contentType":"text/plain"},{"json":{"name":"Emily","n":12345678901234567890},"delay":"1ms"}]}`)
	wantStatus(t, r, http.StatusNoContent)
	wantStatus(t, e.get("/users/1", "x-api-key", "k"), 500)
	if r := e.get("/users/1", "x-api-key", "k"); r.StatusCode != 200 || !strings.Contains(r.Text, `"n":12345678901234567890`) {
		t.Errorf("second call: %d %s", r.StatusCode, r.Text)
	}

	// replace the responses
	r = e.Admin("POST", "/_admin/responses?method=GET&path="+"/users/%7Bid%7D", `[{"status":409,"body":"{\"version\":\"1.0.0\",\"status\":409,\"userMessage\":\"no\"}"}]`)
	wantStatus(t, r, http.StatusNoContent)
	wantStatus(t, e.get("/users/2", "x-api-key", "k"), 409)

	// read the calls, by pattern and all
	r = e.Admin("GET", "/_admin/calls?path=/users/%7Bid%7D", "")
	var calls []rest.Call
	if err := json.Unmarshal([]byte(r.Text), &calls); err != nil || len(calls) != 3 {
		t.Fatalf("calls: %v\n%s", err, r.Text)
	}
	if c := calls[2]; c.PathVars["id"] != "2" || c.Attempt != 3 || c.Status != 409 || c.AuthType != rest.AuthAPIKey || c.Header.Get("X-Api-Key") != "k" {
		t.Errorf("third call = %+v", c)
	}
	if r := e.Admin("GET", "/_admin/calls", ""); !strings.Contains(r.Text, `"route":"/users/{id}"`) {
		t.Errorf("all calls: %s", r.Text)
	}

	// the added route shows in the config, with its delay as a string
	if r := e.Admin("GET", "/_admin/config", ""); !strings.Contains(r.Text, `"path":"/users/{id}"`) || !strings.Contains(r.Text, `"status":409`) {
		t.Errorf("config after changes: %s", r.Text)
	}

	// reset
	wantStatus(t, e.Admin("POST", "/_admin/reset", ""), http.StatusNoContent)
	if r := e.Admin("GET", "/_admin/calls", ""); strings.TrimSpace(r.Text) != "[]" {
		t.Errorf("calls after reset: %s", r.Text)
	}
	wantMockError(t, e.get("/users/1", "x-api-key", "k"), 404, rest.CodeNotFound)

	// the admin API is not recorded as calls
	for _, c := range e.srv.AllCalls() {
		if strings.HasPrefix(c.Path, "/_admin") {
			t.Errorf("admin call recorded: %+v", c)
		}
	}
}

func TestAdminErrors(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		status                   int
		code                     string
		mention                  string
	}{
		{"bad JSON route", "PUT", "/_admin/routes", `{"path":`, 400, rest.CodeBadRequest, "bad JSON body"},
		{"unknown route key", "PUT", "/_admin/routes", `{"path":"/a","behavior":"contacts"}`, 400, rest.CodeBadRequest, "behavior"},
		{"invalid route", "PUT", "/_admin/routes", `{"path":"a","auth":{"type":"basic"}}`, 400, rest.CodeBadRequest, "basic needs username and password"},
		{"two JSON values", "PUT", "/_admin/routes", `{"path":"/a"} {"path":"/b"}`, 400, rest.CodeBadRequest, "unexpected data"},
		{"responses not a list", "POST", "/_admin/responses?path=/v", `{"status":200}`, 400, rest.CodeBadRequest, "bad JSON body"},
		{"responses bad delay", "POST", "/_admin/responses?path=/v", `[{"delay":5}]`, 400, rest.CodeBadRequest, "delay"},
		{"responses unknown key", "POST", "/_admin/responses?path=/v", `[{"stauts":200}]`, 400, rest.CodeBadRequest, "stauts"},
		{"responses invalid", "POST", "/_admin/responses?path=/v", `[{"fault":"explode"}]`, 400, rest.CodeBadRequest, "fault"},
		{"responses without path", "POST", "/_admin/responses", `[]`, 400, rest.CodeBadRequest, "path"},
		{"responses unknown route", "POST", "/_admin/responses?method=GET&path=/v", `[]`, 404, rest.CodeNotFound, "unknown route"},
		{"wrong method", "DELETE", "/_admin/routes", ``, 405, rest.CodeMethodNotAllowed, "DELETE"},
		{"unknown admin route", "GET", "/_admin/nothing", ``, 404, rest.CodeNotFound, "/_admin/nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, rest.Config{Routes: []rest.Route{{Path: "/v"}}})
			r := e.Admin(tt.method, tt.path, tt.body)
			wantMockError(t, r, tt.status, tt.code)
			if !strings.Contains(r.Text, tt.mention) {
				t.Errorf("message does not mention %q: %s", tt.mention, r.Text)
			}
		})
	}
}

func TestAdminGuard(t *testing.T) {
	kittest.CheckAdminGuard(t, kittest.Guarded{
		New: func(t *testing.T, token string) http.Handler {
			srv, err := rest.New(rest.Config{Routes: []rest.Route{
				{Path: "/basic", Auth: rest.Auth{Type: rest.AuthBasic, Username: "b2c", Password: "basic-pa55"}},
				{Path: "/bearer", Auth: rest.Auth{Type: rest.AuthBearer, Token: "bearer-t0ken"}},
				{Path: "/key", Auth: rest.Auth{Type: rest.AuthAPIKey, Header: "x-functions-key", Key: "api-k3y"}},
			}}, rest.WithAdminToken(token))
			if err != nil {
				t.Fatal(err)
			}
			return srv.Handler()
		},
		Secrets: []string{"basic-pa55", "bearer-t0ken", "api-k3y"},
		Public:  "x-functions-key",
	})
}
