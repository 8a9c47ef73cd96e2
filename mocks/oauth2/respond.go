package oauth2

import (
	"errors"
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// writeError is the one place where errors become responses: authorization errors go back to
// the client or to an error page, protocol errors for a client with ErrorIn200 become HTTP 200
// with the error inside, other protocol errors become RFC 6749 §5.2 JSON (with a
// WWW-Authenticate challenge where one is due), and anything else is an unexpected failure,
// logged and answered with server_error.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if ae, ok := isAuthorizeError(err); ok {
		var werr error
		if ae.redirect != nil {
			werr = s.deliver(w, ae.redirect, errorParams(ae.err, ae.redirect))
		} else {
			werr = s.renderErrorPage(w, ae.err)
		}
		if werr == nil {
			return
		}
		err = werr
	} else {
		var ie in200Error
		if errors.As(err, &ie) {
			var oe Error
			if errors.As(ie.err, &oe) {
				kit.WriteJSON(w, http.StatusOK, in200Body(oe, ie.param))
				return
			}
			err = ie.err
		}
		var ce challengeError
		if errors.As(err, &ce) {
			w.Header().Set("WWW-Authenticate", challenge(ce))
			writeJSONError(w, ce.err)
			return
		}
		var oe Error
		if errors.As(err, &oe) {
			writeJSONError(w, oe)
			return
		}
	}
	s.base.Unexpected(r, err)
	writeJSONError(w, Error{Code: CodeServerError, Description: "unexpected failure in the mock identity provider"})
}

// realm is the realm of the server's WWW-Authenticate challenges.
const realm = "mock-oauth2"

// challenge renders a WWW-Authenticate header value for ce.
func challenge(ce challengeError) string {
	if ce.scheme == "Basic" {
		return kit.Challenge("Basic", realm, "charset", "UTF-8")
	}
	params := []string{"error", ce.err.Code}
	if ce.err.Description != "" {
		params = append(params, "error_description", ce.err.Description)
	}
	return kit.Challenge("Bearer", realm, params...)
}

// writeJSONError writes an RFC 6749 §5.2 error body.
func writeJSONError(w http.ResponseWriter, e Error) {
	kit.WriteJSON(w, e.status(), kit.ErrorBody(e.Code, e.Description))
}

// in200Error is a protocol error for a client with ErrorIn200: answered with HTTP 200 and
// {param: description, "error": code}, as IdPs do that B2C's ResponseErrorCodeParamName is for.
type in200Error struct {
	err   error
	param string
}

func (e in200Error) Error() string { return e.err.Error() }
func (e in200Error) Unwrap() error { return e.err }

// in200Body is the body of an error answered with HTTP 200; the description falls back to the code.
func in200Body(e Error, param string) map[string]string {
	desc := e.Description
	if desc == "" {
		desc = e.Code
	}
	return map[string]string{param: desc, "error": e.Code}
}
