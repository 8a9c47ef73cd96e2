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

func TestStringContains(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "roles")}
	outs := []policy.TransformClaim{in("outputClaim", "isAdmin")}
	params := func(sub, ignoreCase string) []policy.InputParameter {
		ps := []policy.InputParameter{param("contains", sub)}
		if ignoreCase != "" {
			ps = append(ps, param("ignoreCase", ignoreCase))
		}
		return ps
	}
	roles := map[string]any{"roles": "Admin, Approver, Editor"}
	runCases(t, "StringContains", []ctCase{
		{name: "doc example", claims: roles, ins: ins, params: params("admin,", "true"), outs: outs, want: map[string]any{"isAdmin": "true"}},
		{name: "case-sensitive", claims: roles, ins: ins, params: params("admin,", "false"), outs: outs, want: map[string]any{"isAdmin": "false"}},
		{name: "ignoreCase defaults to false", claims: roles, ins: ins, params: params("admin", ""), outs: outs, want: map[string]any{"isAdmin": "false"}},
		{name: "found", claims: roles, ins: ins, params: params("Editor", ""), outs: outs, want: map[string]any{"isAdmin": "true"}},
		{name: "empty is always contained", claims: roles, ins: ins, params: params("", ""), outs: outs, want: map[string]any{"isAdmin": "true"}},
		{name: "absent leaves output unset", ins: ins, params: params("admin", "true"), outs: outs, want: map[string]any{"isAdmin": nil}},
		{name: "no contains parameter", claims: roles, ins: ins, outs: outs, wantErr: errAny},
		{name: "bad ignoreCase", claims: roles, ins: ins, params: params("a", "maybe"), outs: outs, wantErr: errAny},
	})
}

func TestStringSubstring(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "phoneNumber")}
	outs := []policy.TransformClaim{in("outputClaim", "phonePrefix")}
	params := func(start, length string) []policy.InputParameter {
		return []policy.InputParameter{{ID: "startIndex", DataType: "int", Value: start}, {ID: "length", DataType: "int", Value: length}}
	}
	phone := map[string]any{"phoneNumber": "+1644114520"}
	runCases(t, "StringSubstring", []ctCase{
		{name: "doc example", claims: phone, ins: ins, params: params("0", "2"), outs: outs, want: map[string]any{"phonePrefix": "+1"}},
		{name: "middle", claims: phone, ins: ins, params: params("2", "3"), outs: outs, want: map[string]any{"phonePrefix": "644"}},
		{name: "empty at the end", claims: phone, ins: ins, params: params("11", "0"), outs: outs, want: map[string]any{"phonePrefix": ""}},
		{name: "UTF-16 code units", claims: map[string]any{"phoneNumber": "é😀x"}, ins: ins, params: params("1", "2"), outs: outs,
			want: map[string]any{"phonePrefix": "😀"}},
		{name: "past the end", claims: phone, ins: ins, params: params("10", "2"), outs: outs, wantErr: errAny, want: map[string]any{"phonePrefix": nil}},
		{name: "negative start", claims: phone, ins: ins, params: params("-1", "2"), outs: outs, wantErr: errAny},
		{name: "not an int", claims: phone, ins: ins, params: params("0", "two"), outs: outs, wantErr: errAny},
		{name: "no length", claims: phone, ins: ins, params: params("0", "2")[:1], outs: outs, wantErr: errAny},
		{name: "absent leaves output unset", ins: ins, params: params("0", "2"), outs: outs, want: map[string]any{"phonePrefix": nil}},
	})
}

func TestStringJoin(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "roles")}
	outs := []policy.TransformClaim{in("outputClaim", "rolesCommaDelimiterConverted")}
	comma := []policy.InputParameter{param("delimiter", ",")}
	runCases(t, "StringJoin", []ctCase{
		{name: "doc example", claims: map[string]any{"roles": []string{"Admin", "Author", "Reader"}}, ins: ins, params: comma, outs: outs,
			want: map[string]any{"rolesCommaDelimiterConverted": "Admin,Author,Reader"}},
		{name: "longer delimiter", claims: map[string]any{"roles": []string{"a", "b"}}, ins: ins, params: []policy.InputParameter{param("delimiter", " | ")},
			outs: outs, want: map[string]any{"rolesCommaDelimiterConverted": "a | b"}},
		{name: "empty collection", claims: map[string]any{"roles": []string{}}, ins: ins, params: comma, outs: outs,
			want: map[string]any{"rolesCommaDelimiterConverted": ""}},
		{name: "absent leaves output unset", ins: ins, params: comma, outs: outs, want: map[string]any{"rolesCommaDelimiterConverted": nil}},
		{name: "no delimiter", claims: map[string]any{"roles": []string{"a"}}, ins: ins, outs: outs, wantErr: errAny},
	})
}

func TestStringSplit(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "rolesCommaDelimiter")}
	outs := []policy.TransformClaim{in("outputClaim", "roles")}
	comma := []policy.InputParameter{param("delimiter", ",")}
	runCases(t, "StringSplit", []ctCase{
		{name: "doc example replaces existing items", claims: map[string]any{"rolesCommaDelimiter": "Admin,Author,Reader", "roles": []string{"old"}},
			ins: ins, params: comma, outs: outs, want: map[string]any{"roles": []string{"Admin", "Author", "Reader"}}},
		{name: "empty parts kept", claims: map[string]any{"rolesCommaDelimiter": "a,,b,"}, ins: ins, params: comma, outs: outs,
			want: map[string]any{"roles": []string{"a", "", "b", ""}}},
		{name: "no delimiter in value", claims: map[string]any{"rolesCommaDelimiter": "a"}, ins: ins, params: comma, outs: outs,
			want: map[string]any{"roles": []string{"a"}}},
		{name: "empty value", claims: map[string]any{"rolesCommaDelimiter": ""}, ins: ins, params: comma, outs: outs,
			want: map[string]any{"roles": []string{}}},
		{name: "empty delimiter does not split", claims: map[string]any{"rolesCommaDelimiter": "ab"}, ins: ins,
			params: []policy.InputParameter{param("delimiter", "")}, outs: outs, want: map[string]any{"roles": []string{"ab"}}},
		{name: "absent leaves output unset", ins: ins, params: comma, outs: outs, want: map[string]any{"roles": nil}},
		{name: "no delimiter", claims: map[string]any{"rolesCommaDelimiter": "a"}, ins: ins, outs: outs, wantErr: errAny},
	})
}

func TestParseDomain(t *testing.T) {
	ins := []policy.TransformClaim{in("emailAddress", "email")}
	outs := []policy.TransformClaim{in("domain", "domainName")}
	runCases(t, "ParseDomain", []ctCase{
		{name: "doc example", claims: map[string]any{"email": "joe@outlook.com"}, ins: ins, outs: outs, want: map[string]any{"domainName": "outlook.com"}},
		{name: "last @", claims: map[string]any{"email": `"a@b"@contoso.com`}, ins: ins, outs: outs, want: map[string]any{"domainName": "contoso.com"}},
		{name: "no @ leaves output unset", claims: map[string]any{"email": "joe"}, ins: ins, outs: outs, want: map[string]any{"domainName": nil}},
		{name: "absent leaves output unset", ins: ins, outs: outs, want: map[string]any{"domainName": nil}},
		{name: "no domain output", claims: map[string]any{"email": "joe@outlook.com"}, ins: ins, wantErr: errAny},
	})
}

func TestNullClaim(t *testing.T) {
	outs := []policy.TransformClaim{in("claim_to_null", "TermsOfService")}
	runCases(t, "NullClaim", []ctCase{
		{name: "doc example", claims: map[string]any{"TermsOfService": "Welcome to Contoso App. If you continue to browse..."}, outs: outs,
			want: map[string]any{"TermsOfService": nil}},
		{name: "absent stays absent", outs: outs, want: map[string]any{"TermsOfService": nil}},
		{name: "no claim_to_null", claims: map[string]any{"TermsOfService": "x"}, wantErr: errAny, want: map[string]any{"TermsOfService": "x"}},
	})
}

func TestLookupValue(t *testing.T) {
	ins := []policy.TransformClaim{in("inputParameterId", "domainName")}
	outs := []policy.TransformClaim{in("outputClaim", "domainAppId")}
	params := func(errorOnFailedLookup string) []policy.InputParameter {
		return []policy.InputParameter{
			param("contoso.com", "13c15f79-8fb1-4e29-a6c9-be0d36ff19f1"),
			param("microsoft.com", "0213308f-17cb-4398-b97e-01da7bd4804e"),
			param("test.com", "c7026f88-4299-4cdb-965d-3f166464b8a9"),
			{ID: "errorOnFailedLookup", DataType: "boolean", Value: errorOnFailedLookup},
		}
	}
	runCases(t, "LookupValue", []ctCase{
		{name: "doc example", claims: map[string]any{"domainName": "test.com"}, ins: ins, params: params("false"), outs: outs,
			want: map[string]any{"domainAppId": "c7026f88-4299-4cdb-965d-3f166464b8a9"}},
		{name: "doc example with error", claims: map[string]any{"domainName": "live.com"}, ins: ins, params: params("true"), outs: outs,
			wantErr: ErrAssertionFailed, want: map[string]any{"domainAppId": nil}},
		{name: "no match without error leaves output unset", claims: map[string]any{"domainName": "live.com"}, ins: ins, params: params("false"),
			outs: outs, want: map[string]any{"domainAppId": nil}},
		{name: "errorOnFailedLookup is not a key", claims: map[string]any{"domainName": "errorOnFailedLookup"}, ins: ins, params: params("false"),
			outs: outs, want: map[string]any{"domainAppId": nil}},
		{name: "ordinal match", claims: map[string]any{"domainName": "Test.com"}, ins: ins, params: params("false"), outs: outs,
			want: map[string]any{"domainAppId": nil}},
		{name: "errorOnFailedLookup defaults to false", claims: map[string]any{"domainName": "live.com"}, ins: ins, params: params("false")[:3],
			outs: outs, want: map[string]any{"domainAppId": nil}},
		{name: "absent leaves output unset", ins: ins, params: params("true"), outs: outs, want: map[string]any{"domainAppId": nil}},
		{name: "bad errorOnFailedLookup", claims: map[string]any{"domainName": "test.com"}, ins: ins, params: params("yes"), outs: outs, wantErr: errAny},
	})

	ct := &policy.ClaimsTransformation{ID: "DomainToClientId", TransformationMethod: "LookupValue", InputClaims: ins,
		InputParameters: params("true"), OutputClaims: outs}
	bag := NewBag()
	bag.Set("domainName", "live.com")
	var ae *AssertionError
	if err := Transform(ct, bag); !errors.As(err, &ae) || ae.MetadataKey != KeyLookupNotFound {
		t.Fatalf("error %v: want an *AssertionError under %s", err, KeyLookupNotFound)
	}
}

func TestSetClaimIfBooleansMatch(t *testing.T) {
	ins := []policy.TransformClaim{in("claimToMatch", "hasPromotionCode")}
	outs := []policy.TransformClaim{in("outputClaim", "promotionCode")}
	params := func(matchTo string) []policy.InputParameter {
		return []policy.InputParameter{param("matchTo", matchTo), param("outputClaimIfMatched", "Promotion code not found.")}
	}
	runCases(t, "SetClaimIfBooleansMatch", []ctCase{
		{name: "doc example", claims: map[string]any{"hasPromotionCode": "true"}, ins: ins, params: params("true"), outs: outs,
			want: map[string]any{"promotionCode": "Promotion code not found."}},
		{name: "no match leaves output as it is", claims: map[string]any{"hasPromotionCode": "false", "promotionCode": "X1"}, ins: ins,
			params: params("true"), outs: outs, want: map[string]any{"promotionCode": "X1"}},
		{name: "match false", claims: map[string]any{"hasPromotionCode": "False"}, ins: ins, params: params("false"), outs: outs,
			want: map[string]any{"promotionCode": "Promotion code not found."}},
		{name: "null throws", ins: ins, params: params("true"), outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "not a boolean", claims: map[string]any{"hasPromotionCode": "yes"}, ins: ins, params: params("true"), outs: outs,
			wantErr: ErrInvalidClaimValue},
		{name: "bad matchTo", claims: map[string]any{"hasPromotionCode": "true"}, ins: ins, params: params("1"), outs: outs, wantErr: errAny},
		{name: "no outputClaimIfMatched", claims: map[string]any{"hasPromotionCode": "true"}, ins: ins, params: params("true")[:1], outs: outs,
			wantErr: errAny},
	})
}

func TestSetClaimsIfRegexMatch(t *testing.T) {
	ins := []policy.TransformClaim{in("claimToMatch", "phone")}
	outs := []policy.TransformClaim{in("outputClaim", "validationResult"), in("regexCompareResultClaim", "isPhoneBoolean")}
	params := func(expr string) []policy.InputParameter {
		return []policy.InputParameter{param("matchTo", expr), param("outputClaimIfMatched", "iPhone")}
	}
	groupIns := []policy.TransformClaim{in("claimToMatch", "email")}
	groupOuts := []policy.TransformClaim{in("outputClaim", "validationResult"), in("regexCompareResultClaim", "isEmailString"),
		{ClaimTypeReferenceID: "mailAlias"}}
	groupParams := func(extract string) []policy.InputParameter {
		return []policy.InputParameter{param("matchTo", "(?<mailAlias>.*)@(.*)$"), param("outputClaimIfMatched", "isEmail"),
			{ID: "extractGroups", DataType: "boolean", Value: extract}}
	}
	runCases(t, "SetClaimsIfRegexMatch", []ctCase{
		{name: "doc example", claims: map[string]any{"phone": "64854114520"}, ins: ins, params: params("^[0-9]{4,16}$"), outs: outs,
			want: map[string]any{"validationResult": "iPhone", "isPhoneBoolean": "true"}},
		{name: "doc example with extract groups", claims: map[string]any{"email": "emily@contoso.com"}, ins: groupIns, params: groupParams("true"),
			outs: groupOuts, want: map[string]any{"validationResult": "isEmail", "isEmailString": "true", "mailAlias": "emily"}},
		{name: "groups only when extractGroups", claims: map[string]any{"email": "emily@contoso.com"}, ins: groupIns, params: groupParams("false"),
			outs: groupOuts, want: map[string]any{"validationResult": "isEmail", "isEmailString": "true", "mailAlias": nil}},
		{name: "no match", claims: map[string]any{"phone": "call me", "validationResult": "before"}, ins: ins, params: params("^[0-9]{4,16}$"),
			outs: outs, want: map[string]any{"validationResult": "before", "isPhoneBoolean": "false"}},
		{name: "a search, not anchored", claims: map[string]any{"phone": "tel 1234"}, ins: ins, params: params("[0-9]{4}"), outs: outs,
			want: map[string]any{"isPhoneBoolean": "true"}},
		{name: ".NET syntax", claims: map[string]any{"phone": "aa"}, ins: ins, params: params(`^(?<c>a)\k<c>$`), outs: outs,
			want: map[string]any{"isPhoneBoolean": "true"}},
		{name: "absent leaves outputs unset", ins: ins, params: params("^[0-9]+$"), outs: outs,
			want: map[string]any{"validationResult": nil, "isPhoneBoolean": nil}},
		{name: "bad regex", claims: map[string]any{"phone": "1"}, ins: ins, params: params("(["), outs: outs, wantErr: errAny},
		{name: "no matchTo", claims: map[string]any{"phone": "1"}, ins: ins, params: params("x")[1:], outs: outs, wantErr: errAny},
		{name: "outputClaim needs outputClaimIfMatched", claims: map[string]any{"phone": "1"}, ins: ins, params: params("x")[:1], outs: outs,
			wantErr: errAny},
	})
}

func TestSetClaimsIfStringsAreEqual(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "termsOfUseConsentVersion")}
	outs := []policy.TransformClaim{in("outputClaim1", "termsOfUseConsentVersion"), in("outputClaim2", "termsOfUseConsentVersionUpgradeCode"),
		in("stringCompareResultClaim", "termsOfUseConsentVersionUpgradeResult")}
	params := func(matchTo, cmp string) []policy.InputParameter {
		ps := []policy.InputParameter{param("matchTo", matchTo), param("stringMatchMsgCode", "B2C_V1_90005"), param("stringMatchMsg", "The TOS is upgraded to v2")}
		if cmp != "" {
			ps = append(ps, param("stringComparison", cmp))
		}
		return ps
	}
	runCases(t, "SetClaimsIfStringsAreEqual", []ctCase{
		// The article's table: outputClaim1 takes stringMatchMsg, outputClaim2 stringMatchMsgCode.
		{name: "doc example", claims: map[string]any{"termsOfUseConsentVersion": "v1"}, ins: ins, params: params("V1", "ordinalIgnoreCase"), outs: outs,
			want: map[string]any{"termsOfUseConsentVersion": "The TOS is upgraded to v2", "termsOfUseConsentVersionUpgradeCode": "B2C_V1_90005",
				"termsOfUseConsentVersionUpgradeResult": "true"}},
		{name: "Ordinal by default", claims: map[string]any{"termsOfUseConsentVersion": "v1"}, ins: ins, params: params("V1", ""), outs: outs,
			want: map[string]any{"termsOfUseConsentVersion": "v1", "termsOfUseConsentVersionUpgradeCode": nil,
				"termsOfUseConsentVersionUpgradeResult": "false"}},
		{name: "result slot alone", claims: map[string]any{"termsOfUseConsentVersion": "v1"}, ins: ins,
			params: []policy.InputParameter{param("matchTo", "v1")}, outs: outs[2:], want: map[string]any{"termsOfUseConsentVersionUpgradeResult": "true"}},
		{name: "absent leaves outputs unset", ins: ins, params: params("v1", ""), outs: outs,
			want: map[string]any{"termsOfUseConsentVersionUpgradeCode": nil, "termsOfUseConsentVersionUpgradeResult": nil}},
		{name: "bad stringComparison", claims: map[string]any{"termsOfUseConsentVersion": "v1"}, ins: ins, params: params("v1", "Fuzzy"), outs: outs,
			wantErr: errAny},
		{name: "outputClaim1 needs stringMatchMsg", claims: map[string]any{"termsOfUseConsentVersion": "v1"}, ins: ins,
			params: params("v1", "")[:2], outs: outs, wantErr: errAny},
		{name: "no matchTo", claims: map[string]any{"termsOfUseConsentVersion": "v1"}, ins: ins, params: params("v1", "")[1:], outs: outs, wantErr: errAny},
	})
}

func TestSetClaimsIfStringsMatch(t *testing.T) {
	ins := []policy.TransformClaim{in("claimToMatch", "ageGroup")}
	outs := []policy.TransformClaim{in("outputClaim", "isMinor"), in("stringCompareResultClaim", "isMinorResponseCode")}
	params := func(cmp string) []policy.InputParameter {
		return []policy.InputParameter{param("matchTo", "Minor"), param("stringComparison", cmp), param("outputClaimIfMatched", "B2C_V1_90001")}
	}
	runCases(t, "SetClaimsIfStringsMatch", []ctCase{
		{name: "doc example", claims: map[string]any{"ageGroup": "Minor"}, ins: ins, params: params("ordinalIgnoreCase"), outs: outs,
			want: map[string]any{"isMinor": "B2C_V1_90001", "isMinorResponseCode": "true"}},
		{name: "ignore case", claims: map[string]any{"ageGroup": "minor"}, ins: ins, params: params("ordinalIgnoreCase"), outs: outs,
			want: map[string]any{"isMinor": "B2C_V1_90001", "isMinorResponseCode": "true"}},
		{name: "ordinal mismatch", claims: map[string]any{"ageGroup": "minor"}, ins: ins, params: params("Ordinal"), outs: outs,
			want: map[string]any{"isMinor": nil, "isMinorResponseCode": "false"}},
		{name: "absent leaves outputs unset", ins: ins, params: params("Ordinal"), outs: outs,
			want: map[string]any{"isMinor": nil, "isMinorResponseCode": nil}},
		{name: "outputClaim needs outputClaimIfMatched", claims: map[string]any{"ageGroup": "Minor"}, ins: ins, params: params("Ordinal")[:2],
			outs: outs, wantErr: errAny},
	})
}
