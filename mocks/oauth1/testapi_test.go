package oauth1_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
		if r := e.get(path, nil); r.Header.Get("Content-Type") != want || r.body != "x" {
			t.Errorf("%s: %q %q", ep, r.Header.Get("Content-Type"), r.body)
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

// signalling wraps h and reports each request it starts serving.
func signalling(h http.Handler, started chan<- struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		h.ServeHTTP(w, r)
	})
}

func TestEnqueueDelayHonoursCancellation(t *testing.T) {
	e := newEnv(t, testConfig(t))
	started := make(chan struct{}, 1)
	ts := httptest.NewServer(signalling(e.srv.Handler(), started))
	defer ts.Close()
	e.srv.Enqueue(oauth1.EndpointClaims, oauth1.Response{Body: "{}", Delay: time.Hour})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+oauth1.DefaultClaimsPath, nil)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestEnqueueDelayEndsOnClose(t *testing.T) {
	e := newEnv(t, testConfig(t))
	started := make(chan struct{}, 1)
	ts := httptest.NewServer(signalling(e.srv.Handler(), started))
	defer ts.Close()
	e.srv.Enqueue(oauth1.EndpointAccessToken, oauth1.Response{Body: "slow", Delay: time.Hour})

	type result struct {
		body string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Post(ts.URL+oauth1.PathAccessToken, "", nil)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b := make([]byte, 16)
		n, _ := resp.Body.Read(b)
		done <- result{body: string(b[:n])}
	}()
	<-started
	e.srv.Close()
	e.srv.Close() // idempotent
	if r := <-done; r.err != nil || r.body != "slow" {
		t.Errorf("after Close: %q %v", r.body, r.err)
	}
}
