package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/iefconform/iefconform/engine/profile"
)

// Sentinel errors of the front door.
var (
	ErrUnknownPolicy  = errors.New("unknown policy")
	ErrSessionMissing = errors.New("no journey in progress")
	// ErrRequestTimeout is the cause of a request's context once its time
	// budget (Config.RequestTimeout) is spent.
	ErrRequestTimeout = errors.New("the request's time budget is spent")
	// ErrNotImplemented is wrapped by the error of a journey that reached a
	// technical profile whose protocol or handler the emulator does not implement.
	ErrNotImplemented = errors.New("not implemented by the emulator yet")
)

// pageError is an error shown on the emulator's own error page (or as JSON at
// the token endpoint) because the relying party cannot be trusted with a redirect.
type pageError struct {
	Status  int
	Code    string // AADB2C code when B2C has one
	Message string
	// OAuth is the RFC 6749 error code at the token endpoint.
	OAuth string
}

func (e *pageError) Error() string { return fmt.Sprintf("%d %s %s", e.Status, e.Code, e.Message) }

func httpError(status int, code, msg string) *pageError {
	return &pageError{Status: status, Code: code, Message: msg}
}

// writeError is the one place errors become HTTP responses that are not
// redirects to the relying party. Unknown errors become 500 and are the only
// ones logged as errors.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, ss *session, err error) {
	var pe *pageError
	if !errors.As(err, &pe) {
		s.log.Error("unexpected error", "path", r.URL.Path, "err", logSafe(err))
		pe = &pageError{Status: http.StatusInternalServerError, Message: "AADB2C90255: The request could not be completed.", OAuth: "server_error"}
	}
	cid := ""
	if ss != nil {
		cid = ss.correlationID
	}
	if pe.OAuth != "" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(pe.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": pe.OAuth, "error_description": joinCode(pe.Code, pe.Message)})
		return
	}
	s.render(w, pe.Status, "error.html", errorPage{Code: pe.Code, Message: pe.Message, CorrelationID: cid, Timestamp: s.cfg.Now().UTC().Format(timestampLayout)})
}

func joinCode(code, msg string) string {
	if code == "" {
		return msg
	}
	return code + ": " + msg
}

// timestampLayout is B2C's timestamp in error descriptions (without the Z).
const timestampLayout = "2006-01-02 15:04:05"

// describe builds B2C's error_description: the message, then the correlation id
// and the timestamp, each line ended by CRLF (spec §5.9, §6.3).
func (s *Server) describe(ss *session, e *profile.Error) string {
	if e.Raw {
		return e.Message
	}
	return e.Message + "\r\nCorrelation ID: " + ss.correlationID + "\r\nTimestamp: " + s.cfg.Now().UTC().Format(timestampLayout) + "Z\r\n"
}

// queryInURL finds the query of an http(s) URL inside a text (an error's message).
var queryInURL = regexp.MustCompile(`(https?://[^\s"'?#]+)\?[^\s"'#]*`)

// logSafe is err's text with the query of every URL in it left out: a Go
// url.Error repeats the whole request URL, whose query may carry a
// client_secret (HttpBinding GET) or an access token (the claims call).
func logSafe(err error) string {
	if err == nil {
		return ""
	}
	return queryInURL.ReplaceAllString(err.Error(), "$1?(query left out)")
}
