package claims

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/iefconform/iefconform/engine/policy"
)

// A phoneNumber claim is held in the bag as a string in E.164 form
// (+11234567890), the "standard format used by Azure AD B2C" that
// ConvertStringToPhoneNumberClaim produces. Phone numbers are read with
// libphonenumber (nyaruka/phonenumbers). [INF] A number is accepted when
// libphonenumber can parse it, not only when it is a valid number of its
// region: the article's examples (+1 (123) 456-7890, 033 456-7890 in DK,
// +49 (123) 456-7890) are all numbers libphonenumber deems invalid.

// phoneRegionUnknown is libphonenumber's region for a number written with a
// leading "+" and its country calling code.
const phoneRegionUnknown = "ZZ"

// parsePhone reads a phone number: in international format, or in the
// national format of country (an ISO 3166 two-letter code, any case) when
// country is not empty.
func parsePhone(s, country string) (*phonenumbers.PhoneNumber, error) {
	region := phoneRegionUnknown
	if country != "" {
		region = strings.ToUpper(country) // [INF] the code is matched ignoring case
	}
	return phonenumbers.Parse(s, region)
}

// e164 formats a parsed number as a phoneNumber claim value.
func e164(n *phonenumbers.PhoneNumber) string { return phonenumbers.Format(n, phonenumbers.E164) }

// convertPhoneNumberClaimToString copies the phoneNumber claim phoneNumber to
// the string claim phoneNumberString. Both are strings in the bag, so the
// value is copied as it is. [INF]
func convertPhoneNumberClaimToString(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("phoneNumberString")
	v, ok := a.input("phoneNumber")
	return a.result(out, ok, v)
}

// convertStringToPhoneNumberClaim parses phoneNumberString, in international
// format or, when the optional country claim is present and not empty, in
// that country's national format, and sets outputClaim to it in E.164. A
// string that is not a phone number fails with an *AssertionError whose
// message the UserMessageIfClaimsTransformationInvalidPhoneNumber metadata of
// the self-asserted profile replaces.
func convertStringToPhoneNumberClaim(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("outputClaim")
	s, ok := a.input("phoneNumberString")
	if a.err != nil || !ok {
		return a.err
	}
	country := ""
	if id, declared := inputClaim(ct, "country"); declared {
		country, _ = bag.Get(id)
	}
	n, err := parsePhone(s, country)
	if err != nil {
		// [INF] B2C's default text is not documented.
		return assertionFailure(ct, KeyInvalidPhoneNumber, "The phone number is not valid.")(
			fmt.Sprintf("%q (country %q): %v", s, country, err))
	}
	bag.Set(out, e164(n))
	return nil
}

// Values of GetNationalNumberAndCountryCodeFromPhoneNumberString's countryCodeType.
const (
	countryCodeCalling = "CallingCode"
	countryCodeISO3166 = "ISO3166"
)

// getNationalNumberAndCountryCodeFromPhoneNumberString splits phoneNumber, in
// international format, into its national (significant) number and its
// country code: the calling code (+49) or, by default [INF], the ISO 3166
// region (DE). Either output may be left out. A number that does not parse
// leaves both outputs as they were, or with throwExceptionOnFailure true fails
// with an *AssertionError whose message the
// UserMessageIfPhoneNumberParseFailure metadata replaces.
func getNationalNumberAndCountryCodeFromPhoneNumberString(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	nationalOut, nationalErr := outputClaim(ct, "nationalNumber")
	countryOut, countryErr := outputClaim(ct, "countryCode")
	if nationalErr != nil && countryErr != nil {
		return fmt.Errorf("no output claim with TransformationClaimType %q or %q", "nationalNumber", "countryCode")
	}
	a := newArgs(ct, bag)
	throw := a.boolParam("throwExceptionOnFailure", false)
	codeType := countryCodeISO3166
	if p, ok := inputParameter(ct, "countryCodeType"); ok {
		switch {
		case strings.EqualFold(p.Value, countryCodeCalling): // [INF] matched ignoring case
			codeType = countryCodeCalling
		case strings.EqualFold(p.Value, countryCodeISO3166):
		default:
			return fmt.Errorf("input parameter countryCodeType: want %s or %s, got %q", countryCodeCalling, countryCodeISO3166, p.Value)
		}
	}
	s, ok := a.input("phoneNumber")
	if a.err != nil || !ok {
		return a.err
	}
	n, err := parsePhone(s, "")
	if err != nil {
		if throw {
			// [INF] B2C's default text is not documented.
			return assertionFailure(ct, KeyPhoneNumberParseFailure, "The phone number could not be parsed.")(
				fmt.Sprintf("%q: %v", s, err))
		}
		return nil
	}
	code := "+" + strconv.Itoa(int(n.GetCountryCode()))
	if codeType == countryCodeISO3166 {
		code = phoneRegion(n)
	}
	if nationalErr == nil {
		bag.Set(nationalOut, phonenumbers.GetNationalSignificantNumber(n))
	}
	if countryErr == nil {
		bag.Set(countryOut, code)
	}
	return nil
}

// phoneRegion is the ISO 3166 region of a number: the one whose numbering
// plan it belongs to, else (an invalid number, such as the article's
// +1 (123) 456-7890) the main region of its calling code [INF]. Numbers of
// non-geographic calling codes (+800) give libphonenumber's "001".
func phoneRegion(n *phonenumbers.PhoneNumber) string {
	if r := phonenumbers.GetRegionCodeForNumber(n); r != "" {
		return r
	}
	return phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode()))
}
