package claims

import (
	"errors"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestAdjustNumber(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "steps")}
	outs := []policy.TransformClaim{in("outputClaim", "steps")}
	op := func(v string) []policy.InputParameter { return []policy.InputParameter{param("Operator", v)} }
	runCases(t, "AdjustNumber", []ctCase{
		{name: "doc example INCREMENT 1", claims: map[string]any{"steps": "1"}, ins: ins, params: op("INCREMENT"), outs: outs,
			want: map[string]any{"steps": "2"}},
		{name: "doc example null counts as 0", ins: ins, params: op("INCREMENT"), outs: outs, want: map[string]any{"steps": "1"}},
		{name: "INCREMENT is the default", claims: map[string]any{"steps": "41"}, ins: ins, outs: outs, want: map[string]any{"steps": "42"}},
		{name: "DECREMENT", claims: map[string]any{"steps": "0"}, ins: ins, params: op("DECREMENT"), outs: outs,
			want: map[string]any{"steps": "-1"}},
		{name: "operator in any case", claims: map[string]any{"steps": " +7 "}, ins: ins, params: op("decrement"), outs: outs,
			want: map[string]any{"steps": "6"}},
		{name: "int overflow", claims: map[string]any{"steps": "2147483647"}, ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "not a number", claims: map[string]any{"steps": "two"}, ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "bad operator", claims: map[string]any{"steps": "1"}, ins: ins, params: op("TWICE"), outs: outs, wantErr: errAny},
		{name: "no inputClaim slot", outs: outs, wantErr: errAny},
		{name: "no outputClaim", claims: map[string]any{"steps": "1"}, ins: ins, wantErr: errAny},
	})
}

func TestAssertNumber(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "attempts")}
	outs := []policy.TransformClaim{in("outputClaim", "attemptsCountExceeded")}
	params := func(op, to, throw string) []policy.InputParameter {
		ps := []policy.InputParameter{param("Operator", op), {ID: "CompareToValue", DataType: "int", Value: to}}
		if throw != "" {
			ps = append(ps, policy.InputParameter{ID: "throwError", DataType: "boolean", Value: throw})
		}
		return ps
	}
	runCases(t, "AssertNumber", []ctCase{
		{name: "doc example assertion mode 10 GreaterThan 5 throws", claims: map[string]any{"attempts": "10"}, ins: ins,
			params: params("GreaterThan", "5", "true"), wantErr: ErrAssertionFailed},
		{name: "doc example evaluation mode", claims: map[string]any{"attempts": "10"}, ins: ins,
			params: params("GreaterThan", "5", "false"), outs: outs, want: map[string]any{"attemptsCountExceeded": "true"}},
		{name: "throwError defaults to true", claims: map[string]any{"attempts": "10"}, ins: ins,
			params: params("GreaterThan", "5", ""), wantErr: ErrAssertionFailed},
		{name: "false comparison passes in assertion mode", claims: map[string]any{"attempts": "3"}, ins: ins,
			params: params("GreaterThan", "5", "true"), outs: outs, want: map[string]any{"attemptsCountExceeded": nil}},
		{name: "evaluation false", claims: map[string]any{"attempts": "3"}, ins: ins,
			params: params("GreaterThanOrEqual", "5", "false"), outs: outs, want: map[string]any{"attemptsCountExceeded": "false"}},
		{name: "LessThan", claims: map[string]any{"attempts": "4"}, ins: ins, params: params("LessThan", "5", "false"), outs: outs,
			want: map[string]any{"attemptsCountExceeded": "true"}},
		{name: "LessThanOrEqual", claims: map[string]any{"attempts": "5"}, ins: ins, params: params("LessThanOrEqual", "5", "false"), outs: outs,
			want: map[string]any{"attemptsCountExceeded": "true"}},
		{name: "Equal", claims: map[string]any{"attempts": "5"}, ins: ins, params: params("Equal", "5", "false"), outs: outs,
			want: map[string]any{"attemptsCountExceeded": "true"}},
		{name: "NotEqual", claims: map[string]any{"attempts": "5"}, ins: ins, params: params("NotEqual", "5", "false"), outs: outs,
			want: map[string]any{"attemptsCountExceeded": "false"}},
		{name: "null throws, not an assertion", ins: ins, params: params("GreaterThan", "5", "false"), outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "not a number", claims: map[string]any{"attempts": "many"}, ins: ins, params: params("GreaterThan", "5", "false"), outs: outs,
			wantErr: ErrInvalidClaimValue},
		{name: "bad operator", claims: map[string]any{"attempts": "1"}, ins: ins, params: params("Above", "5", "false"), outs: outs, wantErr: errAny},
		{name: "bad CompareToValue", claims: map[string]any{"attempts": "1"}, ins: ins, params: params("Equal", "five", "false"), outs: outs, wantErr: errAny},
		{name: "bad throwError", claims: map[string]any{"attempts": "1"}, ins: ins, params: params("Equal", "5", "yes"), outs: outs, wantErr: errAny},
		{name: "evaluation mode needs outputClaim", claims: map[string]any{"attempts": "1"}, ins: ins, params: params("Equal", "5", "false"), wantErr: errAny},
		{name: "no Operator", claims: map[string]any{"attempts": "1"}, ins: ins,
			params: []policy.InputParameter{{ID: "CompareToValue", DataType: "int", Value: "5"}}, wantErr: errAny},
	})

	ct := &policy.ClaimsTransformation{ID: "isOverLimit", TransformationMethod: "AssertNumber", InputClaims: ins,
		InputParameters: params("GreaterThan", "5", "true")}
	bag := NewBag()
	bag.Set("attempts", "10")
	var ae *AssertionError
	if err := Transform(ct, bag); !errors.As(err, &ae) {
		t.Fatalf("error %v: want an *AssertionError", err)
	}
	md := policy.Metadata{{Key: "AssertNumberError", Value: "You've reached the maximum logon attempts"}}
	if ae.MetadataKey != KeyAssertNumberError || ae.UserMessage(md) != "You've reached the maximum logon attempts" {
		t.Errorf("AssertionError = %+v, want key %s whose metadata replaces the message", ae, KeyAssertNumberError)
	}
}

func TestConvertNumberToStringClaim(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "numericUserId")}
	outs := []policy.TransformClaim{in("outputClaim", "UserId")}
	runCases(t, "ConvertNumberToStringClaim", []ctCase{
		{name: "doc example", claims: map[string]any{"numericUserId": "12334"}, ins: ins, outs: outs, want: map[string]any{"UserId": "12334"}},
		{name: "long range", claims: map[string]any{"numericUserId": "9223372036854775807"}, ins: ins, outs: outs,
			want: map[string]any{"UserId": "9223372036854775807"}},
		{name: "canonical form", claims: map[string]any{"numericUserId": " +007 "}, ins: ins, outs: outs, want: map[string]any{"UserId": "7"}},
		{name: "absent leaves output unset", ins: ins, outs: outs, want: map[string]any{"UserId": nil}},
		{name: "not a number", claims: map[string]any{"numericUserId": "12a"}, ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "no outputClaim", claims: map[string]any{"numericUserId": "1"}, ins: ins, wantErr: errAny},
	})
}
