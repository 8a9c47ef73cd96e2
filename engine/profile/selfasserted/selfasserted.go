// Package selfasserted is the self-asserted technical profile: a page that
// shows claims as fields (element ids equal to the claim type ids, input types
// from the ClaimsSchema's UserInputType and Restriction), checks what the user
// typed (required, Restriction Pattern, PredicateValidations, enumerations,
// newPassword equal to reenterPassword, Verified.Email codes), and runs the
// profile's ValidationTechnicalProfiles in order (spec §5.4, DIR spec §3)
// before the journey goes on.
package selfasserted

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// Handler is the Proprietary handler of self-asserted profiles.
const Handler = "Web.TPEngine.Providers.SelfAssertedAttributeProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"

// Messages shown next to fields and on the page (B2C's default texts).
const (
	MsgRequired         = "This information is required."
	MsgPattern          = "Please match the requested format."
	MsgOption           = "Please select a valid option."
	MsgPasswordMismatch = "The password entry fields do not match. Please enter the same password in both fields and try again."
	MsgFieldIncorrect   = "One or more fields are filled out incorrectly. Please check your entries and try again."
	MsgRequiredMissing  = "A required field is missing. Please fill out all required fields and try again."
	// MsgTooLong is the emulator's own text (B2C documents no limit; see
	// docs/behavior-decisions.md): a value over MaxValueLength characters.
	MsgTooLong = "This value is too long: enter at most 1024 characters."
)

// MaxValueLength bounds what a user can type into one field, in characters,
// so that a page cannot put a megabyte claim into a token [INF].
const MaxValueLength = 1024

// Page-level message element ids.
const (
	IDPasswordMismatch = "passwordEntryMismatch"
	IDFieldIncorrect   = "fieldIncorrect"
	IDRequiredMissing  = "requiredFieldMissing"
)

// The claim types B2C compares on a page: a new password and its repetition.
const (
	claimNewPassword     = "newPassword"
	claimReenterPassword = "reenterPassword"
)

// Profile runs a self-asserted technical profile.
type Profile struct {
	id      string
	title   string
	inputs  []policy.ClaimRef
	outputs []policy.ClaimRef
	// fields are the claims the page renders, in order (spec §3.2).
	fields      []field
	types       map[string]*policy.ClaimType
	validations []policy.ValidationTechnicalProfile
	patterns    map[string]*regex
	predicates  map[string]*predicateValidation
	verify      verifySettings
	hideCont    bool
	hideCancel  bool
	// localized looks a text up in the page's localized resources (its
	// content definition's, in the policy's default language).
	localized func(elementType, elementID, stringID string) (string, bool)
}

// field is a rendered claim.
type field struct {
	id       string
	required bool
	// verify marks a claim whose value must be verified with a code.
	verify bool
}

// New parses a self-asserted technical profile of policy p.
func New(p *policy.Policy, tp *policy.TechnicalProfile) (*Profile, policy.Problems) {
	var probs policy.Problems
	sp := &Profile{id: tp.ID, title: tp.DisplayName, inputs: tp.InputClaims, outputs: tp.OutputClaims,
		types: p.ClaimTypes, validations: tp.ValidationTechnicalProfiles,
		patterns: map[string]*regex{}, predicates: map[string]*predicateValidation{}}
	sp.fields = renderedClaims(p, tp)
	cd := profile.MetadataValue(tp, "ContentDefinitionReferenceId")
	sp.localized = func(elementType, elementID, stringID string) (string, bool) {
		return p.Localized(cd, elementType, elementID, stringID)
	}
	var err error
	if sp.verify, err = readVerifySettings(tp); err != nil {
		probs = append(probs, metadataProblem(tp, err))
	}
	for key, dst := range map[string]*bool{"setting.showContinueButton": &sp.hideCont, "setting.showCancelButton": &sp.hideCancel} {
		if v := profile.MetadataValue(tp, key); v != "" {
			show, err := profile.MetadataBool(tp, key)
			if err != nil {
				probs = append(probs, metadataProblem(tp, err))
			}
			*dst = !show
		}
	}
	for _, f := range sp.fields {
		ct, ok := p.ClaimTypes[f.id]
		if !ok {
			continue
		}
		if ct.Restriction != nil && ct.Restriction.Pattern != nil {
			re, err := compileRegex(ct.Restriction.Pattern.RegularExpression)
			if err != nil {
				probs = append(probs, policy.Problem{File: ct.Pos.File, Line: ct.Pos.Line, Path: "ClaimType[Id=" + ct.ID + "]/Restriction/Pattern",
					Message: "the RegularExpression does not compile: " + err.Error()})
			} else {
				sp.patterns[ct.ID] = re
			}
		}
		if ref := ct.PredicateValidationReference; ref != nil {
			pv, ps := compilePredicateValidation(p, ct, ref.ID)
			probs = append(probs, ps...)
			if pv != nil {
				sp.predicates[ct.ID] = pv
			}
		}
	}
	return sp, probs
}

// now is the journey's clock, or the wall clock outside one.
func now(env *profile.Env) time.Time {
	if env != nil && env.Now != nil {
		return env.Now()
	}
	return time.Now()
}

func metadataProblem(tp *policy.TechnicalProfile, err error) policy.Problem {
	return policy.Problem{File: tp.Pos.File, Line: tp.Pos.Line, Path: "TechnicalProfile[Id=" + tp.ID + "]/Metadata", Message: err.Error()}
}

// renderedClaims are the claims a self-asserted page shows (spec DIR §3.2):
// the DisplayClaims when the profile has any (R1); otherwise the output
// claims except those whose value comes by other means (R2): an output
// claim of a validation technical profile, one with a DefaultValue, one an
// output claims transformation of the profile produces.
func renderedClaims(p *policy.Policy, tp *policy.TechnicalProfile) []field {
	verified := map[string]bool{}
	for _, c := range tp.OutputClaims {
		if strings.EqualFold(c.PartnerClaimType, "Verified.Email") {
			verified[c.ClaimTypeReferenceID] = true
		}
	}
	var fs []field
	if len(tp.DisplayClaims) > 0 {
		for _, dc := range tp.DisplayClaims {
			if dc.ClaimTypeReferenceID == "" {
				continue // a display control: validate warns that the emulator shows none
			}
			fs = append(fs, field{id: dc.ClaimTypeReferenceID, required: dc.Required, verify: verified[dc.ClaimTypeReferenceID]})
		}
		return fs
	}
	other := map[string]bool{}
	for _, v := range tp.ValidationTechnicalProfiles {
		if vtp, ok := p.TechnicalProfiles[v.ReferenceID]; ok {
			// A claim the validation profile also takes as input is what the
			// user types (an API that normalises an email echoes it back).
			inputs := map[string]bool{}
			for _, c := range vtp.InputClaims {
				inputs[c.ClaimTypeReferenceID] = true
			}
			for _, c := range vtp.OutputClaims {
				if !inputs[c.ClaimTypeReferenceID] {
					other[c.ClaimTypeReferenceID] = true
				}
			}
		}
	}
	for _, ref := range tp.OutputClaimsTransformations {
		if ct, ok := p.ClaimsTransformations[ref.ReferenceID]; ok {
			for _, c := range ct.OutputClaims {
				other[c.ClaimTypeReferenceID] = true
			}
		}
	}
	for _, c := range tp.OutputClaims {
		if other[c.ClaimTypeReferenceID] || c.DefaultValue != nil {
			continue
		}
		fs = append(fs, field{id: c.ClaimTypeReferenceID, required: c.Required, verify: verified[c.ClaimTypeReferenceID]})
	}
	return fs
}

// inputType is the field type of a claim; a claim without UserInputType is a TextBox.
func (p *Profile) inputType(id string) string {
	if ct, ok := p.types[id]; ok && ct.UserInputType != "" {
		return ct.UserInputType
	}
	return "TextBox"
}

func editable(typ string) bool { return typ != "Readonly" && typ != "Paragraph" }

// label is the claim's display name (localized for the page), or its id.
func (p *Profile) label(id string) string {
	if v, ok := p.claimText(id, "DisplayName"); ok {
		return v
	}
	if ct, ok := p.types[id]; ok && ct.DisplayName != "" {
		return ct.DisplayName
	}
	return id
}

// claimText is the page's localized text stringID (DisplayName,
// UserHelpText, PatternHelpText) of claim id.
func (p *Profile) claimText(id, stringID string) (string, bool) {
	if p.localized == nil {
		return "", false
	}
	v, ok := p.localized("ClaimType", id, stringID)
	return v, ok && v != ""
}

// uxText is the page's localized UxElement stringID, or def.
func (p *Profile) uxText(stringID, def string) string {
	if p.localized != nil {
		if v, ok := p.localized("UxElement", "", stringID); ok && v != "" {
			return v
		}
	}
	return def
}

// Form renders the page: a field per rendered claim, prefilled from the
// claims bag (input claims prefill it), or with what the user typed last.
func (p *Profile) Form(env *profile.Env, values url.Values) (*profile.Form, error) {
	f := &profile.Form{ProfileID: p.id, Title: p.title, HideContinue: p.hideCont, HideCancel: p.hideCancel,
		ContinueLabel: p.uxText("button_continue", "Continue"), CancelLabel: p.uxText("button_cancel", "Cancel")}
	for _, fd := range p.fields {
		id := fd.id
		field := profile.Field{ID: id, Label: p.label(id), Type: p.inputType(id), Required: fd.required}
		if ct, ok := p.types[id]; ok {
			field.HelpText = ct.UserHelpText
			if r := ct.Restriction; r != nil {
				for _, e := range r.Enumerations {
					field.Options = append(field.Options, profile.Option{Value: e.Value, Text: e.Text, Selected: e.SelectByDefault})
				}
				if r.Pattern != nil {
					field.Pattern, field.PatternHelp = r.Pattern.RegularExpression, r.Pattern.HelpText
				}
			}
		}
		if v, ok := p.claimText(id, "UserHelpText"); ok {
			field.HelpText = v
		}
		if v, ok := p.claimText(id, "PatternHelpText"); ok && field.Pattern != "" {
			field.PatternHelp = v
		}
		switch {
		case values != nil && values.Has(id) && editable(field.Type):
			field.Value = values.Get(id)
		case env.Claims != nil:
			field.Value, _ = env.Claims.Get(id)
		}
		if field.Type == "Password" {
			field.Value = "" // never sent back to the browser
		}
		if fd.verify && p.verify.enforce {
			field.Verify = p.verification(env, id)
			if field.Verify.State == profile.VerifyVerified {
				field.Value = env.Data[verifyKey(p.id, id, "verified")]
			}
		}
		f.Fields = append(f.Fields, field)
	}
	return f, nil
}

// Submit handles a post of the page. A verification button (send, verify,
// edit the code's address) updates the controls and shows the page again.
// Continue checks the fields, writes them as claims and runs the validation
// technical profiles in order: a failing one stops the rest unless it has
// ContinueOnError; ContinueOnSuccess=false stops after a success; each may be
// skipped by its preconditions. Posted values of claims the page does not
// render as editable fields are ignored.
func (p *Profile) Submit(ctx context.Context, env *profile.Env, values url.Values, validate profile.Validate) error {
	if claim, op, ok := p.verifyAction(values.Get("action")); ok {
		return p.verifyStep(ctx, env, claim, op, values)
	}
	fe := &profile.FormError{Fields: map[string]string{}}
	missing, incorrect := false, false
	for _, fd := range p.fields {
		id := fd.id
		typ := p.inputType(id)
		if !editable(typ) {
			continue
		}
		v := values.Get(id)
		if typ != "Password" {
			v = strings.TrimSpace(v)
		}
		if fd.verify && p.verify.enforce && p.verification(env, id).State == profile.VerifyVerified {
			v = env.Data[verifyKey(p.id, id, "verified")] // locked once verified
		}
		msg, err := p.check(id, v, fd.required, now(env))
		if err != nil {
			return err
		}
		if msg != "" {
			fe.Fields[id] = msg
			if v == "" {
				missing = true
			} else {
				incorrect = true
			}
		}
		if v == "" {
			env.Claims.Delete(id)
		} else {
			env.Claims.Set(id, v)
		}
	}
	switch {
	case missing:
		fe.Messages = append(fe.Messages, profile.Message{ID: IDRequiredMissing, Text: MsgRequiredMissing})
	case incorrect:
		fe.Messages = append(fe.Messages, profile.Message{ID: IDFieldIncorrect, Text: MsgFieldIncorrect})
	}
	if len(fe.Fields) > 0 {
		return fe
	}
	if p.renders(claimNewPassword) && p.renders(claimReenterPassword) &&
		values.Get(claimNewPassword) != values.Get(claimReenterPassword) {
		return &profile.FormError{Fields: map[string]string{},
			Messages: []profile.Message{{ID: IDPasswordMismatch, Text: MsgPasswordMismatch}}}
	}
	if err := p.checkVerified(env); err != nil {
		return err
	}
	for _, vtp := range p.validations {
		if claims.Skip(vtp.Preconditions, env.Claims) {
			continue
		}
		if err := validate(ctx, vtp.ReferenceID); err != nil {
			if vtp.ContinueOnError != nil && *vtp.ContinueOnError {
				continue
			}
			return err
		}
		if vtp.ContinueOnSuccess != nil && !*vtp.ContinueOnSuccess {
			break
		}
	}
	// Output claims with a DefaultValue that nothing set take it (spec DIR §3.2 R7).
	for _, ref := range p.outputs {
		if ref.DefaultValue == nil {
			continue
		}
		if _, ok := env.Claims.Value(ref.ClaimTypeReferenceID); ok && !ref.AlwaysUseDefaultValue {
			continue
		}
		d := *ref.DefaultValue
		if env.Resolver != nil {
			var err error
			if d, err = env.Resolver.Resolve(d); err != nil {
				return fmt.Errorf("output claim %s: %w", ref.ClaimTypeReferenceID, err)
			}
		}
		env.Claims.Set(ref.ClaimTypeReferenceID, d)
	}
	return nil
}

// PasswordClaims lists the claims of the page whose input type is Password:
// they reach the validation profiles only, never the journey (spec DIR §3.2 R8).
func (p *Profile) PasswordClaims() []string {
	var ids []string
	for _, f := range p.fields {
		if p.inputType(f.id) == "Password" {
			ids = append(ids, f.id)
		}
	}
	return ids
}

func (p *Profile) renders(id string) bool {
	for _, f := range p.fields {
		if f.id == id {
			return true
		}
	}
	return false
}

// check returns the message for value v of claim id, "" when it is fine:
// required, then the Restriction Pattern, the PredicateValidation and the
// enumeration. A pattern that cannot finish matching is an error.
func (p *Profile) check(id, v string, required bool, now time.Time) (string, error) {
	if v == "" {
		if required {
			return MsgRequired, nil
		}
		return "", nil
	}
	if utf8.RuneCountInString(v) > MaxValueLength {
		return MsgTooLong, nil
	}
	matches, err := p.matchesPattern(id, v)
	if err != nil {
		return "", err
	}
	if !matches {
		if v, ok := p.claimText(id, "PatternHelpText"); ok {
			return v, nil
		}
		if ct := p.types[id]; ct != nil && ct.Restriction.Pattern.HelpText != "" {
			return ct.Restriction.Pattern.HelpText, nil
		}
		return MsgPattern, nil
	}
	if pv := p.predicates[id]; pv != nil {
		msg, err := pv.check(v, now)
		if err != nil {
			return "", fmt.Errorf("claim type %s: %w", id, err)
		}
		if msg != "" {
			return msg, nil
		}
	}
	if !p.validOption(id, v) {
		return MsgOption, nil
	}
	return "", nil
}

// matchesPattern reports whether v satisfies the Restriction Pattern of claim
// type id; an empty value or a claim without a pattern does. A pattern that
// cannot finish matching (ErrRegexTimeout) is an error, not a mismatch.
func (p *Profile) matchesPattern(id, v string) (bool, error) {
	re := p.patterns[id]
	if v == "" || re == nil {
		return true, nil
	}
	ok, err := re.match(v)
	if err != nil {
		return false, fmt.Errorf("claim type %s: Restriction/Pattern: %w", id, err)
	}
	return ok, nil
}

func (p *Profile) validOption(id, v string) bool {
	ct, ok := p.types[id]
	if !ok || ct.Restriction == nil || len(ct.Restriction.Enumerations) == 0 {
		return true
	}
	for _, e := range ct.Restriction.Enumerations {
		if e.Value == v {
			return true
		}
	}
	return false
}
