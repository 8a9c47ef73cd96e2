package stack_test

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/features"
	"github.com/iefconform/iefconform/harness/stack"
)

// TestDirectoryAdminAndFile: accounts created through the emulator's
// directory admin API are listed (hashes only when asked), kept in the
// directory file and there again after a restart; the API needs the admin
// token when the stack has one.
func TestDirectoryAdminAndFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "directory.json")
	policies, err := fs.Sub(features.FS, features.Policies)
	if err != nil {
		t.Fatal(err)
	}
	startWith := func() *stack.Stack {
		s, err := stack.Start(stack.Options{Policies: policies, DirectoryFile: file, AdminToken: "tok", PKI: testPKI})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := startWith()
	call := func(method, path, token, body string) (int, string) {
		t.Helper()
		code, b := adminRequest(t, method, s.EmulatorURL()+path, token, body)
		return code, string(b)
	}
	user := `{"identities": [{"signInType": "emailAddress", "issuer": "t", "issuerAssignedId": "bob@example.com"}], "password": "Passw0rd!", "attributes": {"displayName": "Bob"}}`
	if code, body := call(http.MethodPost, "/_admin/directory/users", "", user); code != http.StatusUnauthorized {
		t.Errorf("no token: %d %s", code, body)
	}
	code, body := call(http.MethodPost, "/_admin/directory/users", "tok", user)
	if code != http.StatusCreated || strings.Contains(body, "password") {
		t.Fatalf("create: %d %s", code, body)
	}
	var created struct {
		ObjectID string `json:"objectId"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil || created.ObjectID == "" {
		t.Fatalf("create answer %s: %v", body, err)
	}
	if code, body := call(http.MethodPost, "/_admin/directory/users", "tok", user); code != http.StatusConflict {
		t.Errorf("the same sign-in name again: %d %s", code, body)
	}
	for _, bad := range []string{`{"users": []}`, `{`, `{"attributes": {"displayName": 1}}`} {
		if code, body := call(http.MethodPost, "/_admin/directory/users", "tok", bad); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}
	if code, body := call(http.MethodGet, "/_admin/directory", "tok", ""); code != 200 || !strings.Contains(body, "bob@example.com") || strings.Contains(body, "passwordHash") {
		t.Errorf("list: %d %s", code, body)
	}
	if code, body := call(http.MethodGet, "/_admin/directory?secrets=true", "tok", ""); code != 200 || !strings.Contains(body, "passwordHash") {
		t.Errorf("list with secrets: %d %s", code, body)
	}
	if code, body := call(http.MethodPut, "/_admin/directory/nope", "tok", ""); code != http.StatusNotFound {
		t.Errorf("unknown route: %d %s", code, body)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = startWith()
	defer s.Close()
	if users := s.Directory.Users(); len(users) != 1 || users[0].ObjectID != created.ObjectID {
		t.Fatalf("after a restart: %+v", users)
	}
	if code, body := call(http.MethodDelete, "/_admin/directory/users/"+created.ObjectID, "tok", ""); code != http.StatusNoContent {
		t.Errorf("delete: %d %s", code, body)
	}
	if code, _ := call(http.MethodDelete, "/_admin/directory/users/"+created.ObjectID, "tok", ""); code != http.StatusNotFound {
		t.Errorf("delete again: %d", code)
	}
	if n := len(s.Journal.Entries()); n != 0 {
		t.Errorf("the admin API was journaled: %d entries", n)
	}
}

// TestDirectoryAdminRefusals: the directory admin API takes JSON only (415
// otherwise), and without an admin token answers only requests that name the
// emulator's own host (421 for a rebound name).
func TestDirectoryAdminRefusals(t *testing.T) {
	policies, err := fs.Sub(features.FS, features.Policies)
	if err != nil {
		t.Fatal(err)
	}
	s, err := stack.Start(stack.Options{Policies: policies, PKI: testPKI})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	user := `{"identities": [{"signInType": "emailAddress", "issuer": "t", "issuerAssignedId": "eve@example.com"}], "password": "Passw0rd!"}`
	for _, tt := range []struct {
		host, contentType string
		want              int
	}{
		{"", "text/plain", http.StatusUnsupportedMediaType},
		{"", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"", "", http.StatusUnsupportedMediaType},
		{"attacker.example", "application/json", http.StatusMisdirectedRequest},
		{"attacker.example:80", "application/json", http.StatusMisdirectedRequest},
		{"localhost", "application/json; charset=utf-8", http.StatusCreated},
	} {
		req, err := http.NewRequest(http.MethodPost, s.EmulatorURL()+"/_admin/directory/users", strings.NewReader(user))
		if err != nil {
			t.Fatal(err)
		}
		if tt.host != "" {
			req.Host = tt.host
		}
		if tt.contentType != "" {
			req.Header.Set("Content-Type", tt.contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("Host %q, Content-Type %q: %d %s, want %d", tt.host, tt.contentType, resp.StatusCode, b, tt.want)
		}
	}
	if n := len(s.Directory.Users()); n != 1 {
		t.Errorf("%d accounts, want the one request that was taken", n)
	}
}
