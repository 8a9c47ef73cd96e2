package rest

import (
	"errors"
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// Error codes of the mock's own JSON errors ({"error": code, "message": …}); business errors
// of a REST API use the B2C error contract instead (ErrorContract).
const (
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeUnauthorized     = "unauthorized"
	CodeBadRequest       = "bad_request"
	CodeTooLarge         = "request_too_large"
	CodeServerError      = "server_error"
)

var (
	// ErrInvalidConfig is matched by every *ConfigError.
	ErrInvalidConfig = cfgfile.ErrInvalidConfig
	// ErrUnknownRoute is returned by SetResponses for a method and path no route has.
	ErrUnknownRoute = errors.New("unknown route")
)

// ConfigError lists every problem Validate found. It matches ErrInvalidConfig with errors.Is.
type ConfigError = cfgfile.ConfigError

// Error is an error the mock answers itself (unknown route, failed authentication, bad admin
// input) as JSON {"error": Code, "message": Message} with Status. The server turns it into a
// response in one place; anything else is an unexpected failure, logged and answered with 500.
type Error struct {
	Status  int
	Code    string
	Message string
	// Challenge is the WWW-Authenticate header of a 401, if any.
	Challenge string
}

// Error returns "code: message".
func (e Error) Error() string { return kit.ErrorText(e.Code, e.Message) }

func errNotFound(msg string) Error {
	return Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: msg}
}

func errBadRequest(msg string) Error {
	return Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: msg}
}

// writeError is the one place where errors become responses: an Error is written as it says,
// anything else is logged and answered with 500 server_error.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e Error
	if !errors.As(err, &e) {
		s.base.Unexpected(r, err)
		e = Error{Status: http.StatusInternalServerError, Code: CodeServerError, Message: "unexpected failure in the mock REST API"}
	}
	if e.Challenge != "" {
		w.Header().Set("WWW-Authenticate", e.Challenge)
	}
	kit.WriteJSON(w, e.Status, map[string]string{"error": e.Code, "message": e.Message})
}
