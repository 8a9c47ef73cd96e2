package selfasserted

import (
	"errors"
	"fmt"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// RegexMatchTimeout bounds one match of a B2C regular expression against one
// value. The starter pack's patterns take microseconds on any value a form
// can carry; a catastrophic pattern stops here with ErrRegexTimeout instead
// of holding the request (docs/behavior-decisions.md).
const RegexMatchTimeout = time.Second

// regex is a regular expression of a policy (a claim type's Restriction
// Pattern; later a MatchesRegex predicate) in B2C's dialect, .NET's
// System.Text.RegularExpressions: lookarounds, atomic groups,
// backreferences. It is compiled with .NET's default options
// (RegexOptions.None: case-sensitive, `$` also before a final "\n", `\d`
// any Unicode digit) and matched like Regex.IsMatch: a search, not anchored
// to the whole value; B2C's patterns anchor themselves with ^ and $.
type regex struct {
	re *regexp2.Regexp
}

// compileRegex compiles expr; the error says why it is not a .NET regular
// expression.
func compileRegex(expr string) (r *regex, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("the regular expression engine failed on it: %v", p)
		}
	}()
	re, err := regexp2.Compile(expr, regexp2.None)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = RegexMatchTimeout
	return &regex{re: re}, nil
}

// match reports whether v contains a match of r. A match that runs past
// RegexMatchTimeout returns ErrRegexTimeout; one that exhausts the engine's
// backtracking stack returns regexp2.ErrBacktrackingStackLimit. Neither error
// repeats v, which may be a password.
func (r *regex) match(v string) (ok bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			ok, err = false, fmt.Errorf("match the regular expression: the engine failed: %v", p)
		}
	}()
	ok, err = r.re.MatchString(v)
	switch {
	case err == nil:
		return ok, nil
	case errors.Is(err, regexp2.ErrBacktrackingStackLimit):
		return false, fmt.Errorf("match the regular expression: %w", regexp2.ErrBacktrackingStackLimit)
	default:
		// regexp2 documents its match errors as a timeout or the stack
		// limit; its timeout error quotes the input, so it is not wrapped.
		return false, ErrRegexTimeout
	}
}
