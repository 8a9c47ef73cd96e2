package oauth2_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth2"
)

// TestConcurrentFlows runs many complete sign-ins against one server while the Go API changes
// users and reads requests; run it with -race.
func TestConcurrentFlows(t *testing.T) {
	e := newEnv(t, testConfig())
	const flows = 16
	for i := range flows {
		if err := e.srv.AddUser(oauth2.User{Username: fmt.Sprintf("user%d", i), Password: "pw", Claims: map[string]any{"id": fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	kittest.Concurrently(t, flows,
		func(i int) error { return e.flow(fmt.Sprintf("user%d", i), fmt.Sprint(i)) },
		func(i int) error { // the control plane, at the same time
			_ = e.srv.SetUserClaims("alice", map[string]any{"id": "1001", "n": i})
			_ = e.srv.Requests(oauth2.EndpointToken)
			_, _ = e.srv.LastRequest(oauth2.EndpointAuthorize)
			_ = e.srv.Users()
			_ = e.srv.Config()
			_ = e.journal.String()
			return nil
		})
	if got := len(e.srv.Requests(oauth2.EndpointToken)); got != flows {
		t.Errorf("token requests = %d, want %d", got, flows)
	}
	if got := len(e.journal.Entries()); got != flows*4 {
		t.Errorf("journal entries = %d, want %d", got, flows*4)
	}
}

// flow is one sign-in without testing.T, for use from goroutines.
func (e *env) flow(username, wantID string) error {
	q := authzQuery("query")
	q.Set("state", username)
	page, err := e.HTTP.Get(e.ts.URL + "/authorize?" + q.Encode())
	if err != nil {
		return err
	}
	page.Body.Close()
	if page.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: authorize status %d", username, page.StatusCode)
	}
	q.Set("username", username)
	q.Set("password", "pw")
	q.Set("action", "signin")
	login, err := e.HTTP.PostForm(e.ts.URL+"/authorize", q)
	if err != nil {
		return err
	}
	login.Body.Close()
	loc, err := url.Parse(login.Header.Get("Location"))
	if err != nil || loc.Query().Get("state") != username {
		return fmt.Errorf("%s: login redirect %q", username, login.Header.Get("Location"))
	}
	tok, err := e.HTTP.PostForm(e.ts.URL+"/token", tokenForm(loc.Query().Get("code")))
	if err != nil {
		return err
	}
	defer tok.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(tok.Body).Decode(&tr); err != nil || tok.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: token status %d: %v", username, tok.StatusCode, err)
	}
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	me, err := e.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer me.Body.Close()
	var claims map[string]any
	if err := json.NewDecoder(me.Body).Decode(&claims); err != nil || claims["id"] != wantID {
		return fmt.Errorf("%s: claims %v (%v), want id %s", username, claims, err, wantID)
	}
	return nil
}
