package claims

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/iefconform/iefconform/engine/policy"
)

// Integer claims transformations, as B2C's integer-transformations article
// describes them. Numbers are held as decimal text; they are read as .NET's
// Int32.Parse / Int64.Parse read them (surrounding space and a leading sign
// allowed) and written without a sign for positive values.

// parseInteger reads s as a signed integer of bitSize bits (32 for int, 64
// for long).
func parseInteger(s string, bitSize int) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, bitSize)
	return n, err == nil
}

// intInput reads the number held by the claim bound to a required input slot;
// present is false when the claim is not in the bag.
func (a *args) intInput(slot string, bitSize int) (n int64, present bool) {
	return readInput(a, func() (int64, bool, error) {
		s, present, err := scalarInput(a.ct, a.bag, slot)
		if err != nil || !present {
			return 0, present, err
		}
		n, ok := parseInteger(s, bitSize)
		if !ok {
			return 0, true, fmt.Errorf("input claim %s: want an integer, got %q: %w", slot, s, ErrInvalidClaimValue)
		}
		return n, true, nil
	})
}

// adjustNumber sets outputClaim to inputClaim plus one (Operator INCREMENT,
// the default) or minus one (DECREMENT). An absent inputClaim counts as 0, so
// the output is always set. [INF] Operator is matched ignoring case, and a
// result outside the int range is an error (.NET checked arithmetic).
func adjustNumber(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("outputClaim")
	if a.err != nil {
		return a.err
	}
	step := int64(1)
	if p, ok := inputParameter(ct, "Operator"); ok {
		switch {
		case strings.EqualFold(strings.TrimSpace(p.Value), "INCREMENT"):
		case strings.EqualFold(strings.TrimSpace(p.Value), "DECREMENT"):
			step = -1
		default:
			return fmt.Errorf("input parameter Operator: want INCREMENT or DECREMENT, got %q", p.Value)
		}
	}
	n, _ := a.intInput("inputClaim", 32)
	if a.err != nil {
		return a.err
	}
	n += step
	if n > math.MaxInt32 || n < math.MinInt32 {
		return fmt.Errorf("input claim inputClaim: %d is outside the int range: %w", n, ErrInvalidClaimValue)
	}
	bag.Set(out, strconv.FormatInt(n, 10))
	return nil
}

// numberOperators are AssertNumber's Operator values, matched ignoring case [INF].
var numberOperators = map[string]func(a, b int64) bool{
	"lessthan":           func(a, b int64) bool { return a < b },
	"greaterthan":        func(a, b int64) bool { return a > b },
	"lessthanorequal":    func(a, b int64) bool { return a <= b },
	"greaterthanorequal": func(a, b int64) bool { return a >= b },
	"equal":              func(a, b int64) bool { return a == b },
	"notequal":           func(a, b int64) bool { return a != b },
}

// assertNumber compares inputClaim with CompareToValue under Operator. With
// throwError true (the default) a true comparison fails with an
// *AssertionError (metadata AssertNumberError) and nothing is set; with
// throwError false the boolean outputClaim is set to the comparison. An
// absent inputClaim is an error in both modes ("Null value throws an
// exception"), not an assertion failure [INF].
func assertNumber(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	op, cmpTo := a.param("Operator"), a.param("CompareToValue")
	throw := a.boolParam("throwError", true)
	var out string
	if !throw {
		out = a.output("outputClaim")
	}
	if a.err != nil {
		return a.err
	}
	cmp, ok := numberOperators[strings.ToLower(strings.TrimSpace(op))]
	if !ok {
		return fmt.Errorf("input parameter Operator: want LessThan, GreaterThan, LessThanOrEqual, GreaterThanOrEqual, Equal or NotEqual, got %q", op)
	}
	want, ok := parseInteger(cmpTo, 32)
	if !ok {
		return fmt.Errorf("input parameter CompareToValue: want an int, got %q", cmpTo)
	}
	n, present := a.intInput("inputClaim", 32)
	switch {
	case a.err != nil:
		return a.err
	case !present:
		return fmt.Errorf("input claim inputClaim is not in the claims bag: %w", ErrInvalidClaimValue)
	}
	result := cmp(n, want)
	if !throw {
		bag.Set(out, strconv.FormatBool(result))
		return nil
	}
	if result {
		fail := assertionFailure(ct, KeyAssertNumberError, "Numeric claim value comparison failed.")
		return fail(fmt.Sprintf("inputClaim %d %s %d holds", n, op, want))
	}
	return nil
}

// convertNumberToStringClaim sets the string outputClaim to the long
// inputClaim in canonical decimal form.
func convertNumberToStringClaim(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("outputClaim")
	n, ok := a.intInput("inputClaim", 64)
	return a.result(out, ok, strconv.FormatInt(n, 10))
}
