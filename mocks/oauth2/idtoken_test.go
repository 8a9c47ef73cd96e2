package oauth2_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth2"
)

// oidcClient issues id_tokens with aud api://b2c.
var oidcClient = switchClient("oidc-app", func(c *oauth2.Client) {
	c.IssueIDToken = true
	c.IDTokenAudience = "api://b2c"
})

func TestIDTokenInTokenResponse(t *testing.T) {
	tests := []struct {
		name    string
		client  oauth2.Client
		nonce   string
		wantAud string
	}{
		{"configured audience, nonce", oidcClient, "n-0S6_WzA2Mj", "api://b2c"},
		{"default audience, no nonce", switchClient("plain-oidc", func(c *oauth2.Client) { c.IssueIDToken = true }), "", "plain-oidc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvWith(t, configWith(tt.client))
			q := authzQuery("")
			q.Set("client_id", tt.client.ID)
			if tt.nonce != "" {
				q.Set("nonce", tt.nonce)
			}
			r := e.PostForm("/token", postTokenForm(tt.client.ID, e.signIn(q)), nil)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("token: %d\n%s", r.StatusCode, r.Text)
			}
			raw, _ := r.JSON(t)["id_token"].(string)
			if raw == "" {
				t.Fatalf("no id_token in %s", r.Text)
			}
			claims := e.verifyIDToken(raw, tt.wantAud, e.TS.URL)
			if claims["sub"] != "1001" || claims["email"] != "alice@example.com" || claims["first_name"] != "Alice" {
				t.Errorf("claims = %v, want sub 1001 and the user's claims", claims)
			}
			if got, _ := claims["nonce"].(string); got != tt.nonce {
				t.Errorf("nonce = %q, want %q", got, tt.nonce)
			}
			exp, _ := claims["exp"].(float64)
			if iat, _ := claims["iat"].(float64); exp-iat != oauth2.DefaultTokenTTL.Seconds() || int64(iat) != e.Clock.Now().Unix() {
				t.Errorf("iat/exp = %v/%v, want now and now+1h", iat, exp)
			}
		})
	}
	t.Run("not for other clients", func(t *testing.T) {
		e := newEnvWith(t, configWith(oidcClient))
		if r := e.PostForm("/token", tokenForm(e.signIn(authzQuery(""))), nil); r.JSON(t)["id_token"] != nil {
			t.Errorf("id_token issued to a client without IssueIDToken: %s", r.Text)
		}
	})
}

func TestIDTokenResponseType(t *testing.T) {
	const state = "StateProperties=eyJTSUQiOiJ4In0"
	tests := []struct {
		name    string
		mode    string
		client  string
		wantErr string // error code delivered instead of an id_token
	}{
		{name: "form_post", mode: "form_post", client: "oidc-app"},
		{name: "default mode is fragment", mode: "", client: "oidc-app"},
		{name: "fragment", mode: "fragment", client: "oidc-app"},
		{name: "query refused", mode: "query", client: "oidc-app", wantErr: "invalid_request"},
		{name: "client without IssueIDToken", mode: "fragment", client: clientID, wantErr: "unsupported_response_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvWith(t, configWith(oidcClient))
			q := authzQuery(tt.mode)
			q.Set("client_id", tt.client)
			q.Set("response_type", "id_token")
			q.Set("nonce", "n1")
			page := e.Get("/authorize", q)
			var r response
			if tt.wantErr != "" {
				r = page
			} else {
				if page.StatusCode != http.StatusOK {
					t.Fatalf("authorize: %d\n%s", page.StatusCode, page.Text)
				}
				r = e.PostForm("/authorize", kittest.LoginForm(t, page.Text, "alice", "alice-pw", "signin"), nil)
			}
			var params url.Values
			if tt.mode == "form_post" {
				rf := kittest.ByID(kittest.ParseHTML(t, r.Text), "response-form")
				if rf == nil || kittest.Attr(rf, "action") != authresp {
					t.Fatalf("no response form to %s:\n%s", authresp, r.Text)
				}
				params = kittest.HiddenFields(rf)
			} else {
				loc := r.Header.Get("Location")
				if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc, authresp+"#") {
					t.Fatalf("got %d %s, want a redirect with a fragment", r.StatusCode, loc)
				}
				params = fragmentParams(t, loc)
			}
			if params.Get("state") != state || params.Has("code") {
				t.Errorf("params = %v, want the state and no code", params)
			}
			if tt.wantErr != "" {
				if params.Get("error") != tt.wantErr || params.Has("id_token") {
					t.Errorf("params = %v, want error %s", params, tt.wantErr)
				}
				return
			}
			claims := e.verifyIDToken(params.Get("id_token"), "api://b2c", e.TS.URL)
			if claims["nonce"] != "n1" || claims["sub"] != "1001" {
				t.Errorf("claims = %v, want nonce n1 and sub 1001", claims)
			}
		})
	}
}

func TestDiscovery(t *testing.T) {
	tests := []struct {
		name       string
		issuer     string
		prefix     string
		wantIssuer func(base string) string
	}{
		{"issuer from the request", "", "", func(base string) string { return base }},
		{"configured issuer", "https://idp.contoso.example", "", func(string) string { return "https://idp.contoso.example" }},
		{"under a prefix", "", "/fb", func(base string) string { return base }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := configWith(oidcClient)
			cfg.Issuer = tt.issuer
			e := newEnvWith(t, cfg)
			if tt.prefix != "" {
				mux := http.NewServeMux()
				mux.Handle(tt.prefix+"/", http.StripPrefix(tt.prefix, e.Srv.Handler()))
				e.TS = httptest.NewServer(mux)
				e.URL = e.TS.URL
				t.Cleanup(e.TS.Close)
			}
			base := e.TS.URL + tt.prefix
			r := e.Get(tt.prefix+"/.well-known/openid-configuration", nil)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("discovery: %d\n%s", r.StatusCode, r.Text)
			}
			d := r.JSON(t)
			want := map[string]any{
				"issuer":                 tt.wantIssuer(base),
				"authorization_endpoint": base + "/authorize",
				"token_endpoint":         base + "/token",
				"userinfo_endpoint":      base + "/me",
				"end_session_endpoint":   base + "/logout",
				"jwks_uri":               base + "/.well-known/jwks.json",
			}
			for k, v := range want {
				if d[k] != v {
					t.Errorf("%s = %v, want %v", k, d[k], v)
				}
			}
			if !reflect.DeepEqual(d["response_types_supported"], []any{"code", "id_token"}) {
				t.Errorf("response_types_supported = %v", d["response_types_supported"])
			}
			// the id_token's iss is the discovery issuer
			q := authzQuery("fragment")
			q.Set("client_id", oidcClient.ID)
			q.Set("response_type", "id_token")
			page := e.Get(tt.prefix+"/authorize", q)
			form := kittest.LoginForm(t, page.Text, "alice", "alice-pw", "signin")
			resp := e.PostForm(tt.prefix+"/authorize", form, nil)
			idToken := fragmentParams(t, resp.Header.Get("Location")).Get("id_token")
			if keys := e.jwksKeys(tt.prefix + "/.well-known/jwks.json"); len(keys) != 1 {
				t.Errorf("JWKS has %d keys, want 1", len(keys))
			}
			e.verifyIDTokenAt(tt.prefix+"/.well-known/jwks.json", idToken, "api://b2c", tt.wantIssuer(base))
		})
	}
	t.Run("POST refused", func(t *testing.T) {
		e := newEnvWith(t, testConfig())
		for _, p := range []string{"/.well-known/openid-configuration", "/.well-known/jwks.json"} {
			wantOAuthError(t, e.PostForm(p, nil, nil), http.StatusMethodNotAllowed, "invalid_request")
		}
	})
}

func TestGeneratedSigningKey(t *testing.T) {
	e := newEnv(t, configWith(oidcClient)) // no WithSigningKey: the server makes its own
	q := authzQuery("")
	q.Set("client_id", oidcClient.ID)
	r := e.PostForm("/token", postTokenForm(oidcClient.ID, e.signIn(q)), nil)
	raw, _ := r.JSON(t)["id_token"].(string)
	e.verifyIDToken(raw, "api://b2c", e.TS.URL)
}

// TestUserInfoSub: an OpenID Connect client's claims answer (userinfo)
// carries sub, the id_token's subject (OIDC Core §5.3.2); a Facebook-like
// client's does not.
func TestUserInfoSub(t *testing.T) {
	for _, tt := range []struct {
		client  oauth2.Client
		wantSub any
	}{
		{switchClient("plain-oidc", func(c *oauth2.Client) { c.IssueIDToken = true }), "1001"},
		{switchClient("plain-oauth2", func(*oauth2.Client) {}), nil},
	} {
		e := newEnvWith(t, configWith(tt.client))
		q := authzQuery("")
		q.Set("client_id", tt.client.ID)
		at, _ := e.PostForm("/token", postTokenForm(tt.client.ID, e.signIn(q)), nil).JSON(t)["access_token"].(string)
		me := e.Get("/me", url.Values{"access_token": {at}})
		if got := me.JSON(t)["sub"]; got != tt.wantSub {
			t.Errorf("%s: sub = %v, want %v (%s)", tt.client.ID, got, tt.wantSub, me.Text)
		}
	}
}
