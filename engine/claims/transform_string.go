package claims

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/iefconform/iefconform/engine/policy"
)

// String claims transformations, as B2C's string-transformations article
// describes them.

// assertStringClaimsAreEqual fails with an *AssertionError unless inputClaim1
// equals inputClaim2 under stringComparison (Ordinal, the default, or
// OrdinalIgnoreCase). An absent input claim fails the assertion too.
func assertStringClaimsAreEqual(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	name, equal, err := stringComparison(ct)
	if err != nil {
		return err
	}
	a := newArgs(ct, bag)
	x, okX := a.input("inputClaim1")
	y, okY := a.input("inputClaim2")
	if a.err != nil {
		return a.err
	}
	fail := assertionFailure(ct, KeyStringsAreNotEqual, fmt.Sprintf("Claim value comparison failed using StringComparison %q.", name))
	switch {
	case !okX:
		return fail("inputClaim1 is not in the claims bag")
	case !okY:
		return fail("inputClaim2 is not in the claims bag")
	case !equal(x, y):
		return fail(fmt.Sprintf("inputClaim1 %q and inputClaim2 %q are not equal", x, y))
	}
	return nil
}

// stringComparison reads the stringComparison parameter, a .NET
// StringComparison name in any case, and returns its .NET spelling. Culture
// comparisons are treated as their ordinal counterparts.
func stringComparison(ct *policy.ClaimsTransformation) (string, func(a, b string) bool, error) {
	p, ok := inputParameter(ct, "stringComparison")
	if !ok {
		return "Ordinal", equalOrdinal, nil
	}
	names := map[string]string{
		"ordinal": "Ordinal", "currentculture": "CurrentCulture", "invariantculture": "InvariantCulture",
		"ordinalignorecase": "OrdinalIgnoreCase", "currentcultureignorecase": "CurrentCultureIgnoreCase",
		"invariantcultureignorecase": "InvariantCultureIgnoreCase",
	}
	name, ok := names[strings.ToLower(strings.TrimSpace(p.Value))]
	switch {
	case !ok:
		return "", nil, fmt.Errorf("input parameter stringComparison: want Ordinal or OrdinalIgnoreCase, got %q", p.Value)
	case strings.HasSuffix(name, "IgnoreCase"):
		return name, strings.EqualFold, nil
	}
	return name, equalOrdinal, nil
}

func equalOrdinal(a, b string) bool { return a == b }

// changeCase sets outputClaim to inputClaim1 in the case toCase names (LOWER or
// UPPER).
func changeCase(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, toCase := a.output("outputClaim"), a.param("toCase")
	if a.err != nil {
		return a.err
	}
	var conv func(string) string
	switch {
	case strings.EqualFold(toCase, "LOWER"):
		conv = strings.ToLower
	case strings.EqualFold(toCase, "UPPER"):
		conv = strings.ToUpper
	default:
		return fmt.Errorf("input parameter toCase: want LOWER or UPPER, got %q", toCase)
	}
	in, ok := a.input("inputClaim1")
	return a.result(out, ok, conv(in))
}

// compareClaimToValue sets the boolean outputClaim to whether inputClaim1
// equals compareTo ("EQUAL") or differs from it ("NOT EQUAL"), ignoring case
// when ignoreCase is true.
func compareClaimToValue(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, wantEqual, ignoreCase := equalityOptions(a)
	compareTo := a.param("compareTo")
	in, ok := a.input("inputClaim1")
	return a.result(out, ok, strconv.FormatBool(same(in, compareTo, ignoreCase) == wantEqual))
}

// equalityOptions reads what CompareClaims and CompareClaimToValue share: the
// output claim, the operator (EQUAL or NOT EQUAL, any case and spacing) and
// ignoreCase (default false).
func equalityOptions(a *args) (out string, wantEqual, ignoreCase bool) {
	out, op := a.output("outputClaim"), a.param("operator")
	if a.err != nil {
		return "", false, false
	}
	switch strings.ToUpper(strings.Join(strings.Fields(op), " ")) {
	case "EQUAL":
		wantEqual = true
	case "NOT EQUAL":
	default:
		a.err = fmt.Errorf("input parameter operator: want EQUAL or NOT EQUAL, got %q", op)
		return "", false, false
	}
	return out, wantEqual, a.boolParam("ignoreCase", false)
}

// same compares two claim values, ignoring case when asked.
func same(a, b string, ignoreCase bool) bool {
	if ignoreCase {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// formatStringClaim sets outputClaim to stringFormat with {0} replaced by
// inputClaim, as .NET's String.Format does.
func formatStringClaim(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	return formatClaims(ct, bag, "inputClaim")
}

// formatStringMultipleClaims sets outputClaim to stringFormat with {0} and {1}
// replaced by inputClaim1 and inputClaim2.
func formatStringMultipleClaims(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	return formatClaims(ct, bag, "inputClaim1", "inputClaim2")
}

func formatClaims(ct *policy.ClaimsTransformation, bag *Bag, slots ...string) error {
	a := newArgs(ct, bag)
	out, format := a.output("outputClaim"), a.param("stringFormat")
	values := make([]string, len(slots))
	missing := false
	for i, slot := range slots {
		v, present := a.input(slot)
		values[i], missing = v, missing || !present
	}
	if a.err != nil || missing {
		return a.err
	}
	s, err := formatString(format, values...)
	if err != nil {
		return fmt.Errorf("input parameter stringFormat: %w", err)
	}
	bag.Set(out, s)
	return nil
}

// stringReplace sets outputClaim to inputClaim with every occurrence of
// oldValue (ordinal, case-sensitive) replaced by newValue.
func stringReplace(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, oldValue := a.output("outputClaim"), a.param("oldValue")
	if a.err == nil && oldValue == "" {
		return errors.New("input parameter oldValue: want a non-empty string")
	}
	newValue := a.param("newValue")
	in, ok := a.input("inputClaim")
	return a.result(out, ok, strings.ReplaceAll(in, oldValue, newValue))
}

// createRandomString sets outputClaim to a random value: randomGeneratorType
// GUID gives a version 4 UUID in lower-case 8-4-4-4-12 form; INTEGER gives a
// number in [0, maximumNumber) (default [0, 2147483647), as .NET's Random.Next),
// and with seed always the same number for the same seed and maximum. The value
// is then put through stringFormat ({0}) and, when base64 is true, encoded as
// standard base64 of its UTF-8 bytes.
func createRandomString(ct *policy.ClaimsTransformation, bag *Bag, env Env) error {
	a := newArgs(ct, bag)
	out, kind := a.output("outputClaim"), a.param("randomGeneratorType")
	if a.err != nil {
		return a.err
	}
	var v string
	switch {
	case strings.EqualFold(kind, "GUID"):
		id, err := uuid.NewRandomFromReader(env.random())
		if err != nil {
			return fmt.Errorf("random GUID: %w", err)
		}
		v = id.String()
	case strings.EqualFold(kind, "INTEGER"):
		n, err := randomInteger(ct, env)
		if err != nil {
			return err
		}
		v = strconv.FormatInt(n, 10)
	default:
		return fmt.Errorf("input parameter randomGeneratorType: want GUID or INTEGER, got %q", kind)
	}
	if p, ok := inputParameter(ct, "stringFormat"); ok {
		s, err := formatString(p.Value, v)
		if err != nil {
			return fmt.Errorf("input parameter stringFormat: %w", err)
		}
		v = s
	}
	b64 := a.boolParam("base64", false)
	if a.err != nil {
		return a.err
	}
	if b64 {
		v = base64.StdEncoding.EncodeToString([]byte(v))
	}
	bag.Set(out, v)
	return nil
}

// randomInteger draws the INTEGER value of CreateRandomString.
func randomInteger(ct *policy.ClaimsTransformation, env Env) (int64, error) {
	maxN := int64(math.MaxInt32)
	if p, ok := inputParameter(ct, "maximumNumber"); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(p.Value), 10, 32)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("input parameter maximumNumber: want a non-negative int, got %q", p.Value)
		}
		maxN = n
	}
	if maxN == 0 {
		return 0, nil // .NET's Random.Next(0) is 0
	}
	if p, ok := inputParameter(ct, "seed"); ok {
		seed, err := strconv.ParseInt(strings.TrimSpace(p.Value), 10, 32)
		if err != nil {
			return 0, fmt.Errorf("input parameter seed: want an int, got %q", p.Value)
		}
		r := mrand.New(mrand.NewPCG(uint64(seed), uint64(seed)))
		return r.Int64N(maxN), nil
	}
	n, err := uniform(env.random(), uint64(maxN))
	if err != nil {
		return 0, fmt.Errorf("random integer: %w", err)
	}
	return int64(n), nil
}

// uniform draws a number in [0, n) from r without modulo bias.
func uniform(r io.Reader, n uint64) (uint64, error) {
	limit := math.MaxUint64 - math.MaxUint64%n // a multiple of n
	var buf [8]byte
	for {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return 0, err
		}
		if v := binary.BigEndian.Uint64(buf[:]); v < limit {
			return v % n, nil
		}
	}
}

// compareClaims sets the boolean outputClaim to whether inputClaim1 equals
// inputClaim2 ("EQUAL") or differs from it ("NOT EQUAL"), ignoring case when
// ignoreCase is true. An absent input leaves the output unset.
func compareClaims(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, wantEqual, ignoreCase := equalityOptions(a)
	x, okX := a.input("inputClaim1")
	y, okY := a.input("inputClaim2")
	return a.result(out, okX && okY, strconv.FormatBool(same(x, y, ignoreCase) == wantEqual))
}
