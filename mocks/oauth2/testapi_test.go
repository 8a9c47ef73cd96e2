package oauth2_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth2"
)

func TestEnqueueNonJSONClaims(t *testing.T) {
	e := newEnv(t, testConfig())
	tok := e.accessToken()
	e.srv.Enqueue(oauth2.EndpointClaims, oauth2.Response{Status: 200, ContentType: "text/plain", Body: "this is not JSON"})

	r := e.Get("/me", url.Values{"access_token": {tok}, "format": {"json"}})
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "text/plain" || r.Text != "this is not JSON" {
		t.Errorf("canned response = %d %q %q", r.StatusCode, r.Header.Get("Content-Type"), r.Text)
	}
	// the request was recorded, unredacted, before the canned answer
	last, ok := e.srv.LastRequest(oauth2.EndpointClaims)
	if !ok || last.Query.Get("access_token") != tok || last.Query.Get("format") != "json" || last.Method != "GET" {
		t.Errorf("LastRequest = %+v", last)
	}
	// the queue is drained: the next call is answered normally
	if r := e.Get("/me", url.Values{"access_token": {tok}}); r.StatusCode != 200 || r.JSON(t)["id"] != "1001" {
		t.Errorf("second call: %d %s", r.StatusCode, r.Text)
	}
}

func TestEnqueueTokenErrorInOrder(t *testing.T) {
	e := newEnv(t, testConfig())
	e.srv.Enqueue(oauth2.EndpointToken, oauth2.Response{Status: 500, Body: `{"error":"temporarily_unavailable"}`})
	e.srv.Enqueue(oauth2.EndpointToken, oauth2.Response{Status: 200, Body: `{"access_token":"canned","token_type":"Bearer"}`,
		Header: map[string]string{"X-Canned": "2"}})
	code := e.signIn(authzQuery(""))

	r := e.PostForm("/token", tokenForm(code), nil)
	if r.StatusCode != 500 || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("first canned: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	r = e.PostForm("/token", tokenForm(code), nil)
	if r.StatusCode != 200 || r.JSON(t)["access_token"] != "canned" || r.Header.Get("X-Canned") != "2" {
		t.Errorf("second canned: %d %s", r.StatusCode, r.Text)
	}
	// canned answers skip the checks: the code was never redeemed
	if r := e.PostForm("/token", tokenForm(code), nil); r.StatusCode != 200 {
		t.Errorf("real redemption after canned ones: %d %s", r.StatusCode, r.Text)
	}
	if got := len(e.srv.Requests(oauth2.EndpointToken)); got != 3 {
		t.Errorf("Requests(token) = %d, want 3", got)
	}
	if en := e.journal.Entries(); en[len(en)-3].Error != "temporarily_unavailable" {
		t.Errorf("journal did not catch the canned error:\n%s", e.journal)
	}
}

func TestEnqueueDelayHonoursCancellation(t *testing.T) {
	e := newEnv(t, testConfig())
	e.srv.Enqueue(oauth2.EndpointClaims, oauth2.Response{Body: "{}", Delay: time.Hour})
	kittest.CheckDelayCancelled(t, e.srv.Handler(), http.MethodGet, "/me?access_token=x")
}

func TestCloseReleasesDelayedResponses(t *testing.T) {
	e := newEnv(t, testConfig())
	e.srv.Enqueue(oauth2.EndpointToken, oauth2.Response{Status: 503, Body: `{"error":"slow"}`, Delay: time.Hour})
	if r := kittest.DelayReleasedByClose(t, e.srv.Handler(), http.MethodPost, "/token", e.srv.Close); r.StatusCode != 503 {
		t.Errorf("after Close: status %d, want the canned 503 at once", r.StatusCode)
	}
}

func TestRequestsAreCopies(t *testing.T) {
	e := newEnv(t, testConfig())
	e.Get("/authorize", authzQuery(""))
	if _, ok := e.srv.LastRequest(oauth2.EndpointToken); ok {
		t.Error("LastRequest(token) reports a request before any")
	}
	rs := e.srv.Requests(oauth2.EndpointAuthorize)
	if len(rs) != 1 || rs[0].Query.Get("client_id") != clientID || rs[0].Time.IsZero() || rs[0].URL == "" {
		t.Fatalf("Requests(authorize) = %+v", rs)
	}
	rs[0].Query.Set("client_id", "changed")
	if got := e.srv.Requests(oauth2.EndpointAuthorize)[0].Query.Get("client_id"); got != clientID {
		t.Errorf("Requests returned shared maps: %q", got)
	}
}

func TestGoAPI(t *testing.T) {
	e := newEnv(t, testConfig())
	if err := e.srv.AddUser(oauth2.User{Username: "bob", Password: "b", Claims: map[string]any{"id": "2"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.AddUser(oauth2.User{Username: "alice", Password: "changed"}); err != nil {
		t.Fatal(err)
	}
	users := e.srv.Users()
	if len(users) != 2 || users[0].Username != "alice" || users[0].Password != "changed" || users[1].Username != "bob" {
		t.Errorf("Users() = %+v, want alice replaced in place and bob added", users)
	}
	users[1].Claims["id"] = "mutated"
	if got := e.srv.Users()[1].Claims["id"]; got != "2" {
		t.Errorf("Users returned shared claims: %v", got)
	}
	if err := e.srv.AddUser(oauth2.User{}); !errors.Is(err, oauth2.ErrInvalidConfig) {
		t.Errorf("AddUser(empty) = %v, want ErrInvalidConfig", err)
	}
	if err := e.srv.AddClient(oauth2.Client{ID: "x"}); !errors.Is(err, oauth2.ErrInvalidConfig) {
		t.Errorf("AddClient without secret = %v, want ErrInvalidConfig", err)
	}
	if err := e.srv.AddClient(oauth2.Client{ID: clientID, Secret: "rotated"}); err != nil {
		t.Fatal(err)
	}
	if cs := e.srv.Clients(); len(cs) != 3 || cs[0].Secret != "rotated" {
		t.Errorf("Clients() = %+v", cs)
	}
	if err := e.srv.SetUserClaims("nobody", nil); !errors.Is(err, oauth2.ErrUnknownUser) {
		t.Errorf("SetUserClaims(nobody) = %v, want ErrUnknownUser", err)
	}
	if err := e.srv.SetUserClaims("bob", map[string]any{"bad": func() {}}); err == nil {
		t.Error("SetUserClaims accepted claims that cannot be JSON")
	}
}
