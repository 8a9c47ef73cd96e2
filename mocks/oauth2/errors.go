package oauth2

import (
	"errors"
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// OAuth 2.0 error codes (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1).
const (
	CodeInvalidRequest          = "invalid_request"
	CodeInvalidClient           = "invalid_client"
	CodeInvalidGrant            = "invalid_grant"
	CodeUnauthorizedClient      = "unauthorized_client"
	CodeUnsupportedGrantType    = "unsupported_grant_type"
	CodeUnsupportedResponseType = "unsupported_response_type"
	CodeAccessDenied            = "access_denied"
	CodeInvalidToken            = "invalid_token"
	CodeServerError             = "server_error"
)

// Error is an OAuth 2.0 protocol error. The server turns it into a response in one place: a JSON
// body {"error","error_description"} with Status (or the default status for Code), a redirect to
// the client for authorization errors, or an error page when the client cannot be trusted.
//
// errors.Is(err, ErrInvalidGrant) matches any Error with the same Code.
type Error struct {
	Code        string
	Description string
	// Status is the HTTP status of a direct response; zero means the default for Code.
	Status int
}

// Sentinels for errors.Is; their Description is empty.
var (
	ErrInvalidRequest          = Error{Code: CodeInvalidRequest}
	ErrInvalidClient           = Error{Code: CodeInvalidClient}
	ErrInvalidGrant            = Error{Code: CodeInvalidGrant}
	ErrUnsupportedGrantType    = Error{Code: CodeUnsupportedGrantType}
	ErrUnsupportedResponseType = Error{Code: CodeUnsupportedResponseType}
	ErrAccessDenied            = Error{Code: CodeAccessDenied}
	ErrInvalidToken            = Error{Code: CodeInvalidToken}

	// ErrUnknownUser is returned by SetUserClaims for a username the server does not know.
	ErrUnknownUser = errors.New("unknown user")
	// ErrInvalidConfig is matched by every *ConfigError.
	ErrInvalidConfig = cfgfile.ErrInvalidConfig
)

// Error returns "code: description".
func (e Error) Error() string { return kit.ErrorText(e.Code, e.Description) }

// Is reports whether target is an Error with the same Code.
func (e Error) Is(target error) bool { var t Error; return errors.As(target, &t) && t.Code == e.Code }

// status is the HTTP status of a direct response carrying e.
func (e Error) status() int {
	if e.Status != 0 {
		return e.Status
	}
	switch e.Code {
	case CodeInvalidClient, CodeInvalidToken:
		return http.StatusUnauthorized
	case CodeServerError:
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

// oauthError returns an Error with a description.
func oauthError(code, description string) Error {
	return Error{Code: code, Description: description}
}

// challengeError is an Error answered with a WWW-Authenticate challenge (RFC 6749 §5.2 for
// Basic client authentication, RFC 6750 §3 for bearer tokens).
type challengeError struct {
	err    Error
	scheme string // "Basic" or "Bearer"
}

func (e challengeError) Error() string { return e.err.Error() }
func (e challengeError) Unwrap() error { return e.err }

// authorizeError is an error of the authorization endpoint. With a trusted client and redirect
// URI it goes back to the client through the requested response mode (RFC 6749 §4.1.2.1);
// otherwise (redirect == nil) the user sees an error page and nothing is redirected.
type authorizeError struct {
	err      Error
	redirect *authRequest
}

func (e authorizeError) Error() string { return e.err.Error() }
func (e authorizeError) Unwrap() error { return e.err }
