package rest

import (
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
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
		if !equal(user, a.Username) || !equal(pass, a.Password) {
			return unauthorized(fmt.Sprintf("wrong basic credentials for user %q", user), basicChallenge)
		}
	case AuthBearer:
		tok, ok := bearerToken(r)
		if !ok || tok == "" {
			return unauthorized("want Authorization: Bearer token, got none", bearerChallenge)
		}
		if !equal(tok, a.Token) {
			return unauthorized("wrong bearer token", bearerChallenge+`, error="invalid_token"`)
		}
	case AuthAPIKey:
		key := r.Header.Get(a.Header)
		if key == "" {
			return unauthorized("want an API key in header "+a.Header+", got none", "")
		}
		if !equal(key, a.Key) {
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

// equal compares secrets in constant time.
func equal(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// serve answers with resp and returns the status written, 0 when nothing was.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, resp Response) int {
	if resp.Delay > 0 {
		t := time.NewTimer(resp.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return 0 // the client is gone: nobody reads the answer
		case <-s.closed:
		}
	}
	if resp.Fault != "" {
		hijacked, err := breakConnection(w, resp.Fault)
		switch {
		case err == nil:
		case hijacked: // nothing can be written any more
			s.logger.Error("rest mock: unexpected failure", "method", r.Method, "path", r.URL.Path, "err", fmt.Errorf("fault %s: %w", resp.Fault, err))
		default:
			s.writeError(w, r, fmt.Errorf("fault %s: %w", resp.Fault, err))
			return http.StatusInternalServerError
		}
		return 0
	}
	body := []byte(resp.Body)
	if resp.Body == "" && resp.JSON != nil {
		b, err := json.Marshal(resp.JSON)
		if err != nil {
			s.writeError(w, r, fmt.Errorf("marshal response json: %w", err))
			return http.StatusInternalServerError
		}
		body = b
	}
	h := w.Header()
	for k, v := range resp.Header {
		h.Set(k, v)
	}
	h.Set("Content-Type", resp.contentType())
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}

// breakConnection takes the connection from net/http and closes it: with SO_LINGER 0 for
// FaultReset, so the peer gets a TCP RST, or plainly for FaultClose, so it reads EOF. A TLS
// connection is closed below TLS, without close_notify. Where the connection cannot be taken
// (HTTP/2) the handler aborts with http.ErrAbortHandler, which resets the stream. hijacked
// reports whether the connection was taken, after which nothing can be written.
func breakConnection(w http.ResponseWriter, fault string) (hijacked bool, err error) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		if errNotSupported(err) {
			panic(http.ErrAbortHandler)
		}
		return false, fmt.Errorf("hijack: %w", err)
	}
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok && fault == FaultReset {
		if err := tcp.SetLinger(0); err != nil {
			_ = raw.Close()
			return true, fmt.Errorf("set linger: %w", err)
		}
	}
	if err := raw.Close(); err != nil {
		return true, fmt.Errorf("close: %w", err)
	}
	return true, nil
}

// errNotSupported reports whether err says a connection cannot be hijacked.
func errNotSupported(err error) bool {
	return errors.Is(err, http.ErrNotSupported) || errors.Is(err, errors.ErrUnsupported)
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// only values built by this package reach here; they always marshal
		status, b = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
