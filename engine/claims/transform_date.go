package claims

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/iefconform/iefconform/engine/policy"
)

// Date claims transformations, as B2C's date-transformations article
// describes them. A dateTime claim is written as B2C writes it,
// 2022-01-03T11:34:22.0000000Z (UTC, seven fraction digits), a date claim as
// 2022-01-03; both are read with or without fraction and offset, an absent
// offset meaning UTC.

// Layouts of the date and dateTime claims the transformations write.
const (
	DateTimeLayout = "2006-01-02T15:04:05.0000000Z"
	DateLayout     = "2006-01-02"
)

// now is the clock of the date transformations, in UTC.
func (e Env) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

// parseDateTime reads a date or dateTime claim value: ISO 8601 with a
// T-separated time (fraction and offset optional; none means UTC) or a date
// alone (midnight UTC).
func parseDateTime(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", DateLayout} {
		// Go accepts a fractional second after the seconds field of any layout.
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// dateTimeInput reads the date or dateTime claim bound to a required input
// slot. present is false when the claim is absent or empty.
func dateTimeInput(ct *policy.ClaimsTransformation, bag *Bag, slot string) (t time.Time, present bool, err error) {
	s, present, err := scalarInput(ct, bag, slot)
	if err != nil || !present || strings.TrimSpace(s) == "" {
		return time.Time{}, false, err
	}
	t, ok := parseDateTime(s)
	if !ok {
		return time.Time{}, true, fmt.Errorf("input claim %s: want an ISO 8601 date or date and time, got %q: %w", slot, s, ErrInvalidClaimValue)
	}
	return t, true, nil
}

// dateTime is dateTimeInput read through a.
func (a *args) dateTime(slot string) (t time.Time, present bool) {
	return readInput(a, func() (time.Time, bool, error) { return dateTimeInput(a.ct, a.bag, slot) })
}

// int32Param reads an optional int input parameter (.NET Int32), def when it
// is absent.
func (a *args) int32Param(id string, def int64) int64 {
	p, ok := inputParameter(a.ct, id)
	if a.err != nil || !ok {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(p.Value), 10, 32)
	if err != nil {
		a.err = fmt.Errorf("input parameter %s: want an int, got %q", id, p.Value)
		return 0
	}
	return n
}

// getCurrentDateTime sets currentDateTime to the current UTC time.
func getCurrentDateTime(ct *policy.ClaimsTransformation, bag *Bag, env Env) error {
	out, err := outputClaim(ct, "currentDateTime")
	if err != nil {
		return err
	}
	bag.Set(out, env.now().Format(DateTimeLayout))
	return nil
}

// convertDateTimeToDateClaim sets outputClaim to the UTC date of inputClaim.
func convertDateTimeToDateClaim(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	return convertDate(ct, bag, func(t time.Time) string { return t.Format(DateLayout) })
}

// convertDateToDateTimeClaim sets outputClaim to midnight UTC of the date of
// inputClaim.
func convertDateToDateTimeClaim(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	return convertDate(ct, bag, func(t time.Time) string {
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(DateTimeLayout)
	})
}

// convertDate sets outputClaim to inputClaim's date and time written by
// format; an absent input leaves the output unset.
func convertDate(ct *policy.ClaimsTransformation, bag *Bag, format func(time.Time) string) error {
	a := newArgs(ct, bag)
	out := a.output("outputClaim")
	t, ok := a.dateTime("inputClaim")
	return a.result(out, ok, format(t))
}

// dateTimeComparison sets the boolean result to whether firstDateTime plus
// timeSpanInSeconds is the same as (to the second), later than or earlier
// than secondDateTime. An absent firstDateTime is an error, an absent
// secondDateTime is the current time.
func dateTimeComparison(ct *policy.ClaimsTransformation, bag *Bag, env Env) error {
	a := newArgs(ct, bag)
	out, op := a.output("result"), a.param("operator")
	if a.err != nil {
		return a.err
	}
	var cmp func(a, b time.Time) bool
	switch strings.ToLower(strings.Join(strings.Fields(op), " ")) {
	case "same":
		cmp = func(a, b time.Time) bool { return a.Truncate(time.Second).Equal(b.Truncate(time.Second)) }
	case "later than", "greater than":
		cmp = time.Time.After
	case "earlier than", "less than":
		cmp = time.Time.Before
	default:
		return fmt.Errorf("input parameter operator: want same, later than or earlier than, got %q", op)
	}
	span := a.int32Param("timeSpanInSeconds", 0)
	first, ok := a.dateTime("firstDateTime")
	switch {
	case a.err != nil:
		return a.err
	case !ok:
		return fmt.Errorf("input claim firstDateTime is not in the claims bag: %w", ErrInvalidClaimValue)
	}
	second, ok := a.dateTime("secondDateTime")
	if a.err != nil {
		return a.err
	}
	if !ok {
		second = env.now()
	}
	bag.Set(out, strconv.FormatBool(cmp(first.Add(time.Duration(span)*time.Second), second)))
	return nil
}

// assertDateTimeIsGreaterThan fails with an *AssertionError (metadata
// DateTimeGreaterThan) unless leftOperand is later than rightOperand. Values
// within TreatAsEqualIfWithinMillseconds of each other are equal, which fails
// only when AssertIfEqualTo is true (the default). An absent rightOperand
// fails when AssertIfRightOperandIsNotPresent is true (the default), an absent
// leftOperand always.
func assertDateTimeIsGreaterThan(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	ifEqual := a.boolParam("AssertIfEqualTo", true)
	ifRightAbsent := a.boolParam("AssertIfRightOperandIsNotPresent", true)
	tolerance := a.int32Param("TreatAsEqualIfWithinMillseconds", 0)
	left, okL := a.dateTime("leftOperand")
	right, okR := a.dateTime("rightOperand")
	if a.err != nil {
		return a.err
	}
	fail := assertionFailure(ct, KeyDateTimeIsNotGreaterThan, "Claim value comparison failed: The provided left operand is greater than the right operand.")
	switch {
	case !okL:
		return fail("leftOperand is not in the claims bag")
	case !okR && ifRightAbsent:
		return fail("rightOperand is not in the claims bag")
	case !okR:
		return nil
	}
	diff := left.Sub(right) // saturates at ±292 years; Abs of the minimum is the maximum
	within := time.Duration(tolerance) * time.Millisecond
	switch {
	case diff.Abs() <= within:
		if ifEqual {
			return fail(fmt.Sprintf("leftOperand %s and rightOperand %s are equal within %d ms", left.Format(DateTimeLayout), right.Format(DateTimeLayout), tolerance))
		}
	case diff <= 0:
		return fail(fmt.Sprintf("leftOperand %s is not later than rightOperand %s", left.Format(DateTimeLayout), right.Format(DateTimeLayout)))
	}
	return nil
}

// isTermsOfUseConsentRequired sets the boolean result to whether the
// termsOfUseConsentDateTime claim is earlier than the
// termsOfUseTextUpdateDateTime parameter (a date or dateTime). An absent or
// empty claim gives true, as the article says; equal times give false [INF].
func isTermsOfUseConsentRequired(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, updated := a.output("result"), a.param("termsOfUseTextUpdateDateTime")
	consent, ok := a.dateTime("termsOfUseConsentDateTime")
	if a.err != nil {
		return a.err
	}
	u, valid := parseDateTime(updated)
	if !valid {
		return fmt.Errorf("input parameter termsOfUseTextUpdateDateTime: want an ISO 8601 date or date and time, got %q", updated)
	}
	bag.Set(out, strconv.FormatBool(!ok || consent.Before(u)))
	return nil
}
