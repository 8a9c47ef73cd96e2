package claims

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestFormatStringClaim(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "upnUserName")}
	outs := []policy.TransformClaim{in("outputClaim", "userPrincipalName")}
	format := func(f string) []policy.InputParameter { return []policy.InputParameter{param("stringFormat", f)} }
	runCases(t, "FormatStringClaim", []ctCase{
		{name: "{0}@contoso.com", claims: map[string]any{"upnUserName": "joe"}, ins: ins, params: format("{0}@contoso.com"), outs: outs,
			want: map[string]any{"userPrincipalName": "joe@contoso.com"}},
		{name: "doc example keeps {RelyingPartyTenantId} as written", claims: map[string]any{"upnUserName": "5164db16-3eee-4629-bfda-dcc3326790e9"},
			ins: ins, params: format("cpim_{0}@{RelyingPartyTenantId}"), outs: outs,
			want: map[string]any{"userPrincipalName": "cpim_5164db16-3eee-4629-bfda-dcc3326790e9@{RelyingPartyTenantId}"}},
		{name: "escaped braces", claims: map[string]any{"upnUserName": "joe"}, ins: ins, params: format("{{{0}}} {{0}}"), outs: outs,
			want: map[string]any{"userPrincipalName": "{joe} {0}"}},
		{name: "alignment and ignored format string", claims: map[string]any{"upnUserName": "ab"}, ins: ins, params: format("[{0,4}][{0,-4}][{0:D}]"), outs: outs,
			want: map[string]any{"userPrincipalName": "[  ab][ab  ][ab]"}},
		{name: "placeholder used twice", claims: map[string]any{"upnUserName": "x"}, ins: ins, params: format("{0}-{0}"), outs: outs,
			want: map[string]any{"userPrincipalName": "x-x"}},
		{name: "empty claim value is formatted", claims: map[string]any{"upnUserName": ""}, ins: ins, params: format("<{0}>"), outs: outs,
			want: map[string]any{"userPrincipalName": "<>"}},
		{name: "absent input leaves output unset", ins: ins, params: format("{0}@contoso.com"), outs: outs,
			want: map[string]any{"userPrincipalName": nil}},
		{name: "{1} with one argument", claims: map[string]any{"upnUserName": "joe"}, ins: ins, params: format("{0}{1}"), outs: outs, wantErr: errAny},
		{name: "no stringFormat", claims: map[string]any{"upnUserName": "joe"}, ins: ins, outs: outs, wantErr: errAny},
		{name: "no inputClaim", params: format("{0}"), outs: outs, wantErr: errAny},
		{name: "no outputClaim", claims: map[string]any{"upnUserName": "joe"}, ins: ins, params: format("{0}"), wantErr: errAny},
	})
}

func TestFormatStringMultipleClaims(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim1", "givenName"), in("inputClaim2", "surName")}
	outs := []policy.TransformClaim{in("outputClaim", "displayName")}
	format := func(f string) []policy.InputParameter { return []policy.InputParameter{param("stringFormat", f)} }
	runCases(t, "FormatStringMultipleClaims", []ctCase{
		{name: "doc example", claims: map[string]any{"givenName": "Joe", "surName": "Fernando"}, ins: ins, params: format("{0} {1}"), outs: outs,
			want: map[string]any{"displayName": "Joe Fernando"}},
		{name: "reordered", claims: map[string]any{"givenName": "Joe", "surName": "Fernando"}, ins: ins, params: format("{1}, {0}"), outs: outs,
			want: map[string]any{"displayName": "Fernando, Joe"}},
		{name: "absent second claim leaves output unset", claims: map[string]any{"givenName": "Joe"}, ins: ins, params: format("{0} {1}"), outs: outs,
			want: map[string]any{"displayName": nil}},
		{name: "{2} is out of range", claims: map[string]any{"givenName": "Joe", "surName": "F"}, ins: ins, params: format("{2}"), outs: outs, wantErr: errAny},
		{name: "no inputClaim2", claims: map[string]any{"givenName": "Joe"}, ins: ins[:1], params: format("{0}"), outs: outs, wantErr: errAny},
	})
}

func TestCompareClaimToValue(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim1", "termsOfUseConsentVersion")}
	outs := []policy.TransformClaim{in("outputClaim", "termsOfUseConsentRequired")}
	params := func(compareTo, op, ignoreCase string) []policy.InputParameter {
		ps := []policy.InputParameter{param("compareTo", compareTo), param("operator", op)}
		if ignoreCase != "" {
			ps = append(ps, param("ignoreCase", ignoreCase))
		}
		return ps
	}
	v1 := map[string]any{"termsOfUseConsentVersion": "v1"}
	runCases(t, "CompareClaimToValue", []ctCase{
		{name: "doc example: EQUAL ignoring case", claims: v1, ins: ins, params: params("V1", "EQUAL", "true"), outs: outs,
			want: map[string]any{"termsOfUseConsentRequired": "true"}},
		{name: "doc XML: not equal ignoring case", claims: v1, ins: ins, params: params("V1", "not equal", "true"), outs: outs,
			want: map[string]any{"termsOfUseConsentRequired": "false"}},
		{name: "EQUAL is case-sensitive by default", claims: v1, ins: ins, params: params("V1", "EQUAL", ""), outs: outs,
			want: map[string]any{"termsOfUseConsentRequired": "false"}},
		{name: "NOT EQUAL case-sensitive", claims: v1, ins: ins, params: params("V1", "NOT EQUAL", "False"), outs: outs,
			want: map[string]any{"termsOfUseConsentRequired": "true"}},
		{name: "absent input leaves output unset", ins: ins, params: params("v1", "EQUAL", "true"), outs: outs,
			want: map[string]any{"termsOfUseConsentRequired": nil}},
		{name: "unknown operator", claims: v1, ins: ins, params: params("v1", "GREATER THAN", ""), outs: outs, wantErr: errAny},
		{name: "ignoreCase not a boolean", claims: v1, ins: ins, params: params("v1", "EQUAL", "yes"), outs: outs, wantErr: errAny},
		{name: "no compareTo", claims: v1, ins: ins, params: []policy.InputParameter{param("operator", "EQUAL")}, outs: outs, wantErr: errAny},
	})
}

func TestAssertStringClaimsAreEqual(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim1", "strongAuthenticationEmailAddress"), in("inputClaim2", "email")}
	comparison := func(c string) []policy.InputParameter { return []policy.InputParameter{param("stringComparison", c)} }
	emails := func(a, b string) map[string]any {
		return map[string]any{"strongAuthenticationEmailAddress": a, "email": b}
	}
	runCases(t, "AssertStringClaimsAreEqual", []ctCase{
		{name: "doc example: different addresses fail", claims: emails("someone@contoso.com", "someone@outlook.com"), ins: ins,
			params: comparison("ordinalIgnoreCase"), wantErr: ErrAssertionFailed},
		{name: "ordinalIgnoreCase ignores case", claims: emails("SomeOne@contoso.com", "someone@contoso.com"), ins: ins,
			params: comparison("ordinalIgnoreCase")},
		{name: "Ordinal is case-sensitive", claims: emails("SomeOne@contoso.com", "someone@contoso.com"), ins: ins,
			params: comparison("Ordinal"), wantErr: ErrAssertionFailed},
		{name: "default comparison is Ordinal", claims: emails("A", "a"), ins: ins, wantErr: ErrAssertionFailed},
		{name: "equal passes", claims: emails("a", "a"), ins: ins, params: comparison("Ordinal")},
		{name: "absent claim fails", claims: map[string]any{"email": "a"}, ins: ins, params: comparison("Ordinal"), wantErr: ErrAssertionFailed},
		{name: "unknown comparison", claims: emails("a", "a"), ins: ins, params: comparison("Fuzzy"), wantErr: errAny},
	})
}

func TestAssertStringClaimsAreEqualPolicyErrorsAreNotAssertions(t *testing.T) {
	bag := NewBag()
	bag.Set("a", "x")
	ct := &policy.ClaimsTransformation{ID: "x", TransformationMethod: "AssertStringClaimsAreEqual",
		InputClaims: []policy.TransformClaim{in("inputClaim1", "a")}}
	err := Transform(ct, bag)
	if err == nil || errors.Is(err, ErrAssertionFailed) {
		t.Errorf("want a policy error that is not ErrAssertionFailed for a missing inputClaim2, got %v", err)
	}
}

func TestChangeCase(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim1", "email")}
	outs := []policy.TransformClaim{in("outputClaim", "email")}
	toCase := func(c string) []policy.InputParameter { return []policy.InputParameter{param("toCase", c)} }
	runCases(t, "ChangeCase", []ctCase{
		{name: "doc example: LOWER", claims: map[string]any{"email": "SomeOne@contoso.com"}, ins: ins, params: toCase("LOWER"), outs: outs,
			want: map[string]any{"email": "someone@contoso.com"}},
		{name: "UPPER", claims: map[string]any{"email": "SomeOne@contoso.com"}, ins: ins, params: toCase("UPPER"), outs: outs,
			want: map[string]any{"email": "SOMEONE@CONTOSO.COM"}},
		{name: "toCase in any case", claims: map[string]any{"email": "ÉCOLE"}, ins: ins, params: toCase("lower"), outs: outs,
			want: map[string]any{"email": "école"}},
		{name: "absent input leaves output unset", ins: ins, params: toCase("LOWER"), outs: outs, want: map[string]any{"email": nil}},
		{name: "unknown toCase", claims: map[string]any{"email": "a"}, ins: ins, params: toCase("TITLE"), outs: outs, wantErr: errAny},
		{name: "no toCase", claims: map[string]any{"email": "a"}, ins: ins, outs: outs, wantErr: errAny},
	})
}

func TestStringReplace(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "string1")}
	outs := []policy.TransformClaim{in("outputClaim", "result")}
	replace := func(o, n string) []policy.InputParameter {
		return []policy.InputParameter{param("oldValue", o), param("newValue", n)}
	}
	runCases(t, "StringReplace", []ctCase{
		{name: "unit-test example: strip dashes", claims: map[string]any{"string1": "+164-411-452-054"}, ins: ins, params: replace("-", ""), outs: outs,
			want: map[string]any{"result": "+164411452054"}},
		{name: "every occurrence, case-sensitive", claims: map[string]any{"string1": "a.B.b.a"}, ins: ins, params: replace("b", "cc"), outs: outs,
			want: map[string]any{"result": "a.B.cc.a"}},
		{name: "absent input leaves output unset", ins: ins, params: replace("-", ""), outs: outs, want: map[string]any{"result": nil}},
		{name: "empty oldValue", claims: map[string]any{"string1": "x"}, ins: ins, params: replace("", "y"), outs: outs, wantErr: errAny},
		{name: "no newValue", claims: map[string]any{"string1": "x"}, ins: ins, params: []policy.InputParameter{param("oldValue", "x")}, outs: outs, wantErr: errAny},
	})
}

// be64 is n as the 8 big-endian bytes CreateRandomString reads per draw.
func be64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func TestCreateRandomString(t *testing.T) {
	outs := []policy.TransformClaim{in("outputClaim", "randomNumber")}
	integer := func(extra ...policy.InputParameter) []policy.InputParameter {
		return append([]policy.InputParameter{param("randomGeneratorType", "INTEGER")}, extra...)
	}
	guid := []policy.InputParameter{param("randomGeneratorType", "GUID")}
	seq := []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}
	runCases(t, "CreateRandomString", []ctCase{
		{name: "GUID from injected bytes", params: guid, outs: outs, rand: seq,
			want: map[string]any{"randomNumber": "00010203-0405-4607-8809-0a0b0c0d0e0f"}},
		{name: "GUID with stringFormat and base64", outs: outs, rand: seq,
			params: append(append([]policy.InputParameter{}, guid...), param("stringFormat", "cpim_{0}"), param("base64", "true")),
			want:   map[string]any{"randomNumber": "Y3BpbV8wMDAxMDIwMy0wNDA1LTQ2MDctODgwOS0wYTBiMGMwZDBlMGY="}},
		{name: "doc example: OTP_853", outs: outs, rand: be64(853),
			params: integer(param("maximumNumber", "1000"), param("stringFormat", "OTP_{0}"), param("base64", "false")),
			want:   map[string]any{"randomNumber": "OTP_853"}},
		{name: "base64 of the formatted value", outs: outs, rand: be64(853),
			params: integer(param("maximumNumber", "1000"), param("stringFormat", "OTP_{0}"), param("base64", "True")),
			want:   map[string]any{"randomNumber": "T1RQXzg1Mw=="}},
		{name: "below maximumNumber", outs: outs, rand: be64(2853), params: integer(param("maximumNumber", "1000")),
			want: map[string]any{"randomNumber": "853"}},
		{name: "biased draw is rejected and redrawn", outs: outs, rand: append(be64(^uint64(0)), be64(7)...),
			params: integer(param("maximumNumber", "1000")), want: map[string]any{"randomNumber": "7"}},
		{name: "no maximumNumber: below 2^31-1", outs: outs, rand: be64(2147483647 + 5), params: integer(),
			want: map[string]any{"randomNumber": "5"}},
		{name: "maximumNumber 0 gives 0", outs: outs, rand: []byte{}, params: integer(param("maximumNumber", "0")),
			want: map[string]any{"randomNumber": "0"}},
		{name: "type in any case", outs: outs, rand: be64(3), params: []policy.InputParameter{param("randomGeneratorType", "integer"), param("maximumNumber", "10")},
			want: map[string]any{"randomNumber": "3"}},
		{name: "source exhausted", outs: outs, rand: []byte{1, 2}, params: guid, wantErr: errAny},
		{name: "unknown generator", outs: outs, params: []policy.InputParameter{param("randomGeneratorType", "WORD")}, wantErr: errAny},
		{name: "maximumNumber not an int", outs: outs, params: integer(param("maximumNumber", "many")), wantErr: errAny},
		{name: "seed not an int", outs: outs, params: integer(param("seed", "x")), wantErr: errAny},
		{name: "base64 not a boolean", outs: outs, rand: seq, params: append(append([]policy.InputParameter{}, guid...), param("base64", "1")), wantErr: errAny},
		{name: "no randomGeneratorType", outs: outs, wantErr: errAny},
	})
}

func TestCreateRandomStringSeed(t *testing.T) {
	draw := func(seed string) string {
		t.Helper()
		bag := NewBag()
		ct := &policy.ClaimsTransformation{ID: "s", TransformationMethod: "CreateRandomString",
			InputParameters: []policy.InputParameter{param("randomGeneratorType", "INTEGER"), param("maximumNumber", "1000000"), param("seed", seed)},
			OutputClaims:    []policy.TransformClaim{in("outputClaim", "n")}}
		// A seeded draw must not read the entropy source.
		if err := TransformWith(ct, bag, Env{Rand: errReader{}}); err != nil {
			t.Fatal(err)
		}
		v, _ := bag.Get("n")
		return v
	}
	a, b, c := draw("42"), draw("42"), draw("43")
	if a != b {
		t.Errorf("seed 42 gave %s then %s, want the same number", a, b)
	}
	if a == c {
		t.Errorf("seeds 42 and 43 both gave %s, want different numbers", a)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("entropy source read") }

func TestCompareClaims(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim1", "email1"), in("inputClaim2", "email2")}
	outs := []policy.TransformClaim{in("outputClaim", "r")}
	params := func(op, ignoreCase string) []policy.InputParameter {
		ps := []policy.InputParameter{param("operator", op)}
		if ignoreCase != "" {
			ps = append(ps, param("ignoreCase", ignoreCase))
		}
		return ps
	}
	pair := func(a, b string) map[string]any { return map[string]any{"email1": a, "email2": b} }
	runCases(t, "CompareClaims", []ctCase{
		{name: "doc vector NOT EQUAL", claims: pair("someone@contoso.com", "someone@outlook.com"), ins: ins, params: params("NOT EQUAL", "true"), outs: outs,
			want: map[string]any{"r": "true"}},
		{name: "unit test equal ignoring case", claims: pair("abc", "ABC"), ins: ins, params: params("equal", "true"), outs: outs,
			want: map[string]any{"r": "true"}},
		{name: "unit test not equal ignoring case", claims: pair("abc", "ABC"), ins: ins, params: params("not equal", "true"), outs: outs,
			want: map[string]any{"r": "false"}},
		{name: "ordinal by default", claims: pair("abc", "ABC"), ins: ins, params: params("EQUAL", ""), outs: outs,
			want: map[string]any{"r": "false"}},
		{name: "absent input leaves output unset", claims: map[string]any{"email1": "a"}, ins: ins, params: params("EQUAL", ""), outs: outs,
			want: map[string]any{"r": nil}},
		{name: "unknown operator", claims: pair("a", "a"), ins: ins, params: params("SAME", ""), outs: outs, wantErr: errAny},
		{name: "bad ignoreCase", claims: pair("a", "a"), ins: ins, params: params("EQUAL", "yes"), outs: outs, wantErr: errAny},
		{name: "no inputClaim2", claims: pair("a", "a"), ins: ins[:1], params: params("EQUAL", ""), outs: outs, wantErr: errAny},
	})
}

// CTP-02: AssertStringClaimsAreEqual's failure carries the configured
// comparison in its default text and the metadata key that replaces it.
func TestAssertStringClaimsAreEqualMessage(t *testing.T) {
	tests := []struct {
		name       string
		comparison string
		want       string
	}{
		{"pack spelling", "ordinalIgnoreCase", `Claim value comparison failed using StringComparison "OrdinalIgnoreCase".`},
		{"default", "", `Claim value comparison failed using StringComparison "Ordinal".`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := &policy.ClaimsTransformation{ID: "AssertEmailAreEqual", TransformationMethod: "AssertStringClaimsAreEqual",
				InputClaims: []policy.TransformClaim{in("inputClaim1", "email"), in("inputClaim2", "emailRepeat")}}
			if tt.comparison != "" {
				ct.InputParameters = []policy.InputParameter{param("stringComparison", tt.comparison)}
			}
			bag := NewBag()
			bag.Set("email", "a@contoso.com")
			bag.Set("emailRepeat", "b@contoso.com")
			var ae *AssertionError
			if err := Transform(ct, bag); !errors.As(err, &ae) || !errors.Is(err, ErrAssertionFailed) {
				t.Fatalf("error %v: want an *AssertionError", err)
			}
			if ae.MetadataKey != KeyStringsAreNotEqual || ae.UserMessage(nil) != tt.want {
				t.Errorf("AssertionError = %+v, want key %s and message %q", ae, KeyStringsAreNotEqual, tt.want)
			}
			md := policy.Metadata{{Key: KeyStringsAreNotEqual, Value: "The email addresses you provided are not the same"}}
			if got := ae.UserMessage(md); got != md[0].Value {
				t.Errorf("UserMessage with metadata = %q, want %q", got, md[0].Value)
			}
		})
	}
}
