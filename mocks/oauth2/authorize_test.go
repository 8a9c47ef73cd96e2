package oauth2_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth2"
)

// TestHappyPathFormPost runs what B2C does: authorize page, login, form_post back to authresp,
// token call, claims call.
func TestHappyPathFormPost(t *testing.T) {
	e := newEnv(t, testConfig())

	// 1. the login page
	page := e.Get("/authorize", authzQuery("form_post"))
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET /authorize: status %d\n%s", page.StatusCode, page.Text)
	}
	if !strings.Contains(page.Text, "Facebook-like mock IdP") || !strings.Contains(page.Text, clientID) {
		t.Errorf("login page lacks the title or the client id:\n%s", page.Text)
	}
	doc := kittest.ParseHTML(t, page.Text)
	form := kittest.ByID(doc, "login-form")
	if form == nil || kittest.Attr(form, "method") != "post" || kittest.Attr(form, "action") != "/authorize" {
		t.Fatalf("want form#login-form method=post action=/authorize, got %v", form)
	}
	for _, want := range []struct{ id, name, typ, value string }{
		{"username", "username", "", ""},
		{"password", "password", "password", ""},
		{"signin", "action", "submit", "signin"},
		{"cancel", "action", "submit", "cancel"},
	} {
		n := kittest.ByID(form, want.id)
		if n == nil {
			t.Errorf("no #%s in the login form", want.id)
			continue
		}
		if kittest.Attr(n, "name") != want.name || kittest.Attr(n, "type") != want.typ || kittest.Attr(n, "value") != want.value {
			t.Errorf("#%s: name/type/value = %q/%q/%q, want %q/%q/%q", want.id,
				kittest.Attr(n, "name"), kittest.Attr(n, "type"), kittest.Attr(n, "value"), want.name, want.typ, want.value)
		}
	}
	if n := kittest.ByID(form, "cancel"); n != nil && !kittest.HasAttr(n, "formnovalidate") {
		t.Error("#cancel lacks formnovalidate")
	}
	if got := kittest.Text(kittest.ByID(form, "signin")); got != "Sign in" {
		t.Errorf("#signin text = %q, want %q", got, "Sign in")
	}
	if hidden := kittest.HiddenFields(form); hidden.Encode() != authzQuery("form_post").Encode() {
		t.Errorf("hidden fields = %v, want the authorization request %v", hidden, authzQuery("form_post"))
	}
	if kittest.ByID(doc, "error") != nil {
		t.Error("fresh login page shows #error")
	}

	// 2. sign in: an auto-submitting form back to authresp
	resp := e.PostForm("/authorize", kittest.LoginForm(t, page.Text, "alice", "alice-pw", "signin"), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /authorize: status %d\n%s", resp.StatusCode, resp.Text)
	}
	doc = kittest.ParseHTML(t, resp.Text)
	rf := kittest.ByID(doc, "response-form")
	if rf == nil || kittest.Attr(rf, "method") != "post" || kittest.Attr(rf, "action") != authresp {
		t.Fatalf("want form#response-form method=post action=%s\n%s", authresp, resp.Text)
	}
	fields := kittest.HiddenFields(rf)
	code := fields.Get("code")
	if code == "" || fields.Get("state") != "StateProperties=eyJTSUQiOiJ4In0" || len(fields) != 2 {
		t.Fatalf("response form fields = %v, want code and the state", fields)
	}
	scripts := kittest.FindAll(doc, "script")
	if len(scripts) != 1 || !strings.Contains(kittest.Text(scripts[0]), `getElementById("response-form").submit()`) {
		t.Errorf("no script submitting the response form:\n%s", resp.Text)
	}
	if ns := kittest.FindAll(rf, "noscript"); len(ns) != 1 || !strings.Contains(resp.Text, `<button id="continue" type="submit">`) {
		t.Errorf("no noscript submit button:\n%s", resp.Text)
	}

	// 3. token
	tok := e.PostForm("/token", tokenForm(code), nil)
	if tok.StatusCode != http.StatusOK {
		t.Fatalf("POST /token: status %d\n%s", tok.StatusCode, tok.Text)
	}
	if cc := tok.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("token Cache-Control = %q, want no-store", cc)
	}
	tj := tok.JSON(t)
	at, _ := tj["access_token"].(string)
	if at == "" || tj["token_type"] != "Bearer" || tj["expires_in"] != float64(3600) {
		t.Errorf("token response = %v, want access_token, token_type Bearer, expires_in 3600", tj)
	}

	// 4. claims, as the starter pack's Facebook profile asks for them
	me := e.Get("/me", url.Values{"access_token": {at}, "fields": {"id,first_name,last_name,name,email"}})
	if me.StatusCode != http.StatusOK {
		t.Fatalf("GET /me: status %d\n%s", me.StatusCode, me.Text)
	}
	claims := me.JSON(t)
	want := map[string]any{"id": "1001", "first_name": "Alice", "last_name": "Smith", "email": "alice@example.com"}
	if len(claims) != len(want) {
		t.Errorf("claims = %v, want %v", claims, want)
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}

	// what B2C sent, unredacted, and what the journal kept, redacted
	last, ok := e.Srv.LastRequest(oauth2.EndpointToken)
	if !ok || last.Form.Get("code") != code || last.Form.Get("client_secret") != clientSecret || last.Method != http.MethodPost {
		t.Errorf("LastRequest(token) = %+v, want the unredacted POST", last)
	}
	if r, ok := e.Srv.LastRequest(oauth2.EndpointClaims); !ok || r.Query.Get("access_token") != at {
		t.Errorf("LastRequest(claims) access_token = %q, want %q", r.Query.Get("access_token"), at)
	}
	entries := e.Journal.Party("facebook")
	wantLines := []string{"GET /authorize 200", "POST /authorize 200", "POST /token 200", "GET /me 200"}
	if len(entries) != len(wantLines) {
		t.Fatalf("journal:\n%s\nwant %d entries", e.Journal, len(wantLines))
	}
	for i, en := range entries {
		if got := en.Method + " " + en.Path + " " + strconv.Itoa(en.Status); got != wantLines[i] {
			t.Errorf("journal #%d = %q, want %q", i+1, got, wantLines[i])
		}
	}
	if got := entries[2].Form.Get("code"); got != "[redacted]" {
		t.Errorf("journal keeps the code: %q", got)
	}
	if got := entries[1].Form.Get("password"); got != "[redacted]" {
		t.Errorf("journal keeps the password: %q", got)
	}
	if strings.Contains(e.Journal.String(), code) || strings.Contains(e.Journal.String(), at) {
		t.Errorf("journal dump leaks a secret:\n%s", e.Journal)
	}
}

func TestAuthorizeErrorPages(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(url.Values)
		method string
		status int
	}{
		{"missing client_id", func(q url.Values) { q.Del("client_id") }, "", http.StatusBadRequest},
		{"unknown client_id", func(q url.Values) { q.Set("client_id", "nobody") }, "", http.StatusBadRequest},
		{"repeated client_id", func(q url.Values) { q.Add("client_id", clientID) }, "", http.StatusBadRequest},
		{"missing redirect_uri", func(q url.Values) { q.Del("redirect_uri") }, "", http.StatusBadRequest},
		{"unregistered redirect_uri", func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, "", http.StatusBadRequest},
		{"redirect_uri differs in case", func(q url.Values) { q.Set("redirect_uri", strings.ToUpper(authresp)) }, "", http.StatusBadRequest},
		{"relative redirect_uri", func(q url.Values) {
			q.Set("client_id", "other-app")
			q.Set("redirect_uri", "/cb")
		}, "", http.StatusBadRequest},
		{"redirect_uri with fragment", func(q url.Values) {
			q.Set("client_id", "other-app")
			q.Set("redirect_uri", "https://rp.example/cb#x")
		}, "", http.StatusBadRequest},
		{"PUT", func(url.Values) {}, http.MethodPut, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testConfig())
			q := authzQuery("form_post")
			tt.mutate(q)
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req, _ := http.NewRequest(method, e.TS.URL+"/authorize?"+q.Encode(), nil)
			r := e.Do(req)
			if r.StatusCode != tt.status {
				t.Errorf("status = %d, want %d\n%s", r.StatusCode, tt.status, r.Text)
			}
			if loc := r.Header.Get("Location"); loc != "" {
				t.Errorf("redirected to %s; an untrusted client or redirect URI must not be redirected to", loc)
			}
			doc := kittest.ParseHTML(t, r.Text)
			if n := kittest.ByID(doc, "error-code"); n == nil || kittest.Text(n) != "invalid_request" {
				t.Errorf("error page lacks #error-code invalid_request:\n%s", r.Text)
			}
			if kittest.ByID(doc, "response-form") != nil || kittest.ByID(doc, "login-form") != nil {
				t.Errorf("error page carries a form:\n%s", r.Text)
			}
		})
	}
}

func TestAuthorizeErrorRedirects(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(url.Values)
		wantLoc  string // exact Location for query mode
		wantCode string
	}{
		{"unsupported response_type", func(q url.Values) { q.Set("response_type", "token"); q.Set("response_mode", "query") },
			"", "unsupported_response_type"},
		{"missing response_type", func(q url.Values) { q.Del("response_type"); q.Set("response_mode", "query") },
			"", "invalid_request"},
		{"unknown response_mode falls back to query", func(q url.Values) { q.Set("response_mode", "web_message") },
			"", "invalid_request"},
		{"repeated parameter", func(q url.Values) { q.Add("scope", "email"); q.Set("response_mode", "query") },
			"", "invalid_request"},
		{"registered query kept", func(q url.Values) {
			q.Set("redirect_uri", rpWithQuery)
			q.Set("response_type", "id_token")
			q.Set("response_mode", "query")
			q.Set("state", "s1")
		}, rpWithQuery + "&error=unsupported_response_type&error_description=response_type+id_token+is+not+supported%3B+want+code&state=s1", "unsupported_response_type"},
		{"fragment mode", func(q url.Values) { q.Set("response_type", "token"); q.Set("response_mode", "fragment") },
			"", "unsupported_response_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testConfig())
			q := authzQuery("")
			tt.mutate(q)
			r := e.Get("/authorize", q)
			if r.StatusCode != http.StatusFound {
				t.Fatalf("status = %d, want 302\n%s", r.StatusCode, r.Text)
			}
			loc := r.Header.Get("Location")
			if tt.wantLoc != "" && loc != tt.wantLoc {
				t.Errorf("Location = %s\nwant       %s", loc, tt.wantLoc)
			}
			u, err := url.Parse(loc)
			if err != nil {
				t.Fatal(err)
			}
			params := u.Query()
			if q.Get("response_mode") == "fragment" {
				params, _ = url.ParseQuery(u.EscapedFragment())
				if u.RawQuery != "" {
					t.Errorf("fragment mode put parameters in the query: %s", loc)
				}
			}
			if params.Get("error") != tt.wantCode || params.Get("state") != q.Get("state") || params.Get("error_description") == "" {
				t.Errorf("redirect params = %v, want error=%s, a description and state=%s", params, tt.wantCode, q.Get("state"))
			}
			if params.Has("code") {
				t.Errorf("error redirect carries a code: %s", loc)
			}
			if en := e.Journal.Entries(); len(en) != 1 || en[0].Error != tt.wantCode {
				t.Errorf("journal = %s, want one entry with error %s", e.Journal, tt.wantCode)
			}
		})
	}
}

func TestAuthorizeFormPostError(t *testing.T) {
	e := newEnv(t, testConfig())
	q := authzQuery("form_post")
	q.Set("response_type", "token")
	r := e.Get("/authorize", q)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200\n%s", r.StatusCode, r.Text)
	}
	rf := kittest.ByID(kittest.ParseHTML(t, r.Text), "response-form")
	if rf == nil || kittest.Attr(rf, "action") != authresp {
		t.Fatalf("no response form to %s:\n%s", authresp, r.Text)
	}
	if f := kittest.HiddenFields(rf); f.Get("error") != "unsupported_response_type" || f.Get("state") != q.Get("state") {
		t.Errorf("fields = %v", f)
	}
}

func TestLogin(t *testing.T) {
	const state = "StateProperties=eyJTSUQiOiJ4In0"
	tests := []struct {
		name     string
		mode     string
		redirect string
		username string
		password string
		action   string
		check    func(t *testing.T, r response)
	}{
		{name: "wrong password", mode: "query", username: "alice", password: "nope", action: "signin",
			check: wantLoginAgain("alice")},
		{name: "unknown user", mode: "query", username: "mallory", password: "alice-pw", action: "signin",
			check: wantLoginAgain("mallory")},
		{name: "enter key sends no action", mode: "query", username: "alice", password: "alice-pw", action: "",
			check: func(t *testing.T, r response) { wantRedirect(t, r, authresp+"?code=", state) }},
		{name: "cancel query", mode: "query", username: "", password: "", action: "cancel",
			check: func(t *testing.T, r response) {
				want := authresp + "?error=access_denied&error_description=Permissions+error&state=" + url.QueryEscape(state)
				if r.StatusCode != http.StatusFound || r.Header.Get("Location") != want {
					t.Errorf("got %d %s\nwant 302 %s", r.StatusCode, r.Header.Get("Location"), want)
				}
			}},
		{name: "cancel fragment", mode: "fragment", action: "cancel",
			check: func(t *testing.T, r response) {
				want := authresp + "#error=access_denied&error_description=Permissions+error&state=" + url.QueryEscape(state)
				if r.StatusCode != http.StatusFound || r.Header.Get("Location") != want {
					t.Errorf("got %d %s\nwant 302 %s", r.StatusCode, r.Header.Get("Location"), want)
				}
			}},
		{name: "cancel form_post", mode: "form_post", action: "cancel",
			check: func(t *testing.T, r response) {
				rf := kittest.ByID(kittest.ParseHTML(t, r.Text), "response-form")
				if rf == nil {
					t.Fatalf("no response form:\n%s", r.Text)
				}
				want := url.Values{"error": {"access_denied"}, "error_description": {"Permissions error"}, "state": {state}}
				if got := kittest.HiddenFields(rf); got.Encode() != want.Encode() {
					t.Errorf("fields = %v, want %v", got, want)
				}
			}},
		{name: "success query", mode: "query", username: "alice", password: "alice-pw", action: "signin",
			check: func(t *testing.T, r response) { wantRedirect(t, r, authresp+"?code=", state) }},
		{name: "success default mode is query", mode: "", username: "alice", password: "alice-pw", action: "signin",
			check: func(t *testing.T, r response) { wantRedirect(t, r, authresp+"?code=", state) }},
		{name: "success fragment", mode: "fragment", username: "alice", password: "alice-pw", action: "signin",
			check: func(t *testing.T, r response) { wantRedirect(t, r, authresp+"#code=", state) }},
		{name: "success keeps registered query", mode: "query", redirect: rpWithQuery, username: "alice", password: "alice-pw", action: "signin",
			check: func(t *testing.T, r response) { wantRedirect(t, r, rpWithQuery+"&code=", state) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testConfig())
			q := authzQuery(tt.mode)
			if tt.redirect != "" {
				q.Set("redirect_uri", tt.redirect)
			}
			page := e.Get("/authorize", q)
			form := kittest.LoginForm(t, page.Text, tt.username, tt.password, tt.action)
			if tt.action == "" {
				form.Del("action")
			}
			tt.check(t, e.PostForm("/authorize", form, nil))
		})
	}
}

func wantLoginAgain(username string) func(*testing.T, response) {
	return func(t *testing.T, r response) {
		t.Helper()
		if r.StatusCode != http.StatusOK || r.Header.Get("Location") != "" {
			t.Errorf("status %d Location %q, want 200 and no redirect", r.StatusCode, r.Header.Get("Location"))
		}
		doc := kittest.ParseHTML(t, r.Text)
		if n := kittest.ByID(doc, "error"); n == nil || kittest.Text(n) != "Incorrect username or password" {
			t.Errorf("no #error \"Incorrect username or password\":\n%s", r.Text)
		}
		if n := kittest.ByID(doc, "username"); n == nil || kittest.Attr(n, "value") != username {
			t.Errorf("username not kept in the form")
		}
		if kittest.HiddenFields(kittest.ByID(doc, "login-form")).Get("client_id") != clientID {
			t.Errorf("the page shown again lost the authorization request")
		}
		if kittest.ByID(doc, "response-form") != nil {
			t.Errorf("a code was issued for bad credentials")
		}
	}
}

func wantRedirect(t *testing.T, r response, prefix, state string) {
	t.Helper()
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("got %d %s, want 302 to %s...", r.StatusCode, loc, prefix)
	}
	u, _ := url.Parse(loc)
	params := u.Query()
	if strings.Contains(prefix, "#") {
		params, _ = url.ParseQuery(u.EscapedFragment())
	}
	if params.Get("code") == "" || params.Get("state") != state {
		t.Errorf("params = %v, want a code and state %q", params, state)
	}
}

func TestLoginRevalidatesRequest(t *testing.T) {
	e := newEnv(t, testConfig())
	page := e.Get("/authorize", authzQuery("query"))
	form := kittest.LoginForm(t, page.Text, "alice", "alice-pw", "signin")
	form.Set("redirect_uri", "https://evil.example/steal")
	r := e.PostForm("/authorize", form, nil)
	if r.StatusCode != http.StatusBadRequest || r.Header.Get("Location") != "" {
		t.Errorf("tampered redirect_uri: got %d Location %q, want 400 error page", r.StatusCode, r.Header.Get("Location"))
	}
	// not form-encoded
	req, _ := http.NewRequest(http.MethodPost, e.TS.URL+"/authorize", strings.NewReader(`{"username":"alice"}`))
	req.Header.Set("Content-Type", "application/json")
	if r := e.Do(req); r.StatusCode != http.StatusBadRequest {
		t.Errorf("JSON login post: status %d, want 400", r.StatusCode)
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t, testConfig())
	r := e.Get("/logout", nil)
	if r.StatusCode != http.StatusOK || kittest.ByID(kittest.ParseHTML(t, r.Text), "signed-out") == nil {
		t.Errorf("GET /logout: %d\n%s", r.StatusCode, r.Text)
	}
	r = e.Get("/logout", url.Values{"post_logout_redirect_uri": {"https://rp.example/bye"}})
	if n := kittest.ByID(kittest.ParseHTML(t, r.Text), "return"); n == nil || kittest.Attr(n, "href") != "https://rp.example/bye" {
		t.Errorf("no return link:\n%s", r.Text)
	}
	if got := len(e.Srv.Requests(oauth2.EndpointLogout)); got != 2 {
		t.Errorf("Requests(logout) = %d, want 2", got)
	}
}
