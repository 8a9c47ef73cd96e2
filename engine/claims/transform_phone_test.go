package claims

import (
	"errors"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestConvertPhoneNumberClaimToString(t *testing.T) {
	ins := []policy.TransformClaim{in("phoneNumber", "cellPhoneNumber")}
	outs := []policy.TransformClaim{in("phoneNumberString", "cellPhone")}
	runCases(t, "ConvertPhoneNumberClaimToString", []ctCase{
		{name: "doc example", claims: map[string]any{"cellPhoneNumber": "+11234567890"}, ins: ins, outs: outs,
			want: map[string]any{"cellPhone": "+11234567890"}},
		{name: "absent input leaves output unset", ins: ins, outs: outs, want: map[string]any{"cellPhone": nil}},
		{name: "no phoneNumber slot", outs: outs, wantErr: errAny},
		{name: "no phoneNumberString slot", claims: map[string]any{"cellPhoneNumber": "+11234567890"}, ins: ins, wantErr: errAny},
	})
}

func TestConvertStringToPhoneNumberClaim(t *testing.T) {
	ins := []policy.TransformClaim{in("phoneNumberString", "phoneString"), in("country", "countryCode")}
	outs := []policy.TransformClaim{in("outputClaim", "phoneNumber")}
	runCases(t, "ConvertStringToPhoneNumberClaim", []ctCase{
		{name: "doc example 1: national format with country", claims: map[string]any{"phoneString": "033 456-7890", "countryCode": "DK"},
			ins: ins, outs: outs, want: map[string]any{"phoneNumber": "+450334567890"}},
		{name: "doc example 2: international format", claims: map[string]any{"phoneString": "+1 (123) 456-7890"},
			ins: ins, outs: outs, want: map[string]any{"phoneNumber": "+11234567890"}},
		{name: "country slot not declared", claims: map[string]any{"phoneString": "+1 (123) 456-7890"},
			ins: ins[:1], outs: outs, want: map[string]any{"phoneNumber": "+11234567890"}},
		{name: "international format wins over country", claims: map[string]any{"phoneString": "+44 20 7946 0958", "countryCode": "US"},
			ins: ins, outs: outs, want: map[string]any{"phoneNumber": "+442079460958"}},
		{name: "lowercase country", claims: map[string]any{"phoneString": "033 456-7890", "countryCode": "dk"},
			ins: ins, outs: outs, want: map[string]any{"phoneNumber": "+450334567890"}},
		{name: "empty country is international format", claims: map[string]any{"phoneString": "+49 (123) 456-7890", "countryCode": ""},
			ins: ins, outs: outs, want: map[string]any{"phoneNumber": "+491234567890"}},
		{name: "national format without country", claims: map[string]any{"phoneString": "033 456-7890"},
			ins: ins, outs: outs, wantErr: ErrAssertionFailed, want: map[string]any{"phoneNumber": nil}},
		{name: "not a phone number", claims: map[string]any{"phoneString": "hello", "countryCode": "US"},
			ins: ins, outs: outs, wantErr: ErrAssertionFailed, want: map[string]any{"phoneNumber": nil}},
		{name: "unknown calling code", claims: map[string]any{"phoneString": "+999 123456"},
			ins: ins, outs: outs, wantErr: ErrAssertionFailed},
		{name: "unknown country", claims: map[string]any{"phoneString": "033 456-7890", "countryCode": "XX"},
			ins: ins, outs: outs, wantErr: ErrAssertionFailed},
		{name: "empty string", claims: map[string]any{"phoneString": ""}, ins: ins, outs: outs, wantErr: ErrAssertionFailed},
		{name: "absent input leaves output unset", ins: ins, outs: outs, want: map[string]any{"phoneNumber": nil}},
		{name: "no phoneNumberString slot", ins: ins[1:], outs: outs, wantErr: errAny},
		{name: "no outputClaim slot", claims: map[string]any{"phoneString": "+11234567890"}, ins: ins, wantErr: errAny},
	})
}

func TestConvertStringToPhoneNumberClaimMessage(t *testing.T) {
	ct := &policy.ClaimsTransformation{ID: "ConvertStringToPhoneNumber", TransformationMethod: "ConvertStringToPhoneNumberClaim",
		InputClaims:  []policy.TransformClaim{in("phoneNumberString", "phoneString")},
		OutputClaims: []policy.TransformClaim{in("outputClaim", "phoneNumber")}}
	bag := NewBag()
	bag.Set("phoneString", "not a number")
	var ae *AssertionError
	if err := Transform(ct, bag); !errors.As(err, &ae) {
		t.Fatalf("error = %v, want an *AssertionError", err)
	}
	if ae.MetadataKey != "UserMessageIfClaimsTransformationInvalidPhoneNumber" {
		t.Errorf("MetadataKey = %q", ae.MetadataKey)
	}
	md := policy.Metadata{{Key: KeyInvalidPhoneNumber, Value: "Custom error message if the phone number is not valid."}}
	if got := ae.UserMessage(md); got != "Custom error message if the phone number is not valid." {
		t.Errorf("UserMessage = %q", got)
	}
}

func TestGetNationalNumberAndCountryCodeFromPhoneNumberString(t *testing.T) {
	ins := []policy.TransformClaim{in("phoneNumber", "phoneNumber")}
	outs := []policy.TransformClaim{in("nationalNumber", "nationalNumber"), in("countryCode", "countryCode")}
	params := func(throw, typ string) []policy.InputParameter {
		return []policy.InputParameter{{ID: "throwExceptionOnFailure", DataType: "boolean", Value: throw}, param("countryCodeType", typ)}
	}
	phone := func(v string) map[string]any { return map[string]any{"phoneNumber": v} }
	const method = "GetNationalNumberAndCountryCodeFromPhoneNumberString"
	runCases(t, method, []ctCase{
		{name: "doc example 1: ISO3166", claims: phone("+49 (123) 456-7890"), ins: ins, params: params("false", "ISO3166"), outs: outs,
			want: map[string]any{"nationalNumber": "1234567890", "countryCode": "DE"}},
		{name: "doc example 2: CallingCode", claims: phone("+49 (123) 456-7890"), ins: ins, params: params("false", "CallingCode"), outs: outs,
			want: map[string]any{"nationalNumber": "1234567890", "countryCode": "+49"}},
		{name: "region of a valid number sharing a calling code", claims: phone("+1 416 555 0123"), ins: ins, params: params("false", "ISO3166"), outs: outs,
			want: map[string]any{"nationalNumber": "4165550123", "countryCode": "CA"}},
		{name: "invalid number takes the calling code's main region", claims: phone("+1 (123) 456-7890"), ins: ins, params: params("false", "ISO3166"), outs: outs,
			want: map[string]any{"nationalNumber": "1234567890", "countryCode": "US"}},
		{name: "parameters left out: ISO3166, no exception", claims: phone("+44 20 7946 0958"), ins: ins, outs: outs,
			want: map[string]any{"nationalNumber": "2079460958", "countryCode": "GB"}},
		{name: "countryCodeType ignores case", claims: phone("+44 20 7946 0958"), ins: ins, params: params("true", "callingcode"), outs: outs,
			want: map[string]any{"nationalNumber": "2079460958", "countryCode": "+44"}},
		{name: "national number only", claims: phone("+49 (123) 456-7890"), ins: ins, params: params("false", "ISO3166"), outs: outs[:1],
			want: map[string]any{"nationalNumber": "1234567890", "countryCode": nil}},
		{name: "not valid, no exception: outputs keep their values",
			claims: map[string]any{"phoneNumber": "123 456", "nationalNumber": "old"}, ins: ins, params: params("false", "ISO3166"), outs: outs,
			want: map[string]any{"phoneNumber": "123 456", "nationalNumber": "old", "countryCode": nil}},
		{name: "not valid, throwExceptionOnFailure", claims: phone("123 456"), ins: ins, params: params("true", "ISO3166"), outs: outs,
			wantErr: ErrAssertionFailed, want: map[string]any{"nationalNumber": nil, "countryCode": nil}},
		{name: "unknown calling code, throwExceptionOnFailure", claims: phone("+999 1234"), ins: ins, params: params("True", "CallingCode"), outs: outs,
			wantErr: ErrAssertionFailed},
		{name: "absent input leaves outputs unset", ins: ins, params: params("true", "ISO3166"), outs: outs,
			want: map[string]any{"nationalNumber": nil, "countryCode": nil}},
		{name: "unknown countryCodeType", claims: phone("+49 (123) 456-7890"), ins: ins, params: params("false", "Alpha3"), outs: outs, wantErr: errAny},
		{name: "throwExceptionOnFailure not a boolean", claims: phone("+49 (123) 456-7890"), ins: ins, params: params("yes", "ISO3166"), outs: outs, wantErr: errAny},
		{name: "no phoneNumber slot", params: params("false", "ISO3166"), outs: outs, wantErr: errAny},
		{name: "no outputs", claims: phone("+49 (123) 456-7890"), ins: ins, params: params("false", "ISO3166"), wantErr: errAny},
	})

	ct := &policy.ClaimsTransformation{ID: method, TransformationMethod: method, InputClaims: ins, InputParameters: params("true", "ISO3166"), OutputClaims: outs}
	bag := NewBag()
	bag.Set("phoneNumber", "abc")
	var ae *AssertionError
	if err := Transform(ct, bag); !errors.As(err, &ae) || ae.MetadataKey != "UserMessageIfPhoneNumberParseFailure" {
		t.Fatalf("error = %v, want an *AssertionError under UserMessageIfPhoneNumberParseFailure", err)
	}
}
