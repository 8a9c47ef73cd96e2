package oauth2_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/iefconform/iefconform/mocks/internal/kittest"
	"github.com/iefconform/iefconform/mocks/oauth2"
)

func TestLoadConfig(t *testing.T) {
	kittest.EachFile(t, oauth2.LoadConfig, func(t *testing.T, cfg oauth2.Config) {
		if len(cfg.Clients) != 2 || cfg.Clients[0].ID != "b2c-app" || cfg.Clients[0].Secret != "app-secret" ||
			!reflect.DeepEqual(cfg.Clients[0].RedirectURIs, []string{"https://contoso.b2clogin.com/contoso.onmicrosoft.com/oauth2/authresp"}) ||
			cfg.Clients[1].RedirectURIs != nil {
			t.Errorf("clients = %+v", cfg.Clients)
		}
		if cfg.CodeTTL != oauth2.Duration(30*time.Second) || cfg.TokenTTL != oauth2.Duration(2*time.Hour) || !cfg.AllowTokenGET {
			t.Errorf("codeTTL/tokenTTL/allowTokenGet = %s/%s/%v", cfg.CodeTTL, cfg.TokenTTL, cfg.AllowTokenGET)
		}
		if len(cfg.Users) != 1 {
			t.Fatalf("users = %+v", cfg.Users)
		}
		// the claims endpoint writes the same JSON whichever format the file was in
		kittest.WantJSON(t, cfg.Users[0].Claims, `{"age":42,"email":"alice@example.com","first_name":"Alice","id":"1001","languages":[{"id":"1","name":"English"}],"picture":{"data":{"url":"https://example.com/alice.png"}}}`)
		if _, err := oauth2.New(cfg); err != nil {
			t.Errorf("New(loaded config): %v", err)
		}
	}, "testdata/config.yaml", "testdata/config.json")
}

func TestLoadConfigErrors(t *testing.T) {
	kittest.CheckLoadErrors(t, oauth2.LoadConfig,
		kittest.LoadError{File: "testdata/unknown-key.yaml", Want: []string{"redirectUri"}},
		kittest.LoadError{File: "testdata/bad-duration.json", Want: []string{`want a string such as "60s"`}},
		kittest.LoadError{File: "testdata/invalid.yaml", Invalid: true, Want: []string{"invalid oauth2 config"}},
	)
}

func TestValidateListsEveryProblem(t *testing.T) {
	cfg, err := oauth2.LoadConfig("testdata/invalid.yaml")
	kittest.WantExactProblems(t, err, []string{
		"clients[0]: id is empty",
		"clients[0]: secret is empty",
		`clients[1]: redirectURIs[0]: want an absolute URI, got "/relative"`,
		`clients[1]: redirectURIs[1]: want a URI without fragment, got "https://x.example/cb#frag"`,
		`clients[2]: duplicate id "dup" (first at clients[1])`,
		"users[0]: username is empty",
		"users[2]: password is empty: a user without one would sign in with an empty password",
		`users[2]: duplicate username "bob" (first at users[1])`,
		"codeTTL: want zero (default 1m0s) or positive, got -1s",
		"tokenTTL: want zero (default 1h0m0s) or positive, got -5m0s",
	})
	if _, err := oauth2.New(cfg); !errors.Is(err, oauth2.ErrInvalidConfig) {
		t.Errorf("New(invalid) = %v, want ErrInvalidConfig", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     oauth2.Config
		wantErr string
	}{
		{"empty is valid", oauth2.Config{}, ""},
		{"test config", testConfig(), ""},
		{"claims not JSON", oauth2.Config{Users: []oauth2.User{{Username: "u", Claims: map[string]any{"c": make(chan int)}}}},
			"users[0]: claims cannot be written as JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Validate() = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestDurationRoundTrip(t *testing.T) {
	d := oauth2.Duration(90 * time.Second)
	j, err := json.Marshal(d)
	if err != nil || string(j) != `"1m30s"` {
		t.Fatalf("JSON = %s %v", j, err)
	}
	var back oauth2.Duration
	if err := json.Unmarshal(j, &back); err != nil || back != d {
		t.Errorf("JSON round trip = %s %v", back, err)
	}
	y, err := yaml.Marshal(struct {
		D oauth2.Duration `yaml:"d"`
	}{d})
	if err != nil || strings.TrimSpace(string(y)) != "d: 1m30s" {
		t.Fatalf("YAML = %q %v", y, err)
	}
	var yb struct {
		D oauth2.Duration `yaml:"d"`
	}
	if err := yaml.Unmarshal(y, &yb); err != nil || yb.D != d {
		t.Errorf("YAML round trip = %s %v", yb.D, err)
	}
	if err := yaml.Unmarshal([]byte("d: [1]"), &yb); err == nil {
		t.Error("YAML sequence accepted as a duration")
	}
	if err := json.Unmarshal([]byte(`"soon"`), &back); err == nil {
		t.Error(`"soon" accepted as a duration`)
	}
}

func TestResponseJSON(t *testing.T) {
	r := oauth2.Response{Status: 504, ContentType: "text/plain", Body: "x", Delay: 2 * time.Second}
	b, err := json.Marshal(r)
	if err != nil || string(b) != `{"status":504,"contentType":"text/plain","body":"x","delay":"2s"}` {
		t.Fatalf("Response JSON = %s %v", b, err)
	}
	var back oauth2.Response
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("round trip = %+v %v", back, err)
	}
}

// everySwitch is a client with every field set.
func everySwitch(t *testing.T) oauth2.Client {
	return oauth2.Client{
		ID: "every", Secret: "s", RedirectURIs: []string{authresp},
		TokenMethod: oauth2.TokenMethodGET, AuthMethod: oauth2.AuthPrivateKeyJWT,
		PublicKeyPEM:         kittest.ReadFile(t, "testdata/rsa-client.pub"),
		JWKS:                 rsaJWKS(t, "testdata/rsa-client.key", "k1"),
		AssertionAlgs:        []string{"RS256", "PS512"},
		TokenEndpointURL:     "https://idp.example/token",
		TokenResponseFormat:  oauth2.TokenFormatForm,
		TokenExtraParams:     map[string]string{"resource": "https://graph.example", "openid": "1"},
		ClaimsRequiredParams: []string{"resource"},
		ClaimsTokenParam:     "oauth2_access_token",
		ClaimsTokenIn:        oauth2.ClaimsTokenInQuery,
		ClaimsFormatParam:    "format", ClaimsFormatValue: "json",
		ErrorIn200:   "error_message",
		IssueIDToken: true, IDTokenAudience: "api://b2c",
	}
}

func TestClientSwitchesRoundTrip(t *testing.T) {
	cfg := oauth2.Config{Clients: []oauth2.Client{everySwitch(t)}, Issuer: "https://idp.example", AllowTokenGET: true}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	// every field is set, so a field without a tag or with a wrong one shows up as a difference
	if v := reflect.ValueOf(cfg.Clients[0]); slices.ContainsFunc(reflect.VisibleFields(v.Type()), func(f reflect.StructField) bool { return v.FieldByIndex(f.Index).IsZero() }) {
		t.Fatalf("everySwitch leaves a field zero: %+v", cfg.Clients[0])
	}
	t.Run("JSON", func(t *testing.T) {
		b, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{`"tokenMethod":"GET"`, `"authMethod":"private_key_jwt"`, `"publicKeyPEM":`, `"jwks":`, `"assertionAlgs":`,
			`"tokenEndpointURL":`, `"tokenResponseFormat":"form"`, `"tokenExtraParams":`, `"claimsRequiredParams":`, `"claimsTokenParam":`,
			`"claimsTokenIn":"query"`, `"claimsFormatParam":"format"`, `"claimsFormatValue":"json"`, `"errorIn200":"error_message"`,
			`"issueIDToken":true`, `"idTokenAudience":"api://b2c"`, `"issuer":`} {
			if !strings.Contains(string(b), key) {
				t.Errorf("JSON lacks %s:\n%s", key, b)
			}
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		var back oauth2.Config
		if err := dec.Decode(&back); err != nil || !reflect.DeepEqual(back, cfg) {
			t.Errorf("JSON round trip: %v\n got %+v\nwant %+v", err, back, cfg)
		}
	})
	t.Run("YAML", func(t *testing.T) {
		b, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		var back oauth2.Config
		if err := dec.Decode(&back); err != nil || !reflect.DeepEqual(back, cfg) {
			t.Errorf("YAML round trip: %v\n got %+v\nwant %+v\n%s", err, back, cfg, b)
		}
	})
	t.Run("admin API", func(t *testing.T) {
		e := newEnv(t, testConfig())
		b, _ := json.Marshal(cfg.Clients[0])
		if r := e.Admin("PUT", "/_admin/clients", string(b)); r.StatusCode != http.StatusNoContent {
			t.Fatalf("PUT clients: %d %s", r.StatusCode, r.Text)
		}
		r := e.Admin("GET", "/_admin/config?secrets=true", "")
		var got oauth2.Config
		if err := json.Unmarshal([]byte(r.Text), &got); err != nil {
			t.Fatal(err)
		}
		if last := got.Clients[len(got.Clients)-1]; !reflect.DeepEqual(last, cfg.Clients[0]) {
			t.Errorf("client through the admin API:\n got %+v\nwant %+v", last, cfg.Clients[0])
		}
		bad := `{"id":"x","secret":"s","authMethod":"client_secret_jwt","claimsTokenIn":"body"}`
		m := wantOAuthError(t, e.Admin("PUT", "/_admin/clients", bad), http.StatusBadRequest, "invalid_request")
		if d := m["error_description"].(string); !strings.Contains(d, "authMethod") || !strings.Contains(d, "claimsTokenIn") {
			t.Errorf("description = %q, want both problems", d)
		}
	})
	t.Run("copies", func(t *testing.T) {
		e := newEnv(t, cfg)
		cs := e.Srv.Clients()
		cs[0].TokenExtraParams["resource"] = "changed"
		cs[0].AssertionAlgs[0] = "changed"
		cs[0].ClaimsRequiredParams[0] = "changed"
		if again := e.Srv.Clients()[0]; !reflect.DeepEqual(again, cfg.Clients[0]) {
			t.Errorf("Clients returned shared maps or slices: %+v", again)
		}
	})
}

func TestLoadSwitchesConfig(t *testing.T) {
	cfg, err := oauth2.LoadConfig("testdata/switches.yaml")
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	byID := map[string]oauth2.Client{}
	for _, c := range cfg.Clients {
		byID[c.ID] = c
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"facebook tokenMethod", byID["facebook-app"].TokenMethod, "GET"},
		{"facebook tokenResponseFormat", byID["facebook-app"].TokenResponseFormat, "form"},
		{"linkedin authMethod", byID["linkedin-app"].AuthMethod, "client_secret_basic"},
		{"linkedin claimsTokenIn", byID["linkedin-app"].ClaimsTokenIn, "header"},
		{"github errorIn200", byID["github-app"].ErrorIn200, "error_message"},
		{"amazon claimsTokenParam", byID["amazon-app"].ClaimsTokenParam, "oauth2_access_token"},
		{"amazon format", byID["amazon-app"].ClaimsFormatParam + "=" + byID["amazon-app"].ClaimsFormatValue, "format=json"},
		{"enterprise publicKeyPEM", byID["enterprise-app"].PublicKeyPEM, kittest.ReadFile(t, "testdata/rsa-client.pub")},
		{"enterprise extras", byID["enterprise-app"].TokenExtraParams, map[string]string{"resource": "https://graph.contoso.example"}},
		{"enterprise id_token", byID["enterprise-app"].IssueIDToken, true},
		{"issuer", cfg.Issuer, "https://idp.contoso.example"},
		{"baseURL", cfg.BaseURL, "https://idp.contoso.example/oauth2"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if _, err := oauth2.New(cfg); err != nil {
		t.Errorf("New(loaded config): %v", err)
	}
}

func TestValidateListsEverySwitchProblem(t *testing.T) {
	_, err := oauth2.LoadConfig("testdata/invalid-switches.yaml")
	algs := "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512"
	want := []string{
		`clients[0]: tokenMethod: want POST or GET, got "PUT"`,
		`clients[0]: authMethod: want client_secret_post, client_secret_basic or private_key_jwt, got "client_secret_jwt"`,
		`clients[0]: tokenResponseFormat: want json or form, got "xml"`,
		`clients[0]: claimsTokenIn: want query, header or any, got "body"`,
		`clients[0]: errorIn200: want a parameter other than "error", which carries the code`,
		`clients[0]: idTokenAudience is set but issueIDToken is false`,
		`clients[1]: authMethod private_key_jwt needs publicKeyPEM or jwks`,
		`clients[2]: publicKeyPEM: want PEM blocks (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----) and nothing else`,
		`clients[2]: assertionAlgs[0]: want one of ` + algs + `, got "HS256"`,
		`clients[2]: assertionAlgs[1]: want one of ` + algs + `, got "none"`,
		`clients[2]: tokenEndpointURL: want an absolute URL, got "/token"`,
		`clients[3]: jwks: the key set has no keys`,
		`clients[3]: tokenExtraParams: "access_token" is a member the server writes itself`,
		`clients[3]: tokenExtraParams: "error_message" is the errorIn200 parameter`,
		`clients[3]: claimsRequiredParams[1]: "openid" is not in tokenExtraParams`,
		`clients[3]: claimsRequiredParams[2]: duplicate "resource" (first at claimsRequiredParams[0])`,
		`clients[3]: claimsFormatParam "format" is set without claimsFormatValue`,
		`clients[4]: claimsFormatValue "json" is set without claimsFormatParam`,
		`clients[4]: claimsRequiredParams: "resource" is also the access token parameter`,
		`clients[5]: assertionAlgs[0]: no registered key can verify ES256`,
		`issuer: want an absolute URL, got "not-a-url"`,
		`baseURL: want an absolute http or https URL without query or fragment, such as http://127.0.0.1:8081, got "https://idp.example/?x=1"`,
	}
	kittest.WantExactProblems(t, err, want)
}

func TestValidateKeys(t *testing.T) {
	pub := kittest.ReadFile(t, "testdata/rsa-client.pub")
	tests := []struct {
		name    string
		client  oauth2.Client
		wantErr string
	}{
		{"PEM public key", oauth2.Client{ID: "a", AuthMethod: "private_key_jwt", PublicKeyPEM: pub}, ""},
		{"PEM certificate", oauth2.Client{ID: "a", AuthMethod: "private_key_jwt", PublicKeyPEM: kittest.ReadFile(t, "testdata/rsa-client.crt")}, ""},
		{"two PEM keys", oauth2.Client{ID: "a", AuthMethod: "private_key_jwt", PublicKeyPEM: pub + pub}, ""},
		{"private key instead of public", oauth2.Client{ID: "a", AuthMethod: "private_key_jwt", PublicKeyPEM: kittest.ReadFile(t, "testdata/rsa-client.key")},
			"publicKeyPEM: block 0: want PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE, got PRIVATE KEY"},
		{"corrupt PEM body", oauth2.Client{ID: "a", AuthMethod: "private_key_jwt", PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"},
			"publicKeyPEM: block 0 (PUBLIC KEY)"},
		{"PEM then garbage", oauth2.Client{ID: "a", AuthMethod: "private_key_jwt", PublicKeyPEM: pub + "garbage"}, "publicKeyPEM: want PEM blocks"},
		{"JWKS not JSON", oauth2.Client{ID: "a", AuthMethod: "private_key_jwt", JWKS: "{"}, "jwks: want a JSON Web Key Set"},
		{"JWKS oct key", oauth2.Client{ID: "a", AuthMethod: "private_key_jwt", JWKS: `{"keys":[{"kty":"oct","k":"AAAA"}]}`}, `jwks: keys[0]: want kty RSA or EC, got "oct"`},
		{"JWKS short RSA key", oauth2.Client{ID: "a", AuthMethod: "private_key_jwt", JWKS: `{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`}, "jwks: keys[0]: RSA key: want a modulus of at least 1024 bits"},
		{"JWKS EC point off the curve", oauth2.Client{ID: "a", AuthMethod: "private_key_jwt",
			JWKS: `{"keys":[{"kty":"EC","crv":"P-256","x":"` + strings.Repeat("A", 43) + `","y":"` + strings.Repeat("A", 43) + `"}]}`}, "jwks: keys[0]: EC key"},
		{"private_key_jwt needs no secret, others do", oauth2.Client{ID: "a", AuthMethod: "client_secret_basic"}, "secret is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := oauth2.Config{Clients: []oauth2.Client{tt.client}}.Validate()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Validate() = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
