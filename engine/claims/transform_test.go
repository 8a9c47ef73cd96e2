package claims

import (
	"errors"
	"testing"

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

func TestCreateAndCopy(t *testing.T) {
	bag := NewBag()
	create := &policy.ClaimsTransformation{ID: "c", TransformationMethod: "CreateStringClaim",
		InputParameters: []policy.InputParameter{{ID: "value", Value: "hello"}},
		OutputClaims:    []policy.TransformClaim{{ClaimTypeReferenceID: "greeting", TransformationClaimType: "createdClaim"}}}
	cp := &policy.ClaimsTransformation{ID: "p", TransformationMethod: "CopyClaim",
		InputClaims:  []policy.TransformClaim{{ClaimTypeReferenceID: "greeting", TransformationClaimType: "inputClaim"}},
		OutputClaims: []policy.TransformClaim{{ClaimTypeReferenceID: "copy", TransformationClaimType: "outputClaim"}}}
	for _, ct := range []*policy.ClaimsTransformation{create, cp} {
		if err := Transform(ct, bag); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := bag.Get("copy"); v != "hello" {
		t.Errorf("copy = %q, want hello", v)
	}
}
