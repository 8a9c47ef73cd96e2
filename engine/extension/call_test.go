package extension_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/iefconform/iefconform/engine/extension"
	"github.com/iefconform/iefconform/engine/profile/profiletest"
)

// captured is the request a fake got.
type captured struct {
	method, path, contentType, auth string
	body                            []byte
}

func capture(into *captured, mu *sync.Mutex, then http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		*into = captured{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), body}
		mu.Unlock()
		then(w, r)
	}
}

// callCapturing makes one call with in through a Caller from newCaller,
// changed by edit when it is not nil, to a fake that answers with no claims,
// and returns the request the fake got and the Caller.
func callCapturing(t *testing.T, in extension.Input, edit func(*extension.Caller)) (captured, *extension.Caller) {
	t.Helper()
	var (
		got captured
		mu  sync.Mutex
	)
	f := newFake(t, capture(&got, &mu, okJSON(claimsBody(`{}`))))
	b := mustResolve(t, baseConfig(f.url()))
	c := newCaller(t, f)
	if edit != nil {
		edit(c)
	}
	if _, fail := c.Call(context.Background(), b, in); fail != nil {
		t.Fatalf("call: %v", fail)
	}
	mu.Lock()
	defer mu.Unlock()
	return got, c
}

// callout is the request body of spec §7.1 for the test tenant, listener and
// extension; context holds the members of authenticationContext that follow
// correlationId.
func callout(context string) string {
	return `{
	  "type": "microsoft.graph.authenticationEvent.tokenIssuanceStart",
	  "source": "/tenants/` + tenantID + `/applications/` + clientAppID + `",
	  "data": {
	    "@odata.type": "microsoft.graph.onTokenIssuanceStartCalloutData",
	    "tenantId": "` + tenantID + `",
	    "authenticationEventListenerId": "` + listenerID + `",
	    "customAuthenticationExtensionId": "` + extensionID + `",
	    "authenticationContext": {
	      "correlationId": "` + correlationID + `",
	      ` + context + `
	    }
	  }
	}`
}

func TestCallPayload(t *testing.T) {
	tests := []struct {
		name string
		in   extension.Input
		want string
	}{
		{
			name: "member",
			in:   input(),
			want: callout(`"client": {"ip": "203.0.113.7", "locale": "en-us", "market": "en-us"},
	      "protocol": "OAUTH2.0",
	      "clientServicePrincipal": {"id": "55555555-5555-4555-8555-555555555555", "appId": "` + clientAppID + `", "appDisplayName": "My Test application", "displayName": "My Test application"},
	      "resourceServicePrincipal": {"id": "66666666-6666-4666-8666-666666666666", "appId": "00000003-0000-0000-c000-000000000000", "appDisplayName": "Microsoft Graph", "displayName": "Microsoft Graph"},
	      "user": {
	        "createdDateTime": "2016-03-01T15:23:40Z",
	        "displayName": "John Smith",
	        "givenName": "John",
	        "id": "90847c2a-e29d-4d2f-9f54-c5b4d3f26471",
	        "mail": "john@contoso.example",
	        "preferredLanguage": "en-us",
	        "surname": "Smith",
	        "userPrincipalName": "john@contoso.example",
	        "userType": "Member"
	      }`),
		},
		{
			name: "defaults and guest",
			in: extension.Input{
				CorrelationID: correlationID,
				TenantID:      tenantID,
				Locale:        "fr-fr",
				Client:        extension.Principal{ID: "c", DisplayName: "App"}, // AppID from the listener
				User: extension.User{
					ID: "u", CompanyName: "Fabrikam", UserType: "Guest", UserPrincipalName: "ann_fabrikam.example#EXT#@contoso.example",
					OnPremisesSamAccountName: "ann", OnPremisesSecurityIdentifier: "S-1-5-21", OnPremisesUserPrincipalName: "ann@fabrikam.local",
					PreferredDataLocation: "EUR",
				},
			},
			want: callout(`"client": {"ip": "", "locale": "fr-fr", "market": "fr-fr"},
	      "protocol": "OAUTH2.0",
	      "clientServicePrincipal": {"id": "c", "appId": "` + clientAppID + `", "appDisplayName": "App", "displayName": "App"},
	      "resourceServicePrincipal": {"id": "", "appId": "", "appDisplayName": "", "displayName": ""},
	      "user": {
	        "companyName": "Fabrikam",
	        "id": "u",
	        "onPremisesSamAccountName": "ann",
	        "onPremisesSecurityIdentifier": "S-1-5-21",
	        "onPremisesUserPrincipalName": "ann@fabrikam.local",
	        "preferredDataLocation": "EUR",
	        "userPrincipalName": "ann_fabrikam.example#EXT#@contoso.example",
	        "userType": "Guest"
	      }`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := callCapturing(t, tt.in, nil)
			if got.method != http.MethodPost || got.path != "/api/claims" || got.contentType != "application/json" {
				t.Errorf("want POST /api/claims application/json, got %s %s %s", got.method, got.path, got.contentType)
			}
			assertJSON(t, got.body, tt.want)
			// The field order of spec §7.1.
			order := []string{`"type"`, `"source"`, `"data"`, `"@odata.type"`, `"tenantId"`, `"authenticationEventListenerId"`,
				`"customAuthenticationExtensionId"`, `"authenticationContext"`, `"correlationId"`, `"client"`, `"protocol"`,
				`"clientServicePrincipal"`, `"resourceServicePrincipal"`, `"user"`}
			at := 0
			for _, k := range order {
				i := strings.Index(string(got.body[at:]), k)
				if i < 0 {
					t.Fatalf("want %s after byte %d, got %s", k, at, got.body)
				}
				at += i
			}
		})
	}
}

func assertJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		gi, _ := json.MarshalIndent(g, "", "  ")
		wi, _ := json.MarshalIndent(w, "", "  ")
		t.Errorf("payload:\nwant %s\ngot  %s", wi, gi)
	}
}

func TestCallBearerToken(t *testing.T) {
	tests := []struct {
		name    string
		issuer  string
		wantIss string
	}{
		{"default issuer", "", "https://login.microsoftonline.com/" + tenantID + "/v2.0"},
		{"configured issuer", "https://contoso.ciamlogin.com/" + tenantID + "/v2.0", "https://contoso.ciamlogin.com/" + tenantID + "/v2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, c := callCapturing(t, input(), func(c *extension.Caller) { c.Issuer = tt.issuer })
			raw, ok := strings.CutPrefix(got.auth, "Bearer ")
			if !ok {
				t.Fatalf("want a Bearer token, got %q", got.auth)
			}
			key := c.Key
			claims := jwt.MapClaims{}
			tok, err := jwt.ParseWithClaims(raw, claims, func(tk *jwt.Token) (any, error) {
				if tk.Header["kid"] != key.KeyID {
					return nil, errors.New("kid: want " + key.KeyID)
				}
				return &key.Private.PublicKey, nil
			}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(fixedNow),
				jwt.WithAudience("api://127.0.0.1/"+resourceAppID), jwt.WithIssuer(tt.wantIss))
			if err != nil || !tok.Valid {
				t.Fatalf("verify token: %v", err)
			}
			want := map[string]any{
				"iss":   tt.wantIss,
				"aud":   "api://127.0.0.1/" + resourceAppID,
				"azp":   extension.EventsServiceAppID,
				"appid": "99045fe1-7639-4a75-9d4a-577b6ca3810f",
				"tid":   tenantID,
				"iat":   float64(now.Unix()),
				"nbf":   float64(now.Unix()),
				"exp":   float64(now.Add(5 * time.Minute).Unix()),
			}
			if !reflect.DeepEqual(map[string]any(claims), want) {
				t.Errorf("claims:\nwant %v\ngot  %v", want, claims)
			}
		})
	}
}

func TestCallValidResponse(t *testing.T) {
	body := claimsBody(`{"DateOfBirth":"01/01/2000","CustomRoles":["Writer","Editor"],"dateofbirth":"case differs","ApiVersion":"1.0","Unmapped":"x","Empty":[]}`)
	f := newFake(t, okJSON(body))
	b := mustResolve(t, baseConfig(f.url()))
	out, fail := newCaller(t, f).Call(context.Background(), b, input())
	if fail != nil {
		t.Fatalf("call: %v", fail)
	}
	want := map[string]any{"birthdate": "01/01/2000", "CustomRoles": []string{"Writer", "Editor"}}
	if !reflect.DeepEqual(out.Claims, want) {
		t.Errorf("claims: want %#v, got %#v", want, out.Claims)
	}
	if out.HTTPStatus != 200 || out.Attempts != 1 || out.Retries != 0 {
		t.Errorf("want 200 after 1 attempt, got %d after %d (%d retries)", out.HTTPStatus, out.Attempts, out.Retries)
	}
}

func TestCallDuration(t *testing.T) {
	f := newFake(t, okJSON(claimsBody(`{}`)))
	b := mustResolve(t, baseConfig(f.url()))
	var ticks atomic.Int64
	c := newCaller(t, f)
	c.Now = func() time.Time { return now.Add(time.Duration(ticks.Add(1)) * 150 * time.Millisecond) }
	out, fail := c.Call(context.Background(), b, input())
	if fail != nil {
		t.Fatal(fail)
	}
	if out.Duration != 150*time.Millisecond {
		t.Errorf("want the clock's 150ms, got %v", out.Duration)
	}
}

func TestCallResponseCodes(t *testing.T) {
	const ct = "application/json"
	bigClaim := func(n int) string { return claimsBody(`{"k":"` + strings.Repeat("x", n) + `"}`) }
	tests := []struct {
		name         string
		handler      http.HandlerFunc
		maxBytes     int64
		want         int // 0: success
		wantAttempts int32
		wantStatus   int
	}{
		{name: "200 ok", handler: okJSON(claimsBody(`{"DateOfBirth":"x"}`)), wantAttempts: 1, wantStatus: 200},
		{name: "charset parameter ok", handler: answer(200, "application/json; charset=utf-8", claimsBody(`{}`)), wantAttempts: 1, wantStatus: 200},
		{name: "legacy action type accepted", handler: okJSON(`{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.provideClaimsForToken","claims":{}}]}}`), wantAttempts: 1, wantStatus: 200},
		{name: "claims of exactly 3072 bytes", handler: okJSON(bigClaim(3071)), wantAttempts: 1, wantStatus: 200},

		{name: "201", handler: answer(201, ct, claimsBody(`{}`)), want: 1003002, wantAttempts: 1, wantStatus: 201},
		{name: "204", handler: answer(204, ct, ""), want: 1003002, wantAttempts: 1, wantStatus: 204},
		{name: "302 not followed", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}, want: 1003002, wantAttempts: 1, wantStatus: 302},
		{name: "400 not retried", handler: answer(400, ct, `{}`), want: 1003002, wantAttempts: 1, wantStatus: 400},
		{name: "401 not retried", handler: answer(401, ct, `{}`), want: 1003002, wantAttempts: 1, wantStatus: 401},
		{name: "500 retried", handler: answer(500, ct, `{}`), want: 1003002, wantAttempts: 2, wantStatus: 500},
		{name: "503 retried", handler: answer(503, ct, `{}`), want: 1003002, wantAttempts: 2, wantStatus: 503},
		{name: "429 retried then 1003004", handler: answer(429, ct, `{}`), want: 1003004, wantAttempts: 2, wantStatus: 429},
		{name: "429 then 200", handler: sequence(answer(429, ct, ""), okJSON(claimsBody(`{}`))), wantAttempts: 2, wantStatus: 200},
		{name: "500 then 200", handler: sequence(answer(500, ct, ""), okJSON(claimsBody(`{}`))), wantAttempts: 2, wantStatus: 200},
		{name: "429 then 500", handler: sequence(answer(429, ct, ""), answer(500, ct, "")), want: 1003002, wantAttempts: 2, wantStatus: 500},
		{name: "500 then 429", handler: sequence(answer(500, ct, ""), answer(429, ct, "")), want: 1003004, wantAttempts: 2, wantStatus: 429},
		{name: "500 then 400", handler: sequence(answer(500, ct, ""), answer(400, ct, "")), want: 1003002, wantAttempts: 2, wantStatus: 400},

		{name: "text/plain", handler: answer(200, "text/plain", claimsBody(`{}`)), want: 1003006, wantAttempts: 1, wantStatus: 200},
		{name: "no content type", handler: answer(200, "-", claimsBody(`{}`)), want: 1003006, wantAttempts: 1, wantStatus: 200},
		{name: "application/jsonx", handler: answer(200, "application/json-patch+json", claimsBody(`{}`)), want: 1003006, wantAttempts: 1, wantStatus: 200},
		{name: "empty body", handler: answer(200, ct, ""), want: 1003009, wantAttempts: 1, wantStatus: 200},
		{name: "empty body without content type", handler: answer(200, "-", ""), want: 1003009, wantAttempts: 1, wantStatus: 200},
		{name: "blank body", handler: answer(200, ct, " \r\n"), want: 1003009, wantAttempts: 1, wantStatus: 200},
		{name: "null body", handler: answer(200, ct, "null"), want: 1003009, wantAttempts: 1, wantStatus: 200},
		{name: "body over MaxResponseBytes", handler: okJSON(bigClaim(300)), maxBytes: 256, want: 1003024, wantAttempts: 1, wantStatus: 200},
		{name: "body at MaxResponseBytes", handler: okJSON(claimsBody(`{}`)), maxBytes: int64(len(claimsBody(`{}`))), wantAttempts: 1, wantStatus: 200},

		{name: "{}", handler: okJSON(`{}`), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "not JSON", handler: okJSON(`{"data":`), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "array", handler: okJSON(`[]`), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "trailing data", handler: okJSON(claimsBody(`{}`) + ` {}`), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "data null", handler: okJSON(`{"data":null}`), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "data not an object", handler: okJSON(`{"data":"x"}`), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "data without @odata.type", handler: okJSON(`{"data":{"actions":[]}}`), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "wrong data @odata.type", handler: okJSON(`{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartCalloutData","actions":[]}}`), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "apiSchemaVersion at the top", handler: okJSON(`{"apiSchemaVersion":"1.0.0","data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[]}}`), want: 1003008, wantAttempts: 1, wantStatus: 200},
		{name: "apiSchemaVersion in data", handler: okJSON(`{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","apiSchemaVersion":"10-01-2021-preview","actions":[]}}`), want: 1003008, wantAttempts: 1, wantStatus: 200},
		{name: "apiSchemaVersion null is absent", handler: okJSON(`{"apiSchemaVersion":null,` + claimsBody(`{}`)[1:]), wantAttempts: 1, wantStatus: 200},
		{name: "actions empty", handler: okJSON(`{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[]}}`), want: 1003010, wantAttempts: 1, wantStatus: 200},
		{name: "actions missing", handler: okJSON(`{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData"}}`), want: 1003010, wantAttempts: 1, wantStatus: 200},
		{name: "two actions", handler: okJSON(`{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{}},{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{}}]}}`), want: 1003010, wantAttempts: 1, wantStatus: 200},
		{name: "actions not an array", handler: okJSON(`{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":{}}}`), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "action not an object", handler: okJSON(`{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":["x"]}}`), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "wrong action type", handler: okJSON(`{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.tokenIssuanceStart.continueWithDefaultBehavior","claims":{}}]}}`), want: 1003012, wantAttempts: 1, wantStatus: 200},
		{name: "action without type", handler: okJSON(`{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"claims":{}}]}}`), want: 1003012, wantAttempts: 1, wantStatus: 200},
		{name: "claims null", handler: okJSON(claimsBody(`null`)), want: 1003007, wantAttempts: 1, wantStatus: 200},
		{name: "claims missing", handler: okJSON(`{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken"}]}}`), want: 1003007, wantAttempts: 1, wantStatus: 200},
		{name: "claims not an object", handler: okJSON(claimsBody(`["a"]`)), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "empty claim key", handler: okJSON(claimsBody(`{"DateOfBirth":"x","":"y"}`)), want: 1003026, wantAttempts: 1, wantStatus: 200},
		{name: "empty claim key beats a bad value", handler: okJSON(claimsBody(`{"a":true,"":"y"}`)), want: 1003026, wantAttempts: 1, wantStatus: 200},
		{name: "boolean value", handler: okJSON(claimsBody(`{"DateOfBirth":true}`)), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "number value", handler: okJSON(claimsBody(`{"DateOfBirth":42}`)), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "object value", handler: okJSON(claimsBody(`{"DateOfBirth":{"a":"b"}}`)), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "null value", handler: okJSON(claimsBody(`{"DateOfBirth":null}`)), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "array with a number", handler: okJSON(claimsBody(`{"CustomRoles":["a",1]}`)), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "array with null", handler: okJSON(claimsBody(`{"CustomRoles":["a",null]}`)), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "unmapped bad value still rejected", handler: okJSON(claimsBody(`{"Other":false}`)), want: 1003003, wantAttempts: 1, wantStatus: 200},
		{name: "claims over 3 KB", handler: okJSON(bigClaim(3072)), want: 1003025, wantAttempts: 1, wantStatus: 200},
		{name: "claims over 3 KB across an array", handler: okJSON(claimsBody(`{"CustomRoles":["` + strings.Repeat("a", 1600) + `","` + strings.Repeat("b", 1600) + `"]}`)), want: 1003025, wantAttempts: 1, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.handler)
			b := mustResolve(t, baseConfig(f.url()))
			c := newCaller(t, f)
			c.MaxResponseBytes = tt.maxBytes
			out, fail := c.Call(context.Background(), b, input())
			if got := f.attempts.Load(); got != tt.wantAttempts {
				t.Errorf("want %d attempt(s), got %d", tt.wantAttempts, got)
			}
			if tt.want == 0 {
				if fail != nil {
					t.Fatalf("want success, got %v", fail)
				}
				if out.HTTPStatus != tt.wantStatus || int32(out.Attempts) != tt.wantAttempts || out.Retries != out.Attempts-1 {
					t.Errorf("want HTTP %d after %d attempt(s), got %+v", tt.wantStatus, tt.wantAttempts, out)
				}
				return
			}
			if fail == nil {
				t.Fatalf("want %d %s, got success %+v", tt.want, extension.Name(tt.want), out)
			}
			if out != nil {
				t.Errorf("want no outcome with a failure, got %+v", out)
			}
			if fail.Code != tt.want || fail.Name != extension.Name(tt.want) {
				t.Errorf("want %d %s, got %d %s: %v", tt.want, extension.Name(tt.want), fail.Code, fail.Name, fail.Err)
			}
			if fail.HTTPStatus != tt.wantStatus || int32(fail.Retries) != tt.wantAttempts-1 {
				t.Errorf("want HTTP %d and %d retries, got %d and %d", tt.wantStatus, tt.wantAttempts-1, fail.HTTPStatus, fail.Retries)
			}
		})
	}
}

func TestCallTimeout(t *testing.T) {
	tests := []struct {
		name         string
		retries      int
		wantAttempts int32
	}{
		{"maximumRetries 0", 0, 1},
		{"maximumRetries 1", 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, hang)
			cfg := baseConfig(f.url())
			cfg.Extensions[0].ClientConfiguration = extension.ClientConfiguration{TimeoutInMilliseconds: intp(200), MaximumRetries: intp(tt.retries)}
			b := mustResolve(t, cfg)
			c := newCaller(t, f)
			c.Now = time.Now
			_, fail := c.Call(context.Background(), b, input())
			if fail == nil || fail.Code != extension.CodeTimedOut || fail.Name != "CustomExtensionTimedOut" {
				t.Fatalf("want 1003005 CustomExtensionTimedOut, got %v", fail)
			}
			if !errors.Is(fail, extension.ErrTimeout) {
				t.Errorf("want errors.Is(ErrTimeout), got %v", fail.Err)
			}
			if got := f.attempts.Load(); got != tt.wantAttempts {
				t.Errorf("want %d attempt(s), got %d", tt.wantAttempts, got)
			}
			if fail.Retries != tt.retries || fail.HTTPStatus != 0 {
				t.Errorf("want %d retries and no status, got %d and %d", tt.retries, fail.Retries, fail.HTTPStatus)
			}
			if least := time.Duration(tt.wantAttempts) * 200 * time.Millisecond; fail.Duration < least {
				t.Errorf("want a duration of at least %v, got %v", least, fail.Duration)
			}
		})
	}
}

func TestCallTimeoutThenSuccess(t *testing.T) {
	f := newFake(t, sequence(hang, okJSON(claimsBody(`{"DateOfBirth":"x"}`))))
	b := mustResolve(t, baseConfig(f.url()))
	out, fail := newCaller(t, f).Call(context.Background(), b, input())
	if fail != nil {
		t.Fatalf("want success on the retry, got %v", fail)
	}
	if out.Attempts != 2 || out.Retries != 1 || out.Claims["birthdate"] != "x" {
		t.Errorf("want 2 attempts and the claim, got %+v", out)
	}
}

func TestCallConnectionRefused(t *testing.T) {
	addr := strings.TrimPrefix(profiletest.ClosedURL(t), "http://")
	for _, retries := range []int{0, 1} {
		cfg := baseConfig("https://" + addr + "/api/claims")
		cfg.Extensions[0].ClientConfiguration.MaximumRetries = intp(retries)
		b := mustResolve(t, cfg)
		c := &extension.Caller{Key: fixedKey(t), Now: fixedNow}
		_, fail := c.Call(context.Background(), b, input())
		if fail == nil || fail.Code != extension.CodeConnectionError || fail.Name != "CustomExtensionConnectionError" {
			t.Fatalf("retries %d: want 1003027, got %v", retries, fail)
		}
		if !errors.Is(fail, extension.ErrConnection) || fail.Retries != retries || fail.HTTPStatus != 0 {
			t.Errorf("retries %d: want ErrConnection after %d retries, got %+v", retries, retries, fail)
		}
	}
}

func TestCallUntrustedCertificate(t *testing.T) {
	f := newFake(t, okJSON(claimsBody(`{}`)))
	b := mustResolve(t, baseConfig(f.url()))
	c := newCaller(t, f)
	c.HTTP = nil // the default client does not trust the test server
	_, fail := c.Call(context.Background(), b, input())
	if fail == nil || fail.Code != extension.CodeConnectionError {
		t.Fatalf("want 1003027, got %v", fail)
	}
}

func TestCallUnexpected(t *testing.T) {
	f := newFake(t, okJSON(claimsBody(`{}`)))
	b := mustResolve(t, baseConfig(f.url()))
	t.Run("no key", func(t *testing.T) {
		c := newCaller(t, f)
		c.Key = nil
		_, fail := c.Call(context.Background(), b, input())
		if fail == nil || fail.Code != extension.CodeUnexpectedError || !errors.Is(fail, extension.ErrNoKey) {
			t.Fatalf("want 1003001 with ErrNoKey, got %v", fail)
		}
	})
	t.Run("no binding", func(t *testing.T) {
		_, fail := newCaller(t, f).Call(context.Background(), nil, input())
		if fail == nil || fail.Code != extension.CodeUnexpectedError {
			t.Fatalf("want 1003001, got %v", fail)
		}
	})
	t.Run("request cannot be built", func(t *testing.T) {
		bb := *b
		bb.Extension.TargetURL = "https://127.0.0.1/\x7f"
		_, fail := newCaller(t, f).Call(context.Background(), &bb, input())
		if fail == nil || fail.Code != extension.CodeUnexpectedError {
			t.Fatalf("want 1003001, got %v", fail)
		}
	})
	t.Run("caller's context cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, fail := newCaller(t, f).Call(ctx, b, input())
		if fail == nil || fail.Code != extension.CodeUnexpectedError || !errors.Is(fail, context.Canceled) {
			t.Fatalf("want 1003001 with context.Canceled, got %v", fail)
		}
	})
	before := f.attempts.Load()
	if before != 0 {
		t.Errorf("want no request to reach the API, got %d", before)
	}
}

func TestCallConcurrent(t *testing.T) {
	f := newFake(t, okJSON(claimsBody(`{"DateOfBirth":"x"}`)))
	b := mustResolve(t, baseConfig(f.url()))
	c := newCaller(t, f)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, fail := c.Call(context.Background(), b, input()); fail != nil {
				t.Error(fail)
			}
		})
	}
	wg.Wait()
	if f.attempts.Load() != 8 {
		t.Errorf("want 8 requests, got %d", f.attempts.Load())
	}
}
