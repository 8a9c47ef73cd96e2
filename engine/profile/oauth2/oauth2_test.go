package oauth2_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/profile"
	"github.com/iefconform/iefconform/engine/profile/oauth2"
	"github.com/iefconform/iefconform/engine/profile/profiletest"
)

// The journey is profiletest.NewEnv's, of a policy id in mixed case (OA2-01).
const (
	clientID  = "fb-app-1"
	secretKey = "B2C_1A_FacebookSecret"
	secret    = "s3cret value/+="
)

// tp builds a Facebook-like OAuth2 technical profile XML from metadata items
// (key -> value; a value of "-" leaves the key out), extra elements in order.
type tpSpec struct {
	metadata     map[string]string
	noSecret     bool
	inputClaims  string
	outputClaims string
}

func (s tpSpec) xml(endpoints string) string {
	md := map[string]string{
		"client_id":              clientID,
		"authorization_endpoint": endpoints + "/dialog/oauth",
		"AccessTokenEndpoint":    endpoints + "/token",
		"ClaimsEndpoint":         endpoints + "/me?fields=id,first_name,email",
		"scope":                  "email public_profile",
		"UsePolicyInRedirectUri": "0",
	}
	for k, v := range s.metadata {
		md[k] = v
	}
	var b strings.Builder
	b.WriteString(`<TechnicalProfile Id="Facebook-OAUTH"><DisplayName>Facebook</DisplayName><Protocol Name="OAuth2" /><Metadata>`)
	for _, k := range []string{"client_id", "authorization_endpoint", "AccessTokenEndpoint", "ClaimsEndpoint", "scope", "UsePolicyInRedirectUri",
		"response_mode", "response_types", "AdditionalRequestQueryParameters", "ResolveJsonPathsInJsonTokens", "IncludeClaimResolvingInClaimsHandling"} {
		v, ok := md[k]
		if !ok || v == "-" {
			continue
		}
		fmt.Fprintf(&b, `<Item Key="%s">%s</Item>`, k, xmlEscape(v))
	}
	b.WriteString(`</Metadata>`)
	if !s.noSecret {
		fmt.Fprintf(&b, `<CryptographicKeys><Key Id="client_secret" StorageReferenceId="%s" /></CryptographicKeys>`, secretKey)
	}
	if s.inputClaims != "" {
		b.WriteString("<InputClaims>" + s.inputClaims + "</InputClaims>")
	}
	if s.outputClaims != "" {
		b.WriteString("<OutputClaims>" + s.outputClaims + "</OutputClaims>")
	}
	b.WriteString(`</TechnicalProfile>`)
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func newProfile(t *testing.T, s tpSpec, endpoints string) *oauth2.Profile {
	t.Helper()
	return profiletest.MustNew(t, oauth2.New, "Facebook", s.xml(endpoints))
}

// newEnv is a journey whose key store holds the client secret.
func newEnv(httpClient *http.Client) *profile.Env {
	env := profiletest.NewEnv(httpClient)
	env.Keys.SetSecret(secretKey, []byte(secret))
	return env
}

func TestNewProblems(t *testing.T) {
	const ep = "https://idp.example"
	tests := []struct {
		name     string
		spec     tpSpec
		wantCode []string // every problem's Code, in any order
		wantText string   // a problem message contains this
	}{
		{name: "valid", spec: tpSpec{}},
		{name: "missing client_id", spec: tpSpec{metadata: map[string]string{"client_id": "-"}}, wantCode: []string{"AADB2C90023"}, wantText: "client_id"},
		{name: "missing authorization_endpoint", spec: tpSpec{metadata: map[string]string{"authorization_endpoint": "-"}}, wantCode: []string{"AADB2C90023"}, wantText: "authorization_endpoint"},
		{name: "missing AccessTokenEndpoint", spec: tpSpec{metadata: map[string]string{"AccessTokenEndpoint": "-"}}, wantCode: []string{"AADB2C90023"}, wantText: "AccessTokenEndpoint"},
		{name: "missing ClaimsEndpoint", spec: tpSpec{metadata: map[string]string{"ClaimsEndpoint": "-"}}, wantCode: []string{"AADB2C90023"}, wantText: "ClaimsEndpoint"},
		{name: "all four missing", spec: tpSpec{metadata: map[string]string{"client_id": "-", "authorization_endpoint": "-", "AccessTokenEndpoint": "-", "ClaimsEndpoint": "-"}},
			wantCode: []string{"AADB2C90023", "AADB2C90023", "AADB2C90023", "AADB2C90023"}},
		{name: "empty client_id", spec: tpSpec{metadata: map[string]string{"client_id": " "}}, wantCode: []string{"AADB2C99011"}, wantText: "client_id"},
		{name: "missing client_secret key", spec: tpSpec{noSecret: true}, wantCode: []string{"AADB2C90025"}, wantText: "client_secret"},
		{name: "missing client_secret with response_types=code", spec: tpSpec{noSecret: true, metadata: map[string]string{"response_types": "code"}}, wantCode: []string{"AADB2C90025"}},
		{name: "no client_secret needed for id_token", spec: tpSpec{noSecret: true, metadata: map[string]string{"response_types": "id_token"}}},
		{name: "bad response_mode", spec: tpSpec{metadata: map[string]string{"response_mode": "web_message"}}, wantCode: []string{""}, wantText: "web_message"},
		{name: "relative authorization_endpoint", spec: tpSpec{metadata: map[string]string{"authorization_endpoint": "/dialog/oauth"}}, wantCode: []string{"AADB2C99011"}, wantText: "authorization_endpoint"},
		{name: "relative AccessTokenEndpoint", spec: tpSpec{metadata: map[string]string{"AccessTokenEndpoint": "token"}}, wantCode: []string{"AADB2C99011"}, wantText: "AccessTokenEndpoint"},
		{name: "ClaimsEndpoint without host", spec: tpSpec{metadata: map[string]string{"ClaimsEndpoint": "https:///me"}}, wantCode: []string{"AADB2C99011"}, wantText: "ClaimsEndpoint"},
		{name: "unparsable endpoint", spec: tpSpec{metadata: map[string]string{"ClaimsEndpoint": "http://[::1"}}, wantCode: []string{"AADB2C99011"}, wantText: "ClaimsEndpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := profiletest.New(t, oauth2.New, "Facebook", tt.spec.xml(ep))
			profiletest.WantProblems(t, probs, tt.wantCode, tt.wantText)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	p := newProfile(t, tpSpec{}, "https://idp.example")
	c := p.Config()
	if c.ResponseMode != "form_post" || c.ResponseTypes != "code" || c.UsePolicyInRedirect || c.ResolveJSONPaths {
		t.Fatalf("defaults: got %+v", c)
	}
	if c.SecretContainer != secretKey {
		t.Fatalf("SecretContainer = %q, want %q", c.SecretContainer, secretKey)
	}
}

// TestStart checks the authorization request (spec §2.1 step A; OA2-01, OA2-02).
func TestStart(t *testing.T) {
	const ep = "https://idp.example"
	tests := []struct {
		name      string
		spec      tpSpec
		claims    map[string]string
		want      map[string]string // parameters that must have exactly this value
		wantAbsnt []string          // parameters that must be absent
	}{
		{
			name: "defaults",
			want: map[string]string{
				"client_id":     clientID,
				"response_type": "code",
				"response_mode": "form_post",
				"redirect_uri":  "https://contoso.b2clogin.com/contoso.onmicrosoft.com/oauth2/authresp",
				"scope":         "email public_profile",
				"state":         "state-123",
			},
		},
		{
			name: "UsePolicyInRedirectUri=true lowercases a mixed-case policy id (OA2-01)",
			spec: tpSpec{metadata: map[string]string{"UsePolicyInRedirectUri": "true"}},
			want: map[string]string{"redirect_uri": "https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1a_signup_signin/oauth2/authresp"},
		},
		{
			name: "UsePolicyInRedirectUri=1",
			spec: tpSpec{metadata: map[string]string{"UsePolicyInRedirectUri": "1"}},
			want: map[string]string{"redirect_uri": "https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1a_signup_signin/oauth2/authresp"},
		},
		{
			name: "response_mode query",
			spec: tpSpec{metadata: map[string]string{"response_mode": "query"}},
			want: map[string]string{"response_mode": "query"},
		},
		{
			name:      "no scope metadata sends no scope",
			spec:      tpSpec{metadata: map[string]string{"scope": "-"}},
			wantAbsnt: []string{"scope"},
		},
		{
			name: "input claims under partner names with DefaultValue when absent (OA2-02)",
			spec: tpSpec{inputClaims: `<InputClaim ClaimTypeReferenceId="domainHint" PartnerClaimType="domain_hint" DefaultValue="contoso.com" />` +
				`<InputClaim ClaimTypeReferenceId="loginHint" PartnerClaimType="login_hint" />` +
				`<InputClaim ClaimTypeReferenceId="authType" PartnerClaimType="auth_type" DefaultValue="reauthenticate" />` +
				`<InputClaim ClaimTypeReferenceId="display" />` +
				`<InputClaim ClaimTypeReferenceId="absent" PartnerClaimType="never_sent" />`},
			claims:    map[string]string{"loginHint": "alice@example.com", "authType": "rerequest", "display": "popup"},
			want:      map[string]string{"domain_hint": "contoso.com", "login_hint": "alice@example.com", "auth_type": "rerequest", "display": "popup"},
			wantAbsnt: []string{"never_sent", "absent", "domainHint", "loginHint"},
		},
		{
			name: "AdditionalRequestQueryParameters",
			spec: tpSpec{metadata: map[string]string{"AdditionalRequestQueryParameters": "prompt=login, access_type=offline"}},
			want: map[string]string{"prompt": "login", "access_type": "offline"},
		},
		{
			name: "authorization_endpoint with a query string keeps it",
			spec: tpSpec{metadata: map[string]string{"authorization_endpoint": ep + "/dialog/oauth?tenant=common&v=2"}},
			want: map[string]string{"tenant": "common", "v": "2", "client_id": clientID, "state": "state-123"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProfile(t, tt.spec, ep)
			env := newEnv(http.DefaultClient)
			for k, v := range tt.claims {
				env.Claims.Set(k, v)
			}
			got, err := p.Start(context.Background(), env)
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("Start returned %q: %v", got, err)
			}
			if u.Scheme+"://"+u.Host+u.Path != ep+"/dialog/oauth" {
				t.Fatalf("Start = %s, want %s/dialog/oauth?...", got, ep)
			}
			q := u.Query()
			for k, v := range tt.want {
				if vs := q[k]; len(vs) != 1 || vs[0] != v {
					t.Errorf("parameter %s = %q, want exactly %q (URL %s)", k, vs, v, got)
				}
			}
			for _, k := range tt.wantAbsnt {
				if q.Has(k) {
					t.Errorf("parameter %s = %q, want it absent", k, q[k])
				}
			}
			if q.Get("redirect_uri") != p.RedirectURI(env) {
				t.Errorf("redirect_uri %q differs from RedirectURI %q", q.Get("redirect_uri"), p.RedirectURI(env))
			}
			if r := q.Get("redirect_uri"); r != strings.ToLower(r) {
				t.Errorf("redirect_uri %q is not lowercase", r)
			}
		})
	}
}

// request is what the fake IdP recorded of one request.
type request struct {
	Method      string
	Path        string
	RawQuery    string
	Query       url.Values
	Form        url.Values
	ContentType string
}

// fakeIdP is an OAuth2 identity provider's token and claims endpoints; each
// test shapes its answers with token and claims.
type fakeIdP struct {
	srv    *httptest.Server
	token  http.HandlerFunc
	claims http.HandlerFunc
	mu     sync.Mutex
	reqs   map[string][]request // by path
}

func newFakeIdP(t *testing.T) *fakeIdP {
	t.Helper()
	f := &fakeIdP{
		reqs: map[string][]request{},
		token: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"access_token":"at-1","token_type":"bearer","expires_in":5183944}`)
		},
		claims: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"10158","first_name":"Alice","email":"alice@example.com"}`)
		},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		f.reqs[r.URL.Path] = append(f.reqs[r.URL.Path], request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Query: r.URL.Query(), Form: r.PostForm, ContentType: r.Header.Get("Content-Type")})
		f.mu.Unlock()
		switch r.URL.Path {
		case "/token":
			f.token(w, r)
		case "/me":
			f.claims(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// requests returns the requests that reached path, in order.
func (f *fakeIdP) requests(path string) []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs[path])
}

const facebookOutput = `<OutputClaim ClaimTypeReferenceId="issuerUserId" PartnerClaimType="id" />` +
	`<OutputClaim ClaimTypeReferenceId="givenName" PartnerClaimType="first_name" />` +
	`<OutputClaim ClaimTypeReferenceId="email" />` +
	`<OutputClaim ClaimTypeReferenceId="identityProvider" DefaultValue="facebook.com" AlwaysUseDefaultValue="true" />`

// TestCompleteWire checks the token and claims requests (OA2-05, OA2-08).
func TestCompleteWire(t *testing.T) {
	for _, usePolicy := range []string{"0", "true"} {
		t.Run("UsePolicyInRedirectUri="+usePolicy, func(t *testing.T) {
			idp := newFakeIdP(t)
			p := newProfile(t, tpSpec{outputClaims: facebookOutput, metadata: map[string]string{"UsePolicyInRedirectUri": usePolicy}}, idp.srv.URL)
			env := newEnv(idp.srv.Client())
			start, err := p.Start(context.Background(), env)
			if err != nil {
				t.Fatal(err)
			}
			su, _ := url.Parse(start)
			if err := p.Complete(context.Background(), env, url.Values{"code": {"the-code"}, "state": {env.State}}); err != nil {
				t.Fatalf("Complete: %v", err)
			}
			toks := idp.requests("/token")
			if len(toks) != 1 {
				t.Fatalf("token requests: got %d, want 1", len(toks))
			}
			tr := toks[0]
			if tr.Method != http.MethodPost || tr.ContentType != "application/x-www-form-urlencoded" {
				t.Errorf("token request: %s %s, want POST application/x-www-form-urlencoded", tr.Method, tr.ContentType)
			}
			wantForm := map[string]string{
				"grant_type":    "authorization_code",
				"code":          "the-code",
				"redirect_uri":  su.Query().Get("redirect_uri"),
				"client_id":     clientID,
				"client_secret": secret,
			}
			for k, v := range wantForm {
				if got := tr.Form[k]; len(got) != 1 || got[0] != v {
					t.Errorf("token form %s = %q, want %q", k, got, v)
				}
			}
			if len(tr.Query) != 0 {
				t.Errorf("token request query = %v, want none", tr.Query)
			}
			cls := idp.requests("/me")
			if len(cls) != 1 {
				t.Fatalf("claims requests: got %d, want 1", len(cls))
			}
			cr := cls[0]
			if cr.Method != http.MethodGet {
				t.Errorf("claims request method %s, want GET", cr.Method)
			}
			if got := cr.Query.Get("access_token"); got != "at-1" {
				t.Errorf("claims access_token = %q, want at-1", got)
			}
			if got := cr.Query.Get("fields"); got != "id,first_name,email" {
				t.Errorf("claims fields = %q, want the ClaimsEndpoint's own id,first_name,email", got)
			}
			want := map[string]string{"issuerUserId": "10158", "givenName": "Alice", "email": "alice@example.com", "identityProvider": "facebook.com"}
			for k, v := range want {
				if got, _ := env.Claims.Get(k); got != v {
					t.Errorf("claim %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// TestCompleteMapping checks the output-claim mapping (OA2-10, OA2-11, OA2-12).
func TestCompleteMapping(t *testing.T) {
	tests := []struct {
		name     string
		paths    string
		token    string
		claims   string
		output   string
		bag      map[string]string // claims already in the bag
		want     map[string]string
		wantNone []string
	}{
		{
			name:   "PartnerClaimType and claim id",
			claims: `{"id":"1","first_name":"Alice","email":"a@x.example"}`,
			output: `<OutputClaim ClaimTypeReferenceId="issuerUserId" PartnerClaimType="id" /><OutputClaim ClaimTypeReferenceId="givenName" PartnerClaimType="first_name" /><OutputClaim ClaimTypeReferenceId="email" />`,
			want:   map[string]string{"issuerUserId": "1", "givenName": "Alice", "email": "a@x.example"},
		},
		{
			name:   "DefaultValue only when absent (OA2-12)",
			claims: `{"id":"1","locale":"fr_FR"}`,
			output: `<OutputClaim ClaimTypeReferenceId="locale" DefaultValue="en_US" /><OutputClaim ClaimTypeReferenceId="gender" DefaultValue="unknown" />`,
			want:   map[string]string{"locale": "fr_FR", "gender": "unknown"},
		},
		{
			name:   "AlwaysUseDefaultValue wins over the IdP (OA2-12)",
			claims: `{"identityProvider":"evil.example","authenticationSource":"x"}`,
			output: `<OutputClaim ClaimTypeReferenceId="identityProvider" DefaultValue="facebook.com" AlwaysUseDefaultValue="true" /><OutputClaim ClaimTypeReferenceId="authenticationSource" DefaultValue="socialIdpAuthentication" AlwaysUseDefaultValue="true" />`,
			want:   map[string]string{"identityProvider": "facebook.com", "authenticationSource": "socialIdpAuthentication"},
		},
		{
			name:     "claim the IdP omits without default is left untouched",
			claims:   `{"id":"1"}`,
			output:   `<OutputClaim ClaimTypeReferenceId="email" /><OutputClaim ClaimTypeReferenceId="surname" PartnerClaimType="last_name" />`,
			bag:      map[string]string{"email": "kept@example.com"},
			want:     map[string]string{"email": "kept@example.com"},
			wantNone: []string{"surname"},
		},
		{
			name:     "JSON null is absent",
			claims:   `{"email":null}`,
			output:   `<OutputClaim ClaimTypeReferenceId="email" />`,
			wantNone: []string{"email"},
		},
		{
			name:   "ResolveJsonPathsInJsonTokens=true resolves a.b and a[0].b (OA2-10)",
			paths:  "true",
			claims: `{"firstName":{"localized":"Ann"},"elements":[{"handle~":{"emailAddress":"ann@x.example"}}],"data":[{"to":[{"email":"to@x.example"}]}]}`,
			output: `<OutputClaim ClaimTypeReferenceId="givenName" PartnerClaimType="firstName.localized" />` +
				`<OutputClaim ClaimTypeReferenceId="email" PartnerClaimType="elements[0].handle~.emailAddress" />` +
				`<OutputClaim ClaimTypeReferenceId="otherMail" PartnerClaimType="data.0.to.0.email" />`,
			want: map[string]string{"givenName": "Ann", "email": "ann@x.example", "otherMail": "to@x.example"},
		},
		{
			name:     "ResolveJsonPathsInJsonTokens=false does not resolve paths (OA2-10)",
			paths:    "false",
			claims:   `{"firstName":{"localized":"Ann"},"data":[{"to":[{"email":"to@x.example"}]}],"a.b":"literal"}`,
			output:   `<OutputClaim ClaimTypeReferenceId="givenName" PartnerClaimType="firstName.localized" /><OutputClaim ClaimTypeReferenceId="email" PartnerClaimType="data[0].to[0].email" /><OutputClaim ClaimTypeReferenceId="literal" PartnerClaimType="a.b" />`,
			want:     map[string]string{"literal": "literal"},
			wantNone: []string{"givenName", "email"},
		},
		{
			name:  "{oauth2:...} partner claim types read the token response (OA2-11)",
			token: `{"access_token":"EAAB.xyz","token_type":"bearer","expires_in":5183944,"refresh_token":"rt-9"}`,
			output: `<OutputClaim ClaimTypeReferenceId="idpAccessToken" PartnerClaimType="{oauth2:access_token}" />` +
				`<OutputClaim ClaimTypeReferenceId="idpTokenType" PartnerClaimType="{oauth2:token_type}" />` +
				`<OutputClaim ClaimTypeReferenceId="idpExpiresIn" PartnerClaimType="{oauth2:expires_in}" />` +
				`<OutputClaim ClaimTypeReferenceId="idpRefreshToken" PartnerClaimType="{oauth2:refresh_token}" />`,
			want: map[string]string{"idpAccessToken": "EAAB.xyz", "idpTokenType": "bearer", "idpExpiresIn": "5183944", "idpRefreshToken": "rt-9"},
		},
		{
			name:   "expires_in numbers stay exact",
			token:  `{"access_token":"a","expires_in":12345678901234567890}`,
			output: `<OutputClaim ClaimTypeReferenceId="idpExpiresIn" PartnerClaimType="{oauth2:expires_in}" />`,
			want:   map[string]string{"idpExpiresIn": "12345678901234567890"},
		},
		{
			name:   "expires_in as a string",
			token:  `{"access_token":"a","expires_in":"3600"}`,
			output: `<OutputClaim ClaimTypeReferenceId="idpExpiresIn" PartnerClaimType="{oauth2:expires_in}" />`,
			want:   map[string]string{"idpExpiresIn": "3600"},
		},
		{
			name:     "absent refresh_token leaves the claim out",
			token:    `{"access_token":"a"}`,
			output:   `<OutputClaim ClaimTypeReferenceId="idpRefreshToken" PartnerClaimType="{oauth2:refresh_token}" />`,
			wantNone: []string{"idpRefreshToken"},
		},
		{
			name:   "numbers from the claims endpoint keep their text",
			claims: `{"id":10158000000000001,"age":1.50}`,
			output: `<OutputClaim ClaimTypeReferenceId="issuerUserId" PartnerClaimType="id" /><OutputClaim ClaimTypeReferenceId="age" />`,
			want:   map[string]string{"issuerUserId": "10158000000000001", "age": "1.50"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp := newFakeIdP(t)
			if tt.token != "" {
				idp.token = func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, tt.token) }
			}
			if tt.claims != "" {
				idp.claims = func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, tt.claims) }
			}
			md := map[string]string{}
			if tt.paths != "" {
				md["ResolveJsonPathsInJsonTokens"] = tt.paths
			}
			p := newProfile(t, tpSpec{metadata: md, outputClaims: tt.output}, idp.srv.URL)
			env := newEnv(idp.srv.Client())
			for k, v := range tt.bag {
				env.Claims.Set(k, v)
			}
			if err := p.Complete(context.Background(), env, url.Values{"code": {"c"}}); err != nil {
				t.Fatalf("Complete: %v", err)
			}
			profiletest.WantClaims(t, env.Claims, tt.want, tt.wantNone)
		})
	}
}

// TestCompleteErrors: every failure is a *profile.Error with B2C's code and
// message, never a panic (spec §2.4).
func TestCompleteErrors(t *testing.T) {
	jsonHandler := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	htmlHandler := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	// blocks until the client gives up: an IdP that never answers.
	slow := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

	tests := []struct {
		name       string
		params     url.Values
		token      http.HandlerFunc
		claims     http.HandlerFunc
		timeout    time.Duration
		down       bool
		noSecret   bool
		wantCode   string
		wantPrefix string
		wantText   string // the message contains it
		wantTokens int
		wantClaims int
	}{
		{
			name:       "IdP access_denied at authresp (OA2-13)",
			params:     url.Values{"error": {"access_denied"}, "error_description": {"Permissions error"}, "state": {"state-123"}},
			wantCode:   profile.CodeAccessDenied,
			wantPrefix: "AADB2C90273: An invalid response was received : 'Error: access_denied,Error Description: Permissions error'",
		},
		{
			name:       "IdP other error at authresp",
			params:     url.Values{"error": {"temporarily_unavailable"}, "error_description": {"try later"}},
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90273",
			wantText:   "temporarily_unavailable",
		},
		{
			name:       "missing code (OA2-04)",
			params:     url.Values{"state": {"state-123"}},
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90273",
		},
		{
			name:       "token endpoint 401 invalid_client",
			token:      jsonHandler(401, `{"error":"invalid_client","error_description":"bad secret"}`),
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90289",
			wantText:   "'invalid_client'",
			wantTokens: 1,
		},
		{
			name:       "token endpoint 400 Facebook-style error object",
			token:      jsonHandler(400, `{"error":{"message":"Invalid verification code format.","type":"OAuthException","code":100}}`),
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90289",
			wantTokens: 1,
		},
		{
			name:       "token endpoint 500 with HTML",
			token:      htmlHandler(500, `<html><body>Internal Server Error</body></html>`),
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90289",
			wantTokens: 1,
		},
		{
			name:       "token endpoint 200 not JSON",
			token:      htmlHandler(200, `<html>hello</html>`),
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90273",
			wantTokens: 1,
		},
		{
			name:       "token endpoint 200 truncated JSON",
			token:      jsonHandler(200, `{"access_token":"at-1","token_ty`),
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90273",
			wantTokens: 1,
		},
		{
			name:       "token endpoint 200 JSON array",
			token:      jsonHandler(200, `["at-1"]`),
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90273",
			wantTokens: 1,
		},
		{
			name:       "token endpoint 200 null",
			token:      jsonHandler(200, `null`),
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90273",
			wantTokens: 1,
		},
		{
			name:       "token endpoint 200 JSON without access_token",
			token:      jsonHandler(200, `{"token_type":"bearer","expires_in":3600}`),
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90273",
			wantText:   "access_token",
			wantTokens: 1,
		},
		{
			name:       "claims endpoint 401",
			claims:     jsonHandler(401, `{"error":"invalid_token"}`),
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90289",
			wantText:   "invalid_token",
			wantTokens: 1, wantClaims: 1,
		},
		{
			name:       "claims endpoint 500",
			claims:     htmlHandler(500, `oops`),
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90289",
			wantTokens: 1, wantClaims: 1,
		},
		{
			name:       "claims endpoint 200 not JSON",
			claims:     htmlHandler(200, `<html>me</html>`),
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90273",
			wantTokens: 1, wantClaims: 1,
		},
		{
			name:       "claims endpoint 200 JSON array",
			claims:     jsonHandler(200, `[{"id":"1"}]`),
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90273",
			wantTokens: 1, wantClaims: 1,
		},
		{
			name:       "IdP down: connection refused",
			down:       true,
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90289",
		},
		{
			name:       "IdP slow: token endpoint never answers",
			token:      slow,
			timeout:    200 * time.Millisecond,
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90289",
			wantTokens: 1,
		},
		{
			name:       "IdP slow: claims endpoint never answers",
			claims:     slow,
			timeout:    200 * time.Millisecond,
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90289",
			wantTokens: 1, wantClaims: 1,
		},
		{
			name:       "key store without the secret container",
			noSecret:   true,
			wantCode:   profile.CodeServerError,
			wantPrefix: "AADB2C90243",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp := newFakeIdP(t)
			if tt.token != nil {
				idp.token = tt.token
			}
			if tt.claims != nil {
				idp.claims = tt.claims
			}
			endpoints := idp.srv.URL
			if tt.down {
				endpoints = profiletest.ClosedURL(t)
			}
			p := newProfile(t, tpSpec{outputClaims: facebookOutput}, endpoints)
			client := idp.srv.Client()
			if tt.timeout > 0 {
				client = &http.Client{Timeout: tt.timeout}
			}
			env := newEnv(client)
			if tt.noSecret {
				env.Keys = keys.NewStore()
			}
			params := tt.params
			if params == nil {
				params = url.Values{"code": {"c"}, "state": {env.State}}
			}
			err := p.Complete(context.Background(), env, params)
			var pe *profile.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Complete error = %v (%T), want *profile.Error", err, err)
			}
			if pe.Code != tt.wantCode {
				t.Errorf("Code = %q, want %q (%v)", pe.Code, tt.wantCode, err)
			}
			if !strings.HasPrefix(pe.Message, tt.wantPrefix) {
				t.Errorf("Message = %q, want prefix %q", pe.Message, tt.wantPrefix)
			}
			if tt.wantText != "" && !strings.Contains(pe.Message, tt.wantText) {
				t.Errorf("Message = %q, want it to contain %q", pe.Message, tt.wantText)
			}
			if pe.Raw {
				t.Errorf("Raw is set: the server must add the correlation lines")
			}
			if got := len(idp.requests("/token")); got != tt.wantTokens {
				t.Errorf("token requests: got %d, want %d", got, tt.wantTokens)
			}
			if got := len(idp.requests("/me")); got != tt.wantClaims {
				t.Errorf("claims requests: got %d, want %d", got, tt.wantClaims)
			}
			for _, k := range env.Claims.Keys() {
				t.Errorf("claim %s was written by a failed exchange", k)
			}
		})
	}
}

// TestCompleteCancelled: a request context cancelled by the browser going away
// ends the exchange with the connection error, not a hang.
func TestCompleteCancelled(t *testing.T) {
	idp := newFakeIdP(t)
	arrived := make(chan struct{})
	idp.token = func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	}
	p := newProfile(t, tpSpec{outputClaims: facebookOutput}, idp.srv.URL)
	env := newEnv(idp.srv.Client())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Complete(ctx, env, url.Values{"code": {"c"}}) }()
	<-arrived
	cancel()
	err := <-done
	var pe *profile.Error
	if !errors.As(err, &pe) || !strings.HasPrefix(pe.Message, "AADB2C90289") || !errors.Is(err, context.Canceled) {
		t.Fatalf("Complete = %v, want AADB2C90289 wrapping context.Canceled", err)
	}
}

func TestTokenResponseJSONNumbersInOutput(t *testing.T) {
	// A token response with extra members still maps; the raw members are not claims.
	idp := newFakeIdP(t)
	idp.token = func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "resource": "r", "expires_in": 60})
	}
	p := newProfile(t, tpSpec{outputClaims: `<OutputClaim ClaimTypeReferenceId="resource" />`}, idp.srv.URL)
	env := newEnv(idp.srv.Client())
	if err := p.Complete(context.Background(), env, url.Values{"code": {"c"}}); err != nil {
		t.Fatal(err)
	}
	if v, ok := env.Claims.Value("resource"); ok {
		t.Fatalf("claim resource = %v: token-response members are only reachable through {oauth2:...}", v)
	}
}

// TestEndpointQueryKept: an endpoint's own query string goes out as configured,
// with B2C's parameters appended (spec §2.1 steps A and D), even when a Go
// query parser would reject or reorder it.
func TestEndpointQueryKept(t *testing.T) {
	idp := newFakeIdP(t)
	p := newProfile(t, tpSpec{
		outputClaims: facebookOutput,
		metadata: map[string]string{
			"authorization_endpoint": idp.srv.URL + "/dialog/oauth?z=1&fields=a;b&debug",
			"ClaimsEndpoint":         idp.srv.URL + "/me?fields=id,first_name;email&format=json",
		},
	}, idp.srv.URL)
	env := newEnv(idp.srv.Client())
	start, err := p.Start(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(start)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.RawQuery, "z=1&fields=a;b&debug&") {
		t.Errorf("authorization query = %q, want it to start with the endpoint's own z=1&fields=a;b&debug&", u.RawQuery)
	}
	if q, _ := url.ParseQuery(strings.TrimPrefix(u.RawQuery, "z=1&fields=a;b&debug&")); q.Get("client_id") != clientID || q.Get("state") != env.State {
		t.Errorf("authorization query %q lacks client_id or state", u.RawQuery)
	}
	if err := p.Complete(context.Background(), env, url.Values{"code": {"c"}}); err != nil {
		t.Fatal(err)
	}
	me := idp.requests("/me")
	if len(me) != 1 {
		t.Fatalf("claims requests: %d, want 1", len(me))
	}
	if want := "fields=id,first_name;email&format=json&access_token=at-1"; me[0].RawQuery != want {
		t.Errorf("claims query = %q, want %q", me[0].RawQuery, want)
	}
}

// TestCompleteWithoutHTTPClientOrKeys: a bare Env gets errors or defaults, not panics.
func TestCompleteWithoutHTTPClientOrKeys(t *testing.T) {
	idp := newFakeIdP(t)
	p := newProfile(t, tpSpec{outputClaims: facebookOutput}, idp.srv.URL)
	env := newEnv(nil)
	if err := p.Complete(context.Background(), env, url.Values{"code": {"c"}}); err != nil {
		t.Fatalf("Complete with a nil HTTP client: %v", err)
	}
	env = newEnv(nil)
	env.Keys = nil
	err := p.Complete(context.Background(), env, url.Values{"code": {"c"}})
	var pe *profile.Error
	if !errors.As(err, &pe) || !strings.HasPrefix(pe.Message, "AADB2C90243") {
		t.Fatalf("Complete with no key store = %v, want AADB2C90243", err)
	}
}
