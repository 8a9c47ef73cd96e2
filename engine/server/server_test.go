package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile/profiletest"
)

// descriptionRE is B2C's error_description layout (spec §5.9, §6.3).
var descriptionRE = regexp.MustCompile(`^(AADB2C\d{5}): (?s:.+)\r\nCorrelation ID: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\r\nTimestamp: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z\r\n$`)

// upperHexRE finds percent escapes with uppercase hex, which .NET never writes.
var upperHexRE = regexp.MustCompile(`%[0-9A-F]?[A-F]|%[A-F][0-9]`)

// signIn runs a journey from the authorize request to the relying party; the
// fake IdPs answer at once. With the picker policy it chooses exchange.
func signIn(t testing.TB, e *emulator, b *browser, policyID string, params map[string]string, exchange string) *outcome {
	t.Helper()
	o := b.get(e.authorizeURL(policyID, params))
	if exchange == "" {
		return o
	}
	return choose(t, b, o, exchange)
}

// choose clicks the button of a claims exchange on the selection page.
func choose(t testing.TB, b *browser, page *outcome, exchange string) *outcome {
	t.Helper()
	if page.Mode != "page" || page.Status != http.StatusOK {
		t.Fatalf("want the selection page, got %s", page)
	}
	fs, _ := forms(t, page)
	for _, f := range fs {
		for _, btn := range f.Buttons {
			if btn.ID == exchange {
				fields := f.Fields
				fields.Set(btn.Name, btn.Value)
				return b.post(f.Action.String(), fields)
			}
		}
	}
	t.Fatalf("no button %q on %s", exchange, page)
	return nil
}

// idToken checks that the outcome carries an id_token and returns its verified claims.
func idToken(t testing.TB, e *emulator, o *outcome, policyID string) jwt.MapClaims {
	t.Helper()
	if o.Mode == "page" || o.Params.Get("id_token") == "" {
		t.Fatalf("want an id_token at the relying party, got %s", o)
	}
	return verifyToken(t, o.Params.Get("id_token"), jwks(t, e.srv.JWKSURL(policyID)), e.clock.Now, jwt.WithAudience(rpClientID))
}

// wantError checks an error response at the relying party and returns the
// error_description's AADB2C code.
func wantError(t testing.TB, o *outcome, mode, wantErr, wantCode string) {
	t.Helper()
	if o.Mode != mode {
		t.Fatalf("want an error by %s at the relying party, got %s", mode, o)
	}
	if o.Target != rpRedirectURI {
		t.Errorf("error sent to %s, want %s", o.Target, rpRedirectURI)
	}
	if got := o.Params.Get("error"); got != wantErr {
		t.Errorf("error = %q, want %q (%s)", got, wantErr, o)
	}
	desc := o.Params.Get("error_description")
	m := descriptionRE.FindStringSubmatch(desc)
	if m == nil {
		t.Fatalf("error_description %q does not have B2C's layout", desc)
	}
	if wantCode != "" && m[1] != wantCode {
		t.Errorf("error_description code = %s, want %s: %q", m[1], wantCode, desc)
	}
	if o.Params.Get("id_token") != "" || o.Params.Get("code") != "" {
		t.Errorf("an error response carries a token or code: %v", o.Params)
	}
	if mode == "form_post" {
		return
	}
	// .NET encoding on the wire, parameters in B2C's order, state last (ERR-01).
	names := []string{}
	for _, kv := range strings.Split(o.Raw, "&") {
		k, _, _ := strings.Cut(kv, "=")
		names = append(names, k)
	}
	want := []string{"error", "error_description"}
	if o.Params.Has("state") {
		want = append(want, "state")
	}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("parameters in order %v, want %v", names, want)
	}
	wantRaw := encodeParams([]param{{"error", o.Params.Get("error")}, {"error_description", desc}})
	if o.Params.Has("state") {
		wantRaw += "&state=" + urlEncode(o.Params.Get("state"))
	}
	if o.Raw != wantRaw {
		t.Errorf("raw parameters\n got %s\nwant %s", o.Raw, wantRaw)
	}
	if !strings.Contains(o.Raw, "%0d%0aCorrelation+ID%3a+") || upperHexRE.MatchString(o.Raw) {
		t.Errorf("raw parameters %q are not .NET-encoded (+ for space, lowercase hex)", o.Raw)
	}
}

// TestSignIn runs the journey to an id_token by each response mode (spec §5.9; OA2-01, OA2-03, OA2-05).
func TestSignIn(t *testing.T) {
	e := newEmulator(t, emuOptions{})
	t.Run("id_token by query is refused (AADB2C90014, by fragment)", func(t *testing.T) {
		o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_mode": "query"}, "")
		wantError(t, o, "fragment", "invalid_request", "AADB2C90014")
	})
	for _, mode := range []string{"fragment", "form_post", ""} {
		t.Run("id_token by "+mode, func(t *testing.T) {
			b := newBrowser(t)
			o := signIn(t, e, b, policySignIn, map[string]string{"response_mode": mode, "state": "st-" + mode, "nonce": "n-" + mode}, "")
			wantMode := mode
			if mode == "" {
				wantMode = "fragment" // the default for id_token
			}
			if o.Mode != wantMode {
				t.Fatalf("answer by %s, want %s: %s", o.Mode, wantMode, o)
			}
			if o.Target != rpRedirectURI {
				t.Errorf("answer sent to %s, want %s", o.Target, rpRedirectURI)
			}
			if got := o.Params.Get("state"); got != "st-"+mode {
				t.Errorf("state = %q, want st-%s", got, mode)
			}
			c := idToken(t, e, o, policySignIn)
			if c["nonce"] != "n-"+mode {
				t.Errorf("nonce = %v, want n-%s", c["nonce"], mode)
			}
			user, _ := c["sub"].(string)
			if !strings.HasPrefix(user, "user-") || c["given_name"] != "Given "+user || c["email"] != user+"@example.com" || c["idp"] != "alpha.example" {
				t.Errorf("claims = %v", c)
			}
			if c["idp_expires_in"] != float64(5183944) {
				t.Errorf("idp_expires_in = %#v, want the number 5183944", c["idp_expires_in"])
			}
			if c["tfp"] != "b2c_1a_signup_signin" {
				t.Errorf("tfp = %v", c["tfp"])
			}
			if cid, _ := c["correlation_id"].(string); len(cid) != 36 { // named by its DefaultPartnerClaimTypes
				t.Errorf("correlation_id = %v, want the journey's GUID", c["correlation_id"])
			}
			if o.Mode != "form_post" {
				if !strings.HasPrefix(o.Raw, "id_token=") || !strings.HasSuffix(o.Raw, "&state="+urlEncode("st-"+mode)) {
					t.Errorf("raw parameters %q: want id_token first and state last", o.Raw)
				}
			}
		})
	}
	// The wire towards IdP A (form_post, UsePolicyInRedirectUri=0).
	authz := e.idpA.requests("/authorize")
	toks := e.idpA.requests("/token")
	if len(authz) != 3 || len(toks) != 3 {
		t.Fatalf("IdP A got %d authorize and %d token requests, want 3 each (the refused query mode reaches no IdP)", len(authz), len(toks))
	}
	wantRedirect := e.base + "/iefconform.onmicrosoft.com/oauth2/authresp"
	for i := range authz {
		q := authz[i].Query
		if q.Get("redirect_uri") != wantRedirect || q.Get("response_mode") != "form_post" || q.Get("scope") != "email public_profile" || q.Get("state") == "" {
			t.Errorf("authorize request %d: %v", i, q)
		}
		f := toks[i].Form
		if f.Get("redirect_uri") != wantRedirect || f.Get("client_secret") != idpASecret || f.Get("grant_type") != "authorization_code" {
			t.Errorf("token request %d: %v", i, f)
		}
	}
	if e.idpB.count("/authorize") != 0 {
		t.Errorf("IdP B was contacted by a journey that only uses IdP A")
	}
}

// TestDiscoveryAndJWKS: the discovery document and the JWKS agree with the token.
func TestDiscoveryAndJWKS(t *testing.T) {
	e := newEmulator(t, emuOptions{})
	o := signIn(t, e, newBrowser(t), policySignIn, nil, "")
	token := o.Params.Get("id_token")
	resp, err := http.Get(e.srv.MetadataURL(policySignIn))
	_, doc := jsonResponse(t, resp, err)
	jwksURI, _ := doc["jwks_uri"].(string)
	if jwksURI != e.srv.JWKSURL(policySignIn) {
		t.Errorf("jwks_uri = %q, want %q", jwksURI, e.srv.JWKSURL(policySignIn))
	}
	ks := jwks(t, jwksURI)
	parsed, _, err := jwt.NewParser().ParseUnverified(token, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ks[parsed.Header["kid"].(string)]; !ok || len(ks) != 1 {
		t.Errorf("JWKS kids %v, want exactly the token's kid %v", ks, parsed.Header["kid"])
	}
	iss, _ := doc["issuer"].(string)
	c := verifyToken(t, token, ks, e.clock.Now, jwt.WithIssuer(iss), jwt.WithAudience(rpClientID))
	if !strings.HasPrefix(iss, e.base+"/") || !strings.HasSuffix(iss, "/v2.0/") {
		t.Errorf("issuer = %q, want %s/{tenantGuid}/v2.0/", iss, e.base)
	}
	if c["iss"] != iss {
		t.Errorf("token iss %v != discovery issuer %q", c["iss"], iss)
	}
	// claims_supported names the relying party's claims as the token does:
	// PartnerClaimType, else DefaultPartnerClaimTypes (correlation_id), else the id.
	var supported []string
	for _, v := range doc["claims_supported"].([]any) {
		supported = append(supported, fmt.Sprint(v))
	}
	if want := []string{"sub", "given_name", "email", "idp", "idp_expires_in", "correlation_id"}; !slices.Equal(supported, want) {
		t.Errorf("claims_supported = %q, want %q", supported, want)
	}
	if _, ok := c["correlation_id"]; !ok {
		t.Errorf("the token has no correlation_id: %v", c)
	}
	for k, want := range map[string]string{
		"authorization_endpoint": e.srv.AuthorizeURL(policySignIn),
		"token_endpoint":         e.srv.TokenURL(policySignIn),
		"end_session_endpoint":   e.srv.LogoutURL(policySignIn),
	} {
		if doc[k] != want {
			t.Errorf("%s = %v, want %s", k, doc[k], want)
		}
	}
	if got := e.srv.Policies(); fmt.Sprint(got) != fmt.Sprint([]string{policyPicker, policySignIn}) {
		t.Errorf("Policies = %v", got)
	}
	if e.srv.Tenant() != DefaultTenant {
		t.Errorf("Tenant = %q", e.srv.Tenant())
	}
}

// jsonResponse returns the status and the JSON object of the response to a
// request that returned resp and err; anything else fails the test.
func jsonResponse(t testing.TB, resp *http.Response, err error) (int, map[string]any) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s %s: HTTP %d, want a JSON object: %v", resp.Request.Method, resp.Request.URL, resp.StatusCode, err)
	}
	return resp.StatusCode, body
}

// redeem posts a code to the token endpoint.
func redeem(t testing.TB, e *emulator, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(e.srv.TokenURL(policySignIn), form)
	return jsonResponse(t, resp, err)
}

// TestCodeFlow: response_type=code, the code redeemed once at the token endpoint.
func TestCodeFlow(t *testing.T) {
	e := newEmulator(t, emuOptions{})
	for _, mode := range []string{"query", "form_post"} {
		t.Run(mode, func(t *testing.T) {
			o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_type": "code", "response_mode": mode, "state": "code-state"}, "")
			if o.Mode != mode || o.Params.Get("code") == "" || o.Params.Get("id_token") != "" || o.Params.Get("state") != "code-state" {
				t.Fatalf("want a code and the state by %s, got %s", mode, o)
			}
			form := url.Values{"grant_type": {"authorization_code"}, "code": {o.Params.Get("code")}, "redirect_uri": {rpRedirectURI}, "client_id": {rpClientID}, "client_secret": {rpSecret}}
			status, body := redeem(t, e, form)
			if status != http.StatusOK {
				t.Fatalf("token endpoint: HTTP %d %v", status, body)
			}
			tok, _ := body["id_token"].(string)
			c := verifyToken(t, tok, jwks(t, e.srv.JWKSURL(policySignIn)), e.clock.Now, jwt.WithAudience(rpClientID))
			if c["nonce"] != "nonce-1" {
				t.Errorf("nonce = %v", c["nonce"])
			}
			status, body = redeem(t, e, form)
			if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
				t.Errorf("second redemption: HTTP %d %v, want 400 invalid_grant", status, body)
			}
		})
	}
	tests := []struct {
		name       string
		change     func(url.Values)
		basic      bool
		wantStatus int
		wantError  string
	}{
		{"wrong redirect_uri", func(f url.Values) { f.Set("redirect_uri", "https://rp.example/other") }, false, 400, "invalid_grant"},
		{"unknown code", func(f url.Values) { f.Set("code", "nope") }, false, 400, "invalid_grant"},
		{"wrong client secret", func(f url.Values) { f.Set("client_secret", "nope") }, false, 401, "invalid_client"},
		{"unregistered client", func(f url.Values) { f.Set("client_id", "other") }, false, 401, "invalid_client"},
		{"unsupported grant_type", func(f url.Values) { f.Set("grant_type", "password") }, false, 400, "unsupported_grant_type"},
		{"client_secret_basic", func(f url.Values) { f.Del("client_id"); f.Del("client_secret") }, true, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_type": "code"}, "")
			if o.Mode != "query" || o.Params.Get("code") == "" {
				t.Fatalf("want a code by query (the default for code), got %s", o)
			}
			form := url.Values{"grant_type": {"authorization_code"}, "code": {o.Params.Get("code")}, "redirect_uri": {rpRedirectURI}, "client_id": {rpClientID}, "client_secret": {rpSecret}}
			tt.change(form)
			req, _ := http.NewRequest(http.MethodPost, e.srv.TokenURL(policySignIn), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.basic {
				req.SetBasicAuth(url.QueryEscape(rpClientID), url.QueryEscape(rpSecret))
			}
			resp, err := http.DefaultClient.Do(req)
			status, body := jsonResponse(t, resp, err)
			if status != tt.wantStatus || (tt.wantError != "" && body["error"] != tt.wantError) {
				t.Fatalf("token endpoint: HTTP %d %v, want %d %s", status, body, tt.wantStatus, tt.wantError)
			}
			if tt.wantError == "" && body["id_token"] == nil {
				t.Fatalf("token endpoint: %v, want an id_token", body)
			}
		})
	}
	t.Run("a code redeemed at another policy's token endpoint", func(t *testing.T) {
		o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_type": "code"}, "")
		form := url.Values{"grant_type": {"authorization_code"}, "code": {o.Params.Get("code")}, "redirect_uri": {rpRedirectURI}, "client_id": {rpClientID}, "client_secret": {rpSecret}}
		resp, err := http.PostForm(e.srv.TokenURL(policyPicker), form)
		status, body := jsonResponse(t, resp, err)
		if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Fatalf("HTTP %d %v, want 400 invalid_grant", status, body)
		}
	})
	t.Run("unknown policy at the token endpoint", func(t *testing.T) {
		resp, err := http.PostForm(e.base+"/"+DefaultTenant+"/b2c_1a_nope/oauth2/v2.0/token", url.Values{"grant_type": {"authorization_code"}})
		status, body := jsonResponse(t, resp, err)
		desc, _ := body["error_description"].(string)
		if status != http.StatusNotFound || body["error"] != "invalid_request" || !strings.HasPrefix(desc, "AADB2C90007: The policy 'b2c_1a_nope' does not exist") {
			t.Fatalf("HTTP %d %v, want 404 invalid_request AADB2C90007", status, body)
		}
	})
	t.Run("an expired code", func(t *testing.T) {
		e := newEmulator(t, emuOptions{})
		o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_type": "code"}, "")
		e.clock.Advance(codeTTL + time.Second)
		status, body := redeem(t, e, url.Values{"grant_type": {"authorization_code"}, "code": {o.Params.Get("code")}, "redirect_uri": {rpRedirectURI}, "client_id": {rpClientID}, "client_secret": {rpSecret}})
		if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Fatalf("HTTP %d %v, want 400 invalid_grant", status, body)
		}
	})
}

// TestErrorRedirects: a failing journey answers the relying party with error,
// error_description in B2C's layout and state, by its response mode (spec §5.9).
func TestErrorRedirects(t *testing.T) {
	shared := newEmulator(t, emuOptions{})
	tests := []struct {
		name       string
		knobs      func(f *fakeIdP)
		params     map[string]string
		wantMode   string
		wantErr    string
		wantCode   string
		wantText   string
		wantTokens int // token requests the failing journey makes
		// clientTimeout, when set, runs the case on its own emulator whose
		// client gives up on parties after it.
		clientTimeout time.Duration
	}{
		{
			name:     "IdP access_denied by fragment (OA2-13)",
			knobs:    func(f *fakeIdP) { f.authorizeError = "access_denied" },
			wantMode: "fragment", wantErr: "access_denied", wantCode: "AADB2C90273",
			wantText: "An invalid response was received : 'Error: access_denied,Error Description: The user denied the request'",
		},
		{
			name:     "IdP access_denied by query",
			knobs:    func(f *fakeIdP) { f.authorizeError = "access_denied" },
			params:   map[string]string{"response_mode": "query", "response_type": "code"},
			wantMode: "query", wantErr: "access_denied", wantCode: "AADB2C90273",
		},
		{
			name:     "IdP access_denied by form_post",
			knobs:    func(f *fakeIdP) { f.authorizeError = "access_denied" },
			params:   map[string]string{"response_mode": "form_post"},
			wantMode: "form_post", wantErr: "access_denied", wantCode: "AADB2C90273",
		},
		{
			name:     "IdP error without state from the RP",
			knobs:    func(f *fakeIdP) { f.authorizeError = "server_error" },
			params:   map[string]string{"state": ""},
			wantMode: "fragment", wantErr: "server_error", wantCode: "AADB2C90273",
		},
		{
			name:     "token endpoint answers non-JSON",
			knobs:    func(f *fakeIdP) { f.tokenStatus, f.tokenBody = 200, "<html>not json</html>" },
			wantMode: "fragment", wantErr: "server_error", wantCode: "AADB2C90273", wantTokens: 1,
		},
		{
			name:     "token endpoint 401 invalid_client",
			knobs:    func(f *fakeIdP) { f.tokenStatus, f.tokenBody = 401, `{"error":"invalid_client"}` },
			wantMode: "query", params: map[string]string{"response_mode": "query", "response_type": "code"},
			wantErr: "server_error", wantCode: "AADB2C90289", wantText: "'invalid_client'", wantTokens: 1,
		},
		{
			name:     "token endpoint 500",
			knobs:    func(f *fakeIdP) { f.tokenStatus, f.tokenBody = 500, "<html>down</html>" },
			wantMode: "fragment", wantErr: "server_error", wantCode: "AADB2C90289", wantTokens: 1,
		},
		{
			name:     "token endpoint never answers",
			knobs:    func(f *fakeIdP) { f.tokenBlock = true },
			wantMode: "fragment", wantErr: "server_error", wantCode: "AADB2C90289", wantTokens: 1,
			clientTimeout: 300 * time.Millisecond,
		},
		{
			name:     "claims endpoint answers a JSON array",
			knobs:    func(f *fakeIdP) { f.claimsBody = `[1,2]` },
			wantMode: "fragment", wantErr: "server_error", wantCode: "AADB2C90273", wantTokens: 1,
		},
		{
			name:     "unsupported response_type",
			params:   map[string]string{"response_type": "code banana"},
			wantMode: "fragment", wantErr: "unsupported_response_type", wantCode: "AADB2C90013",
		},
		{
			name:     "unsupported response_mode",
			params:   map[string]string{"response_mode": "web_message"},
			wantMode: "fragment", wantErr: "invalid_request",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := shared
			if tt.clientTimeout != 0 {
				e = newEmulator(t, emuOptions{httpClient: &http.Client{Timeout: tt.clientTimeout}})
			}
			tokensBefore := e.idpA.count("/token")
			if tt.knobs != nil {
				e.idpA.set(tt.knobs)
			}
			params := map[string]string{"state": "rp-state-1"}
			for k, v := range tt.params {
				params[k] = v
			}
			o := signIn(t, e, newBrowser(t), policySignIn, params, "")
			e.idpA.reset()
			if tt.wantCode != "" {
				wantError(t, o, tt.wantMode, tt.wantErr, tt.wantCode)
			} else if o.Mode != tt.wantMode || o.Params.Get("error") != tt.wantErr {
				t.Fatalf("want error %s by %s, got %s", tt.wantErr, tt.wantMode, o)
			}
			if tt.wantText != "" && !strings.Contains(o.Params.Get("error_description"), tt.wantText) {
				t.Errorf("error_description %q, want it to contain %q", o.Params.Get("error_description"), tt.wantText)
			}
			if got := o.Params.Get("state"); got != params["state"] {
				t.Errorf("state = %q, want %q", got, params["state"])
			}
			if got := e.idpA.count("/token") - tokensBefore; got != tt.wantTokens {
				t.Errorf("token requests: %d, want %d", got, tt.wantTokens)
			}
			// The process keeps serving: a good journey right after the failure.
			good := signIn(t, e, newBrowser(t), policySignIn, nil, "")
			idToken(t, e, good, policySignIn)
		})
	}
}

// TestIdPDown: the token endpoint refuses connections (AADB2C90289); the
// emulator keeps serving journeys through the other IdP.
func TestIdPDown(t *testing.T) {
	e := newEmulator(t, emuOptions{idpAToken: profiletest.ClosedURL(t) + "/token"})
	o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_mode": "query", "response_type": "code"}, "")
	wantError(t, o, "query", "server_error", "AADB2C90289")
	good := signIn(t, e, newBrowser(t), policyPicker, nil, "IdPBExchange")
	if c := idToken(t, e, good, policyPicker); c["idp"] != "beta.example" {
		t.Errorf("idp = %v, want beta.example", c["idp"])
	}
}

// wantPage checks the emulator's own error page: no redirect to the RP.
func wantPage(t testing.TB, o *outcome, status int, code string) {
	t.Helper()
	if o.Mode != "page" || o.Status != status {
		t.Fatalf("want the emulator's error page with HTTP %d, got %s", status, o)
	}
	if code != "" {
		if got := elementText(t, o, "error-code"); got != code {
			t.Errorf("error code on the page = %q, want %q", got, code)
		}
	}
	if elementText(t, o, "error-message") == "" {
		t.Errorf("error page without a message: %s", o.Body)
	}
}

// TestAuthorizeRejected: requests the emulator cannot answer by redirect.
func TestAuthorizeRejected(t *testing.T) {
	e := newEmulator(t, emuOptions{})
	tests := []struct {
		name     string
		policyID string
		params   map[string]string
		status   int
		code     string
	}{
		{"no client_id", policySignIn, map[string]string{"client_id": ""}, 400, "AADB2C90008"},
		{"unregistered client_id", policySignIn, map[string]string{"client_id": "someone-else"}, 400, "AADB2C90018"},
		{"unregistered redirect_uri", policySignIn, map[string]string{"redirect_uri": "https://evil.example/cb"}, 400, "AADB2C90006"},
		{"redirect_uri differing in case", policySignIn, map[string]string{"redirect_uri": "https://rp.example/CB"}, 400, "AADB2C90006"},
		{"no redirect_uri", policySignIn, map[string]string{"redirect_uri": ""}, 400, ""},
		{"unknown policy", "B2C_1A_nope", nil, 404, "AADB2C90007"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newBrowser(t).get(e.authorizeURL(tt.policyID, tt.params))
			wantPage(t, o, tt.status, tt.code)
		})
	}
	t.Run("unknown tenant", func(t *testing.T) {
		u := strings.Replace(e.authorizeURL(policySignIn, nil), DefaultTenant, "other.onmicrosoft.com", 1)
		wantPage(t, newBrowser(t).get(u), 404, "")
	})
	t.Run("unknown path", func(t *testing.T) {
		wantPage(t, newBrowser(t).get(e.base+"/nothing/here"), 404, "")
	})
	t.Run("method not allowed", func(t *testing.T) {
		resp, err := http.Post(e.srv.JWKSURL(policySignIn), "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("POST to the JWKS: HTTP %d, want 405", resp.StatusCode)
		}
	})
	if n := e.idpA.count("/authorize"); n != 0 {
		t.Errorf("IdP A got %d authorize requests from rejected journeys", n)
	}
}

// TestNoApplications (#18 item 9): an emulator with no registered application
// accepts no client, at the authorization endpoint or the token endpoint; before,
// any client_id and redirect URI were taken, an open redirect.
func TestNoApplications(t *testing.T) {
	e := newEmulator(t, emuOptions{noApps: true})
	o := newBrowser(t).get(e.authorizeURL(policySignIn, map[string]string{"client_id": "any-client", "redirect_uri": "https://evil.example/steal"}))
	wantPage(t, o, http.StatusBadRequest, "AADB2C90018")
	if n := e.idpA.count("/authorize"); n != 0 {
		t.Errorf("IdP A got %d authorize requests", n)
	}
	resp, err := http.PostForm(e.srv.TokenURL(policySignIn), url.Values{"grant_type": {"authorization_code"}, "client_id": {"any-client"}, "code": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "AADB2C90018") {
		t.Errorf("token endpoint: HTTP %d %s, want 401 AADB2C90018", resp.StatusCode, body)
	}
	wantPage(t, newBrowser(t).get(e.authorizeURL(policySignIn, map[string]string{"client_id": ""})), 400, "AADB2C90008")
}

// TestPathsCaseInsensitive: B2C's paths match in any case.
func TestPathsCaseInsensitive(t *testing.T) {
	e := newEmulator(t, emuOptions{})
	u := strings.Replace(e.authorizeURL(policySignIn, nil), "/"+DefaultTenant+"/"+strings.ToLower(policySignIn)+"/oauth2/v2.0/authorize",
		"/IefConform.onmicrosoft.com/B2C_1A_Signup_Signin/OAuth2/v2.0/Authorize", 1)
	if !strings.Contains(u, "B2C_1A_Signup_Signin/OAuth2") {
		t.Fatalf("test URL not rewritten: %s", u)
	}
	o := newBrowser(t).get(u)
	c := idToken(t, e, o, policySignIn)
	if c["tfp"] != "b2c_1a_signup_signin" {
		t.Errorf("tfp = %v", c["tfp"])
	}
	ks := jwks(t, strings.Replace(e.srv.JWKSURL(policySignIn), "b2c_1a_signup_signin", "B2C_1A_SIGNUP_SIGNIN", 1))
	if len(ks) != 1 {
		t.Errorf("JWKS in upper case: %d keys, want 1", len(ks))
	}
}

// TestSelectionPage: two providers show a page; the chosen one alone is contacted (UJ-05).
func TestSelectionPage(t *testing.T) {
	for _, pick := range []struct {
		exchange string
		idp      string
	}{{"IdPAExchange", "alpha.example"}, {"IdPBExchange", "beta.example"}} {
		t.Run(pick.exchange, func(t *testing.T) {
			e := newEmulator(t, emuOptions{})
			b := newBrowser(t)
			page := b.get(e.authorizeURL(policyPicker, nil))
			if page.Mode != "page" || page.Status != http.StatusOK {
				t.Fatalf("want the selection page, got %s", page)
			}
			fs, _ := forms(t, page)
			if len(fs) != 1 || fs[0].ID != "claims-provider-selection" || fs[0].Method != http.MethodPost {
				t.Fatalf("selection page forms: %+v", fs)
			}
			var ids, labels []string
			for _, btn := range fs[0].Buttons {
				ids = append(ids, btn.ID)
				labels = append(labels, btn.Label)
				if btn.Name != "claimsexchange" || btn.Value != btn.ID {
					t.Errorf("button %+v: want name claimsexchange and value = id", btn)
				}
			}
			if fmt.Sprint(ids) != "[IdPAExchange IdPBExchange]" || fmt.Sprint(labels) != "[Alpha Beta]" {
				t.Errorf("buttons %v %v, want the ClaimsExchange ids with the profiles' display names", ids, labels)
			}
			if e.idpA.count("/authorize")+e.idpB.count("/authorize") != 0 {
				t.Fatal("an IdP was contacted before the choice")
			}
			o := choose(t, b, page, pick.exchange)
			c := idToken(t, e, o, policyPicker)
			if c["idp"] != pick.idp {
				t.Errorf("idp = %v, want %s", c["idp"], pick.idp)
			}
			chosen, other := e.idpA, e.idpB
			if pick.exchange == "IdPBExchange" {
				chosen, other = e.idpB, e.idpA
			}
			if n := other.total(); n != 0 {
				t.Errorf("the IdP not chosen received %d requests", n)
			}
			if chosen.count("/authorize") != 1 || chosen.count("/token") != 1 || chosen.count("/me") != 1 {
				t.Errorf("the chosen IdP got authorize/token/me = %d/%d/%d, want 1/1/1", chosen.count("/authorize"), chosen.count("/token"), chosen.count("/me"))
			}
			if pick.exchange == "IdPBExchange" {
				// IdP B: UsePolicyInRedirectUri=true, lowercase (OA2-01), and the ClaimsEndpoint's own query kept (OA2-08).
				want := e.base + "/iefconform.onmicrosoft.com/b2c_1a_picker/oauth2/authresp"
				if got := chosen.requests("/authorize")[0].Query.Get("redirect_uri"); got != want {
					t.Errorf("redirect_uri = %q, want %q", got, want)
				}
				me := chosen.requests("/me")[0].Query
				if me.Get("fields") != "id,first_name,email" || me.Get("access_token") == "" {
					t.Errorf("claims request query %v", me)
				}
			}
		})
	}
	t.Run("tampered or unknown choices", func(t *testing.T) {
		e := newEmulator(t, emuOptions{})
		tests := []struct {
			name   string
			change func(url.Values)
		}{
			{"unknown exchange", func(f url.Values) { f.Set("claimsexchange", "IdPCExchange") }},
			{"wrong csrf token", func(f url.Values) { f.Set("csrf_token", "x") }},
			{"wrong tx", func(f url.Values) { f.Set("tx", "x") }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				b := newBrowser(t)
				page := b.get(e.authorizeURL(policyPicker, nil))
				fs, _ := forms(t, page)
				f := fs[0].Fields
				f.Set("claimsexchange", "IdPAExchange")
				tt.change(f)
				wantPage(t, b.post(fs[0].Action.String(), f), 400, "")
				// The journey is still at the selection: a proper choice goes on.
				if tt.name == "unknown exchange" {
					idToken(t, e, choose(t, b, page, "IdPAExchange"), policyPicker)
				}
			})
		}
		t.Run("no cookie", func(t *testing.T) {
			b := newBrowser(t)
			page := b.get(e.authorizeURL(policyPicker, nil))
			fs, _ := forms(t, page)
			f := fs[0].Fields
			f.Set("claimsexchange", "IdPAExchange")
			wantPage(t, newBrowser(t).post(fs[0].Action.String(), f), 400, "")
		})
		if n := e.idpB.count("/authorize"); n != 0 {
			t.Errorf("IdP B got %d requests", n)
		}
	})
}

// lastAuthresp returns the last request the browser sent to an authresp endpoint.
func (b *browser) lastAuthresp(t testing.TB) (method, u, body string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := len(b.sent) - 1; i >= 0; i-- {
		r := b.sent[i]
		if strings.HasSuffix(r.URL.Path, "/oauth2/authresp") {
			return r.Method, r.URL.String(), b.body[r]
		}
	}
	t.Fatal("the browser sent no authresp request")
	return "", "", ""
}

// TestAuthrespState: the IdP's answer must carry the journey's state (OA2-04).
func TestAuthrespState(t *testing.T) {
	t.Run("tampered state with the journey's cookie: error to the RP, no token call", func(t *testing.T) {
		e := newEmulator(t, emuOptions{})
		e.idpA.set(func(f *fakeIdP) { f.answerState = "tampered" })
		o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_mode": "query", "response_type": "code"}, "")
		wantError(t, o, "query", "server_error", "AADB2C90273")
		if n := e.idpA.count("/token"); n != 0 {
			t.Errorf("token requests: %d, want 0", n)
		}
		e.idpA.set(func(f *fakeIdP) { f.answerState = "" })
		idToken(t, e, signIn(t, e, newBrowser(t), policySignIn, nil, ""), policySignIn)
	})
	t.Run("unknown state without cookie: 400 page", func(t *testing.T) {
		e := newEmulator(t, emuOptions{})
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			u := e.base + "/" + DefaultTenant + "/oauth2/authresp"
			form := url.Values{"code": {"c"}, "state": {"unknown"}}
			var o *outcome
			if method == http.MethodGet {
				o = newBrowser(t).get(u + "?" + form.Encode())
			} else {
				o = newBrowser(t).post(u, form)
			}
			wantPage(t, o, 400, "AADB2C90273")
		}
		if n := e.idpA.count("/token"); n != 0 {
			t.Errorf("token requests: %d, want 0", n)
		}
	})
	t.Run("authresp under another tenant or an unknown policy: 404 page, the journey waits", func(t *testing.T) {
		e := newEmulator(t, emuOptions{})
		e.idpB.set(func(f *fakeIdP) { f.answerState = "" })
		b := newBrowser(t)
		page := b.get(e.authorizeURL(policyPicker, nil))
		// Stop at IdP B's authorize redirect: take the state B2C sent.
		fs, _ := forms(t, page)
		f := fs[0].Fields
		f.Set("claimsexchange", "IdPBExchange")
		req, _ := http.NewRequest(http.MethodPost, fs[0].Action.String(), strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp := b.noFollow(t, req)
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || loc.Query().Get("state") == "" {
			t.Fatalf("want a redirect to IdP B with a state, got HTTP %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		answer := url.Values{"code": {"x"}, "state": {loc.Query().Get("state")}}.Encode()
		for _, path := range []string{"/other.onmicrosoft.com/oauth2/authresp", "/other.onmicrosoft.com/b2c_1a_picker/oauth2/authresp", "/" + DefaultTenant + "/b2c_1a_nope/oauth2/authresp"} {
			wantPage(t, b.get(e.base+path+"?"+answer), 404, "")
		}
		if n := e.idpB.count("/token"); n != 0 {
			t.Errorf("token requests: %d, want 0", n)
		}
		// The journey still waits for IdP B's answer at the right address.
		idToken(t, e, b.get(loc.String()), policyPicker)
	})
	t.Run("replayed authresp after completion: 400 page, no second token call", func(t *testing.T) {
		e := newEmulator(t, emuOptions{})
		b := newBrowser(t)
		idToken(t, e, signIn(t, e, b, policySignIn, nil, ""), policySignIn)
		method, u, body := b.lastAuthresp(t)
		if method != http.MethodPost {
			t.Fatalf("IdP A answers by form_post; got %s %s", method, u)
		}
		form, _ := url.ParseQuery(body)
		wantPage(t, b.post(u, form), 400, "")
		wantPage(t, newBrowser(t).post(u, form), 400, "AADB2C90273")
		if n := e.idpA.count("/token"); n != 1 {
			t.Errorf("token requests: %d, want 1", n)
		}
	})
	t.Run("expired journey: 400 page", func(t *testing.T) {
		e := newEmulator(t, emuOptions{})
		b := newBrowser(t)
		page := b.get(e.authorizeURL(policyPicker, nil))
		e.clock.Advance(16 * time.Minute)
		fs, _ := forms(t, page)
		f := fs[0].Fields
		f.Set("claimsexchange", "IdPAExchange")
		wantPage(t, b.post(fs[0].Action.String(), f), 400, "")
		if n := e.idpA.count("/authorize"); n != 0 {
			t.Errorf("IdP A contacted by an expired journey")
		}
	})
}

// TestLogout covers the sign-out endpoint.
func TestLogout(t *testing.T) {
	e := newEmulator(t, emuOptions{})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		name         string
		query        string
		wantStatus   int
		wantLocation string
	}{
		{"without post_logout_redirect_uri", "", 200, ""},
		{"with a registered post_logout_redirect_uri", "?post_logout_redirect_uri=" + url.QueryEscape("https://rp.example/signed-out"), 302, "https://rp.example/signed-out"},
		{"with state", "?state=a+b%26c&post_logout_redirect_uri=" + url.QueryEscape("https://rp.example/signed-out"), 302, "https://rp.example/signed-out?state=a+b%26c"},
		{"with an unregistered post_logout_redirect_uri", "?post_logout_redirect_uri=" + url.QueryEscape("https://evil.example/"), 400, ""},
		{"with a relative post_logout_redirect_uri", "?post_logout_redirect_uri=%2Fsigned-out", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := noRedirect.Get(e.srv.LogoutURL(policySignIn) + tt.query)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || resp.Header.Get("Location") != tt.wantLocation {
				t.Fatalf("HTTP %d Location %q, want %d %q", resp.StatusCode, resp.Header.Get("Location"), tt.wantStatus, tt.wantLocation)
			}
		})
	}
	t.Run("logout ends the journey in progress", func(t *testing.T) {
		b := newBrowser(t)
		page := b.get(e.authorizeURL(policyPicker, nil))
		if o := b.get(e.srv.LogoutURL(policyPicker)); o.Mode != "page" || o.Status != 200 || elementText(t, o, "signed-out") == "" {
			t.Fatalf("logout: %s", o)
		}
		fs, _ := forms(t, page)
		f := fs[0].Fields
		f.Set("claimsexchange", "IdPAExchange")
		wantPage(t, b.post(fs[0].Action.String(), f), 400, "")
	})
}

// TestSigningKeyMisconfigured: the issuer's container holds a secret, not an
// RSA key: the journey ends with server_error at the RP and the JWKS is a 500.
func TestSigningKeyMisconfigured(t *testing.T) {
	e := newEmulator(t, emuOptions{})
	e.keys.SetSecret("B2C_1A_TokenSigningKeyContainer", []byte("not a key"))
	o := signIn(t, e, newBrowser(t), policySignIn, map[string]string{"response_mode": "query", "response_type": "code"}, "")
	wantError(t, o, "query", "server_error", "AADB2C90255")
	resp, err := http.Get(e.srv.JWKSURL(policySignIn))
	status, body := jsonResponse(t, resp, err)
	if status != http.StatusInternalServerError || body["error"] != "server_error" {
		t.Fatalf("JWKS: HTTP %d %v, want 500 server_error", status, body)
	}
}

func TestHealthz(t *testing.T) {
	e := newEmulator(t, emuOptions{})
	resp, err := http.Get(e.base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz: HTTP %d", resp.StatusCode)
	}
}

// TestConcurrentJourneys: journeys in parallel all succeed with their own tokens.
func TestConcurrentJourneys(t *testing.T) {
	e := newEmulator(t, emuOptions{})
	const n = 20
	var wg sync.WaitGroup
	tokens := make([]string, n)
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rt := &recordingT{TB: t}
			b := newBrowser(rt)
			policyID, exchange := policySignIn, ""
			if i%2 == 1 {
				policyID, exchange = policyPicker, []string{"IdPAExchange", "IdPBExchange"}[i/2%2]
			}
			o := rt.run(func() *outcome {
				return signIn(rt, e, b, policyID, map[string]string{"nonce": fmt.Sprint("nonce-", i), "state": fmt.Sprint("state-", i)}, exchange)
			})
			if rt.err != nil {
				errs <- fmt.Errorf("journey %d: %w", i, rt.err)
				return
			}
			if o.Params.Get("state") != fmt.Sprint("state-", i) {
				errs <- fmt.Errorf("journey %d got state %q", i, o.Params.Get("state"))
				return
			}
			c := rt.claims(func() jwt.MapClaims { return idToken(rt, e, o, policyID) })
			if rt.err != nil {
				errs <- fmt.Errorf("journey %d: %w", i, rt.err)
				return
			}
			if c["nonce"] != fmt.Sprint("nonce-", i) {
				errs <- fmt.Errorf("journey %d got nonce %v", i, c["nonce"])
				return
			}
			tokens[i] = o.Params.Get("id_token")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]int{}
	for i, tok := range tokens {
		if j, dup := seen[tok]; dup && tok != "" {
			t.Errorf("journeys %d and %d got the same token", j, i)
		}
		seen[tok] = i
	}
}

// recordingT lets helpers that call Fatal run in a goroutine: Fatal records
// the failure and ends the helper's call through run.
type recordingT struct {
	testing.TB
	err error
}

type fatal struct{}

func (r *recordingT) Helper() {}

func (r *recordingT) Fatalf(format string, args ...any) {
	r.err = fmt.Errorf(format, args...)
	panic(fatal{})
}

func (r *recordingT) Fatal(args ...any) {
	r.err = errors.New(fmt.Sprint(args...))
	panic(fatal{})
}

func (r *recordingT) Errorf(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

func (r *recordingT) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

func (r *recordingT) recover() {
	if v := recover(); v != nil {
		if _, ok := v.(fatal); !ok {
			panic(v)
		}
	}
}

func (r *recordingT) run(fn func() *outcome) (o *outcome) {
	defer r.recover()
	return fn()
}

func (r *recordingT) claims(fn func() jwt.MapClaims) (c jwt.MapClaims) {
	defer r.recover()
	return fn()
}

// TestNewPolicyProblems: New refuses a policy set with problems, all reported.
func TestNewPolicyProblems(t *testing.T) {
	doc := func(id, body string) *policy.File {
		src := fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<TrustFrameworkPolicy xmlns="%s" PolicySchemaVersion="0.3.0.0" TenantId="contoso.onmicrosoft.com" PolicyId="%s">
%s
</TrustFrameworkPolicy>`, policy.Namespace, id, body)
		f, err := policy.Parse(id+".xml", []byte(src), nil)
		if err != nil {
			t.Fatalf("parse %s: %v", id, err)
		}
		return f
	}
	const schema = `<BuildingBlocks><ClaimsSchema><ClaimType Id="email"><DataType>string</DataType></ClaimType></ClaimsSchema></BuildingBlocks>`
	const jwtIssuer = `<TechnicalProfile Id="JwtIssuer"><Protocol Name="OpenIdConnect" /><OutputTokenFormat>JWT</OutputTokenFormat>
  <CryptographicKeys><Key Id="issuer_secret" StorageReferenceId="B2C_1A_TokenSigningKeyContainer" /></CryptographicKeys></TechnicalProfile>`
	journey := func(tpID string) string {
		return `<UserJourneys><UserJourney Id="J"><OrchestrationSteps>
  <OrchestrationStep Order="1" Type="ClaimsExchange"><ClaimsExchanges><ClaimsExchange Id="X" TechnicalProfileReferenceId="` + tpID + `" /></ClaimsExchanges></OrchestrationStep>
  <OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
</OrchestrationSteps></UserJourney></UserJourneys>`
	}
	const rp = `<RelyingParty><DefaultUserJourney ReferenceId="J" /><TechnicalProfile Id="PolicyProfile"><Protocol Name="OpenIdConnect" />
  <OutputClaims><OutputClaim ClaimTypeReferenceId="email" /></OutputClaims></TechnicalProfile></RelyingParty>`
	tests := []struct {
		name     string
		tp       string
		wantCode string
		wantText string
	}{
		{
			name: "OAuth2 profile missing client_id and client_secret",
			tp: `<TechnicalProfile Id="IdP"><Protocol Name="OAuth2" /><Metadata>
  <Item Key="authorization_endpoint">https://idp.example/authorize</Item><Item Key="AccessTokenEndpoint">https://idp.example/token</Item>
  <Item Key="ClaimsEndpoint">https://idp.example/me</Item></Metadata></TechnicalProfile>`,
			wantCode: "AADB2C90023", wantText: "client_id",
		},
		{
			name:     "a reachable profile with claims transformations",
			tp:       `<TechnicalProfile Id="IdP"><Protocol Name="OAuth2" /><Metadata><Item Key="client_id">c</Item><Item Key="authorization_endpoint">https://i.example/a</Item><Item Key="AccessTokenEndpoint">https://i.example/t</Item><Item Key="ClaimsEndpoint">https://i.example/m</Item></Metadata><CryptographicKeys><Key Id="client_secret" StorageReferenceId="S" /></CryptographicKeys><OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="T" /></OutputClaimsTransformations></TechnicalProfile>`,
			wantText: "TransformationMethod CreateOtpSecret is not supported",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := schema
			if strings.Contains(tt.tp, "ClaimsTransformation ") {
				body = `<BuildingBlocks><ClaimsSchema><ClaimType Id="email"><DataType>string</DataType></ClaimType></ClaimsSchema>
  <ClaimsTransformations><ClaimsTransformation Id="T" TransformationMethod="CreateOtpSecret" /></ClaimsTransformations></BuildingBlocks>`
			}
			body += `<ClaimsProviders><ClaimsProvider><DisplayName>P</DisplayName><TechnicalProfiles>` + tt.tp + jwtIssuer + `</TechnicalProfiles></ClaimsProvider></ClaimsProviders>` + journey("IdP") + rp
			set, err := policy.NewSet(doc("B2C_1A_Test", body))
			if err != nil {
				t.Fatal(err)
			}
			_, err = New(Config{BaseURL: "http://127.0.0.1:1", Policies: set})
			var probs policy.Problems
			if !errors.As(err, &probs) || len(probs) == 0 {
				t.Fatalf("New = %v, want policy.Problems", err)
			}
			found := false
			for _, p := range probs {
				if (tt.wantCode == "" || p.Code == tt.wantCode) && strings.Contains(p.Message, tt.wantText) {
					found = true
				}
				if p.File != "B2C_1A_Test.xml" || p.Line == 0 {
					t.Errorf("problem without position: %v", p)
				}
			}
			if !found {
				t.Errorf("problems %v: want one with code %q mentioning %q", probs, tt.wantCode, tt.wantText)
			}
		})
	}
	t.Run("a sub journey that invokes itself", func(t *testing.T) {
		loop := strings.Replace(journey("JwtIssuer"), `<OrchestrationStep Order="2" Type="SendClaims"`,
			`<OrchestrationStep Order="2" Type="InvokeSubJourney"><JourneyList><Candidate SubJourneyReferenceId="Again" /></JourneyList></OrchestrationStep>
  <OrchestrationStep Order="3" Type="SendClaims"`, 1)
		loop += `<SubJourneys><SubJourney Id="Again" Type="Call"><OrchestrationSteps>
  <OrchestrationStep Order="1" Type="InvokeSubJourney"><JourneyList><Candidate SubJourneyReferenceId="Again" /></JourneyList></OrchestrationStep>
</OrchestrationSteps></SubJourney></SubJourneys>`
		body := schema + `<ClaimsProviders><ClaimsProvider><DisplayName>P</DisplayName><TechnicalProfiles>` + jwtIssuer + `</TechnicalProfiles></ClaimsProvider></ClaimsProviders>` + loop + rp
		set, err := policy.NewSet(doc("B2C_1A_Test", body))
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(Config{BaseURL: "http://127.0.0.1:1", Policies: set})
		var probs policy.Problems
		if !errors.As(err, &probs) || len(probs) != 1 || !errors.Is(probs[0], policy.ErrCycle) || probs[0].Line == 0 ||
			probs[0].Path != "SubJourney[Id=Again]/OrchestrationStep[Order=1]" || !strings.Contains(probs[0].Message, `sub journey "Again" invokes itself (Again -> Again); user journey "J"`) {
			t.Fatalf("New = %v, want one ErrCycle problem at the sub journey's step", err)
		}
	})
	t.Run("config problems", func(t *testing.T) {
		_, err := New(Config{Applications: []Application{{ClientID: ""}, {ClientID: "a"}, {ClientID: "a"}}})
		if err == nil {
			t.Fatal("New with an empty config: want an error")
		}
		for _, want := range []string{"baseURL is empty", "policies are not set", "applications[0]: clientId is empty", "applications[2] (a): the clientId is registered twice"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("New = %v, want it to report %q", err, want)
			}
		}
	})
}
