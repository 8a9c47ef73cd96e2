package oauth2_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/oauth2"
)

func TestTokenChecks(t *testing.T) {
	tests := []struct {
		name          string
		form          func(code string) url.Values
		header        http.Header
		contentType   string // default form-encoded
		status        int
		errCode       string
		wantChallenge string // WWW-Authenticate prefix, "" = none
	}{
		{name: "client_secret_post", form: tokenForm, status: 200},
		{name: "client_secret_basic", form: tokenFormWith("client_id", "-", "client_secret", "-"), header: basic(clientID, clientSecret), status: 200},
		{name: "basic with matching client_id in body", form: tokenFormWith("client_secret", "-"), header: basic(clientID, clientSecret), status: 200},
		{name: "basic wrong secret", form: tokenFormWith("client_id", "-", "client_secret", "-"), header: basic(clientID, "wrong"), status: 401, errCode: "invalid_client", wantChallenge: "Basic "},
		{name: "basic unknown client", form: tokenFormWith("client_id", "-", "client_secret", "-"), header: basic("nobody", clientSecret), status: 401, errCode: "invalid_client", wantChallenge: "Basic "},
		{name: "basic not base64", form: tokenFormWith("client_secret", "-"), header: http.Header{"Authorization": {"Basic %%%"}},
			status: 401, errCode: "invalid_client", wantChallenge: "Basic "},
		{name: "basic and client_secret", form: tokenForm, header: basic(clientID, clientSecret), status: 400, errCode: "invalid_request"},
		{name: "basic and other client_id", form: tokenFormWith("client_secret", "-", "client_id", "other-app"), header: basic(clientID, clientSecret), status: 400, errCode: "invalid_request"},
		{name: "bearer scheme", form: tokenForm, header: http.Header{"Authorization": {"Bearer x"}},
			status: 401, errCode: "invalid_client", wantChallenge: "Basic "},
		{name: "post wrong secret", form: tokenFormWith("client_secret", "wrong"), status: 401, errCode: "invalid_client"},
		{name: "post unknown client", form: tokenFormWith("client_id", "nobody"), status: 401, errCode: "invalid_client"},
		{name: "no client authentication", form: tokenFormWith("client_id", "-", "client_secret", "-"), status: 401, errCode: "invalid_client"},
		{name: "no client_secret", form: tokenFormWith("client_secret", "-"), status: 401, errCode: "invalid_client"},
		{name: "private_key_jwt from a secret client", form: tokenFormWith("client_secret", "-", "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", "eyJ.x.y"), status: 401, errCode: "invalid_client"},
		{name: "grant_type password", form: tokenFormWith("grant_type", "password"), status: 400, errCode: "unsupported_grant_type"},
		{name: "grant_type missing", form: tokenFormWith("grant_type", "-"), status: 400, errCode: "invalid_request"},
		{name: "code missing", form: tokenFormWith("code", "-"), status: 400, errCode: "invalid_request"},
		{name: "code unknown", form: func(string) url.Values { return tokenForm("made-up") }, status: 400, errCode: "invalid_grant"},
		{name: "code of another client", form: tokenFormWith("client_id", "other-app", "client_secret", "other-secret"), status: 400, errCode: "invalid_grant"},
		{name: "redirect_uri differs", form: tokenFormWith("redirect_uri", rpWithQuery), status: 400, errCode: "invalid_grant"},
		{name: "redirect_uri trailing slash", form: tokenFormWith("redirect_uri", authresp+"/"), status: 400, errCode: "invalid_grant"},
		{name: "redirect_uri missing", form: tokenFormWith("redirect_uri", "-"), status: 400, errCode: "invalid_grant"},
		{name: "repeated parameter", form: func(c string) url.Values {
			f := tokenForm(c)
			f.Add("grant_type", "authorization_code")
			return f
		}, status: 400, errCode: "invalid_request"},
		{name: "JSON body", form: tokenForm, contentType: "application/json", status: 400, errCode: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testConfig())
			code := e.signIn(authzQuery(""))
			req, _ := http.NewRequest(http.MethodPost, e.TS.URL+"/token", strings.NewReader(tt.form(code).Encode()))
			ct := tt.contentType
			if ct == "" {
				ct = "application/x-www-form-urlencoded"
			}
			req.Header.Set("Content-Type", ct)
			for k, v := range tt.header {
				req.Header[k] = v
			}
			r := e.Do(req)
			if tt.status == 200 {
				if r.StatusCode != 200 || r.JSON(t)["access_token"] == nil {
					t.Fatalf("status %d, want 200 with an access token\n%s", r.StatusCode, r.Text)
				}
				return
			}
			wantOAuthError(t, r, tt.status, tt.errCode)
			ch := r.Header.Get("WWW-Authenticate")
			if tt.wantChallenge == "" && ch != "" || !strings.HasPrefix(ch, tt.wantChallenge) {
				t.Errorf("WWW-Authenticate = %q, want prefix %q", ch, tt.wantChallenge)
			}
			if en := e.Journal.Entries(); en[len(en)-1].Error != tt.errCode {
				t.Errorf("journal error = %q, want %q", en[len(en)-1].Error, tt.errCode)
			}
		})
	}
}

func TestTokenBasicFormEncodedCredentials(t *testing.T) {
	cfg := testConfig()
	cfg.Clients[2].RedirectURIs = nil // special:app accepts any redirect URI
	e := newEnv(t, cfg)
	q := authzQuery("")
	q.Set("client_id", "special:app")
	code := e.signIn(q)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {authresp}}

	// RFC 6749 §2.3.1: "special%3Aapp:p%40ss+w%2Brd%25"
	r := e.PostForm("/token", form, basic("special:app", "p@ss w+rd%"))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("form-encoded Basic credentials: status %d\n%s", r.StatusCode, r.Text)
	}
}

func TestTokenMethod(t *testing.T) {
	e := newEnv(t, testConfig())
	code := e.signIn(authzQuery(""))
	r := e.Get("/token", tokenForm(code))
	wantOAuthError(t, r, http.StatusMethodNotAllowed, "invalid_request")
	if allow := r.Header.Get("Allow"); allow != "POST" {
		t.Errorf("Allow = %q, want POST", allow)
	}

	// Facebook-style GET when the config allows it: parameters in the query, empty body
	cfg := testConfig()
	cfg.AllowTokenGET = true
	e = newEnv(t, cfg)
	code = e.signIn(authzQuery(""))
	r = e.Get("/token", tokenForm(code))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /token with AllowTokenGET: status %d\n%s", r.StatusCode, r.Text)
	}
	last, _ := e.Srv.LastRequest(oauth2.EndpointToken)
	if last.Method != http.MethodGet || last.Query.Get("code") != code || last.Body != "" {
		t.Errorf("LastRequest = %+v, want GET with the code in the query and no body", last)
	}
}

func TestCodeSingleUse(t *testing.T) {
	e := newEnv(t, testConfig())
	code := e.signIn(authzQuery(""))
	first := e.PostForm("/token", tokenForm(code), nil)
	if first.StatusCode != http.StatusOK {
		t.Fatalf("first redemption: %d\n%s", first.StatusCode, first.Text)
	}
	tok := first.JSON(t)["access_token"].(string)
	if r := e.Get("/me", url.Values{"access_token": {tok}}); r.StatusCode != http.StatusOK {
		t.Fatalf("token works before the replay: %d", r.StatusCode)
	}

	second := e.PostForm("/token", tokenForm(code), nil)
	m := wantOAuthError(t, second, http.StatusBadRequest, "invalid_grant")
	if d := m["error_description"].(string); !strings.Contains(d, "already used") {
		t.Errorf("description = %q, want it to say the code was used", d)
	}
	// RFC 6749 §4.1.2: the replay revokes the tokens issued from the code
	r := e.Get("/me", url.Values{"access_token": {tok}})
	wantOAuthError(t, r, http.StatusUnauthorized, "invalid_token")
	if !strings.Contains(r.Text, "revoked") {
		t.Errorf("want a revoked token, got %s", r.Text)
	}
}

func TestCodeExpiry(t *testing.T) {
	cfg := testConfig()
	cfg.CodeTTL = oauth2.Duration(30 * time.Second)
	tests := []struct {
		name    string
		advance time.Duration
		status  int
	}{
		{"just before expiry", 29 * time.Second, http.StatusOK},
		{"at expiry", 30 * time.Second, http.StatusBadRequest},
		{"after expiry", time.Hour, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, cfg)
			code := e.signIn(authzQuery(""))
			e.Clock.Advance(tt.advance)
			r := e.PostForm("/token", tokenForm(code), nil)
			if tt.status == http.StatusOK {
				if r.StatusCode != http.StatusOK {
					t.Fatalf("status %d\n%s", r.StatusCode, r.Text)
				}
				return
			}
			m := wantOAuthError(t, r, tt.status, "invalid_grant")
			if !strings.Contains(m["error_description"].(string), "expired") {
				t.Errorf("description = %v, want expired", m["error_description"])
			}
		})
	}
}

func TestTokenExpiry(t *testing.T) {
	e := newEnv(t, testConfig()) // default TokenTTL: 1h
	tok := e.accessToken()
	e.Clock.Advance(59 * time.Minute)
	if r := e.Get("/me", url.Values{"access_token": {tok}}); r.StatusCode != http.StatusOK {
		t.Fatalf("before expiry: %d", r.StatusCode)
	}
	e.Clock.Advance(time.Minute)
	r := e.Get("/me", url.Values{"access_token": {tok}})
	wantOAuthError(t, r, http.StatusUnauthorized, "invalid_token")
	if ch := r.Header.Get("WWW-Authenticate"); !strings.Contains(ch, `error="invalid_token"`) || !strings.HasPrefix(ch, "Bearer ") {
		t.Errorf("WWW-Authenticate = %q", ch)
	}
}

func TestErrorIs(t *testing.T) {
	err := error(oauth2.Error{Code: oauth2.CodeInvalidGrant, Description: "expired"})
	if !errors.Is(err, oauth2.ErrInvalidGrant) || errors.Is(err, oauth2.ErrInvalidClient) {
		t.Errorf("errors.Is by code does not hold for %v", err)
	}
	if got := err.Error(); got != "invalid_grant: expired" {
		t.Errorf("Error() = %q", got)
	}
}

// tokenFormWith returns tokenForm for a code, changed: each name, value pair sets a parameter,
// and the value "-" removes it.
func tokenFormWith(changes ...string) func(code string) url.Values {
	return func(code string) url.Values {
		f := tokenForm(code)
		for i := 0; i+1 < len(changes); i += 2 {
			if changes[i+1] == "-" {
				f.Del(changes[i])
			} else {
				f.Set(changes[i], changes[i+1])
			}
		}
		return f
	}
}
