package restful

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// Sentinel errors. A policy Problem from New carries ErrInvalidMetadata,
// ErrInsecureAuth or ErrInvalidKeys (or policy.ErrMissingMetadata and
// policy.ErrMissingKey) in Err; a *profile.Error from Call carries one of the
// others as its cause.
var (
	// ErrInvalidMetadata: a metadata item has a value the profile cannot use.
	ErrInvalidMetadata = errors.New("invalid metadata")
	// ErrInsecureAuth: AuthenticationType None in a Production policy without
	// AllowInsecureAuthInProduction=true (REST-15, AADB2C90258).
	ErrInsecureAuth = errors.New("insecure authentication in production")
	// ErrInvalidKeys: the cryptographic keys do not fit the authentication type.
	ErrInvalidKeys = errors.New("invalid cryptographic keys")

	// ErrNoKeyStore: the environment has no policy key store.
	ErrNoKeyStore = errors.New("no policy key store")
	// ErrNoCertificate: the ClientCertificate container holds no valid certificate.
	ErrNoCertificate = errors.New("no valid certificate in the policy key")
	// ErrNoClaimsBag: the environment has no claims bag for the output claims.
	ErrNoClaimsBag = errors.New("no claims bag")
	// ErrBearerClaim: the UseClaimAsBearerToken claim has no value (AADB2C90194, AADB2C90195).
	ErrBearerClaim = errors.New("bearer token claim has no value")
	// ErrRequest: the request could not be built (a header value with a line break, say).
	ErrRequest = errors.New("request cannot be built")
	// ErrTimeout: an attempt took longer than the timeout.
	ErrTimeout = errors.New("request timed out")
	// ErrDNS: the service's host name did not resolve.
	ErrDNS = errors.New("host name not resolved")
	// ErrUnreachable: the connection was refused or the host is unreachable.
	ErrUnreachable = errors.New("service unreachable")
	// ErrConnection: another failure before a complete response (reset, EOF, TLS).
	ErrConnection = errors.New("connection failed")
	// ErrCertificateRejected: the service refused the client certificate in the TLS handshake.
	ErrCertificateRejected = errors.New("client certificate rejected")
	// ErrInvalidResponse: a 2xx response whose body is not a JSON object (REST-14).
	ErrInvalidResponse = errors.New("response is not a JSON object")
	// ErrErrorContract: a 4xx response carrying an error contract that cannot be parsed.
	ErrErrorContract = errors.New("unparseable error contract")
)

// StatusError is the cause of a failure on an HTTP status without an error
// contract.
type StatusError struct {
	StatusCode int
	// Reason is the reason phrase of the status line, e.g. "Internal Server Error".
	Reason string
	// Attempts is how many requests were made.
	Attempts int
}

func (e *StatusError) Error() string {
	return "HTTP " + strconv.Itoa(e.StatusCode) + " " + e.Reason + " after " + strconv.Itoa(e.Attempts) + " attempt(s)"
}

// StatusCodeName is the name .NET gives an HTTP status (System.Net.HttpStatusCode),
// which B2C prints as the Code of AADB2C90075: 500 is InternalServerError, 404
// NotFound. A status .NET does not name is printed as its number.
func StatusCodeName(code int) string {
	switch code {
	case http.StatusRequestURITooLong:
		return "RequestUriTooLong"
	case http.StatusHTTPVersionNotSupported:
		return "HttpVersionNotSupported"
	case http.StatusTeapot, http.StatusTooEarly:
		return strconv.Itoa(code)
	}
	text := http.StatusText(code)
	if text == "" {
		return strconv.Itoa(code)
	}
	return strings.NewReplacer(" ", "", "-", "", "'", "").Replace(text)
}
