// Package journey is the orchestration state machine of a user journey: it runs
// the steps in order, evaluates preconditions, offers claims-provider selections,
// runs claims exchanges through their technical profiles and ends with SendClaims
// (spec §5). It knows profiles only through the interfaces of engine/profile.
package journey

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// Orchestration step types.
const (
	StepClaimsProviderSelection = "ClaimsProviderSelection"
	StepCombinedSignInAndSignUp = "CombinedSignInAndSignUp"
	StepClaimsExchange          = "ClaimsExchange"
	StepSendClaims              = "SendClaims"
	ShowSingleProvider          = "ShowSingleProvider"
)

// Sentinel errors.
var (
	ErrNoSelection     = errors.New("no claims exchange was selected")
	ErrUnknownExchange = errors.New("unknown claims exchange")
	ErrNotWaiting      = errors.New("the journey is not waiting for a party")
	ErrFinished        = errors.New("the journey has finished")
)

// Journey is one relying party's user journey with its technical profiles.
type Journey struct {
	Policy  *policy.Policy
	Journey *policy.UserJourney
	// Profiles maps technical-profile ids to implementations (profile.Redirector,
	// profile.Caller or profile.Issuer).
	Profiles map[string]any
}

// State is where one run of the journey stands. The server keeps it per session.
type State struct {
	// Step is the index of the current orchestration step.
	Step int
	// Selected is the ClaimsExchange id chosen at the last selection step.
	Selected string
	// Pending is the technical profile waiting for its party's answer.
	Pending string
	// Done is set once SendClaims has run.
	Done bool
	// Federated lists, in order, the redirecting technical profiles the user
	// completed (the identity providers signed in with), for single sign-out.
	Federated []string
}

// Action is what the journey needs from the browser next: Redirect, Select or Send.
type Action interface{ action() }

// Redirect sends the browser to a party.
type Redirect struct {
	URL       string
	ProfileID string
}

// Option is one button of a selection page.
type Option struct {
	ExchangeID string
	ProfileID  string
	Label      string
}

// Select shows the claims-provider selection page.
type Select struct {
	Step    int
	Options []Option
}

// Send is the end of the journey: the issuer profile and the relying party's claims.
type Send struct {
	IssuerID string
	Issuer   profile.Issuer
	Claims   map[string]any
}

func (Redirect) action() {}
func (Select) action()   {}
func (Send) action()     {}

func stepName(s policy.OrchestrationStep) string {
	return "step " + strconv.Itoa(s.Order)
}

// Advance runs steps until one needs the browser or the journey ends.
func (j *Journey) Advance(ctx context.Context, env *profile.Env, st *State) (Action, error) {
	if st.Done {
		return nil, ErrFinished
	}
	steps := j.Journey.Steps
	for st.Step < len(steps) {
		s := steps[st.Step]
		if claims.Skip(s.Preconditions, env.Claims) {
			// A selection picks an exchange of the next step only: a skipped
			// step consumes it, so it cannot leak into a later step.
			st.Selected = ""
			st.Step++
			continue
		}
		switch s.Type {
		case StepClaimsProviderSelection, StepCombinedSignInAndSignUp:
			opts := j.options(st.Step)
			single := s.ClaimsProviderSelections == nil || s.ClaimsProviderSelections.DisplayOption != ShowSingleProvider
			if len(opts) == 1 && single {
				st.Selected = opts[0].ExchangeID
				st.Step++
				continue
			}
			if len(opts) == 0 {
				return nil, fmt.Errorf("%s of journey %s offers no claims exchange", stepName(s), j.Journey.ID)
			}
			return Select{Step: st.Step, Options: opts}, nil
		case StepClaimsExchange:
			ex, err := j.exchange(s, st.Selected)
			if err != nil {
				return nil, err
			}
			st.Selected = ""
			switch p := j.Profiles[ex.TechnicalProfileReferenceID].(type) {
			case profile.Redirector:
				u, err := p.Start(ctx, env)
				if err != nil {
					return nil, fmt.Errorf("claims exchange %s: %w", ex.ID, err)
				}
				st.Pending = ex.TechnicalProfileReferenceID
				return Redirect{URL: u, ProfileID: ex.TechnicalProfileReferenceID}, nil
			case profile.Caller:
				if err := p.Call(ctx, env); err != nil {
					return nil, fmt.Errorf("claims exchange %s: %w", ex.ID, err)
				}
				st.Step++
			default:
				return nil, fmt.Errorf("claims exchange %s: technical profile %s cannot run in a ClaimsExchange step", ex.ID, ex.TechnicalProfileReferenceID)
			}
		case StepSendClaims:
			id := s.CpimIssuerTechnicalProfileReferenceID
			if id == "" {
				id = j.Journey.DefaultCpimIssuerTechnicalProfileReferenceID
			}
			iss, ok := j.Profiles[id].(profile.Issuer)
			if !ok {
				return nil, fmt.Errorf("AADB2C90108: %s of journey %s has no usable CpimIssuerTechnicalProfileReferenceId (%q)", stepName(s), j.Journey.ID, id)
			}
			rp, err := j.RelyingPartyClaims(env)
			if err != nil {
				return nil, err
			}
			st.Done = true
			return Send{IssuerID: id, Issuer: iss, Claims: rp}, nil
		default:
			return nil, fmt.Errorf("%s of journey %s: step type %s is not supported by the emulator yet", stepName(s), j.Journey.ID, s.Type)
		}
	}
	return nil, fmt.Errorf("AADB2C90040: journey %s ended without a SendClaims step", j.Journey.ID)
}

// options lists the selection buttons of the selection step at index i: each
// TargetClaimsExchangeId with the technical profile of the next step's exchange.
func (j *Journey) options(i int) []Option {
	s := j.Journey.Steps[i]
	if s.ClaimsProviderSelections == nil {
		return nil
	}
	var next []policy.ClaimsExchange
	if i+1 < len(j.Journey.Steps) {
		next = j.Journey.Steps[i+1].ClaimsExchanges
	}
	var opts []Option
	for _, sel := range s.ClaimsProviderSelections.Selections {
		if sel.TargetClaimsExchangeID == "" {
			continue
		}
		o := Option{ExchangeID: sel.TargetClaimsExchangeID, Label: sel.TargetClaimsExchangeID}
		for _, ex := range next {
			if ex.ID == sel.TargetClaimsExchangeID {
				o.ProfileID = ex.TechnicalProfileReferenceID
				if tp, ok := j.Policy.TechnicalProfiles[ex.TechnicalProfileReferenceID]; ok {
					switch {
					case tp.DisplayName != "":
						o.Label = tp.DisplayName
					case tp.ProviderName != "":
						o.Label = tp.ProviderName
					}
				}
			}
		}
		opts = append(opts, o)
	}
	return opts
}

func (j *Journey) exchange(s policy.OrchestrationStep, selected string) (policy.ClaimsExchange, error) {
	if len(s.ClaimsExchanges) == 1 && (selected == "" || selected == s.ClaimsExchanges[0].ID) {
		return s.ClaimsExchanges[0], nil
	}
	for _, ex := range s.ClaimsExchanges {
		if ex.ID == selected {
			return ex, nil
		}
	}
	if selected == "" {
		return policy.ClaimsExchange{}, fmt.Errorf("%s of journey %s: %w", stepName(s), j.Journey.ID, ErrNoSelection)
	}
	return policy.ClaimsExchange{}, fmt.Errorf("%s of journey %s: %q: %w", stepName(s), j.Journey.ID, selected, ErrUnknownExchange)
}

// Choose records the user's pick at a selection step and moves past it.
func (j *Journey) Choose(st *State, exchangeID string) error {
	for _, o := range j.options(st.Step) {
		if o.ExchangeID == exchangeID {
			st.Selected = exchangeID
			st.Step++
			return nil
		}
	}
	return fmt.Errorf("choose %q: %w", exchangeID, ErrUnknownExchange)
}

// Resume hands a party's answer to the pending technical profile and advances.
func (j *Journey) Resume(ctx context.Context, env *profile.Env, st *State, params map[string][]string) (Action, error) {
	if st.Pending == "" {
		return nil, ErrNotWaiting
	}
	r, ok := j.Profiles[st.Pending].(profile.Redirector)
	if !ok {
		return nil, fmt.Errorf("resume %s: %w", st.Pending, ErrNotWaiting)
	}
	id := st.Pending
	st.Pending = ""
	if err := r.Complete(ctx, env, params); err != nil {
		return nil, err
	}
	st.Federated = append(st.Federated, id)
	st.Step++
	return j.Advance(ctx, env, st)
}

// RelyingPartyClaims builds the token claims from the RelyingParty OutputClaims
// (spec §5.5): PartnerClaimType renames, DefaultValue fills absent claims and
// resolves claim resolvers when AlwaysUseDefaultValue is set, claims without a
// value are left out, and values are typed by their ClaimType DataType.
func (j *Journey) RelyingPartyClaims(env *profile.Env) (map[string]any, error) {
	out := map[string]any{}
	rp := j.Policy.RelyingParty
	if rp == nil {
		return out, nil
	}
	for _, ref := range rp.TechnicalProfile.OutputClaims {
		v, ok := env.Claims.Value(ref.ClaimTypeReferenceID)
		ok = ok && claims.String(v) != ""
		if ref.DefaultValue != nil && (ref.AlwaysUseDefaultValue || !ok) {
			d := *ref.DefaultValue
			if ref.AlwaysUseDefaultValue && env.Resolver != nil {
				var err error
				if d, err = env.Resolver.Resolve(d); err != nil {
					return nil, fmt.Errorf("relying party claim %s: %w", ref.ClaimTypeReferenceID, err)
				}
			}
			v, ok = d, d != ""
		}
		if !ok {
			continue
		}
		var dataType string
		if ct, found := j.Policy.ClaimTypes[ref.ClaimTypeReferenceID]; found {
			dataType = ct.DataType
		}
		out[ref.PartnerName()] = typed(v, dataType)
	}
	return out, nil
}

func typed(v any, dataType string) any {
	switch dataType {
	case "int", "long":
		if n, err := strconv.ParseInt(claims.String(v), 10, 64); err == nil {
			return n
		}
	case "boolean":
		if b, err := strconv.ParseBool(strings.ToLower(claims.String(v))); err == nil {
			return b
		}
	case "stringCollection":
		if s, ok := v.([]string); ok {
			return s
		}
		return []string{claims.String(v)}
	}
	if s, ok := v.([]string); ok {
		return s
	}
	return claims.String(v)
}
