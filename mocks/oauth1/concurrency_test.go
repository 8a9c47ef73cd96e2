package oauth1_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	dg "github.com/dghubble/oauth1"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth1"
)

// TestConcurrentFlows runs many complete three-legged flows against one server while the Go API
// changes users and reads requests, and races two exchanges of each temporary credential; run
// it with -race.
func TestConcurrentFlows(t *testing.T) {
	e := newEnv(t, testConfig(t))
	const flows = 16
	for i := range flows {
		if err := e.srv.AddUser(oauth1.User{Username: fmt.Sprintf("user%d", i), Password: "pw", UserID: fmt.Sprint(2000 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	kittest.Concurrently(t, flows,
		func(i int) error { return e.concurrentFlow(fmt.Sprintf("user%d", i), fmt.Sprint(2000+i)) },
		func(i int) error { // the control plane, at the same time
			_ = e.srv.AddUser(oauth1.User{Username: "alice", Password: "alice-pw", UserID: userID, Claims: map[string]any{"n": i}})
			_ = e.srv.AddConsumer(oauth1.Consumer{Key: fmt.Sprintf("extra%d", i), Secret: "s"})
			_ = e.srv.Requests(oauth1.EndpointAccessToken)
			_, _ = e.srv.LastRequest(oauth1.EndpointClaims)
			_ = e.srv.Users()
			_ = e.srv.Config()
			_ = e.journal.String()
			return nil
		})
	// each flow exchanged twice at once: exactly one of each pair won
	refused := 0
	for _, en := range e.journal.Party("twitter") {
		if en.Path == oauth1.PathAccessToken && en.Error == oauth1.ProblemTokenRejected {
			refused++
		}
	}
	if got := len(e.srv.Requests(oauth1.EndpointAccessToken)); got != flows*2 || refused != flows {
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
	login, err := e.HTTP.PostForm(e.ts.URL+oauth1.PathAuthorize, form)
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
	resp, err := hc.Get(e.ts.URL + oauth1.DefaultClaimsPath)
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
