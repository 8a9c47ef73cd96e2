package oauth2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Default lifetimes applied by New when the Config leaves them zero.
const (
	DefaultCodeTTL  = 60 * time.Second
	DefaultTokenTTL = time.Hour
)

// Config is the initial state of a Server. Files use lowerCamel keys, in YAML or JSON:
//
//	clients:
//	  - id: b2c-app
//	    secret: s3cret
//	    redirectURIs: [https://contoso.b2clogin.com/contoso.onmicrosoft.com/oauth2/authresp]
//	users:
//	  - username: alice
//	    password: pa55
//	    claims: {id: "1001", first_name: Alice, email: alice@example.com}
//	codeTTL: 60s
//	tokenTTL: 1h
type Config struct {
	Clients []Client `json:"clients,omitempty" yaml:"clients,omitempty"`
	Users   []User   `json:"users,omitempty" yaml:"users,omitempty"`
	// CodeTTL is how long an authorization code stays redeemable; zero means DefaultCodeTTL.
	CodeTTL Duration `json:"codeTTL,omitempty" yaml:"codeTTL,omitempty"`
	// TokenTTL is how long an access token is accepted at the claims endpoint; zero means DefaultTokenTTL.
	TokenTTL Duration `json:"tokenTTL,omitempty" yaml:"tokenTTL,omitempty"`
	// AllowTokenGET makes the token endpoint accept GET with its parameters in the query, as
	// Facebook's does (a B2C profile with HttpBinding=GET). By default GET gets 405, per RFC 6749 §3.2.
	AllowTokenGET bool `json:"allowTokenGet,omitempty" yaml:"allowTokenGet,omitempty"`
}

// Client is an application registered at the identity provider, for example a B2C tenant.
type Client struct {
	ID     string `json:"id" yaml:"id"`
	Secret string `json:"secret" yaml:"secret"`
	// RedirectURIs lists the exact redirect URIs the client may use; empty accepts any absolute URI.
	RedirectURIs []string `json:"redirectURIs,omitempty" yaml:"redirectURIs,omitempty"`
}

// User is an account that can sign in on the login page.
type User struct {
	Username string `json:"username" yaml:"username"`
	Password string `json:"password" yaml:"password"`
	// Claims is the JSON object the claims endpoint returns for this user; nested objects and
	// arrays are allowed.
	Claims map[string]any `json:"claims,omitempty" yaml:"claims,omitempty"`
}

// Duration is a time.Duration written as a Go duration string ("60s", "1h30m") in JSON and YAML.
type Duration time.Duration

// String returns the duration in Go syntax, for example "1m0s".
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration string such as "60s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string such as \"60s\", got %s", b)
	}
	return d.parse(s)
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads a duration string such as "60s".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("duration at line %d: want a string such as \"60s\"", n.Line)
	}
	if err := d.parse(n.Value); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	return nil
}

func (d *Duration) parse(s string) error {
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("duration: want a string such as \"60s\", got %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// ConfigError lists every problem Validate found. It matches ErrInvalidConfig with errors.Is.
type ConfigError struct {
	Problems []string
}

// Error lists the problems, one a line.
func (e *ConfigError) Error() string {
	return "invalid oauth2 config:\n  " + strings.Join(e.Problems, "\n  ")
}

// Is reports whether target is ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Validate reports every problem at once as a *ConfigError: empty or duplicate client ids,
// missing secrets, redirect URIs that are not absolute or carry a fragment, empty or duplicate
// usernames, claims that cannot be written as JSON, negative lifetimes.
func (c Config) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	clientAt := map[string]int{}
	for i, cl := range c.Clients {
		for _, p := range cl.problems() {
			add("clients[%d]: %s", i, p)
		}
		if cl.ID == "" {
			continue
		}
		if first, dup := clientAt[cl.ID]; dup {
			add("clients[%d]: duplicate id %q (first at clients[%d])", i, cl.ID, first)
			continue
		}
		clientAt[cl.ID] = i
	}
	userAt := map[string]int{}
	for i, u := range c.Users {
		for _, p := range u.problems() {
			add("users[%d]: %s", i, p)
		}
		if u.Username == "" {
			continue
		}
		if first, dup := userAt[u.Username]; dup {
			add("users[%d]: duplicate username %q (first at users[%d])", i, u.Username, first)
			continue
		}
		userAt[u.Username] = i
	}
	if c.CodeTTL < 0 {
		add("codeTTL: want zero (default %s) or positive, got %s", DefaultCodeTTL, c.CodeTTL)
	}
	if c.TokenTTL < 0 {
		add("tokenTTL: want zero (default %s) or positive, got %s", DefaultTokenTTL, c.TokenTTL)
	}
	if len(problems) > 0 {
		return &ConfigError{Problems: problems}
	}
	return nil
}

// problems lists what is wrong with one client on its own.
func (c Client) problems() []string {
	var out []string
	if c.ID == "" {
		out = append(out, "id is empty")
	}
	if c.Secret == "" {
		out = append(out, "secret is empty")
	}
	for i, raw := range c.RedirectURIs {
		if err := checkRedirectURI(raw); err != nil {
			out = append(out, fmt.Sprintf("redirectURIs[%d]: %v", i, err))
		}
	}
	return out
}

// problems lists what is wrong with one user on its own.
func (u User) problems() []string {
	var out []string
	if u.Username == "" {
		out = append(out, "username is empty")
	}
	if _, err := json.Marshal(u.Claims); err != nil {
		out = append(out, fmt.Sprintf("claims cannot be written as JSON: %v", err))
	}
	return out
}

func (c Client) validate() error {
	if p := c.problems(); len(p) > 0 {
		return &ConfigError{Problems: p}
	}
	return nil
}

func (u User) validate() error {
	if p := u.problems(); len(p) > 0 {
		return &ConfigError{Problems: p}
	}
	return nil
}

// checkRedirectURI applies RFC 6749 §3.1.2: an absolute URI without a fragment.
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("want an absolute URI, got %q: %w", raw, err)
	case !u.IsAbs() || u.Host == "":
		return fmt.Errorf("want an absolute URI, got %q", raw)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Errorf("want a URI without fragment, got %q", raw)
	}
	return nil
}

// LoadConfig reads a Config from a .yaml, .yml or .json file, rejecting unknown keys, and
// validates it. On a validation error it returns the decoded Config too.
func LoadConfig(path string) (Config, error) {
	var cfg Config
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("load oauth2 config: %w", err)
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".yaml", ".yml":
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("load oauth2 config %s: %w", path, err)
		}
	case ".json":
		if err := decodeJSON(bytes.NewReader(data), &cfg); err != nil {
			return cfg, fmt.Errorf("load oauth2 config %s: %w", path, err)
		}
	default:
		return cfg, fmt.Errorf("load oauth2 config %s: want extension .yaml, .yml or .json, got %q", path, ext)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("load oauth2 config %s: %w", path, err)
	}
	return cfg, nil
}

// decodeJSON reads exactly one JSON value into v, rejecting unknown fields and keeping numbers
// exact (claims such as large ids survive unchanged).
func decodeJSON(r io.Reader, v any) error {
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

// cloneClaims deep-copies a claims object so that callers and the server never share nested maps.
func cloneClaims(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneClaims(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	default:
		return v
	}
}

func (c Client) clone() Client {
	c.RedirectURIs = append([]string(nil), c.RedirectURIs...)
	return c
}

func (u User) clone() User {
	u.Claims = cloneClaims(u.Claims)
	return u
}
