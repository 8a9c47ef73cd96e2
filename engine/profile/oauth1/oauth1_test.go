package oauth1_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/profile"
	"github.com/iefconform/iefconform/engine/profile/oauth1"
	"github.com/iefconform/iefconform/engine/profile/oauth1/oauth1test"
	"github.com/iefconform/iefconform/engine/profile/profiletest"
)

// newProvider starts the fake OAuth 1.0a provider for the test.
func newProvider(t *testing.T, consumerKey, consumerSecret string) *oauth1test.Provider {
	t.Helper()
	p := oauth1test.NewProvider(consumerKey, consumerSecret)
	t.Cleanup(p.Close)
	return p
}

// The journey is profiletest.NewEnv's, of a policy id in mixed case (OA1-01).
const (
	consumerKey    = "tw-consumer-key"
	secretKey      = "B2C_1A_TwitterSecret"
	consumerSecret = "consumer secret/+=&~"
	wantCallback   = "https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1a_signup_signin/oauth1/authresp"
)

// twitterOutput is seed 002's Twitter output claims, with identityProvider set.
const twitterOutput = `<OutputClaim ClaimTypeReferenceId="issuerUserId" PartnerClaimType="user_id" />` +
	`<OutputClaim ClaimTypeReferenceId="displayName" PartnerClaimType="screen_name" />` +
	`<OutputClaim ClaimTypeReferenceId="email" />` +
	`<OutputClaim ClaimTypeReferenceId="identityProvider" DefaultValue="twitter.com" AlwaysUseDefaultValue="true" />` +
	`<OutputClaim ClaimTypeReferenceId="authenticationSource" DefaultValue="socialIdpAuthentication" />`

// tpSpec builds a Twitter-like OAuth1 technical profile (seed 002): metadata
// items override the defaults, "-" leaves a key out.
type tpSpec struct {
	metadata     map[string]string
	noSecret     bool
	outputClaims string
}

var metadataOrder = []string{"ProviderName", "client_id", "request_token_endpoint", "authorization_endpoint", "access_token_endpoint",
	"ClaimsEndpoint", "ClaimsResponseFormat", "IncludeClaimResolvingInClaimsHandling", "ResolveJsonPathsInJsonTokens"}

func (s tpSpec) xml(ep string) string {
	md := map[string]string{
		"ProviderName":           "Twitter",
		"client_id":              consumerKey,
		"request_token_endpoint": ep + oauth1test.PathRequestToken,
		"authorization_endpoint": ep + oauth1test.PathAuthorize,
		"access_token_endpoint":  ep + oauth1test.PathAccessToken,
		"ClaimsEndpoint":         ep + oauth1test.PathClaims + "?include_email=true",
		"ClaimsResponseFormat":   "json",
	}
	for k, v := range s.metadata {
		md[k] = v
	}
	var b strings.Builder
	b.WriteString(`<TechnicalProfile Id="Twitter-OAUTH1"><DisplayName>Twitter</DisplayName><Protocol Name="OAuth1" /><Metadata>`)
	for _, k := range metadataOrder {
		if v, ok := md[k]; ok && v != "-" {
			fmt.Fprintf(&b, `<Item Key="%s">%s</Item>`, k, strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(v))
		}
	}
	b.WriteString(`</Metadata>`)
	if !s.noSecret {
		fmt.Fprintf(&b, `<CryptographicKeys><Key Id="client_secret" StorageReferenceId="%s" /></CryptographicKeys>`, secretKey)
	}
	out := s.outputClaims
	if out == "" {
		out = twitterOutput
	}
	b.WriteString("<OutputClaims>" + out + "</OutputClaims></TechnicalProfile>")
	return b.String()
}

func newProfile(t *testing.T, s tpSpec, ep string) *oauth1.Profile {
	t.Helper()
	return profiletest.MustNew(t, oauth1.New, "Twitter", s.xml(ep))
}

// testEnv is a journey's Env with the keys Bind received.
type testEnv struct {
	*profile.Env
	bound []string
}

// newEnv is a journey whose key store holds the consumer secret.
func newEnv(hc *http.Client) *testEnv {
	e := &testEnv{Env: profiletest.NewEnv(hc)}
	e.Keys.SetSecret(secretKey, []byte(consumerSecret))
	e.Bind = func(k string) { e.bound = append(e.bound, k) }
	return e
}

// wantProfileError checks err is a *profile.Error with code and a message that
// starts with aadb2c and contains each of texts.
func wantProfileError(t *testing.T, err error, code, aadb2c string, texts ...string) *profile.Error {
	t.Helper()
	var pe *profile.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T), want a *profile.Error", err, err)
	}
	if pe.Code != code || !strings.HasPrefix(pe.Message, aadb2c+": ") {
		t.Errorf("error = %q %q, want %s with an %s message", pe.Code, pe.Message, code, aadb2c)
	}
	for _, s := range texts {
		if !strings.Contains(pe.Message, s) {
			t.Errorf("message %q: want it to mention %q", pe.Message, s)
		}
	}
	return pe
}

func TestNewProblems(t *testing.T) {
	const ep = "https://api.twitter.example"
	tests := []struct {
		name     string
		spec     tpSpec
		wantCode []string // every problem's Code, in any order
		wantText string   // a problem message contains this
	}{
		{name: "valid (seed 002)", spec: tpSpec{}},
		{name: "no ClaimsEndpoint nor ClaimsResponseFormat", spec: tpSpec{metadata: map[string]string{"ClaimsEndpoint": "-", "ClaimsResponseFormat": "-"}}},
		{name: "ClaimsResponseFormat in upper case", spec: tpSpec{metadata: map[string]string{"ClaimsResponseFormat": "JSON"}}},
		{name: "missing client_id", spec: tpSpec{metadata: map[string]string{"client_id": "-"}}, wantCode: []string{"AADB2C90023"}, wantText: "client_id"},
		{name: "missing request_token_endpoint", spec: tpSpec{metadata: map[string]string{"request_token_endpoint": "-"}}, wantCode: []string{"AADB2C90023"}, wantText: "request_token_endpoint"},
		{name: "missing authorization_endpoint", spec: tpSpec{metadata: map[string]string{"authorization_endpoint": "-"}}, wantCode: []string{"AADB2C90023"}, wantText: "authorization_endpoint"},
		{name: "missing access_token_endpoint", spec: tpSpec{metadata: map[string]string{"access_token_endpoint": "-"}}, wantCode: []string{"AADB2C90023"}, wantText: "access_token_endpoint"},
		{name: "all four missing", spec: tpSpec{metadata: map[string]string{"client_id": "-", "request_token_endpoint": "-", "authorization_endpoint": "-", "access_token_endpoint": "-"}},
			wantCode: []string{"AADB2C90023", "AADB2C90023", "AADB2C90023", "AADB2C90023"}},
		{name: "empty client_id", spec: tpSpec{metadata: map[string]string{"client_id": " "}}, wantCode: []string{"AADB2C99011"}, wantText: "client_id"},
		{name: "missing client_secret key", spec: tpSpec{noSecret: true}, wantCode: []string{"AADB2C90025"}, wantText: "client_secret"},
		{name: "relative request_token_endpoint", spec: tpSpec{metadata: map[string]string{"request_token_endpoint": "/oauth/request_token"}}, wantCode: []string{"AADB2C99011"}, wantText: "request_token_endpoint"},
		{name: "authorization_endpoint without scheme", spec: tpSpec{metadata: map[string]string{"authorization_endpoint": "api.twitter.com/oauth/authenticate"}}, wantCode: []string{"AADB2C99011"}, wantText: "authorization_endpoint"},
		{name: "access_token_endpoint without host", spec: tpSpec{metadata: map[string]string{"access_token_endpoint": "https:///oauth/access_token"}}, wantCode: []string{"AADB2C99011"}, wantText: "access_token_endpoint"},
		{name: "unparsable ClaimsEndpoint", spec: tpSpec{metadata: map[string]string{"ClaimsEndpoint": "http://[::1"}}, wantCode: []string{"AADB2C99011"}, wantText: "ClaimsEndpoint"},
		{name: "ClaimsResponseFormat xml", spec: tpSpec{metadata: map[string]string{"ClaimsResponseFormat": "xml"}}, wantCode: []string{""}, wantText: "only json is supported"},
		{name: "everything wrong at once", spec: tpSpec{noSecret: true, metadata: map[string]string{"client_id": "-", "access_token_endpoint": "token", "ClaimsResponseFormat": "form"}},
			wantCode: []string{"AADB2C90023", "AADB2C90025", "AADB2C99011", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := profiletest.New(t, oauth1.New, "Twitter", tt.spec.xml(ep))
			profiletest.WantProblems(t, probs, tt.wantCode, tt.wantText)
		})
	}
}

func TestNewConfig(t *testing.T) {
	const ep = "https://api.twitter.example"
	p := newProfile(t, tpSpec{metadata: map[string]string{"ClaimsResponseFormat": "JSON", "IncludeClaimResolvingInClaimsHandling": "True"}}, ep)
	c := p.Config()
	want := oauth1.Config{
		ID: "Twitter-OAUTH1", ClientID: consumerKey, RequestTokenEndpoint: ep + oauth1test.PathRequestToken, AuthorizationEndpoint: ep + oauth1test.PathAuthorize,
		AccessTokenEndpoint: ep + oauth1test.PathAccessToken, ClaimsEndpoint: ep + oauth1test.PathClaims + "?include_email=true", ClaimsResponseFormat: "json",
		IncludeClaimResolving: true, SecretContainer: secretKey,
	}
	c.OutputClaims = nil
	if fmt.Sprintf("%+v", c) != fmt.Sprintf("%+v", want) {
		t.Errorf("Config\n got %+v\nwant %+v", c, want)
	}
	if got := p.CallbackURL(newEnv(nil).Env); got != wantCallback {
		t.Errorf("CallbackURL = %q, want %q", got, wantCallback)
	}
}

// TestStart checks the temporary-credential request and the redirect (spec §3.1 steps 1-2; OA1-01, OA1-02, OA1-04).
func TestStart(t *testing.T) {
	tests := []struct {
		name      string
		authorize string // authorization_endpoint path and query
		wantQuery url.Values
	}{
		{name: "authorization_endpoint", authorize: oauth1test.PathAuthorize},
		{name: "authorization_endpoint with its own query", authorize: oauth1test.PathAuthorize + "?force_login=true&lang=fr", wantQuery: url.Values{"force_login": {"true"}, "lang": {"fr"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp := newProvider(t, consumerKey, consumerSecret)
			p := newProfile(t, tpSpec{metadata: map[string]string{"authorization_endpoint": idp.Server.URL + tt.authorize}}, idp.Server.URL)
			env := newEnv(idp.Server.Client())
			before := time.Now()
			got, err := p.Start(context.Background(), env.Env)
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			reqs := idp.Requests("")
			if len(reqs) != 1 || reqs[0].Path != oauth1test.PathRequestToken || reqs[0].Method != http.MethodPost {
				t.Fatalf("provider requests %+v, want one POST %s", reqs, oauth1test.PathRequestToken)
			}
			r := reqs[0]
			if r.Err != nil {
				t.Fatalf("the provider refused the request-token call: %v (base string %s)", r.Err, r.Base)
			}
			// OA1-01: the lowercase callback with the policy, signed with an empty token secret (verified by the fake).
			if r.OAuth["oauth_callback"] != wantCallback {
				t.Errorf("oauth_callback = %q, want %q", r.OAuth["oauth_callback"], wantCallback)
			}
			if _, has := r.OAuth["oauth_token"]; has {
				t.Errorf("the request-token call carries oauth_token %q", r.OAuth["oauth_token"])
			}
			if r.OAuth["oauth_consumer_key"] != consumerKey || r.OAuth["oauth_signature_method"] != "HMAC-SHA1" {
				t.Errorf("oauth parameters %v", r.OAuth)
			}
			// OA1-04: the timestamp is now.
			if ts, _ := strconv.ParseInt(r.OAuth["oauth_timestamp"], 10, 64); ts < before.Unix()-1 || ts > time.Now().Unix()+1 {
				t.Errorf("oauth_timestamp %s, want about %d", r.OAuth["oauth_timestamp"], before.Unix())
			}
			// OA1-02: the browser goes to authorization_endpoint with the temporary token.
			u, err := url.Parse(got)
			if err != nil || u.Scheme+"://"+u.Host+u.Path != idp.Server.URL+oauth1test.PathAuthorize {
				t.Fatalf("Start = %q, want %s%s?oauth_token=...", got, idp.Server.URL, oauth1test.PathAuthorize)
			}
			q := u.Query()
			tok := q.Get("oauth_token")
			if len(q["oauth_token"]) != 1 || idp.Callback(tok) != wantCallback {
				t.Fatalf("Start = %q: want the temporary token the provider issued", got)
			}
			for k, v := range tt.wantQuery {
				if fmt.Sprint(q[k]) != fmt.Sprint(v) {
					t.Errorf("authorization URL parameter %s = %q, want %q", k, q[k], v)
				}
			}
			if len(q) != 1+len(tt.wantQuery) {
				t.Errorf("authorization URL %s: want only oauth_token added", got)
			}
			// The temporary credentials stay in the journey's data; the token finds the journey.
			if fmt.Sprint(env.bound) != fmt.Sprint([]string{"oauth1:" + tok}) {
				t.Errorf("Bind calls %q, want [oauth1:%s]", env.bound, tok)
			}
			if env.Data["Twitter-OAUTH1/token"] != tok || !strings.HasPrefix(env.Data["Twitter-OAUTH1/secret"], "temp secret/+&=") {
				t.Errorf("journey data %v, want the temporary token and secret", env.Data)
			}
		})
	}
}

// TestStartErrors checks failures of the temporary-credential request (spec
// §3.3): each is a server_error.
func TestStartErrors(t *testing.T) {
	tests := []struct {
		name      string
		endpoint  func(idp *oauth1test.Provider) string // request_token_endpoint; default the fake's
		answer    http.HandlerFunc                      // overrides the fake's answer
		env       func(e *testEnv)
		aadb2c    string
		texts     []string
		wantCalls int
	}{
		{
			name:   "wrong consumer secret: 401 oauth_problem=signature_invalid",
			env:    func(e *testEnv) { e.Keys.SetSecret(secretKey, []byte("not the secret")) },
			aadb2c: "AADB2C90289", texts: []string{"'signature_invalid'"}, wantCalls: 1,
		},
		{
			name:     "provider down",
			endpoint: func(*oauth1test.Provider) string { return profiletest.ClosedURL(t) + oauth1test.PathRequestToken },
			aadb2c:   "AADB2C90289",
		},
		{
			name:   "provider answers 500 without oauth_problem",
			answer: func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusInternalServerError) },
			aadb2c: "AADB2C90289", wantCalls: 1,
		},
		{
			name: "callback not confirmed",
			answer: func(w http.ResponseWriter, _ *http.Request) {
				_, _ = io.WriteString(w, "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=false")
			},
			aadb2c: "AADB2C90289", wantCalls: 1,
		},
		{
			name: "answer without a token secret",
			answer: func(w http.ResponseWriter, _ *http.Request) {
				_, _ = io.WriteString(w, "oauth_token=t&oauth_callback_confirmed=true")
			},
			aadb2c: "AADB2C90289", wantCalls: 1,
		},
		{
			name: "provider never answers within the client's timeout",
			answer: func(_ http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			env:    func(e *testEnv) { e.HTTP = &http.Client{Timeout: 200 * time.Millisecond} },
			aadb2c: "AADB2C90289", wantCalls: 1,
		},
		{
			name:   "secret missing from the key store",
			env:    func(e *testEnv) { e.Keys = keys.NewStore() },
			aadb2c: "AADB2C90243",
		},
		{
			name:   "no key store",
			env:    func(e *testEnv) { e.Keys = nil },
			aadb2c: "AADB2C90243",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp := newProvider(t, consumerKey, consumerSecret)
			md := map[string]string{}
			if tt.endpoint != nil {
				md["request_token_endpoint"] = tt.endpoint(idp)
			}
			if tt.answer != nil {
				idp.Answer(oauth1test.PathRequestToken, tt.answer)
			}
			p := newProfile(t, tpSpec{metadata: md}, idp.Server.URL)
			env := newEnv(idp.Server.Client())
			if tt.env != nil {
				tt.env(env)
			}
			got, err := p.Start(context.Background(), env.Env)
			if got != "" {
				t.Errorf("Start = %q, want no URL", got)
			}
			wantProfileError(t, err, profile.CodeServerError, tt.aadb2c, tt.texts...)
			if n := len(idp.Requests(oauth1test.PathRequestToken)); n != tt.wantCalls {
				t.Errorf("request-token calls: %d, want %d", n, tt.wantCalls)
			}
			if len(env.bound) != 0 || len(env.Data) != 0 {
				t.Errorf("a failed Start bound %q and stored %v", env.bound, env.Data)
			}
		})
	}
	t.Run("cancelled journey context", func(t *testing.T) {
		idp := newProvider(t, consumerKey, consumerSecret)
		p := newProfile(t, tpSpec{}, idp.Server.URL)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := p.Start(ctx, newEnv(idp.Server.Client()).Env)
		wantProfileError(t, err, profile.CodeServerError, "AADB2C90289")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v: want it to wrap context.Canceled", err)
		}
	})
	t.Run("no journey data store", func(t *testing.T) {
		idp := newProvider(t, consumerKey, consumerSecret)
		p := newProfile(t, tpSpec{}, idp.Server.URL)
		env := newEnv(idp.Server.Client())
		env.Data = nil
		if _, err := p.Start(context.Background(), env.Env); err == nil {
			t.Fatal("Start without env.Data: want an error")
		}
	})
	t.Run("nil HTTP client and Bind: a default client", func(t *testing.T) {
		idp := newProvider(t, consumerKey, consumerSecret)
		p := newProfile(t, tpSpec{}, idp.Server.URL)
		env := newEnv(nil)
		env.Bind = nil
		if err := signIn(t, p, idp, env); err != nil {
			t.Fatalf("Complete with a nil HTTP client: %v", err)
		}
		if got, _ := env.Claims.Get("email"); got != "user_3@example.com" {
			t.Errorf("email = %q, want user_3@example.com", got)
		}
	})
}

// consent runs Start and the user's consent at the fake; it returns the
// temporary token and the verifier the provider sends back with the browser.
func consent(t *testing.T, p *oauth1.Profile, idp *oauth1test.Provider, env *testEnv) (tok, verifier string) {
	t.Helper()
	u, err := p.Start(context.Background(), env.Env)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	pu, _ := url.Parse(u)
	tok = pu.Query().Get("oauth_token")
	verifier, ok := idp.Authorize(tok)
	if !ok {
		t.Fatalf("the provider does not know the token %q of %s", tok, u)
	}
	return tok, verifier
}

// signIn runs Start, the user's consent at the fake and Complete; it returns
// Complete's error.
func signIn(t *testing.T, p *oauth1.Profile, idp *oauth1test.Provider, env *testEnv) error {
	t.Helper()
	tok, v := consent(t, p, idp, env)
	return p.Complete(context.Background(), env.Env, url.Values{"oauth_token": {tok}, "oauth_verifier": {v}})
}

// TestCompleteWire checks the token-credential and claims requests (spec §3.1 steps 4-5; OA1-03, OA1-04, OA1-05).
func TestCompleteWire(t *testing.T) {
	idp := newProvider(t, consumerKey, consumerSecret)
	p := newProfile(t, tpSpec{}, idp.Server.URL)
	const journeys = 3
	before := time.Now()
	for i := range journeys {
		env := newEnv(idp.Server.Client())
		if err := signIn(t, p, idp, env); err != nil {
			t.Fatalf("journey %d: Complete: %v", i, err)
		}
		if len(env.Data) != 0 {
			t.Errorf("journey %d: data %v left after Complete, want the temporary credentials gone", i, env.Data)
		}
	}
	after := time.Now()
	all := idp.Requests("")
	if len(all) != 3*journeys {
		t.Fatalf("provider requests: %d, want %d", len(all), 3*journeys)
	}
	nonces := map[string]int{}
	for i, r := range all {
		// Every call verified at the fake: HMAC-SHA1 over method, URI and all parameters,
		// request token with the consumer secret only (OA1-01), access token with the
		// temporary secret (OA1-03), claims with the access token's secret (OA1-05).
		if r.Err != nil {
			t.Errorf("request %d %s %s refused: %v (base string %s)", i, r.Method, r.Path, r.Err, r.Base)
		}
		// OA1-04: unique nonces, timestamps of now.
		if j, dup := nonces[r.OAuth["oauth_nonce"]]; dup {
			t.Errorf("requests %d and %d share the nonce %q", j, i, r.OAuth["oauth_nonce"])
		}
		nonces[r.OAuth["oauth_nonce"]] = i
		if ts, err := strconv.ParseInt(r.OAuth["oauth_timestamp"], 10, 64); err != nil || ts < before.Unix()-1 || ts > after.Unix()+1 {
			t.Errorf("request %d oauth_timestamp %q, want between %d and %d", i, r.OAuth["oauth_timestamp"], before.Unix(), after.Unix())
		}
	}
	for i := range journeys {
		rt, at, cl := all[3*i], all[3*i+1], all[3*i+2]
		if rt.Path != oauth1test.PathRequestToken || at.Path != oauth1test.PathAccessToken || cl.Path != oauth1test.PathClaims {
			t.Fatalf("journey %d: calls %s, %s, %s, want request token, access token, claims", i, rt.Path, at.Path, cl.Path)
		}
		// OA1-03: the access-token call carries the temporary token and the verifier.
		if at.Method != http.MethodPost || !strings.HasPrefix(at.OAuth["oauth_token"], "temp-") || !strings.HasPrefix(at.OAuth["oauth_verifier"], "verifier-") {
			t.Errorf("journey %d: access-token call %s %v", i, at.Method, at.OAuth)
		}
		if _, has := at.OAuth["oauth_callback"]; has {
			t.Errorf("journey %d: the access-token call carries oauth_callback", i)
		}
		// OA1-05: the claims GET carries the access token, and the endpoint's own
		// query is in the base string the fake verified against.
		if cl.Method != http.MethodGet || !strings.HasPrefix(cl.OAuth["oauth_token"], "access-") || cl.Query.Get("include_email") != "true" {
			t.Errorf("journey %d: claims call %s %v %v", i, cl.Method, cl.Query, cl.OAuth)
		}
		if !strings.Contains(cl.Base, "include_email%3Dtrue") {
			t.Errorf("journey %d: claims base string %s, want include_email=true in it", i, cl.Base)
		}
	}
}

// TestCompleteMapping checks the output claims (spec §3.1 step 6; OA1-06).
func TestCompleteMapping(t *testing.T) {
	tests := []struct {
		name     string
		metadata map[string]string
		output   string
		bag      map[string]string
		token    string // overrides the access-token answer
		claims   string // overrides the claims answer
		want     map[string]string
		wantNone []string
	}{
		{
			name: "seed 002: user_id and screen_name from the token response, email from the claims JSON",
			want: map[string]string{"issuerUserId": "103", "displayName": "user_3", "email": "user_3@example.com",
				"identityProvider": "twitter.com", "authenticationSource": "socialIdpAuthentication"},
		},
		{
			name:     "without ClaimsEndpoint only the token response answers",
			metadata: map[string]string{"ClaimsEndpoint": "-"},
			want:     map[string]string{"issuerUserId": "103", "displayName": "user_3", "identityProvider": "twitter.com"},
			wantNone: []string{"email"},
		},
		{
			name:   "the claims JSON answers what the token response lacks",
			output: `<OutputClaim ClaimTypeReferenceId="twitterId" PartnerClaimType="id_str" /><OutputClaim ClaimTypeReferenceId="email" />`,
			want:   map[string]string{"twitterId": "103", "email": "user_3@example.com"},
		},
		{
			name:     "ClaimsEndpoint without include_email: no email",
			metadata: map[string]string{"ClaimsEndpoint": "%s" + oauth1test.PathClaims},
			want:     map[string]string{"issuerUserId": "103"},
			wantNone: []string{"email"},
		},
		{
			name:   "DefaultValue only when absent, AlwaysUseDefaultValue always",
			output: `<OutputClaim ClaimTypeReferenceId="locale" DefaultValue="en" /><OutputClaim ClaimTypeReferenceId="displayName" PartnerClaimType="screen_name" DefaultValue="nobody" /><OutputClaim ClaimTypeReferenceId="email" DefaultValue="forced@example.com" AlwaysUseDefaultValue="true" />`,
			want:   map[string]string{"locale": "en", "displayName": "user_3", "email": "forced@example.com"},
		},
		{
			name:     "claim resolvers in DefaultValue with IncludeClaimResolvingInClaimsHandling",
			metadata: map[string]string{"IncludeClaimResolvingInClaimsHandling": "true"},
			output:   `<OutputClaim ClaimTypeReferenceId="policy" DefaultValue="{Policy:PolicyId}" AlwaysUseDefaultValue="true" />`,
			want:     map[string]string{"policy": profiletest.PolicyID},
		},
		{
			name:     "oauth_token and oauth_token_secret are never mappable",
			output:   `<OutputClaim ClaimTypeReferenceId="idpToken" PartnerClaimType="oauth_token" /><OutputClaim ClaimTypeReferenceId="idpSecret" PartnerClaimType="oauth_token_secret" /><OutputClaim ClaimTypeReferenceId="issuerUserId" PartnerClaimType="user_id" />`,
			want:     map[string]string{"issuerUserId": "103"},
			wantNone: []string{"idpToken", "idpSecret"},
		},
		{
			name:     "a claim the provider omits, without default, is left untouched",
			output:   `<OutputClaim ClaimTypeReferenceId="email" /><OutputClaim ClaimTypeReferenceId="surname" PartnerClaimType="last_name" />`,
			bag:      map[string]string{"email": "kept@example.com"},
			metadata: map[string]string{"ClaimsEndpoint": "-"},
			want:     map[string]string{"email": "kept@example.com"},
			wantNone: []string{"surname"},
		},
		{
			name:     "JSON paths with ResolveJsonPathsInJsonTokens",
			metadata: map[string]string{"ResolveJsonPathsInJsonTokens": "true"},
			claims:   `{"entities":{"urls":[{"display_url":"example.com/me"}]}}`,
			output:   `<OutputClaim ClaimTypeReferenceId="website" PartnerClaimType="entities.urls[0].display_url" />`,
			want:     map[string]string{"website": "example.com/me"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp := newProvider(t, consumerKey, consumerSecret)
			if tt.claims != "" {
				idp.Answer(oauth1test.PathClaims, func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, tt.claims) })
			}
			md := map[string]string{}
			for k, v := range tt.metadata {
				if strings.Contains(v, "%s") {
					v = fmt.Sprintf(v, idp.Server.URL)
				}
				md[k] = v
			}
			p := newProfile(t, tpSpec{metadata: md, outputClaims: tt.output}, idp.Server.URL)
			env := newEnv(idp.Server.Client())
			for k, v := range tt.bag {
				env.Claims.Set(k, v)
			}
			if err := signIn(t, p, idp, env); err != nil {
				t.Fatalf("Complete: %v", err)
			}
			profiletest.WantClaims(t, env.Claims, tt.want, tt.wantNone)
		})
	}
}

// TestCompleteErrors checks the callback's refusals and the failures of the
// server-to-server calls (spec §3.3; OA1-07).
func TestCompleteErrors(t *testing.T) {
	type callback func(tok, verifier string) url.Values
	answer := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	tests := []struct {
		name       string
		callback   callback
		noStart    bool
		metadata   map[string]string
		output     string
		answers    map[string]http.HandlerFunc
		env        func(e *testEnv)
		code       string
		aadb2c     string
		texts      []string
		wantErr    error // errors.Is
		wantAccess int   // access-token calls
		wantClaims int   // claims calls
	}{
		{
			name:     "the user denied (OA1-07)",
			callback: func(tok, _ string) url.Values { return url.Values{"denied": {tok}} },
			code:     profile.CodeAccessDenied, aadb2c: "AADB2C90273", texts: []string{"access_denied"},
		},
		{
			name:     "no oauth_verifier (OA1-07)",
			callback: func(tok, _ string) url.Values { return url.Values{"oauth_token": {tok}} },
			code:     profile.CodeServerError, aadb2c: "AADB2C90273", texts: []string{"oauth_verifier"},
		},
		{
			name:     "another oauth_token",
			callback: func(_, v string) url.Values { return url.Values{"oauth_token": {"temp-999"}, "oauth_verifier": {v}} },
			code:     profile.CodeServerError, aadb2c: "AADB2C90273", wantErr: oauth1.ErrTokenMismatch,
		},
		{
			name:     "no oauth_token",
			callback: func(_, v string) url.Values { return url.Values{"oauth_verifier": {v}} },
			code:     profile.CodeServerError, aadb2c: "AADB2C90273", wantErr: oauth1.ErrTokenMismatch,
		},
		{
			name:     "Complete without Start",
			noStart:  true,
			callback: func(_, _ string) url.Values { return url.Values{"oauth_token": {"temp-1"}, "oauth_verifier": {"v"}} },
			code:     profile.CodeServerError, aadb2c: "AADB2C90273", wantErr: oauth1.ErrNoTemporaryCredentials,
		},
		{
			name:     "a verifier the provider did not issue",
			callback: func(tok, _ string) url.Values { return url.Values{"oauth_token": {tok}, "oauth_verifier": {"forged"}} },
			code:     profile.CodeServerError, aadb2c: "AADB2C90289", texts: []string{"'verifier_invalid'"},
			wantAccess: 1,
		},
		{
			name:    "access-token endpoint 401 oauth_problem=token_rejected",
			answers: map[string]http.HandlerFunc{oauth1test.PathAccessToken: answer(401, "oauth_problem=token_rejected")},
			code:    profile.CodeServerError, aadb2c: "AADB2C90289", texts: []string{"'token_rejected'"},
			wantAccess: 1,
		},
		{
			name:    "access-token answer without credentials",
			answers: map[string]http.HandlerFunc{oauth1test.PathAccessToken: answer(200, "user_id=1&screen_name=x")},
			code:    profile.CodeServerError, aadb2c: "AADB2C90289",
			wantAccess: 1,
		},
		{
			name:     "access-token endpoint down",
			metadata: map[string]string{"access_token_endpoint": profiletest.ClosedURL(t) + oauth1test.PathAccessToken},
			code:     profile.CodeServerError, aadb2c: "AADB2C90289",
			wantAccess: 0,
		},
		{
			name:    "claims endpoint 401",
			answers: map[string]http.HandlerFunc{oauth1test.PathClaims: answer(401, `{"errors":[{"code":89,"message":"Invalid or expired token."}]}`)},
			code:    profile.CodeServerError, aadb2c: "AADB2C90289",
			wantAccess: 1, wantClaims: 1,
		},
		{
			name:    "claims endpoint answers HTML",
			answers: map[string]http.HandlerFunc{oauth1test.PathClaims: answer(200, "<html>hello</html>")},
			code:    profile.CodeServerError, aadb2c: "AADB2C90273", wantErr: claims.ErrNotJSON,
			wantAccess: 1, wantClaims: 1,
		},
		{
			name:    "claims endpoint answers a JSON array",
			answers: map[string]http.HandlerFunc{oauth1test.PathClaims: answer(200, "[1,2]")},
			code:    profile.CodeServerError, aadb2c: "AADB2C90273", wantErr: claims.ErrNotJSONObject,
			wantAccess: 1, wantClaims: 1,
		},
		{
			name:     "claims endpoint down",
			metadata: map[string]string{"ClaimsEndpoint": profiletest.ClosedURL(t) + oauth1test.PathClaims},
			code:     profile.CodeServerError, aadb2c: "AADB2C90289",
			wantAccess: 1,
		},
		{
			name:    "claims endpoint never answers within the client's timeout",
			answers: map[string]http.HandlerFunc{oauth1test.PathClaims: func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
			env:     func(e *testEnv) { e.HTTP = &http.Client{Timeout: 200 * time.Millisecond} },
			code:    profile.CodeServerError, aadb2c: "AADB2C90289",
			wantAccess: 1, wantClaims: 1,
		},
		{
			name:     "an output claim's claim resolver is unknown",
			metadata: map[string]string{"IncludeClaimResolvingInClaimsHandling": "true"},
			output:   `<OutputClaim ClaimTypeReferenceId="x" DefaultValue="{Policy:Nothing}" AlwaysUseDefaultValue="true" />`,
			code:     profile.CodeServerError, aadb2c: "AADB2C90255", texts: []string{"Twitter-OAUTH1"}, wantErr: claims.ErrUnsupportedResolver,
			wantAccess: 1, wantClaims: 1,
		},
		{
			name: "key store emptied between Start and Complete",
			env:  func(e *testEnv) { e.Keys = nil },
			code: profile.CodeServerError, aadb2c: "AADB2C90243",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp := newProvider(t, consumerKey, consumerSecret)
			p := newProfile(t, tpSpec{metadata: tt.metadata, outputClaims: tt.output}, idp.Server.URL)
			env := newEnv(idp.Server.Client())
			tok, v := "", ""
			if !tt.noStart {
				tok, v = consent(t, p, idp, env)
			}
			for path, h := range tt.answers {
				idp.Answer(path, h)
			}
			if tt.env != nil {
				tt.env(env)
			}
			params := url.Values{"oauth_token": {tok}, "oauth_verifier": {v}}
			if tt.callback != nil {
				params = tt.callback(tok, v)
			}
			err := p.Complete(context.Background(), env.Env, params)
			wantProfileError(t, err, tt.code, tt.aadb2c, tt.texts...)
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v: want it to wrap %v", err, tt.wantErr)
			}
			if n := len(idp.Requests(oauth1test.PathAccessToken)); n != tt.wantAccess {
				t.Errorf("access-token calls: %d, want %d", n, tt.wantAccess)
			}
			if n := len(idp.Requests(oauth1test.PathClaims)); n != tt.wantClaims {
				t.Errorf("claims calls: %d, want %d", n, tt.wantClaims)
			}
			for _, r := range idp.Requests("") {
				if r.Err != nil && r.Path != oauth1test.PathAccessToken {
					t.Errorf("%s refused: %v", r.Path, r.Err)
				}
			}
			for _, k := range env.Claims.Keys() {
				t.Errorf("a failed Complete wrote claim %s", k)
			}
			if len(env.Data) != 0 {
				t.Errorf("journey data %v after Complete, want the temporary credentials gone", env.Data)
			}
			// The temporary credentials are spent: the same answer again finds none.
			if !tt.noStart {
				err := p.Complete(context.Background(), env.Env, params)
				if !errors.Is(err, oauth1.ErrNoTemporaryCredentials) {
					t.Errorf("second Complete = %v, want %v", err, oauth1.ErrNoTemporaryCredentials)
				}
			}
		})
	}
}
