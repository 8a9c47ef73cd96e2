package claims

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/iefconform/iefconform/engine/policy"
)

// Boolean claims transformations, as B2C's boolean-transformations article
// describes them. Boolean claims hold the text "true" or "false"; they are
// read as .NET's bool.Parse reads them (any case, surrounding space ignored)
// and written in lowercase.

// parseBool reads a boolean claim value or parameter.
func parseBool(v string) (bool, bool) {
	switch v = strings.TrimSpace(v); {
	case strings.EqualFold(v, "true"):
		return true, true
	case strings.EqualFold(v, "false"):
		return false, true
	}
	return false, false
}

// boolInput reads the boolean claim bound to a required input slot. present
// is false when the claim is not in the bag.
func boolInput(ct *policy.ClaimsTransformation, bag *Bag, slot string) (v, present bool, err error) {
	s, present, err := scalarInput(ct, bag, slot)
	if err != nil || !present {
		return false, present, err
	}
	v, ok := parseBool(s)
	if !ok {
		return false, true, fmt.Errorf("input claim %s: want true or false, got %q: %w", slot, s, ErrInvalidClaimValue)
	}
	return v, true, nil
}

// boolInput is boolInput read through a.
func (a *args) boolInput(slot string) (v, present bool) {
	return readInput(a, func() (bool, bool, error) { return boolInput(a.ct, a.bag, slot) })
}

// scalarInput reads the claim bound to a required input slot that must hold
// one value: a stringCollection there is an ErrInvalidClaimValue.
func scalarInput(ct *policy.ClaimsTransformation, bag *Bag, slot string) (string, bool, error) {
	id, err := requiredInputClaim(ct, slot)
	if err != nil {
		return "", false, err
	}
	v, present := bag.Value(id)
	if !present {
		return "", false, nil
	}
	if _, isColl := v.([]string); isColl {
		return "", true, fmt.Errorf("input claim %s: want one value, got a collection: %w", slot, ErrInvalidClaimValue)
	}
	return String(v), true, nil
}

// requiredBool reads a boolean input parameter the method needs.
func (a *args) requiredBool(id string) bool {
	s := a.param(id)
	if a.err != nil {
		return false
	}
	v, ok := parseBool(s)
	if !ok {
		a.err = fmt.Errorf("input parameter %s: want true or false, got %q", id, s)
	}
	return v
}

// boolParam reads an optional boolean input parameter, def when it is absent.
func (a *args) boolParam(id string, def bool) bool {
	return read(a, func() (bool, error) { return boolParameter(a.ct, id, def) })
}

// andClaims sets outputClaim to inputClaim1 AND inputClaim2.
func andClaims(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	return binaryBool(ct, bag, func(a, b bool) bool { return a && b })
}

// orClaims sets outputClaim to inputClaim1 OR inputClaim2.
func orClaims(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	return binaryBool(ct, bag, func(a, b bool) bool { return a || b })
}

// binaryBool sets outputClaim to op(inputClaim1, inputClaim2); an absent
// input leaves it unset.
func binaryBool(ct *policy.ClaimsTransformation, bag *Bag, op func(a, b bool) bool) error {
	a := newArgs(ct, bag)
	out := a.output("outputClaim")
	x, okX := a.boolInput("inputClaim1")
	y, okY := a.boolInput("inputClaim2")
	return a.result(out, okX && okY, strconv.FormatBool(op(x, y)))
}

// notClaims sets outputClaim to NOT inputClaim; the two may be one claim.
func notClaims(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("outputClaim")
	v, ok := a.boolInput("inputClaim")
	return a.result(out, ok, strconv.FormatBool(!v))
}

// compareBooleanClaimToValue sets compareResult to whether inputClaim equals
// valueToCompareTo.
func compareBooleanClaimToValue(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, want := a.output("compareResult"), a.requiredBool("valueToCompareTo")
	v, ok := a.boolInput("inputClaim")
	return a.result(out, ok, strconv.FormatBool(v == want))
}

// assertBooleanClaimIsEqualToValue fails with an *AssertionError (metadata
// UserMessageIfClaimsTransformationBooleanValueIsNotEqual) unless inputClaim
// equals valueToCompareTo. An absent input claim fails the assertion too; a
// value that is not a boolean is an ErrInvalidClaimValue.
func assertBooleanClaimIsEqualToValue(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	want := a.requiredBool("valueToCompareTo")
	v, ok := a.boolInput("inputClaim")
	if a.err != nil {
		return a.err
	}
	fail := assertionFailure(ct, KeyBooleanValueIsNotEqual, `Boolean claim value comparison failed for claim type "inputClaim".`)
	switch {
	case !ok:
		return fail("inputClaim is not in the claims bag")
	case v != want:
		return fail(fmt.Sprintf("inputClaim is %t, want %t", v, want))
	}
	return nil
}
