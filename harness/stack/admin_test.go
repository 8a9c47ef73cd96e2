package stack_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/harness/httpdriver"
)

// adminRequest sends one request to an admin API (a JSON body when body is
// not empty, the Bearer token when token is not) and returns the answer.
func adminRequest(t *testing.T, method, u, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// adminCall sends one request to the stack's admin API and decodes the JSON answer into out.
func adminCall(t *testing.T, method, u, body string, out any) int {
	t.Helper()
	code, b := adminRequest(t, method, u, "", body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v", method, u, err)
		}
	}
	return code
}

// TestStackAdminAPI: a test outside the process begins a sign-in, reads what
// the relying party received and the journal, all over the emulator's admin API.
func TestStackAdminAPI(t *testing.T) {
	s := start(t)
	base := s.EmulatorURL() + "/_admin/"
	var begun struct{ URL, State string }
	if code := adminCall(t, http.MethodPost, base+"signin", `{"policy": "B2C_1A_signup_signin"}`, &begun); code != http.StatusOK || begun.URL == "" {
		t.Fatalf("signin: HTTP %d %+v", code, begun)
	}
	var none map[string]string
	if code := adminCall(t, http.MethodGet, base+"results/"+begun.State, "", &none); code != http.StatusNotFound {
		t.Errorf("a result before the sign-in: HTTP %d", code)
	}
	c, err := httpdriver.New(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(begun.URL, "login-form", map[string]string{"username": "alice", "password": "wonderland"}, "signin"); err != nil {
		t.Fatal(err)
	}
	type result struct {
		IDToken     string
		VerifyError string
		Raw         string
		Claims      map[string]any
	}
	var res result
	if code := adminCall(t, http.MethodGet, base+"results/"+begun.State+"?wait=10s", "", &res); code != http.StatusOK || res.IDToken == "" || res.VerifyError != "" || res.Claims["email"] != "alice@example.com" {
		t.Fatalf("result: HTTP %d %+v", code, res)
	}
	if res.Raw != "(redacted)" {
		t.Errorf("the raw answer is shown without ?secrets=true: %q", res.Raw)
	}
	var full result
	if code := adminCall(t, http.MethodGet, base+"results/"+begun.State+"?secrets=true", "", &full); code != http.StatusOK || !strings.Contains(full.Raw, "id_token=") {
		t.Errorf("?secrets=true: HTTP %d, raw %q", code, full.Raw)
	}
	// A wait for a state the relying party never began ends at once, keeping nothing.
	if code := adminCall(t, http.MethodGet, base+"results/never-begun?wait=50s", "", nil); code != http.StatusNotFound || s.RP.Began("never-begun") {
		t.Errorf("a never-begun state: HTTP %d, recorded %v", code, s.RP.Began("never-begun"))
	}
	var j struct {
		Entries []struct{ Party, Path string }
		Dropped int
	}
	if code := adminCall(t, http.MethodGet, base+"journal", "", &j); code != http.StatusOK {
		t.Fatalf("journal: HTTP %d", code)
	}
	parties := map[string]bool{}
	for _, e := range j.Entries {
		parties[e.Party] = true
		if strings.HasPrefix(e.Path, "/_admin/") {
			t.Errorf("the journal holds an admin request: %s", e.Path)
		}
	}
	if !parties["b2c"] || !parties["facebook"] || !parties["rp"] {
		t.Errorf("journal parties %v, want b2c, facebook and rp", parties)
	}
	for _, bad := range []struct{ method, path, body string }{
		{http.MethodPost, "signin", `{"policy": ""}`},
		{http.MethodPost, "signin", `{"policy": "B2C_1A_nope"}`},
		{http.MethodGet, "nowhere", ""},
	} {
		if code := adminCall(t, bad.method, base+bad.path, bad.body, nil); code/100 != 4 {
			t.Errorf("%s %s %s: HTTP %d, want 4xx", bad.method, bad.path, bad.body, code)
		}
	}
}
