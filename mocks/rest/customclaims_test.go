package rest_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"gopkg.in/yaml.v3"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/rest"
)

// entraRequest is the body Entra sends a custom claims provider (spec §7.1).
const entraRequest = `{
  "type": "microsoft.graph.authenticationEvent.tokenIssuanceStart",
  "source": "/tenants/8a7b1c2d-0000-4000-8000-000000000001/applications/2b1c0d9e-0000-4000-8000-000000000002",
  "data": {
    "@odata.type": "microsoft.graph.onTokenIssuanceStartCalloutData",
    "tenantId": "8a7b1c2d-0000-4000-8000-000000000001",
    "authenticationEventListenerId": "3c2d1e0f-0000-4000-8000-000000000003",
    "customAuthenticationExtensionId": "4d3e2f10-0000-4000-8000-000000000004",
    "authenticationContext": {
      "correlationId": "fcef74ef-29ea-42ca-b150-8f45c8f31ee6",
      "client": {"ip": "127.0.0.1", "locale": "en-us", "market": "en-us"},
      "protocol": "OAUTH2.0",
      "clientServicePrincipal": {"id": "a", "appId": "b", "appDisplayName": "My Test application", "displayName": "My Test application"},
      "resourceServicePrincipal": {"id": "a", "appId": "b", "appDisplayName": "My Test application", "displayName": "My Test application"},
      "user": {"createdDateTime": "2016-03-01T15:23:40Z", "displayName": "John Smith", "givenName": "John",
               "id": "90847c2a-e29d-4d2f-9f54-c5b4d3f26471", "mail": "john@contoso.com", "preferredLanguage": "en-us",
               "surname": "Smith", "userPrincipalName": "john@contoso.com", "userType": "Member"}
    }
  }
}`

// correctAnswer is the exact body of the correct answer with the default claims.
const correctAnswer = `{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{"CustomRoles":["Writer","Editor"],"DateOfBirth":"01/01/2000"}}]}}`

const (
	testAudience = "api://claims.contoso.com/6f0c4a4e-0000-4000-8000-00000000aaaa"
	testIssuer   = "https://login.microsoftonline.com/8a7b1c2d-0000-4000-8000-000000000001/v2.0"
	testKid      = "entra-1"
)

func claimsRoute(cc *rest.CustomClaims) rest.Route {
	return rest.Route{Method: "POST", Path: "/api/claims", Behaviour: rest.BehaviourCustomClaims, CustomClaims: cc}
}

func TestCustomClaimsCorrectAnswer(t *testing.T) {
	tests := []struct {
		name string
		cc   *rest.CustomClaims
		want string
	}{
		{name: "no settings", want: correctAnswer},
		{name: "empty claims", cc: &rest.CustomClaims{Claims: map[string]any{}}, want: correctAnswer},
		{name: "own claims", cc: &rest.CustomClaims{Claims: map[string]any{"Role": "admin", "Groups": []string{"a", "b"}}},
			want: `{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{"Groups":["a","b"],"Role":"admin"}}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, rest.Config{Routes: []rest.Route{claimsRoute(tt.cc)}})
			r := e.postJSON("/api/claims", entraRequest)
			wantStatus(t, r, http.StatusOK)
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if r.Text != tt.want {
				t.Errorf("body:\n got  %s\n want %s", r.Text, tt.want)
			}
			c := e.lastCall("/api/claims")
			ctx, _ := c.JSON["data"].(map[string]any)["authenticationContext"].(map[string]any)
			if c.Status != 200 || ctx["correlationId"] != "fcef74ef-29ea-42ca-b150-8f45c8f31ee6" {
				t.Errorf("call = status %d, JSON %v", c.Status, c.JSON)
			}
			if len(c.PayloadProblems) != 0 || c.TokenClaims != nil || c.TokenError != "" {
				t.Errorf("call = problems %q, token claims %v, token error %q; want none", c.PayloadProblems, c.TokenClaims, c.TokenError)
			}
		})
	}
}

// answer is a parsed custom claims answer.
type answer struct {
	Data *struct {
		ODataType string `json:"@odata.type"`
		Actions   []struct {
			ODataType string         `json:"@odata.type"`
			Claims    map[string]any `json:"claims"`
		} `json:"actions"`
	} `json:"data"`
	APISchemaVersion string `json:"apiSchemaVersion"`
}

func parseAnswer(t *testing.T, body string) answer {
	t.Helper()
	var a answer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, snippetOf(body))
	}
	return a
}

func snippetOf(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// wantAnswer checks the answer's shape: data type, one action of the given type, and claims
// that hold the default claims plus extra.
func wantAnswer(t *testing.T, a answer, actionType string, extra map[string]any) {
	t.Helper()
	if a.Data == nil || a.Data.ODataType != rest.ODataTypeResponseData || len(a.Data.Actions) != 1 {
		t.Fatalf("answer = %+v, want data of type %s with one action", a, rest.ODataTypeResponseData)
	}
	act := a.Data.Actions[0]
	if act.ODataType != actionType {
		t.Errorf("action type = %q, want %q", act.ODataType, actionType)
	}
	want := map[string]any{"DateOfBirth": "01/01/2000", "CustomRoles": []any{"Writer", "Editor"}}
	for k, v := range extra {
		want[k] = v
	}
	if !reflect.DeepEqual(act.Claims, want) {
		t.Errorf("claims = %v, want %v", act.Claims, want)
	}
}

func TestCustomClaimsFaults(t *testing.T) {
	tests := []struct {
		fault       string
		delay       time.Duration
		status      int
		contentType string
		check       func(t *testing.T, r response)
	}{
		{fault: rest.ClaimsFaultStatus201, status: 201, check: wantBody(correctAnswer)},
		{fault: rest.ClaimsFaultStatus400, status: 400, check: wantBody(correctAnswer)},
		{fault: rest.ClaimsFaultStatus500, status: 500, check: wantBody(correctAnswer)},
		{fault: rest.ClaimsFaultTextPlain, status: 200, contentType: "text/plain", check: wantBody(correctAnswer)},
		{fault: rest.ClaimsFaultInvalidJSON, status: 200, check: func(t *testing.T, r response) {
			if json.Valid([]byte(r.Text)) || r.Text == "" || !strings.HasPrefix(correctAnswer, r.Text) {
				t.Errorf("body = %s, want a prefix of the correct answer that is not JSON", r.Text)
			}
		}},
		{fault: rest.ClaimsFaultNoData, status: 200, check: wantBody(`{}`)},
		{fault: rest.ClaimsFaultWrongDataType, status: 200, check: func(t *testing.T, r response) {
			a := parseAnswer(t, r.Text)
			if a.Data == nil || a.Data.ODataType != rest.ODataTypeCalloutData || len(a.Data.Actions) != 1 {
				t.Errorf("answer = %s, want data.@odata.type %s", r.Text, rest.ODataTypeCalloutData)
			}
		}},
		{fault: rest.ClaimsFaultEmptyBody, status: 200, check: wantBody(``)},
		{fault: rest.ClaimsFaultNullClaims, status: 200, check: func(t *testing.T, r response) {
			a := parseAnswer(t, r.Text)
			if !strings.Contains(r.Text, `"claims":null`) || a.Data == nil || len(a.Data.Actions) != 1 || a.Data.Actions[0].ODataType != rest.ActionProvideClaimsForToken {
				t.Errorf("answer = %s, want one provideClaimsForToken action with claims null", r.Text)
			}
		}},
		{fault: rest.ClaimsFaultZeroActions, status: 200, check: func(t *testing.T, r response) {
			a := parseAnswer(t, r.Text)
			if !strings.Contains(r.Text, `"actions":[]`) || a.Data == nil || a.Data.ODataType != rest.ODataTypeResponseData {
				t.Errorf("answer = %s, want actions []", r.Text)
			}
		}},
		{fault: rest.ClaimsFaultTwoActions, status: 200, check: func(t *testing.T, r response) {
			a := parseAnswer(t, r.Text)
			if a.Data == nil || len(a.Data.Actions) != 2 || a.Data.Actions[0].ODataType != rest.ActionProvideClaimsForToken || a.Data.Actions[1].ODataType != rest.ActionProvideClaimsForToken {
				t.Errorf("answer = %s, want two provideClaimsForToken actions", r.Text)
			}
		}},
		{fault: rest.ClaimsFaultWrongActionType, status: 200, check: func(t *testing.T, r response) {
			wantAnswer(t, parseAnswer(t, r.Text), rest.ActionOtherEvent, nil)
		}},
		{fault: rest.ClaimsFaultLegacyActionType, status: 200, check: func(t *testing.T, r response) {
			wantAnswer(t, parseAnswer(t, r.Text), "microsoft.graph.provideClaimsForToken", nil)
		}},
		{fault: rest.ClaimsFaultEmptyKey, status: 200, check: func(t *testing.T, r response) {
			wantAnswer(t, parseAnswer(t, r.Text), rest.ActionProvideClaimsForToken, map[string]any{"": rest.EmptyKeyValue})
		}},
		{fault: rest.ClaimsFaultBooleanClaim, status: 200, check: func(t *testing.T, r response) {
			wantAnswer(t, parseAnswer(t, r.Text), rest.ActionProvideClaimsForToken, map[string]any{rest.BooleanClaim: true})
		}},
		{fault: rest.ClaimsFaultObjectClaim, status: 200, check: func(t *testing.T, r response) {
			wantAnswer(t, parseAnswer(t, r.Text), rest.ActionProvideClaimsForToken, map[string]any{rest.ObjectClaim: map[string]any{"city": "Redmond", "country": "US"}})
		}},
		{fault: rest.ClaimsFaultOversizeClaims, status: 200, check: func(t *testing.T, r response) {
			a := parseAnswer(t, r.Text)
			wantAnswer(t, a, rest.ActionProvideClaimsForToken, map[string]any{rest.OversizeClaim: strings.Repeat("x", rest.OversizeClaimBytes)})
			if b, _ := json.Marshal(a.Data.Actions[0].Claims); len(b) <= 3*1024 || len(r.Text) > 64<<10 {
				t.Errorf("claims are %d bytes and the body %d, want claims over 3 KB in a small body", len(b), len(r.Text))
			}
		}},
		{fault: rest.ClaimsFaultOversizeBody, status: 200, check: func(t *testing.T, r response) {
			if len(r.Text) < rest.OversizeBodyBytes || len(r.Text) < 2<<20 {
				t.Errorf("body is %d bytes, want at least %d", len(r.Text), rest.OversizeBodyBytes)
			}
			wantAnswer(t, parseAnswer(t, r.Text), rest.ActionProvideClaimsForToken, nil)
		}},
		{fault: rest.ClaimsFaultSlow, delay: 30 * time.Millisecond, status: 200, check: wantBody(correctAnswer)},
		{fault: rest.ClaimsFaultThrottle, status: 429, contentType: "application/json", check: func(t *testing.T, r response) {
			if got := r.Header.Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After = %q, want 1", got)
			}
			if m := r.JSON(t); m["error"] != "too_many_requests" || m["data"] != nil {
				t.Errorf("body = %s, want a JSON error and no claims", r.Text)
			}
		}},
		{fault: rest.ClaimsFaultAPISchemaVersion, status: 200, check: func(t *testing.T, r response) {
			a := parseAnswer(t, r.Text)
			wantAnswer(t, a, rest.ActionProvideClaimsForToken, nil)
			if a.APISchemaVersion != "1.0.0" {
				t.Errorf("apiSchemaVersion = %q, want 1.0.0", a.APISchemaVersion)
			}
		}},
	}
	var covered []string
	for _, tt := range tests {
		covered = append(covered, tt.fault)
		t.Run(tt.fault, func(t *testing.T) {
			e := newEnv(t, rest.Config{Routes: []rest.Route{claimsRoute(&rest.CustomClaims{Fault: tt.fault, Delay: tt.delay})}})
			start := time.Now()
			r := e.postJSON("/api/claims", entraRequest)
			if took := time.Since(start); took < tt.delay {
				t.Errorf("answered after %s, want at least %s", took, tt.delay)
			}
			wantStatus(t, r, tt.status)
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			if got := r.Header.Get("Content-Type"); got != ct {
				t.Errorf("Content-Type = %q, want %q", got, ct)
			}
			tt.check(t, r)
			if c := e.lastCall("/api/claims"); c.Status != tt.status || len(c.PayloadProblems) != 0 {
				t.Errorf("call = status %d, problems %q; want %d and none", c.Status, c.PayloadProblems, tt.status)
			}
		})
	}
	if !slices.Equal(covered, rest.ClaimsFaults()) {
		t.Errorf("the table covers %q, want every fault %q", covered, rest.ClaimsFaults())
	}
}

func wantBody(want string) func(t *testing.T, r response) {
	return func(t *testing.T, r response) {
		t.Helper()
		if r.Text != want {
			t.Errorf("body:\n got  %s\n want %s", snippetOf(r.Text), want)
		}
	}
}

func TestCustomClaimsSlowDelay(t *testing.T) {
	tests := []struct {
		name string
		cc   rest.CustomClaims
		want time.Duration
	}{
		{"slow without delay", rest.CustomClaims{Fault: rest.ClaimsFaultSlow}, rest.SlowDelay},
		{"slow with delay", rest.CustomClaims{Fault: rest.ClaimsFaultSlow, Delay: 5 * time.Second}, 5 * time.Second},
		{"correct with delay", rest.CustomClaims{Delay: 500 * time.Millisecond}, 500 * time.Millisecond},
		{"correct", rest.CustomClaims{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cc.Response().Delay; got != tt.want {
				t.Errorf("delay = %s, want %s", got, tt.want)
			}
		})
	}
	if rest.SlowDelay <= 2*time.Second {
		t.Errorf("SlowDelay = %s, want more than Entra's 2 s timeout", rest.SlowDelay)
	}
}

func TestCustomClaimsSlowCutByClientTimeout(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{claimsRoute(&rest.CustomClaims{Fault: rest.ClaimsFaultSlow, Delay: time.Hour})}})
	client := &http.Client{Transport: freshTransport(), Timeout: 50 * time.Millisecond}
	_, err := client.Do(e.Request("POST", "/api/claims", "application/json", entraRequest))
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a client timeout", err)
	}
	e.TS.Close() // waits for the handler, which gave up with the client
	if c := e.lastCall("/api/claims"); c.Status != 0 || c.Attempt != 1 {
		t.Errorf("call = status %d attempt %d, want 0 and 1", c.Status, c.Attempt)
	}
}

func TestCustomClaimsSlowReleasedByClose(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{claimsRoute(&rest.CustomClaims{Fault: rest.ClaimsFaultSlow})}})
	if r := kittest.DelayReleasedByClose(t, e.Srv.Handler(), http.MethodPost, "/api/claims", entraRequest, e.Srv.Close); r.StatusCode != 200 || r.Text != correctAnswer {
		t.Fatalf("after Close: %d %s, want the correct answer at once", r.StatusCode, r.Text)
	}
}

func TestCustomClaimsSequence(t *testing.T) {
	// a failed first attempt and a correct retry, as Entra's maximumRetries 1 sees them
	rt := claimsRoute(nil)
	rt.Responses = []rest.Response{rest.CustomClaims{Fault: rest.ClaimsFaultStatus500}.Response()}
	e := newEnv(t, rest.Config{Routes: []rest.Route{rt}})
	wantStatus(t, e.postJSON("/api/claims", entraRequest), 500)
	if r := e.postJSON("/api/claims", entraRequest); r.StatusCode != 200 || r.Text != correctAnswer {
		t.Errorf("second call: %d %s", r.StatusCode, r.Text)
	}
}

// keyFile reads an RSA private key from testdata.
func keyFile(t *testing.T, name string) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return k.(*rsa.PrivateKey)
}

// jwksServer publishes RSA keys as a JWKS and counts the fetches.
type jwksServer struct {
	ts      *httptest.Server
	fetches atomic.Int32
	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey
}

func newJWKS(t *testing.T, keys map[string]*rsa.PublicKey) *jwksServer {
	t.Helper()
	j := &jwksServer{keys: keys}
	j.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.fetches.Add(1)
		j.mu.Lock()
		defer j.mu.Unlock()
		var doc struct {
			Keys []map[string]string `json:"keys"`
		}
		for kid, k := range j.keys {
			doc.Keys = append(doc.Keys, map[string]string{
				"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
				"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
				"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
			})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(j.ts.Close)
	return j
}

func (j *jwksServer) add(kid string, k *rsa.PublicKey) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.keys[kid] = k
}

func mint(t *testing.T, key *rsa.PrivateKey, method jwt.SigningMethod, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	var signWith any = key
	if method == jwt.SigningMethodHS256 {
		signWith = []byte("a shared secret of thirty-two bytes!")
	}
	s, err := tok.SignedString(signWith)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// entraClaims are the claims of a token Entra sends the API, at testTime.
func entraClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": testIssuer, "aud": testAudience, "azp": rest.EntraEventsAppID,
		"iat": testTime.Add(-time.Minute).Unix(), "nbf": testTime.Add(-time.Minute).Unix(), "exp": testTime.Add(time.Hour).Unix(),
		"sub": "5c6f2a1b-0000-4000-8000-00000000bbbb", "ver": "2.0",
	}
}

func TestCustomClaimsToken(t *testing.T) {
	entra, other := keyFile(t, "entra-key.pem"), keyFile(t, "other-key.pem")
	jwks := newJWKS(t, map[string]*rsa.PublicKey{testKid: &entra.PublicKey})
	cc := &rest.CustomClaims{JWKSURL: jwks.ts.URL, Audience: testAudience, Issuer: testIssuer}

	signed := func(change func(jwt.MapClaims)) string {
		c := entraClaims()
		if change != nil {
			change(c)
		}
		return mint(t, entra, jwt.SigningMethodRS256, testKid, c)
	}
	tests := []struct {
		name       string
		auth       string // Authorization header; empty for none
		wantCode   string // "" for 200
		wantMsg    string
		wantClaims bool // TokenClaims recorded
	}{
		{name: "valid", auth: "Bearer " + signed(nil), wantClaims: true},
		{name: "valid v1 appid", auth: "Bearer " + signed(func(c jwt.MapClaims) { delete(c, "azp"); c["appid"] = rest.EntraEventsAppID; c["ver"] = "1.0" }), wantClaims: true},
		{name: "aud in a list", auth: "Bearer " + signed(func(c jwt.MapClaims) { c["aud"] = []string{"other", testAudience} }), wantClaims: true},
		{name: "expired within leeway", auth: "Bearer " + signed(func(c jwt.MapClaims) { c["exp"] = testTime.Add(-30 * time.Second).Unix() }), wantClaims: true},
		{name: "scheme in lower case", auth: "bearer " + signed(nil), wantClaims: true},
		{name: "missing", wantCode: rest.CodeUnauthorized, wantMsg: "want Authorization: Bearer"},
		{name: "basic instead", auth: "Basic dTpw", wantCode: rest.CodeUnauthorized, wantMsg: "want Authorization: Bearer"},
		{name: "wrong azp", auth: "Bearer " + signed(func(c jwt.MapClaims) { c["azp"] = "11111111-2222-3333-4444-555555555555" }),
			wantCode: rest.CodeInvalidToken, wantMsg: `azp: want 99045fe1-7639-4a75-9d4a-577b6ca3810f (the Microsoft Entra authentication events service), got "11111111-2222-3333-4444-555555555555"`, wantClaims: true},
		{name: "wrong appid", auth: "Bearer " + signed(func(c jwt.MapClaims) { delete(c, "azp"); c["appid"] = "x" }),
			wantCode: rest.CodeInvalidToken, wantMsg: `appid: want 99045fe1`, wantClaims: true},
		{name: "no azp or appid", auth: "Bearer " + signed(func(c jwt.MapClaims) { delete(c, "azp") }),
			wantCode: rest.CodeInvalidToken, wantMsg: "azp (or appid): want 99045fe1-7639-4a75-9d4a-577b6ca3810f (the Microsoft Entra authentication events service), got none", wantClaims: true},
		{name: "wrong aud", auth: "Bearer " + signed(func(c jwt.MapClaims) { c["aud"] = "api://other" }),
			wantCode: rest.CodeInvalidToken, wantMsg: `aud: want "` + testAudience + `", got "api://other"`, wantClaims: true},
		{name: "expired", auth: "Bearer " + signed(func(c jwt.MapClaims) { c["exp"] = testTime.Add(-2 * time.Minute).Unix() }),
			wantCode: rest.CodeInvalidToken, wantMsg: "exp: the token expired at 2024-05-01T11:58:00Z; now is 2024-05-01T12:00:00Z (leeway 1m0s)", wantClaims: true},
		{name: "no exp", auth: "Bearer " + signed(func(c jwt.MapClaims) { delete(c, "exp") }),
			wantCode: rest.CodeInvalidToken, wantMsg: "exp: want an expiry, got none", wantClaims: true},
		{name: "not yet valid", auth: "Bearer " + signed(func(c jwt.MapClaims) { c["nbf"] = testTime.Add(5 * time.Minute).Unix() }),
			wantCode: rest.CodeInvalidToken, wantMsg: "nbf: the token is valid from 2024-05-01T12:05:00Z", wantClaims: true},
		{name: "wrong iss", auth: "Bearer " + signed(func(c jwt.MapClaims) { c["iss"] = "https://evil.example/v2.0" }),
			wantCode: rest.CodeInvalidToken, wantMsg: `iss: want "` + testIssuer + `", got "https://evil.example/v2.0"`, wantClaims: true},
		{name: "every claim wrong", auth: "Bearer " + signed(func(c jwt.MapClaims) { c["azp"] = "x"; c["aud"] = "y" }),
			wantCode: rest.CodeInvalidToken, wantMsg: `azp: want 99045fe1-7639-4a75-9d4a-577b6ca3810f (the Microsoft Entra authentication events service), got "x"; aud: want`, wantClaims: true},
		{name: "bad signature", auth: "Bearer " + mint(t, other, jwt.SigningMethodRS256, testKid, entraClaims()),
			wantCode: rest.CodeInvalidToken, wantMsg: "token: token signature is invalid"},
		{name: "unknown kid", auth: "Bearer " + mint(t, other, jwt.SigningMethodRS256, "nobody", entraClaims()),
			wantCode: rest.CodeInvalidToken, wantMsg: `unknown kid "nobody"`},
		{name: "no kid", auth: "Bearer " + mint(t, entra, jwt.SigningMethodRS256, "", entraClaims()),
			wantCode: rest.CodeInvalidToken, wantMsg: "token header has no kid"},
		{name: "HS256", auth: "Bearer " + mint(t, nil, jwt.SigningMethodHS256, testKid, entraClaims()),
			wantCode: rest.CodeInvalidToken, wantMsg: "signing method HS256 is invalid"},
		{name: "not a JWT", auth: "Bearer abc", wantCode: rest.CodeInvalidToken, wantMsg: "token: token is malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, rest.Config{Routes: []rest.Route{claimsRoute(cc)}})
			var header []string
			if tt.auth != "" {
				header = []string{"Authorization", tt.auth}
			}
			r := e.postJSON("/api/claims", entraRequest, header...)
			c := e.lastCall("/api/claims")
			if tt.wantClaims != (c.TokenClaims != nil) {
				t.Errorf("token claims = %v, want recorded: %v", c.TokenClaims, tt.wantClaims)
			}
			if c.TokenClaims != nil && c.TokenClaims["sub"] != "5c6f2a1b-0000-4000-8000-00000000bbbb" {
				t.Errorf("token claims = %v, want the token's", c.TokenClaims)
			}
			if tt.wantCode == "" {
				if r.StatusCode != 200 || r.Text != correctAnswer {
					t.Fatalf("answer = %d %s, want the correct answer", r.StatusCode, r.Text)
				}
				if c.TokenError != "" || c.Status != 200 {
					t.Errorf("call = token error %q status %d, want none and 200", c.TokenError, c.Status)
				}
				return
			}
			wantMockError(t, r, http.StatusUnauthorized, tt.wantCode)
			m := r.JSON(t)
			msg, _ := m["message"].(string)
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", msg, tt.wantMsg)
			}
			if m["data"] != nil || strings.Contains(r.Text, "DateOfBirth") {
				t.Errorf("a refused call got claims: %s", r.Text)
			}
			if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", r.Header.Get("WWW-Authenticate"))
			}
			if c.TokenError != msg || c.Status != 401 {
				t.Errorf("call = token error %q status %d, want %q and 401", c.TokenError, c.Status, msg)
			}
		})
	}
}

func TestCustomClaimsTokenAudienceOnly(t *testing.T) {
	// without Issuer any iss passes; the answer of the admin API shows the token's claims
	entra := keyFile(t, "entra-key.pem")
	jwks := newJWKS(t, map[string]*rsa.PublicKey{testKid: &entra.PublicKey})
	e := newEnv(t, rest.Config{Routes: []rest.Route{claimsRoute(&rest.CustomClaims{JWKSURL: jwks.ts.URL, Audience: testAudience})}})
	c := entraClaims()
	c["iss"] = "https://contoso.ciamlogin.com/8a7b1c2d-0000-4000-8000-000000000001/v2.0"
	wantStatus(t, e.postJSON("/api/claims", entraRequest, "Authorization", "Bearer "+mint(t, entra, jwt.SigningMethodRS256, testKid, c)), 200)

	r := e.Call("GET", "/_admin/calls?path=/api/claims", "", "")
	var calls []rest.Call
	if err := json.Unmarshal([]byte(r.Text), &calls); err != nil || len(calls) != 1 {
		t.Fatalf("calls: %v\n%s", err, r.Text)
	}
	if calls[0].TokenClaims["azp"] != rest.EntraEventsAppID || calls[0].TokenClaims["iss"] != c["iss"] {
		t.Errorf("tokenClaims over the admin API = %v", calls[0].TokenClaims)
	}
}

func TestCustomClaimsJWKSCache(t *testing.T) {
	entra, other := keyFile(t, "entra-key.pem"), keyFile(t, "other-key.pem")
	jwks := newJWKS(t, map[string]*rsa.PublicKey{testKid: &entra.PublicKey})
	e := newEnv(t, rest.Config{Routes: []rest.Route{claimsRoute(&rest.CustomClaims{JWKSURL: jwks.ts.URL, Audience: testAudience})}})
	tok := mint(t, entra, jwt.SigningMethodRS256, testKid, entraClaims())
	for range 3 {
		wantStatus(t, e.postJSON("/api/claims", entraRequest, "Authorization", "Bearer "+tok), 200)
	}
	if n := jwks.fetches.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times for 3 calls with one kid, want 1", n)
	}
	// the emulator rotates its keys: a new kid makes the API fetch the JWKS again
	jwks.add("entra-2", &other.PublicKey)
	wantStatus(t, e.postJSON("/api/claims", entraRequest, "Authorization", "Bearer "+mint(t, other, jwt.SigningMethodRS256, "entra-2", entraClaims())), 200)
	if n := jwks.fetches.Load(); n != 2 {
		t.Errorf("JWKS fetched %d times after a new kid, want 2", n)
	}
}

func TestCustomClaimsJWKSUnreachable(t *testing.T) {
	entra := keyFile(t, "entra-key.pem")
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	e := newEnv(t, rest.Config{Routes: []rest.Route{claimsRoute(&rest.CustomClaims{JWKSURL: gone.URL + "/keys", Audience: testAudience})}})
	r := e.postJSON("/api/claims", entraRequest, "Authorization", "Bearer "+mint(t, entra, jwt.SigningMethodRS256, testKid, entraClaims()))
	wantMockError(t, r, http.StatusUnauthorized, rest.CodeInvalidToken)
	if c := e.lastCall("/api/claims"); !strings.Contains(c.TokenError, "fetch jwks") {
		t.Errorf("token error = %q, want it to say the JWKS could not be fetched", c.TokenError)
	}
}

func TestCustomClaimsPayloadProblems(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		contentType string
		body        string
		want        []string
	}{
		{name: "Entra's request", body: entraRequest},
		{name: "content type with charset", contentType: "application/json; charset=utf-8", body: entraRequest},
		{name: "wrong type", body: strings.Replace(entraRequest, "authenticationEvent.tokenIssuanceStart", "authenticationEvent.attributeCollectionSubmit", 1),
			want: []string{`type: want "microsoft.graph.authenticationEvent.tokenIssuanceStart", got "microsoft.graph.authenticationEvent.attributeCollectionSubmit"`}},
		{name: "wrong data type", body: strings.Replace(entraRequest, "onTokenIssuanceStartCalloutData", "onTokenIssuanceStartResponseData", 1),
			want: []string{`data.@odata.type: want "microsoft.graph.onTokenIssuanceStartCalloutData", got "microsoft.graph.onTokenIssuanceStartResponseData"`}},
		{name: "no correlationId", body: strings.Replace(entraRequest, `"correlationId": "fcef74ef-29ea-42ca-b150-8f45c8f31ee6",`, "", 1),
			want: []string{"data.authenticationContext.correlationId: want a non-empty string, got none"}},
		{name: "no authenticationContext", body: `{"type":"microsoft.graph.authenticationEvent.tokenIssuanceStart","data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartCalloutData"}}`,
			want: []string{"data.authenticationContext: want an object with a correlationId, got none"}},
		{name: "no type and no data", body: `{"email":"a@contoso.com"}`,
			want: []string{`type: want "microsoft.graph.authenticationEvent.tokenIssuanceStart", got none`, "data: want an object, got none"}},
		{name: "type not a string", body: `{"type":1,"data":[]}`,
			want: []string{`type: want "microsoft.graph.authenticationEvent.tokenIssuanceStart", got 1`, "data: want an object, got []"}},
		{name: "form body", contentType: "application/x-www-form-urlencoded", body: "email=a%40contoso.com",
			want: []string{`Content-Type: want application/json, got "application/x-www-form-urlencoded"`, `body: want the tokenIssuanceStart JSON object, got "email=a%40contoso.com"`}},
		{name: "text/plain", contentType: "text/plain", body: entraRequest,
			want: []string{`Content-Type: want application/json, got "text/plain"`}},
		{name: "GET without body", method: "GET",
			want: []string{"method: want POST, got GET", `Content-Type: want application/json, got ""`, "body: want the tokenIssuanceStart JSON object, got an empty body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := claimsRoute(nil)
			rt.Method = "" // any method, to see GET recorded
			e := newEnv(t, rest.Config{Routes: []rest.Route{rt}})
			method, ct := tt.method, tt.contentType
			if method == "" {
				method = "POST"
			}
			if ct == "" && method == "POST" {
				ct = "application/json"
			}
			r := e.Call(method, "/api/claims", ct, tt.body)
			if r.StatusCode != 200 || r.Text != correctAnswer {
				t.Errorf("answer = %d %s, want the correct answer whatever the payload", r.StatusCode, r.Text)
			}
			if got := e.lastCall("/api/claims").PayloadProblems; !slices.Equal(got, tt.want) {
				t.Errorf("payload problems:\n got  %q\n want %q", got, tt.want)
			}
		})
	}
}

func TestCustomClaimsPayloadProblemsOnlyForTheBehaviour(t *testing.T) {
	e := newEnv(t, rest.Config{Routes: []rest.Route{{Path: "/other"}}})
	wantStatus(t, e.postJSON("/other", `{}`), 200)
	if p := e.lastCall("/other").PayloadProblems; p != nil {
		t.Errorf("payload problems of a plain route = %q, want none", p)
	}
}

// fullRoute is a custom-claims route with every setting.
func fullRoute() rest.Route {
	return rest.Route{
		Method: "POST", Path: "/api/claims", Behaviour: rest.BehaviourCustomClaims,
		CustomClaims: &rest.CustomClaims{
			Claims:   map[string]any{"Role": "admin", "Groups": []any{"a", "b"}},
			Fault:    rest.ClaimsFaultTwoActions,
			Delay:    1500 * time.Millisecond,
			JWKSURL:  "https://emulator.test/tenant/discovery/v2.0/keys",
			Audience: testAudience,
			Issuer:   testIssuer,
		},
	}
}

func TestCustomClaimsWireForms(t *testing.T) {
	rt := fullRoute()
	b, err := json.Marshal(rt)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"method":"POST","path":"/api/claims","behaviour":"custom-claims","customClaims":{"claims":{"Groups":["a","b"],"Role":"admin"},"fault":"two-actions","delay":"1.5s","jwksURL":"https://emulator.test/tenant/discovery/v2.0/keys","audience":"` + testAudience + `","issuer":"` + testIssuer + `"}}`
	if string(b) != want {
		t.Errorf("JSON:\n got  %s\n want %s", b, want)
	}
	var back rest.Route
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, rt) {
		t.Errorf("JSON round trip: %+v %+v (%v), want %+v", back, back.CustomClaims, err, rt)
	}

	y, err := yaml.Marshal(rt)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"customClaims:", "delay: 1.5s", "jwksURL: https://emulator.test", "fault: two-actions"} {
		if !strings.Contains(string(y), w) {
			t.Errorf("YAML lacks %q:\n%s", w, y)
		}
	}
	var backY rest.Route
	if err := yaml.Unmarshal(y, &backY); err != nil || !reflect.DeepEqual(backY, rt) {
		t.Errorf("YAML round trip: %+v %+v (%v), want %+v", backY, backY.CustomClaims, err, rt)
	}

	// unknown keys are refused in both forms
	if err := json.Unmarshal([]byte(`{"path":"/a","behaviour":"custom-claims","customClaims":{"falt":"slow"}}`), &back); err == nil || !strings.Contains(err.Error(), "falt") {
		t.Errorf("unknown JSON key: %v, want an error naming it", err)
	}
	if err := yaml.Unmarshal([]byte("path: /a\ncustomClaims:\n  audiance: x\n"), &backY); err == nil || !strings.Contains(err.Error(), `unknown key "audiance"`) {
		t.Errorf("unknown YAML key: %v, want an error naming it", err)
	}
}

func TestCustomClaimsLoadConfig(t *testing.T) {
	cfg, err := rest.LoadConfig("testdata/custom-claims.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Routes) != 2 {
		t.Fatalf("routes = %+v", cfg.Routes)
	}
	cc := cfg.Routes[1].CustomClaims
	if cc == nil || cc.Fault != rest.ClaimsFaultSlow || cc.Delay != 2500*time.Millisecond || cc.Audience != testAudience || cc.Claims["DateOfBirth"] != "02/02/2002" {
		t.Errorf("routes[1].customClaims = %+v", cc)
	}
	e := newEnv(t, cfg)
	if r := e.postJSON("/api/claims", entraRequest); r.StatusCode != 200 || r.Text != correctAnswer {
		t.Errorf("answer of routes[0]: %d %s", r.StatusCode, r.Text)
	}
}

func TestCustomClaimsAdminRoundTrip(t *testing.T) {
	e := newEnv(t, rest.Config{})
	rt := fullRoute()
	rt.CustomClaims.JWKSURL, rt.CustomClaims.Audience, rt.CustomClaims.Issuer = "", "", ""
	rt.CustomClaims.Delay = 0
	b, _ := json.Marshal(rt)
	wantStatus(t, e.Admin("PUT", "/_admin/routes", string(b)), http.StatusNoContent)

	r := e.Admin("GET", "/_admin/config", "")
	var cfg rest.Config
	if err := json.Unmarshal([]byte(r.Text), &cfg); err != nil || len(cfg.Routes) != 1 {
		t.Fatalf("config: %v\n%s", err, r.Text)
	}
	if got := cfg.Routes[0]; !reflect.DeepEqual(got, rt) {
		t.Errorf("config route = %+v %+v, want %+v %+v", got, got.CustomClaims, rt, rt.CustomClaims)
	}
	a := parseAnswer(t, e.postJSON("/api/claims", entraRequest).Text)
	if a.Data == nil || len(a.Data.Actions) != 2 || a.Data.Actions[0].Claims["Role"] != "admin" {
		t.Errorf("answer of the route put over the admin API = %+v", a)
	}

	// the admin API refuses a bad fault with the reason
	r = e.Admin("PUT", "/_admin/routes", `{"path":"/x","behaviour":"custom-claims","customClaims":{"fault":"explode"}}`)
	wantMockError(t, r, 400, rest.CodeBadRequest)
	if !strings.Contains(r.Text, `fault: want one of status-201`) {
		t.Errorf("error: %s", r.Text)
	}
}

func TestCustomClaimsIsCopied(t *testing.T) {
	cc := &rest.CustomClaims{Claims: map[string]any{"Role": "admin"}}
	e := newEnv(t, rest.Config{Routes: []rest.Route{claimsRoute(cc)}})
	cc.Claims["Role"] = "changed"
	cc.Fault = rest.ClaimsFaultStatus500
	got := e.Srv.Config()
	got.Routes[0].CustomClaims.Claims["Role"] = "mutated"
	got.Routes[0].CustomClaims.Fault = rest.ClaimsFaultEmptyBody

	r := e.postJSON("/api/claims", entraRequest)
	if a := parseAnswer(t, r.Text); r.StatusCode != 200 || a.Data == nil || a.Data.Actions[0].Claims["Role"] != "admin" {
		t.Errorf("the server saw later changes to the caller's settings: %d %s", r.StatusCode, r.Text)
	}
}

func TestCustomClaimsValidate(t *testing.T) {
	tests := []struct {
		name string
		rt   rest.Route
		want []string
	}{
		{name: "every fault is valid", rt: claimsRoute(&rest.CustomClaims{Fault: rest.ClaimsFaultThrottle})},
		{name: "token settings", rt: claimsRoute(&rest.CustomClaims{JWKSURL: "http://127.0.0.1:1/keys", Audience: testAudience})},
		{name: "bad settings", rt: claimsRoute(&rest.CustomClaims{Fault: "explode", Delay: -time.Second, Claims: map[string]any{"c": make(chan int)}, JWKSURL: "/keys"}),
			want: []string{
				`routes[0]: customClaims: fault: want one of status-201, status-400,`,
				"routes[0]: customClaims: delay: want zero or positive, got -1s",
				"routes[0]: customClaims: claims cannot be marshalled: ",
				`routes[0]: customClaims: jwksURL: want an absolute http or https URL, got "/keys"`,
				"routes[0]: customClaims: audience: want the API's identifier URI",
			}},
		{name: "audience without jwksURL", rt: claimsRoute(&rest.CustomClaims{Audience: testAudience}),
			want: []string{"routes[0]: customClaims: audience and issuer are checked only with a jwksURL, which is not set"}},
		{name: "settings without the behaviour", rt: rest.Route{Path: "/c", Behaviour: rest.BehaviourContacts, CustomClaims: &rest.CustomClaims{}},
			want: []string{`routes[0]: customClaims is set but behaviour is "contacts", not custom-claims`}},
		{name: "bearer auth and jwksURL", rt: rest.Route{Path: "/c", Behaviour: rest.BehaviourCustomClaims, Auth: rest.Auth{Type: rest.AuthBearer, Token: "t"},
			CustomClaims: &rest.CustomClaims{JWKSURL: "https://e/keys", Audience: "api://a"}},
			want: []string{"routes[0]: auth type bearer and customClaims.jwksURL both check the Authorization header; set one"}},
		{name: "known", rt: rest.Route{Path: "/c", Behaviour: rest.BehaviourCustomClaims, Known: []string{"a"}},
			want: []string{"routes[0]: known is used by email-exists and loyalty-number only, not by custom-claims"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rest.Config{Routes: []rest.Route{tt.rt}}.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			kittest.WantProblems(t, err, tt.want)
		})
	}
}

// TestCustomClaimsJWKSNoRedirectNoEcho: the JWKS fetch of a custom claims
// route follows no redirect (the host it would send the mock to gets no
// request), and the 401 says what went wrong without quoting what the
// jwksURL answered.
func TestCustomClaimsJWKSNoRedirectNoEcho(t *testing.T) {
	entra := keyFile(t, "entra-key.pem")
	const leak = "INTERNAL-SECRET-7f3a"
	target := newJWKS(t, map[string]*rsa.PublicKey{testKid: &entra.PublicKey})
	serve := func(h http.HandlerFunc) string {
		ts := httptest.NewServer(h)
		t.Cleanup(ts.Close)
		return ts.URL + "/keys"
	}
	tok := mint(t, entra, jwt.SigningMethodRS256, testKid, entraClaims())
	for _, tt := range []struct {
		name, url, mention string
	}{
		{"redirect", serve(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.ts.URL+"/keys?"+leak, http.StatusFound)
		}), "got 302 (redirects are not followed)"},
		{"permanent redirect", serve(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.ts.URL+"/keys", http.StatusPermanentRedirect)
		}), "got 308"},
		{"error status with a body", serve(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, leak+" "+strings.Repeat("x", 100), http.StatusInternalServerError)
		}), "want status 200, got 500"},
		{"not JSON", serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<html>"+leak+"</html>")
		}), "not a JWKS document"},
		{"JSON of another shape", serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, `{"keys":"`+leak+`"}`)
		}), "not a JWKS document"},
		{"other kids", serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, `{"keys":[{"kty":"RSA","kid":"`+leak+`","n":"AQAB","e":"AQAB"}]}`)
		}), "has no such key (it has 1)"},
		{"a key that is not RSA", serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, `{"keys":[{"kty":"`+leak+`","kid":"`+testKid+`"}]}`)
		}), "want kty RSA"},
		{"a bad RSA key", serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, `{"keys":[{"kty":"RSA","kid":"`+testKid+`","n":"`+leak+`","e":"AQAB"}]}`)
		}), "not a usable RSA key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, rest.Config{Routes: []rest.Route{claimsRoute(&rest.CustomClaims{JWKSURL: tt.url, Audience: testAudience})}})
			r := e.postJSON("/api/claims", entraRequest, "Authorization", "Bearer "+tok)
			wantMockError(t, r, http.StatusUnauthorized, rest.CodeInvalidToken)
			if !strings.Contains(r.Text, tt.mention) {
				t.Errorf("401 %s\nwant it to say %q", r.Text, tt.mention)
			}
			if strings.Contains(r.Text, leak) || strings.Contains(e.lastCall("/api/claims").TokenError, leak) {
				t.Errorf("the answer quotes what the jwksURL answered: %s", r.Text)
			}
		})
	}
	if n := target.fetches.Load(); n != 0 {
		t.Errorf("the redirect target was fetched %d times, want 0", n)
	}
}
