package profile

import (
	"errors"
	"fmt"
)

// OAuth 2.0 error codes sent to the relying party.
const (
	CodeAccessDenied   = "access_denied"
	CodeServerError    = "server_error"
	CodeInvalidRequest = "invalid_request"
	// CodeInteractionRequired: prompt=none and the user must interact (AADB2C90077).
	CodeInteractionRequired = "interaction_required"
)

// Error ends a journey with an error response to the relying party. Message is
// B2C's text, e.g. "AADB2C90273: An invalid response was received : '…'"; the
// server adds the correlation id and timestamp lines unless Raw is set.
type Error struct {
	Code    string
	Message string
	// Raw means Message is the complete error_description (OAuth2Error profiles).
	Raw bool
	// Err is the underlying cause, for logs and the journal; never shown to the RP.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error with a formatted B2C message.
func Errorf(code string, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: cause}
}

// AsError returns err as an *Error, or a server_error wrapping it. A
// UserError outside a self-asserted page becomes an Error carrying its message.
func AsError(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	var ue *UserError
	if errors.As(err, &ue) {
		return &Error{Code: CodeServerError, Message: ue.UserMessage, Err: err}
	}
	return &Error{Code: CodeServerError, Message: "AADB2C90255: The claims exchange specified did not complete as expected.", Err: err}
}

// UserError is a failure the user can correct: a REST API's error contract
// (HTTP 4xx with version, status 409 and userMessage; spec §4.3). On a
// self-asserted page it is shown next to the form; in an orchestration step it
// ends the journey like an Error.
type UserError struct {
	// UserMessage is shown to the user.
	UserMessage string
	// Code, RequestID, DeveloperMessage and MoreInfo are shown only with DebugMode.
	Code             string
	RequestID        string
	DeveloperMessage string
	MoreInfo         string
	// HTTPStatus is the API's HTTP status; Version its contract version.
	HTTPStatus int
	Version    string
	// ProfileID is the technical profile that failed.
	ProfileID string
	// StringID names UserMessage among the page's localized strings
	// (ElementType ErrorMessage), which replace it; "" when the text was
	// configured in the profile's metadata.
	StringID string
	// Debug is set when the profile has DebugMode: the page shows the other fields.
	Debug bool
}

func (e *UserError) Error() string {
	return fmt.Sprintf("%s: HTTP %d: %s", e.ProfileID, e.HTTPStatus, e.UserMessage)
}
