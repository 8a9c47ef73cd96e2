package oauth2

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
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
				writeJSON(w, http.StatusOK, in200Body(oe, ie.param))
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
	s.logger.Error("oauth2 mock: unexpected failure", "method", r.Method, "path", r.URL.Path, "err", err)
	writeJSONError(w, Error{Code: CodeServerError, Description: "unexpected failure in the mock identity provider"})
}

// challenge renders a WWW-Authenticate header value for ce.
func challenge(ce challengeError) string {
	if ce.scheme == "Basic" {
		return `Basic realm="mock-oauth2", charset="UTF-8"`
	}
	v := `Bearer realm="mock-oauth2", error="` + ce.err.Code + `"`
	if ce.err.Description != "" {
		v += `, error_description="` + quoteSafe(ce.err.Description) + `"`
	}
	return v
}

// quoteSafe keeps a description inside a quoted-string (RFC 6750 §3 allows %x20-21 / %x23-5B / %x5D-7E).
func quoteSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return ' '
		}
		return r
	}, s)
}

// writeJSONError writes an RFC 6749 §5.2 error body.
func writeJSONError(w http.ResponseWriter, e Error) {
	body := map[string]string{"error": e.Code}
	if e.Description != "" {
		body["error_description"] = e.Description
	}
	writeJSON(w, e.status(), body)
}

// writeJSON writes v as a JSON response that no cache keeps (RFC 6749 §5.1).
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// only values built by this package reach here; they always marshal
		status, b = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
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
