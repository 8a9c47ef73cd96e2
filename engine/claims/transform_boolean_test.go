package claims

import (
	"errors"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

// Boolean transformations: vectors from B2C's boolean-transformations article
// and the azure-ad-b2c unit tests (spec breadth §1.5).

func TestAndOrClaims(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim1", "a"), in("inputClaim2", "b")}
	outs := []policy.TransformClaim{in("outputClaim", "r")}
	for _, m := range []struct {
		method string
		tf, tt string // results of true,false and true,true
	}{{"AndClaims", "false", "true"}, {"OrClaims", "true", "true"}} {
		t.Run(m.method, func(t *testing.T) {
			runCases(t, m.method, []ctCase{
				{name: "doc vector true,false", claims: map[string]any{"a": "true", "b": "false"}, ins: ins, outs: outs, want: map[string]any{"r": m.tf}},
				{name: "true,true in any case", claims: map[string]any{"a": "True", "b": " TRUE "}, ins: ins, outs: outs, want: map[string]any{"r": m.tt}},
				{name: "false,false", claims: map[string]any{"a": "false", "b": "false"}, ins: ins, outs: outs, want: map[string]any{"r": "false"}},
				{name: "absent input leaves output unset", claims: map[string]any{"a": "true"}, ins: ins, outs: outs, want: map[string]any{"r": nil}},
				{name: "not a boolean", claims: map[string]any{"a": "yes", "b": "true"}, ins: ins, outs: outs, wantErr: ErrInvalidClaimValue,
					want: map[string]any{"r": nil}},
				{name: "a collection is not a boolean", claims: map[string]any{"a": []string{"true"}, "b": "true"}, ins: ins, outs: outs,
					wantErr: ErrInvalidClaimValue},
				{name: "no inputClaim2", claims: map[string]any{"a": "true"}, ins: ins[:1], outs: outs, wantErr: errAny},
				{name: "no outputClaim", claims: map[string]any{"a": "true", "b": "true"}, ins: ins, wantErr: errAny},
			})
		})
	}
}

func TestNotClaims(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "userExists")}
	runCases(t, "NotClaims", []ctCase{
		{name: "doc vector, same claim in and out", claims: map[string]any{"userExists": "false"}, ins: ins,
			outs: []policy.TransformClaim{in("outputClaim", "userExists")}, want: map[string]any{"userExists": "true"}},
		{name: "true", claims: map[string]any{"userExists": "TRUE"}, ins: ins,
			outs: []policy.TransformClaim{in("outputClaim", "r")}, want: map[string]any{"r": "false"}},
		{name: "absent", ins: ins, outs: []policy.TransformClaim{in("outputClaim", "r")}, want: map[string]any{"r": nil}},
		{name: "not a boolean", claims: map[string]any{"userExists": "1"}, ins: ins,
			outs: []policy.TransformClaim{in("outputClaim", "r")}, wantErr: ErrInvalidClaimValue},
	})
}

func TestCompareBooleanClaimToValue(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "IsAgeOver21Years")}
	outs := []policy.TransformClaim{in("compareResult", "accountEnabled")}
	to := func(v string) []policy.InputParameter { return []policy.InputParameter{param("valueToCompareTo", v)} }
	runCases(t, "CompareBooleanClaimToValue", []ctCase{
		{name: "doc vector false vs true", claims: map[string]any{"IsAgeOver21Years": "false"}, ins: ins, params: to("true"), outs: outs,
			want: map[string]any{"accountEnabled": "false"}},
		{name: "unit test true vs false", claims: map[string]any{"IsAgeOver21Years": "true"}, ins: ins, params: to("false"), outs: outs,
			want: map[string]any{"accountEnabled": "false"}},
		{name: "equal", claims: map[string]any{"IsAgeOver21Years": "true"}, ins: ins, params: to("True"), outs: outs,
			want: map[string]any{"accountEnabled": "true"}},
		{name: "absent", ins: ins, params: to("true"), outs: outs, want: map[string]any{"accountEnabled": nil}},
		{name: "bad parameter", claims: map[string]any{"IsAgeOver21Years": "true"}, ins: ins, params: to("1"), outs: outs, wantErr: errAny},
		{name: "no parameter", claims: map[string]any{"IsAgeOver21Years": "true"}, ins: ins, outs: outs, wantErr: errAny},
		{name: "not a boolean", claims: map[string]any{"IsAgeOver21Years": "maybe"}, ins: ins, params: to("true"), outs: outs, wantErr: ErrInvalidClaimValue},
	})
}

// CTP-03: AssertBooleanClaimIsEqualToValue with false vs true fails with the
// default text, under the metadata key the self-asserted profile may set.
func TestAssertBooleanClaimIsEqualToValue(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "accountEnabled")}
	to := func(v string) []policy.InputParameter { return []policy.InputParameter{param("valueToCompareTo", v)} }
	runCases(t, "AssertBooleanClaimIsEqualToValue", []ctCase{
		{name: "CTP-03 doc vector false vs true", claims: map[string]any{"accountEnabled": "false"}, ins: ins, params: to("true"), wantErr: ErrAssertionFailed},
		{name: "equal passes", claims: map[string]any{"accountEnabled": "true"}, ins: ins, params: to("true"),
			want: map[string]any{"accountEnabled": "true"}},
		{name: "unit test false vs false passes", claims: map[string]any{"boolean1": "False"}, ins: []policy.TransformClaim{in("inputClaim", "boolean1")},
			params: to("false")},
		{name: "absent input fails", ins: ins, params: to("true"), wantErr: ErrAssertionFailed},
		{name: "not a boolean is no assertion failure", claims: map[string]any{"accountEnabled": "enabled"}, ins: ins, params: to("true"),
			wantErr: ErrInvalidClaimValue},
		{name: "no valueToCompareTo", claims: map[string]any{"accountEnabled": "true"}, ins: ins, wantErr: errAny},
		{name: "no inputClaim slot", params: to("true"), wantErr: errAny},
	})

	ct := &policy.ClaimsTransformation{ID: "AssertAccountEnabledIsTrue", TransformationMethod: "AssertBooleanClaimIsEqualToValue",
		InputClaims: ins, InputParameters: to("true")}
	bag := NewBag()
	bag.Set("accountEnabled", "false")
	err := Transform(ct, bag)
	var ae *AssertionError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v: want an *AssertionError", err)
	}
	const def = `Boolean claim value comparison failed for claim type "inputClaim".`
	if ae.MetadataKey != KeyBooleanValueIsNotEqual || ae.Message != def {
		t.Errorf("AssertionError = %+v, want key %s and message %q", ae, KeyBooleanValueIsNotEqual, def)
	}
	if got := ae.UserMessage(nil); got != def {
		t.Errorf("UserMessage without metadata = %q, want %q", got, def)
	}
	md := policy.Metadata{{Key: "usermessageifclaimstransformationbooleanvalueisnotequal", Value: "Your account has been locked."}}
	if got := ae.UserMessage(md); got != "Your account has been locked." {
		t.Errorf("UserMessage with metadata = %q, want the metadata text", got)
	}
}
