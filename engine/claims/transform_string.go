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
	"time"
	"unicode/utf16"

	"github.com/dlclark/regexp2/v2"
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

// stringContains sets the boolean outputClaim to whether inputClaim contains
// the contains parameter, ignoring case when ignoreCase is true (default
// false [INF]). An empty contains is found in any value, as .NET's
// String.Contains finds it.
func stringContains(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, sub := a.output("outputClaim"), a.param("contains")
	ignoreCase := a.boolParam("ignoreCase", false)
	in, ok := a.input("inputClaim")
	if ignoreCase {
		in, sub = strings.ToLower(in), strings.ToLower(sub)
	}
	return a.result(out, ok, strconv.FormatBool(strings.Contains(in, sub)))
}

// stringSubstring sets outputClaim to the length characters of inputClaim
// from startIndex, counted as .NET counts them (UTF-16 code units). A range
// outside the value is an error, as .NET's String.Substring throws.
func stringSubstring(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("outputClaim")
	a.param("startIndex")
	a.param("length")
	start, length := a.int32Param("startIndex", 0), a.int32Param("length", 0)
	in, ok := a.input("inputClaim")
	if a.err != nil || !ok {
		return a.err
	}
	units := utf16.Encode([]rune(in))
	if start < 0 || length < 0 || start+length > int64(len(units)) {
		return fmt.Errorf("input parameters startIndex %d and length %d: outside the %d characters of inputClaim", start, length, len(units))
	}
	bag.Set(out, string(utf16.Decode(units[start:start+length])))
	return nil
}

// stringJoin sets outputClaim to the items of the collection inputClaim
// joined by delimiter.
func stringJoin(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, in, delim := a.output("outputClaim"), a.claim("inputClaim"), a.param("delimiter")
	if a.err != nil {
		return a.err
	}
	if v, ok := bag.Value(in); ok {
		bag.Set(out, strings.Join(collection(v), delim))
	}
	return nil
}

// stringSplit sets the collection outputClaim, replacing what it held, to the
// parts of inputClaim between occurrences of delimiter. [INF] Empty parts are
// kept (.NET's StringSplitOptions.None), an empty value gives an empty
// collection, and an empty delimiter does not split.
func stringSplit(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, delim := a.output("outputClaim"), a.param("delimiter")
	in, ok := a.input("inputClaim")
	var parts []string
	switch {
	case in == "":
		parts = []string{}
	case delim == "":
		parts = []string{in}
	default:
		parts = strings.Split(in, delim)
	}
	return a.result(out, ok, parts)
}

// parseDomain sets domain to the part of emailAddress after its last "@".
// [INF] A value without "@" leaves the output unset.
func parseDomain(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("domain")
	in, ok := a.input("emailAddress")
	i := strings.LastIndex(in, "@")
	return a.result(out, ok && i >= 0, in[i+1:])
}

// nullClaim removes claim_to_null from the bag.
func nullClaim(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	out, err := outputClaim(ct, "claim_to_null")
	if err != nil {
		return err
	}
	bag.Delete(out)
	return nil
}

// lookupValue sets outputClaim to the value of the input parameter whose Id
// equals inputParameterId (ordinally [INF]; errorOnFailedLookup itself is
// never a match). Without a match the output is left unset, or with
// errorOnFailedLookup true the transformation fails with an *AssertionError
// whose message the LookupNotFound metadata replaces.
func lookupValue(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("outputClaim")
	fail := a.boolParam("errorOnFailedLookup", false)
	id, ok := a.input("inputParameterId")
	if a.err != nil || !ok {
		return a.err
	}
	for _, p := range ct.InputParameters {
		if p.ID == id && p.ID != "errorOnFailedLookup" {
			bag.Set(out, p.Value)
			return nil
		}
	}
	if fail {
		return assertionFailure(ct, KeyLookupNotFound,
			"No match found for the input claim value in the list of input parameter IDs and errorOnFailedLookup is true.")(
			fmt.Sprintf("no input parameter has the Id %q", id))
	}
	return nil
}

// setClaimIfBooleansMatch sets outputClaim to outputClaimIfMatched when the
// boolean claimToMatch equals matchTo; otherwise it leaves it as it is. An
// absent claimToMatch is an error ("Null value throws an exception").
func setClaimIfBooleansMatch(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, want, v := a.output("outputClaim"), a.requiredBool("matchTo"), a.param("outputClaimIfMatched")
	got, ok := a.boolInput("claimToMatch")
	switch {
	case a.err != nil:
		return a.err
	case !ok:
		return fmt.Errorf("input claim claimToMatch is not in the claims bag: %w", ErrInvalidClaimValue)
	case got == want:
		bag.Set(out, v)
	}
	return nil
}

// setClaimsIfStringsAreEqual compares inputClaim with matchTo under
// stringComparison (Ordinal by default) and sets stringCompareResultClaim to
// the result; when they are equal it also sets outputClaim1 to stringMatchMsg
// and outputClaim2 to stringMatchMsgCode, as the article's table says (its
// example lists the two values the other way round). [INF] Each output slot
// is optional, its parameter required only when it is declared; an absent
// inputClaim leaves every output unset and a mismatch leaves outputClaim1 and
// outputClaim2 as they are.
func setClaimsIfStringsAreEqual(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	return setClaimsIfEqual(ct, bag, "inputClaim", map[string]string{
		"outputClaim1": "stringMatchMsg", "outputClaim2": "stringMatchMsgCode"})
}

// setClaimsIfStringsMatch compares claimToMatch with matchTo under
// stringComparison (Ordinal by default) and sets stringCompareResultClaim to
// the result; when they are equal it also sets outputClaim to
// outputClaimIfMatched. [INF] As SetClaimsIfStringsAreEqual for optional
// outputs, an absent input and a mismatch.
func setClaimsIfStringsMatch(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	return setClaimsIfEqual(ct, bag, "claimToMatch", map[string]string{"outputClaim": "outputClaimIfMatched"})
}

// setClaimsIfEqual is the SetClaimsIfStrings* methods: valueOf maps each
// output slot set on a match to the parameter holding its value.
func setClaimsIfEqual(ct *policy.ClaimsTransformation, bag *Bag, inSlot string, valueOf map[string]string) error {
	_, equal, err := stringComparison(ct)
	if err != nil {
		return err
	}
	a := newArgs(ct, bag)
	matchTo := a.param("matchTo")
	sets := map[string]string{} // claim id -> value on a match
	for slot, param := range valueOf {
		if out, err := outputClaim(ct, slot); err == nil {
			sets[out] = a.param(param)
		}
	}
	in, ok := a.input(inSlot)
	if a.err != nil || !ok {
		return a.err
	}
	matched := equal(in, matchTo)
	setMatchResult(ct, bag, "stringCompareResultClaim", matched, sets)
	return nil
}

// setMatchResult sets the optional boolean output resultSlot to matched and,
// on a match, each claim of sets to its value.
func setMatchResult(ct *policy.ClaimsTransformation, bag *Bag, resultSlot string, matched bool, sets map[string]string) {
	if matched {
		for id, v := range sets {
			bag.Set(id, v)
		}
	}
	if out, err := outputClaim(ct, resultSlot); err == nil {
		bag.Set(out, strconv.FormatBool(matched))
	}
}

// RegexMatchTimeout bounds one SetClaimsIfRegexMatch match, as the
// self-asserted profile bounds a claim's pattern (docs/behavior-decisions.md).
const RegexMatchTimeout = time.Second

// setClaimsIfRegexMatch matches claimToMatch against the .NET regular
// expression matchTo (a search, as Regex.IsMatch) and sets
// regexCompareResultClaim to the result; on a match it also sets outputClaim
// to outputClaimIfMatched and, when extractGroups is true, each other output
// claim to the value of the group it names (by TransformationClaimType, else
// by ClaimTypeReferenceId). [INF] Output slots are optional; an absent
// claimToMatch leaves every output unset; a mismatch leaves outputClaim as it
// is; a group that did not take part in the match leaves its claim unset.
func setClaimsIfRegexMatch(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	expr := a.param("matchTo")
	extract := a.boolParam("extractGroups", false)
	sets := map[string]string{}
	if out, err := outputClaim(ct, "outputClaim"); err == nil {
		sets[out] = a.param("outputClaimIfMatched")
	}
	in, ok := a.input("claimToMatch")
	if a.err != nil {
		return a.err
	}
	re, err := compileDotNetRegex(expr)
	if err != nil {
		return fmt.Errorf("input parameter matchTo: %w", err)
	}
	if !ok {
		return nil
	}
	m, err := findRegex(re, in)
	if err != nil {
		return err
	}
	if m != nil && extract {
		for _, c := range ct.OutputClaims {
			name := c.TransformationClaimType
			if name == "outputClaim" || name == "regexCompareResultClaim" {
				continue
			}
			if name == "" {
				name = c.ClaimTypeReferenceID
			}
			if g := m.GroupByName(name); g != nil && len(g.Captures) > 0 {
				sets[c.ClaimTypeReferenceID] = g.String()
			}
		}
	}
	setMatchResult(ct, bag, "regexCompareResultClaim", m != nil, sets)
	return nil
}

// compileDotNetRegex compiles expr with .NET's default options and the
// package's match timeout.
func compileDotNetRegex(expr string) (re *regexp2.Regexp, err error) {
	defer func() {
		if p := recover(); p != nil {
			re, err = nil, fmt.Errorf("the regular expression engine failed on it: %v", p)
		}
	}()
	re, err = regexp2.Compile(expr, regexp2.None)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = RegexMatchTimeout
	return re, nil
}

// findRegex returns the first match of re in v, or nil. Its errors do not
// repeat v.
func findRegex(re *regexp2.Regexp, v string) (m *regexp2.Match, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("match the regular expression: the engine failed: %v", p)
		}
	}()
	m, err = re.FindStringMatch(v)
	if err != nil {
		return nil, errors.New("match the regular expression: it ran out of time or backtracking stack")
	}
	return m, nil
}
