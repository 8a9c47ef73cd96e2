package rest_test

import (
	"encoding/json"
	"errors"
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
	if c := calls[2]; c.PathVars["id"] != "2" || c.Attempt != 3 || c.Status != 409 || c.AuthType != rest.AuthAPIKey || c.Header.Get("X-Api-Key") != "(redacted)" {
		t.Errorf("third call = %+v", c)
	}
	r = e.Admin("GET", "/_admin/calls?path=/users/%7Bid%7D&secrets=true", "")
	if err := json.Unmarshal([]byte(r.Text), &calls); err != nil || len(calls) != 3 || calls[2].Header.Get("X-Api-Key") != "k" {
		t.Fatalf("calls with secrets: %v\n%s", err, r.Text)
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
	for _, c := range e.Srv.AllCalls() {
		if strings.HasPrefix(c.Path, "/_admin") {
			t.Errorf("admin call recorded: %+v", c)
		}
	}
}

func TestAdminErrors(t *testing.T) {
	client := func(t *testing.T) *kittest.Client {
		return newEnv(t, rest.Config{Routes: []rest.Route{{Path: "/v"}}}).Client
	}
	kittest.CheckAdminErrors(t, client, "message",
		kittest.AdminCase{Method: "PUT", Path: "/_admin/routes", Body: `{"path":`, Status: 400, Code: rest.CodeBadRequest, Mention: "bad JSON body"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/routes", Body: `{"path":"/a","behavior":"contacts"}`, Status: 400, Code: rest.CodeBadRequest, Mention: "behavior"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/routes", Body: `{"path":"a","auth":{"type":"basic"}}`, Status: 400, Code: rest.CodeBadRequest, Mention: "basic needs username and password"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/routes", Body: `{"path":"/a"} {"path":"/b"}`, Status: 400, Code: rest.CodeBadRequest, Mention: "unexpected data"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/responses?path=/v", Body: `{"status":200}`, Status: 400, Code: rest.CodeBadRequest, Mention: "bad JSON body"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/responses?path=/v", Body: `[{"delay":5}]`, Status: 400, Code: rest.CodeBadRequest, Mention: "delay"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/responses?path=/v", Body: `[{"stauts":200}]`, Status: 400, Code: rest.CodeBadRequest, Mention: "stauts"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/responses?path=/v", Body: `[{"fault":"explode"}]`, Status: 400, Code: rest.CodeBadRequest, Mention: "fault"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/responses", Body: `[]`, Status: 400, Code: rest.CodeBadRequest, Mention: "path"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/responses?method=GET&path=/v", Body: `[]`, Status: 404, Code: rest.CodeNotFound, Mention: "unknown route"},
		kittest.AdminCase{Method: "DELETE", Path: "/_admin/routes", Body: ``, Status: 405, Code: rest.CodeMethodNotAllowed, Mention: "DELETE"},
		kittest.AdminCase{Method: "GET", Path: "/_admin/nothing", Body: ``, Status: 404, Code: rest.CodeNotFound, Mention: "/_admin/nothing"},
		// a capturing group in a variable's pattern made gorilla/mux panic
		kittest.AdminCase{Method: "PUT", Path: "/_admin/routes", Body: `{"path":"/users/{id:(a|b)}"}`, Status: 400, Code: rest.CodeBadRequest, Mention: "capturing group (parentheses)"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/routes", Body: `null`, Status: 400, Code: rest.CodeBadRequest, Mention: "got null"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/responses?path=/v", Body: ` null `, Status: 400, Code: rest.CodeBadRequest, Mention: "got null"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/routes", Body: `{"path":"/a"}`, ContentType: "text/plain", Status: 415, Code: "unsupported_media_type", Mention: "want Content-Type: application/json"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/responses?path=/v", Body: `[]`, ContentType: "application/x-www-form-urlencoded", Status: 415, Code: "unsupported_media_type", Mention: "want Content-Type: application/json"},
	)
}

func TestAdminGuard(t *testing.T) {
	cfg := rest.Config{Routes: []rest.Route{
		{Path: "/basic", Auth: rest.Auth{Type: rest.AuthBasic, Username: "b2c", Password: "basic-pa55"}},
		{Path: "/bearer", Auth: rest.Auth{Type: rest.AuthBearer, Token: "bearer-t0ken"}},
		{Path: "/key", Auth: rest.Auth{Type: rest.AuthAPIKey, Header: "x-functions-key", Key: "api-k3y"}},
	}}
	kittest.CheckAdminGuard(t, kittest.Guarded{
		New:     func(token string) (kittest.Mock, error) { return rest.New(cfg, rest.WithAdminToken(token)) },
		Secrets: []string{"basic-pa55", "bearer-t0ken", "api-k3y"},
	})
}

// TestRouteWithCapturingGroup: a route whose path pattern has a capturing group is refused with
// the problem, by AddRoute and by New, where gorilla/mux would panic; the mock keeps serving.
func TestRouteWithCapturingGroup(t *testing.T) {
	bad := rest.Route{Path: "/users/{id:(a|b)}"}
	if _, err := rest.New(rest.Config{Routes: []rest.Route{bad}}); !errors.Is(err, rest.ErrInvalidConfig) || !strings.Contains(err.Error(), "capturing group") {
		t.Errorf("New with %s: %v, want a config error naming the capturing group", bad.Path, err)
	}
	e := newEnv(t, rest.Config{Routes: []rest.Route{{Path: "/v"}}})
	if err := e.Srv.AddRoute(bad); err == nil || !strings.Contains(err.Error(), "capturing group") {
		t.Errorf("AddRoute %s: %v", bad.Path, err)
	}
	if err := e.Srv.AddRoute(rest.Route{Path: "/users/{id:[ab]}"}); err != nil {
		t.Errorf("a pattern without groups: %v", err)
	}
	wantStatus(t, e.get("/users/a"), 200)
	wantStatus(t, e.get("/v"), 200)
}

// TestAdminCallsRedactSecrets is security issue #18: GET /_admin/calls handed out the
// passwords, API keys and bearer tokens B2C sent the API. They are now "(redacted)" (in the
// headers, the query, form and JSON bodies, and a route's own API-key header) unless asked for
// with ?secrets=true; the Go API that steps assert exact wire values with still returns them.
func TestAdminCallsRedactSecrets(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{
		{Method: "POST", Path: "/migrate", Auth: rest.Auth{Type: rest.AuthAPIKey, Header: "X-Contoso-Auth", Key: "k3y-value"}},
		{Method: "POST", Path: "/form"},
	}})
	body := `{"email":"alice@contoso.com","password":"Pa55-word","profile":{"newPassword":"N3w-word","city":"Oslo"},"list":[{"client_secret":"cs-1"}]}`
	wantStatus(t, e.postJSON("/migrate?api-key=q-key&x=1", body, "X-Contoso-Auth", "k3y-value", "Authorization", "Bearer bt-123"), 200)
	wantStatus(t, e.Call("POST", "/form", "application/x-www-form-urlencoded", "email=a%40b.c&reenterPassword=R3-word"), 200)

	r := e.Admin("GET", "/_admin/calls", "")
	var calls []rest.Call
	if err := json.Unmarshal([]byte(r.Text), &calls); err != nil || len(calls) != 2 {
		t.Fatalf("calls: %v\n%s", err, r.Text)
	}
	for _, secret := range []string{"Pa55-word", "N3w-word", "cs-1", "k3y-value", "bt-123", "q-key", "R3-word"} {
		if strings.Contains(r.Text, secret) {
			t.Errorf("GET /_admin/calls shows %q\n%s", secret, r.Text)
		}
	}
	const redacted = "(redacted)"
	c := calls[0]
	profile, _ := c.JSON["profile"].(map[string]any)
	if c.JSON["password"] != redacted || c.JSON["email"] != "alice@contoso.com" || profile["newPassword"] != redacted || profile["city"] != "Oslo" ||
		c.Header.Get("X-Contoso-Auth") != redacted || c.Header.Get("Authorization") != redacted || c.BearerToken != redacted ||
		c.Query.Get("api-key") != redacted || c.Query.Get("x") != "1" || c.URL != "/migrate?api-key="+redacted+"&x=1" || !strings.Contains(c.Body, `"password":"(redacted)"`) {
		t.Errorf("JSON call shown as %+v", c)
	}
	if f := calls[1]; f.Form.Get("reenterPassword") != redacted || f.Body != "email=a%40b.c&reenterPassword="+redacted {
		t.Errorf("form call shown as %+v", f)
	}

	r = e.Admin("GET", "/_admin/calls?secrets=true", "")
	if err := json.Unmarshal([]byte(r.Text), &calls); err != nil || calls[0].Body != body || calls[0].BearerToken != "bt-123" ||
		calls[0].Header.Get("X-Contoso-Auth") != "k3y-value" || calls[1].Form.Get("reenterPassword") != "R3-word" {
		t.Errorf("?secrets=true: %v\n%s", err, r.Text)
	}
	if c := e.lastCall("/migrate"); c.Body != body || c.JSON["password"] != "Pa55-word" || c.BearerToken != "bt-123" {
		t.Errorf("LastCall = %+v, want the call as sent", c)
	}
}
