package oauth2_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth2"
)

func TestAdminGuard(t *testing.T) {
	kittest.CheckAdminGuard(t, kittest.Guarded{
		New: func(token string) (kittest.Mock, error) {
			return oauth2.New(testConfig(), oauth2.WithAdminToken(token))
		},
		Secrets: []string{clientSecret, "other-secret", "p@ss w+rd%", "alice-pw"},
	})
}

func TestEnqueueNonJSONClaims(t *testing.T) {
	e := newEnv(t, testConfig())
	tok := e.accessToken()
	e.Srv.Enqueue(oauth2.EndpointClaims, oauth2.Response{Status: 200, ContentType: "text/plain", Body: "this is not JSON"})

	r := e.Get("/me", url.Values{"access_token": {tok}, "format": {"json"}})
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "text/plain" || r.Text != "this is not JSON" {
		t.Errorf("canned response = %d %q %q", r.StatusCode, r.Header.Get("Content-Type"), r.Text)
	}
	// the request was recorded, unredacted, before the canned answer
	last, ok := e.Srv.LastRequest(oauth2.EndpointClaims)
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
	e.Srv.Enqueue(oauth2.EndpointToken, oauth2.Response{Status: 500, Body: `{"error":"temporarily_unavailable"}`})
	e.Srv.Enqueue(oauth2.EndpointToken, oauth2.Response{Status: 200, Body: `{"access_token":"canned","token_type":"Bearer"}`,
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
	if got := len(e.Srv.Requests(oauth2.EndpointToken)); got != 3 {
		t.Errorf("Requests(token) = %d, want 3", got)
	}
	if en := e.Journal.Entries(); en[len(en)-3].Error != "temporarily_unavailable" {
		t.Errorf("journal did not catch the canned error:\n%s", e.Journal)
	}
}

func TestEnqueueDelayHonoursCancellation(t *testing.T) {
	e := newEnv(t, testConfig())
	e.Srv.Enqueue(oauth2.EndpointClaims, oauth2.Response{Body: "{}", Delay: time.Hour})
	kittest.CheckDelayCancelled(t, e.Srv.Handler(), http.MethodGet, "/me?access_token=x")
}

func TestCloseReleasesDelayedResponses(t *testing.T) {
	e := newEnv(t, testConfig())
	e.Srv.Enqueue(oauth2.EndpointToken, oauth2.Response{Status: 503, Body: `{"error":"slow"}`, Delay: time.Hour})
	if r := kittest.DelayReleasedByClose(t, e.Srv.Handler(), http.MethodPost, "/token", "", e.Srv.Close); r.StatusCode != 503 {
		t.Errorf("after Close: status %d, want the canned 503 at once", r.StatusCode)
	}
}

func TestRequestsAreCopies(t *testing.T) {
	e := newEnv(t, testConfig())
	e.Get("/authorize", authzQuery(""))
	if _, ok := e.Srv.LastRequest(oauth2.EndpointToken); ok {
		t.Error("LastRequest(token) reports a request before any")
	}
	rs := e.Srv.Requests(oauth2.EndpointAuthorize)
	if len(rs) != 1 || rs[0].Query.Get("client_id") != clientID || rs[0].Time.IsZero() || rs[0].URL == "" {
		t.Fatalf("Requests(authorize) = %+v", rs)
	}
	rs[0].Query.Set("client_id", "changed")
	if got := e.Srv.Requests(oauth2.EndpointAuthorize)[0].Query.Get("client_id"); got != clientID {
		t.Errorf("Requests returned shared maps: %q", got)
	}
}

func TestGoAPI(t *testing.T) {
	e := newEnv(t, testConfig())
	if err := e.Srv.AddUser(oauth2.User{Username: "bob", Password: "b", Claims: map[string]any{"id": "2"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Srv.AddUser(oauth2.User{Username: "alice", Password: "changed"}); err != nil {
		t.Fatal(err)
	}
	users := e.Srv.Users()
	if len(users) != 2 || users[0].Username != "alice" || users[0].Password != "changed" || users[1].Username != "bob" {
		t.Errorf("Users() = %+v, want alice replaced in place and bob added", users)
	}
	users[1].Claims["id"] = "mutated"
	if got := e.Srv.Users()[1].Claims["id"]; got != "2" {
		t.Errorf("Users returned shared claims: %v", got)
	}
	if err := e.Srv.AddUser(oauth2.User{}); !errors.Is(err, oauth2.ErrInvalidConfig) {
		t.Errorf("AddUser(empty) = %v, want ErrInvalidConfig", err)
	}
	if err := e.Srv.AddClient(oauth2.Client{ID: "x"}); !errors.Is(err, oauth2.ErrInvalidConfig) {
		t.Errorf("AddClient without secret = %v, want ErrInvalidConfig", err)
	}
	if err := e.Srv.AddClient(oauth2.Client{ID: clientID, Secret: "rotated"}); err != nil {
		t.Fatal(err)
	}
	if cs := e.Srv.Clients(); len(cs) != 3 || cs[0].Secret != "rotated" {
		t.Errorf("Clients() = %+v", cs)
	}
	if err := e.Srv.SetUserClaims("nobody", nil); !errors.Is(err, oauth2.ErrUnknownUser) {
		t.Errorf("SetUserClaims(nobody) = %v, want ErrUnknownUser", err)
	}
	if err := e.Srv.SetUserClaims("bob", map[string]any{"bad": func() {}}); err == nil {
		t.Error("SetUserClaims accepted claims that cannot be JSON")
	}
}

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
	if cs := e.Srv.Clients(); cs[len(cs)-1].ID != "new-app" {
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
	for _, en := range e.Journal.Entries() {
		if strings.HasPrefix(en.Path, "/_admin") {
			t.Errorf("admin call journaled: %+v", en)
		}
	}
}

func TestAdminErrors(t *testing.T) {
	kittest.CheckAdminErrors(t, func(t *testing.T) *kittest.Client { return newEnv(t, testConfig()).Client }, "error_description",
		kittest.AdminCase{Method: "PUT", Path: "/_admin/users", Body: `{"username":`, Status: 400, Code: "invalid_request"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/users", Body: `{"username":"x","pasword":"y"}`, Status: 400, Code: "invalid_request"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/users", Body: `{"password":"y"}`, Status: 400, Code: "invalid_request"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/clients", Body: `{"id":"x"}`, Status: 400, Code: "invalid_request"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/clients", Body: `{"id":"x","secret":"s","redirectURIs":["cb"]}`, Status: 400, Code: "invalid_request"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/clients", Body: `{"id":"x","secret":"s"} {"id":"y"}`, Status: 400, Code: "invalid_request"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/enqueue?endpoint=userinfo", Body: `{}`, Status: 400, Code: "invalid_request"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/enqueue", Body: `{}`, Status: 400, Code: "invalid_request"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/enqueue?endpoint=token", Body: `{"delay":5}`, Status: 400, Code: "invalid_request"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/enqueue?endpoint=token", Body: `{"status":42}`, Status: 400, Code: "invalid_request"},
		kittest.AdminCase{Method: "GET", Path: "/_admin/requests?endpoint=nope", Body: ``, Status: 400, Code: "invalid_request"},
		kittest.AdminCase{Method: "DELETE", Path: "/_admin/users", Body: ``, Status: 405, Code: "invalid_request"},
		kittest.AdminCase{Method: "GET", Path: "/_admin/nothing", Body: ``, Status: 404, Code: "invalid_request"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/users", Body: `{"username":"x"}`, Status: 400, Code: "invalid_request", Mention: "password is empty"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/users", Body: `{"username":"x","password":""}`, Status: 400, Code: "invalid_request", Mention: "password is empty"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/enqueue?endpoint=token", Body: `null`, Status: 400, Code: "invalid_request", Mention: "got null"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/users", Body: `null`, Status: 400, Code: "invalid_request", Mention: "got null"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/users", Body: `{"username":"x","password":"y"}`, ContentType: "text/plain", Status: 415, Code: "invalid_request", Mention: "want Content-Type: application/json"},
	)
}

// TestConcurrentFlows runs many complete sign-ins against one server while the Go API changes
// users and reads requests; run it with -race.
func TestConcurrentFlows(t *testing.T) {
	e := newEnv(t, testConfig())
	const flows = 16
	for i := range flows {
		if err := e.Srv.AddUser(oauth2.User{Username: fmt.Sprintf("user%d", i), Password: "pw", Claims: map[string]any{"id": fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	kittest.Concurrently(t, flows,
		func(i int) error { return e.flow(fmt.Sprintf("user%d", i), fmt.Sprint(i)) },
		func(i int) error { // the control plane, at the same time
			_ = e.Srv.SetUserClaims("alice", map[string]any{"id": "1001", "n": i})
			_ = e.Srv.Requests(oauth2.EndpointToken)
			_, _ = e.Srv.LastRequest(oauth2.EndpointAuthorize)
			_ = e.Srv.Config()
			_ = e.Journal.String()
			return nil
		})
	if got := len(e.Srv.Requests(oauth2.EndpointToken)); got != flows {
		t.Errorf("token requests = %d, want %d", got, flows)
	}
	if got := len(e.Journal.Entries()); got != flows*4 {
		t.Errorf("journal entries = %d, want %d", got, flows*4)
	}
}

// flow is one sign-in without testing.T, for use from goroutines.
func (e *env) flow(username, wantID string) error {
	q := authzQuery("query")
	q.Set("state", username)
	page, err := e.HTTP.Get(e.TS.URL + "/authorize?" + q.Encode())
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
	login, err := e.HTTP.PostForm(e.TS.URL+"/authorize", q)
	if err != nil {
		return err
	}
	login.Body.Close()
	loc, err := url.Parse(login.Header.Get("Location"))
	if err != nil || loc.Query().Get("state") != username {
		return fmt.Errorf("%s: login redirect %q", username, login.Header.Get("Location"))
	}
	tok, err := e.HTTP.PostForm(e.TS.URL+"/token", tokenForm(loc.Query().Get("code")))
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
	req, _ := http.NewRequest(http.MethodGet, e.TS.URL+"/me", nil)
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

// TestRequestLogIsBounded: WithRequestLog bounds the raw requests kept per endpoint; the
// latest stay.
func TestRequestLogIsBounded(t *testing.T) {
	e := newEnvOpts(t, testConfig(), oauth2.WithRequestLog(2, 0))
	for i := range 5 {
		e.Get("/me", url.Values{"n": {strconv.Itoa(i)}})
	}
	rs := e.Srv.Requests(oauth2.EndpointClaims)
	if len(rs) != 2 || rs[0].Query.Get("n") != "3" || rs[1].Query.Get("n") != "4" {
		t.Errorf("5 requests with a limit of 2: kept %d: %+v", len(rs), rs)
	}
}

// TestAdminRequestsRedactSecrets is security issue #18: GET /_admin/requests handed out the
// client secrets, passwords and tokens every endpoint received. They are now "(redacted)"
// unless asked for with ?secrets=true, as in GET /_admin/config, and the Go API that steps
// assert exact wire values with still returns them as sent.
func TestAdminRequestsRedactSecrets(t *testing.T) {
	cfg := testConfig()
	cfg.Clients = append(cfg.Clients, oauth2.Client{ID: "param-app", Secret: "param-secret", ClaimsTokenParam: "tkn"})
	e := newEnv(t, cfg)
	tok := e.accessToken() // a login form with alice's password, a token request with the client secret
	e.PostForm("/token", tokenForm("a-code"), basic(clientID, clientSecret))
	e.Get("/me", url.Values{"tkn": {tok}})

	admin := func(endpoint string, secrets bool) (string, []oauth2.Request) {
		t.Helper()
		target := "/_admin/requests?endpoint=" + endpoint
		if secrets {
			target += "&secrets=true"
		}
		r := e.Admin("GET", target, "")
		var reqs []oauth2.Request
		if err := json.Unmarshal([]byte(r.Text), &reqs); err != nil || r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v\n%s", target, r.StatusCode, err, r.Text)
		}
		return r.Text, reqs
	}
	const redacted = "(redacted)"

	text, reqs := admin("authorize", false)
	login := reqs[len(reqs)-1]
	if login.Method != http.MethodPost || login.Form.Get("password") != redacted || login.Form.Get("username") != "alice" ||
		strings.Contains(text, "alice-pw") || !strings.Contains(login.Body, "password="+redacted) {
		t.Errorf("login form shown as %+v\n%s", login.Request, text)
	}
	text, reqs = admin("token", false)
	if len(reqs) != 2 || reqs[0].Form.Get("client_secret") != redacted || reqs[0].Form.Get("code") != redacted ||
		reqs[1].Header.Get("Authorization") != redacted || strings.Contains(text, clientSecret) || strings.Contains(text, tok) {
		t.Errorf("token requests shown as\n%s", text)
	}
	text, reqs = admin("claims", false)
	if len(reqs) != 1 || reqs[0].Query.Get("tkn") != redacted || reqs[0].URL != "/me?tkn="+redacted || strings.Contains(text, tok) {
		t.Errorf("a configured ClaimsTokenParam shown as\n%s", text)
	}

	// ?secrets=true shows them as sent
	if _, reqs := admin("authorize", true); reqs[len(reqs)-1].Form.Get("password") != "alice-pw" {
		t.Errorf("?secrets=true: password = %q", reqs[len(reqs)-1].Form.Get("password"))
	}
	if _, reqs := admin("token", true); reqs[0].Form.Get("client_secret") != clientSecret || reqs[1].Header.Get("Authorization") != basic(clientID, clientSecret).Get("Authorization") {
		t.Errorf("?secrets=true: token requests %+v", reqs)
	}
	if _, reqs := admin("claims", true); reqs[0].Query.Get("tkn") != tok {
		t.Errorf("?secrets=true: claims query %v", reqs[0].Query)
	}
	// the Go API is unredacted
	if last, _ := e.Srv.LastRequest(oauth2.EndpointToken); last.Header.Get("Authorization") != basic(clientID, clientSecret).Get("Authorization") {
		t.Errorf("LastRequest(token) = %+v, want the header as sent", last.Header)
	}
	if reqs := e.Srv.Requests(oauth2.EndpointToken); reqs[0].Form.Get("client_secret") != clientSecret {
		t.Errorf("Requests(token)[0].Form = %v, want the secret as sent", reqs[0].Form)
	}
}
