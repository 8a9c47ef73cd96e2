// Package selfasserted is the self-asserted technical profile: a page that
// shows input and output claims as fields (element ids equal to the claim type
// ids, input types from the ClaimsSchema's UserInputType and Restriction),
// checks what the user typed, and runs the profile's
// ValidationTechnicalProfiles in order (spec §5.4) before the journey goes on.
package selfasserted

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// Handler is the Proprietary handler of self-asserted profiles.
const Handler = "Web.TPEngine.Providers.SelfAssertedAttributeProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"

// Messages shown next to fields.
const (
	MsgRequired = "This information is required."
	MsgPattern  = "Please match the requested format."
	MsgOption   = "Please select a valid option."
)

// Profile runs a self-asserted technical profile.
type Profile struct {
	id          string
	title       string
	inputs      []policy.ClaimRef
	outputs     []policy.ClaimRef
	types       map[string]*policy.ClaimType
	validations []policy.ValidationTechnicalProfile
	patterns    map[string]*regex
}

// New parses a self-asserted technical profile of policy p.
func New(p *policy.Policy, tp *policy.TechnicalProfile) (*Profile, policy.Problems) {
	var probs policy.Problems
	sp := &Profile{id: tp.ID, title: tp.DisplayName, inputs: tp.InputClaims, outputs: tp.OutputClaims,
		types: p.ClaimTypes, validations: tp.ValidationTechnicalProfiles, patterns: map[string]*regex{}}
	for _, ref := range tp.OutputClaims {
		ct, ok := p.ClaimTypes[ref.ClaimTypeReferenceID]
		if !ok || ct.Restriction == nil || ct.Restriction.Pattern == nil {
			continue
		}
		re, err := compileRegex(ct.Restriction.Pattern.RegularExpression)
		if err != nil {
			probs = append(probs, policy.Problem{File: ct.Pos.File, Line: ct.Pos.Line, Path: "ClaimType[Id=" + ct.ID + "]/Restriction/Pattern",
				Message: "the RegularExpression does not compile: " + err.Error()})
			continue
		}
		sp.patterns[ct.ID] = re
	}
	return sp, probs
}

// inputType is the field type of a claim; a claim without UserInputType is a TextBox.
func (p *Profile) inputType(id string) string {
	if ct, ok := p.types[id]; ok && ct.UserInputType != "" {
		return ct.UserInputType
	}
	return "TextBox"
}

func editable(typ string) bool { return typ != "Readonly" && typ != "Paragraph" }

// Form renders the page: a field per output claim, prefilled from the claims
// bag (input claims prefill it), or with what the user typed last.
func (p *Profile) Form(env *profile.Env, values url.Values) (*profile.Form, error) {
	f := &profile.Form{ProfileID: p.id, Title: p.title}
	for _, ref := range p.outputs {
		id := ref.ClaimTypeReferenceID
		field := profile.Field{ID: id, Label: id, Type: p.inputType(id), Required: ref.Required}
		if ct, ok := p.types[id]; ok {
			if ct.DisplayName != "" {
				field.Label = ct.DisplayName
			}
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
		switch {
		case values != nil && values.Has(id):
			field.Value = values.Get(id)
		case env.Claims != nil:
			field.Value, _ = env.Claims.Get(id)
		}
		if field.Type == "Password" {
			field.Value = "" // never sent back to the browser
		}
		f.Fields = append(f.Fields, field)
	}
	return f, nil
}

// Submit checks the fields, writes them as claims and runs the validation
// technical profiles in order: a failing one stops the rest unless it has
// ContinueOnError; ContinueOnSuccess=false stops after a success; each may be
// skipped by its preconditions.
func (p *Profile) Submit(ctx context.Context, env *profile.Env, values url.Values, validate profile.Validate) error {
	fe := &profile.FormError{Fields: map[string]string{}}
	for _, ref := range p.outputs {
		id := ref.ClaimTypeReferenceID
		typ := p.inputType(id)
		if !editable(typ) {
			continue
		}
		v := values.Get(id)
		if typ != "Password" {
			v = strings.TrimSpace(v)
		}
		matches, err := p.matchesPattern(id, v)
		if err != nil {
			return err
		}
		switch {
		case v == "" && ref.Required:
			fe.Fields[id] = MsgRequired
		case !matches:
			msg := MsgPattern
			if ct := p.types[id]; ct != nil && ct.Restriction.Pattern.HelpText != "" {
				msg = ct.Restriction.Pattern.HelpText
			}
			fe.Fields[id] = msg
		case v != "" && !p.validOption(id, v):
			fe.Fields[id] = MsgOption
		}
		if v == "" {
			env.Claims.Delete(id)
		} else {
			env.Claims.Set(id, v)
		}
	}
	if len(fe.Fields) > 0 {
		return fe
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
	return nil
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
