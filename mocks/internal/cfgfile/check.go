package cfgfile

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrInvalidConfig is matched by every *ConfigError.
var ErrInvalidConfig = errors.New("invalid config")

// ConfigError lists every problem a config's Validate found. It matches ErrInvalidConfig with
// errors.Is.
type ConfigError struct {
	// Config names the mock whose config it is: oauth2, oauth1, rest.
	Config   string
	Problems []string
}

// Error lists the problems, one a line.
func (e *ConfigError) Error() string {
	return "invalid " + e.Config + " config:\n  " + strings.Join(e.Problems, "\n  ")
}

// Is reports whether target is ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Check returns a *ConfigError holding problems, or nil when there are none.
func Check(config string, problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return &ConfigError{Config: config, Problems: problems}
}

// Validator is a config that reports its problems.
type Validator interface {
	Validate() error
}

// LoadValid reads a config from a .yaml, .yml or .json file with Load and validates it. On a
// validation error it returns the decoded config too; errors say "load <config> config".
func LoadValid[C Validator](path, config string) (C, error) {
	var cfg C
	if err := Load(path, config, &cfg); err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("load %s config %s: %w", config, path, err)
	}
	return cfg, nil
}

// Key names a field that must be unique in a config list, and reads it from an item.
type Key[T any] struct {
	Name string
	Of   func(T) string
}

// Items checks the items of a config list: each item's own problems as "list[i]: problem",
// then, for each key, a non-empty value an earlier item has as
// "list[i]: duplicate name "value" (first at list[j])".
func Items[T any](list string, items []T, problems func(T) []string, keys ...Key[T]) []string {
	var out []string
	firsts := make([]map[string]int, len(keys))
	for i, item := range items {
		for _, p := range problems(item) {
			out = append(out, fmt.Sprintf("%s[%d]: %s", list, i, p))
		}
		for k, key := range keys {
			v := key.Of(item)
			if v == "" {
				continue
			}
			if firsts[k] == nil {
				firsts[k] = map[string]int{}
			}
			if first, dup := firsts[k][v]; dup {
				out = append(out, fmt.Sprintf("%s[%d]: duplicate %s %q (first at %s[%d])", list, i, key.Name, v, list, first))
				continue
			}
			firsts[k][v] = i
		}
	}
	return out
}

// UnmarshalJSON decodes b as DecodeJSON does into a W, the wire form of a value named what, and
// hands it to set; errors say what.
func UnmarshalJSON[W any](b []byte, what string, set func(W)) error {
	var w W
	if err := DecodeJSON(bytes.NewReader(b), &w); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	set(w)
	return nil
}

// UnmarshalYAML decodes n into a W, the wire form of a value named what, refusing keys W has no
// yaml tag for, and hands it to set.
func UnmarshalYAML[W any](n *yaml.Node, what string, set func(W)) error {
	var w W
	if n.Kind == yaml.MappingNode {
		keys := yamlKeys(reflect.TypeOf(w))
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; !slices.Contains(keys, k) {
				return fmt.Errorf("line %d: %s: unknown key %q (want one of %s)", n.Content[i].Line, what, k, strings.Join(keys, ", "))
			}
		}
	}
	if err := n.Decode(&w); err != nil {
		return err
	}
	set(w)
	return nil
}

// yamlKeys lists the yaml keys of a struct type's fields, in field order.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}
