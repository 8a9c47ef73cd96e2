package cfgfile

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

type item struct{ ID, Name string }

func TestItemsAndCheck(t *testing.T) {
	items := []item{{"a", "x"}, {"", "y"}, {"a", "y"}, {"b", "z"}}
	problems := func(it item) []string {
		if it.ID == "" {
			return []string{"id is empty"}
		}
		return nil
	}
	got := Items("items", items, problems, Key[item]{"id", func(it item) string { return it.ID }}, Key[item]{"name", func(it item) string { return it.Name }})
	want := []string{
		"items[1]: id is empty",
		`items[2]: duplicate id "a" (first at items[0])`,
		`items[2]: duplicate name "y" (first at items[1])`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Items:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	err := Check("mock", got)
	var ce *ConfigError
	if !errors.As(err, &ce) || !errors.Is(err, ErrInvalidConfig) || !strings.HasPrefix(err.Error(), "invalid mock config:\n  items[1]: id is empty\n  ") {
		t.Errorf("Check = %v", err)
	}
	if Check("mock", nil) != nil {
		t.Error("Check of no problems")
	}
}

type valid struct {
	Name string `json:"name" yaml:"name"`
}

func (v valid) Validate() error {
	if v.Name == "" {
		return Check("valid", []string{"name is empty"})
	}
	return nil
}

func TestLoadValid(t *testing.T) {
	v, err := LoadValid[valid](write(t, "c.yaml", "name: x\n"), "valid")
	if err != nil || v.Name != "x" {
		t.Errorf("LoadValid = %+v %v", v, err)
	}
	p := write(t, "c.json", `{"name":""}`)
	if _, err := LoadValid[valid](p, "valid"); !errors.Is(err, ErrInvalidConfig) || !strings.HasPrefix(err.Error(), "load valid config "+p+": invalid valid config") {
		t.Errorf("LoadValid(invalid) = %v", err)
	}
}

type wire struct {
	A     string `json:"a" yaml:"a"`
	Delay Delay  `json:"delay" yaml:"delay,omitempty"`
	Skip  string `yaml:"-"`
	Plain string
}

func TestUnmarshalWire(t *testing.T) {
	var got wire
	set := func(w wire) { got = w }
	if err := UnmarshalJSON([]byte(`{"a":"x","delay":"2s"}`), "thing", set); err != nil || got.A != "x" || got.Delay != Delay(2*time.Second) {
		t.Errorf("UnmarshalJSON = %+v %v", got, err)
	}
	if err := UnmarshalJSON([]byte(`{"b":1}`), "thing", set); err == nil || !strings.HasPrefix(err.Error(), `thing: json: unknown field "b"`) {
		t.Errorf("unknown JSON key: %v", err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("a: y\nplain: p\n"), &n); err != nil {
		t.Fatal(err)
	}
	if err := UnmarshalYAML(n.Content[0], "thing", set); err != nil || got.A != "y" || got.Plain != "p" {
		t.Errorf("UnmarshalYAML = %+v %v", got, err)
	}
	if err := yaml.Unmarshal([]byte("a: y\nskip: s\n"), &n); err != nil {
		t.Fatal(err)
	}
	if err := UnmarshalYAML(n.Content[0], "thing", set); err == nil || err.Error() != `line 2: thing: unknown key "skip" (want one of a, delay, plain)` {
		t.Errorf("unknown YAML key: %v", err)
	}
}

func TestDelay(t *testing.T) {
	var d Delay
	for in, want := range map[string]string{`5`: `delay: want a string such as "2s", got 5`, `"soon"`: `delay: want a string such as "2s", got "soon": time: invalid duration`} {
		if err := json.Unmarshal([]byte(in), &d); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
	if err := yaml.Unmarshal([]byte("[1]"), &d); err == nil || !strings.Contains(err.Error(), "delay at line 1") {
		t.Errorf("YAML sequence: %v", err)
	}
	b, _ := json.Marshal(Delay(1500 * time.Millisecond))
	y, _ := yaml.Marshal(Delay(time.Second))
	if string(b) != `"1.5s"` || strings.TrimSpace(string(y)) != "1s" {
		t.Errorf("marshal: %s %s", b, y)
	}
}

func TestCloneJSON(t *testing.T) {
	in := map[string]any{"a": []any{map[string]any{"b": 1}}}
	out := CloneClaims(in)
	out["a"].([]any)[0].(map[string]any)["b"] = 2
	if in["a"].([]any)[0].(map[string]any)["b"] != 1 || CloneClaims(nil) != nil {
		t.Errorf("CloneClaims shares memory: %v", in)
	}
}
