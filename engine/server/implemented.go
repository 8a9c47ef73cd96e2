package server

import "github.com/iefconform/iefconform/engine/policy"

// Implemented reports whether the emulator implements a technical profile of the
// effective policy p: whether the registry has a constructor for its Protocol,
// handler and output token format. It says nothing of the profile's metadata
// and keys (Validate checks those).
func Implemented(p *policy.Policy, tp *policy.TechnicalProfile) bool {
	_, ok := lookup(p, tp)
	return ok
}
