package server

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const apiURI = "https://contoso.onmicrosoft.com/api"

// tokenEmulator has an API application (read, write) of which the relying
// party is granted read, and a second client.
func tokenEmulator(t *testing.T) *emulator {
	return newEmulator(t, emuOptions{
		apps: []Application{
			{ClientID: "api-app", IdentifierURI: apiURI, Scopes: []string{"read", "write"}},
			{ClientID: "other-client", RedirectURIs: []string{rpRedirectURI}, Secret: "other-secret"},
		},
		rpPermissions: []string{apiURI + "/read"},
	})
}

// codeTokens signs in with scope and redeems the code.
func codeTokens(t *testing.T, e *emulator, scope string) map[string]any {
	t.Helper()
	o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_type": "code", "scope": scope}, "")
	if o.Params.Get("code") == "" {
		t.Fatalf("want a code, got %s", o)
	}
	status, body := redeem(t, e, url.Values{"grant_type": {"authorization_code"}, "code": {o.Params.Get("code")}, "redirect_uri": {rpRedirectURI},
		"client_id": {rpClientID}, "client_secret": {rpSecret}, "client_info": {"1"}})
	if status != http.StatusOK {
		t.Fatalf("token endpoint: HTTP %d %v", status, body)
	}
	return body
}

func TestAccessTokens(t *testing.T) {
	e := tokenEmulator(t)
	keys := jwks(t, e.srv.JWKSURL(policySignIn))
	t.Run("openid only: no access token (TOK-01)", func(t *testing.T) {
		body := codeTokens(t, e, "openid")
		if body["access_token"] != nil || body["scope"] != "openid" || body["refresh_token"] != nil {
			t.Fatalf("body %v", body)
		}
		c := verifyToken(t, body["id_token"].(string), keys, e.clock.Now, jwt.WithAudience(rpClientID))
		if c["at_hash"] != nil {
			t.Error("at_hash without an access token")
		}
	})
	t.Run("the client's own id (TOK-02)", func(t *testing.T) {
		body := codeTokens(t, e, "openid "+rpClientID)
		at := verifyToken(t, body["access_token"].(string), keys, e.clock.Now, jwt.WithAudience(rpClientID))
		if at["azp"] != rpClientID || at["scp"] != nil || body["resource"] != rpClientID || body["expires_in"] != float64(3600) ||
			body["expires_on"] != body["not_before"].(float64)+3600 || body["scope"] != "openid "+rpClientID {
			t.Fatalf("access token %v, body %v", at, body)
		}
		id := verifyToken(t, body["id_token"].(string), keys, e.clock.Now, jwt.WithAudience(rpClientID))
		if id["at_hash"] == nil || id["azp"] != nil {
			t.Errorf("id_token %v: want at_hash and no azp", id)
		}
	})
	t.Run("an API scope (TOK-03)", func(t *testing.T) {
		body := codeTokens(t, e, "openid "+apiURI+"/read")
		at := verifyToken(t, body["access_token"].(string), keys, e.clock.Now, jwt.WithAudience("api-app"))
		if at["scp"] != "read" || at["azp"] != rpClientID || at["nonce"] != "nonce-1" || body["resource"] != "api-app" {
			t.Fatalf("access token %v, body %v", at, body)
		}
	})
	for _, tt := range []struct{ scope, code string }{
		{"openid read", "AADB2C90055"},
		{"openid " + apiURI + "/delete", "AADB2C90012"},
		{"openid " + apiURI + "/write", "AADB2C90205"},
		{"openid " + apiURI + "/read https://fabrikam.onmicrosoft.com/api/read", "AADB2C90012"},
	} {
		t.Run("scope "+tt.scope, func(t *testing.T) {
			o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_type": "code", "scope": tt.scope}, "")
			wantError(t, o, "query", "invalid_request", tt.code)
		})
	}
}

func TestAccessTokenTwoAPIs(t *testing.T) {
	e := newEmulator(t, emuOptions{
		apps: []Application{
			{ClientID: "api-a", IdentifierURI: apiURI, Scopes: []string{"read"}},
			{ClientID: "api-b", IdentifierURI: "https://contoso.onmicrosoft.com/other", Scopes: []string{"read"}},
		},
		rpPermissions: []string{apiURI + "/read", "https://contoso.onmicrosoft.com/other/read"},
	})
	o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_type": "code", "scope": "openid " + apiURI + "/read https://contoso.onmicrosoft.com/other/read"}, "")
	wantError(t, o, "query", "invalid_request", "AADB2C90146")
}

func refresh(t *testing.T, e *emulator, policyID string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(e.srv.TokenURL(policyID), form)
	return jsonResponse(t, resp, err)
}

func refreshForm(tok string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}, "client_id": {rpClientID}, "client_secret": {rpSecret}}
}

func TestRefreshTokens(t *testing.T) {
	e := tokenEmulator(t)
	keys := jwks(t, e.srv.JWKSURL(policySignIn))
	first := codeTokens(t, e, "openid offline_access "+rpClientID)
	rt, _ := first["refresh_token"].(string)
	if rt == "" || first["refresh_token_expires_in"] != float64(1209600) || first["scope"] != "openid "+rpClientID+" offline_access" {
		t.Fatalf("first response %v", first)
	}
	orig := verifyToken(t, first["id_token"].(string), keys, e.clock.Now, jwt.WithAudience(rpClientID))

	e.clock.Advance(time.Hour)
	status, body := refresh(t, e, policySignIn, refreshForm(rt))
	if status != http.StatusOK || body["refresh_token"] == rt || body["access_token"] == nil {
		t.Fatalf("refresh: HTTP %d %v", status, body)
	}
	again := verifyToken(t, body["id_token"].(string), keys, e.clock.Now, jwt.WithAudience(rpClientID))
	for k, v := range orig {
		switch k {
		case "nbf", "iat", "exp", "at_hash":
			if again[k] == v && k != "at_hash" {
				t.Errorf("%s did not change", k)
			}
		default:
			if again[k] != v {
				t.Errorf("claim %s: %v, was %v (RT-01: only nbf, iat and exp change)", k, again[k], v)
			}
		}
	}

	for _, tt := range []struct {
		name   string
		policy string
		form   url.Values
		code   string
	}{
		{"no refresh_token", policySignIn, url.Values{"grant_type": {"refresh_token"}, "client_id": {rpClientID}, "client_secret": {rpSecret}}, "AADB2C90083"},
		{"an unknown one", policySignIn, refreshForm("nope"), "AADB2C90080"},
		{"another policy", policyPicker, refreshForm(rt), "AADB2C90088"},
		{"another client", policySignIn, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {"other-client"}, "client_secret": {"other-secret"}}, "AADB2C90279"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := refresh(t, e, tt.policy, tt.form)
			desc, _ := body["error_description"].(string)
			if status != http.StatusBadRequest || !strings.HasPrefix(desc, tt.code+": ") {
				t.Fatalf("HTTP %d %v, want 400 %s", status, body, tt.code)
			}
		})
	}

	t.Run("past its lifetime (RT-04)", func(t *testing.T) {
		e.clock.Advance(15 * 24 * time.Hour)
		_, body := refresh(t, e, policySignIn, refreshForm(body["refresh_token"].(string)))
		desc, _ := body["error_description"].(string)
		if body["error"] != "invalid_grant" || !strings.HasPrefix(desc, "AADB2C90080: ") || !strings.Contains(desc, "Grant expiration time: ") {
			t.Fatalf("%v", body)
		}
	})
}

func TestRefreshSlidingWindow(t *testing.T) {
	e := tokenEmulator(t)
	rt := codeTokens(t, e, "openid offline_access")["refresh_token"].(string)
	// Refreshing every 13 days keeps each token alive until the 90-day window ends.
	for day := 13; day <= 91; day += 13 {
		e.clock.Advance(13 * 24 * time.Hour)
		status, body := refresh(t, e, policySignIn, refreshForm(rt))
		if day < 90 {
			if status != http.StatusOK {
				t.Fatalf("day %d: HTTP %d %v", day, status, body)
			}
			rt = body["refresh_token"].(string)
			continue
		}
		desc, _ := body["error_description"].(string)
		if !strings.HasPrefix(desc, "AADB2C90080: ") || !strings.Contains(desc, "Grant sliding window expiration time: ") {
			t.Fatalf("day %d: %v", day, body)
		}
	}
}

// TestHybrid: code id_token (the OWIN default, by form_post) returns both,
// the id_token carrying the code's c_hash; the code redeems (TOK-06). The
// words may come in any order. An application without the implicit flag gets
// AADB2C90057; the implicit grant of access tokens is not implemented yet.
func TestHybrid(t *testing.T) {
	e := newEmulator(t, emuOptions{apps: []Application{{ClientID: "no-implicit", RedirectURIs: []string{rpRedirectURI}, Secret: "s"}}})
	for _, rt := range []string{"code id_token", "id_token code"} {
		o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_type": rt, "response_mode": "form_post"}, "")
		code := o.Params.Get("code")
		if o.Mode != "form_post" || code == "" || o.Params.Get("id_token") == "" {
			t.Fatalf("%s: want a code and an id_token by form_post, got %s", rt, o)
		}
		c := verifyToken(t, o.Params.Get("id_token"), jwks(t, e.srv.JWKSURL(policySignIn)), e.clock.Now, jwt.WithAudience(rpClientID))
		sum := sha256.Sum256([]byte(code))
		if c["c_hash"] != base64.RawURLEncoding.EncodeToString(sum[:16]) || c["nonce"] != "nonce-1" {
			t.Errorf("%s: c_hash %v nonce %v", rt, c["c_hash"], c["nonce"])
		}
		status, body := redeem(t, e, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpRedirectURI}, "client_id": {rpClientID}, "client_secret": {rpSecret}})
		if status != http.StatusOK || body["id_token"] == nil {
			t.Fatalf("%s: redeem: HTTP %d %v", rt, status, body)
		}
	}
	o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"client_id": "no-implicit", "response_type": "code id_token"}, "")
	wantError(t, o, "fragment", "unauthorized_client", "AADB2C90057")
	o = signIn(t, e, newBrowser(t), policySignIn, map[string]string{"client_id": "no-implicit", "response_type": "code"}, "")
	if o.Params.Get("code") == "" {
		t.Errorf("the code flow needs no implicit flag: %s", o)
	}
	o = signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_type": "id_token token"}, "")
	wantPage(t, o, http.StatusNotImplemented, "")
}

// TestURLForms: discovery, keys, authorize and token answer in the path
// form, MSAL.NET's tfp form and the ?p= query form, whose document names its
// endpoints in the query form with the policy in lowercase (spec apps §2.1, §6.2).
func TestURLForms(t *testing.T) {
	e := tokenEmulator(t)
	tenant := DefaultTenant
	for _, tt := range []struct{ url, wantAuthorize string }{
		{e.base + "/" + tenant + "/" + policySignIn + "/v2.0/.well-known/openid-configuration", e.srv.AuthorizeURL(policySignIn)},
		{e.base + "/tfp/" + tenant + "/" + policySignIn + "/v2.0/.well-known/openid-configuration", e.srv.AuthorizeURL(policySignIn)},
		{e.base + "/" + tenant + "/v2.0/.well-known/openid-configuration?p=" + policySignIn, e.base + "/" + tenant + "/oauth2/v2.0/authorize?p=" + strings.ToLower(policySignIn)},
	} {
		resp, err := http.Get(tt.url)
		status, doc := jsonResponse(t, resp, err)
		if status != http.StatusOK || doc["authorization_endpoint"] != tt.wantAuthorize {
			t.Errorf("%s: HTTP %d, authorization_endpoint %v, want %s", tt.url, status, doc["authorization_endpoint"], tt.wantAuthorize)
		}
		if status == http.StatusOK {
			resp, err := http.Get(doc["jwks_uri"].(string))
			if status, keys := jsonResponse(t, resp, err); status != http.StatusOK || keys["keys"] == nil {
				t.Errorf("%s: jwks_uri: HTTP %d %v", tt.url, status, keys)
			}
		}
	}
	resp, err := http.Get(e.base + "/" + tenant + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("no policy at all: HTTP %d, want 404", resp.StatusCode)
	}
	// A code from the path form redeems at the query form's token endpoint.
	o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_type": "code"}, "")
	resp, err = http.PostForm(e.base+"/"+tenant+"/oauth2/v2.0/token?p="+policySignIn, url.Values{"grant_type": {"authorization_code"},
		"code": {o.Params.Get("code")}, "redirect_uri": {rpRedirectURI}, "client_id": {rpClientID}, "client_secret": {rpSecret}})
	if status, body := jsonResponse(t, resp, err); status != http.StatusOK || body["id_token"] == nil {
		t.Errorf("token by ?p=: HTTP %d %v", status, body)
	}
}
