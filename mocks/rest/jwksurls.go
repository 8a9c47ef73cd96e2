package rest

import (
	"fmt"
	"slices"
)

// The JWKS URLs a custom-claims route may name (CustomClaims.JWKSURL) are the mock's own
// configuration, never what a remote admin asks for: the mock fetches them, so a URL taken from
// PUT /_admin/routes would let whoever reaches the admin API make the mock request any address
// it can reach (server-side request forgery, security issue #18). Registered are the URLs of the
// Config given to New, those of WithJWKSURLs and AllowJWKS, and those of routes the program adds
// with AddRoute; the admin API accepts a route only with a registered URL.

// WithJWKSURLs registers JWKS URLs that routes added over the admin API (PUT /_admin/routes) may
// name in CustomClaims.JWKSURL, besides those of the Config; see Server.AllowJWKS.
func WithJWKSURLs(urls ...string) Option {
	return func(s *Server) { s.AllowJWKS(urls...) }
}

// AllowJWKS registers JWKS URLs that routes added over the admin API (PUT /_admin/routes) may
// name in CustomClaims.JWKSURL, compared exactly as written. The URLs of the Config given to New
// and of routes added with AddRoute are registered already; the admin API refuses any other
// with 400, so that it cannot make the mock fetch an address of the caller's choice.
func (s *Server) AllowJWKS(urls ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range urls {
		if u != "" {
			s.jwksURLs[u] = true
		}
	}
}

// JWKSURLs returns the registered JWKS URLs, sorted.
func (s *Server) JWKSURLs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.jwksURLs))
	for u := range s.jwksURLs {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

// jwksAllowed reports whether u is a registered JWKS URL.
func (s *Server) jwksAllowed(u string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jwksURLs[u]
}

// addRouteFromAdmin is PUT /_admin/routes: AddRoute for a route whose JWKS URL, if any, is
// registered.
func (s *Server) addRouteFromAdmin(rt Route) error {
	if u := jwksURLOf(rt); u != "" && !s.jwksAllowed(u) {
		return fmt.Errorf("add route %s: customClaims.jwksURL %q is not registered: the mock fetches JWKS only from the URLs of "+
			"the config it started with and those its program registers (rest.WithJWKSURLs, Server.AllowJWKS, or a route "+
			"added with Server.AddRoute); register the URL there, or name one that is", rt.key(), u)
	}
	return s.AddRoute(rt)
}

// unregisteredJWKS is the 401 of a custom-claims call whose route names a JWKS URL that is not
// registered; the mock fetches nothing. Routes are registered as they are added, so this answer
// guards against a route that came in another way.
func unregisteredJWKS(u string) Error {
	return invalidToken("the route's jwksURL " + u + " is not a registered JWKS URL; the mock fetched nothing")
}

// jwksURLOf is the JWKS URL of rt, or "" when it names none.
func jwksURLOf(rt Route) string {
	if rt.CustomClaims == nil {
		return ""
	}
	return rt.CustomClaims.JWKSURL
}
