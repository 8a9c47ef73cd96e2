package server

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// hostMap sends requests for real identity-provider hosts to the parties that
// stand in for them (Config.HostMap): an unmodified policy's
// https://www.facebook.com/dialog/oauth reaches the Facebook mock. Keys are
// host names in lower case, without port.
type hostMap map[string]*url.URL

// newHostMap parses Config.HostMap: host name → base URL of the party.
func newHostMap(m map[string]string) (hostMap, error) {
	hm := hostMap{}
	for host, base := range m {
		h := strings.ToLower(strings.TrimSpace(host))
		if h == "" || strings.ContainsAny(h, "/:") {
			return nil, fmt.Errorf("host map: %q is not a host name", host)
		}
		u, err := url.Parse(strings.TrimSpace(base))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("host map: %s: %q is not an http(s) base URL", host, base)
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		hm[h] = u
	}
	return hm, nil
}

// target is the base URL u's host is mapped to, nil when it is not.
func (hm hostMap) target(u *url.URL) *url.URL {
	if len(hm) == 0 || u == nil {
		return nil
	}
	host := u.Hostname()
	if h, _, err := net.SplitHostPort(u.Host); err == nil {
		host = h
	}
	return hm[strings.ToLower(host)]
}

// apply rewrites u in place to its mapped party, keeping path and query.
func (hm hostMap) apply(u *url.URL) bool {
	t := hm.target(u)
	if t == nil {
		return false
	}
	u.Scheme, u.Host = t.Scheme, t.Host
	u.Path = t.Path + u.Path
	if u.RawPath != "" {
		u.RawPath = t.EscapedPath() + u.RawPath
	}
	return true
}

// rewrite is apply on a URL string; a URL that does not parse or is not
// mapped comes back unchanged.
func (hm hostMap) rewrite(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !hm.apply(u) {
		return raw
	}
	return u.String()
}

// transport sends mapped requests to their party; others go out unchanged.
type hostMapTransport struct {
	hosts hostMap
	next  http.RoundTripper
}

func (t hostMapTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.hosts.target(r.URL) == nil {
		return t.next.RoundTrip(r)
	}
	r2 := r.Clone(r.Context())
	t.hosts.apply(r2.URL)
	r2.Host = ""
	return t.next.RoundTrip(r2)
}

// Unwrap is the transport behind the map (profile.WrappingTransport).
func (t hostMapTransport) Unwrap() http.RoundTripper { return t.next }

// Rewrap puts the map in front of rt.
func (t hostMapTransport) Rewrap(rt http.RoundTripper) http.RoundTripper {
	return hostMapTransport{hosts: t.hosts, next: rt}
}

// mapClient is c with the host map in front of its transport; c itself when
// the map is empty.
func (hm hostMap) mapClient(c *http.Client) *http.Client {
	if len(hm) == 0 {
		return c
	}
	cc := *c
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	cc.Transport = hostMapTransport{hosts: hm, next: next}
	return &cc
}
