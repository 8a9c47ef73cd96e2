package oauth1_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth1"
)

func TestEnqueue(t *testing.T) {
	e := newEnv(t, testConfig(t))
	cfg := e.config(consumerKey, consumerSecret)
	e.srv.Enqueue(oauth1.EndpointRequestToken, oauth1.ProblemResponse(oauth1.Problem{Name: oauth1.ProblemConsumerKeyUnknown, Advice: "canned"}))
	e.srv.Enqueue(oauth1.EndpointRequestToken, oauth1.Response{Body: "oauth_token=canned&oauth_token_secret=s&oauth_callback_confirmed=true", Header: map[string]string{"X-Canned": "2"}})

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
	if got := len(e.srv.Requests(oauth1.EndpointRequestToken)); got != 3 {
		t.Errorf("Requests(request_token) = %d, want 3", got)
	}
	if en := e.journal.Entries(); len(en) != 3 || en[0].Error != oauth1.ProblemConsumerKeyUnknown || en[0].Status != 401 || en[1].Error != "" {
		t.Errorf("journal did not catch the canned problem:\n%s", e.journal)
	}

	// default content types per endpoint
	for ep, want := range map[oauth1.Endpoint]string{
		oauth1.EndpointClaims:    "application/json; charset=utf-8",
		oauth1.EndpointAuthorize: "text/html; charset=utf-8",
	} {
		e.srv.Enqueue(ep, oauth1.Response{Body: "x"})
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
	last, ok := e.srv.LastRequest(oauth1.EndpointAccessToken)
	if !ok {
		t.Fatal("no access_token request")
	}
	if !strings.HasPrefix(last.Header.Get("Authorization"), "OAuth ") || last.OAuth.Get("oauth_verifier") != c.verifier || last.OAuth.Get("oauth_token") != c.reqToken {
		t.Errorf("LastRequest = %+v", last)
	}
	if last.Method != "POST" || last.URL != oauth1.PathAccessToken || last.Host != strings.TrimPrefix(e.ts.URL, "http://") || last.Time.IsZero() {
		t.Errorf("method %s url %s host %s time %s", last.Method, last.URL, last.Host, last.Time)
	}
	// the copy is the caller's own
	last.OAuth.Set("oauth_verifier", "changed")
	if again, _ := e.srv.LastRequest(oauth1.EndpointAccessToken); again.OAuth.Get("oauth_verifier") != c.verifier {
		t.Error("LastRequest shares memory with the server")
	}
	if _, ok := e.srv.LastRequest(oauth1.Endpoint("nope")); ok {
		t.Error("LastRequest of an unknown endpoint")
	}
	for _, en := range e.journal.Entries() {
		if strings.Contains(en.URL+en.Header.Get("Authorization"), c.reqSecret) {
			t.Errorf("journal leaks a secret: %+v", en)
		}
	}
}

func TestEnqueueDelayHonoursCancellation(t *testing.T) {
	e := newEnv(t, testConfig(t))
	e.srv.Enqueue(oauth1.EndpointClaims, oauth1.Response{Body: "{}", Delay: time.Hour})
	kittest.CheckDelayCancelled(t, e.srv.Handler(), http.MethodGet, oauth1.DefaultClaimsPath)
}

func TestEnqueueDelayEndsOnClose(t *testing.T) {
	e := newEnv(t, testConfig(t))
	e.srv.Enqueue(oauth1.EndpointAccessToken, oauth1.Response{Body: "slow", Delay: time.Hour})
	if r := kittest.DelayReleasedByClose(t, e.srv.Handler(), http.MethodPost, oauth1.PathAccessToken, e.srv.Close); r.Text != "slow" {
		t.Errorf("after Close: %d %q, want the canned body at once", r.StatusCode, r.Text)
	}
}
