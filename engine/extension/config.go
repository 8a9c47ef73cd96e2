package extension

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// clientConfiguration limits and defaults [G-cc].
const (
	MinTimeoutInMilliseconds     = 200
	MaxTimeoutInMilliseconds     = 2000
	DefaultTimeoutInMilliseconds = 1000
	DefaultMaximumRetries        = 1
)

// Config is the custom extension configuration of a tenant, shaped like the
// Graph resources: customAuthenticationExtension, authenticationEventListener
// with its claims mapping, and the directory facts Entra checks.
type Config struct {
	Extensions []Extension `json:"extensions" yaml:"extensions"`
	Listeners  []Listener  `json:"listeners" yaml:"listeners"`
	Directory  Directory   `json:"directory" yaml:"directory"`
}

// Extension is an onTokenIssuanceStartCustomExtension.
type Extension struct {
	ID          string `json:"id" yaml:"id"`
	DisplayName string `json:"displayName,omitempty" yaml:"displayName,omitempty"`
	// TargetURL is the API's endpoint; it must be https (1003020).
	TargetURL                   string                      `json:"targetUrl" yaml:"targetUrl"`
	AuthenticationConfiguration AuthenticationConfiguration `json:"authenticationConfiguration" yaml:"authenticationConfiguration"`
	ClientConfiguration         ClientConfiguration         `json:"clientConfiguration" yaml:"clientConfiguration"`
	ClaimsForTokenConfiguration []ClaimForToken             `json:"claimsForTokenConfiguration" yaml:"claimsForTokenConfiguration"`
}

// AuthenticationConfiguration is an azureAdTokenAuthentication.
type AuthenticationConfiguration struct {
	// ResourceID is the API's identifier URI, api://{fqdn}/{appId}: the aud
	// of the bearer token (1003014, 1003015).
	ResourceID string `json:"resourceId" yaml:"resourceId"`
}

// ClientConfiguration is a customExtensionClientConfiguration. Nil means the
// service default.
type ClientConfiguration struct {
	// TimeoutInMilliseconds bounds each attempt: 200–2000, default 1000.
	TimeoutInMilliseconds *int `json:"timeoutInMilliseconds,omitempty" yaml:"timeoutInMilliseconds,omitempty"`
	// MaximumRetries is 0 or 1, default 1.
	MaximumRetries *int `json:"maximumRetries,omitempty" yaml:"maximumRetries,omitempty"`
}

// Timeout is the effective timeout of one attempt.
func (c ClientConfiguration) Timeout() time.Duration {
	ms := DefaultTimeoutInMilliseconds
	if c.TimeoutInMilliseconds != nil {
		ms = *c.TimeoutInMilliseconds
	}
	return time.Duration(ms) * time.Millisecond
}

// Retries is the effective number of retries.
func (c ClientConfiguration) Retries() int {
	if c.MaximumRetries != nil {
		return *c.MaximumRetries
	}
	return DefaultMaximumRetries
}

// ClaimForToken is an onTokenIssuanceStartReturnClaim: a claim the API
// promises to return.
type ClaimForToken struct {
	ClaimIDInAPIResponse string `json:"claimIdInApiResponse" yaml:"claimIdInApiResponse"`
}

// Listener is an onTokenIssuanceStartListener for one client application,
// with the claims mapping of that application (Source CustomClaimsProvider).
type Listener struct {
	ID string `json:"id" yaml:"id"`
	// AppID is the client application the listener applies to.
	AppID         string         `json:"appId" yaml:"appId"`
	ExtensionID   string         `json:"extensionId" yaml:"extensionId"`
	ClaimsMapping []ClaimMapping `json:"claimsMapping" yaml:"claimsMapping"`
}

// ClaimMapping is one claim of a claims-mapping policy whose source is the
// custom claims provider.
type ClaimMapping struct {
	// ID is the claim's name in the API's answer, matched case-sensitively.
	ID string `json:"id" yaml:"id"`
	// JwtClaimType is the claim's name in the token; empty means ID.
	JwtClaimType string `json:"jwtClaimType,omitempty" yaml:"jwtClaimType,omitempty"`
}

// ClaimType is the claim's name in the token.
func (m ClaimMapping) ClaimType() string {
	if m.JwtClaimType != "" {
		return m.JwtClaimType
	}
	return m.ID
}

// Directory holds the tenant facts Entra checks before calling an extension.
type Directory struct {
	ServicePrincipals []ServicePrincipal `json:"servicePrincipals" yaml:"servicePrincipals"`
	// GraphServicePrincipalEnabled: the Microsoft Graph service principal
	// exists and is enabled (1003022). Nil means true.
	GraphServicePrincipalEnabled *bool `json:"graphServicePrincipalEnabled,omitempty" yaml:"graphServicePrincipalEnabled,omitempty"`
	// ConsentGranted says, per resource appId, whether the API has admin
	// consent for CustomAuthenticationExtensions.Receive.Payload (1003021).
	// An absent appId means granted; keys are compared without regard to case.
	ConsentGranted map[string]bool `json:"consentGranted,omitempty" yaml:"consentGranted,omitempty"`
}

// ServicePrincipal is a service principal of the tenant.
type ServicePrincipal struct {
	AppID string `json:"appId" yaml:"appId"`
	// Enabled is accountEnabled. In YAML or JSON an omitted "enabled" means
	// true; in Go the zero value is false.
	Enabled bool `json:"enabled" yaml:"enabled"`
}

// UnmarshalYAML decodes a service principal, enabled unless it says otherwise,
// and rejects unknown fields.
func (sp *ServicePrincipal) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; k != "appId" && k != "enabled" {
				return fmt.Errorf("line %d: field %s not found in type extension.ServicePrincipal", n.Content[i].Line, k)
			}
		}
	}
	type plain ServicePrincipal
	p := plain{Enabled: true}
	if err := n.Decode(&p); err != nil {
		return err
	}
	*sp = ServicePrincipal(p)
	return nil
}

// UnmarshalJSON decodes a service principal, enabled unless it says otherwise.
func (sp *ServicePrincipal) UnmarshalJSON(data []byte) error {
	type plain ServicePrincipal
	p := plain{Enabled: true}
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*sp = ServicePrincipal(p)
	return nil
}

// GraphEnabled reports whether the Microsoft Graph service principal is there and enabled.
func (d Directory) GraphEnabled() bool {
	return d.GraphServicePrincipalEnabled == nil || *d.GraphServicePrincipalEnabled
}

// Consent reports whether the resource application has admin consent.
func (d Directory) Consent(resourceAppID string) bool {
	for k, granted := range d.ConsentGranted {
		if strings.EqualFold(k, resourceAppID) {
			return granted
		}
	}
	return true
}

// ServicePrincipal finds the service principal of an application (appIds are
// compared without regard to case, as GUIDs are).
func (d Directory) ServicePrincipal(appID string) (ServicePrincipal, bool) {
	for _, sp := range d.ServicePrincipals {
		if strings.EqualFold(sp.AppID, appID) {
			return sp, true
		}
	}
	return ServicePrincipal{}, false
}

// Validate reports every structural problem at once, as *ConfigError values
// joined (each also matches ErrInvalidConfig). What Entra only finds when a
// token is issued (a missing extension, a bad targetUrl or resourceId, a
// missing service principal) is left to Resolve, which reports its code.
func (c *Config) Validate() error {
	errs := c.problems()
	if len(errs) == 0 {
		return nil
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

func (c *Config) problems() []*ConfigError {
	var errs []*ConfigError
	add := func(path, format string, args ...any) {
		errs = append(errs, &ConfigError{Path: path, Err: fmt.Errorf(format, args...)})
	}
	exts := map[string]*Extension{}
	for i := range c.Extensions {
		e := &c.Extensions[i]
		at := fmt.Sprintf("extensions[%d]", i)
		switch {
		case e.ID == "":
			add(at+".id", "want an id, got none")
		case exts[e.ID] != nil:
			add(at+".id", "duplicate id %q", e.ID)
		default:
			exts[e.ID] = e
		}
		cc := e.ClientConfiguration
		if t := cc.TimeoutInMilliseconds; t != nil && (*t < MinTimeoutInMilliseconds || *t > MaxTimeoutInMilliseconds) {
			add(at+".clientConfiguration.timeoutInMilliseconds", "want %d to %d, got %d", MinTimeoutInMilliseconds, MaxTimeoutInMilliseconds, *t)
		}
		if r := cc.MaximumRetries; r != nil && *r != 0 && *r != 1 {
			add(at+".clientConfiguration.maximumRetries", "want 0 or 1, got %d", *r)
		}
		seen := map[string]bool{}
		for j, cl := range e.ClaimsForTokenConfiguration {
			p := fmt.Sprintf("%s.claimsForTokenConfiguration[%d].claimIdInApiResponse", at, j)
			switch {
			case cl.ClaimIDInAPIResponse == "":
				add(p, "want a claim id, got none")
			case seen[cl.ClaimIDInAPIResponse]:
				add(p, "duplicate claim id %q", cl.ClaimIDInAPIResponse)
			}
			seen[cl.ClaimIDInAPIResponse] = true
		}
	}
	ids, apps := map[string]bool{}, map[string]int{}
	for i, l := range c.Listeners {
		at := fmt.Sprintf("listeners[%d]", i)
		switch {
		case l.ID == "":
			add(at+".id", "want an id, got none")
		case ids[l.ID]:
			add(at+".id", "duplicate id %q", l.ID)
		}
		ids[l.ID] = true
		if l.AppID == "" {
			add(at+".appId", "want the client application's appId, got none")
		} else if prev, dup := apps[l.AppID]; dup {
			add(at+".appId", "application %q already has listeners[%d]", l.AppID, prev)
		} else {
			apps[l.AppID] = i
		}
		if l.ExtensionID == "" {
			add(at+".extensionId", "want the id of a custom extension, got none")
		}
		declared := map[string]bool{}
		ext := exts[l.ExtensionID]
		if ext != nil {
			for _, cl := range ext.ClaimsForTokenConfiguration {
				declared[cl.ClaimIDInAPIResponse] = true
			}
		}
		srcs, dsts := map[string]bool{}, map[string]bool{}
		for j, m := range l.ClaimsMapping {
			p := fmt.Sprintf("%s.claimsMapping[%d]", at, j)
			switch {
			case m.ID == "":
				add(p+".id", "want the claim id in the API response, got none")
			case srcs[m.ID]:
				add(p+".id", "duplicate claim id %q", m.ID)
			case ext != nil && !declared[m.ID]:
				add(p+".id", "claim %q is not in the claimsForTokenConfiguration of extension %q (ids are case-sensitive)", m.ID, ext.ID)
			}
			srcs[m.ID] = true
			if t := m.ClaimType(); t != "" {
				if dsts[t] {
					add(p+".jwtClaimType", "claim type %q is mapped twice", t)
				}
				dsts[t] = true
			}
		}
	}
	sps := map[string]bool{}
	for i, sp := range c.Directory.ServicePrincipals {
		p := fmt.Sprintf("directory.servicePrincipals[%d].appId", i)
		switch {
		case sp.AppID == "":
			add(p, "want an appId, got none")
		case sps[sp.AppID]:
			add(p, "duplicate appId %q", sp.AppID)
		}
		sps[sp.AppID] = true
	}
	for k := range c.Directory.ConsentGranted {
		if k == "" {
			add("directory.consentGranted", "want resource appIds as keys, got an empty one")
		}
	}
	return errs
}

// LoadConfig reads a YAML or JSON configuration (YAML is a superset of JSON),
// rejecting unknown fields, and validates it. Problems carry file:line.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load extension config: %w", err)
	}
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("load extension config %s: %w", path, err)
	}
	errs := cfg.problems()
	if len(errs) == 0 {
		return &cfg, nil
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // it decoded above
	out := make([]error, len(errs))
	for i, e := range errs {
		e.File = path
		e.Line = lineOf(&root, e.Path)
		out[i] = e
	}
	return nil, fmt.Errorf("load extension config %s: %w", path, errors.Join(out...))
}

// lineOf finds the line of a Validate path (a.b[2].c) in a YAML tree: the line
// of the deepest node of the path that exists.
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, part := range strings.Split(path, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			next := mapValue(n, name)
			if next == nil {
				return line
			}
			line, n = next.key.Line, next.value
		}
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			i, err := strconv.Atoi(idx)
			if !ok || err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return line
}

type keyValue struct{ key, value *yaml.Node }

func mapValue(n *yaml.Node, key string) *keyValue {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return &keyValue{n.Content[i], n.Content[i+1]}
		}
	}
	return nil
}
