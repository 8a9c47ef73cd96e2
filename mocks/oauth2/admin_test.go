package oauth2_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth2"
)

func TestAdminAPI(t *testing.T) {
	e := newEnv(t, testConfig())

	r := e.Admin("GET", "/_admin/config", "")
	var cfg oauth2.Config
	if err := json.Unmarshal([]byte(r.Text), &cfg); err != nil || r.StatusCode != 200 {
		t.Fatalf("GET config: %d %v\n%s", r.StatusCode, err, r.Text)
	}
	if len(cfg.Clients) != 3 || len(cfg.Users) != 1 || cfg.CodeTTL != oauth2.Duration(oauth2.DefaultCodeTTL) || !strings.Contains(r.Text, `"codeTTL":"1m0s"`) {
		t.Errorf("config = %s", r.Text)
	}

	r = e.Admin("PUT", "/_admin/users", `{"username":"bob","password":"bob-pw","claims":{"id":"2","emails":["a@x","b@x"],"n":12345678901234567890}}`)
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT users: %d %s", r.StatusCode, r.Text)
	}
	r = e.Admin("PUT", "/_admin/clients", `{"id":"new-app","secret":"s","redirectURIs":["https://n.example/cb"]}`)
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT clients: %d %s", r.StatusCode, r.Text)
	}
	if cs := e.srv.Clients(); cs[len(cs)-1].ID != "new-app" {
		t.Errorf("client not added: %+v", cs)
	}
	// bob signs in and his claims come back exactly, big number included
	q := authzQuery("")
	page := e.Get("/authorize", q)
	login := e.PostForm("/authorize", kittest.LoginForm(t, page.Text, "bob", "bob-pw", "signin"), nil)
	if login.StatusCode != http.StatusFound {
		t.Fatalf("bob's login: %d\n%s", login.StatusCode, login.Text)
	}

	r = e.Admin("POST", "/_admin/enqueue?endpoint=claims", `{"status":502,"contentType":"text/html","body":"<h1>bad gateway</h1>","delay":"0s"}`)
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("enqueue: %d %s", r.StatusCode, r.Text)
	}
	if me := e.Get("/me", nil); me.StatusCode != 502 || me.Text != "<h1>bad gateway</h1>" {
		t.Errorf("enqueued via admin: %d %s", me.StatusCode, me.Text)
	}

	r = e.Admin("GET", "/_admin/requests?endpoint=claims", "")
	var reqs []oauth2.Request
	if err := json.Unmarshal([]byte(r.Text), &reqs); err != nil || len(reqs) != 1 || reqs[0].Method != "GET" || reqs[0].URL != "/me" {
		t.Errorf("requests: %v %s", err, r.Text)
	}
	if r := e.Admin("GET", "/_admin/requests?endpoint=token", ""); strings.TrimSpace(r.Text) != "[]" {
		t.Errorf("no token requests: want [], got %s", r.Text)
	}

	// the admin API is not party traffic: the journal holds only the protocol calls
	for _, en := range e.journal.Entries() {
		if strings.HasPrefix(en.Path, "/_admin") {
			t.Errorf("admin call journaled: %+v", en)
		}
	}
}

func TestAdminErrors(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"bad JSON user", "PUT", "/_admin/users", `{"username":`, 400},
		{"unknown field", "PUT", "/_admin/users", `{"username":"x","pasword":"y"}`, 400},
		{"empty username", "PUT", "/_admin/users", `{"password":"y"}`, 400},
		{"client without secret", "PUT", "/_admin/clients", `{"id":"x"}`, 400},
		{"client bad redirect", "PUT", "/_admin/clients", `{"id":"x","secret":"s","redirectURIs":["cb"]}`, 400},
		{"two JSON values", "PUT", "/_admin/clients", `{"id":"x","secret":"s"} {"id":"y"}`, 400},
		{"enqueue unknown endpoint", "POST", "/_admin/enqueue?endpoint=userinfo", `{}`, 400},
		{"enqueue no endpoint", "POST", "/_admin/enqueue", `{}`, 400},
		{"enqueue bad delay", "POST", "/_admin/enqueue?endpoint=token", `{"delay":5}`, 400},
		{"enqueue bad status", "POST", "/_admin/enqueue?endpoint=token", `{"status":42}`, 400},
		{"requests unknown endpoint", "GET", "/_admin/requests?endpoint=nope", ``, 400},
		{"wrong method", "DELETE", "/_admin/users", ``, 405},
		{"unknown admin route", "GET", "/_admin/nothing", ``, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testConfig())
			r := e.Admin(tt.method, tt.path, tt.body)
			wantOAuthError(t, r, tt.status, "invalid_request")
		})
	}
}

func TestAdminGuard(t *testing.T) {
	kittest.CheckAdminGuard(t, kittest.Guarded{
		New: func(t *testing.T, token string) http.Handler {
			srv, err := oauth2.New(testConfig(), oauth2.WithAdminToken(token))
			if err != nil {
				t.Fatal(err)
			}
			return srv.Handler()
		},
		Secrets: []string{clientSecret, "other-secret", "p@ss w+rd%", "alice-pw"},
		Public:  clientID,
	})
}
