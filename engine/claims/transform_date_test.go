package claims

import (
	"errors"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/policy"
)

// Date transformations: vectors from B2C's date-transformations article and
// the azure-ad-b2c unit tests (spec breadth §1.6, local-accounts §4.2).

func TestGetCurrentDateTime(t *testing.T) {
	outs := []policy.TransformClaim{in("currentDateTime", "systemDateTime")}
	now := time.Date(2022, 1, 14, 11, 40, 35, 0, time.FixedZone("CET", 3600))
	runCases(t, "GetCurrentDateTime", []ctCase{
		{name: "UTC with seven fraction digits", outs: outs, now: now, want: map[string]any{"systemDateTime": "2022-01-14T10:40:35.0000000Z"}},
		{name: "fraction kept", outs: outs, now: time.Date(2022, 1, 14, 11, 40, 35, 123456789, time.UTC),
			want: map[string]any{"systemDateTime": "2022-01-14T11:40:35.1234567Z"}},
		{name: "no currentDateTime", now: now, wantErr: errAny},
	})
}

func TestConvertDateTimeToDateClaim(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "systemDateTime")}
	outs := []policy.TransformClaim{in("outputClaim", "systemDate")}
	runCases(t, "ConvertDateTimeToDateClaim", []ctCase{
		{name: "doc vector", claims: map[string]any{"systemDateTime": "2022-01-03T11:34:22.0000000Z"}, ins: ins, outs: outs,
			want: map[string]any{"systemDate": "2022-01-03"}},
		{name: "offset is converted to UTC first", claims: map[string]any{"systemDateTime": "2022-01-03T01:00:00+02:00"}, ins: ins, outs: outs,
			want: map[string]any{"systemDate": "2022-01-02"}},
		{name: "no offset means UTC", claims: map[string]any{"systemDateTime": "2022-01-03T23:59:59.9"}, ins: ins, outs: outs,
			want: map[string]any{"systemDate": "2022-01-03"}},
		{name: "absent", ins: ins, outs: outs, want: map[string]any{"systemDate": nil}},
		{name: "not a date", claims: map[string]any{"systemDateTime": "yesterday"}, ins: ins, outs: outs, wantErr: ErrInvalidClaimValue,
			want: map[string]any{"systemDate": nil}},
		{name: "no outputClaim", claims: map[string]any{"systemDateTime": "2022-01-03"}, ins: ins, wantErr: errAny},
	})
}

func TestConvertDateToDateTimeClaim(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "dateOfBirth")}
	outs := []policy.TransformClaim{in("outputClaim", "dateOfBirthWithTime")}
	runCases(t, "ConvertDateToDateTimeClaim", []ctCase{
		{name: "doc vector", claims: map[string]any{"dateOfBirth": "2022-01-03"}, ins: ins, outs: outs,
			want: map[string]any{"dateOfBirthWithTime": "2022-01-03T00:00:00.0000000Z"}},
		{name: "a time part is dropped", claims: map[string]any{"dateOfBirth": "2019-06-01T13:00:00Z"}, ins: ins, outs: outs,
			want: map[string]any{"dateOfBirthWithTime": "2019-06-01T00:00:00.0000000Z"}},
		{name: "absent", ins: ins, outs: outs, want: map[string]any{"dateOfBirthWithTime": nil}},
		{name: "empty is absent", claims: map[string]any{"dateOfBirth": ""}, ins: ins, outs: outs, want: map[string]any{"dateOfBirthWithTime": nil}},
		{name: "not a date", claims: map[string]any{"dateOfBirth": "01/06/2019"}, ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "a collection", claims: map[string]any{"dateOfBirth": []string{"2019-06-01"}}, ins: ins, outs: outs, wantErr: ErrInvalidClaimValue},
	})
}

func TestDateTimeComparison(t *testing.T) {
	ins := []policy.TransformClaim{in("firstDateTime", "first"), in("secondDateTime", "second")}
	outs := []policy.TransformClaim{in("result", "r")}
	params := func(op, span string) []policy.InputParameter {
		ps := []policy.InputParameter{param("operator", op)}
		if span != "" {
			ps = append(ps, param("timeSpanInSeconds", span))
		}
		return ps
	}
	both := func(a, b string) map[string]any { return map[string]any{"first": a, "second": b} }
	now := time.Date(2022, 3, 16, 0, 0, 0, 0, time.UTC)
	runCases(t, "DateTimeComparison", []ctCase{
		{name: "doc vector: +90 days later than", claims: both("2022-01-01T00:00:00.100000Z", "2022-03-16T00:00:00.100000Z"), ins: ins,
			params: params("later than", "7776000"), outs: outs, want: map[string]any{"r": "true"}},
		{name: "unit test: +5 s not later than", claims: both("2022-03-01T00:00:00.1Z", "2022-03-02T00:00:00.1Z"), ins: ins,
			params: params("later than", "5"), outs: outs, want: map[string]any{"r": "false"}},
		{name: "earlier than, any case and spacing", claims: both("2022-03-01T00:00:00Z", "2022-03-02T00:00:00Z"), ins: ins,
			params: params("Earlier  Than", ""), outs: outs, want: map[string]any{"r": "true"}},
		{name: "negative span", claims: both("2022-03-02T00:00:00Z", "2022-03-01T12:00:00Z"), ins: ins,
			params: params("earlier than", "-86400"), outs: outs, want: map[string]any{"r": "true"}},
		{name: "same to the second", claims: both("2022-03-01T00:00:00.9Z", "2022-03-01T01:00:00.1+01:00"), ins: ins,
			params: params("same", ""), outs: outs, want: map[string]any{"r": "true"}},
		{name: "not the same", claims: both("2022-03-01T00:00:00Z", "2022-03-01T00:00:01Z"), ins: ins,
			params: params("same", ""), outs: outs, want: map[string]any{"r": "false"}},
		{name: "2018 doc spelling greater than", claims: both("2018-01-02T00:00:00.100000Z", "2018-04-01T00:00:00.100000Z"), ins: ins,
			params: params("greater than", "7776000"), outs: outs, want: map[string]any{"r": "true"}},
		{name: "absent second is now", claims: map[string]any{"first": "2021-12-15T00:00:00Z"}, ins: ins, now: now,
			params: params("earlier than", "7776000"), outs: outs, want: map[string]any{"r": "true"}},
		{name: "absent second is now, not later", claims: map[string]any{"first": "2021-12-15T00:00:00Z"}, ins: ins, now: now,
			params: params("later than", "7776000"), outs: outs, want: map[string]any{"r": "false"}},
		{name: "absent first is an error", claims: map[string]any{"second": "2022-03-01T00:00:00Z"}, ins: ins,
			params: params("later than", ""), outs: outs, wantErr: ErrInvalidClaimValue, want: map[string]any{"r": nil}},
		{name: "unparsable second", claims: both("2022-03-01T00:00:00Z", "soon"), ins: ins,
			params: params("later than", ""), outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "unknown operator", claims: both("2022-03-01T00:00:00Z", "2022-03-01T00:00:00Z"), ins: ins,
			params: params("after", ""), outs: outs, wantErr: errAny},
		{name: "span beyond Int32", claims: both("2022-03-01T00:00:00Z", "2022-03-01T00:00:00Z"), ins: ins,
			params: params("same", "2147483648"), outs: outs, wantErr: errAny},
		{name: "no operator", claims: both("2022-03-01T00:00:00Z", "2022-03-01T00:00:00Z"), ins: ins, outs: outs, wantErr: errAny},
		{name: "no result", claims: both("2022-03-01T00:00:00Z", "2022-03-01T00:00:00Z"), ins: ins, params: params("same", ""), wantErr: errAny},
	})
}

// AssertDateTimeIsGreaterThan as the packs' AssertRefreshTokenIssuedLaterThanValidFromDate
// calls it (CTP-07's tolerance) and as the docs' vectors do.
func TestAssertDateTimeIsGreaterThan(t *testing.T) {
	ins := []policy.TransformClaim{in("leftOperand", "refreshTokenIssuedOnDateTime"), in("rightOperand", "refreshTokensValidFromDateTime")}
	pack := []policy.InputParameter{param("AssertIfEqualTo", "false"), param("AssertIfRightOperandIsNotPresent", "true"),
		param("TreatAsEqualIfWithinMillseconds", "300000")}
	ops := func(left, right string) map[string]any {
		m := map[string]any{}
		if left != "" {
			m["refreshTokenIssuedOnDateTime"] = left
		}
		if right != "" {
			m["refreshTokensValidFromDateTime"] = right
		}
		return m
	}
	runCases(t, "AssertDateTimeIsGreaterThan", []ctCase{
		{name: "doc vector: right three weeks later fails", claims: ops("2022-01-01T15:00:00", "2022-01-22T15:00:00"), ins: ins, params: pack,
			wantErr: ErrAssertionFailed},
		{name: "left later passes", claims: ops("2018-10-01T15:00:00.0000000Z", "2018-10-01T14:00:00.0000000Z"), ins: ins, params: pack},
		{name: "CTP-07 right 1 min later is within the tolerance", claims: ops("2024-05-01T12:00:00.0000000Z", "2024-05-01T12:01:00.0000000Z"),
			ins: ins, params: pack},
		{name: "CTP-07 right 10 min later fails", claims: ops("2024-05-01T12:00:00.0000000Z", "2024-05-01T12:10:00.0000000Z"),
			ins: ins, params: pack, wantErr: ErrAssertionFailed},
		{name: "equal fails by default", claims: ops("2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z"), ins: ins, wantErr: ErrAssertionFailed},
		{name: "within tolerance and AssertIfEqualTo=true fails", claims: ops("2024-05-01T12:00:00Z", "2024-05-01T12:00:01Z"), ins: ins,
			params: []policy.InputParameter{param("AssertIfEqualTo", "TRUE"), param("TreatAsEqualIfWithinMillseconds", "1000")}, wantErr: ErrAssertionFailed},
		{name: "right absent fails when asked", claims: ops("2024-05-01T12:00:00Z", ""), ins: ins, params: pack, wantErr: ErrAssertionFailed},
		{name: "right absent passes otherwise", claims: ops("2024-05-01T12:00:00Z", ""), ins: ins,
			params: []policy.InputParameter{param("AssertIfRightOperandIsNotPresent", "false")}},
		{name: "left absent fails", claims: ops("", "2024-05-01T12:00:00Z"), ins: ins, params: pack, wantErr: ErrAssertionFailed},
		{name: "unparsable operand is no assertion failure", claims: ops("2024-05-01T12:00:00Z", "later"), ins: ins, params: pack,
			wantErr: ErrInvalidClaimValue},
		{name: "bad tolerance", claims: ops("2024-05-01T12:00:00Z", "2024-05-01T11:00:00Z"), ins: ins,
			params: []policy.InputParameter{param("TreatAsEqualIfWithinMillseconds", "5 min")}, wantErr: errAny},
		{name: "bad boolean parameter", claims: ops("2024-05-01T12:00:00Z", "2024-05-01T11:00:00Z"), ins: ins,
			params: []policy.InputParameter{param("AssertIfEqualTo", "no")}, wantErr: errAny},
		{name: "no rightOperand slot", claims: ops("2024-05-01T12:00:00Z", ""), ins: ins[:1], wantErr: errAny},
	})

	ct := &policy.ClaimsTransformation{ID: "AssertRefreshTokenIssuedLaterThanValidFromDate", TransformationMethod: "AssertDateTimeIsGreaterThan",
		InputClaims: ins, InputParameters: pack}
	bag := NewBag()
	for k, v := range ops("2022-01-01T15:00:00", "2022-01-22T15:00:00") {
		bag.Set(k, v)
	}
	var ae *AssertionError
	if err := Transform(ct, bag); !errors.As(err, &ae) {
		t.Fatalf("error %v: want an *AssertionError", err)
	}
	const def = "Claim value comparison failed: The provided left operand is greater than the right operand."
	if ae.MetadataKey != "DateTimeGreaterThan" || ae.UserMessage(nil) != def {
		t.Errorf("AssertionError = %+v, want key DateTimeGreaterThan and message %q", ae, def)
	}
}

func TestIsTermsOfUseConsentRequired(t *testing.T) {
	ins := []policy.TransformClaim{in("termsOfUseConsentDateTime", "extension_termsOfUseConsentDateTime")}
	outs := []policy.TransformClaim{in("result", "termsOfUseConsentRequired")}
	updated := func(v string) []policy.InputParameter {
		return []policy.InputParameter{{ID: "termsOfUseTextUpdateDateTime", DataType: "dateTime", Value: v}}
	}
	consent := func(v string) map[string]any { return map[string]any{"extension_termsOfUseConsentDateTime": v} }
	runCases(t, "IsTermsOfUseConsentRequired", []ctCase{
		{name: "doc example", claims: consent("2020-03-09T09:15:00"), ins: ins, params: updated("2021-11-15"), outs: outs,
			want: map[string]any{"termsOfUseConsentRequired": "true"}},
		{name: "doc XML parameter with a time", claims: consent("2020-03-09T09:15:00"), ins: ins, params: updated("2021-11-15T00:00:00"), outs: outs,
			want: map[string]any{"termsOfUseConsentRequired": "true"}},
		{name: "consent after the update", claims: consent("2022-01-14T11:40:35.0000000Z"), ins: ins, params: updated("2021-11-15T00:00:00"),
			outs: outs, want: map[string]any{"termsOfUseConsentRequired": "false"}},
		{name: "equal is not earlier", claims: consent("2021-11-15T00:00:00Z"), ins: ins, params: updated("2021-11-15"), outs: outs,
			want: map[string]any{"termsOfUseConsentRequired": "false"}},
		{name: "undefined gives true", ins: ins, params: updated("2021-11-15"), outs: outs, want: map[string]any{"termsOfUseConsentRequired": "true"}},
		{name: "empty gives true", claims: consent(""), ins: ins, params: updated("2021-11-15"), outs: outs,
			want: map[string]any{"termsOfUseConsentRequired": "true"}},
		{name: "not a date", claims: consent("last year"), ins: ins, params: updated("2021-11-15"), outs: outs, wantErr: ErrInvalidClaimValue},
		{name: "bad parameter", claims: consent("2020-03-09T09:15:00"), ins: ins, params: updated("soon"), outs: outs, wantErr: errAny},
		{name: "no parameter", claims: consent("2020-03-09T09:15:00"), ins: ins, outs: outs, wantErr: errAny},
		{name: "no result output", claims: consent("2020-03-09T09:15:00"), ins: ins, params: updated("2021-11-15"), wantErr: errAny},
	})
}
