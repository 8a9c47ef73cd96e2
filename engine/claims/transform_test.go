package claims

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestGenerateJSON(t *testing.T) {
	tests := []struct {
		name   string
		claims map[string]string
		ins    []policy.TransformClaim
		params []policy.InputParameter
		want   string
	}{
		{
			name:   "REST-04: indexes make arrays",
			claims: map[string]string{"email": "x"},
			ins:    []policy.TransformClaim{{ClaimTypeReferenceID: "email", TransformationClaimType: "personalizations.0.to.0.email"}},
			want:   `{"personalizations":[{"to":[{"email":"x"}]}]}`,
		},
		{
			name:   "constants from InputParameter with DataType, absent claims left out",
			claims: map[string]string{"email": "someone@example.com", "name": "Some One"},
			ins: []policy.TransformClaim{
				{ClaimTypeReferenceID: "email", TransformationClaimType: "personalizations.0.to.0.email"},
				{ClaimTypeReferenceID: "otp", TransformationClaimType: "personalizations.0.dynamic_template_data.otp"},
				{ClaimTypeReferenceID: "name", TransformationClaimType: "personalizations.0.to.0.name"},
			},
			params: []policy.InputParameter{
				{ID: "template_id", DataType: "string", Value: "d-4c56ffb40fa648b1aa6822283df94f60"},
				{ID: "from.email", DataType: "string", Value: "service@contoso.com"},
				{ID: "personalizations.0.dynamic_template_data.verify", DataType: "boolean", Value: "true"},
				{ID: "retries", DataType: "long", Value: "3"},
			},
			want: `{"from":{"email":"service@contoso.com"},"personalizations":[{"dynamic_template_data":{"verify":true},"to":[{"email":"someone@example.com","name":"Some One"}]}],"retries":3,"template_id":"d-4c56ffb40fa648b1aa6822283df94f60"}`,
		},
		{
			name:   "a claim's index filled before a parameter fills the one below",
			claims: map[string]string{"email": "x"},
			ins:    []policy.TransformClaim{{ClaimTypeReferenceID: "email", TransformationClaimType: "to.1"}},
			params: []policy.InputParameter{{ID: "to.0", DataType: "string", Value: "y"}},
			want:   `{"to":["y","x"]}`,
		},
		{name: "nothing gives an empty object", want: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bag := NewBag()
			for k, v := range tt.claims {
				bag.Set(k, v)
			}
			ct := &policy.ClaimsTransformation{ID: "GenerateSendGridRequestBody", TransformationMethod: "GenerateJson", InputClaims: tt.ins, InputParameters: tt.params,
				OutputClaims: []policy.TransformClaim{{ClaimTypeReferenceID: "requestBody", TransformationClaimType: "outputClaim"}}}
			if err := Transform(ct, bag); err != nil {
				t.Fatal(err)
			}
			if got, _ := bag.Get("requestBody"); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestTransformErrors(t *testing.T) {
	out := []policy.TransformClaim{{ClaimTypeReferenceID: "o", TransformationClaimType: "outputClaim"}}
	tests := []struct {
		name string
		ct   policy.ClaimsTransformation
		is   error
	}{
		{"unsupported method", policy.ClaimsTransformation{ID: "x", TransformationMethod: "LinkedInTrick"}, ErrUnsupportedTransformation},
		{"no output claim", policy.ClaimsTransformation{ID: "x", TransformationMethod: "GenerateJson"}, nil},
		{"bad long parameter", policy.ClaimsTransformation{ID: "x", TransformationMethod: "GenerateJson", OutputClaims: out,
			InputParameters: []policy.InputParameter{{ID: "n", DataType: "long", Value: "many"}}}, nil},
		{"array then object on the same path", policy.ClaimsTransformation{ID: "x", TransformationMethod: "GenerateJson", OutputClaims: out,
			InputParameters: []policy.InputParameter{{ID: "a.0", Value: "1"}, {ID: "a.b", Value: "2"}}}, nil},
		// FuzzTransform: an index was padded with nulls up to its value, so
		// a.30000000 took seconds and a larger one all memory.
		{"huge array index", policy.ClaimsTransformation{ID: "x", TransformationMethod: "GenerateJson", OutputClaims: out,
			InputParameters: []policy.InputParameter{{ID: "a.9223372036854775806", Value: "1"}}}, nil},
		{"array index skips an element", policy.ClaimsTransformation{ID: "x", TransformationMethod: "GenerateJson", OutputClaims: out,
			InputParameters: []policy.InputParameter{{ID: "a.0", Value: "1"}, {ID: "a.2", Value: "2"}, {ID: "b", Value: "3"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Transform(&tt.ct, NewBag())
			if err == nil {
				t.Fatal("want an error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("want %v, got %v", tt.is, err)
			}
		})
	}
}

// errAny as a wantErr accepts any error.
var errAny = errors.New("any error")

// ctCase is one row of a claims-transformation table test.
type ctCase struct {
	name   string
	claims map[string]any // the bag before
	ins    []policy.TransformClaim
	params []policy.InputParameter
	outs   []policy.TransformClaim
	rand   []byte         // Env.Rand; nil means crypto/rand
	now    time.Time      // Env.Now; zero means the system clock
	want   map[string]any // claims after; a nil value means absent
	// wantErr is matched with errors.Is; errAny accepts any error.
	wantErr error
}

// testSecrets is the policy key store of the tests: B2C_1A_AccountTransformSecret
// holds 1234567890, the article's example secret.
func testSecrets(container string) ([]byte, error) {
	if container == "B2C_1A_AccountTransformSecret" {
		return []byte("1234567890"), nil
	}
	return nil, fmt.Errorf("policy key %s not found", container)
}

func in(slot, claim string) policy.TransformClaim {
	return policy.TransformClaim{ClaimTypeReferenceID: claim, TransformationClaimType: slot}
}

func param(id, value string) policy.InputParameter {
	return policy.InputParameter{ID: id, DataType: "string", Value: value}
}

// runCases runs each case through TransformWith and checks the bag.
func runCases(t *testing.T, method string, cases []ctCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			bag := NewBag()
			for k, v := range tt.claims {
				bag.Set(k, v)
			}
			ct := &policy.ClaimsTransformation{ID: "CT-" + method, TransformationMethod: method,
				InputClaims: tt.ins, InputParameters: tt.params, OutputClaims: tt.outs}
			env := Env{Secret: testSecrets}
			if tt.rand != nil {
				env.Rand = bytes.NewReader(tt.rand)
			}
			if !tt.now.IsZero() {
				env.Now = fixedClock(tt.now)
			}
			err := TransformWith(ct, bag, env)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("want no error, got %v", err)
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("want error %v, got %v", tt.wantErr, err)
			}
			for id, want := range tt.want {
				got, ok := bag.Value(id)
				switch {
				case want == nil && ok:
					t.Errorf("want claim %s absent, got %#v", id, got)
				case want != nil && !ok:
					t.Errorf("want claim %s=%#v, got absent", id, want)
				case want != nil && !reflect.DeepEqual(got, want):
					t.Errorf("want claim %s=%#v, got %#v", id, want, got)
				}
			}
		})
	}
}

func TestSupported(t *testing.T) {
	for _, m := range []string{
		"AddItemToStringCollection", "AssertStringClaimsAreEqual", "ChangeCase", "CompareClaimToValue",
		"CopyClaim", "CreateAlternativeSecurityId", "CreateRandomString", "CreateStringClaim",
		"FormatStringClaim", "FormatStringMultipleClaims", "GenerateJson", "GetSingleItemFromJson", "StringReplace",
		"AdjustNumber", "AssertNumber", "ConvertNumberToStringClaim",
		"LookupValue", "NullClaim", "ParseDomain", "SetClaimIfBooleansMatch", "SetClaimsIfRegexMatch", "SetClaimsIfStringsAreEqual",
		"SetClaimsIfStringsMatch", "StringContains", "StringJoin", "StringSplit", "StringSubstring",
		"IsTermsOfUseConsentRequired", "DoesClaimExist", "Hash", "AddParameterToStringCollection", "GetSingleItemFromStringCollection", "StringCollectionContains", "StringCollectionContainsClaim",
		"CreateJsonArray", "GetClaimFromJson", "GetClaimsFromJsonArray", "GetClaimsFromJsonArrayV2", "GetNumericClaimFromJson", "GetSingleValueFromJsonArray",
		"XmlStringToJsonString",
		"ConvertPhoneNumberClaimToString", "ConvertStringToPhoneNumberClaim", "GetNationalNumberAndCountryCodeFromPhoneNumberString",
	} {
		if !Supported(m) {
			t.Errorf("Supported(%q) = false, want true", m)
		}
	}
	for _, m := range []string{"LinkedInTrick", "changecase", ""} {
		if Supported(m) {
			t.Errorf("Supported(%q) = true, want false (method names are case-sensitive)", m)
		}
	}
}

func TestCreateStringClaim(t *testing.T) {
	out := []policy.TransformClaim{in("createdClaim", "TOS")}
	runCases(t, "CreateStringClaim", []ctCase{
		{name: "doc example", params: []policy.InputParameter{param("value", "Contoso terms of service...")}, outs: out,
			want: map[string]any{"TOS": "Contoso terms of service..."}},
		{name: "empty value", params: []policy.InputParameter{param("value", "")}, outs: out, want: map[string]any{"TOS": ""}},
		{name: "no value parameter", outs: out, wantErr: errAny},
		{name: "no createdClaim", params: []policy.InputParameter{param("value", "x")}, wantErr: errAny},
	})
}

func TestCopyClaim(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "src")}
	outs := []policy.TransformClaim{in("outputClaim", "dst")}
	runCases(t, "CopyClaim", []ctCase{
		{name: "string", claims: map[string]any{"src": "hello"}, ins: ins, outs: outs, want: map[string]any{"dst": "hello"}},
		{name: "collection", claims: map[string]any{"src": []string{"a", "b"}}, ins: ins, outs: outs,
			want: map[string]any{"dst": []string{"a", "b"}}},
		{name: "absent input leaves output unset", ins: ins, outs: outs, want: map[string]any{"dst": nil}},
		{name: "absent input keeps an existing output", claims: map[string]any{"dst": "old"}, ins: ins, outs: outs,
			want: map[string]any{"dst": "old"}},
		{name: "no inputClaim", outs: outs, wantErr: errAny},
	})
}

func TestCopyClaimDoesNotAliasCollections(t *testing.T) {
	bag := NewBag()
	bag.Set("src", []string{"a"})
	ct := &policy.ClaimsTransformation{ID: "c", TransformationMethod: "CopyClaim",
		InputClaims: []policy.TransformClaim{in("inputClaim", "src")}, OutputClaims: []policy.TransformClaim{in("outputClaim", "dst")}}
	if err := Transform(ct, bag); err != nil {
		t.Fatal(err)
	}
	v, _ := bag.Value("dst")
	v.([]string)[0] = "changed"
	if src, _ := bag.Get("src"); src != "a" {
		t.Errorf("src = %q after changing dst, want a", src)
	}
}

func TestTransformDefaultEnv(t *testing.T) {
	bag := NewBag()
	ct := &policy.ClaimsTransformation{ID: "CreateRandomUPNUserName", TransformationMethod: "CreateRandomString",
		InputParameters: []policy.InputParameter{param("randomGeneratorType", "GUID")},
		OutputClaims:    []policy.TransformClaim{in("outputClaim", "upnUserName")}}
	if err := Transform(ct, bag); err != nil {
		t.Fatal(err)
	}
	got, _ := bag.Get("upnUserName")
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(got) {
		t.Errorf("upnUserName = %q, want a lower-case version 4 GUID", got)
	}
}
