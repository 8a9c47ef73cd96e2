package oauth2_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/iefconform/iefconform/mocks/oauth2"
)

func TestLoadConfig(t *testing.T) {
	for _, path := range []string{"testdata/config.yaml", "testdata/config.json"} {
		t.Run(path, func(t *testing.T) {
			cfg, err := oauth2.LoadConfig(path)
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
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
			got, err := json.Marshal(cfg.Users[0].Claims)
			if err != nil {
				t.Fatal(err)
			}
			want := `{"age":42,"email":"alice@example.com","first_name":"Alice","id":"1001","languages":[{"id":"1","name":"English"}],"picture":{"data":{"url":"https://example.com/alice.png"}}}`
			if string(got) != want {
				t.Errorf("claims JSON = %s\nwant          %s", got, want)
			}
			if _, err := oauth2.New(cfg); err != nil {
				t.Errorf("New(loaded config): %v", err)
			}
		})
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		path string
		want string
	}{
		{"testdata/missing.yaml", "no such file"},
		{"testdata/config.toml", "want extension .yaml, .yml or .json"},
		{"testdata/unknown-key.yaml", "redirectUri"},
		{"testdata/bad-duration.json", `want a string such as "60s"`},
		{"testdata/invalid.yaml", "invalid oauth2 config"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := oauth2.LoadConfig(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	cfg, err := oauth2.LoadConfig("testdata/invalid.yaml")
	if !errors.Is(err, oauth2.ErrInvalidConfig) {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
	var ce *oauth2.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err is not a *ConfigError: %T", err)
	}
	want := []string{
		"clients[0]: id is empty",
		"clients[0]: secret is empty",
		`clients[1]: redirectURIs[0]: want an absolute URI, got "/relative"`,
		`clients[1]: redirectURIs[1]: want a URI without fragment, got "https://x.example/cb#frag"`,
		`clients[2]: duplicate id "dup" (first at clients[1])`,
		"users[0]: username is empty",
		`users[2]: duplicate username "bob" (first at users[1])`,
		"codeTTL: want zero (default 1m0s) or positive, got -1s",
		"tokenTTL: want zero (default 1h0m0s) or positive, got -5m0s",
	}
	if !reflect.DeepEqual(ce.Problems, want) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(ce.Problems, "\n  "), strings.Join(want, "\n  "))
	}
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
