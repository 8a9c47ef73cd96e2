package oauth1_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth1"
)

func TestLoginPage(t *testing.T) {
	e, cfg := newConsumerEnv(t)
	for _, path := range []string{oauth1.PathAuthorize, oauth1.PathAuthenticate} {
		t.Run(path, func(t *testing.T) {
			tok, _ := e.requestToken(cfg)
			r := e.Get(path, url.Values{"oauth_token": {tok}})
			if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("%d %s\n%s", r.StatusCode, r.Header.Get("Content-Type"), r.Text)
			}
			doc := kittest.ParseHTML(t, r.Text)
			form := kittest.ByID(doc, "login-form")
			if form == nil || kittest.Attr(form, "method") != "post" || kittest.Attr(form, "action") != "/oauth/authorize" {
				t.Fatalf("form#login-form = %v", form)
			}
			if got := kittest.HiddenFields(form); got.Get("oauth_token") != tok || len(got) != 1 {
				t.Errorf("hidden fields = %v", got)
			}
			for _, want := range []struct{ id, name, typ string }{{"username", "username", ""}, {"password", "password", "password"}} {
				in := kittest.ByID(form, want.id)
				if in == nil || in.Data != "input" || kittest.Attr(in, "name") != want.name || kittest.Attr(in, "type") != want.typ {
					t.Errorf("input#%s = %+v", want.id, in)
				}
			}
			signin, cancel := kittest.ByID(form, "signin"), kittest.ByID(form, "cancel")
			if signin == nil || signin.Data != "button" || kittest.Attr(signin, "name") != "action" || kittest.Attr(signin, "value") != "allow" || kittest.Text(signin) != "Sign in" {
				t.Errorf("button#signin = %+v", signin)
			}
			if cancel == nil || cancel.Data != "button" || kittest.Attr(cancel, "name") != "action" || kittest.Attr(cancel, "value") != "deny" || !kittest.HasAttr(cancel, "formnovalidate") || kittest.Text(cancel) != "Cancel" {
				t.Errorf("button#cancel = %+v", cancel)
			}
			if ck := kittest.ByID(doc, "consumer-key"); ck == nil || kittest.Text(ck) != consumerKey {
				t.Errorf("#consumer-key = %v", ck)
			}
			if !strings.Contains(kittest.Text(doc), "Twitter-like mock IdP") || kittest.ByID(doc, "error") != nil {
				t.Errorf("page text: %s", kittest.Text(doc))
			}
		})
	}
}

func TestLoginOutcomes(t *testing.T) {
	e, cfg := newConsumerEnv(t)

	t.Run("wrong password shows the page again", func(t *testing.T) {
		tok, _ := e.requestToken(cfg)
		r := e.authorize(cfg, tok, "alice", "nope", "allow")
		doc := kittest.ParseHTML(t, r.Text)
		if r.StatusCode != http.StatusOK || r.Header.Get("Location") != "" {
			t.Fatalf("%d %q", r.StatusCode, r.Header.Get("Location"))
		}
		if errEl := kittest.ByID(doc, "error"); errEl == nil || kittest.Text(errEl) != "Incorrect username or password" {
			t.Errorf("#error = %v\n%s", errEl, r.Text)
		}
		if u := kittest.ByID(doc, "username"); kittest.Attr(u, "value") != "alice" {
			t.Errorf("username not kept: %q", kittest.Attr(u, "value"))
		}
		// the credential is still pending: the right password works
		r = e.PostForm(oauth1.PathAuthorize, kittest.LoginForm(t, r.Text, "alice", "alice-pw", "allow"), nil)
		if r.StatusCode != http.StatusFound {
			t.Errorf("second try: %d", r.StatusCode)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		tok, _ := e.requestToken(cfg)
		if r := e.authorize(cfg, tok, "mallory", "alice-pw", "allow"); kittest.ByID(kittest.ParseHTML(t, r.Text), "error") == nil {
			t.Errorf("no #error for an unknown user: %d", r.StatusCode)
		}
	})
	t.Run("allow redirects with token and verifier", func(t *testing.T) {
		tok, _ := e.requestToken(cfg)
		r := e.authorize(cfg, tok, "alice", "alice-pw", "allow")
		loc, err := url.Parse(r.Header.Get("Location"))
		if r.StatusCode != http.StatusFound || err != nil {
			t.Fatalf("%d %q", r.StatusCode, r.Header.Get("Location"))
		}
		q := loc.Query()
		if loc.Scheme+"://"+loc.Host+loc.Path != authresp || q.Get("oauth_token") != tok || len(q.Get("oauth_verifier")) < 20 || len(q) != 2 {
			t.Errorf("Location = %s", loc)
		}
		if !strings.HasPrefix(loc.RawQuery, "oauth_token=") {
			t.Errorf("oauth_token is not first: %s", loc.RawQuery)
		}
		// the credential is no longer pending
		if r := e.Get(oauth1.PathAuthorize, url.Values{"oauth_token": {tok}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("authorizing twice: %d", r.StatusCode)
		}
	})
	t.Run("callback with a query keeps it", func(t *testing.T) {
		c := e.config(consumerKey, consumerSecret)
		c.CallbackURL = "https://rp.example/cb?tenant=contoso"
		tok, _ := e.requestToken(c)
		r := e.authorize(c, tok, "alice", "alice-pw", "allow")
		if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "https://rp.example/cb?tenant=contoso&oauth_token="+tok+"&oauth_verifier=") {
			t.Errorf("Location = %s", loc)
		}
	})
	t.Run("deny redirects with denied and revokes", func(t *testing.T) {
		tok, _ := e.requestToken(cfg)
		r := e.authorize(cfg, tok, "", "", "deny")
		if r.StatusCode != http.StatusFound || r.Header.Get("Location") != authresp+"?denied="+tok {
			t.Errorf("%d Location = %q", r.StatusCode, r.Header.Get("Location"))
		}
		if r := e.Get(oauth1.PathAuthorize, url.Values{"oauth_token": {tok}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("page for a denied token: %d", r.StatusCode)
		}
	})
	t.Run("oob shows the verifier", func(t *testing.T) {
		c := e.config(consumerKey, consumerSecret)
		c.CallbackURL = oauth1.CallbackOOB
		tok, sec := e.requestToken(c)
		r := e.authorize(c, tok, "alice", "alice-pw", "allow")
		pin := kittest.ByID(kittest.ParseHTML(t, r.Text), "oauth-verifier")
		if r.StatusCode != http.StatusOK || pin == nil {
			t.Fatalf("%d\n%s", r.StatusCode, r.Text)
		}
		if _, _, err := c.AccessToken(tok, sec, kittest.Text(pin)); err != nil {
			t.Errorf("AccessToken with the PIN: %v", err)
		}
		tok, _ = e.requestToken(c)
		r = e.authorize(c, tok, "", "", "deny")
		if r.StatusCode != http.StatusOK || kittest.ByID(kittest.ParseHTML(t, r.Text), "denied") == nil {
			t.Errorf("oob deny: %d\n%s", r.StatusCode, r.Text)
		}
	})
}

func TestAuthorizeErrorPages(t *testing.T) {
	e, cfg := newConsumerEnv(t)
	tok, _ := e.requestToken(cfg)
	post := func(form url.Values, contentType string) response {
		req := mustRequest(t, http.MethodPost, e.TS.URL+oauth1.PathAuthorize, form.Encode())
		req.Header.Set("Content-Type", contentType)
		return e.Do(req)
	}
	tests := []struct {
		name string
		send func() response
		want int
	}{
		{"no token", func() response { return e.Get(oauth1.PathAuthorize, nil) }, 400},
		{"unknown token", func() response { return e.Get(oauth1.PathAuthenticate, url.Values{"oauth_token": {"NOPE"}}) }, 400},
		{"form with unknown token", func() response {
			return post(url.Values{"oauth_token": {"NOPE"}, "username": {"alice"}, "password": {"alice-pw"}}, "application/x-www-form-urlencoded")
		}, 400},
		{"form not form-encoded", func() response { return post(url.Values{"oauth_token": {tok}}, "text/plain") }, 400},
		{"unknown action", func() response {
			return post(url.Values{"oauth_token": {tok}, "action": {"maybe"}}, "application/x-www-form-urlencoded")
		}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.send()
			if r.StatusCode != tt.want || r.Header.Get("Location") != "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				t.Errorf("%d %q %q", r.StatusCode, r.Header.Get("Location"), r.Header.Get("Content-Type"))
			}
			if el := kittest.ByID(kittest.ParseHTML(t, r.Text), "error"); el == nil || kittest.Text(el) == "" {
				t.Errorf("no #error\n%s", r.Text)
			}
		})
	}
	req := mustRequest(t, http.MethodPut, e.TS.URL+oauth1.PathAuthorize, "")
	if r := e.Do(req); r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, POST" {
		t.Errorf("PUT: %d Allow=%q", r.StatusCode, r.Header.Get("Allow"))
	}
	// the token survived the bad posts
	if r := e.authorize(cfg, tok, "alice", "alice-pw", "allow"); r.StatusCode != http.StatusFound {
		t.Errorf("sign-in after error pages: %d", r.StatusCode)
	}
}
