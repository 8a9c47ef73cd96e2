package oauth1_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/oauth1"
)

func TestLoginPage(t *testing.T) {
	e := newEnv(t, testConfig(t))
	cfg := e.config(consumerKey, consumerSecret)
	for _, path := range []string{oauth1.PathAuthorize, oauth1.PathAuthenticate} {
		t.Run(path, func(t *testing.T) {
			tok, _ := e.requestToken(cfg)
			r := e.get(path, url.Values{"oauth_token": {tok}})
			if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("%d %s\n%s", r.StatusCode, r.Header.Get("Content-Type"), r.body)
			}
			doc := parseHTML(t, r.body)
			form := byID(doc, "login-form")
			if form == nil || attr(form, "method") != "post" || attr(form, "action") != "/oauth/authorize" {
				t.Fatalf("form#login-form = %v", form)
			}
			if got := hiddenFields(form); got.Get("oauth_token") != tok || len(got) != 1 {
				t.Errorf("hidden fields = %v", got)
			}
			for _, want := range []struct{ id, name, typ string }{{"username", "username", ""}, {"password", "password", "password"}} {
				in := byID(form, want.id)
				if in == nil || in.Data != "input" || attr(in, "name") != want.name || attr(in, "type") != want.typ {
					t.Errorf("input#%s = %+v", want.id, in)
				}
			}
			signin, cancel := byID(form, "signin"), byID(form, "cancel")
			if signin == nil || signin.Data != "button" || attr(signin, "name") != "action" || attr(signin, "value") != "allow" || text(signin) != "Sign in" {
				t.Errorf("button#signin = %+v", signin)
			}
			if cancel == nil || cancel.Data != "button" || attr(cancel, "name") != "action" || attr(cancel, "value") != "deny" || !hasAttr(cancel, "formnovalidate") || text(cancel) != "Cancel" {
				t.Errorf("button#cancel = %+v", cancel)
			}
			if ck := byID(doc, "consumer-key"); ck == nil || text(ck) != consumerKey {
				t.Errorf("#consumer-key = %v", ck)
			}
			if !strings.Contains(text(doc), "Twitter-like mock IdP") || byID(doc, "error") != nil {
				t.Errorf("page text: %s", text(doc))
			}
		})
	}
}

func TestLoginOutcomes(t *testing.T) {
	e := newEnv(t, testConfig(t))
	cfg := e.config(consumerKey, consumerSecret)

	t.Run("wrong password shows the page again", func(t *testing.T) {
		tok, _ := e.requestToken(cfg)
		r := e.authorize(cfg, tok, "alice", "nope", "allow")
		doc := parseHTML(t, r.body)
		if r.StatusCode != http.StatusOK || r.Header.Get("Location") != "" {
			t.Fatalf("%d %q", r.StatusCode, r.Header.Get("Location"))
		}
		if errEl := byID(doc, "error"); errEl == nil || text(errEl) != "Incorrect username or password" {
			t.Errorf("#error = %v\n%s", errEl, r.body)
		}
		if u := byID(doc, "username"); attr(u, "value") != "alice" {
			t.Errorf("username not kept: %q", attr(u, "value"))
		}
		// the credential is still pending: the right password works
		r = e.postForm(oauth1.PathAuthorize, loginForm(t, r.body, "alice", "alice-pw", "allow"))
		if r.StatusCode != http.StatusFound {
			t.Errorf("second try: %d", r.StatusCode)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		tok, _ := e.requestToken(cfg)
		if r := e.authorize(cfg, tok, "mallory", "alice-pw", "allow"); byID(parseHTML(t, r.body), "error") == nil {
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
		if r := e.get(oauth1.PathAuthorize, url.Values{"oauth_token": {tok}}); r.StatusCode != http.StatusBadRequest {
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
		if r := e.get(oauth1.PathAuthorize, url.Values{"oauth_token": {tok}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("page for a denied token: %d", r.StatusCode)
		}
	})
	t.Run("oob shows the verifier", func(t *testing.T) {
		c := e.config(consumerKey, consumerSecret)
		c.CallbackURL = oauth1.CallbackOOB
		tok, sec := e.requestToken(c)
		r := e.authorize(c, tok, "alice", "alice-pw", "allow")
		pin := byID(parseHTML(t, r.body), "oauth-verifier")
		if r.StatusCode != http.StatusOK || pin == nil {
			t.Fatalf("%d\n%s", r.StatusCode, r.body)
		}
		if _, _, err := c.AccessToken(tok, sec, text(pin)); err != nil {
			t.Errorf("AccessToken with the PIN: %v", err)
		}
		tok, _ = e.requestToken(c)
		r = e.authorize(c, tok, "", "", "deny")
		if r.StatusCode != http.StatusOK || byID(parseHTML(t, r.body), "denied") == nil {
			t.Errorf("oob deny: %d\n%s", r.StatusCode, r.body)
		}
	})
}

func TestAuthorizeErrorPages(t *testing.T) {
	e := newEnv(t, testConfig(t))
	cfg := e.config(consumerKey, consumerSecret)
	tok, _ := e.requestToken(cfg)
	post := func(form url.Values, contentType string) response {
		req := mustRequest(t, http.MethodPost, e.ts.URL+oauth1.PathAuthorize, form.Encode())
		req.Header.Set("Content-Type", contentType)
		return e.do(req)
	}
	tests := []struct {
		name string
		send func() response
		want int
	}{
		{"no token", func() response { return e.get(oauth1.PathAuthorize, nil) }, 400},
		{"unknown token", func() response { return e.get(oauth1.PathAuthenticate, url.Values{"oauth_token": {"NOPE"}}) }, 400},
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
			if el := byID(parseHTML(t, r.body), "error"); el == nil || text(el) == "" {
				t.Errorf("no #error\n%s", r.body)
			}
		})
	}
	req := mustRequest(t, http.MethodPut, e.ts.URL+oauth1.PathAuthorize, "")
	if r := e.do(req); r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, POST" {
		t.Errorf("PUT: %d Allow=%q", r.StatusCode, r.Header.Get("Allow"))
	}
	// the token survived the bad posts
	if r := e.authorize(cfg, tok, "alice", "alice-pw", "allow"); r.StatusCode != http.StatusFound {
		t.Errorf("sign-in after error pages: %d", r.StatusCode)
	}
}
