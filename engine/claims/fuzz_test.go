package claims

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/policy"
)

// jsonLookupSeeds are JSON answers and partner claim types from the repo's
// tests and feature policies, plus the regressions the differential found.
var jsonLookupSeeds = []struct {
	doc   string
	name  string
	paths bool
}{
	{testDoc, "contacts.0.person.name", true},
	{testDoc, "contacts[0].person.emails[0].email", true},
	{testDoc, "firstName.localized.en_US", true},
	{testDoc, "elements[0].handle~.emailAddress", true},
	{testDoc, "a.b", false},
	{testDoc, "mixed", false},
	{testDoc, "big", true},
	{testDoc, "nothing", true},
	{`{"contacts":[{"person":{"name":"Emily Smith","loyaltyNumber":1234}}]}`, "contacts[0].person.loyaltyNumber", true},
	{`{"displayName": "Emily Smith", "loyaltyNumber": 12345678901234567890, "tags": ["a", "b"]}`, "loyaltyNumber", false},
	{`{"emails":[{"value":"a@contoso.com"},{"value":"b@contoso.com"}]}`, "emails.1.value", true},
	{`{"profile":{"department":"Sales"},"sub":"248289761001"}`, "profile.department", true},
	{`{"id":"1","first_name":"Bob","email":"bob@contoso.com"}`, "first_name", false},
	{`{"user_id":"12","screen_name":"bob"}`, "screen_name", true},
	// Regressions: a key with invalid UTF-8 is U+FFFD to encoding/json ...
	{"{\"\xff\":\"v\"}", "\xff", false},
	{"{\"\xff\":\"v\"}", "\ufffd", false},
	{"{\"a\":{\"\xe2\x82\":\"v\"}}", "a.\ufffd\ufffd", true},
	{"{\"k\":\"\xff\"}", "k", false},
	// ... a duplicate key keeps its last value ...
	{`{"a":1,"a":2}`, "a", false},
	{`{"a":{"b":1},"a":{"c":2}}`, "a.c", true},
	// ... and a lone surrogate escape is U+FFFD.
	{`{"\ud800":"v"}`, "\ufffd", false},
	{`{"k":"\udc00x"}`, "k", false},
	// ... and so is a lone high surrogate before another \u escape.
	{`{"k":"\udC00\u0000"}`, "k", false},
	{`{"\ud800\u0041":"v"}`, "\ufffdA", false},
}

// FuzzJSONLookup checks ParseJSON and JSONSource.Lookup against encoding/json:
// a document is accepted exactly when encoding/json decodes it to an object,
// and a name is present, with the same value, exactly when walking the decoded
// map[string]any / []any finds a non-null value there.
func FuzzJSONLookup(f *testing.F) {
	for _, s := range jsonLookupSeeds {
		f.Add([]byte(s.doc), s.name, s.paths)
	}
	f.Fuzz(func(t *testing.T, doc []byte, name string, paths bool) {
		want, wantOK, wantErr := refLookup(doc, name, paths)
		src, err := ParseJSON(doc, paths)
		if !errors.Is(err, wantErr) || (err == nil) != (wantErr == nil) {
			t.Fatalf("ParseJSON(%q) error = %v, want %v", doc, err, wantErr)
		}
		if err != nil {
			return
		}
		got, ok := src.Lookup(name)
		if ok != wantOK {
			t.Fatalf("Lookup(%q) with paths=%v in %q: present = %v (%#v), encoding/json says %v (%#v)", name, paths, doc, ok, got, wantOK, want)
		}
		if !ok {
			return
		}
		if msg := sameValue(got, want); msg != "" {
			t.Fatalf("Lookup(%q) with paths=%v in %q = %#v, encoding/json says %#v: %s", name, paths, doc, got, want, msg)
		}
	})
}

// refLookup is the reference: the document decoded by encoding/json (numbers
// as json.Number), walked along the segments of name.
func refLookup(doc []byte, name string, paths bool) (any, bool, error) {
	if !json.Valid(doc) {
		return nil, false, ErrNotJSON
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false, err
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, false, ErrNotJSONObject
	}
	segs := []string{name}
	if paths {
		segs = strings.FieldsFunc(strings.ReplaceAll(name, "]", ""), func(r rune) bool { return r == '.' || r == '[' })
	}
	if len(segs) == 0 || segs[0] == "" {
		return nil, false, nil
	}
	for _, seg := range segs {
		switch node := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = node[seg]; !ok {
				return nil, false, nil
			}
		case []any:
			i, ok := refArrayIndex(seg)
			if !ok || i >= len(node) {
				return nil, false, nil
			}
			v = node[i]
		default:
			return nil, false, nil
		}
	}
	if v == nil {
		return nil, false, nil
	}
	return v, true, nil
}

// refArrayIndex reads a segment made of ASCII digits only.
func refArrayIndex(seg string) (int, bool) {
	for _, c := range []byte(seg) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(seg)
	return i, err == nil
}

// sameValue compares a Lookup result with an encoding/json value: scalars as
// their text, objects and arrays by meaning (their raw text is kept as
// written), arrays as stringCollections without nulls.
func sameValue(got, want any) string {
	switch w := want.(type) {
	case []any:
		g, ok := got.([]string)
		if !ok {
			return fmt.Sprintf("want a []string, got %T", got)
		}
		var items []any
		for _, it := range w {
			if it != nil {
				items = append(items, it)
			}
		}
		if len(g) != len(items) {
			return fmt.Sprintf("want %d items, got %d", len(items), len(g))
		}
		for i := range g {
			msg := ""
			switch items[i].(type) {
			case map[string]any, []any:
				msg = sameRaw(g[i], items[i])
			default:
				msg = sameValue(g[i], items[i])
			}
			if msg != "" {
				return fmt.Sprintf("item %d: %s", i, msg)
			}
		}
		return ""
	case map[string]any:
		g, ok := got.(string)
		if !ok {
			return fmt.Sprintf("want raw JSON text, got %T", got)
		}
		return sameRaw(g, w)
	}
	g, ok := got.(string)
	if !ok {
		return fmt.Sprintf("want a string, got %T", got)
	}
	var text string
	switch w := want.(type) {
	case string:
		text = w
	case json.Number:
		text = string(w)
	case bool:
		text = strconv.FormatBool(w)
	default:
		return fmt.Sprintf("unexpected encoding/json value %T", want)
	}
	if g != text {
		return fmt.Sprintf("want %q", text)
	}
	return ""
}

// sameRaw compares raw JSON text with an encoding/json value by meaning.
func sameRaw(raw string, want any) string {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Sprintf("raw JSON %q does not decode: %v", raw, err)
	}
	if !reflect.DeepEqual(v, want) {
		return fmt.Sprintf("raw JSON %q means %#v", raw, v)
	}
	return ""
}

// transformSpec is what FuzzTransform knows of a TransformationMethod, from
// B2C's documentation: its input claim and parameter slots, the input claims
// whose absence leaves the outputs unset, and the data type of each output.
type transformSpec struct {
	ins      []string
	required []string
	params   []string
	outs     map[string]string // slot -> string, boolean, stringCollection, json, jsonObject or same (the type of inputClaim)
}

var transformSpecs = map[string]transformSpec{
	"CopyClaim": {ins: []string{"inputClaim"}, required: []string{"inputClaim"},
		outs: map[string]string{"outputClaim": "same"}},
	"AssertStringClaimsAreEqual": {ins: []string{"inputClaim1", "inputClaim2"}, params: []string{"stringComparison"}},
	"ChangeCase": {ins: []string{"inputClaim1"}, required: []string{"inputClaim1"}, params: []string{"toCase"},
		outs: map[string]string{"outputClaim": "string"}},
	"CompareClaimToValue": {ins: []string{"inputClaim1"}, required: []string{"inputClaim1"}, params: []string{"compareTo", "operator", "ignoreCase"},
		outs: map[string]string{"outputClaim": "boolean"}},
	"CreateRandomString": {params: []string{"randomGeneratorType", "maximumNumber", "seed", "stringFormat", "base64"},
		outs: map[string]string{"outputClaim": "string"}},
	"CreateStringClaim": {params: []string{"value"}, outs: map[string]string{"createdClaim": "string"}},
	"FormatStringClaim": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, params: []string{"stringFormat"},
		outs: map[string]string{"outputClaim": "string"}},
	"FormatStringMultipleClaims": {ins: []string{"inputClaim1", "inputClaim2"}, required: []string{"inputClaim1", "inputClaim2"}, params: []string{"stringFormat"},
		outs: map[string]string{"outputClaim": "string"}},
	"StringReplace": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, params: []string{"oldValue", "newValue"},
		outs: map[string]string{"outputClaim": "string"}},
	"AddItemToStringCollection": {ins: []string{"item", "collection"}, required: []string{"item"},
		outs: map[string]string{"collection": "stringCollection"}},
	"CompareClaims": {ins: []string{"inputClaim1", "inputClaim2"}, required: []string{"inputClaim1", "inputClaim2"}, params: []string{"operator", "ignoreCase"},
		outs: map[string]string{"outputClaim": "boolean"}},
	"AndClaims": {ins: []string{"inputClaim1", "inputClaim2"}, required: []string{"inputClaim1", "inputClaim2"},
		outs: map[string]string{"outputClaim": "boolean"}},
	"OrClaims": {ins: []string{"inputClaim1", "inputClaim2"}, required: []string{"inputClaim1", "inputClaim2"},
		outs: map[string]string{"outputClaim": "boolean"}},
	"NotClaims":                        {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, outs: map[string]string{"outputClaim": "boolean"}},
	"AssertBooleanClaimIsEqualToValue": {ins: []string{"inputClaim"}, params: []string{"valueToCompareTo"}},
	"CompareBooleanClaimToValue": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, params: []string{"valueToCompareTo"},
		outs: map[string]string{"compareResult": "boolean"}},
	"AssertDateTimeIsGreaterThan": {ins: []string{"leftOperand", "rightOperand"},
		params: []string{"AssertIfEqualTo", "AssertIfRightOperandIsNotPresent", "TreatAsEqualIfWithinMillseconds"}},
	"ConvertDateTimeToDateClaim": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, outs: map[string]string{"outputClaim": "date"}},
	"ConvertDateToDateTimeClaim": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, outs: map[string]string{"outputClaim": "dateTime"}},
	"DateTimeComparison": {ins: []string{"firstDateTime", "secondDateTime"}, required: []string{"firstDateTime"}, params: []string{"operator", "timeSpanInSeconds"},
		outs: map[string]string{"result": "boolean"}},
	"GetCurrentDateTime": {outs: map[string]string{"currentDateTime": "dateTime"}},
	// An absent termsOfUseConsentDateTime gives true, so it is not required.
	"IsTermsOfUseConsentRequired": {ins: []string{"termsOfUseConsentDateTime"}, params: []string{"termsOfUseTextUpdateDateTime"},
		outs: map[string]string{"result": "boolean"}},
	// GenerateJson's slots are JSON paths: FuzzTransform takes them from its
	// input. A path that starts with an integer makes the document an array.
	"GenerateJson":                {outs: map[string]string{"outputClaim": "json"}},
	"GetSingleItemFromJson":       {ins: []string{"inputJson"}, required: []string{"inputJson"}, outs: map[string]string{"key": "string", "value": "string"}},
	"CreateAlternativeSecurityId": {ins: []string{"key", "identityProvider"}, required: []string{"key", "identityProvider"}, outs: map[string]string{"alternativeSecurityId": "jsonObject"}},
	// AdjustNumber reads an absent inputClaim as 0, so it has no required input.
	"AdjustNumber": {ins: []string{"inputClaim"}, params: []string{"Operator"}, outs: map[string]string{"outputClaim": "int"}},
	"AssertNumber": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, params: []string{"Operator", "CompareToValue", "throwError"},
		outs: map[string]string{"outputClaim": "boolean"}},
	"ConvertNumberToStringClaim": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, outs: map[string]string{"outputClaim": "int"}},
	"AddParameterToStringCollection": {ins: []string{"collection"}, params: []string{"item"},
		outs: map[string]string{"collection": "stringCollection"}},
	"GetSingleItemFromStringCollection": {ins: []string{"collection"}, required: []string{"collection"},
		outs: map[string]string{"extractedItem": "string"}},
	"StringCollectionContains": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, params: []string{"item", "ignoreCase"},
		outs: map[string]string{"outputClaim": "boolean"}},
	"DoesClaimExist": {ins: []string{"inputClaim"}, outs: map[string]string{"outputClaim": "boolean"}},
	"Hash": {ins: []string{"plaintext", "salt"}, required: []string{"plaintext", "salt"}, params: []string{"randomizerSecret"},
		outs: map[string]string{"hash": "string"}},
	"StringContains": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, params: []string{"contains", "ignoreCase"},
		outs: map[string]string{"outputClaim": "boolean"}},
	"StringSubstring": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, params: []string{"startIndex", "length"},
		outs: map[string]string{"outputClaim": "string"}},
	"StringJoin": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, params: []string{"delimiter"},
		outs: map[string]string{"outputClaim": "string"}},
	"StringSplit": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, params: []string{"delimiter"},
		outs: map[string]string{"outputClaim": "stringList"}},
	"ParseDomain": {ins: []string{"emailAddress"}, required: []string{"emailAddress"}, outs: map[string]string{"domain": "string"}},
	"NullClaim":   {outs: map[string]string{"claim_to_null": "string"}},
	"LookupValue": {ins: []string{"inputParameterId"}, required: []string{"inputParameterId"},
		params: []string{"contoso.com", "test.com", "errorOnFailedLookup"}, outs: map[string]string{"outputClaim": "string"}},
	"SetClaimIfBooleansMatch": {ins: []string{"claimToMatch"}, required: []string{"claimToMatch"}, params: []string{"matchTo", "outputClaimIfMatched"},
		outs: map[string]string{"outputClaim": "string"}},
	"SetClaimsIfRegexMatch": {ins: []string{"claimToMatch"}, required: []string{"claimToMatch"},
		params: []string{"matchTo", "outputClaimIfMatched", "extractGroups"},
		outs:   map[string]string{"outputClaim": "string", "regexCompareResultClaim": "boolean"}},
	"SetClaimsIfStringsAreEqual": {ins: []string{"inputClaim"}, required: []string{"inputClaim"},
		params: []string{"matchTo", "stringComparison", "stringMatchMsg", "stringMatchMsgCode"},
		outs:   map[string]string{"outputClaim1": "string", "outputClaim2": "string", "stringCompareResultClaim": "boolean"}},
	"SetClaimsIfStringsMatch": {ins: []string{"claimToMatch"}, required: []string{"claimToMatch"},
		params: []string{"matchTo", "stringComparison", "outputClaimIfMatched"},
		outs:   map[string]string{"outputClaim": "string", "stringCompareResultClaim": "boolean"}},
	"StringCollectionContainsClaim": {ins: []string{"collection", "item"}, required: []string{"collection", "item"}, params: []string{"ignoreCase"},
		outs: map[string]string{"outputClaim": "boolean"}},
	"CreateJsonArray": {ins: []string{"inputClaim"}, required: []string{"inputClaim"}, outs: map[string]string{"outputClaim": "json"}},
	"GetClaimFromJson": {ins: []string{"inputJson"}, required: []string{"inputJson"}, params: []string{"claimToExtract"},
		outs: map[string]string{"extractedClaim": "string"}},
	"GetNumericClaimFromJson": {ins: []string{"inputJson"}, required: []string{"inputJson"}, params: []string{"claimToExtract"},
		outs: map[string]string{"extractedClaim": "int"}},
	"GetSingleValueFromJsonArray": {ins: []string{"inputJsonClaim"}, required: []string{"inputJsonClaim"},
		outs: map[string]string{"extractedClaim": "string"}},
	// The output claims of GetClaimsFromJsonArray(V2) are named by their
	// TransformationClaimType: the keys FuzzTransform's JSON can hold.
	"GetClaimsFromJsonArray": {ins: []string{"jsonSource"}, required: []string{"jsonSource"},
		params: []string{"errorOnMissingClaims", "includeEmptyClaims", "jsonSourceKeyName", "jsonSourceValueName"},
		outs:   map[string]string{"email": "string", "active": "string"}},
	"GetClaimsFromJsonArrayV2": {ins: []string{"jsonSource"}, required: []string{"jsonSource"},
		params: []string{"errorOnMissingClaims", "includeEmptyClaims", "jsonSourceKeyName", "jsonSourceValueName"},
		outs:   map[string]string{"email": "string", "active": "string"}},
	"XmlStringToJsonString": {ins: []string{"xml"}, required: []string{"xml"}, outs: map[string]string{"json": "jsonObject"}},
	"ConvertPhoneNumberClaimToString": {ins: []string{"phoneNumber"}, required: []string{"phoneNumber"},
		outs: map[string]string{"phoneNumberString": "string"}},
	"ConvertStringToPhoneNumberClaim": {ins: []string{"phoneNumberString", "country"}, required: []string{"phoneNumberString"},
		outs: map[string]string{"outputClaim": "phoneNumber"}},
	"GetNationalNumberAndCountryCodeFromPhoneNumberString": {ins: []string{"phoneNumber"}, required: []string{"phoneNumber"},
		params: []string{"throwExceptionOnFailure", "countryCodeType"},
		outs:   map[string]string{"nationalNumber": "digits", "countryCode": "string"}},
}

func TestTransformSpecsCoverEveryMethod(t *testing.T) {
	for m := range transforms {
		if _, ok := transformSpecs[m]; !ok {
			t.Errorf("FuzzTransform has no transformSpec for %s", m)
		}
	}
}

// assertionMethods are the methods whose failure is an *AssertionError.
var assertionMethods = map[string]bool{
	"AssertStringClaimsAreEqual":                           true,
	"AssertBooleanClaimIsEqualToValue":                     true,
	"AssertDateTimeIsGreaterThan":                          true,
	"AssertNumber":                                         true,
	"LookupValue":                                          true,
	"ConvertStringToPhoneNumberClaim":                      true,
	"GetNationalNumberAndCountryCodeFromPhoneNumberString": true,
}

// jsonInputMethods are the methods that read JSON from a claim, the only ones
// that fail with ErrNotJSON or ErrNotJSONObject.
var jsonInputMethods = map[string]bool{
	"GetSingleItemFromJson":       true,
	"GetClaimFromJson":            true,
	"GetNumericClaimFromJson":     true,
	"GetSingleValueFromJsonArray": true,
	"GetClaimsFromJsonArray":      true,
	"GetClaimsFromJsonArrayV2":    true,
}

func isAssertionError(err error) bool {
	var ae *AssertionError
	return errors.As(err, &ae) && ae.MetadataKey != "" && ae.Message != "" && assertionMethods[ae.Method]
}

// FuzzTransform runs each TransformationMethod (and unknown ones) with fuzzed
// input claims and parameters. Properties: no panic; an unknown method fails
// with ErrUnsupportedTransformation and only then; ErrAssertionFailed comes
// only from the assertion methods, as an *AssertionError, and
// ErrNotJSON/ErrNotJSONObject only from the jsonInputMethods; an error names the transformation and leaves
// the bag as it was; only output claims change, each to a value of its data
// type; an absent required input leaves the outputs unset; the same input
// and entropy give the same bag.
//
// mask bits: 0-1 input claim i is absent; 2-3 input claim i is a
// stringCollection (v split at '|'); 4-8 parameter j is left out; 9-10
// GenerateJson's parameter DataType (string, long, boolean, int).
func FuzzTransform(f *testing.F) {
	seeds := []struct {
		method         string
		v1, v2         string
		p1, p2, p3, p4 string
		mask           uint16
	}{
		{"CopyClaim", "hello", "", "", "", "", "", 0},
		{"CopyClaim", "a|b", "", "", "", "", "", 1 << 2},
		{"AssertStringClaimsAreEqual", "alice@contoso.com", "Alice@Contoso.com", "ordinalIgnoreCase", "", "", "", 0},
		{"ChangeCase", "emily@contoso.com", "", "UPPER", "", "", "", 0},
		{"CompareClaimToValue", "v1", "", "V1", "not equal", "true", "", 0},
		{"CreateRandomString", "", "", "GUID", "", "", "", 0b11110 << 4},
		{"CreateRandomString", "", "", "INTEGER", "1000", "1234", "OTP_{0}", 1 << 8},
		{"CreateRandomString", "", "", "INTEGER", "0", "", "{0,8}", 0},
		{"CreateStringClaim", "", "", "Contoso terms of service...", "", "", "", 0},
		{"FormatStringClaim", "5164db16-3eee-4629-bfda-dcc3326790e9", "", "cpim_{0}@{RelyingPartyTenantId}", "", "", "", 0},
		{"FormatStringClaim", "ab", "", "[{0,4}][{0,-4}][{0:D}]{{x}}", "", "", "", 0},
		{"FormatStringMultipleClaims", "Joe", "Fernando", "{1}, {0}", "", "", "", 0},
		{"StringReplace", "+1 (555) 555-0100", "", " ", "", "", "", 0},
		{"AddItemToStringCollection", "admin@contoso.com", "someone@outlook.com|admin@contoso.com", "", "", "", "", 1 << 3},
		{"GenerateJson", "someone@example.com", "Some One", "personalizations.0.to.0.email", "personalizations.0.to.0.name", "personalizations.0.dynamic_template_data.otp", "3", 1 << 9},
		{"GenerateJson", "x", "y", "a.0", "a.b", "template_id", "d-4c56ffb40fa648b1aa6822283df94f60", 0},
		{"GenerateJson", "x", "y", "a.1", "b", "a.0", "true", 2 << 9},
		// Regression: an index was padded with nulls, taking all memory.
		{"GenerateJson", "x", "y", "a.9223372036854775806", "b", "a.30000000", "1", 1 << 9},
		{"GetSingleItemFromJson", `{"givenName": "Emilty", "lastName": "Smith"}`, "", "", "", "", "", 0},
		{"GetSingleItemFromJson", `{"a": {"b": [1, 2]}, "a": 1.50}`, "", "", "", "", "", 0},
		{"CreateAlternativeSecurityId", "108146082927052563270", "google.com", "", "", "", "", 0},
		{"CompareClaims", "someone@contoso.com", "someone@outlook.com", "NOT EQUAL", "true", "", "", 0},
		{"AndClaims", "true", "False", "", "", "", "", 0},
		{"OrClaims", " TRUE ", "false", "", "", "", "", 0},
		{"NotClaims", "false", "", "", "", "", "", 0},
		{"AssertBooleanClaimIsEqualToValue", "false", "", "true", "", "", "", 0},
		{"AssertBooleanClaimIsEqualToValue", "", "", "true", "", "", "", 1},
		{"CompareBooleanClaimToValue", "true", "", "false", "", "", "", 0},
		{"AssertDateTimeIsGreaterThan", "2022-01-01T15:00:00", "2022-01-22T15:00:00", "false", "true", "300000", "", 0},
		{"AssertDateTimeIsGreaterThan", "2018-10-01T15:00:00.0000000Z", "2018-10-01T14:00:00.0000000Z", "false", "false", "-1", "", 1 << 1},
		{"ConvertDateTimeToDateClaim", "2022-01-03T11:34:22.0000000Z", "", "", "", "", "", 0},
		{"ConvertDateToDateTimeClaim", "2022-01-03", "", "", "", "", "", 0},
		{"DateTimeComparison", "2022-01-01T00:00:00.100000Z", "2022-03-16T00:00:00.100000Z", "later than", "7776000", "", "", 0},
		{"DateTimeComparison", "9999-12-31T23:59:59+01:00", "", "SAME", "2147483647", "", "", 1 << 1},
		{"GetCurrentDateTime", "", "", "", "", "", "", 0},
		{"AdjustNumber", "1", "", "INCREMENT", "", "", "", 0},
		{"AdjustNumber", "", "", "DECREMENT", "", "", "", 1},
		{"AssertNumber", "10", "", "GreaterThan", "5", "true", "", 0},
		{"AssertNumber", "10", "", "GreaterThan", "5", "false", "", 0},
		{"ConvertNumberToStringClaim", "12334", "", "", "", "", "", 0},
		{"AddParameterToStringCollection", "someone@outlook.com", "", "admin@contoso.com", "", "", "", 1 << 2},
		{"GetSingleItemFromStringCollection", "someone@outlook.com|someone@contoso.com", "", "", "", "", "", 1 << 2},
		{"StringCollectionContains", "reader|author|admin", "", "Admin", "true", "", "", 1 << 2},
		{"StringCollectionContainsClaim", "reader|author|admin", "Admin", "true", "", "", "", 1 << 2},
		{"DoesClaimExist", "someone@contoso.com", "", "", "", "", "", 0},
		{"DoesClaimExist", "", "", "", "", "", "", 1},
		{"Hash", "someone@contoso.com", "487624568", "B2C_1A_AccountTransformSecret", "", "", "", 0},
		{"Hash", "someone@contoso.com", "487624568", "B2C_1A_Missing", "", "", "", 0},
		{"StringContains", "Admin, Approver, Editor", "", "admin,", "true", "", "", 0},
		{"StringSubstring", "+1644114520", "", "0", "2", "", "", 0},
		{"StringSubstring", "é😀x", "", "1", "1", "", "", 0},
		{"StringJoin", "Admin|Author|Reader", "", ",", "", "", "", 1 << 2},
		{"StringSplit", "Admin,Author,,Admin", "", ",", "", "", "", 0},
		{"ParseDomain", "joe@outlook.com", "", "", "", "", "", 0},
		{"NullClaim", "", "", "", "", "", "", 0},
		{"LookupValue", "test.com", "", "13c15f79", "c7026f88", "false", "", 0},
		{"LookupValue", "live.com", "", "13c15f79", "c7026f88", "true", "", 0},
		{"SetClaimIfBooleansMatch", "true", "", "true", "Promotion code not found.", "", "", 0},
		{"SetClaimsIfRegexMatch", "emily@contoso.com", "", "(?<mailAlias>.*)@(.*)$", "isEmail", "true", "", 0},
		{"SetClaimsIfRegexMatch", "64854114520", "", "^[0-9]{4,16}$", "iPhone", "", "", 1 << 6},
		{"SetClaimsIfStringsAreEqual", "v1", "", "V1", "ordinalIgnoreCase", "The TOS is upgraded to v2", "B2C_V1_90005", 0},
		{"SetClaimsIfStringsMatch", "Minor", "", "Minor", "ordinalIgnoreCase", "B2C_V1_90001", "", 0},
		{"IsTermsOfUseConsentRequired", "2020-03-09T09:15:00", "", "2021-11-15", "", "", "", 0},
		{"CreateJsonArray", "someone@example.com", "", "", "", "", "", 0},
		{"CreateJsonArray", "a|<b>", "", "", "", "", "", 1 << 2},
		{"GetClaimFromJson", `{"emailAddress": "someone@example.com", "displayName": "Someone"}`, "", "emailAddress", "", "", "", 0},
		{"GetClaimFromJson", `{"contacts": [{"name": "Emily"}], "a.b": 1}`, "", "contacts[0].name", "", "", "", 0},
		{"GetNumericClaimFromJson", `{"emailAddress": "someone@example.com", "id": 6353399}`, "", "id", "", "", "", 0},
		{"GetNumericClaimFromJson", `{"id": "12"}`, "", "id", "", "", "", 0},
		{"GetSingleValueFromJsonArray", `["someone@example.com", "Someone", 6353399]`, "", "", "", "", "", 0},
		{"GetClaimsFromJsonArray", `[{"key": "email", "value": "someone@example.com"}, {"key": "active", "value": true}]`, "", "false", "false", "key", "value", 0},
		{"GetClaimsFromJsonArray", `[{"key": "email", "value": ""}]`, "", "true", "true", "key", "value", 0},
		{"GetClaimsFromJsonArrayV2", `{"key": "email", "value": "someone@example.com"}|{"key": "active", "value": true}`, "", "false", "false", "key", "value", 1 << 2},
		{"XmlStringToJsonString", "<user>\n  <name>Someone</name>\n  <email>someone@example.com</email>\n</user>", "", "", "", "", "", 0},
		{"XmlStringToJsonString", `<?xml version="1.0"?><a:r xmlns:a="urn:x" id="1"><e>x</e>t<e/><![CDATA[<&>]]></a:r>`, "", "", "", "", "", 0},
		{"ConvertPhoneNumberClaimToString", "+11234567890", "", "", "", "", "", 0},
		{"ConvertStringToPhoneNumberClaim", "033 456-7890", "DK", "", "", "", "", 0},
		{"ConvertStringToPhoneNumberClaim", "+1 (123) 456-7890", "", "", "", "", "", 1 << 1},
		{"GetNationalNumberAndCountryCodeFromPhoneNumberString", "+49 (123) 456-7890", "", "false", "ISO3166", "", "", 0},
		{"GetNationalNumberAndCountryCodeFromPhoneNumberString", "+49 (123) 456-7890", "", "true", "CallingCode", "", "", 0},
		{"GetNationalNumberAndCountryCodeFromPhoneNumberString", "123", "", "true", "", "", "", 1 << 5},
		{"LinkedInTrick", "", "", "", "", "", "", 0},
	}
	for _, s := range seeds {
		f.Add(s.method, s.v1, s.v2, s.p1, s.p2, s.p3, s.p4, s.mask, []byte("0123456789abcdef0123456789abcdef"))
	}
	dataTypes := []string{"string", "long", "boolean", "int"}
	f.Fuzz(func(t *testing.T, method, v1, v2, p1, p2, p3, p4 string, mask uint16, entropy []byte) {
		spec, known := transformSpecs[method]
		ct := &policy.ClaimsTransformation{ID: "CT-fuzz", TransformationMethod: method}
		ins := spec.ins
		if method == "GenerateJson" {
			ins = []string{p1, p2}
			ct.InputParameters = []policy.InputParameter{{ID: p3, DataType: dataTypes[mask>>9&3], Value: p4}}
		}
		values := []string{v1, v2}
		before := map[string]any{"untouched": "u"}
		for i, slot := range ins {
			id := "in" + strconv.Itoa(i)
			ct.InputClaims = append(ct.InputClaims, policy.TransformClaim{ClaimTypeReferenceID: id, TransformationClaimType: slot})
			switch {
			case mask&(1<<i) != 0:
			case mask&(1<<(2+i)) != 0:
				before[id] = strings.Split(values[i], "|")
			default:
				before[id] = values[i]
			}
		}
		for j, id := range spec.params {
			if mask&(1<<(4+j)) == 0 {
				ct.InputParameters = append(ct.InputParameters, policy.InputParameter{ID: id, DataType: "string", Value: []string{p1, p2, p3, p4, v2}[j]})
			}
		}
		outIDs := map[string]string{} // claim id -> data type
		for slot, typ := range spec.outs {
			id := "out-" + slot
			ct.OutputClaims = append(ct.OutputClaims, policy.TransformClaim{ClaimTypeReferenceID: id, TransformationClaimType: slot})
			outIDs[id] = typ
		}
		sort.Slice(ct.OutputClaims, func(i, j int) bool {
			return ct.OutputClaims[i].ClaimTypeReferenceID < ct.OutputClaims[j].ClaimTypeReferenceID
		})

		run := func() (*Bag, error) {
			bag := NewBag()
			for k, v := range before {
				if s, ok := v.([]string); ok {
					v = append([]string(nil), s...)
				}
				bag.Set(k, v)
			}
			env := Env{Now: fixedClock(time.Date(2021, 10, 10, 12, 0, 0, 0, time.UTC)), Rand: bytes.NewReader(entropy), Secret: testSecrets}
			return bag, TransformWith(ct, bag, env)
		}
		bag, err := run()

		switch {
		case !known && !errors.Is(err, ErrUnsupportedTransformation):
			t.Fatalf("%s: error = %v, want ErrUnsupportedTransformation", method, err)
		case known && errors.Is(err, ErrUnsupportedTransformation):
			t.Fatalf("%s: error = %v for a supported method", method, err)
		case errors.Is(err, ErrAssertionFailed) && !assertionMethods[method]:
			t.Fatalf("%s: error = %v", method, err)
		case errors.Is(err, ErrAssertionFailed) && !isAssertionError(err):
			t.Fatalf("%s: assertion failure %v is not an *AssertionError with a metadata key and a message", method, err)
		case (errors.Is(err, ErrNotJSON) || errors.Is(err, ErrNotJSONObject)) && !jsonInputMethods[method]:
			t.Fatalf("%s: error = %v", method, err)
		case err != nil && !strings.HasPrefix(err.Error(), "claims transformation CT-fuzz"):
			t.Fatalf("%s: error %q does not name the transformation", method, err)
		}

		after := map[string]any{}
		for _, k := range bag.Keys() {
			after[k], _ = bag.Value(k)
		}
		for k, v := range before {
			if got := after[k]; !reflect.DeepEqual(got, v) {
				t.Fatalf("%s changed input claim %s from %#v to %#v", method, k, v, got)
			}
		}
		requiredAbsent := false
		for i, slot := range ins {
			if slices.Contains(spec.required, slot) && mask&(1<<i) != 0 {
				requiredAbsent = true
			}
		}
		for k, v := range after {
			if _, ok := before[k]; ok {
				continue
			}
			typ, isOut := outIDs[k]
			switch {
			case !isOut:
				t.Fatalf("%s set claim %s, which is not an output claim", method, k)
			case err != nil:
				t.Fatalf("%s failed with %v but set %s = %#v", method, err, k, v)
			case requiredAbsent:
				t.Fatalf("%s set %s = %#v though a required input claim is absent", method, k, v)
			}
			if msg := checkDataType(typ, v, before["in0"]); msg != "" {
				t.Fatalf("%s output %s = %#v: %s", method, k, v, msg)
			}
		}

		again, err2 := run()
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(bagMap(again), bagMap(bag)) {
			t.Fatalf("%s is not deterministic: %v, %v then %v, %v", method, bagMap(bag), err, bagMap(again), err2)
		}
	})
}

// checkDataType reports how v is not a value of data type typ.
func checkDataType(typ string, v, in any) string {
	switch typ {
	case "same":
		if !reflect.DeepEqual(v, in) {
			return fmt.Sprintf("want a copy of %#v", in)
		}
		return ""
	case "stringList":
		if _, ok := v.([]string); !ok {
			return fmt.Sprintf("want a []string, got %T", v)
		}
		return ""
	case "stringCollection":
		items, ok := v.([]string)
		if !ok {
			return fmt.Sprintf("want a []string, got %T", v)
		}
		seen := map[string]bool{}
		for _, it := range items {
			if seen[it] {
				return fmt.Sprintf("item %q is repeated", it)
			}
			seen[it] = true
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("want a string, got %T", v)
	}
	switch typ {
	case "boolean":
		if s != "true" && s != "false" {
			return "want true or false"
		}
	case "int":
		if n, err := strconv.ParseInt(s, 10, 64); err != nil || strconv.FormatInt(n, 10) != s {
			return "want an integer in canonical decimal form"
		}
	case "date", "dateTime":
		layout := map[string]string{"date": DateLayout, "dateTime": DateTimeLayout}[typ]
		if t, err := time.Parse(layout, s); err != nil || t.Format(layout) != s {
			return fmt.Sprintf("want a %s as %s", typ, layout)
		}
	case "phoneNumber":
		if len(s) < 2 || s[0] != '+' || strings.Trim(s[1:], "0123456789") != "" {
			return "want a phone number in E.164 form"
		}
	case "digits":
		if s == "" || strings.Trim(s, "0123456789") != "" {
			return "want ASCII digits"
		}
	case "json":
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return fmt.Sprintf("want JSON: %v", err)
		}
	case "jsonObject":
		var obj map[string]any
		if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
			return fmt.Sprintf("want a JSON object: %v", err)
		}
	}
	return ""
}
