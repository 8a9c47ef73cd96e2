package oauth2_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestClaims(t *testing.T) {
	e := newEnv(t, testConfig())
	tok := e.accessToken()
	full := map[string]any{
		"id": "1001", "first_name": "Alice", "last_name": "Smith", "email": "alice@example.com",
		"picture":   map[string]any{"data": map[string]any{"url": "https://example.com/alice.png"}},
		"languages": []any{map[string]any{"id": "1", "name": "English"}},
	}
	tests := []struct {
		name   string
		query  url.Values
		header http.Header
		want   map[string]any
	}{
		{"query token, all claims", url.Values{"access_token": {tok}}, nil, full},
		{"bearer header", nil, http.Header{"Authorization": {"Bearer " + tok}}, full},
		{"bearer scheme in lower case", nil, http.Header{"Authorization": {"bearer " + tok}}, full},
		{"fields", url.Values{"access_token": {tok}, "fields": {"email, first_name"}},
			nil, map[string]any{"id": "1001", "email": "alice@example.com", "first_name": "Alice"}},
		{"fields with graph modifiers", url.Values{"access_token": {tok}, "fields": {"picture.type(large),languages{name,id},missing"}},
			nil, map[string]any{"id": "1001", "picture": full["picture"], "languages": full["languages"]}},
		{"extra B2C parameters ignored", url.Values{"access_token": {tok}, "format": {"json"}, "resource": {"r"}}, nil, full},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Send(http.MethodGet, "/me", tt.query, tt.header)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status %d\n%s", r.StatusCode, r.Text)
			}
			if got := r.JSON(t); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("claims = %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestClaimsErrors(t *testing.T) {
	e := newEnv(t, testConfig())
	tok := e.accessToken()
	tests := []struct {
		name    string
		method  string
		query   url.Values
		header  http.Header
		status  int
		errCode string
	}{
		{"no token", "GET", nil, nil, 401, "invalid_token"},
		{"empty token", "GET", url.Values{"access_token": {""}}, nil, 401, "invalid_token"},
		{"unknown token", "GET", url.Values{"access_token": {"nope"}}, nil, 401, "invalid_token"},
		{"basic instead of bearer", "GET", nil, basic(clientID, clientSecret), 401, "invalid_token"},
		{"two methods", "GET", url.Values{"access_token": {tok}}, http.Header{"Authorization": {"Bearer " + tok}}, 400, "invalid_request"},
		{"DELETE", "DELETE", url.Values{"access_token": {tok}}, nil, 405, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Send(tt.method, "/me", tt.query, tt.header)
			wantOAuthError(t, r, tt.status, tt.errCode)
			if tt.status != 405 {
				ch := r.Header.Get("WWW-Authenticate")
				if !strings.HasPrefix(ch, "Bearer ") || !strings.Contains(ch, `error="`+tt.errCode+`"`) {
					t.Errorf("WWW-Authenticate = %q, want Bearer error=%q", ch, tt.errCode)
				}
			}
		})
	}
}

func TestClaimsPostForm(t *testing.T) {
	e := newEnv(t, testConfig())
	tok := e.accessToken()
	r := e.PostForm("/me", url.Values{"access_token": {tok}}, nil)
	if r.StatusCode != http.StatusOK || r.JSON(t)["id"] != "1001" {
		t.Errorf("POST /me with a form token: %d\n%s", r.StatusCode, r.Text)
	}
}

func TestClaimsFollowUserChanges(t *testing.T) {
	e := newEnv(t, testConfig())
	tok := e.accessToken()
	if err := e.Srv.SetUserClaims("alice", map[string]any{"id": "1001", "email": "new@example.com"}); err != nil {
		t.Fatal(err)
	}
	r := e.Get("/me", url.Values{"access_token": {tok}})
	if got := r.JSON(t); !reflect.DeepEqual(got, map[string]any{"id": "1001", "email": "new@example.com"}) {
		t.Errorf("claims after SetUserClaims = %v", got)
	}
}
