package policy

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Settings are the values of {Settings:Name} placeholders, as in the B2C VS Code
// extension's appsettings.json.
type Settings map[string]string

// Lookup returns the value of name: an exact match first, then a case-insensitive
// one (the VS Code extension replaces placeholders case-insensitively).
func (s Settings) Lookup(name string) (string, bool) {
	if v, ok := s[name]; ok {
		return v, true
	}
	var keys []string
	for k := range s {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "", false
	}
	sort.Strings(keys) // deterministic when several keys differ only in case
	return s[keys[0]], true
}

// LoadSettings reads an appsettings.json file. It accepts a flat object
// {"Name": "value"} or the VS Code extension shape
// {"Environments": [{"Name": ..., "Tenant": ..., "PolicySettings": {...}}]}, of which
// it takes the first environment.
func LoadSettings(path string) (Settings, error) {
	return LoadSettingsEnv(path, "")
}

// LoadSettingsEnv is LoadSettings with the environment chosen by name (case-insensitive);
// an empty env means the first one. For the VS Code shape, the environment's Tenant and
// Name also supply {Settings:Tenant} and {Settings:Environment} unless PolicySettings
// defines them. A flat file has no environments and ignores env.
func LoadSettingsEnv(path, env string) (Settings, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load settings: %w", err)
	}
	s, err := parseSettings(data, env)
	if err != nil {
		return nil, fmt.Errorf("load settings %s: %w", path, err)
	}
	return s, nil
}

func parseSettings(data []byte, env string) (Settings, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%w: want a JSON object: %w", ErrSettings, err)
	}
	if raw, ok := top["Environments"]; ok && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		return environmentSettings(raw, env)
	}
	return settingsFrom(top)
}

func environmentSettings(raw json.RawMessage, env string) (Settings, error) {
	var envs []struct {
		Name           string
		Tenant         string
		PolicySettings map[string]json.RawMessage
	}
	if err := json.Unmarshal(raw, &envs); err != nil {
		return nil, fmt.Errorf("%w: Environments: %w", ErrSettings, err)
	}
	if len(envs) == 0 {
		return nil, fmt.Errorf("%w: Environments is empty", ErrSettings)
	}
	i := 0
	if env != "" {
		i = -1
		var names []string
		for j, e := range envs {
			names = append(names, e.Name)
			if i < 0 && strings.EqualFold(e.Name, env) {
				i = j
			}
		}
		if i < 0 {
			return nil, fmt.Errorf("%w: no environment %q, have %q", ErrSettings, env, names)
		}
	}
	e := envs[i]
	s, err := settingsFrom(e.PolicySettings)
	if err != nil {
		return nil, fmt.Errorf("environment %q: %w", e.Name, err)
	}
	if _, ok := s.Lookup("Tenant"); !ok && e.Tenant != "" {
		s["Tenant"] = e.Tenant
	}
	if _, ok := s.Lookup("Environment"); !ok && e.Name != "" {
		s["Environment"] = e.Name
	}
	return s, nil
}

// settingsFrom converts JSON values to strings: strings as they are, numbers and
// booleans as written, null as absent. Objects and arrays are errors.
func settingsFrom(m map[string]json.RawMessage) (Settings, error) {
	s := make(Settings, len(m))
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		raw := bytes.TrimSpace(m[k])
		switch {
		case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
			continue
		case raw[0] == '"':
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("%w: setting %q: %w", ErrSettings, k, err)
			}
			s[k] = v
		case raw[0] == '{' || raw[0] == '[':
			return nil, fmt.Errorf("%w: setting %q is a JSON %s, want a string", ErrSettings, k, jsonKind(raw[0]))
		default:
			s[k] = string(raw)
		}
	}
	return s, nil
}

func jsonKind(c byte) string {
	if c == '{' {
		return "object"
	}
	return "array"
}

// placeholderRE matches {Settings:Name}; claim resolvers such as {Policy:PolicyId} are left alone.
var placeholderRE = regexp.MustCompile(`\{Settings:([^{}\s<>"']+)\}`)

// edit records one placeholder replacement, to map offsets in the substituted text
// back to the original.
type edit struct {
	newStart, newEnd   int64
	origStart, origEnd int64
}

// source is a policy document before and after substitution.
type source struct {
	name  string
	orig  []byte
	text  []byte  // after substitution
	edits []edit  // in ascending order
	nl    []int64 // offsets of '\n' in orig
}

// origOffset maps an offset in text to the original document.
func (src *source) origOffset(n int64) int64 {
	i := sort.Search(len(src.edits), func(i int) bool { return src.edits[i].newStart > n }) - 1
	if i < 0 {
		return n
	}
	e := src.edits[i]
	if n < e.newEnd {
		return e.origStart
	}
	return e.origEnd + (n - e.newEnd)
}

// line returns the 1-based line of an offset in the original document.
func (src *source) line(orig int64) int {
	return sort.Search(len(src.nl), func(i int) bool { return src.nl[i] >= orig }) + 1
}

// pos converts an offset in text that lies just after an element's start tag (as
// Decoder.InputOffset reports it) to the Pos of the tag's '<' in the original document.
func (src *source) pos(n int64) Pos {
	if n > int64(len(src.text)) {
		n = int64(len(src.text))
	}
	start := n
	if i := bytes.LastIndexByte(src.text[:max(n, 0)], '<'); i >= 0 {
		start = int64(i)
	}
	o := src.origOffset(start)
	return Pos{File: src.name, Line: src.line(o), Offset: o}
}

// substitute replaces {Settings:Name} placeholders outside comments with the
// XML-escaped setting value. Placeholders without a value stay as they are and are
// reported, every one of them. Filename and PolicyFilename default to the file's base
// name without extension (and, for PolicyFilename, without B2C_1A_), as in the VS Code
// extension.
func substitute(name string, data []byte, settings Settings) (*source, Problems) {
	src := &source{name: name, orig: data}
	for i, c := range data {
		if c == '\n' {
			src.nl = append(src.nl, int64(i))
		}
	}
	matches := placeholderRE.FindAllSubmatchIndex(data, -1)
	if len(matches) == 0 {
		src.text = data
		return src, nil
	}
	comments := commentRanges(data)
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	builtin := map[string]string{
		"filename":       base,
		"policyfilename": strings.ReplaceAll(base, "B2C_1A_", ""),
	}
	var out bytes.Buffer
	var probs Problems
	last := 0
	for _, m := range matches {
		if inRanges(comments, m[0]) {
			continue
		}
		key := string(data[m[2]:m[3]])
		value, ok := settings.Lookup(key)
		if !ok {
			value, ok = builtin[strings.ToLower(key)]
		}
		if !ok {
			probs = append(probs, Problem{
				File:    name,
				Line:    src.line(int64(m[0])),
				Message: fmt.Sprintf("setting %q has no value (placeholder %s)", key, data[m[0]:m[1]]),
				Err:     ErrUnknownSetting,
			})
			continue
		}
		out.Write(data[last:m[0]])
		e := edit{newStart: int64(out.Len()), origStart: int64(m[0]), origEnd: int64(m[1])}
		_ = xml.EscapeText(&out, []byte(value)) // writes to a bytes.Buffer cannot fail
		e.newEnd = int64(out.Len())
		src.edits = append(src.edits, e)
		last = m[1]
	}
	out.Write(data[last:])
	src.text = out.Bytes()
	return src, probs
}

// commentRanges returns the [start, end) byte ranges of XML comments.
func commentRanges(data []byte) [][2]int {
	var ranges [][2]int
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte("<!--"))
		if i < 0 {
			return ranges
		}
		start := off + i
		j := bytes.Index(data[start+4:], []byte("-->"))
		if j < 0 {
			return append(ranges, [2]int{start, len(data)})
		}
		end := start + 4 + j + 3
		ranges = append(ranges, [2]int{start, end})
		off = end
	}
}

func inRanges(ranges [][2]int, off int) bool {
	i := sort.Search(len(ranges), func(i int) bool { return ranges[i][1] > off })
	return i < len(ranges) && ranges[i][0] <= off
}
