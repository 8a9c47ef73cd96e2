package claims

import (
	"crypto/rand"
	"fmt"
	"io"
	"time"

	"github.com/iefconform/iefconform/engine/policy"
)

// Env is what the impure claims transformations read. The zero Env uses the
// system clock and crypto/rand; tests inject their own.
type Env struct {
	// Now is the clock of date transformations; nil means time.Now.
	Now func() time.Time
	// Rand is the entropy of CreateRandomString (GUIDs and unseeded integers);
	// nil means crypto/rand.Reader.
	Rand io.Reader
	// Secret returns the secret of a policy key container (B2C_1A_...), for
	// Hash's randomizerSecret; nil means no policy keys, and Hash fails with
	// ErrNoPolicyKeys.
	Secret func(container string) ([]byte, error)
}

func (e Env) random() io.Reader {
	if e.Rand != nil {
		return e.Rand
	}
	return rand.Reader
}

// transformFunc runs one claims transformation over the bag.
type transformFunc func(ct *policy.ClaimsTransformation, bag *Bag, env Env) error

// transforms is the registry of TransformationMethod implementations, under
// B2C's method names.
var transforms = map[string]transformFunc{
	// General
	"CopyClaim":      copyClaim,
	"DoesClaimExist": doesClaimExist,
	"Hash":           hash,
	// String
	"AssertStringClaimsAreEqual": assertStringClaimsAreEqual,
	"ChangeCase":                 changeCase,
	"CompareClaimToValue":        compareClaimToValue,
	"CreateRandomString":         createRandomString,
	"CreateStringClaim":          createStringClaim,
	"FormatStringClaim":          formatStringClaim,
	"FormatStringMultipleClaims": formatStringMultipleClaims,
	"StringReplace":              stringReplace,
	"CompareClaims":              compareClaims,
	"LookupValue":                lookupValue,
	"NullClaim":                  nullClaim,
	"ParseDomain":                parseDomain,
	"SetClaimIfBooleansMatch":    setClaimIfBooleansMatch,
	"SetClaimsIfRegexMatch":      setClaimsIfRegexMatch,
	"SetClaimsIfStringsAreEqual": setClaimsIfStringsAreEqual,
	"SetClaimsIfStringsMatch":    setClaimsIfStringsMatch,
	"StringContains":             stringContains,
	"StringJoin":                 stringJoin,
	"StringSplit":                stringSplit,
	"StringSubstring":            stringSubstring,
	// Boolean
	"AndClaims":                        andClaims,
	"AssertBooleanClaimIsEqualToValue": assertBooleanClaimIsEqualToValue,
	"CompareBooleanClaimToValue":       compareBooleanClaimToValue,
	"NotClaims":                        notClaims,
	"OrClaims":                         orClaims,
	// Date
	"AssertDateTimeIsGreaterThan": assertDateTimeIsGreaterThan,
	"ConvertDateTimeToDateClaim":  convertDateTimeToDateClaim,
	"ConvertDateToDateTimeClaim":  convertDateToDateTimeClaim,
	"DateTimeComparison":          dateTimeComparison,
	"GetCurrentDateTime":          getCurrentDateTime,
	"IsTermsOfUseConsentRequired": isTermsOfUseConsentRequired,
	// Integer
	"AdjustNumber":               adjustNumber,
	"AssertNumber":               assertNumber,
	"ConvertNumberToStringClaim": convertNumberToStringClaim,
	// StringCollection
	"AddItemToStringCollection":         addItemToStringCollection,
	"AddParameterToStringCollection":    addParameterToStringCollection,
	"GetSingleItemFromStringCollection": getSingleItemFromStringCollection,
	"StringCollectionContains":          stringCollectionContains,
	"StringCollectionContainsClaim":     stringCollectionContainsClaim,
	// JSON
	"CreateJsonArray":             createJSONArray,
	"GenerateJson":                generateJSON,
	"GetClaimFromJson":            getClaimFromJSON,
	"GetClaimsFromJsonArray":      getClaimsFromJSONArray,
	"GetClaimsFromJsonArrayV2":    getClaimsFromJSONArrayV2,
	"GetNumericClaimFromJson":     getNumericClaimFromJSON,
	"GetSingleItemFromJson":       getSingleItemFromJSON,
	"GetSingleValueFromJsonArray": getSingleValueFromJSONArray,
	"XmlStringToJsonString":       xmlStringToJSONString,
	// Phone number
	"ConvertPhoneNumberClaimToString":                      convertPhoneNumberClaimToString,
	"ConvertStringToPhoneNumberClaim":                      convertStringToPhoneNumberClaim,
	"GetNationalNumberAndCountryCodeFromPhoneNumberString": getNationalNumberAndCountryCodeFromPhoneNumberString,
	// Social accounts
	"CreateAlternativeSecurityId": createAlternativeSecurityID,
}

// Supported reports whether the emulator implements a TransformationMethod.
func Supported(method string) bool {
	_, ok := transforms[method]
	return ok
}

// Transform runs a claims transformation with the default Env: its input
// claims and parameters from the bag, its output claims into it.
func Transform(ct *policy.ClaimsTransformation, bag *Bag) error {
	return TransformWith(ct, bag, Env{})
}

// TransformWith runs a claims transformation with the clock and randomness of
// env. An input claim absent from the bag leaves the outputs unset, except for
// assertions, which fail with an *AssertionError (ErrAssertionFailed), and
// DateTimeComparison's firstDateTime.
func TransformWith(ct *policy.ClaimsTransformation, bag *Bag, env Env) error {
	f, ok := transforms[ct.TransformationMethod]
	if !ok {
		return fmt.Errorf("claims transformation %s: %s: %w", ct.ID, ct.TransformationMethod, ErrUnsupportedTransformation)
	}
	if err := f(ct, bag, env); err != nil {
		return fmt.Errorf("claims transformation %s (%s): %w", ct.ID, ct.TransformationMethod, err)
	}
	return nil
}

// args reads the claims and parameters a transformation declares. It keeps
// the first error: after one, every read returns the zero value, so a method
// reads what it needs in order and checks err once before it acts on it.
type args struct {
	ct  *policy.ClaimsTransformation
	bag *Bag
	err error
}

func newArgs(ct *policy.ClaimsTransformation, bag *Bag) *args { return &args{ct: ct, bag: bag} }

// read runs f unless an earlier read failed, keeping its error.
func read[T any](a *args, f func() (T, error)) (v T) {
	if a.err == nil {
		v, a.err = f()
	}
	return v
}

// readInput is read for an input claim, which may be absent from the bag.
func readInput[T any](a *args, f func() (T, bool, error)) (v T, present bool) {
	if a.err == nil {
		v, present, a.err = f()
	}
	return v, present
}

// output is the claim bound to a required output slot.
func (a *args) output(slot string) string {
	return read(a, func() (string, error) { return outputClaim(a.ct, slot) })
}

// claim is the claim bound to a required input slot, whether or not it is in the bag.
func (a *args) claim(slot string) string {
	return read(a, func() (string, error) { return requiredInputClaim(a.ct, slot) })
}

// param is the value of a required input parameter.
func (a *args) param(id string) string {
	return read(a, func() (string, error) { return requiredParameter(a.ct, id) })
}

// input is the value of the claim bound to a required input slot; present is
// false when it is not in the bag.
func (a *args) input(slot string) (v string, present bool) {
	return readInput(a, func() (string, bool, error) { return inputValue(a.ct, a.bag, slot) })
}

// result sets the claim out to v when every read succeeded and present says
// the inputs v comes from were in the bag; otherwise out is left as it is. It
// returns the first read error.
func (a *args) result(out string, present bool, v any) error {
	if a.err == nil && present {
		a.bag.Set(out, v)
	}
	return a.err
}

// outputClaim is the claim bound to a transformation's output slot.
func outputClaim(ct *policy.ClaimsTransformation, slot string) (string, error) {
	for _, c := range ct.OutputClaims {
		if c.TransformationClaimType == slot {
			return c.ClaimTypeReferenceID, nil
		}
	}
	return "", fmt.Errorf("no output claim with TransformationClaimType %q", slot)
}

// inputClaim is the claim bound to a transformation's input slot.
func inputClaim(ct *policy.ClaimsTransformation, slot string) (string, bool) {
	for _, c := range ct.InputClaims {
		if c.TransformationClaimType == slot {
			return c.ClaimTypeReferenceID, true
		}
	}
	return "", false
}

// requiredInputClaim is the claim bound to an input slot the method needs.
func requiredInputClaim(ct *policy.ClaimsTransformation, slot string) (string, error) {
	id, ok := inputClaim(ct, slot)
	if !ok {
		return "", fmt.Errorf("no input claim with TransformationClaimType %q", slot)
	}
	return id, nil
}

// inputValue reads the claim bound to a required input slot. present is false
// when the claim is not in the bag; err is set when the slot is not declared.
func inputValue(ct *policy.ClaimsTransformation, bag *Bag, slot string) (v string, present bool, err error) {
	id, err := requiredInputClaim(ct, slot)
	if err != nil {
		return "", false, err
	}
	v, present = bag.Get(id)
	return v, present, nil
}

func inputParameter(ct *policy.ClaimsTransformation, id string) (policy.InputParameter, bool) {
	for _, p := range ct.InputParameters {
		if p.ID == id {
			return p, true
		}
	}
	return policy.InputParameter{}, false
}

// requiredParameter is the value of an input parameter the method needs.
func requiredParameter(ct *policy.ClaimsTransformation, id string) (string, error) {
	p, ok := inputParameter(ct, id)
	if !ok {
		return "", fmt.Errorf("no input parameter %q", id)
	}
	return p.Value, nil
}

// boolParameter reads an optional boolean input parameter as .NET's
// bool.Parse does: "true" or "false" in any case.
func boolParameter(ct *policy.ClaimsTransformation, id string, def bool) (bool, error) {
	p, ok := inputParameter(ct, id)
	if !ok {
		return def, nil
	}
	if v, ok := parseBool(p.Value); ok {
		return v, nil
	}
	return false, fmt.Errorf("input parameter %s: want true or false, got %q", id, p.Value)
}

// createStringClaim sets createdClaim to the value parameter.
func createStringClaim(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, v := a.output("createdClaim"), a.param("value")
	if a.err != nil {
		return a.err
	}
	bag.Set(out, v)
	return nil
}

// copyClaim copies inputClaim, of any type, to outputClaim.
func copyClaim(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	in, out := a.claim("inputClaim"), a.output("outputClaim")
	if a.err != nil {
		return a.err
	}
	if v, ok := bag.Value(in); ok {
		if s, isColl := v.([]string); isColl {
			v = append([]string(nil), s...)
		}
		bag.Set(out, v)
	}
	return nil
}
