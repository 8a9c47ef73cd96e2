package rest

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// routeHandler serves the calls of one route: record, authenticate, answer with the next
// response of the sequence or the behaviour.
func (s *Server) routeHandler(st *routeState) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		route := st.route // Responses is replaced, never changed in place: the copy stays valid
		s.mu.Unlock()

		call, readErr := s.readCall(r, route.Path, route.Auth)
		if route.Behaviour == BehaviourCustomClaims {
			call.PayloadProblems = payloadProblems(call)
		}
		s.mu.Lock()
		st.attempts++
		call.Attempt = st.attempts
		s.mu.Unlock()
		s.record(call, st.gen)

		if readErr != nil {
			s.writeError(w, r, readErr)
			s.finish(call, errorStatus(readErr))
			return
		}
		if err := authenticate(r, route.Auth); err != nil {
			s.writeError(w, r, err)
			s.finish(call, errorStatus(err))
			return
		}
		if cc := route.CustomClaims; route.Behaviour == BehaviourCustomClaims && cc != nil && cc.JWKSURL != "" {
			if err := s.checkToken(r, call, *cc); err != nil {
				s.writeError(w, r, err)
				s.finish(call, errorStatus(err))
				return
			}
		}
		s.mu.Lock()
		n := st.served
		st.served++
		route.Responses = st.route.Responses // SetResponses may have run meanwhile
		s.mu.Unlock()

		var resp Response
		switch {
		case n < len(route.Responses):
			resp = route.Responses[n]
		case route.Behaviour != "":
			resp = behave(route, call.clone())
		case len(route.Responses) > 0:
			resp = route.Responses[len(route.Responses)-1]
		default:
			resp = Response{Body: "{}"}
		}
		s.finish(call, s.serve(w, r, resp))
	})
}

// unknownHandler records calls no route matches and answers them with status (404, or 405 when
// a route has the path but not the method).
func (s *Server) unknownHandler(status int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		gen := s.gen
		s.mu.Unlock()
		call, readErr := s.readCall(r, "", Auth{})
		s.record(call, gen)
		err := readErr
		switch {
		case err != nil:
		case status == http.StatusMethodNotAllowed:
			err = Error{Status: status, Code: CodeMethodNotAllowed, Message: "no route for " + r.Method + " " + r.URL.Path + "; the path has routes for other methods"}
		default:
			err = errNotFound("no route for " + r.Method + " " + r.URL.Path)
		}
		s.writeError(w, r, err)
		s.finish(call, errorStatus(err))
	})
}

// errorStatus is the status writeError answers err with.
func errorStatus(err error) int {
	var e Error
	if errors.As(err, &e) {
		return e.Status
	}
	return http.StatusInternalServerError
}

// Challenges sent with 401s of basic and bearer routes.
const (
	basicChallenge  = `Basic realm="mock-rest", charset="UTF-8"`
	bearerChallenge = `Bearer realm="mock-rest"`
)

func unauthorized(msg, challenge string) Error {
	return Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: msg, Challenge: challenge}
}

// authenticate checks r against a route's Auth.
func authenticate(r *http.Request, a Auth) error {
	switch a.Type {
	case AuthBasic:
		user, pass, ok := r.BasicAuth()
		if !ok {
			return unauthorized("want Authorization: Basic credentials, got none", basicChallenge)
		}
		if !kit.Equal(user, a.Username) || !kit.Equal(pass, a.Password) {
			return unauthorized(fmt.Sprintf("wrong basic credentials for user %q", user), basicChallenge)
		}
	case AuthBearer:
		tok, ok := kit.BearerToken(r)
		if !ok || tok == "" {
			return unauthorized("want Authorization: Bearer token, got none", bearerChallenge)
		}
		if !kit.Equal(tok, a.Token) {
			return unauthorized("wrong bearer token", bearerChallenge+`, error="invalid_token"`)
		}
	case AuthAPIKey:
		key := r.Header.Get(a.Header)
		if key == "" {
			return unauthorized("want an API key in header "+a.Header+", got none", "")
		}
		if !kit.Equal(key, a.Key) {
			return unauthorized("wrong API key in header "+a.Header, "")
		}
	case AuthClientCert:
		switch {
		case r.TLS == nil:
			return unauthorized("want a TLS client certificate, got a request without TLS", "")
		case len(r.TLS.PeerCertificates) == 0:
			return unauthorized("want a TLS client certificate, got none", "")
		case len(r.TLS.VerifiedChains) == 0:
			return unauthorized("want a client certificate the server verified, got one it did not verify (serve with ClientAuth VerifyClientCertIfGiven and ClientCAs)", "")
		}
		if cn := r.TLS.PeerCertificates[0].Subject.CommonName; a.CommonName != "" && cn != a.CommonName {
			return unauthorized(fmt.Sprintf("want a client certificate for CN %q, got CN %q", a.CommonName, cn), "")
		}
	}
	return nil
}

// serve answers with resp and returns the status written, 0 when nothing was.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, resp Response) int {
	status, err := s.base.Serve(w, r, resp, "application/json")
	if err != nil {
		s.writeError(w, r, err)
		return http.StatusInternalServerError
	}
	return status
}
