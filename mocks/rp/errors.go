package rp

import "errors"

// Sentinel errors of the relying party, checked with errors.Is.
var (
	// ErrInvalidConfig is wrapped by New when Config.Validate finds problems.
	ErrInvalidConfig = errors.New("invalid rp config")
	// ErrInvalidRequest is wrapped by Begin when an AuthorizeRequest cannot be sent.
	ErrInvalidRequest = errors.New("invalid authorize request")
	// ErrNoResult is wrapped by Wait when its context ends before a result arrived.
	ErrNoResult = errors.New("no result arrived")
)
