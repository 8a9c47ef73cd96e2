package server

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Application is an application registered in the emulator's tenant, the
// way a B2C app registration has it (spec apps §1): its client id, redirect
// URIs (matched exactly), client secrets, whether it is a public client, the
// implicit flag, and the API it exposes or the API scopes it was granted.
type Application struct {
	ClientID    string `json:"clientId" yaml:"clientId"`
	DisplayName string `json:"displayName,omitempty" yaml:"displayName,omitempty"`
	// RedirectURIs must match the request's redirect_uri exactly.
	RedirectURIs []string `json:"redirectUris" yaml:"redirectUris"`
	// Secret and Secrets are the client secrets (any of them is valid). A
	// confidential application (not Public) must send one when it redeems a
	// code or a refresh token (AADB2C90079 without, AADB2C90081 wrong).
	Secret  string   `json:"secret,omitempty" yaml:"secret,omitempty"`
	Secrets []string `json:"secrets,omitempty" yaml:"secrets,omitempty"`
	// Public marks a single-page or native application: it sends no secret
	// (AADB2C90084 when it does) and must use PKCE (AADB2C99059).
	Public bool `json:"public,omitempty" yaml:"public,omitempty"`
	// IdentifierURI is the App ID URI of an application that exposes an API
	// (https://contoso.onmicrosoft.com/api); Scopes are its delegated
	// scopes' short names (read, write). An access token for the API has
	// aud = ClientID and scp = the granted short names.
	IdentifierURI string   `json:"identifierUri,omitempty" yaml:"identifierUri,omitempty"`
	Scopes        []string `json:"scopes,omitempty" yaml:"scopes,omitempty"`
	// Permissions are the API scopes granted to this application (admin
	// consent), in full: https://contoso.onmicrosoft.com/api/read.
	Permissions []string `json:"permissions,omitempty" yaml:"permissions,omitempty"`
	// AllowImplicitFlow is the registration's oauth2AllowImplicitFlow ("Access
	// tokens" in the portal): B2C answers every response_type with an
	// id_token, hybrid code id_token included, only when it is set
	// (AADB2C90057; spec apps §1.5).
	AllowImplicitFlow bool `json:"allowImplicitFlow,omitempty" yaml:"allowImplicitFlow,omitempty"`
}

// confidential reports whether the application must authenticate with a
// secret at the token endpoint.
func (a Application) confidential() bool { return !a.Public }

// secretValid reports whether secret is one of the application's secrets.
func (a Application) secretValid(secret string) bool {
	ok := false
	for _, s := range append([]string{a.Secret}, a.Secrets...) {
		if s != "" && constantTimeEqual(s, secret) {
			ok = true
		}
	}
	return ok
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// ErrApplications: an applications file or flag that cannot be read as
// registrations.
var ErrApplications = errors.New("invalid application registrations")

// applicationsFile is the applications file: {applications: [...]}.
type applicationsFile struct {
	Applications []Application `json:"applications" yaml:"applications"`
}

// ReadApplications reads application registrations, YAML or JSON
// ({applications: [...]}, no unknown fields), and checks them.
func ReadApplications(r io.Reader) ([]Application, error) {
	d := yaml.NewDecoder(r)
	d.KnownFields(true)
	var f applicationsFile
	if err := d.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %w", ErrApplications, err)
	}
	if err := validateApplications(f.Applications); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrApplications, err)
	}
	return f.Applications, nil
}

// LoadApplications reads the applications file at path.
func LoadApplications(path string) ([]Application, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrApplications, err)
	}
	apps, err := ReadApplications(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return apps, nil
}

// ParseApplication reads one registration from a flag value:
// client_id=ID,redirect_uri=URI[,redirect_uri=URI...][,secret=S][,public][,implicit].
func ParseApplication(spec string) (Application, error) {
	var a Application
	for _, part := range strings.Split(spec, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToLower(k) {
		case "client_id", "clientid":
			a.ClientID = v
		case "redirect_uri", "redirecturi":
			a.RedirectURIs = append(a.RedirectURIs, v)
		case "secret", "client_secret":
			a.Secrets = append(a.Secrets, v)
		case "public":
			a.Public = true
		case "implicit":
			a.AllowImplicitFlow = true
		case "name", "display_name":
			a.DisplayName = v
		default:
			return Application{}, fmt.Errorf("%w: %q: unknown key %q (want client_id, redirect_uri, secret, public, implicit, name)", ErrApplications, spec, k)
		}
	}
	if err := validateApplications([]Application{a}); err != nil {
		return Application{}, fmt.Errorf("%w: %q: %w", ErrApplications, spec, err)
	}
	return a, nil
}

// validateApplications reports every problem of a set of registrations: a
// client id missing or repeated, a redirect URI that is not absolute or uses
// http beyond localhost (spec apps §1.2), a public client with a secret, an
// exposed API without scopes, a permission on no registered API scope.
func validateApplications(apps []Application) error {
	var errs []error
	seen := map[string]bool{}
	apis := map[string]bool{}
	for _, a := range apps {
		for _, sc := range a.Scopes {
			apis[strings.TrimSuffix(a.IdentifierURI, "/")+"/"+sc] = true
		}
	}
	for i, a := range apps {
		at := fmt.Sprintf("applications[%d]", i)
		if a.ClientID != "" {
			at += " (" + a.ClientID + ")"
		}
		switch {
		case a.ClientID == "":
			errs = append(errs, fmt.Errorf("%s: clientId is empty", at))
		case seen[strings.ToLower(a.ClientID)]:
			errs = append(errs, fmt.Errorf("%s: the clientId is registered twice", at))
		}
		seen[strings.ToLower(a.ClientID)] = true
		for _, ru := range a.RedirectURIs {
			if err := checkRedirectURI(ru); err != nil {
				errs = append(errs, fmt.Errorf("%s: redirect URI %q: %w", at, ru, err))
			}
		}
		if a.Public && (a.Secret != "" || len(a.Secrets) > 0) {
			errs = append(errs, fmt.Errorf("%s: a public client has no secret", at))
		}
		if (a.IdentifierURI == "") != (len(a.Scopes) == 0) {
			errs = append(errs, fmt.Errorf("%s: an exposed API needs both identifierUri and scopes", at))
		}
		for _, p := range a.Permissions {
			if !apis[p] {
				errs = append(errs, fmt.Errorf("%s: permission %q is no scope of a registered API (identifierUri/scope)", at, p))
			}
		}
	}
	return errors.Join(errs...)
}

// checkRedirectURI applies B2C's registration rules to a redirect URI:
// absolute, no fragment, https except for localhost, custom schemes with a
// path (spec apps §1.2).
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return err
	case !u.IsAbs():
		return errors.New("not an absolute URI")
	case u.Fragment != "":
		return errors.New("a redirect URI has no fragment")
	case scriptScheme(u):
		return errors.New("a scheme that runs script")
	case u.Scheme == "http" && !slices.Contains([]string{"localhost", "127.0.0.1", "::1"}, u.Hostname()):
		return errors.New("http is allowed for localhost only; use https")
	case u.Scheme != "http" && u.Scheme != "https" && u.Opaque == "" && u.Path == "" && !strings.HasPrefix(raw, "urn:"):
		return errors.New("a custom scheme needs a path (myapp://auth/)")
	}
	return nil
}
