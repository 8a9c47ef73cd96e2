package server

import (
	"errors"
	"strings"
	"testing"
)

func TestReadApplications(t *testing.T) {
	yamlFile := `
applications:
  - clientId: web-app
    displayName: Contoso web
    redirectUris: [https://app.contoso.com/signin-oidc, http://localhost:5000/signin-oidc]
    secrets: [s1, s2]
    allowImplicitFlow: true
    permissions: [https://contoso.onmicrosoft.com/api/read]
  - clientId: api
    identifierUri: https://contoso.onmicrosoft.com/api
    scopes: [read, write]
  - clientId: spa
    public: true
    redirectUris: [http://localhost:3000]
`
	apps, err := ReadApplications(strings.NewReader(yamlFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 3 || !apps[0].secretValid("s2") || apps[0].secretValid("s3") || !apps[2].Public || apps[1].Scopes[1] != "write" {
		t.Fatalf("apps %+v", apps)
	}
	jsonFile := `{"applications": [{"clientId": "a", "redirectUris": ["https://a.example/cb"], "secret": "x"}]}`
	if apps, err := ReadApplications(strings.NewReader(jsonFile)); err != nil || len(apps) != 1 {
		t.Fatalf("JSON: %v %+v", err, apps)
	}
	for name, tt := range map[string]struct{ file, want string }{
		"unknown field":   {`applications: [{clientId: a, redirectURIs: [https://a/cb]}]`, "field redirectURIs not found"},
		"no client id":    {`applications: [{redirectUris: [https://a/cb]}]`, "applications[0]: clientId is empty"},
		"twice":           {`applications: [{clientId: a}, {clientId: A}]`, "applications[1] (A): the clientId is registered twice"},
		"http beyond":     {`applications: [{clientId: a, redirectUris: ["http://app.example/cb"]}]`, "http is allowed for localhost only"},
		"relative":        {`applications: [{clientId: a, redirectUris: ["/cb"]}]`, "not an absolute URI"},
		"fragment":        {`applications: [{clientId: a, redirectUris: ["https://a.example/cb#x"]}]`, "no fragment"},
		"public secret":   {`applications: [{clientId: a, public: true, secret: x}]`, "a public client has no secret"},
		"api no scopes":   {`applications: [{clientId: a, identifierUri: "https://c/api"}]`, "needs both identifierUri and scopes"},
		"unknown api":     {`applications: [{clientId: a, permissions: ["https://c/api/read"]}]`, "is no scope of a registered API"},
		"script scheme":   {`applications: [{clientId: a, redirectUris: ["javascript:alert(1)"]}]`, "a scheme that runs script"},
		"not YAML at all": {"applications: [", "yaml"},
	} {
		_, err := ReadApplications(strings.NewReader(tt.file))
		if !errors.Is(err, ErrApplications) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", name, err, tt.want)
		}
	}
}

func TestParseApplication(t *testing.T) {
	a, err := ParseApplication("client_id=my-app,redirect_uri=http://localhost:8000/cb,redirect_uri=https://my.example/cb,secret=s,implicit,name=Mine")
	if err != nil {
		t.Fatal(err)
	}
	if a.ClientID != "my-app" || len(a.RedirectURIs) != 2 || !a.secretValid("s") || !a.AllowImplicitFlow || a.DisplayName != "Mine" {
		t.Fatalf("%+v", a)
	}
	for _, bad := range []string{"redirect_uri=https://a/cb", "client_id=a,colour=red", "client_id=a,public,secret=s"} {
		if _, err := ParseApplication(bad); !errors.Is(err, ErrApplications) {
			t.Errorf("%q: got %v", bad, err)
		}
	}
}

func TestAuthenticateClient(t *testing.T) {
	s := &Server{tenant: DefaultTenant, apps: map[string]Application{
		"web": {ClientID: "web", Secrets: []string{"s1", "s2"}},
		"spa": {ClientID: "spa", Public: true},
	}}
	for _, tt := range []struct{ client, secret, code string }{
		{"web", "s2", ""},
		{"web", "", "AADB2C90079"},
		{"web", "nope", "AADB2C90081"},
		{"spa", "", ""},
		{"spa", "s1", "AADB2C90084"},
		{"other", "", "AADB2C90018"},
	} {
		got := s.authenticateClient(tt.client, tt.secret)
		if (got == nil) != (tt.code == "") || (got != nil && got.Code != tt.code) {
			t.Errorf("%s/%q: %+v, want %q", tt.client, tt.secret, got, tt.code)
		}
	}
}
