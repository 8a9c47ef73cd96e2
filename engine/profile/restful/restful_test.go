package restful

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// sendClaims are the input claims of TestSendClaimsIn: a renamed claim, a
// default for an absent claim, a collection, an empty claim and an absent claim
// without default (both left out).
func sendClaims(tp *policy.TechnicalProfile) *policy.TechnicalProfile {
	return withInputs(tp,
		claim("email", "emailAddress"),
		withDefault(claim("userLanguage", "lang"), "en us", false),
		claim("roles", ""),
		claim("objectId", ""),
		claim("givenName", ""),
	)
}

func sendEnv() *profile.Env {
	return newEnv("email", "a+b@contoso.com", "roles", []string{"r/1", "r 2"}, "objectId", "", "surname", "not an input claim")
}

func TestSendClaimsIn(t *testing.T) {
	tests := []struct {
		name       string
		sendIn     string
		path       string // appended to the fake's URL to make ServiceUrl
		wantMethod string
		wantType   string
		wantBody   string
		wantURI    string
		wantHeader map[string]string
	}{
		{
			name: "Body (REST-01)", sendIn: "", path: "/api/check",
			wantMethod: http.MethodPost, wantType: "application/json", wantURI: "/api/check",
			wantBody: `{"emailAddress":"a+b@contoso.com","lang":"en us","roles":["r/1","r 2"]}`,
		},
		{
			name: "body in lowercase", sendIn: "body", path: "/api/check",
			wantMethod: http.MethodPost, wantType: "application/json", wantURI: "/api/check",
			wantBody: `{"emailAddress":"a+b@contoso.com","lang":"en us","roles":["r/1","r 2"]}`,
		},
		{
			name: "Form (REST-02)", sendIn: "Form", path: "/api/check",
			wantMethod: http.MethodPost, wantType: "application/x-www-form-urlencoded", wantURI: "/api/check",
			wantBody: `emailAddress=a%2Bb%40contoso.com&lang=en+us&roles=r%2F1%2Cr+2`,
		},
		{
			name: "Header (REST-02)", sendIn: "Header", path: "/api/check",
			wantMethod: http.MethodGet, wantURI: "/api/check",
			wantHeader: map[string]string{"emailAddress": "a+b@contoso.com", "lang": "en us", "roles": "r/1,r 2"},
		},
		{
			name: "QueryString keeps the URL's own query (REST-02)", sendIn: "QueryString", path: "/api/check?code=abc%3D%3D&x=1",
			wantMethod: http.MethodGet,
			wantURI:    "/api/check?code=abc%3D%3D&x=1&emailAddress=a%2Bb%40contoso.com&lang=en+us&roles=r%2F1%2Cr+2",
		},
		{
			name: "QueryString without a query", sendIn: "QueryString", path: "/api/check",
			wantMethod: http.MethodGet,
			wantURI:    "/api/check?emailAddress=a%2Bb%40contoso.com&lang=en+us&roles=r%2F1%2Cr+2",
		},
		{
			name: "Url placeholders in path and query (REST-02)", sendIn: "Url", path: "/api/users/{emailAddress}/roles/{roles}?lang={lang}&id={objectId}",
			wantMethod: http.MethodGet,
			wantURI:    "/api/users/a+b@contoso.com/roles/r%2F1%2Cr%202?lang=en+us&id={objectId}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := serve(t, nil)
			meta := []string{KeyServiceURL, srv.URL + tt.path, KeyAuthenticationType, "None"}
			if tt.sendIn != "" {
				meta = append(meta, KeySendClaimsIn, tt.sendIn)
			}
			p := mustNew(t, sendClaims(restTP("REST-Send", meta...)))
			if err := p.Call(context.Background(), sendEnv()); err != nil {
				t.Fatalf("Call: %v", err)
			}
			got := f.last(t)
			if got.Method != tt.wantMethod {
				t.Errorf("method: got %s, want %s", got.Method, tt.wantMethod)
			}
			if ct := got.Header.Get("Content-Type"); ct != tt.wantType {
				t.Errorf("Content-Type: got %q, want %q", ct, tt.wantType)
			}
			if got.Body != tt.wantBody {
				t.Errorf("body:\n got %s\nwant %s", got.Body, tt.wantBody)
			}
			if got.RequestURI != tt.wantURI {
				t.Errorf("request URI:\n got %s\nwant %s", got.RequestURI, tt.wantURI)
			}
			for k, v := range tt.wantHeader {
				if g := got.Header.Values(k); len(g) != 1 || g[0] != v {
					t.Errorf("header %s: got %q, want [%q]", k, g, v)
				}
			}
			for _, absent := range []string{"objectId", "givenName", "surname"} {
				if strings.Contains(got.Body, absent) || got.Header.Get(absent) != "" || strings.Contains(got.RawQuery, absent+"=") {
					t.Errorf("claim %s has no value or is no input claim: want it left out, got body %q, query %q", absent, got.Body, got.RawQuery)
				}
			}
			if a := got.Header.Get("Authorization"); a != "" {
				t.Errorf("AuthenticationType None: want no Authorization header, got %q", a)
			}
		})
	}
}

func TestUrlPlaceholderEncoding(t *testing.T) {
	f, srv := serve(t, nil)
	p := mustNew(t, withInputs(restTP("REST-Url", KeyServiceURL, srv.URL+"/v1/{name}/x?q={name}", KeyAuthenticationType, "None", KeySendClaimsIn, "Url"), claim("displayName", "name")))
	if err := p.Call(context.Background(), newEnv("displayName", "Zoë & Co/?#{x}")); err != nil {
		t.Fatalf("Call: %v", err)
	}
	got := f.last(t)
	const want = "/v1/Zo%C3%AB%20&%20Co%2F%3F%23%7Bx%7D/x?q=Zo%C3%AB+%26+Co%2F%3F%23%7Bx%7D"
	if got.RequestURI != want {
		t.Errorf("request URI:\n got %s\nwant %s", got.RequestURI, want)
	}
	if got.Path != "/v1/Zoë & Co/?#{x}/x" {
		t.Errorf("decoded path: got %q", got.Path)
	}
}

func TestClaimUsedForRequestPayload(t *testing.T) {
	// REST-03: the body is the claim's value byte for byte, no wrapper object.
	payload := "{\"personalizations\":[{\"to\":[{\"email\":\"x@contoso.com\"}]}],\n  \"from\" : {\"email\":\"<noreply>\"} }"
	tests := []struct {
		name string
		env  *profile.Env
		want string
	}{
		{name: "value", env: newEnv("sendGridReqBody", payload, "email", "x@contoso.com"), want: payload},
		{name: "no value sends an empty body", env: newEnv("email", "x@contoso.com"), want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := serve(t, nil)
			p := mustNew(t, withInputs(restTP("REST-SendGrid", KeyServiceURL, srv.URL, KeyAuthenticationType, "None", KeySendClaimsIn, "Body", KeyClaimUsedForRequestPayload, "sendGridReqBody"),
				claim("sendGridReqBody", ""), claim("email", "")))
			if err := p.Call(context.Background(), tt.env); err != nil {
				t.Fatalf("Call: %v", err)
			}
			got := f.last(t)
			if got.Body != tt.want {
				t.Errorf("body:\n got %q\nwant %q", got.Body, tt.want)
			}
			if got.Method != http.MethodPost || got.Header.Get("Content-Type") != "application/json" {
				t.Errorf("want POST application/json, got %s %q", got.Method, got.Header.Get("Content-Type"))
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	tests := []struct {
		name       string
		auth       string
		meta       []string
		keys       []string // id, container pairs in the profile
		secrets    map[string]string
		env        *profile.Env
		wantHeader string
		wantValue  string
	}{
		{name: "None", auth: "None", wantHeader: "Authorization", wantValue: ""},
		{name: "Basic (REST-05)", auth: "Basic",
			keys:    []string{KeyBasicUsername, "B2C_1A_RestUser", KeyBasicPassword, "B2C_1A_RestPass"},
			secrets: map[string]string{"B2C_1A_RestUser": "b2c-user", "B2C_1A_RestPass": "p@ss:word"},
			// base64("b2c-user:p@ss:word")
			wantHeader: "Authorization", wantValue: "Basic " + base64.StdEncoding.EncodeToString([]byte("b2c-user:p@ss:word"))},
		{name: "Bearer from a key", auth: "Bearer",
			keys: []string{KeyBearerToken, "B2C_1A_RestToken"}, secrets: map[string]string{"B2C_1A_RestToken": "static-token"},
			wantHeader: "Authorization", wantValue: "Bearer static-token"},
		{name: "Bearer from a claim", auth: "Bearer", meta: []string{KeyUseClaimAsBearerToken, "bearerToken"},
			env:        newEnv("bearerToken", "eyJ.claim.token", "email", "a@contoso.com"),
			wantHeader: "Authorization", wantValue: "Bearer eyJ.claim.token"},
		{name: "Bearer claim wins over the key", auth: "Bearer", meta: []string{KeyUseClaimAsBearerToken, "bearerToken"},
			keys: []string{KeyBearerToken, "B2C_1A_RestToken"}, secrets: map[string]string{"B2C_1A_RestToken": "static-token"},
			env:        newEnv("bearerToken", "eyJ.claim.token"),
			wantHeader: "Authorization", wantValue: "Bearer eyJ.claim.token"},
		{name: "ApiKeyHeader", auth: "ApiKeyHeader",
			keys: []string{"x-functions-key", "B2C_1A_FunctionKey"}, secrets: map[string]string{"B2C_1A_FunctionKey": "func-secret"},
			wantHeader: "x-functions-key", wantValue: "func-secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := serve(t, nil)
			meta := append([]string{KeyServiceURL, srv.URL, KeyAuthenticationType, tt.auth}, tt.meta...)
			tp := withInputs(withKeys(restTP("REST-Auth", meta...), tt.keys...), claim("email", ""), claim("bearerToken", ""))
			p := mustNew(t, tp)
			env := tt.env
			if env == nil {
				env = newEnv("email", "a@contoso.com")
			}
			for c, s := range tt.secrets {
				env.Keys.SetSecret(c, []byte(s))
			}
			if err := p.Call(context.Background(), env); err != nil {
				t.Fatalf("Call: %v", err)
			}
			got := f.last(t)
			if v := got.Header.Values(tt.wantHeader); (tt.wantValue == "" && len(v) != 0) || (tt.wantValue != "" && (len(v) != 1 || v[0] != tt.wantValue)) {
				t.Errorf("header %s: got %q, want %q", tt.wantHeader, v, tt.wantValue)
			}
			if tt.wantHeader != "Authorization" && got.Header.Get("Authorization") != "" {
				t.Errorf("%s: want no Authorization header, got %q", tt.auth, got.Header.Get("Authorization"))
			}
		})
	}
}

func TestBearerClaimWithoutValue(t *testing.T) {
	// REST-06: no request, AADB2C90194 naming the claim and the available claims.
	tests := []struct {
		name string
		env  *profile.Env
		want string
	}{
		{name: "absent", env: newEnv("email", "a@contoso.com", "objectId", "oid-1"),
			want: "AADB2C90194: Claim 'bearerToken' specified for the bearer token is not present in the available claims. Available claims 'objectId, email'."},
		{name: "empty", env: newEnv("email", "a@contoso.com", "bearerToken", ""),
			want: "AADB2C90195: Claim 'bearerToken' specified for the bearer token is null or empty."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := serve(t, nil)
			p := mustNew(t, withInputs(restTP("REST-Bearer", KeyServiceURL, srv.URL, KeyAuthenticationType, "Bearer", KeyUseClaimAsBearerToken, "bearerToken"),
				claim("objectId", ""), claim("bearerToken", ""), claim("email", "")))
			wantServerError(t, p.Call(context.Background(), tt.env), tt.want, ErrBearerClaim)
			f.wantAttempts(t, 0)
		})
	}
}

func TestKeysMissingAtRunTime(t *testing.T) {
	tests := []struct {
		name string
		env  func(*profile.Env)
		want string
	}{
		{name: "no key store", env: func(e *profile.Env) { e.Keys = nil }, want: "AADB2C90130: The key container in tenant 'contoso.onmicrosoft.com' with storageReferenceId 'B2C_1A_RestUser' does not exist."},
		{name: "container absent", env: func(*profile.Env) {}, want: "AADB2C90130: The key container in tenant 'contoso.onmicrosoft.com' with storageReferenceId 'B2C_1A_RestUser' does not exist."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := serve(t, nil)
			p := mustNew(t, withKeys(restTP("REST-Basic", KeyServiceURL, srv.URL, KeyAuthenticationType, "Basic"), KeyBasicUsername, "B2C_1A_RestUser", KeyBasicPassword, "B2C_1A_RestPass"))
			env := newEnv()
			tt.env(env)
			wantServerError(t, p.Call(context.Background(), env), tt.want, nil)
			f.wantAttempts(t, 0)
		})
	}
}

func TestClaimResolvers(t *testing.T) {
	// REST-07/UJ-11: resolvers resolve only with IncludeClaimResolvingInClaimsHandling
	// and AlwaysUseDefaultValue; otherwise the literal goes out.
	inputs := []policy.ClaimRef{
		withDefault(claim("userLanguage", "lcid"), "{Culture:LCID}", true),
		withDefault(claim("correlationId", ""), "{Context:CorrelationId}", true),
		withDefault(claim("policy", ""), "{Policy:PolicyId}", true),
		withDefault(claim("clientId", ""), "{OIDC:ClientId}", true),
		withDefault(claim("campaign", ""), "{OAUTH-KV:campaignId}", true),
		withDefault(claim("notAlways", ""), "{Culture:LCID}", false),
	}
	tests := []struct {
		name    string
		include string
		want    string
	}{
		{name: "resolved", include: "true",
			want: `{"lcid":"1033","correlationId":"11111111-2222-3333-4444-555555555555","policy":"B2C_1A_signup_signin","clientId":"app-1","campaign":"spring","notAlways":"{Culture:LCID}"}`},
		{name: "literal without IncludeClaimResolvingInClaimsHandling", include: "false",
			want: `{"lcid":"{Culture:LCID}","correlationId":"{Context:CorrelationId}","policy":"{Policy:PolicyId}","clientId":"{OIDC:ClientId}","campaign":"{OAUTH-KV:campaignId}","notAlways":"{Culture:LCID}"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := serve(t, nil)
			p := mustNew(t, withInputs(restTP("REST-Resolvers", KeyServiceURL, srv.URL, KeyAuthenticationType, "None", KeyIncludeClaimResolving, tt.include), inputs...))
			env := newEnv()
			env.Resolver.Request = map[string][]string{"client_id": {"app-1"}, "campaignId": {"spring"}}
			if err := p.Call(context.Background(), env); err != nil {
				t.Fatalf("Call: %v", err)
			}
			if got := f.last(t).Body; got != tt.want {
				t.Errorf("body:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
	t.Run("unsupported resolver", func(t *testing.T) {
		f, srv := serve(t, nil)
		p := mustNew(t, withInputs(restTP("REST-Resolvers", KeyServiceURL, srv.URL, KeyAuthenticationType, "None", KeyIncludeClaimResolving, "true"),
			withDefault(claim("x", ""), "id-{Context:Nope}", true)))
		wantServerError(t, p.Call(context.Background(), newEnv()), "AADB2C90044: The claim 'Nope' is not supported by the claim resolver 'Context'.", claims.ErrUnsupportedResolver)
		f.wantAttempts(t, 0)
	})
}

func TestOutputClaims(t *testing.T) {
	// REST-07.
	const flat = `{"name":"Emily Smith","email":"emily@contoso.com","loyaltyNumber":1234,"isNew":false,"balance":1.50,"tags":["a","b"],"nothing":null}`
	const nested = `{"contacts":[{"id":"MAINCONTACT_1","person":{"name":"Emily Smith","loyaltyNumber":1234,"emails":[{"id":"EMAIL_1","email":"email@contoso.com"}]}}],"elements":[{"handle~":{"emailAddress":"e@linkedin.com"}}]}`
	tests := []struct {
		name string
		meta []string // metadata after ServiceUrl and AuthenticationType
		body string
		outs []policy.ClaimRef
		want map[string]any
	}{
		{
			name: "flat", body: flat,
			outs: []policy.ClaimRef{
				claim("displayName", "name"), claim("email", ""), claim("loyaltyNumber", ""), claim("isNew", ""), claim("balance", ""), claim("tags", ""),
				withDefault(claim("loyaltyNumberIsNew", ""), "true", false),
				claim("nothing", ""), claim("untouched", ""),
			},
			want: map[string]any{"displayName": "Emily Smith", "email": "emily@contoso.com", "loyaltyNumber": "1234", "isNew": "false", "balance": "1.50",
				"tags": []string{"a", "b"}, "loyaltyNumberIsNew": "true", "untouched": "before"},
		},
		{
			name: "nested, dot and bracket paths", meta: []string{KeyResolveJSONPaths, "true"}, body: nested,
			outs: []policy.ClaimRef{
				claim("displayName", "contacts.0.person.name"),
				claim("email", "contacts[0].person.emails[0].email"),
				claim("loyaltyNumber", "contacts.0.person.loyaltyNumber"),
				claim("linkedInEmail", "elements[0].handle~.emailAddress"),
				withDefault(claim("missing", "contacts.1.person.name"), "none", false),
			},
			want: map[string]any{"displayName": "Emily Smith", "email": "email@contoso.com", "loyaltyNumber": "1234", "linkedInEmail": "e@linkedin.com", "missing": "none", "untouched": "before"},
		},
		{
			name: "paths off: a path is a member name", body: nested,
			outs: []policy.ClaimRef{claim("displayName", "contacts.0.person.name"), withDefault(claim("email", "contacts[0].person.emails[0].email"), "default", false)},
			want: map[string]any{"email": "default", "untouched": "before"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := serve(t, always(http.StatusOK, tt.body))
			p := mustNew(t, withOutputs(restTP("REST-Out", append([]string{KeyServiceURL, srv.URL, KeyAuthenticationType, "None"}, tt.meta...)...), tt.outs...))
			env := newEnv("untouched", "before")
			if err := p.Call(context.Background(), env); err != nil {
				t.Fatalf("Call: %v", err)
			}
			got := map[string]any{}
			for _, k := range env.Claims.Keys() {
				got[k], _ = env.Claims.Value(k)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("claims:\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestInvalidSuccessResponse(t *testing.T) {
	// REST-14: a 2xx that is not a JSON object fails the step, not retried.
	tests := []struct {
		name        string
		contentType string
		body        string
		meta        []string
		want        string
	}{
		{name: "text", contentType: "text/plain", body: "OK",
			want: "AADB2C90273: An invalid response was received : 'Error: the restful service returned a body that is not a JSON object'"},
		{name: "empty", contentType: "application/json", body: "",
			want: "AADB2C90273: An invalid response was received : 'Error: the restful service returned a body that is not a JSON object'"},
		{name: "array", contentType: "application/json", body: `[{"name":"x"}]`,
			want: "AADB2C90273: An invalid response was received : 'Error: the restful service returned a body that is not a JSON object'"},
		{name: "DefaultUserMessageIfRequestFailed", contentType: "text/html", body: "<html></html>", meta: []string{KeyDefaultUserMessageIfRequestFailed, "Cannot process your request right now."},
			want: "Cannot process your request right now."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := serve(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Content-Type", tt.contentType)
				_, _ = w.Write([]byte(tt.body))
			})
			p := mustNew(t, withOutputs(restTP("REST-Garbage", append([]string{KeyServiceURL, srv.URL, KeyAuthenticationType, "None"}, tt.meta...)...), claim("name", "")))
			wantServerError(t, p.Call(context.Background(), newEnv()), tt.want, ErrInvalidResponse)
			f.wantAttempts(t, 1)
		})
	}
}

func TestErrorContract(t *testing.T) {
	// REST-08..10: a 4xx with version, status 409 and userMessage is a UserError.
	const contract = `{"version":"1.0.1","status":409,"code":"API12345","requestId":"req-1","userMessage":"The loyalty number is invalid.","developerMessage":"Verbose","moreInfo":"https://contoso.com/help"}`
	tests := []struct {
		name   string
		status int
		body   string
		meta   []string // metadata after ServiceUrl and AuthenticationType
		want   profile.UserError
	}{
		{name: "409", status: http.StatusConflict, body: contract,
			want: profile.UserError{UserMessage: "The loyalty number is invalid.", Code: "API12345", RequestID: "req-1", DeveloperMessage: "Verbose", MoreInfo: "https://contoso.com/help", HTTPStatus: 409, Version: "1.0.1", ProfileID: "REST-Validate"}},
		{name: "400 with body status 409", status: http.StatusBadRequest, body: contract,
			want: profile.UserError{UserMessage: "The loyalty number is invalid.", Code: "API12345", RequestID: "req-1", DeveloperMessage: "Verbose", MoreInfo: "https://contoso.com/help", HTTPStatus: 400, Version: "1.0.1", ProfileID: "REST-Validate"}},
		{name: "DebugMode", status: http.StatusConflict, body: contract, meta: []string{KeyDebugMode, "true"},
			want: profile.UserError{UserMessage: "The loyalty number is invalid.", Code: "API12345", RequestID: "req-1", DeveloperMessage: "Verbose", MoreInfo: "https://contoso.com/help", HTTPStatus: 409, Version: "1.0.1", ProfileID: "REST-Validate", Debug: true}},
		{name: "required fields only, status as a string", status: http.StatusConflict, body: `{"version":"1.0.0","status":"409","userMessage":"No."}`,
			want: profile.UserError{UserMessage: "No.", HTTPStatus: 409, Version: "1.0.0", ProfileID: "REST-Validate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := serve(t, always(tt.status, tt.body))
			p := mustNew(t, restTP("REST-Validate", append([]string{KeyServiceURL, srv.URL, KeyAuthenticationType, "None"}, tt.meta...)...))
			err := p.Call(context.Background(), newEnv())
			var ue *profile.UserError
			if !errors.As(err, &ue) {
				t.Fatalf("want a *profile.UserError, got %T: %v", err, err)
			}
			if *ue != tt.want {
				t.Errorf("user error:\n got %+v\nwant %+v", *ue, tt.want)
			}
			f.wantAttempts(t, 1)
		})
	}
}

func TestClientErrorWithoutContract(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		auth        string
		meta        []string
		want        string
		wantErr     error
	}{
		{name: "body status is not 409", status: http.StatusBadRequest, contentType: "application/json", body: `{"version":"1.0.0","status":400,"userMessage":"No James allowed"}`,
			want: "AADB2C90075: The claims exchange 'REST-4xx' specified in step 'n/a' returned HTTP error response with Code 'BadRequest' and Reason 'Bad Request'."},
		{name: "HTML 404", status: http.StatusNotFound, contentType: "text/html", body: `<h1>Not here</h1>`,
			want: "AADB2C90075: The claims exchange 'REST-4xx' specified in step 'n/a' returned HTTP error response with Code 'NotFound' and Reason 'Not Found'."},
		{name: "empty 409", status: http.StatusConflict,
			want: "AADB2C90075: The claims exchange 'REST-4xx' specified in step 'n/a' returned HTTP error response with Code 'Conflict' and Reason 'Conflict'."},
		{name: "broken JSON", status: http.StatusConflict, contentType: "application/json", body: `{"version":"1.0.0","status":409,`,
			want: "AADB2C90261: The claims exchange 'REST-4xx' specified in step 'n/a' returned HTTP error response that could not be parsed.", wantErr: ErrErrorContract},
		{name: "status 409 without userMessage", status: http.StatusConflict, contentType: "application/json", body: `{"version":"1.0.0","status":409,"message":"x"}`,
			want: "AADB2C90261: The claims exchange 'REST-4xx' specified in step 'n/a' returned HTTP error response that could not be parsed.", wantErr: ErrErrorContract},
		{name: "status 409 without version", status: http.StatusBadRequest, contentType: "application/json", body: `{"status":409,"userMessage":"x"}`,
			want: "AADB2C90261: The claims exchange 'REST-4xx' specified in step 'n/a' returned HTTP error response that could not be parsed.", wantErr: ErrErrorContract},
		{name: "401 with Basic", status: http.StatusUnauthorized, contentType: "application/json", body: `{"error":"unauthorized"}`, auth: "Basic",
			want: "AADB2C90027: Basic credentials specified for 'REST-4xx' are invalid. Check that the credentials are correct and that access has been granted by the resource."},
		{name: "403 with Basic", status: http.StatusForbidden, auth: "Basic",
			want: "AADB2C90027: Basic credentials specified for 'REST-4xx' are invalid. Check that the credentials are correct and that access has been granted by the resource."},
		{name: "401 with Bearer", status: http.StatusUnauthorized, auth: "Bearer",
			want: "AADB2C90075: The claims exchange 'REST-4xx' specified in step 'n/a' returned HTTP error response with Code 'Unauthorized' and Reason 'Unauthorized'."},
		{name: "DefaultUserMessageIfRequestFailed", status: http.StatusNotFound, meta: []string{KeyDefaultUserMessageIfRequestFailed, "Sorry, {0} failed."},
			want: "Sorry, <url> failed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := serve(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			auth := tt.auth
			if auth == "" {
				auth = "None"
			}
			tp := restTP("REST-4xx", append([]string{KeyServiceURL, srv.URL, KeyAuthenticationType, auth}, tt.meta...)...)
			withKeys(tp, KeyBasicUsername, "B2C_1A_U", KeyBasicPassword, "B2C_1A_P", KeyBearerToken, "B2C_1A_T")
			p := mustNew(t, tp)
			env := newEnv()
			env.Keys.SetSecret("B2C_1A_U", []byte("u"))
			env.Keys.SetSecret("B2C_1A_P", []byte("p"))
			env.Keys.SetSecret("B2C_1A_T", []byte("t"))
			wantServerError(t, p.Call(context.Background(), env), strings.ReplaceAll(tt.want, "<url>", srv.URL), tt.wantErr)
			f.wantAttempts(t, 1)
		})
	}
}

func TestRetries(t *testing.T) {
	// REST-13: 5xx is retried, three attempts in all; 2xx and 4xx are not.
	const internal = "AADB2C90075: The claims exchange 'REST-Retry' specified in step 'n/a' returned HTTP error response with Code 'InternalServerError' and Reason 'Internal Server Error'."
	tests := []struct {
		name         string
		answer       func(http.ResponseWriter, *http.Request, int)
		meta         []string
		wantAttempts int32
		wantMessage  string // empty: success
		wantClaim    string
	}{
		{name: "500 then 200", wantAttempts: 2, wantClaim: "second",
			answer: func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 1 {
					writeJSON(w, http.StatusInternalServerError, `{}`)
					return
				}
				writeJSON(w, http.StatusOK, `{"result":"second"}`)
			}},
		{name: "503, 502 then 200", wantAttempts: 3, wantClaim: "third",
			answer: func(w http.ResponseWriter, _ *http.Request, n int) {
				switch n {
				case 1:
					writeJSON(w, http.StatusServiceUnavailable, `{}`)
				case 2:
					writeJSON(w, http.StatusBadGateway, `{}`)
				default:
					writeJSON(w, http.StatusOK, `{"result":"third"}`)
				}
			}},
		{name: "three 500s", answer: always(http.StatusInternalServerError, `{"version":"1.0.0","status":409,"userMessage":"not a contract on 5xx"}`), wantAttempts: 3, wantMessage: internal},
		{name: "three 500s with DefaultUserMessageIfRequestFailed", answer: always(http.StatusInternalServerError, ``),
			meta: []string{KeyDefaultUserMessageIfRequestFailed, "Cannot reach {0} now."}, wantAttempts: 3, wantMessage: "Cannot reach <url> now."},
		{name: "a custom reason phrase", wantAttempts: 3,
			answer: func(w http.ResponseWriter, r *http.Request, _ int) {
				hj, ok := w.(http.Hijacker)
				if !ok {
					t.Error("want a hijackable response writer")
					return
				}
				conn, buf, err := hj.Hijack()
				if err != nil {
					t.Error(err)
					return
				}
				defer conn.Close()
				_, _ = buf.WriteString("HTTP/1.1 500 Database Down\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
				_ = buf.Flush()
			},
			wantMessage: "AADB2C90075: The claims exchange 'REST-Retry' specified in step 'n/a' returned HTTP error response with Code 'InternalServerError' and Reason 'Database Down'."},
		{name: "200 first", answer: always(http.StatusOK, `{"result":"first"}`), wantAttempts: 1, wantClaim: "first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := serve(t, tt.answer)
			p := mustNew(t, withOutputs(restTP("REST-Retry", append([]string{KeyServiceURL, srv.URL, KeyAuthenticationType, "None"}, tt.meta...)...), claim("result", "")))
			env := newEnv()
			err := p.Call(context.Background(), env)
			f.wantAttempts(t, tt.wantAttempts)
			if tt.wantMessage == "" {
				if err != nil {
					t.Fatalf("Call: %v", err)
				}
				if got, _ := env.Claims.Get("result"); got != tt.wantClaim {
					t.Errorf("claim result: got %q, want %q", got, tt.wantClaim)
				}
				return
			}
			wantServerError(t, err, strings.ReplaceAll(tt.wantMessage, "<url>", srv.URL), nil)
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != http.StatusInternalServerError || se.Attempts != 3 {
				t.Errorf("want a StatusError 500 after 3 attempts as the cause, got %v", err)
			}
		})
	}
}

func TestTimeouts(t *testing.T) {
	// REST-12: each attempt is bounded by RESTTimeout; three attempts, then the
	// timeout message with the seconds and the URL.
	tests := []struct {
		name string
		meta []string
		want string
	}{
		{name: "default message", want: "Failed to establish connection to restful service end point within timeout limit 0.1 seconds. Restful service URL: <url>"},
		{name: "UserMessageIfRequestTimeout", meta: []string{KeyUserMessageIfRequestTimeout, "Too slow ({0} s) for {1}", KeyDefaultUserMessageIfRequestFailed, "Not this one"},
			want: "Too slow (0.1 s) for <url>"},
		{name: "falls back to DefaultUserMessageIfRequestFailed", meta: []string{KeyDefaultUserMessageIfRequestFailed, "Please try again later."},
			want: "Please try again later."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := serve(t, block)
			p := mustNew(t, restTP("REST-Slow", append([]string{KeyServiceURL, srv.URL + "/slow", KeyAuthenticationType, "None"}, tt.meta...)...))
			env := newEnv()
			env.RESTTimeout = 100 * time.Millisecond
			wantServerError(t, p.Call(context.Background(), env), strings.ReplaceAll(tt.want, "<url>", srv.URL+"/slow"), ErrTimeout)
			f.wantAttempts(t, MaxAttempts)
		})
	}
}

func TestConnectionFailures(t *testing.T) {
	// A closed port: refused, three attempts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/api"
	ln.Close()

	tests := []struct {
		name    string
		url     string
		meta    []string
		want    string
		wantErr error
	}{
		{name: "refused", url: refused, wantErr: ErrUnreachable,
			want: "Failed to establish connection to restful service end point. Restful service URL: " + refused},
		{name: "refused with UserMessageIfCircuitOpen", url: refused, wantErr: ErrUnreachable,
			meta: []string{KeyUserMessageIfCircuitOpen, "The service is down.", KeyDefaultUserMessageIfRequestFailed, "Not this one"},
			want: "The service is down."},
		{name: "refused with DefaultUserMessageIfRequestFailed", url: refused, wantErr: ErrUnreachable,
			meta: []string{KeyDefaultUserMessageIfRequestFailed, "Try later."},
			want: "Try later."},
		{name: "DNS", url: "http://rest.iefconform.invalid/api", wantErr: ErrDNS,
			want: "Failed to resolve the hostname of the restful service endpoint. Restful service URL: http://rest.iefconform.invalid/api"},
		{name: "DNS with UserMessageIfDnsResolutionFailed", url: "http://rest.iefconform.invalid/api", wantErr: ErrDNS,
			meta: []string{KeyUserMessageIfDNSResolutionFailed, "Unknown host {0}"},
			want: "Unknown host http://rest.iefconform.invalid/api"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustNew(t, restTP("REST-Down", append([]string{KeyServiceURL, tt.url, KeyAuthenticationType, "None"}, tt.meta...)...))
			var dials atomic.Int32
			env := newEnv()
			env.HTTP = countingDialer(&dials, nil)
			wantServerError(t, p.Call(context.Background(), env), tt.want, tt.wantErr)
			if n := dials.Load(); n != MaxAttempts {
				t.Errorf("connection attempts: got %d, want %d", n, MaxAttempts)
			}
		})
	}

	t.Run("closed before a response", func(t *testing.T) {
		f, srv := serve(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close()
		})
		p := mustNew(t, restTP("REST-Drop", KeyServiceURL, srv.URL, KeyAuthenticationType, "None"))
		wantServerError(t, p.Call(context.Background(), newEnv()), "Failed to establish connection to restful service end point. Restful service URL: "+srv.URL, ErrConnection)
		f.wantAttempts(t, MaxAttempts)
	})
}

func TestCanceledContextStopsRetries(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f, srv := serve(t, func(_ http.ResponseWriter, r *http.Request, _ int) {
		cancel()
		<-r.Context().Done()
	})
	p := mustNew(t, restTP("REST-Cancel", KeyServiceURL, srv.URL, KeyAuthenticationType, "None"))
	err := p.Call(ctx, newEnv())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("want context.Canceled, got %v", err)
	}
	var pe *profile.Error
	if errors.As(err, &pe) {
		t.Errorf("want the cancellation itself, not a B2C error, got %v", pe)
	}
	f.wantAttempts(t, 1)
}

func TestNilEnvFields(t *testing.T) {
	f, srv := serve(t, always(http.StatusOK, `{"x":"1"}`))
	p := mustNew(t, withInputs(restTP("REST-Nil", KeyServiceURL, srv.URL, KeyAuthenticationType, "None", KeyIncludeClaimResolving, "true"),
		withDefault(claim("lcid", ""), "{Culture:LCID}", true)))
	t.Run("nil env", func(t *testing.T) {
		if err := p.Call(context.Background(), nil); err == nil {
			t.Error("want an error, got nil")
		}
	})
	t.Run("only claims", func(t *testing.T) {
		env := &profile.Env{Claims: claims.NewBag()}
		if err := p.Call(context.Background(), env); err != nil {
			t.Fatalf("Call: %v", err)
		}
		if got := f.last(t).Body; got != `{"lcid":"{Culture:LCID}"}` {
			t.Errorf("without a resolver the literal goes out: got %s", got)
		}
	})
	t.Run("no claims bag", func(t *testing.T) {
		if err := p.Call(context.Background(), &profile.Env{}); err != nil {
			t.Fatalf("Call without output claims: %v", err)
		}
		po := mustNew(t, withOutputs(restTP("REST-Nil", KeyServiceURL, srv.URL, KeyAuthenticationType, "None"), claim("x", "")))
		if err := po.Call(context.Background(), &profile.Env{}); !errors.Is(err, ErrNoClaimsBag) {
			t.Errorf("want ErrNoClaimsBag, got %v", err)
		}
	})
}

func TestInvalidHeaderValue(t *testing.T) {
	f, srv := serve(t, nil)
	p := mustNew(t, withInputs(restTP("REST-Header", KeyServiceURL, srv.URL, KeyAuthenticationType, "None", KeySendClaimsIn, "Header"), claim("name", "x-name")))
	err := p.Call(context.Background(), newEnv("name", "Eve\r\nX-Admin: true"))
	wantServerError(t, err, "Failed to establish connection to restful service end point. Restful service URL: "+srv.URL, ErrRequest)
	f.wantAttempts(t, 0)
}
