// Package cfgfile reads the mocks' configuration files (YAML or JSON by
// extension, unknown keys rejected, numbers kept exact) and holds the value
// types they share: Duration and deep-copied claims.
package cfgfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Load decodes the .yaml, .yml or .json file at path into v; errors say
// "load <what> config".
func Load(path, what string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("load %s config: %w", what, err)
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".yaml", ".yml":
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("load %s config %s: %w", what, path, err)
		}
	case ".json":
		if err := DecodeJSON(bytes.NewReader(data), v); err != nil {
			return fmt.Errorf("load %s config %s: %w", what, path, err)
		}
	default:
		return fmt.Errorf("load %s config %s: want extension .yaml, .yml or .json, got %q", what, path, ext)
	}
	return nil
}

// DecodeJSON reads exactly one JSON value into v, rejecting unknown fields and
// keeping numbers exact (claims such as large ids survive unchanged).
func DecodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// CloneClaims deep-copies a claims object so that callers and a server never
// share nested maps.
func CloneClaims(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return CloneJSON(m).(map[string]any)
}

// CloneJSON deep-copies a plain JSON value: maps of string keys and slices of any are copied,
// anything else is kept.
func CloneJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = CloneJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = CloneJSON(e)
		}
		return out
	default:
		return v
	}
}

// PlainJSON returns v as plain JSON values (maps of string keys, slices of any, strings,
// json.Number, bools, nil) that share nothing with v, by writing it as JSON and reading it back
// with DecodeJSON.
func PlainJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := DecodeJSON(bytes.NewReader(b), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// CloneSlice returns a new slice holding clone of each element of s; nil stays nil.
func CloneSlice[T any](s []T, clone func(T) T) []T {
	out := slices.Clone(s)
	for i, v := range out {
		out[i] = clone(v)
	}
	return out
}

// Duration is a time.Duration written as a Go duration string ("60s", "5m") in JSON and YAML.
type Duration time.Duration

// Delay is a Duration whose errors speak of a delay, for the delays of canned responses.
type Delay time.Duration

// String returns the duration in Go syntax, for example "1m0s".
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration string such as "60s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	return unmarshalJSON(b, (*time.Duration)(d), "duration", "60s")
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads a duration string such as "60s".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	return unmarshalYAML(n, (*time.Duration)(d), "duration", "60s")
}

// MarshalJSON writes the delay as a string.
func (d Delay) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string such as "2s".
func (d *Delay) UnmarshalJSON(b []byte) error {
	return unmarshalJSON(b, (*time.Duration)(d), "delay", "2s")
}

// MarshalYAML writes the delay as a string.
func (d Delay) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// UnmarshalYAML reads a duration string such as "2s".
func (d *Delay) UnmarshalYAML(n *yaml.Node) error {
	return unmarshalYAML(n, (*time.Duration)(d), "delay", "2s")
}

// unmarshalJSON reads a JSON string such as example into d; errors name the value what.
func unmarshalJSON(b []byte, d *time.Duration, what, example string) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%s: want a string such as %q, got %s", what, example, b)
	}
	return parse(s, d, what, example)
}

// unmarshalYAML reads a YAML scalar such as example into d; errors name the value what.
func unmarshalYAML(n *yaml.Node, d *time.Duration, what, example string) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("%s at line %d: want a string such as %q", what, n.Line, example)
	}
	if err := parse(n.Value, d, what, example); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	return nil
}

func parse(s string, d *time.Duration, what, example string) error {
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%s: want a string such as %q, got %q: %w", what, example, s, err)
	}
	*d = v
	return nil
}
