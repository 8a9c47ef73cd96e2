package oauth1

import (
	"errors"
	"net/http"

	"github.com/iefconform/iefconform/mocks/internal/cfgfile"
	"github.com/iefconform/iefconform/mocks/internal/kit"
)

// OAuth Problem Reporting names (oauth_problem) the server answers with.
const (
	ProblemParameterAbsent         = "parameter_absent"          // a required oauth_ parameter is missing
	ProblemParameterRejected       = "parameter_rejected"        // repeated, misplaced, unexpected or malformed parameters
	ProblemVersionRejected         = "version_rejected"          // oauth_version is not 1.0
	ProblemConsumerKeyUnknown      = "consumer_key_unknown"      // no such consumer
	ProblemSignatureMethodRejected = "signature_method_rejected" // method not accepted from this consumer
	ProblemTimestampRefused        = "timestamp_refused"         // oauth_timestamp outside the window
	ProblemNonceUsed               = "nonce_used"                // nonce, timestamp, consumer and token seen before
	ProblemTokenRejected           = "token_rejected"            // unknown, used, revoked, foreign or wrong-kind token
	ProblemTokenExpired            = "token_expired"             // the temporary credential's lifetime is over
	ProblemVerifierInvalid         = "verifier_invalid"          // oauth_verifier does not match
	ProblemSignatureInvalid        = "signature_invalid"         // the signature does not verify
)

// Extra parameters of a Problem (OAuth Problem Reporting §3).
const (
	ParamParametersAbsent     = "oauth_parameters_absent"     // names joined by '&'
	ParamParametersRejected   = "oauth_parameters_rejected"   // names joined by '&'
	ParamAcceptableVersions   = "oauth_acceptable_versions"   // "1.0-1.0"
	ParamAcceptableTimestamps = "oauth_acceptable_timestamps" // "a-b", Unix seconds
)

// Problem is a refused signed request. The server turns it into one kind of response, in one
// place: HTTP 401, Content-Type application/x-www-form-urlencoded, body
// oauth_problem=Name&oauth_problem_advice=Advice followed by Params, and
// WWW-Authenticate: OAuth realm="mock-oauth1", oauth_problem="Name".
//
// errors.Is(err, ErrNonceUsed) matches any Problem with the same Name.
type Problem struct {
	Name   string
	Advice string
	// Params are extra Problem Reporting parameters such as oauth_parameters_absent.
	Params map[string]string
}

// Sentinels for errors.Is; their Advice is empty.
var (
	ErrParameterAbsent         = problem(ProblemParameterAbsent, "")
	ErrParameterRejected       = problem(ProblemParameterRejected, "")
	ErrVersionRejected         = problem(ProblemVersionRejected, "")
	ErrConsumerKeyUnknown      = problem(ProblemConsumerKeyUnknown, "")
	ErrSignatureMethodRejected = problem(ProblemSignatureMethodRejected, "")
	ErrTimestampRefused        = problem(ProblemTimestampRefused, "")
	ErrNonceUsed               = problem(ProblemNonceUsed, "")
	ErrTokenRejected           = problem(ProblemTokenRejected, "")
	ErrTokenExpired            = problem(ProblemTokenExpired, "")
	ErrVerifierInvalid         = problem(ProblemVerifierInvalid, "")
	ErrSignatureInvalid        = problem(ProblemSignatureInvalid, "")

	// ErrInvalidConfig is matched by every *ConfigError.
	ErrInvalidConfig = cfgfile.ErrInvalidConfig
	// ErrUnknownConsumer is returned by AddAccessToken for a consumer key the server does not know.
	ErrUnknownConsumer = errors.New("unknown consumer")
	// ErrUnknownUser is returned by AddAccessToken for a username the server does not know.
	ErrUnknownUser = errors.New("unknown user")
)

// Error returns "name: advice".
func (p Problem) Error() string { return kit.ErrorText(p.Name, p.Advice) }

// Is reports whether target is a Problem with the same Name.
func (p Problem) Is(target error) bool {
	var t Problem
	return errors.As(target, &t) && t.Name == p.Name
}

// problem returns a Problem with advice and optional name/value pairs of extra parameters.
func problem(name, advice string, params ...string) Problem {
	p := Problem{Name: name, Advice: advice}
	if len(params) > 0 {
		p.Params = map[string]string{}
		for i := 0; i+1 < len(params); i += 2 {
			p.Params[params[i]] = params[i+1]
		}
	}
	return p
}

// requestError is a failure that is not an OAuth problem: an unknown route, a method the route
// does not take, an unreadable body, bad admin input. It is answered with Status and a JSON body
// {"error": Code, "error_description": Description}.
type requestError struct {
	Status      int
	Code        string
	Description string
}

func (e requestError) Error() string { return e.Code + ": " + e.Description }

func badRequest(desc string) requestError {
	return requestError{Status: http.StatusBadRequest, Code: "invalid_request", Description: desc}
}

func methodNotAllowed(desc string) requestError {
	return requestError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Description: desc}
}

// pageError is a failure shown to the user's browser as the HTML error page, never redirected:
// the request cannot be tied to a trusted callback.
type pageError struct {
	Status  int
	Message string
}

func (e pageError) Error() string { return e.Message }
