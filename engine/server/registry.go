package server

import (
	"fmt"
	"strings"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile/aad"
	"github.com/iefconform/iefconform/engine/profile/claimstransformation"
	"github.com/iefconform/iefconform/engine/profile/jwtissuer"
	"github.com/iefconform/iefconform/engine/profile/oauth1"
	"github.com/iefconform/iefconform/engine/profile/oauth2"
	"github.com/iefconform/iefconform/engine/profile/oauth2error"
	"github.com/iefconform/iefconform/engine/profile/openidconnect"
	"github.com/iefconform/iefconform/engine/profile/restful"
	"github.com/iefconform/iefconform/engine/profile/selfasserted"
)

// factory builds a technical profile implementation (a profile.Redirector,
// profile.Caller or profile.Issuer) and reports its configuration problems.
type factory func(p *policy.Policy, tp *policy.TechnicalProfile) (any, policy.Problems)

// lookup is the registry from Protocol (and token format or handler) to
// implementation, kept here in the wiring layer as dex keeps its connectors.
func lookup(p *policy.Policy, tp *policy.TechnicalProfile) (factory, bool) {
	proto := ""
	if tp.Protocol != nil {
		proto = tp.Protocol.Name
	}
	switch {
	case proto == "OAuth2" && !strings.EqualFold(tp.OutputTokenFormat, "OAuth2Error"):
		return func(_ *policy.Policy, tp *policy.TechnicalProfile) (any, policy.Problems) { return oauth2.New(tp) }, true
	case proto == "OAuth2" && strings.EqualFold(tp.OutputTokenFormat, "OAuth2Error"):
		return func(_ *policy.Policy, tp *policy.TechnicalProfile) (any, policy.Problems) { return oauth2error.New(tp) }, true
	case proto == "OAuth1":
		return func(_ *policy.Policy, tp *policy.TechnicalProfile) (any, policy.Problems) { return oauth1.New(tp) }, true
	case openidconnect.IsLocalAccountLogin(p, tp):
		return func(p *policy.Policy, tp *policy.TechnicalProfile) (any, policy.Problems) {
			return openidconnect.New(p, tp)
		}, true
	case (proto == "OpenIdConnect" || proto == "None") && strings.EqualFold(tp.OutputTokenFormat, "JWT") && p.IsIssuer(tp):
		return func(_ *policy.Policy, tp *policy.TechnicalProfile) (any, policy.Problems) { return jwtissuer.New(tp) }, true
	case proto == "Proprietary" && handlerIs(tp, restful.Handler):
		return func(p *policy.Policy, tp *policy.TechnicalProfile) (any, policy.Problems) {
			return restful.New(tp, p.DeploymentMode)
		}, true
	case proto == "Proprietary" && handlerIs(tp, aad.Handler):
		return func(p *policy.Policy, tp *policy.TechnicalProfile) (any, policy.Problems) {
			return aad.New(p, tp)
		}, true
	case proto == "Proprietary" && handlerIs(tp, claimstransformation.Handler):
		return func(_ *policy.Policy, tp *policy.TechnicalProfile) (any, policy.Problems) {
			return claimstransformation.New(tp)
		}, true
	case proto == "Proprietary" && handlerIs(tp, selfasserted.Handler):
		return func(p *policy.Policy, tp *policy.TechnicalProfile) (any, policy.Problems) {
			return selfasserted.New(p, tp)
		}, true
	}
	return nil, false
}

// handlerIs compares a Proprietary handler string, ignoring spacing.
func handlerIs(tp *policy.TechnicalProfile, handler string) bool {
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, ",", ", ")), " ") }
	return norm(tp.Protocol.Handler) == norm(handler)
}

// check is the protocol-specific part of static validation: required metadata
// and keys of every technical profile whose protocol the emulator implements.
func check(p *policy.Policy, tp *policy.TechnicalProfile) policy.Problems {
	f, ok := lookup(p, tp)
	if !ok {
		return nil
	}
	_, probs := f(p, tp)
	return probs
}

// Validate runs the static validation of a policy set: every problem at once.
func Validate(set *policy.Set) policy.Problems {
	return set.Validate(check)
}

// build creates the implementation of every technical profile the journey can
// reach: its claims exchanges, issuers and, transitively, their validation
// technical profiles.
func build(p *policy.Policy, uj *policy.UserJourney) (map[string]any, error) {
	var queue []string
	journeys := []*policy.UserJourney{uj}
	seenJourney := map[string]bool{}
	for i := 0; i < len(journeys); i++ {
		j := journeys[i]
		if j.DefaultCpimIssuerTechnicalProfileReferenceID != "" {
			queue = append(queue, j.DefaultCpimIssuerTechnicalProfileReferenceID)
		}
		for _, s := range j.Steps {
			for _, ex := range s.ClaimsExchanges {
				queue = append(queue, ex.TechnicalProfileReferenceID)
			}
			if s.CpimIssuerTechnicalProfileReferenceID != "" {
				queue = append(queue, s.CpimIssuerTechnicalProfileReferenceID)
			}
			for _, c := range s.JourneyList {
				if sj, ok := p.SubJourneys[c.SubJourneyReferenceID]; ok && !seenJourney[sj.ID] {
					seenJourney[sj.ID] = true
					journeys = append(journeys, sj)
				}
			}
		}
	}
	var probs policy.Problems
	out := map[string]any{}
	seen := map[string]bool{}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		tp, ok := p.TechnicalProfiles[id]
		if !ok {
			probs = append(probs, policy.Problem{File: uj.Pos.File, Line: uj.Pos.Line, Path: "UserJourney[Id=" + uj.ID + "]",
				Message: fmt.Sprintf("technical profile %q is not defined", id)})
			continue
		}
		for _, v := range tp.ValidationTechnicalProfiles {
			queue = append(queue, v.ReferenceID)
		}
		for _, ref := range append(append([]policy.TransformationRef(nil), tp.InputClaimsTransformations...), tp.OutputClaimsTransformations...) {
			if ct, ok := p.ClaimsTransformations[ref.ReferenceID]; ok && !claims.Supported(ct.TransformationMethod) {
				probs = append(probs, policy.Problem{File: ct.Pos.File, Line: ct.Pos.Line, Path: "ClaimsTransformation[Id=" + ct.ID + "]",
					Message: fmt.Sprintf("TransformationMethod %s is not supported by the emulator yet", ct.TransformationMethod)})
			}
		}
		f, ok := lookup(p, tp)
		if !ok {
			// validate warns about it; a journey that reaches it stops there.
			out[id] = newNotImplemented(tp)
			continue
		}
		impl, pp := f(p, tp)
		probs = append(probs, pp...)
		out[id] = impl
	}
	if len(probs) > 0 {
		probs.Sort()
		return nil, probs
	}
	return out, nil
}
