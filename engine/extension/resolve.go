package extension

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Binding is a listener with its extension, checked and ready to call.
type Binding struct {
	Listener  Listener
	Extension Extension
	// ResourceID is the extension's resourceId: the aud of the bearer token.
	ResourceID string
	// ResourceAppID is the appId part of ResourceID.
	ResourceAppID string
	// Timeout bounds one attempt; MaximumRetries is the number of retries.
	Timeout        time.Duration
	MaximumRetries int
}

// Resolve finds the listener of a client application and makes the
// configuration checks Entra makes before calling its extension, in this
// order: 1003011, 1003020, 1003014, 1003015, 1003016, 1003019, 1003017,
// 1003018, 1003021, 1003022. An application without a listener has no
// extension: Resolve returns nil, nil.
func (c *Config) Resolve(appID string) (*Binding, *Failure) {
	var l *Listener
	for i := range c.Listeners {
		if strings.EqualFold(c.Listeners[i].AppID, appID) {
			l = &c.Listeners[i]
			break
		}
	}
	if l == nil {
		return nil, nil
	}
	var ext *Extension
	for i := range c.Extensions {
		if c.Extensions[i].ID == l.ExtensionID {
			ext = &c.Extensions[i]
			break
		}
	}
	if ext == nil {
		return nil, failuref(CodeNotFound, "listener %q names custom extension %q, which does not exist", l.ID, l.ExtensionID)
	}
	target, err := parseTargetURL(ext.TargetURL)
	if err != nil {
		return nil, failuref(CodeIncorrectTargetURLFormat, "extension %q: targetUrl %q: %w", ext.ID, ext.TargetURL, err)
	}
	rid := ext.AuthenticationConfiguration.ResourceID
	fqdn, resourceApp, err := parseResourceID(rid)
	if err != nil {
		return nil, failuref(CodeIncorrectResourceIDFormat, "extension %q: resourceId %q: %w", ext.ID, rid, err)
	}
	if !strings.EqualFold(target.Hostname(), fqdn) {
		return nil, failuref(CodeDomainNameDoesNotMatch, "extension %q: want the targetUrl host to be %q (the resourceId's domain), got %q", ext.ID, fqdn, target.Hostname())
	}
	dir := c.Directory
	if sp, ok := dir.ServicePrincipal(resourceApp); !ok {
		return nil, failuref(CodeResourceServicePrincipalNotFound, "extension %q: no service principal for the resource appId %q", ext.ID, resourceApp)
	} else if !sp.Enabled {
		return nil, failuref(CodeResourceServicePrincipalDisabled, "extension %q: the service principal of the resource appId %q is disabled", ext.ID, resourceApp)
	}
	if sp, ok := dir.ServicePrincipal(l.AppID); !ok {
		return nil, failuref(CodeClientServicePrincipalNotFound, "listener %q: no service principal for the client appId %q", l.ID, l.AppID)
	} else if !sp.Enabled {
		return nil, failuref(CodeClientServiceDisabled, "listener %q: the service principal of the client appId %q is disabled", l.ID, l.AppID)
	}
	if !dir.Consent(resourceApp) {
		return nil, failuref(CodePermissionNotGrantedToServicePrincipal, "extension %q: the resource appId %q has no admin consent for CustomAuthenticationExtensions.Receive.Payload", ext.ID, resourceApp)
	}
	if !dir.GraphEnabled() {
		return nil, failuref(CodeMsGraphServicePrincipalDisabledOrNotFound, "the Microsoft Graph service principal is disabled or missing")
	}
	return &Binding{
		Listener:       *l,
		Extension:      *ext,
		ResourceID:     rid,
		ResourceAppID:  resourceApp,
		Timeout:        ext.ClientConfiguration.Timeout(),
		MaximumRetries: ext.ClientConfiguration.Retries(),
	}, nil
}

// parseTargetURL accepts an absolute https URL with a host.
func parseTargetURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("want an https URL: %w", err)
	}
	if u.Scheme != "https" || u.Opaque != "" {
		return nil, fmt.Errorf("want an https:// URL, got scheme %q", u.Scheme)
	}
	if !validHost(u.Hostname()) {
		return nil, fmt.Errorf("want a host name, got %q", u.Host)
	}
	return u, nil
}

// parseResourceID splits api://{fqdn}/{appId}. The fqdn is a DNS name or an IP
// address (so that local APIs can be used), without a port; the appId is one
// non-empty path segment (not checked to be a GUID).
func parseResourceID(s string) (fqdn, appID string, err error) {
	rest, ok := strings.CutPrefix(s, "api://")
	if !ok {
		return "", "", fmt.Errorf("want api://{fqdn}/{appId}, got no api:// prefix")
	}
	fqdn, appID, ok = strings.Cut(rest, "/")
	if !ok || appID == "" {
		return "", "", fmt.Errorf("want api://{fqdn}/{appId}, got no appId")
	}
	if strings.ContainsAny(appID, "/?#") {
		return "", "", fmt.Errorf("want api://{fqdn}/{appId}, got %q after the domain", appID)
	}
	if !validHost(fqdn) {
		return "", "", fmt.Errorf("want api://{fqdn}/{appId}, got domain %q", fqdn)
	}
	return fqdn, appID, nil
}

// validHost accepts an IP address or a DNS name of letters, digits and
// hyphens in labels of 1 to 63 characters.
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
