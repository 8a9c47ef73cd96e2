package policy_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestLoadSettings(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		env     string
		want    policy.Settings
		wantErr error
	}{
		{
			name: "flat",
			json: `{"FacebookAppId": "123", "Port": 8080, "Enabled": true, "Nothing": null}`,
			want: policy.Settings{"FacebookAppId": "123", "Port": "8080", "Enabled": "true"},
		},
		{
			name: "environments first",
			json: `{"Environments": [
				{"Name": "Development", "Tenant": "dev.onmicrosoft.com", "PolicySettings": {"A": "dev"}},
				{"Name": "Production", "Tenant": "prod.onmicrosoft.com", "PolicySettings": {"A": "prod"}}]}`,
			want: policy.Settings{"A": "dev", "Tenant": "dev.onmicrosoft.com", "Environment": "Development"},
		},
		{
			name: "environments by name",
			env:  "production",
			json: `{"Environments": [
				{"Name": "Development", "Tenant": "dev.onmicrosoft.com", "PolicySettings": {"A": "dev"}},
				{"Name": "Production", "Tenant": "prod.onmicrosoft.com", "PolicySettings": {"A": "prod", "Tenant": "own"}}]}`,
			want: policy.Settings{"A": "prod", "Tenant": "own", "Environment": "Production"},
		},
		{
			name:    "unknown environment",
			env:     "Staging",
			json:    `{"Environments": [{"Name": "Development", "PolicySettings": {}}]}`,
			wantErr: policy.ErrSettings,
		},
		{
			name:    "no environments",
			json:    `{"Environments": []}`,
			wantErr: policy.ErrSettings,
		},
		{
			name:    "object value",
			json:    `{"A": {"B": "c"}}`,
			wantErr: policy.ErrSettings,
		},
		{
			name:    "not an object",
			json:    `["A"]`,
			wantErr: policy.ErrSettings,
		},
		{
			name:    "malformed",
			json:    `{"A": `,
			wantErr: policy.ErrSettings,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "appsettings.json")
			if err := os.WriteFile(path, []byte(tt.json), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := policy.LoadSettingsEnv(path, tt.env)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("LoadSettingsEnv() error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadSettingsEnv() error = %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LoadSettingsEnv() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoadSettingsMissingFile(t *testing.T) {
	_, err := policy.LoadSettings(filepath.Join(t.TempDir(), "nope.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadSettings() error = %v, want os.ErrNotExist", err)
	}
}

func TestLoadSettingsTestdata(t *testing.T) {
	s, err := policy.LoadSettings("testdata/valid/appsettings.json")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s["Tenant"], "contoso.onmicrosoft.com"; got != want {
		t.Errorf("Tenant = %q, want %q", got, want)
	}
	if got, want := s["FacebookAppId"], "1234567890"; got != want {
		t.Errorf("FacebookAppId = %q, want %q", got, want)
	}
}

func TestSubstitution(t *testing.T) {
	body := claimsProvider("{Settings:ProviderName}", `
        <TechnicalProfile Id="{Settings:tpid}">
          <Metadata>
            <Item Key="ClaimsEndpoint">{Settings:ClaimsEndpoint}</Item>
            <Item Key="file">{Settings:Filename}</Item>
            <Item Key="policyfile">{Settings:PolicyFilename}</Item>
            <Item Key="resolver">{Policy:PolicyId}</Item>
            <!-- {Settings:InAComment} is not substituted -->
          </Metadata>
        </TechnicalProfile>`)
	settings := policy.Settings{
		"ProviderName":   `Tom & "Jerry" <mice>`,
		"TPId":           `it's`,
		"ClaimsEndpoint": "http://127.0.0.1:1/me?a=1&b=2",
	}
	f, err := policy.Parse("dir/B2C_1A_Sample.xml", []byte(doc("B2C_1A_Sample", "", body)), settings)
	if err != nil {
		t.Fatal(err)
	}
	cp := f.ClaimsProviders[0]
	if cp.DisplayName != settings["ProviderName"] {
		t.Errorf("DisplayName = %q, want %q", cp.DisplayName, settings["ProviderName"])
	}
	tp := cp.TechnicalProfiles[0]
	if tp.ID != "it's" {
		t.Errorf("Id = %q, want %q (case-insensitive setting name, escaped in an attribute)", tp.ID, "it's")
	}
	for key, want := range map[string]string{
		"ClaimsEndpoint": "http://127.0.0.1:1/me?a=1&b=2",
		"file":           "B2C_1A_Sample",
		"policyfile":     "Sample",
		"resolver":       "{Policy:PolicyId}",
	} {
		if got, _ := tp.Metadata.Get(key); got != want {
			t.Errorf("metadata %s = %q, want %q", key, got, want)
		}
	}
	if tp.ProviderName != settings["ProviderName"] {
		t.Errorf("ProviderName = %q, want %q", tp.ProviderName, settings["ProviderName"])
	}
}

func TestUnknownSettings(t *testing.T) {
	body := claimsProvider("{Settings:Known}", metadataProfile("A",
		"authorization_endpoint", "{Settings:AuthEndpoint}", "AccessTokenEndpoint", "{Settings:TokenEndpoint}"))
	content := doc("B2C_1A_Sample", "", body)
	f, err := policy.Parse("sample.xml", []byte(content), policy.Settings{"Known": "k"})
	ps := asProblems(t, err)
	if len(ps) != 2 {
		t.Fatalf("got %d problems, want 2:\n%v", len(ps), err)
	}
	for i, name := range []string{"AuthEndpoint", "TokenEndpoint"} {
		want := lineOf(t, content, "{Settings:"+name+"}")
		if ps[i].File != "sample.xml" || ps[i].Line != want || !strings.Contains(ps[i].Message, name) {
			t.Errorf("problem %d = %v, want sample.xml:%d about %s", i, ps[i], want, name)
		}
		if !errors.Is(ps[i], policy.ErrUnknownSetting) {
			t.Errorf("problem %d is not ErrUnknownSetting", i)
		}
	}
	if f == nil {
		t.Fatal("Parse() returned no file for a decodable document")
	}
	if got, _ := f.ClaimsProviders[0].TechnicalProfiles[0].Metadata.Get("AccessTokenEndpoint"); got != "{Settings:TokenEndpoint}" {
		t.Errorf("unknown placeholder replaced by %q, want it left as is", got)
	}
}
