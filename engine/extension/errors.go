package extension

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Sentinel errors, found with errors.Is in a Failure's Err or in the error of
// Validate and LoadConfig.
var (
	// ErrInvalidConfig: the configuration has structural problems (Validate).
	ErrInvalidConfig = errors.New("invalid custom extension configuration")
	// ErrNoKey: the Caller has no key to sign the bearer token with (1003001).
	ErrNoKey = errors.New("no signing key")
	// ErrTimeout: an attempt got no complete answer within timeoutInMilliseconds.
	ErrTimeout = errors.New("request timed out")
	// ErrConnection: an attempt failed before a complete answer: refused, reset, DNS, TLS.
	ErrConnection = errors.New("connection failed")
)

// Failure is a custom extension call that did not yield claims: a
// configuration check of Resolve or a call of Caller.Call. Code and Name are
// those of the sign-in log (spec §7.4). It is an error.
type Failure struct {
	Code int
	Name string
	// HTTPStatus is the status of the last answer; 0 when there was none.
	HTTPStatus int
	// Duration runs from the first attempt to the verdict.
	Duration time.Duration
	// Retries is the number of attempts after the first.
	Retries int
	// Err says what went wrong, for people; it may wrap ErrTimeout,
	// ErrConnection, ErrNoKey or a lower-level error.
	Err error
}

// newFailure makes a failure with the name of its code.
func newFailure(code int, err error) *Failure {
	return &Failure{Code: code, Name: Name(code), Err: err}
}

func failuref(code int, format string, args ...any) *Failure {
	return newFailure(code, fmt.Errorf(format, args...))
}

func (f *Failure) Error() string {
	s := "custom extension: " + strconv.Itoa(f.Code) + " " + f.Name
	if f.Err != nil {
		s += ": " + f.Err.Error()
	}
	return s
}

func (f *Failure) Unwrap() error { return f.Err }

// ConfigError is one structural problem of a configuration. Path names the
// field (extensions[0].clientConfiguration.timeoutInMilliseconds); File and
// Line are set by LoadConfig.
type ConfigError struct {
	File string
	Line int
	Path string
	Err  error
}

func (e *ConfigError) Error() string {
	s := ""
	switch {
	case e.File != "" && e.Line > 0:
		s = e.File + ":" + strconv.Itoa(e.Line) + ": "
	case e.File != "":
		s = e.File + ": "
	}
	if e.Path != "" {
		s += e.Path + ": "
	}
	return s + e.Err.Error()
}

func (e *ConfigError) Unwrap() []error { return []error{ErrInvalidConfig, e.Err} }
