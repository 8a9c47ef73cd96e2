package oauth2_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/journal"
	"github.com/iefconform/iefconform/mocks/oauth2"
)

const (
	authresp     = "https://contoso.b2clogin.com/contoso.onmicrosoft.com/oauth2/authresp"
	rpWithQuery  = "https://rp.example/cb?tenant=contoso"
	clientID     = "b2c-app"
	clientSecret = "app-secret"
)

func testConfig() oauth2.Config {
	return oauth2.Config{
		Clients: []oauth2.Client{
			{ID: clientID, Secret: clientSecret, RedirectURIs: []string{authresp, rpWithQuery}},
			{ID: "other-app", Secret: "other-secret"},
			{ID: "special:app", Secret: "p@ss w+rd%"},
		},
		Users: []oauth2.User{{
			Username: "alice",
			Password: "alice-pw",
			Claims: map[string]any{
				"id":         "1001",
				"first_name": "Alice",
				"last_name":  "Smith",
				"email":      "alice@example.com",
				"picture":    map[string]any{"data": map[string]any{"url": "https://example.com/alice.png"}},
				"languages":  []any{map[string]any{"id": "1", "name": "English"}},
			},
		}},
	}
}

// env is one mock IdP on a real listener, with a client that does not follow redirects.
type env struct {
	*kittest.Env[*oauth2.Server]
}

// response is a read and closed HTTP response.
type response = kittest.Response

func newEnv(t *testing.T, cfg oauth2.Config) *env {
	t.Helper()
	return newEnvOpts(t, cfg)
}

// newEnvOpts is newEnv with more options.
func newEnvOpts(t *testing.T, cfg oauth2.Config, opts ...oauth2.Option) *env {
	t.Helper()
	return &env{kittest.Start(t, kittest.NewClock(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)), func(now func() time.Time, j *journal.Journal) (*oauth2.Server, error) {
		return oauth2.New(cfg, append([]oauth2.Option{oauth2.WithClock(now), oauth2.WithJournal(j, "facebook")}, opts...)...)
	})}
}

// authzQuery is a B2C-like authorization request.
func authzQuery(mode string) url.Values {
	q := url.Values{
		"client_id":     {clientID},
		"redirect_uri":  {authresp},
		"response_type": {"code"},
		"scope":         {"email public_profile"},
		"state":         {"StateProperties=eyJTSUQiOiJ4In0"},
	}
	if mode != "" {
		q.Set("response_mode", mode)
	}
	return q
}

// signIn runs the authorization request in query mode and returns the code.
func (e *env) signIn(q url.Values) string {
	e.T.Helper()
	q.Set("response_mode", "query")
	page := e.Get("/authorize", q)
	if page.StatusCode != http.StatusOK {
		e.T.Fatalf("GET /authorize: status %d\n%s", page.StatusCode, page.Text)
	}
	resp := e.PostForm("/authorize", kittest.LoginForm(e.T, page.Text, "alice", "alice-pw", "signin"), nil)
	if resp.StatusCode != http.StatusFound {
		e.T.Fatalf("POST /authorize: status %d, want 302\n%s", resp.StatusCode, resp.Text)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		e.T.Fatal(err)
	}
	code := loc.Query().Get("code")
	if code == "" {
		e.T.Fatalf("no code in %s", loc)
	}
	return code
}

// codeForm is clientID's token request for code, before any client authentication.
func codeForm(clientID, code string) url.Values {
	return url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"redirect_uri": {authresp},
		"client_id":    {clientID},
	}
}

// tokenForm is a client_secret_post token request.
func tokenForm(code string) url.Values {
	f := codeForm(clientID, code)
	f.Set("client_secret", clientSecret)
	return f
}

// accessToken signs in and redeems the code.
func (e *env) accessToken() string {
	e.T.Helper()
	resp := e.PostForm("/token", tokenForm(e.signIn(authzQuery(""))), nil)
	if resp.StatusCode != http.StatusOK {
		e.T.Fatalf("token: status %d\n%s", resp.StatusCode, resp.Text)
	}
	tok, _ := resp.JSON(e.T)["access_token"].(string)
	if tok == "" {
		e.T.Fatalf("no access_token in %s", resp.Text)
	}
	return tok
}

func basic(id, secret string) http.Header {
	raw := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(raw))}}
}

// wantRefused checks an RFC 6749 §5.2 error whose description mentions desc and that the
// journal caught its code.
func (e *env) wantRefused(t *testing.T, r response, status int, code, desc string) {
	t.Helper()
	m := wantOAuthError(t, r, status, code)
	if d, _ := m["error_description"].(string); !strings.Contains(d, desc) {
		t.Errorf("description = %q, want it to contain %q", d, desc)
	}
	if en := e.Journal.Entries(); en[len(en)-1].Error != code {
		t.Errorf("journal error = %q, want %q", en[len(en)-1].Error, code)
	}
}

// wantOAuthError checks an RFC 6749 §5.2 error response.
func wantOAuthError(t *testing.T, r response, status int, code string) map[string]any {
	t.Helper()
	if r.StatusCode != status {
		t.Errorf("status = %d, want %d\n%s", r.StatusCode, status, r.Text)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	m := r.JSON(t)
	if m["error"] != code {
		t.Errorf("error = %v, want %q\n%s", m["error"], code, r.Text)
	}
	if d, _ := m["error_description"].(string); d == "" {
		t.Errorf("error_description is empty\n%s", r.Text)
	}
	return m
}
