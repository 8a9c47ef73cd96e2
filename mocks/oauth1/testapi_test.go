package oauth1_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	dg "github.com/dghubble/oauth1"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth1"
)

func TestAdminGuard(t *testing.T) {
	kittest.CheckAdminGuard(t, kittest.Guarded{
		New: func(token string) (kittest.Mock, error) {
			return oauth1.New(testConfig(t), oauth1.WithAdminToken(token))
		},
		Secrets: []string{consumerSecret, "any-secret", "plain-secret", "alice-pw", "bob-pw"},
	})
}

func TestEnqueue(t *testing.T) {
	e, cfg := newConsumerEnv(t)
	e.Srv.Enqueue(oauth1.EndpointRequestToken, oauth1.ProblemResponse(oauth1.Problem{Name: oauth1.ProblemConsumerKeyUnknown, Advice: "canned"}))
	e.Srv.Enqueue(oauth1.EndpointRequestToken, oauth1.Response{Body: "oauth_token=canned&oauth_token_secret=s&oauth_callback_confirmed=true", Header: map[string]string{"X-Canned": "2"}})

	rec := &bodyRecorder{}
	withRec := *cfg
	withRec.HTTPClient = &http.Client{Transport: rec}
	if _, _, err := withRec.RequestToken(); err == nil {
		t.Error("the canned problem did not fail RequestToken")
	}
	wantProblem(t, rec.last, oauth1.ProblemConsumerKeyUnknown)
	tok, _, err := withRec.RequestToken()
	if err != nil || tok != "canned" || rec.last.Header.Get("X-Canned") != "2" || rec.last.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("second canned: %q %v %v", tok, err, rec.last.Header)
	}
	// the queue is drained: the next call is answered normally
	if tok, _ := e.requestToken(cfg); tok == "canned" {
		t.Error("the queue was not drained")
	}
	if got := len(e.Srv.Requests(oauth1.EndpointRequestToken)); got != 3 {
		t.Errorf("Requests(request_token) = %d, want 3", got)
	}
	if en := e.Journal.Entries(); len(en) != 3 || en[0].Error != oauth1.ProblemConsumerKeyUnknown || en[0].Status != 401 || en[1].Error != "" {
		t.Errorf("journal did not catch the canned problem:\n%s", e.Journal)
	}

	// default content types per endpoint
	for ep, want := range map[oauth1.Endpoint]string{
		oauth1.EndpointClaims:    "application/json; charset=utf-8",
		oauth1.EndpointAuthorize: "text/html; charset=utf-8",
	} {
		e.Srv.Enqueue(ep, oauth1.Response{Body: "x"})
		path := oauth1.DefaultClaimsPath
		if ep == oauth1.EndpointAuthorize {
			path = oauth1.PathAuthorize
		}
		if r := e.Get(path, nil); r.Header.Get("Content-Type") != want || r.Text != "x" {
			t.Errorf("%s: %q %q", ep, r.Header.Get("Content-Type"), r.Text)
		}
	}
}

// TestRequestsAreUnredacted: the Go API keeps exact wire values, the journal redacts them.
func TestRequestsAreUnredacted(t *testing.T) {
	e := newEnv(t, testConfig(t))
	c := e.flow(e.config(consumerKey, consumerSecret))
	last, ok := e.Srv.LastRequest(oauth1.EndpointAccessToken)
	if !ok {
		t.Fatal("no access_token request")
	}
	if !strings.HasPrefix(last.Header.Get("Authorization"), "OAuth ") || last.OAuth.Get("oauth_verifier") != c.verifier || last.OAuth.Get("oauth_token") != c.reqToken {
		t.Errorf("LastRequest = %+v", last)
	}
	if last.Method != "POST" || last.URL != oauth1.PathAccessToken || last.Host != strings.TrimPrefix(e.TS.URL, "http://") || last.Time.IsZero() {
		t.Errorf("method %s url %s host %s time %s", last.Method, last.URL, last.Host, last.Time)
	}
	// the copy is the caller's own
	last.OAuth.Set("oauth_verifier", "changed")
	if again, _ := e.Srv.LastRequest(oauth1.EndpointAccessToken); again.OAuth.Get("oauth_verifier") != c.verifier {
		t.Error("LastRequest shares memory with the server")
	}
	if _, ok := e.Srv.LastRequest(oauth1.Endpoint("nope")); ok {
		t.Error("LastRequest of an unknown endpoint")
	}
	for _, en := range e.Journal.Entries() {
		if strings.Contains(en.URL+en.Header.Get("Authorization"), c.reqSecret) {
			t.Errorf("journal leaks a secret: %+v", en)
		}
	}
}

func TestEnqueueDelayHonoursCancellation(t *testing.T) {
	e := newEnv(t, testConfig(t))
	e.Srv.Enqueue(oauth1.EndpointClaims, oauth1.Response{Body: "{}", Delay: time.Hour})
	kittest.CheckDelayCancelled(t, e.Srv.Handler(), http.MethodGet, oauth1.DefaultClaimsPath)
}

func TestEnqueueDelayEndsOnClose(t *testing.T) {
	e := newEnv(t, testConfig(t))
	e.Srv.Enqueue(oauth1.EndpointAccessToken, oauth1.Response{Body: "slow", Delay: time.Hour})
	if r := kittest.DelayReleasedByClose(t, e.Srv.Handler(), http.MethodPost, oauth1.PathAccessToken, "", e.Srv.Close); r.Text != "slow" {
		t.Errorf("after Close: %d %q, want the canned body at once", r.StatusCode, r.Text)
	}
}

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
	for _, en := range e.Journal.Entries() {
		if strings.HasPrefix(en.Path, "/_admin") {
			t.Errorf("admin call journaled: %+v", en)
		}
	}
}

func TestAdminErrors(t *testing.T) {
	kittest.CheckAdminErrors(t, func(t *testing.T) *kittest.Client { return newEnv(t, testConfig(t)).Client }, "error_description",
		kittest.AdminCase{Method: "PUT", Path: "/_admin/consumers", Body: `{"key":"k"}`, Status: 400, Code: "invalid_request", Mention: "secret is empty"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/consumers", Body: `{"key":"k","secret":"s","callbackUrl":"x"}`, Status: 400, Code: "invalid_request", Mention: "callbackUrl"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/users", Body: `{"username":"u","userID":"x"}`, Status: 400, Code: "invalid_request", Mention: "decimal digits"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/users", Body: `not json`, Status: 400, Code: "invalid_request", Mention: "bad JSON body"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/tokens", Body: `{"token":"t","secret":"s","consumerKey":"nobody","username":"alice"}`, Status: 400, Code: "invalid_request", Mention: "unknown consumer"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/enqueue?endpoint=nope", Body: `{}`, Status: 400, Code: "invalid_request", Mention: "want request_token, authorize, access_token or claims"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/enqueue?endpoint=claims", Body: `{"status":42}`, Status: 400, Code: "invalid_request", Mention: "status: want 100-599"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/enqueue?endpoint=claims", Body: `{"delay":"soon"}`, Status: 400, Code: "invalid_request", Mention: "duration"},
		kittest.AdminCase{Method: "GET", Path: "/_admin/requests", Body: ``, Status: 400, Code: "invalid_request", Mention: "endpoint"},
		kittest.AdminCase{Method: "DELETE", Path: "/_admin/config", Body: ``, Status: 405, Code: "method_not_allowed", Mention: "DELETE"},
		kittest.AdminCase{Method: "GET", Path: "/_admin/nothing", Body: ``, Status: 404, Code: "not_found", Mention: "/_admin/nothing"},
		kittest.AdminCase{Method: "GET", Path: "/nothing", Body: ``, Status: 404, Code: "not_found", Mention: "/nothing"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/users", Body: `{"username":"u","userID":"7"}`, Status: 400, Code: "invalid_request", Mention: "password is empty"},
		kittest.AdminCase{Method: "POST", Path: "/_admin/enqueue?endpoint=claims", Body: `null`, Status: 400, Code: "invalid_request", Mention: "got null"},
		kittest.AdminCase{Method: "PUT", Path: "/_admin/consumers", Body: `{"key":"k","secret":"s"}`, ContentType: "application/x-www-form-urlencoded", Status: 415, Code: "unsupported_media_type", Mention: "want Content-Type: application/json"},
	)
}

// TestConcurrentFlows runs many complete three-legged flows against one server while the Go API
// changes users and reads requests, and races two exchanges of each temporary credential; run
// it with -race.
func TestConcurrentFlows(t *testing.T) {
	e := newEnv(t, testConfig(t))
	const flows = 16
	for i := range flows {
		if err := e.Srv.AddUser(oauth1.User{Username: fmt.Sprintf("user%d", i), Password: "pw", UserID: fmt.Sprint(2000 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	kittest.Concurrently(t, flows,
		func(i int) error { return e.concurrentFlow(fmt.Sprintf("user%d", i), fmt.Sprint(2000+i)) },
		func(i int) error { // the control plane, at the same time
			_ = e.Srv.AddUser(oauth1.User{Username: "alice", Password: "alice-pw", UserID: userID, Claims: map[string]any{"n": i}})
			_ = e.Srv.AddConsumer(oauth1.Consumer{Key: fmt.Sprintf("extra%d", i), Secret: "s"})
			_ = e.Srv.Requests(oauth1.EndpointAccessToken)
			_, _ = e.Srv.LastRequest(oauth1.EndpointClaims)
			_ = e.Srv.Config()
			_ = e.Journal.String()
			return nil
		})
	// each flow exchanged twice at once: exactly one of each pair won
	refused := 0
	for _, en := range e.Journal.Party("twitter") {
		if en.Path == oauth1.PathAccessToken && en.Error == oauth1.ProblemTokenRejected {
			refused++
		}
	}
	if got := len(e.Srv.Requests(oauth1.EndpointAccessToken)); got != flows*2 || refused != flows {
		t.Errorf("access token requests = %d (want %d), refused = %d (want %d)", got, flows*2, refused, flows)
	}
}

// concurrentFlow is one three-legged flow without testing.T, for use from goroutines. It sends
// the token request twice at once; exactly one must succeed.
func (e *env) concurrentFlow(username, wantID string) error {
	cfg := e.config(consumerKey, consumerSecret)
	tok, sec, err := cfg.RequestToken()
	if err != nil {
		return fmt.Errorf("%s: request token: %w", username, err)
	}
	form := url.Values{"oauth_token": {tok}, "username": {username}, "password": {"pw"}, "action": {"allow"}}
	login, err := e.HTTP.PostForm(e.TS.URL+oauth1.PathAuthorize, form)
	if err != nil {
		return err
	}
	login.Body.Close()
	cb, err := http.NewRequest(http.MethodGet, login.Header.Get("Location"), nil)
	if err != nil {
		return err
	}
	_, ver, err := dg.ParseAuthorizationCallback(cb)
	if err != nil {
		return fmt.Errorf("%s: callback %q: %w", username, login.Header.Get("Location"), err)
	}

	type result struct {
		token, secret string
		err           error
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			t, s, err := cfg.AccessToken(tok, sec, ver)
			results <- result{t, s, err}
		}()
	}
	var won *result
	for range 2 {
		r := <-results
		if r.err == nil {
			if won != nil {
				return fmt.Errorf("%s: both exchanges of one temporary credential succeeded", username)
			}
			won = &r
		} else if !strings.Contains(r.err.Error(), "token_rejected") {
			return fmt.Errorf("%s: losing exchange: %w", username, r.err)
		}
	}
	if won == nil {
		return fmt.Errorf("%s: no exchange succeeded", username)
	}

	hc := dg.NewClient(context.Background(), cfg, dg.NewToken(won.token, won.secret))
	resp, err := hc.Get(e.TS.URL + oauth1.DefaultClaimsPath)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var claims map[string]any
	if err := json.Unmarshal(body, &claims); err != nil || claims["id_str"] != wantID || claims["screen_name"] != username {
		return fmt.Errorf("%s: claims %s (%v), want id_str %s", username, body, err, wantID)
	}
	return nil
}

// TestRequestLogIsBounded: WithRequestLog bounds the raw requests kept per endpoint; the
// latest stay.
func TestRequestLogIsBounded(t *testing.T) {
	e := newEnv(t, testConfig(t), oauth1.WithRequestLog(2, 0))
	for i := range 5 {
		e.Get(e.Srv.ClaimsPath(), url.Values{"n": {strconv.Itoa(i)}})
	}
	rs := e.Srv.Requests(oauth1.EndpointClaims)
	if len(rs) != 2 || rs[0].Query.Get("n") != "3" || rs[1].Query.Get("n") != "4" {
		t.Errorf("5 requests with a limit of 2: kept %d: %+v", len(rs), rs)
	}
}

// TestAdminRequestsRedactSecrets is security issue #18: GET /_admin/requests handed out the
// oauth_verifier, the signatures and the passwords the endpoints received. They are now
// "(redacted)", in the OAuth parameters, the Authorization header and the signature base string
// too, unless asked for with ?secrets=true; the Go API still returns them as sent.
func TestAdminRequestsRedactSecrets(t *testing.T) {
	e := newEnv(t, testConfig(t))
	c := e.flow(e.config(consumerKey, consumerSecret))
	sent, _ := e.Srv.LastRequest(oauth1.EndpointAccessToken)

	admin := func(target string) (string, []oauth1.Request) {
		t.Helper()
		r := e.Admin("GET", target, "")
		var reqs []oauth1.Request
		if err := json.Unmarshal([]byte(r.Text), &reqs); err != nil || r.StatusCode != http.StatusOK || len(reqs) == 0 {
			t.Fatalf("GET %s: %d %v\n%s", target, r.StatusCode, err, r.Text)
		}
		return r.Text, reqs
	}
	const redacted = "(redacted)"

	text, reqs := admin("/_admin/requests?endpoint=access_token")
	got := reqs[len(reqs)-1]
	wantBase := strings.Replace(sent.BaseString, "oauth_verifier%3D"+oauth1.PercentEncode(oauth1.PercentEncode(c.verifier)), "oauth_verifier%3D%28redacted%29", 1)
	if got.OAuth.Get("oauth_verifier") != redacted || got.OAuth.Get("oauth_signature") != redacted || got.OAuth.Get("oauth_token") != c.reqToken ||
		got.Header.Get("Authorization") != redacted || got.BaseString != wantBase || wantBase == sent.BaseString || strings.Contains(text, c.verifier) {
		t.Errorf("access token request shown as %+v\nwant base string %s", got, wantBase)
	}
	text, reqs = admin("/_admin/requests?endpoint=authorize")
	if login := reqs[len(reqs)-1]; login.Method != http.MethodPost || login.Form.Get("password") != redacted || strings.Contains(text, "alice-pw") {
		t.Errorf("login form shown as %+v", login.Request)
	}

	// ?secrets=true shows them as sent, and the Go API never redacts
	if _, reqs := admin("/_admin/requests?endpoint=access_token&secrets=true"); reqs[len(reqs)-1].BaseString != sent.BaseString ||
		reqs[len(reqs)-1].OAuth.Get("oauth_verifier") != c.verifier || reqs[len(reqs)-1].Header.Get("Authorization") != sent.Header.Get("Authorization") {
		t.Errorf("?secrets=true: %+v", reqs[len(reqs)-1])
	}
	if _, reqs := admin("/_admin/requests?endpoint=authorize&secrets=true"); reqs[len(reqs)-1].Form.Get("password") != "alice-pw" {
		t.Errorf("?secrets=true: login form %v", reqs[len(reqs)-1].Form)
	}
	if sent.OAuth.Get("oauth_verifier") != c.verifier {
		t.Errorf("LastRequest: oauth_verifier %q, want %q", sent.OAuth.Get("oauth_verifier"), c.verifier)
	}
}
