package rest

import (
	"fmt"
	"slices"
)

// AddRoute adds a route, or replaces the one with the same method (in any case) and path. A
// replaced route starts afresh: its attempts and its response sequence begin again. Calls
// already recorded stay. Called from Go, it is the program's own configuration: the route's
// CustomClaims.JWKSURL becomes a registered JWKS URL (see AllowJWKS), which the admin API's
// PUT /_admin/routes, refusing any other, does not do.
func (s *Server) AddRoute(rt Route) error {
	if err := rt.validate(); err != nil {
		return fmt.Errorf("add route %s: %w", rt.key(), err)
	}
	rt = rt.normalize()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &routeState{gen: s.gen, route: rt}
	if u := jwksURLOf(rt); u != "" {
		s.jwksURLs[u] = true
	}
	if i := slices.IndexFunc(s.routes, func(x *routeState) bool { return x.route.key() == rt.key() }); i >= 0 {
		s.routes[i] = st
	} else {
		s.routes = append(s.routes, st)
	}
	s.buildRouterLocked()
	return nil
}

// SetResponses replaces the responses of the route with the given method (empty for the route
// matching any method) and path pattern, and restarts its sequence: the next call gets rs[0].
// With no rs the route answers with its Behaviour, or 200 {}. It wraps ErrUnknownRoute when no
// route has that method and path.
func (s *Server) SetResponses(method, path string, rs ...Response) error {
	k := routeKey(method, path)
	if err := validateResponses(rs); err != nil {
		return fmt.Errorf("set responses of %s: %w", k, err)
	}
	rs = normalizeResponses(rs)
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.routes, func(x *routeState) bool { return x.route.key() == k })
	if i < 0 {
		return fmt.Errorf("set responses of %s: %w", k, ErrUnknownRoute)
	}
	st := s.routes[i]
	st.route.Responses = rs
	st.served = 0
	return nil
}

// Routes returns a copy of every route with its current responses, in the order they were added.
func (s *Server) Routes() []Route {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Route, len(s.routes))
	for i, st := range s.routes {
		out[i] = st.route.clone()
	}
	return out
}

// Config returns the server's current configuration.
func (s *Server) Config() Config {
	return Config{Routes: s.Routes()}
}

// Reset restores the routes of the Config given to New (dropping routes added and responses set
// since), restarts every sequence and forgets every call: the state a new scenario expects.
// Requests still being served when Reset is called are not recorded.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}
