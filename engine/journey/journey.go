// Package journey is the orchestration state machine of a user journey: it runs
// the steps in order, evaluates preconditions, offers claims-provider selections,
// runs claims exchanges through their technical profiles and ends with SendClaims
// (spec §5). It knows profiles only through the interfaces of engine/profile.
package journey

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
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

// Limits that keep a looping policy (one that escaped validation) from running
// for ever: see Journey.MaxSteps and Journey.MaxDepth.
const (
	// DefaultMaxSteps is far more orchestration steps than any real journey
	// runs between two browser requests.
	DefaultMaxSteps = 1000
	// DefaultMaxDepth is far deeper than B2C's guidance, which has sub
	// journeys invoked from user journeys only.
	DefaultMaxDepth = 16
)

// Journey is one relying party's user journey with its technical profiles.
type Journey struct {
	Policy  *policy.Policy
	Journey *policy.UserJourney
	// Profiles maps technical-profile ids to implementations (profile.Redirector,
	// profile.Caller or profile.Issuer).
	Profiles map[string]any
	// MaxSteps bounds the orchestration steps (skipped ones and returns from
	// sub journeys included) one Advance, Resume or SubmitForm runs; beyond it
	// the call fails with ErrStepBudget. Zero means DefaultMaxSteps.
	MaxSteps int
	// MaxDepth bounds how many sub journeys may be in progress at once; one
	// more fails with ErrDepthLimit. Zero means DefaultMaxDepth.
	MaxDepth int
}

func (j *Journey) maxSteps() int {
	if j.MaxSteps > 0 {
		return j.MaxSteps
	}
	return DefaultMaxSteps
}

func (j *Journey) maxDepth() int {
	if j.MaxDepth > 0 {
		return j.MaxDepth
	}
	return DefaultMaxDepth
}

// where names the journey and the sub journeys in progress, outermost first.
func (j *Journey) where(st *State) string {
	var b strings.Builder
	b.WriteString("user journey " + j.Journey.ID)
	for _, f := range st.Stack {
		b.WriteString(" > sub journey " + f.SubJourney)
	}
	return b.String()
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
	// Stack holds the sub journeys being run, innermost last; Step then counts
	// the innermost one's steps.
	Stack []Frame
	// Federated lists, in order, the redirecting technical profiles the user
	// completed (the identity providers signed in with), for single sign-out.
	Federated []string
	// SSO holds the browser's single sign-on records from earlier journeys, by
	// session-management profile id (nil: none, or prompt=login). Steps whose
	// profiles they cover are skipped (see SSORecords).
	SSO map[string]SSORecord
	// SSOUsed lists the session-management profiles whose technical profiles
	// ran in this journey.
	SSOUsed []string
}

// Frame is a sub journey in progress.
type Frame struct {
	SubJourney string
	// Call sub journeys return to the caller's step Return; Transfer ones never return.
	Call   bool
	Return int
}

// Step types of sub journeys.
const (
	StepInvokeSubJourney = "InvokeSubJourney"
	SubJourneyCall       = "Call"
	SubJourneyTransfer   = "Transfer"
)

// current is the journey or sub journey whose steps st.Step counts.
func (j *Journey) current(st *State) *policy.UserJourney {
	if n := len(st.Stack); n > 0 {
		if sj, ok := j.Policy.SubJourneys[st.Stack[n-1].SubJourney]; ok {
			return sj
		}
	}
	return j.Journey
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
	// Combined is set for a CombinedSignInAndSignUp step, whose page also has
	// the local-account form in B2C.
	Combined bool
	// Local is the step's own claims exchange (ValidationClaimsExchangeId):
	// the sign-in form the page shows, its first two fields (username and
	// password); nil when the step has none.
	Local *Show
	// SignUp is the exchange the "Sign up now" link selects (the local
	// profile's SignUpTarget metadata); "" when there is none.
	SignUp string
	// ForgotPassword is the exchange the "Forgot your password?" link selects
	// (setting.forgotPasswordLinkOverride); "" means the link ends the journey
	// with AADB2C90118 (ForgotPassword).
	ForgotPassword string
	// HideForgotPassword is setting.forgotPasswordLinkLocation=None.
	HideForgotPassword bool
}

// Show renders a self-asserted page.
type Show struct {
	ProfileID string
	Form      *profile.Form
}

// Send is the end of the journey: the issuer profile and the relying party's claims.
type Send struct {
	IssuerID string
	Issuer   profile.Issuer
	Claims   map[string]any
}

func (Redirect) action() {}
func (Show) action()     {}
func (Select) action()   {}
func (Send) action()     {}

func stepName(s policy.OrchestrationStep) string {
	return "step " + strconv.Itoa(s.Order)
}

// Advance runs steps until one needs the browser or the journey ends. It
// stops with ErrStepBudget or ErrDepthLimit when the journey loops, and with
// the context's cause once ctx is done.
func (j *Journey) Advance(ctx context.Context, env *profile.Env, st *State) (Action, error) {
	j.bind(env)
	if st.Done {
		return nil, ErrFinished
	}
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s stopped at step index %d: %w", j.where(st), st.Step, context.Cause(ctx))
		}
		if n == j.maxSteps() {
			return nil, fmt.Errorf("%s: more than %d orchestration steps in one request, the journey loops: %w", j.where(st), j.maxSteps(), ErrStepBudget)
		}
		cur := j.current(st)
		steps := cur.Steps
		if st.Step >= len(steps) {
			n := len(st.Stack)
			if n > 0 && st.Stack[n-1].Call {
				st.Step = st.Stack[n-1].Return
				st.Stack = st.Stack[:n-1]
				continue
			}
			return nil, profile.Errorf(profile.CodeServerError, ErrNoSendClaims, "AADB2C90040: User journey '%s' does not contain a send claims step.", cur.ID)
		}
		s := steps[st.Step]
		if claims.Skip(s.Preconditions, env.Claims) {
			// A selection picks an exchange of the next step only: a skipped
			// step consumes it, so it cannot leak into a later step.
			st.Selected = ""
			st.Step++
			continue
		}
		switch s.Type {
		case StepInvokeSubJourney:
			if len(s.JourneyList) == 0 {
				return nil, fmt.Errorf("%s of journey %s invokes no sub journey", stepName(s), cur.ID)
			}
			id := s.JourneyList[0].SubJourneyReferenceID
			sj, ok := j.Policy.SubJourneys[id]
			if !ok {
				return nil, fmt.Errorf("%s of journey %s: sub journey %q is not defined", stepName(s), cur.ID, id)
			}
			if len(st.Stack) >= j.maxDepth() {
				return nil, fmt.Errorf("%s: %s invokes sub journey %s beyond %d nested sub journeys, the journey loops: %w",
					j.where(st), stepName(s), id, j.maxDepth(), ErrDepthLimit)
			}
			st.Stack = append(st.Stack, Frame{SubJourney: id, Call: sj.Type != SubJourneyTransfer, Return: st.Step + 1})
			st.Step = 0
		case StepClaimsProviderSelection, StepCombinedSignInAndSignUp:
			opts := j.options(steps, st.Step)
			local, err := j.localExchange(s)
			if err != nil {
				return nil, err
			}
			if sel, restored := j.selectBySession(env, st, opts, local); sel != "" || restored {
				st.Selected = sel
				st.Step++
				continue
			}
			if local == nil {
				single := s.ClaimsProviderSelections == nil || s.ClaimsProviderSelections.DisplayOption != ShowSingleProvider
				if len(opts) == 1 && single {
					st.Selected = opts[0].ExchangeID
					st.Step++
					continue
				}
				if len(opts) == 0 {
					return nil, fmt.Errorf("%s of journey %s offers no claims exchange", stepName(s), cur.ID)
				}
				return Select{Step: st.Step, Options: opts, Combined: s.Type == StepCombinedSignInAndSignUp}, nil
			}
			if err := j.transform(env, local.TechnicalProfileReferenceID, inputTransformations); err != nil {
				return nil, fmt.Errorf("claims exchange %s: %w", local.ID, err)
			}
			a := j.Profiles[local.TechnicalProfileReferenceID].(profile.Asserter) // localExchange checked
			f, err := a.Form(env, nil)
			if err != nil {
				return nil, fmt.Errorf("claims exchange %s: %w", local.ID, err)
			}
			st.Pending = local.TechnicalProfileReferenceID
			return j.selection(st, s, opts, f), nil
		case StepClaimsExchange:
			ex, err := j.exchange(s, st.Selected)
			if err != nil {
				return nil, err
			}
			st.Selected = ""
			id := ex.TechnicalProfileReferenceID
			if j.skipBySession(env, st, id) {
				st.Step++
				continue
			}
			if err := j.transform(env, id, inputTransformations); err != nil {
				return nil, fmt.Errorf("claims exchange %s: %w", ex.ID, err)
			}
			switch p := j.Profiles[id].(type) {
			case profile.Redirector:
				u, err := p.Start(ctx, env)
				if err != nil {
					return nil, fmt.Errorf("claims exchange %s: %w", ex.ID, err)
				}
				st.Pending = id
				return Redirect{URL: u, ProfileID: id}, nil
			case profile.Asserter:
				f, err := p.Form(env, nil)
				if err != nil {
					return nil, fmt.Errorf("claims exchange %s: %w", ex.ID, err)
				}
				st.Pending = id
				return Show{ProfileID: id, Form: f}, nil
			case profile.Caller:
				if err := j.call(ctx, env, id, p); err != nil {
					return nil, fmt.Errorf("claims exchange %s: %w", ex.ID, err)
				}
				j.used(st, id)
				st.Step++
			default:
				return nil, fmt.Errorf("claims exchange %s: technical profile %s cannot run in a ClaimsExchange step", ex.ID, id)
			}
		case StepSendClaims:
			id := s.CpimIssuerTechnicalProfileReferenceID
			if id == "" {
				id = j.DefaultIssuer(cur)
			}
			iss, ok := j.Profiles[id].(profile.Issuer)
			if !ok {
				return nil, fmt.Errorf("AADB2C90108: %s of journey %s has no usable CpimIssuerTechnicalProfileReferenceId (%q)", stepName(s), cur.ID, id)
			}
			rp, err := j.RelyingPartyClaims(env)
			if err != nil {
				return nil, err
			}
			st.Done = true
			return Send{IssuerID: id, Issuer: iss, Claims: rp}, nil
		default:
			return nil, fmt.Errorf("%s of journey %s: step type %s is not supported by the emulator yet", stepName(s), cur.ID, s.Type)
		}
	}
}

// DefaultIssuer is the issuer of a SendClaims step that names none: the
// journey's (or sub journey's) DefaultCpimIssuerTechnicalProfileReferenceId,
// else the CpimIssuerTechnicalProfileReferenceId of its first SendClaims step
// (the XSD's rule, UJ-08).
func (j *Journey) DefaultIssuer(cur *policy.UserJourney) string {
	for _, uj := range []*policy.UserJourney{cur, j.Journey} {
		if uj.DefaultCpimIssuerTechnicalProfileReferenceID != "" {
			return uj.DefaultCpimIssuerTechnicalProfileReferenceID
		}
	}
	for _, uj := range []*policy.UserJourney{cur, j.Journey} {
		for _, st := range uj.Steps {
			if st.Type == StepSendClaims && st.CpimIssuerTechnicalProfileReferenceID != "" {
				return st.CpimIssuerTechnicalProfileReferenceID
			}
		}
	}
	return ""
}

// options lists the selection buttons of the selection step at index i of
// steps: each TargetClaimsExchangeId with the technical profile of the next
// step's exchange.
func (j *Journey) options(steps []policy.OrchestrationStep, i int) []Option {
	s := steps[i]
	if s.ClaimsProviderSelections == nil {
		return nil
	}
	var next []policy.ClaimsExchange
	if i+1 < len(steps) {
		next = steps[i+1].ClaimsExchanges
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

// localExchange is the exchange of a selection step's own
// ValidationClaimsExchangeId (the local-account sign-in form of a
// CombinedSignInAndSignUp page), nil when the step has none.
func (j *Journey) localExchange(s policy.OrchestrationStep) (*policy.ClaimsExchange, error) {
	if s.ClaimsProviderSelections == nil {
		return nil, nil
	}
	for _, sel := range s.ClaimsProviderSelections.Selections {
		if sel.ValidationClaimsExchangeID == "" {
			continue
		}
		for i := range s.ClaimsExchanges {
			ex := &s.ClaimsExchanges[i]
			if ex.ID != sel.ValidationClaimsExchangeID {
				continue
			}
			if _, ok := j.Profiles[ex.TechnicalProfileReferenceID].(profile.Asserter); !ok {
				return nil, fmt.Errorf("%s of journey %s: ValidationClaimsExchangeId %s: technical profile %s is not self-asserted",
					stepName(s), j.Journey.ID, ex.ID, ex.TechnicalProfileReferenceID)
			}
			return ex, nil
		}
		return nil, fmt.Errorf("%s of journey %s: ValidationClaimsExchangeId %q: %w", stepName(s), j.Journey.ID, sel.ValidationClaimsExchangeID, ErrUnknownExchange)
	}
	return nil, nil
}

// selection is the page of selection step s with the local sign-in form f:
// its first two fields only, the username and the password (spec DIR §3.2 R3).
func (j *Journey) selection(st *State, s policy.OrchestrationStep, opts []Option, f *profile.Form) Select {
	if len(f.Fields) > 2 {
		f.Fields = f.Fields[:2]
	}
	sel := Select{Step: st.Step, Options: opts, Combined: s.Type == StepCombinedSignInAndSignUp, Local: &Show{ProfileID: st.Pending, Form: f}}
	if tp, ok := j.Policy.TechnicalProfiles[st.Pending]; ok {
		if len(f.Fields) > 0 && strings.EqualFold(profile.MetadataValue(tp, "setting.operatingMode"), "Email") {
			f.Fields[0].Type = "EmailBox" // the username is an email address (spec DIR §2.7)
		}
		sel.SignUp = profile.MetadataValue(tp, "SignUpTarget")
		sel.ForgotPassword = profile.MetadataValue(tp, "setting.forgotPasswordLinkOverride")
		sel.HideForgotPassword = strings.EqualFold(profile.MetadataValue(tp, "setting.forgotPasswordLinkLocation"), "None")
		if v := profile.MetadataValue(tp, "setting.showSignupLink"); strings.EqualFold(v, "false") {
			sel.SignUp = ""
		}
	}
	return sel
}

// ForgotPasswordMessage is B2C's error when the user follows the "Forgot your
// password?" link of a sign-in page whose profile overrides nothing: the
// relying party is to start its password-reset policy.
const ForgotPasswordMessage = "AADB2C90118: The user has forgotten their password."

// ForgotPassword follows the sign-in page's "Forgot your password?" link: the
// override exchange of setting.forgotPasswordLinkOverride when the profile
// has one (the next step runs it), else the journey ends with access_denied
// and AADB2C90118.
func (j *Journey) ForgotPassword(st *State) error {
	cur := j.current(st)
	if st.Step >= len(cur.Steps) || st.Pending == "" {
		return ErrNotWaiting
	}
	if tp, ok := j.Policy.TechnicalProfiles[st.Pending]; ok {
		if ex := profile.MetadataValue(tp, "setting.forgotPasswordLinkOverride"); ex != "" {
			return j.Choose(st, ex)
		}
	}
	st.Pending = ""
	return &profile.Error{Code: profile.CodeAccessDenied, Message: ForgotPasswordMessage}
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

// Choose records the user's pick at a selection step and moves past it: a
// button, or on a page with a local sign-in form the exchanges its sign-up
// and forgot-password links select (any exchange of the next step).
func (j *Journey) Choose(st *State, exchangeID string) error {
	steps := j.current(st).Steps
	ok := false
	for _, o := range j.options(steps, st.Step) {
		ok = ok || strings.EqualFold(o.ExchangeID, exchangeID)
	}
	if !ok && st.Pending != "" && st.Step+1 < len(steps) {
		for _, ex := range steps[st.Step+1].ClaimsExchanges {
			ok = ok || strings.EqualFold(ex.ID, exchangeID)
		}
	}
	if !ok || st.Step >= len(steps) {
		return fmt.Errorf("choose %q: %w", exchangeID, ErrUnknownExchange)
	}
	st.Pending = ""
	st.Selected = exchangeID
	for _, ex := range append(slices.Clone(steps[st.Step].ClaimsExchanges), nextExchanges(steps, st.Step)...) {
		if strings.EqualFold(ex.ID, exchangeID) {
			st.Selected = ex.ID
		}
	}
	st.Step++
	return nil
}

func nextExchanges(steps []policy.OrchestrationStep, i int) []policy.ClaimsExchange {
	if i+1 < len(steps) {
		return steps[i+1].ClaimsExchanges
	}
	return nil
}

// Resume hands a party's answer to the pending technical profile and advances.
func (j *Journey) Resume(ctx context.Context, env *profile.Env, st *State, params map[string][]string) (Action, error) {
	if st.Pending == "" {
		return nil, ErrNotWaiting
	}
	j.bind(env)
	r, ok := j.Profiles[st.Pending].(profile.Redirector)
	if !ok {
		return nil, fmt.Errorf("resume %s: %w", st.Pending, ErrNotWaiting)
	}
	id := st.Pending
	st.Pending = ""
	if err := r.Complete(ctx, env, params); err != nil {
		return nil, err
	}
	if err := j.transform(env, id, outputTransformations); err != nil {
		return nil, err
	}
	st.Federated = append(st.Federated, id)
	j.used(st, id)
	st.Step++
	return j.Advance(ctx, env, st)
}

// CancelMessage is B2C's error when the user cancels a self-asserted page.
const CancelMessage = "AADB2C90091: The user has cancelled entering self-asserted information."

// SubmitForm takes the user's answer to a self-asserted page. A field error or
// a validation profile's failure shows the page again, with what the user
// typed and the message; success moves on. Cancel ends the journey with
// access_denied (AADB2C90091).
func (j *Journey) SubmitForm(ctx context.Context, env *profile.Env, st *State, values url.Values, cancel bool) (Action, error) {
	id := st.Pending
	a, ok := j.Profiles[id].(profile.Asserter)
	if !ok {
		return nil, ErrNotWaiting
	}
	if cancel {
		st.Pending = ""
		return nil, &profile.Error{Code: profile.CodeAccessDenied, Message: CancelMessage}
	}
	j.bind(env)
	// The page and its validation chain work on a copy of the claims bag: a
	// validation profile's outputs reach the journey only when the
	// self-asserted profile lists them as output claims too (spec §5.4, UJ-06).
	scratch := *env
	scratch.Claims = env.Claims.Clone()
	err := a.Submit(ctx, &scratch, values, func(ctx context.Context, vid string) error { return j.validate(ctx, &scratch, vid) })
	if err != nil {
		f, ferr := a.Form(env, values)
		if ferr != nil {
			return nil, ferr
		}
		var fe *profile.FormError
		var ue *profile.UserError
		var ae *claims.AssertionError
		var pe *profile.Error
		switch {
		case errors.As(err, &fe):
			for i := range f.Fields {
				f.Fields[i].Error = fe.Fields[f.Fields[i].ID]
			}
			f.Messages = fe.Messages
		case errors.As(err, &ue):
			f.Error = ue
			if ue.StringID != "" {
				if text, ok := j.Policy.Localized(j.contentDefinition(st, id), "ErrorMessage", "", ue.StringID); ok {
					c := *ue
					c.UserMessage = text
					f.Error = &c
				}
			}
		case errors.As(err, &ae):
			// An assertion transformation of a validation profile failed: the
			// page shows the self-asserted profile's UserMessageIf… text, the
			// page's localized string of that id, or B2C's default (spec
			// §4.2, CTP-02/03).
			var md policy.Metadata
			if tp, ok := j.Policy.TechnicalProfiles[id]; ok {
				md = tp.Metadata
			}
			msg := ae.UserMessage(md)
			if v, _ := md.Get(ae.MetadataKey); v == "" {
				if text, ok := j.Policy.Localized(j.contentDefinition(st, id), "ErrorMessage", "", ae.MetadataKey); ok {
					msg = text
				}
			}
			f.Error = &profile.UserError{UserMessage: msg, ProfileID: id}
		case errors.As(err, &pe):
			// A validation profile that could not run (a REST API down): B2C
			// shows its message on the page.
			f.Error = &profile.UserError{UserMessage: pe.Message, ProfileID: id}
		default:
			return nil, err
		}
		if s, ok := j.currentStep(st); ok && s.Type != StepClaimsExchange {
			// The local sign-in form of a selection page.
			return j.selection(st, s, j.options(j.current(st).Steps, st.Step), f), nil
		}
		return Show{ProfileID: id, Form: f}, nil
	}
	passwords := map[string]bool{}
	if pc, ok := a.(interface{ PasswordClaims() []string }); ok {
		for _, c := range pc.PasswordClaims() {
			passwords[c] = true
		}
	}
	if tp, ok := j.Policy.TechnicalProfiles[id]; ok {
		for _, ref := range tp.OutputClaims {
			if passwords[ref.ClaimTypeReferenceID] {
				// Passwords reach the validation profiles only (spec DIR §3.2 R8).
				continue
			}
			if v, ok := scratch.Claims.Value(ref.ClaimTypeReferenceID); ok {
				env.Claims.Set(ref.ClaimTypeReferenceID, v)
			} else {
				env.Claims.Delete(ref.ClaimTypeReferenceID)
			}
		}
	}
	if err := j.transform(env, id, outputTransformations); err != nil {
		return nil, err
	}
	j.used(st, id)
	st.Pending = ""
	st.Step++
	return j.Advance(ctx, env, st)
}

// contentDefinition is the content definition of the page profile id shows:
// the step's own for a selection step (the unified page), else the profile's
// ContentDefinitionReferenceId metadata.
func (j *Journey) contentDefinition(st *State, id string) string {
	if s, ok := j.currentStep(st); ok && s.Type != StepClaimsExchange && s.ContentDefinitionReferenceID != "" {
		return s.ContentDefinitionReferenceID
	}
	if tp, ok := j.Policy.TechnicalProfiles[id]; ok {
		return profile.MetadataValue(tp, "ContentDefinitionReferenceId")
	}
	return ""
}

// currentStep is the orchestration step st stands at.
func (j *Journey) currentStep(st *State) (policy.OrchestrationStep, bool) {
	steps := j.current(st).Steps
	if st.Step < 0 || st.Step >= len(steps) {
		return policy.OrchestrationStep{}, false
	}
	return steps[st.Step], true
}

// validate runs a validation technical profile: its input claims
// transformations, the call, its output claims transformations.
func (j *Journey) validate(ctx context.Context, env *profile.Env, id string) error {
	c, ok := j.Profiles[id].(profile.Caller)
	if !ok {
		return fmt.Errorf("validation technical profile %s cannot be called", id)
	}
	if err := j.transform(env, id, inputTransformations); err != nil {
		return err
	}
	return j.call(ctx, env, id, c)
}

// call runs a Caller and then its output claims transformations.
func (j *Journey) call(ctx context.Context, env *profile.Env, id string, c profile.Caller) error {
	if err := c.Call(ctx, env); err != nil {
		return err
	}
	return j.transform(env, id, outputTransformations)
}

type transformationKind int

const (
	inputTransformations transformationKind = iota
	outputTransformations
)

// transform runs a technical profile's input or output claims transformations
// (spec §1.2 steps 2 and 7) over the claims bag.
func (j *Journey) transform(env *profile.Env, id string, kind transformationKind) error {
	tp, ok := j.Policy.TechnicalProfiles[id]
	if !ok {
		return nil
	}
	refs := tp.InputClaimsTransformations
	if kind == outputTransformations {
		refs = tp.OutputClaimsTransformations
	}
	for _, ref := range refs {
		ct, ok := j.Policy.ClaimsTransformations[ref.ReferenceID]
		if !ok {
			return fmt.Errorf("technical profile %s: claims transformation %q is not defined", id, ref.ReferenceID)
		}
		// Date transformations read the journey's clock (an injected one in
		// tests); Hash reads its secret from the policy keys.
		cenv := claims.Env{Now: env.Now}
		if env.Keys != nil {
			cenv.Secret = env.Keys.Secret
		}
		if err := claims.TransformWith(ct, env.Claims, cenv); err != nil {
			return fmt.Errorf("technical profile %s: %w", id, err)
		}
	}
	return nil
}

// bind gives env the journey's policy, by whose DefaultPartnerClaimTypes the
// technical profiles name claims on the wire, unless the caller set one.
func (j *Journey) bind(env *profile.Env) {
	if env != nil && env.Policy == nil {
		env.Policy = j.Policy
	}
}

// RelyingPartyClaims builds the token claims from the RelyingParty OutputClaims
// (spec §5.5), named by Policy.PartnerClaimType for the relying party's
// protocol: PartnerClaimType, else the claim type's DefaultPartnerClaimTypes
// entry (OpenIdConnect: given_name for givenName), else the id. DefaultValue
// fills absent claims and resolves claim resolvers when AlwaysUseDefaultValue
// is set, claims without a value are left out, and values are typed by their
// ClaimType DataType.
func (j *Journey) RelyingPartyClaims(env *profile.Env) (map[string]any, error) {
	out := map[string]any{}
	rp := j.Policy.RelyingParty
	if rp == nil {
		return out, nil
	}
	protocol := rp.TechnicalProfile.ProtocolName()
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
		out[j.Policy.PartnerClaimType(ref, protocol)] = typed(v, dataType)
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
