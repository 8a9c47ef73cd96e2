package oauth1_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth1"
)

func TestAdminAPI(t *testing.T) {
	e := newEnv(t, testConfig(t))

	r := e.Admin("GET", "/_admin/config", "")
	var cfg oauth1.Config
	if err := json.Unmarshal([]byte(r.Text), &cfg); err != nil || r.StatusCode != 200 {
		t.Fatalf("GET config: %d %v\n%s", r.StatusCode, err, r.Text)
	}
	if len(cfg.Consumers) != 4 || len(cfg.Users) != 2 || !strings.Contains(r.Text, `"timestampWindow":"5m0s"`) {
		t.Errorf("config = %s", r.Text)
	}

	r = e.Admin("PUT", "/_admin/consumers", `{"key":"new-consumer","secret":"s","callbackURLs":["https://n.example/cb"]}`)
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT consumers: %d %s", r.StatusCode, r.Text)
	}
	r = e.Admin("PUT", "/_admin/users", `{"username":"carol","password":"pw","userID":"3","claims":{"n":12345678901234567890}}`)
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT users: %d %s", r.StatusCode, r.Text)
	}
	r = e.Admin("PUT", "/_admin/tokens", `{"token":"carol-token","secret":"carol-secret","consumerKey":"new-consumer","username":"carol"}`)
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT tokens: %d %s", r.StatusCode, r.Text)
	}
	// the seeded token works for the new consumer, and the big number survives exactly
	dc := e.config("new-consumer", "s")
	got := e.claims(dc, creds{token: "carol-token", secret: "carol-secret"}, "")
	if got.StatusCode != 200 || !strings.Contains(got.Text, `"n":12345678901234567890`) {
		t.Errorf("claims with the seeded token: %d %s", got.StatusCode, got.Text)
	}

	r = e.Admin("POST", "/_admin/enqueue?endpoint=claims", `{"status":503,"contentType":"text/html","body":"<h1>over capacity</h1>","delay":"0s"}`)
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("enqueue: %d %s", r.StatusCode, r.Text)
	}
	if got := e.Get(oauth1.DefaultClaimsPath, nil); got.StatusCode != 503 || got.Text != "<h1>over capacity</h1>" {
		t.Errorf("enqueued via admin: %d %s", got.StatusCode, got.Text)
	}

	r = e.Admin("GET", "/_admin/requests?endpoint=claims", "")
	var reqs []oauth1.Request
	if err := json.Unmarshal([]byte(r.Text), &reqs); err != nil || len(reqs) != 2 {
		t.Fatalf("requests: %v %s", err, r.Text)
	}
	if reqs[0].OAuth.Get("oauth_token") != "carol-token" || reqs[0].BaseString == "" || !strings.Contains(r.Text, `"baseString"`) {
		t.Errorf("requests[0] = %+v", reqs[0])
	}
	// the admin routes are not journaled
	for _, en := range e.journal.Entries() {
		if strings.HasPrefix(en.Path, "/_admin") {
			t.Errorf("admin call journaled: %+v", en)
		}
	}
}

func TestAdminErrors(t *testing.T) {
	e := newEnv(t, testConfig(t))
	tests := []struct {
		method, path, body string
		status             int
		code               string
		mention            string
	}{
		{"PUT", "/_admin/consumers", `{"key":"k"}`, 400, "invalid_request", "secret is empty"},
		{"PUT", "/_admin/consumers", `{"key":"k","secret":"s","callbackUrl":"x"}`, 400, "invalid_request", "callbackUrl"},
		{"PUT", "/_admin/users", `{"username":"u","userID":"x"}`, 400, "invalid_request", "decimal digits"},
		{"PUT", "/_admin/users", `not json`, 400, "invalid_request", "bad JSON body"},
		{"PUT", "/_admin/tokens", `{"token":"t","secret":"s","consumerKey":"nobody","username":"alice"}`, 400, "invalid_request", "unknown consumer"},
		{"POST", "/_admin/enqueue?endpoint=nope", `{}`, 400, "invalid_request", "want request_token, authorize, access_token or claims"},
		{"POST", "/_admin/enqueue?endpoint=claims", `{"status":42}`, 400, "invalid_request", "status: want 100-599"},
		{"POST", "/_admin/enqueue?endpoint=claims", `{"delay":"soon"}`, 400, "invalid_request", "duration"},
		{"GET", "/_admin/requests", ``, 400, "invalid_request", "endpoint"},
		{"DELETE", "/_admin/config", ``, 405, "method_not_allowed", "DELETE"},
		{"GET", "/_admin/nothing", ``, 404, "not_found", "/_admin/nothing"},
		{"GET", "/nothing", ``, 404, "not_found", "/nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.body, func(t *testing.T) {
			r := e.Admin(tt.method, tt.path, tt.body)
			var m map[string]string
			if err := json.Unmarshal([]byte(r.Text), &m); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, r.Text)
			}
			if r.StatusCode != tt.status || m["error"] != tt.code || !strings.Contains(m["error_description"], tt.mention) {
				t.Errorf("%d %s", r.StatusCode, r.Text)
			}
		})
	}
}

func TestAdminGuard(t *testing.T) {
	kittest.CheckAdminGuard(t, kittest.Guarded{
		New: func(t *testing.T, token string) http.Handler {
			srv, err := oauth1.New(testConfig(t), oauth1.WithAdminToken(token))
			if err != nil {
				t.Fatal(err)
			}
			return srv.Handler()
		},
		Secrets: []string{consumerSecret, "any-secret", "plain-secret", "alice-pw", "bob-pw"},
		Public:  consumerKey,
	})
}
