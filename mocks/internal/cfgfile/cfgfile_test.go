package cfgfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type sample struct {
	Name  string   `json:"name" yaml:"name"`
	Delay Duration `json:"delay" yaml:"delay"`
}

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadReadsYAMLAndJSON(t *testing.T) {
	for name, body := range map[string]string{
		"c.yaml": "name: fb\ndelay: 90s\n",
		"c.yml":  "name: fb\ndelay: 90s\n",
		"c.json": `{"name":"fb","delay":"90s"}`,
	} {
		var s sample
		if err := Load(write(t, name, body), "test", &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Name != "fb" || time.Duration(s.Delay) != 90*time.Second {
			t.Errorf("%s: got %+v", name, s)
		}
	}
}

func TestLoadRejectsBadInput(t *testing.T) {
	cases := []struct{ file, body, want string }{
		{"c.toml", "name = 1", "want extension .yaml, .yml or .json"},
		{"c.yaml", "name: fb\nextra: 1\n", "field extra not found"},
		{"c.json", `{"name":"fb","extra":1}`, `unknown field "extra"`},
		{"c.json", `{"name":"fb"} {}`, "unexpected data after the JSON value"},
		{"c.json", `{"delay":60}`, `want a string such as "60s"`},
		{"c.yaml", "delay: soon\n", "line 1"},
		{"c.yaml", "name: [\n", "load test config"},
	}
	for _, c := range cases {
		var s sample
		err := Load(write(t, c.file, c.body), "test", &s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: got %v, want error containing %q", c.file, c.body, err, c.want)
		}
	}
	if err := Load(filepath.Join(t.TempDir(), "missing.yaml"), "test", &sample{}); err == nil || !strings.Contains(err.Error(), "load test config") {
		t.Errorf("missing file: got %v", err)
	}
}

func TestCloneClaimsSharesNothing(t *testing.T) {
	in := map[string]any{"a": map[string]any{"b": []any{"x", map[string]any{"c": 1}}}}
	out := CloneClaims(in)
	out["a"].(map[string]any)["b"].([]any)[1].(map[string]any)["c"] = 2
	if in["a"].(map[string]any)["b"].([]any)[1].(map[string]any)["c"] != 1 {
		t.Fatal("CloneClaims shared a nested map")
	}
	if CloneClaims(nil) != nil {
		t.Fatal("CloneClaims(nil) should stay nil")
	}
}

func TestDurationRoundTrips(t *testing.T) {
	d := Duration(5 * time.Minute)
	b, err := d.MarshalJSON()
	if err != nil || string(b) != `"5m0s"` {
		t.Fatalf("MarshalJSON = %s, %v", b, err)
	}
	var back Duration
	if err := back.UnmarshalJSON(b); err != nil || back != d {
		t.Fatalf("UnmarshalJSON = %v, %v", back, err)
	}
}
