package extension_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/extension"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*extension.Config)
		want   []string // substrings of the error, one per problem; none = valid
	}{
		{name: "valid", mutate: func(*extension.Config) {}},
		{name: "empty config", mutate: func(c *extension.Config) { *c = extension.Config{} }},
		{name: "defaults are valid", mutate: func(c *extension.Config) { c.Extensions[0].ClientConfiguration = extension.ClientConfiguration{} }},
		{name: "timeout bounds are valid", mutate: func(c *extension.Config) {
			c.Extensions[0].ClientConfiguration.TimeoutInMilliseconds = intp(2000)
			c.Extensions[0].ClientConfiguration.MaximumRetries = intp(0)
		}},
		{
			name:   "timeout below 200",
			mutate: func(c *extension.Config) { c.Extensions[0].ClientConfiguration.TimeoutInMilliseconds = intp(199) },
			want:   []string{"extensions[0].clientConfiguration.timeoutInMilliseconds: want 200 to 2000, got 199"},
		},
		{
			name:   "timeout above 2000",
			mutate: func(c *extension.Config) { c.Extensions[0].ClientConfiguration.TimeoutInMilliseconds = intp(2001) },
			want:   []string{"want 200 to 2000, got 2001"},
		},
		{
			name:   "retries 2",
			mutate: func(c *extension.Config) { c.Extensions[0].ClientConfiguration.MaximumRetries = intp(2) },
			want:   []string{"extensions[0].clientConfiguration.maximumRetries: want 0 or 1, got 2"},
		},
		{
			name: "bad ids everywhere, all reported",
			mutate: func(c *extension.Config) {
				c.Extensions = append(c.Extensions, extension.Extension{ID: extensionID}, extension.Extension{})
				c.Extensions[0].ClaimsForTokenConfiguration = append(c.Extensions[0].ClaimsForTokenConfiguration, extension.ClaimForToken{}, extension.ClaimForToken{ClaimIDInAPIResponse: "DateOfBirth"})
				c.Listeners = append(c.Listeners, extension.Listener{ID: listenerID, AppID: clientAppID}, extension.Listener{})
				c.Listeners[0].ClaimsMapping = append(c.Listeners[0].ClaimsMapping,
					extension.ClaimMapping{},
					extension.ClaimMapping{ID: "DateOfBirth"},
					extension.ClaimMapping{ID: "dateOfBirth"},
					extension.ClaimMapping{ID: "ApiVersion", JwtClaimType: "birthdate"})
				c.Directory.ServicePrincipals = append(c.Directory.ServicePrincipals, extension.ServicePrincipal{}, extension.ServicePrincipal{AppID: clientAppID})
				c.Directory.ConsentGranted = map[string]bool{"": true}
			},
			want: []string{
				`extensions[1].id: duplicate id "` + extensionID + `"`,
				"extensions[2].id: want an id, got none",
				"extensions[0].claimsForTokenConfiguration[3].claimIdInApiResponse: want a claim id, got none",
				`extensions[0].claimsForTokenConfiguration[4].claimIdInApiResponse: duplicate claim id "DateOfBirth"`,
				`listeners[1].id: duplicate id "` + listenerID + `"`,
				`listeners[1].appId: application "` + clientAppID + `" already has listeners[0]`,
				"listeners[1].extensionId: want the id of a custom extension, got none",
				"listeners[2].id: want an id, got none",
				"listeners[2].appId: want the client application's appId, got none",
				"listeners[2].extensionId: want the id of a custom extension, got none",
				"listeners[0].claimsMapping[2].id: want the claim id in the API response, got none",
				`listeners[0].claimsMapping[3].id: duplicate claim id "DateOfBirth"`,
				`listeners[0].claimsMapping[4].id: claim "dateOfBirth" is not in the claimsForTokenConfiguration`,
				`listeners[0].claimsMapping[5].jwtClaimType: claim type "birthdate" is mapped twice`,
				"directory.servicePrincipals[2].appId: want an appId, got none",
				`directory.servicePrincipals[3].appId: duplicate appId "` + clientAppID + `"`,
				"directory.consentGranted: want resource appIds as keys, got an empty one",
			},
		},
		{
			name:   "a listener naming a missing extension is left to Resolve",
			mutate: func(c *extension.Config) { c.Listeners[0].ExtensionID = "nope" },
		},
		{
			name: "bad targetUrl and resourceId are left to Resolve",
			mutate: func(c *extension.Config) {
				c.Extensions[0].TargetURL = "http://x"
				c.Extensions[0].AuthenticationConfiguration.ResourceID = "nope"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig("https://127.0.0.1/api")
			tt.mutate(cfg)
			err := cfg.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want %d problems, got none", len(tt.want))
			}
			if !errors.Is(err, extension.ErrInvalidConfig) {
				t.Errorf("want errors.Is(err, ErrInvalidConfig), got %v", err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("want a problem %q, got:\n%s", w, msg)
				}
			}
			if n := len(strings.Split(msg, "\n")); n != len(tt.want) {
				t.Errorf("want %d problems, got %d:\n%s", len(tt.want), n, msg)
			}
		})
	}
}

func TestLoadConfig(t *testing.T) {
	t.Run("yaml", func(t *testing.T) {
		cfg, err := extension.LoadConfig("testdata/config.yaml")
		if err != nil {
			t.Fatal(err)
		}
		e := cfg.Extensions[0]
		if e.TargetURL != "https://claims.contoso.example/api/tokenissuancestart" || e.DisplayName != "Contoso claims" {
			t.Errorf("extension: got %+v", e)
		}
		if got := e.AuthenticationConfiguration.ResourceID; got != "api://claims.contoso.example/22222222-2222-4222-8222-222222222222" {
			t.Errorf("resourceId: got %q", got)
		}
		if e.ClientConfiguration.Timeout() != 2*time.Second || e.ClientConfiguration.Retries() != 0 {
			t.Errorf("clientConfiguration: want 2s and 0 retries, got %v and %d", e.ClientConfiguration.Timeout(), e.ClientConfiguration.Retries())
		}
		if len(e.ClaimsForTokenConfiguration) != 2 || e.ClaimsForTokenConfiguration[1].ClaimIDInAPIResponse != "CustomRoles" {
			t.Errorf("claimsForTokenConfiguration: got %+v", e.ClaimsForTokenConfiguration)
		}
		l := cfg.Listeners[0]
		if l.AppID != clientAppID || l.ExtensionID != extensionID || l.ClaimsMapping[0].ClaimType() != "birthdate" || l.ClaimsMapping[1].ClaimType() != "CustomRoles" {
			t.Errorf("listener: got %+v", l)
		}
		d := cfg.Directory
		if !d.ServicePrincipals[0].Enabled {
			t.Error("servicePrincipals[0]: want enabled when enabled is omitted, got disabled")
		}
		if d.ServicePrincipals[1].Enabled {
			t.Error("servicePrincipals[1]: want disabled (enabled: false), got enabled")
		}
		if !d.GraphEnabled() || !d.Consent(resourceAppID) {
			t.Error("want Graph enabled and consent granted")
		}
	})
	t.Run("json", func(t *testing.T) {
		cfg, err := extension.LoadConfig("testdata/config.json")
		if err != nil {
			t.Fatal(err)
		}
		cc := cfg.Extensions[0].ClientConfiguration
		if cc.Timeout() != time.Second || cc.Retries() != 1 {
			t.Errorf("want the defaults 1s and 1 retry, got %v and %d", cc.Timeout(), cc.Retries())
		}
		if sp := cfg.Directory.ServicePrincipals; !sp[0].Enabled || !sp[1].Enabled {
			t.Errorf("want both service principals enabled, got %+v", sp)
		}
	})
	t.Run("encoding/json agrees on service principals", func(t *testing.T) {
		var d extension.Directory
		if err := json.Unmarshal([]byte(`{"servicePrincipals":[{"appId":"a"},{"appId":"b","enabled":false}]}`), &d); err != nil {
			t.Fatal(err)
		}
		if !d.ServicePrincipals[0].Enabled || d.ServicePrincipals[1].Enabled {
			t.Errorf("want [enabled, disabled], got %+v", d.ServicePrincipals)
		}
	})
	t.Run("every problem with file and line", func(t *testing.T) {
		_, err := extension.LoadConfig("testdata/invalid.yaml")
		if err == nil {
			t.Fatal("want problems, got none")
		}
		if !errors.Is(err, extension.ErrInvalidConfig) {
			t.Errorf("want ErrInvalidConfig, got %v", err)
		}
		for _, w := range []string{
			"testdata/invalid.yaml:5: extensions[0].clientConfiguration.timeoutInMilliseconds: want 200 to 2000, got 5000",
			"testdata/invalid.yaml:6: extensions[0].clientConfiguration.maximumRetries: want 0 or 1, got 2",
			`testdata/invalid.yaml:7: extensions[1].id: duplicate id "ext-1"`,
			`testdata/invalid.yaml:13: listeners[0].claimsMapping[0].id: claim "dateOfBirth" is not in the claimsForTokenConfiguration`,
			`testdata/invalid.yaml:15: listeners[1].appId: application "app-1" already has listeners[0]`,
			"testdata/invalid.yaml:14: listeners[1].extensionId: want the id",
			"testdata/invalid.yaml:18: directory.servicePrincipals[0].appId: want an appId, got none",
		} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("want %q in:\n%v", w, err)
			}
		}
		var ce *extension.ConfigError
		if !errors.As(err, &ce) || ce.File != "testdata/invalid.yaml" || ce.Line == 0 {
			t.Errorf("want a *ConfigError with file and line, got %#v", ce)
		}
	})
	t.Run("unknown field", func(t *testing.T) {
		for name, body := range map[string]string{
			"extension":         "extensions:\n  - id: e\n    targetURL: https://x.example/\n",
			"service principal": "directory:\n  servicePrincipals:\n    - appId: a\n      accountEnabled: true\n",
		} {
			p := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := extension.LoadConfig(p); err == nil || !strings.Contains(err.Error(), "not found") {
				t.Errorf("%s: want an unknown-field error, got %v", name, err)
			}
		}
	})
	t.Run("empty file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := extension.LoadConfig(p)
		if err != nil || len(cfg.Listeners) != 0 {
			t.Errorf("want an empty config, got %+v, %v", cfg, err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		if _, err := extension.LoadConfig("testdata/nope.yaml"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("want os.ErrNotExist, got %v", err)
		}
	})
}
