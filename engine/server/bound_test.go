package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// TestAnswersBoundToTheBrowser: an identity provider's answer is taken only
// from the browser that started the journey (its journey cookie): a forged
// answer posted by a page to a browser without the cookie signs nobody in
// (login CSRF); the duplicate of an answer the journey already took (a double
// click) gets the error page and never reaches the relying party.
func TestAnswersBoundToTheBrowser(t *testing.T) {
	e := newEmulator(t, emuOptions{})
	victim := newBrowser(t)
	idp := redirectOf(t, victim, e.authorizeURL(policySignIn, nil))

	// The IdP answers by form_post; a browser without the journey cookie
	// posts it, as a forged page would.
	attacker := newBrowser(t)
	o := attacker.get(idp.String())
	wantPage(t, o, http.StatusBadRequest, "AADB2C90273")
	if !strings.Contains(o.Body, "cookie is missing") {
		t.Errorf("page: %s", o)
	}
	if n := e.idpA.count("/token"); n != 0 {
		t.Errorf("the forged answer's code was redeemed: %d token calls", n)
	}
	method, u, body := attacker.lastAuthresp(t)
	if method != http.MethodPost {
		t.Fatalf("the IdP's answer was a %s", method)
	}
	form, err := url.ParseQuery(body)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the browser's own answer completes the journey, its duplicates get the error page", func(t *testing.T) {
		concurrentAnswers(t, 3, func() *outcome { return victim.post(u, form) })
	})
}

// TestLogSafe: errors are logged without the query of the URLs they name.
func TestLogSafe(t *testing.T) {
	err := &url.Error{Op: "Get", URL: "https://graph.facebook.com/oauth/access_token?client_id=a&client_secret=s3cret&code=c", Err: errors.New("connection refused")}
	got := logSafe(fmt.Errorf("claims exchange Facebook-OAUTH: %w", err))
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "https://graph.facebook.com/oauth/access_token?(query left out)") || !strings.Contains(got, "connection refused") {
		t.Errorf("logSafe = %q", got)
	}
	if logSafe(nil) != "" {
		t.Error("logSafe(nil)")
	}
}

// TestLogoutTargetScheme: a post_logout_redirect_uri that would run script is
// refused (and no application can register one: TestReadApplications).
func TestLogoutTargetScheme(t *testing.T) {
	e := newEmulator(t, emuOptions{})
	for _, target := range []string{"javascript:alert(1)", "data:text/html,x", "ftp://x.example/"} {
		o := newBrowser(t).get(e.srv.LogoutURL(policySignIn) + "?post_logout_redirect_uri=" + url.QueryEscape(target))
		wantPage(t, o, http.StatusBadRequest, "AADB2C90272")
	}
}

// TestTokenCallFollowsNoRedirect: a token endpoint that answers 307 to another
// origin does not get the client secret resent there; the sign-in fails.
func TestTokenCallFollowsNoRedirect(t *testing.T) {
	var mu sync.Mutex
	got := 0
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got++
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer elsewhere.Close()
	e := newEmulator(t, emuOptions{})
	e.idpA.set(func(f *fakeIdP) {
		f.tokenStatus, f.tokenLocation = http.StatusTemporaryRedirect, elsewhere.URL+"/steal"
	})
	o := signIn(t, e, newBrowser(t), policySignIn, nil, "")
	if o.Mode == "page" || o.Params.Get("error") == "" || o.Params.Get("id_token") != "" {
		t.Fatalf("want an error at the relying party, got %s", o)
	}
	mu.Lock()
	defer mu.Unlock()
	if got != 0 {
		t.Errorf("the redirect target got %d requests: the token call followed the 307", got)
	}
}

// concurrentAnswers has the browser deliver the same answer n times at once
// and checks that the relying party got exactly one id_token and every
// duplicate the error page.
func concurrentAnswers(t *testing.T, n int, deliver func() *outcome) {
	t.Helper()
	outcomes := make([]*outcome, n)
	var wg sync.WaitGroup
	for i := range outcomes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i] = deliver()
		}()
	}
	wg.Wait()
	tokens := 0
	for _, o := range outcomes {
		switch {
		case o.Mode != "page" && o.Params.Get("id_token") != "":
			tokens++
		case o.Mode == "page" && o.Status == http.StatusBadRequest:
		default:
			t.Fatalf("a duplicate reached the relying party or failed otherwise: %s", o)
		}
	}
	if tokens != 1 {
		t.Fatalf("%d id_tokens at the relying party, want exactly 1", tokens)
	}
}

// TestDoubleClickedAnswers: the IdP's answer posted 20 times at once, in 100
// journeys, OAuth2 (form_post) and OAuth 1.0a (GET callback): the relying
// party receives exactly one answer each time, the id_token (issue #18).
func TestDoubleClickedAnswers(t *testing.T) {
	const journeys, clicks = 100, 20
	t.Run("OAuth2", func(t *testing.T) {
		e := newEmulator(t, emuOptions{})
		for range journeys {
			victim := newBrowser(t)
			idp := redirectOf(t, victim, e.authorizeURL(policySignIn, nil))
			relay := newBrowser(t) // gets the IdP's form_post answer without posting it anywhere useful
			_ = relay.get(idp.String())
			_, u, body := relay.lastAuthresp(t)
			form, err := url.ParseQuery(body)
			if err != nil {
				t.Fatal(err)
			}
			concurrentAnswers(t, clicks, func() *outcome { return victim.post(u, form) })
		}
	})
	t.Run("OAuth1", func(t *testing.T) {
		e := newTwitterEmulator(t)
		for range journeys {
			b := newBrowser(t)
			authz := redirectOf(t, b, e.authorizeURL(policyTwitter, nil))
			cb := redirectOf(t, newBrowser(t), authz.String())
			concurrentAnswers(t, clicks, func() *outcome { return b.get(cb.String()) })
		}
	})
}

// TestSelectionClickedTwice: the selection page's button posted 20 times at
// once, in 100 journeys, sends the browser to the identity provider every time
// (the same redirect), not to "Unknown claims exchange"; the journey then ends
// with exactly one id_token at the relying party (#18).
func TestSelectionClickedTwice(t *testing.T) {
	const journeys, clicks = 100, 20
	e := newEmulator(t, emuOptions{})
	for range journeys {
		b := newBrowser(t)
		page := b.get(e.authorizeURL(policyPicker, nil))
		if page.Mode != "page" {
			t.Fatalf("want the selection page, got %s", page)
		}
		fs, _ := forms(t, page)
		var action string
		var fields url.Values
		for _, f := range fs {
			for _, btn := range f.Buttons {
				if btn.ID == "IdPAExchange" {
					action, fields = f.Action.String(), f.Fields
					fields.Set(btn.Name, btn.Value)
				}
			}
		}
		if action == "" {
			t.Fatalf("no IdPAExchange button on %s", page)
		}
		locations := make([]string, clicks)
		var wg sync.WaitGroup
		for i := range clicks {
			wg.Go(func() {
				req, _ := http.NewRequest(http.MethodPost, action, strings.NewReader(fields.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp := b.noFollow(t, req)
				if resp.StatusCode != http.StatusFound {
					t.Errorf("click: HTTP %d, want a redirect to the IdP", resp.StatusCode)
				}
				locations[i] = resp.Header.Get("Location")
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		for _, l := range locations {
			if l != locations[0] || !strings.HasPrefix(l, e.idpA.srv.URL) {
				t.Fatalf("the clicks went to %v", locations)
			}
		}
		idToken(t, e, b.get(locations[0]), policyPicker)
	}
}
