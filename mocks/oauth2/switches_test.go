package oauth2_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth2"
)

func TestTokenMethodSwitch(t *testing.T) {
	getClient := switchClient("fb-get", func(c *oauth2.Client) { c.TokenMethod = oauth2.TokenMethodGET })
	postClient := switchClient("strict-post", func(c *oauth2.Client) { c.TokenMethod = oauth2.TokenMethodPOST })
	tests := []struct {
		name      string
		client    string
		method    string
		body      string // with GET: a body the request must not have
		allowGET  bool
		status    int
		wantAllow string
	}{
		{name: "GET client by GET", client: "fb-get", method: "GET", status: 200},
		{name: "GET client by POST", client: "fb-get", method: "POST", status: 405, wantAllow: "GET"},
		{name: "GET client with a body", client: "fb-get", method: "GET", body: "x=1", status: 400},
		{name: "POST client by POST", client: "strict-post", method: "POST", status: 200},
		{name: "POST client by GET", client: "strict-post", method: "GET", status: 405, wantAllow: "POST"},
		{name: "default client by GET", client: clientID + "-alias", method: "GET", status: 405, wantAllow: "POST"},
		{name: "AllowTokenGET: GET client by POST", client: "fb-get", method: "POST", allowGET: true, status: 200},
		{name: "AllowTokenGET: POST client by GET", client: "strict-post", method: "GET", allowGET: true, status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := configWith(getClient, postClient, switchClient(clientID+"-alias", nil))
			cfg.AllowTokenGET = tt.allowGET
			e := newEnv(t, cfg)
			form := postTokenForm(tt.client, e.codeFor(tt.client))
			var req *http.Request
			if tt.method == http.MethodGet {
				req, _ = http.NewRequest(http.MethodGet, e.TS.URL+"/token?"+form.Encode(), strings.NewReader(tt.body))
			} else {
				req, _ = http.NewRequest(http.MethodPost, e.TS.URL+"/token", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			r := e.Do(req)
			if tt.status == http.StatusOK {
				if r.StatusCode != http.StatusOK || r.JSON(t)["access_token"] == nil {
					t.Fatalf("status %d, want 200 with an access token\n%s", r.StatusCode, r.Text)
				}
				last, _ := e.Srv.LastRequest(oauth2.EndpointToken)
				if tt.method == http.MethodGet && (last.Query.Get("code") == "" || last.Body != "") {
					t.Errorf("GET request recorded as %+v, want the code in the query and no body", last)
				}
				return
			}
			wantOAuthError(t, r, tt.status, "invalid_request")
			if allow := r.Header.Get("Allow"); allow != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", allow, tt.wantAllow)
			}
			if en := e.Journal.Entries(); en[len(en)-1].Error != "invalid_request" {
				t.Errorf("journal error = %q, want invalid_request", en[len(en)-1].Error)
			}
		})
	}
}

func TestAuthMethodSwitch(t *testing.T) {
	basicOnly := switchClient("basic-only", func(c *oauth2.Client) { c.AuthMethod = oauth2.AuthClientSecretBasic })
	postOnly := switchClient("post-only", func(c *oauth2.Client) { c.AuthMethod = oauth2.AuthClientSecretPost })
	jwtOnly := switchClient("jwt-only", func(c *oauth2.Client) {
		c.AuthMethod = oauth2.AuthPrivateKeyJWT
		c.Secret = ""
		c.PublicKeyPEM = kittest.ReadFile(t, "testdata/rsa-client.pub")
	})
	withoutSecret := func(f url.Values) url.Values {
		f.Del("client_secret")
		return f
	}
	tests := []struct {
		name      string
		client    string
		form      func(url.Values) url.Values
		basic     bool
		status    int
		wantDesc  string
		challenge bool
	}{
		{name: "basic client by basic", client: "basic-only", form: withoutSecret, basic: true, status: 200},
		{name: "basic client by post", client: "basic-only", status: 401, wantDesc: "must authenticate with client_secret_basic, got client_secret_post", challenge: true},
		{name: "basic client without credentials", client: "basic-only", form: withoutSecret, status: 401, wantDesc: "must authenticate with client_secret_basic, got no client authentication", challenge: true},
		{name: "post client by post", client: "post-only", status: 200},
		{name: "post client by basic", client: "post-only", form: withoutSecret, basic: true, status: 401, wantDesc: "must authenticate with client_secret_post, got client_secret_basic", challenge: true},
		{name: "jwt client by post", client: "jwt-only", status: 401, wantDesc: "must authenticate with private_key_jwt, got client_secret_post"},
		{name: "jwt client by basic", client: "jwt-only", form: withoutSecret, basic: true, status: 401, wantDesc: "must authenticate with private_key_jwt, got client_secret_basic", challenge: true},
		{name: "jwt client with client_id only", client: "jwt-only", form: withoutSecret, status: 401, wantDesc: "must authenticate with private_key_jwt, got no client authentication"},
		{name: "default client by basic", client: clientID, form: withoutSecret, basic: true, status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, configWith(basicOnly, postOnly, jwtOnly))
			form := postTokenForm(tt.client, e.codeFor(tt.client))
			secret := form.Get("client_secret")
			if tt.client == clientID {
				secret = clientSecret
				form.Set("client_secret", secret)
			}
			if tt.form != nil {
				form = tt.form(form)
			}
			var header http.Header
			if tt.basic {
				header = basic(tt.client, secret)
			}
			r := e.PostForm("/token", form, header)
			if tt.status == http.StatusOK {
				if r.StatusCode != http.StatusOK {
					t.Fatalf("status %d, want 200\n%s", r.StatusCode, r.Text)
				}
				return
			}
			m := wantOAuthError(t, r, tt.status, "invalid_client")
			if d, _ := m["error_description"].(string); !strings.Contains(d, tt.wantDesc) {
				t.Errorf("description = %q, want it to contain %q", d, tt.wantDesc)
			}
			if ch := r.Header.Get("WWW-Authenticate"); strings.HasPrefix(ch, "Basic ") != tt.challenge {
				t.Errorf("WWW-Authenticate = %q, want a Basic challenge: %v", ch, tt.challenge)
			}
		})
	}
}

func TestTokenResponseFormat(t *testing.T) {
	extras := map[string]string{"resource": "https://graph.example/?a=b&c", "openid": "1"}
	tests := []struct {
		name   string
		format string
	}{
		{"json with extras", oauth2.TokenFormatJSON},
		{"default is json", ""},
		{"form like old Facebook", oauth2.TokenFormatForm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, configWith(switchClient("app", func(c *oauth2.Client) {
				c.TokenResponseFormat = tt.format
				c.TokenExtraParams = extras
			})))
			r := e.tokenFor("app")
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status %d\n%s", r.StatusCode, r.Text)
			}
			var tok string
			if tt.format == oauth2.TokenFormatForm {
				if ct := r.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
					t.Errorf("Content-Type = %q, want text/plain", ct)
				}
				if !strings.HasPrefix(r.Text, "access_token=") || !strings.Contains(r.Text, "&token_type=bearer&expires=3600&") {
					t.Errorf("body = %q, want access_token=…&token_type=bearer&expires=3600&…", r.Text)
				}
				v, err := url.ParseQuery(r.Text)
				if err != nil {
					t.Fatal(err)
				}
				if v.Get("resource") != extras["resource"] || v.Get("openid") != "1" || v.Has("expires_in") || v.Has("id_token") {
					t.Errorf("form response = %v, want the extras, no expires_in and no id_token", v)
				}
				tok = v.Get("access_token")
			} else {
				m := r.JSON(t)
				if m["resource"] != extras["resource"] || m["openid"] != "1" || m["token_type"] != "Bearer" || m["expires_in"] != float64(3600) || m["id_token"] != nil {
					t.Errorf("JSON response = %v, want the extras", m)
				}
				tok, _ = m["access_token"].(string)
			}
			if me := e.Get("/me", url.Values{"access_token": {tok}}); me.StatusCode != http.StatusOK {
				t.Errorf("the access token does not work: %d %s", me.StatusCode, me.Text)
			}
		})
	}
}

func TestClaimsSwitches(t *testing.T) {
	clients := []oauth2.Client{
		switchClient("header", func(c *oauth2.Client) { c.ClaimsTokenIn = oauth2.ClaimsTokenInHeader }),
		switchClient("query", func(c *oauth2.Client) { c.ClaimsTokenIn = oauth2.ClaimsTokenInQuery }),
		switchClient("renamed", func(c *oauth2.Client) {
			c.ClaimsTokenIn = oauth2.ClaimsTokenInQuery
			c.ClaimsTokenParam = "oauth2_access_token"
		}),
		switchClient("renamed-any", func(c *oauth2.Client) { c.ClaimsTokenParam = "token" }),
		switchClient("format", func(c *oauth2.Client) {
			c.ClaimsFormatParam = "format"
			c.ClaimsFormatValue = "json"
		}),
		switchClient("extras", func(c *oauth2.Client) {
			c.TokenExtraParams = map[string]string{"resource": "https://graph.example", "openid": "yes"}
			c.ClaimsRequiredParams = []string{"resource", "openid"}
		}),
	}
	const fromToken = "TOKEN" // replaced by the client's access token
	tests := []struct {
		name     string
		client   string
		query    url.Values
		bearer   bool
		status   int
		errCode  string
		wantDesc string
	}{
		{name: "header by header", client: "header", bearer: true, status: 200},
		{name: "header by query", client: "header", query: url.Values{"access_token": {fromToken}}, status: 400, errCode: "invalid_request", wantDesc: "Authorization: Bearer header"},
		{name: "query by query", client: "query", query: url.Values{"access_token": {fromToken}}, status: 200},
		{name: "query by header", client: "query", bearer: true, status: 401, errCode: "invalid_token", wantDesc: "access_token query parameter"},
		{name: "renamed parameter", client: "renamed", query: url.Values{"oauth2_access_token": {fromToken}}, status: 200},
		{name: "renamed, sent as access_token", client: "renamed", query: url.Values{"access_token": {fromToken}}, status: 401, errCode: "invalid_token", wantDesc: "oauth2_access_token"},
		{name: "renamed, by header", client: "renamed", bearer: true, status: 401, errCode: "invalid_token", wantDesc: "oauth2_access_token"},
		{name: "renamed any, by query", client: "renamed-any", query: url.Values{"token": {fromToken}}, status: 200},
		{name: "renamed any, by header", client: "renamed-any", bearer: true, status: 200},
		{name: "renamed any, sent as access_token", client: "renamed-any", query: url.Values{"access_token": {fromToken}}, status: 401, errCode: "invalid_token", wantDesc: "token parameter"},
		{name: "format present", client: "format", query: url.Values{"access_token": {fromToken}, "format": {"json"}}, status: 200},
		{name: "format missing", client: "format", query: url.Values{"access_token": {fromToken}}, status: 400, errCode: "invalid_request", wantDesc: "format is missing; want format=json"},
		{name: "format differs", client: "format", query: url.Values{"access_token": {fromToken}, "format": {"xml"}}, status: 400, errCode: "invalid_request", wantDesc: "format=xml"},
		{name: "extras present", client: "extras", query: url.Values{"access_token": {fromToken}, "resource": {"https://graph.example"}, "openid": {"yes"}}, status: 200},
		{name: "extra missing", client: "extras", query: url.Values{"access_token": {fromToken}, "resource": {"https://graph.example"}}, status: 400, errCode: "invalid_request", wantDesc: "openid is missing"},
		{name: "extra differs", client: "extras", query: url.Values{"access_token": {fromToken}, "resource": {"https://other.example"}, "openid": {"yes"}}, status: 400, errCode: "invalid_request", wantDesc: "resource=https://other.example differs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, configWith(clients...))
			tok := e.accessTokenFor(tt.client)
			q := url.Values{}
			for k, vs := range tt.query {
				for _, v := range vs {
					q.Add(k, strings.ReplaceAll(v, fromToken, tok))
				}
			}
			req, _ := http.NewRequest(http.MethodGet, e.TS.URL+"/me?"+q.Encode(), nil)
			if tt.bearer {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			r := e.Do(req)
			if tt.status == http.StatusOK {
				if r.StatusCode != http.StatusOK || r.JSON(t)["id"] != "1001" {
					t.Fatalf("status %d, want 200 with the claims\n%s", r.StatusCode, r.Text)
				}
				return
			}
			e.wantRefused(t, r, tt.status, tt.errCode, tt.wantDesc)
		})
	}
}

func TestErrorIn200(t *testing.T) {
	gh := switchClient("gh", func(c *oauth2.Client) {
		c.ErrorIn200 = "error_message"
		c.ClaimsFormatParam = "format"
		c.ClaimsFormatValue = "json"
	})
	t.Run("token: wrong secret", func(t *testing.T) {
		e := newEnv(t, configWith(gh))
		form := postTokenForm("gh", e.codeFor("gh"))
		form.Set("client_secret", "wrong")
		r := e.PostForm("/token", form, nil)
		m := wantIn200(t, e, r, "error_message", "invalid_client")
		if m["error_message"] != "wrong client secret for client gh" || r.Header.Get("WWW-Authenticate") != "" {
			t.Errorf("body = %v, WWW-Authenticate = %q", m, r.Header.Get("WWW-Authenticate"))
		}
	})
	t.Run("token: used code", func(t *testing.T) {
		e := newEnv(t, configWith(gh))
		code := e.codeFor("gh")
		if r := e.PostForm("/token", postTokenForm("gh", code), nil); r.StatusCode != http.StatusOK {
			t.Fatalf("first redemption: %d %s", r.StatusCode, r.Text)
		}
		wantIn200(t, e, e.PostForm("/token", postTokenForm("gh", code), nil), "error_message", "invalid_grant")
	})
	t.Run("token: unknown client keeps 401", func(t *testing.T) {
		e := newEnv(t, configWith(gh))
		form := postTokenForm("gh", e.codeFor("gh"))
		form.Set("client_id", "nobody")
		wantOAuthError(t, e.PostForm("/token", form, nil), http.StatusUnauthorized, "invalid_client")
	})
	t.Run("claims: missing format", func(t *testing.T) {
		e := newEnv(t, configWith(gh))
		tok := e.accessTokenFor("gh")
		r := e.Get("/me", url.Values{"access_token": {tok}})
		if m := wantIn200(t, e, r, "error_message", "invalid_request"); m["error_message"] != "format is missing; want format=json" {
			t.Errorf("body = %v", m)
		}
		if r := e.Get("/me", url.Values{"access_token": {tok}, "format": {"json"}}); r.StatusCode != 200 || r.JSON(t)["id"] != "1001" {
			t.Errorf("with the format: %d %s", r.StatusCode, r.Text)
		}
	})
	t.Run("claims: expired token", func(t *testing.T) {
		e := newEnv(t, configWith(gh))
		tok := e.accessTokenFor("gh")
		e.Clock.Advance(2 * oauth2.DefaultTokenTTL)
		wantIn200(t, e, e.Get("/me", url.Values{"access_token": {tok}, "format": {"json"}}), "error_message", "invalid_token")
	})
	t.Run("claims: unknown token keeps 401", func(t *testing.T) {
		e := newEnv(t, configWith(gh))
		wantOAuthError(t, e.Get("/me", url.Values{"access_token": {"nope"}}), http.StatusUnauthorized, "invalid_token")
	})
}

func TestEnqueueErrorResponse(t *testing.T) {
	tests := []struct {
		name     string
		resp     oauth2.Response
		status   int
		body     string
		journal  string
		endpoint oauth2.Endpoint
	}{
		{"in 200", oauth2.ErrorResponse(oauth2.Error{Code: "invalid_grant", Description: "code expired"}, "error_message"),
			200, `{"error":"invalid_grant","error_message":"code expired"}`, "invalid_grant", oauth2.EndpointToken},
		{"in 200 without description", oauth2.ErrorResponse(oauth2.Error{Code: "server_error"}, "error_message"),
			200, `{"error":"server_error","error_message":"server_error"}`, "server_error", oauth2.EndpointClaims},
		{"RFC 6749", oauth2.ErrorResponse(oauth2.Error{Code: "invalid_client", Description: "x"}, ""),
			401, `{"error":"invalid_client","error_description":"x"}`, "invalid_client", oauth2.EndpointToken},
		{"canned error_message only", oauth2.Response{Body: `{"error_message":"Rate limit exceeded"}`},
			200, `{"error_message":"Rate limit exceeded"}`, "", oauth2.EndpointClaims},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testConfig())
			e.Srv.Enqueue(tt.endpoint, tt.resp)
			path := map[oauth2.Endpoint]string{oauth2.EndpointToken: "/token", oauth2.EndpointClaims: "/me"}[tt.endpoint]
			r := e.PostForm(path, url.Values{"access_token": {"x"}}, nil)
			if r.StatusCode != tt.status || strings.TrimSpace(r.Text) != tt.body {
				t.Errorf("got %d %s, want %d %s", r.StatusCode, r.Text, tt.status, tt.body)
			}
			if en := e.Journal.Entries(); en[0].Error != tt.journal {
				t.Errorf("journal error = %q, want %q", en[0].Error, tt.journal)
			}
		})
	}
}

func TestLogoutMethods(t *testing.T) {
	e := newEnv(t, testConfig())
	r := e.Get("/logout", url.Values{"state": {"s1"}})
	if r.StatusCode != http.StatusOK {
		t.Errorf("GET /logout: %d", r.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, e.TS.URL+"/logout?sid=abc", strings.NewReader(url.Values{"post_logout_redirect_uri": {"https://rp.example/bye"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r = e.Do(req)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("POST /logout: %d\n%s", r.StatusCode, r.Text)
	}
	if n := kittest.ByID(kittest.ParseHTML(t, r.Text), "return"); n == nil || kittest.Attr(n, "href") != "https://rp.example/bye" {
		t.Errorf("POST /logout: no return link from the form:\n%s", r.Text)
	}
	req, _ = http.NewRequest(http.MethodDelete, e.TS.URL+"/logout", nil)
	wantOAuthError(t, e.Do(req), http.StatusMethodNotAllowed, "invalid_request")

	rs := e.Srv.Requests(oauth2.EndpointLogout)
	if len(rs) != 3 || rs[0].Method != "GET" || rs[0].Query.Get("state") != "s1" || rs[1].Method != "POST" || rs[1].Query.Get("sid") != "abc" {
		t.Errorf("Requests(logout) = %+v, want the GET and the POST with their queries", rs)
	}
}
