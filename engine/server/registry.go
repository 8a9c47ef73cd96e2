package server

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile/jwtissuer"
	"github.com/iefconform/iefconform/engine/profile/oauth1"
	"github.com/iefconform/iefconform/engine/profile/oauth2"
)

// factory builds a technical profile implementation (a profile.Redirector,
// profile.Caller or profile.Issuer) and reports its configuration problems.
type factory func(tp *policy.TechnicalProfile) (any, policy.Problems)

// lookup is the registry from Protocol (and token format or handler) to
// implementation, kept here in the wiring layer as dex keeps its connectors.
func lookup(tp *policy.TechnicalProfile) (factory, bool) {
	proto := ""
	if tp.Protocol != nil {
		proto = tp.Protocol.Name
	}
	switch {
	case proto == "OAuth2" && !strings.EqualFold(tp.OutputTokenFormat, "OAuth2Error"):
		return func(tp *policy.TechnicalProfile) (any, policy.Problems) { return oauth2.New(tp) }, true
	case proto == "OAuth1":
		return func(tp *policy.TechnicalProfile) (any, policy.Problems) { return oauth1.New(tp) }, true
	case (proto == "OpenIdConnect" || proto == "None") && strings.EqualFold(tp.OutputTokenFormat, "JWT"):
		return func(tp *policy.TechnicalProfile) (any, policy.Problems) { return jwtissuer.New(tp) }, true
	}
	return nil, false
}

// check is the protocol-specific part of static validation: required metadata
// and keys of every technical profile whose protocol the emulator implements.
func check(_ *policy.Policy, tp *policy.TechnicalProfile) policy.Problems {
	f, ok := lookup(tp)
	if !ok {
		return nil
	}
	_, probs := f(tp)
	return probs
}

// Validate runs the static validation of a policy set: every problem at once.
func Validate(set *policy.Set) policy.Problems {
	return set.Validate(check)
}

// build creates the implementation of every technical profile the journey can
// reach: its claims exchanges and issuers.
func build(p *policy.Policy, uj *policy.UserJourney) (map[string]any, error) {
	ids := map[string]bool{}
	if uj.DefaultCpimIssuerTechnicalProfileReferenceID != "" {
		ids[uj.DefaultCpimIssuerTechnicalProfileReferenceID] = true
	}
	for _, s := range uj.Steps {
		for _, ex := range s.ClaimsExchanges {
			ids[ex.TechnicalProfileReferenceID] = true
		}
		if s.CpimIssuerTechnicalProfileReferenceID != "" {
			ids[s.CpimIssuerTechnicalProfileReferenceID] = true
		}
	}
	var probs policy.Problems
	out := map[string]any{}
	for _, id := range slices.Sorted(maps.Keys(ids)) { // sorted: problems in a stable order
		tp, ok := p.TechnicalProfiles[id]
		if !ok {
			probs = append(probs, policy.Problem{File: uj.Pos.File, Line: uj.Pos.Line, Path: "UserJourney[Id=" + uj.ID + "]",
				Message: fmt.Sprintf("technical profile %q is not defined", id)})
			continue
		}
		if len(tp.InputClaimsTransformations)+len(tp.OutputClaimsTransformations) > 0 {
			probs = append(probs, policy.Problem{File: tp.Pos.File, Line: tp.Pos.Line, Path: "TechnicalProfile[Id=" + id + "]",
				Message: "claims transformations are not supported by the emulator yet"})
		}
		f, ok := lookup(tp)
		if !ok {
			proto := "(none)"
			if tp.Protocol != nil {
				proto = tp.Protocol.Name + " " + tp.Protocol.Handler
			}
			probs = append(probs, policy.Problem{File: tp.Pos.File, Line: tp.Pos.Line, Path: "TechnicalProfile[Id=" + id + "]",
				Message: fmt.Sprintf("protocol %s with output token format %q is not supported by the emulator yet", strings.TrimSpace(proto), tp.OutputTokenFormat)})
			continue
		}
		impl, pp := f(tp)
		probs = append(probs, pp...)
		out[id] = impl
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return out, nil
}
