package claimstransformation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
	"github.com/iefconform/iefconform/engine/profile/claimstransformation"
	"github.com/iefconform/iefconform/engine/profile/profiletest"
)

const protocol = `<Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.ClaimsTransformationProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />`

func tpXML(id, body string) string {
	return `<TechnicalProfile Id="` + id + `"><DisplayName>x</DisplayName>` + protocol + body + `</TechnicalProfile>`
}

// run does what the journey does with a Caller (engine/journey call): Call,
// then the profile's output claims transformations, in order.
func run(t *testing.T, tp *policy.TechnicalProfile, cts map[string]*policy.ClaimsTransformation, env *profile.Env) error {
	t.Helper()
	p, probs := claimstransformation.New(tp)
	if len(probs) > 0 {
		t.Fatalf("New: unexpected problems: %v", probs)
	}
	if err := p.Call(context.Background(), env); err != nil {
		return err
	}
	for _, ref := range tp.OutputClaimsTransformations {
		ct, ok := cts[ref.ReferenceID]
		if !ok {
			t.Fatalf("test: claims transformation %s not given", ref.ReferenceID)
		}
		if err := claims.Transform(ct, env.Claims); err != nil {
			return err
		}
	}
	return nil
}

func TestHandlerIsThePacksSpelling(t *testing.T) {
	tp := profiletest.ParseTechnicalProfile(t, "p", tpXML("CT", `<OutputClaims><OutputClaim ClaimTypeReferenceId="a" /></OutputClaims>`))
	if tp.Protocol == nil || tp.Protocol.Handler != claimstransformation.Handler || tp.Protocol.Name != claimstransformation.ProtocolName {
		t.Fatalf("Protocol %+v: want Name %q and Handler %q", tp.Protocol, claimstransformation.ProtocolName, claimstransformation.Handler)
	}
}

// CTP-08: a claims-transformation profile without OutputClaims is a problem.
func TestNewWithoutOutputClaims(t *testing.T) {
	p, probs := profiletest.New(t, claimstransformation.New, "p", tpXML("NoOutputs",
		`<InputClaims><InputClaim ClaimTypeReferenceId="email" /></InputClaims>`))
	profiletest.WantProblems(t, probs, []string{""}, "has no OutputClaims")
	if !errors.Is(probs.Err(), claimstransformation.ErrNoOutputClaims) {
		t.Errorf("problems %v: want ErrNoOutputClaims", probs)
	}
	if p == nil {
		t.Fatal("New must return the profile with its problems")
	}
}

func TestCallDefaults(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		before   map[string]string
		want     map[string]string
		wantNone []string
	}{
		{
			// CTP-01: ForgotPassword sets the claim without a page or a network call.
			name: "CTP-01 ForgotPassword sets isForgotPassword",
			body: `<OutputClaims><OutputClaim ClaimTypeReferenceId="isForgotPassword" DefaultValue="true" AlwaysUseDefaultValue="true" /></OutputClaims>`,
			want: map[string]string{"isForgotPassword": "true"},
		},
		{
			name:   "AlwaysUseDefaultValue overwrites the bag",
			body:   `<OutputClaims><OutputClaim ClaimTypeReferenceId="identityProvider2" DefaultValue="facebook.com" AlwaysUseDefaultValue="true" /></OutputClaims>`,
			before: map[string]string{"identityProvider2": "google.com"},
			want:   map[string]string{"identityProvider2": "facebook.com"},
		},
		{
			name: "a DefaultValue fills only an absent claim",
			body: `<OutputClaims><OutputClaim ClaimTypeReferenceId="ageGroup" DefaultValue="Undefined" />` +
				`<OutputClaim ClaimTypeReferenceId="ageGroupValueChanged" DefaultValue="false" /></OutputClaims>`,
			before: map[string]string{"ageGroup": "Adult"},
			want:   map[string]string{"ageGroup": "Adult", "ageGroupValueChanged": "false"},
		},
		{
			name:     "an output claim without a default is left alone",
			body:     `<OutputClaims><OutputClaim ClaimTypeReferenceId="email" /><OutputClaim ClaimTypeReferenceId="emailDomain" /></OutputClaims>`,
			before:   map[string]string{"email": "a@contoso.com"},
			want:     map[string]string{"email": "a@contoso.com"},
			wantNone: []string{"emailDomain"},
		},
		{
			name: "input claim defaults reach the bag when the claim has no value",
			body: `<InputClaims><InputClaim ClaimTypeReferenceId="locale" DefaultValue="en-US" />` +
				`<InputClaim ClaimTypeReferenceId="country" DefaultValue="US" /></InputClaims>` +
				`<OutputClaims><OutputClaim ClaimTypeReferenceId="locale" /></OutputClaims>`,
			before: map[string]string{"country": "NL"},
			want:   map[string]string{"locale": "en-US", "country": "NL"},
		},
		{
			name: "claim resolvers resolve with IncludeClaimResolvingInClaimsHandling",
			body: `<Metadata><Item Key="IncludeClaimResolvingInClaimsHandling">true</Item></Metadata>` +
				`<OutputClaims><OutputClaim ClaimTypeReferenceId="policy" DefaultValue="{Policy:PolicyId}" AlwaysUseDefaultValue="true" />` +
				`<OutputClaim ClaimTypeReferenceId="raw" DefaultValue="{Policy:PolicyId}" /></OutputClaims>`,
			want: map[string]string{"policy": profiletest.PolicyID, "raw": "{Policy:PolicyId}"},
		},
		{
			name: "claim resolvers stay as written without the metadata",
			body: `<OutputClaims><OutputClaim ClaimTypeReferenceId="policy" DefaultValue="{Policy:PolicyId}" AlwaysUseDefaultValue="true" /></OutputClaims>`,
			want: map[string]string{"policy": "{Policy:PolicyId}"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := profiletest.MustNew(t, claimstransformation.New, "p", tpXML("CT", tt.body))
			env := profiletest.NewEnv(nil)
			for k, v := range tt.before {
				env.Claims.Set(k, v)
			}
			if err := p.Call(context.Background(), env); err != nil {
				t.Fatalf("Call: %v", err)
			}
			profiletest.WantClaims(t, env.Claims, tt.want, tt.wantNone)
		})
	}
}

func TestCallWithoutClaimsBag(t *testing.T) {
	p := profiletest.MustNew(t, claimstransformation.New, "p", tpXML("CT", `<OutputClaims><OutputClaim ClaimTypeReferenceId="a" DefaultValue="1" /></OutputClaims>`))
	if err := p.Call(context.Background(), nil); !errors.Is(err, claimstransformation.ErrNoClaimsBag) {
		t.Errorf("Call(nil env) = %v, want ErrNoClaimsBag", err)
	}
	if err := p.Call(context.Background(), &profile.Env{}); !errors.Is(err, claimstransformation.ErrNoClaimsBag) {
		t.Errorf("Call(env without bag) = %v, want ErrNoClaimsBag", err)
	}
}

// The output transformations see the output claims' defaults (the docs'
// unlink example reads identityProvider2, set by a DefaultValue).
func TestOutputTransformationsSeeDefaults(t *testing.T) {
	tp := profiletest.ParseTechnicalProfile(t, "p", tpXML("CreateUPN",
		`<OutputClaims><OutputClaim ClaimTypeReferenceId="upnUserName" DefaultValue="joe" AlwaysUseDefaultValue="true" />`+
			`<OutputClaim ClaimTypeReferenceId="userPrincipalName" /></OutputClaims>`+
			`<OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="CreateUserPrincipalName" /></OutputClaimsTransformations>`))
	cts := map[string]*policy.ClaimsTransformation{"CreateUserPrincipalName": {ID: "CreateUserPrincipalName", TransformationMethod: "FormatStringClaim",
		InputClaims:     []policy.TransformClaim{{ClaimTypeReferenceID: "upnUserName", TransformationClaimType: "inputClaim"}},
		InputParameters: []policy.InputParameter{{ID: "stringFormat", DataType: "string", Value: "cpim_{0}@contoso.onmicrosoft.com"}},
		OutputClaims:    []policy.TransformClaim{{ClaimTypeReferenceID: "userPrincipalName", TransformationClaimType: "outputClaim"}}}}
	env := profiletest.NewEnv(nil)
	if err := run(t, tp, cts, env); err != nil {
		t.Fatal(err)
	}
	profiletest.WantClaims(t, env.Claims, map[string]string{"userPrincipalName": "cpim_joe@contoso.onmicrosoft.com"}, nil)
}

// CTP-02 and CTP-03: an assertion in a validation profile fails with the text
// of the self-asserted profile's metadata, or B2C's default without it.
func TestAssertionMessages(t *testing.T) {
	assertBool := &policy.ClaimsTransformation{ID: "AssertAccountEnabledIsTrue", TransformationMethod: "AssertBooleanClaimIsEqualToValue",
		InputClaims:     []policy.TransformClaim{{ClaimTypeReferenceID: "accountEnabled", TransformationClaimType: "inputClaim"}},
		InputParameters: []policy.InputParameter{{ID: "valueToCompareTo", DataType: "boolean", Value: "true"}}}
	assertStrings := &policy.ClaimsTransformation{ID: "AssertEmailAreEqual", TransformationMethod: "AssertStringClaimsAreEqual",
		InputClaims: []policy.TransformClaim{{ClaimTypeReferenceID: "email", TransformationClaimType: "inputClaim1"},
			{ClaimTypeReferenceID: "emailRepeat", TransformationClaimType: "inputClaim2"}},
		InputParameters: []policy.InputParameter{{ID: "stringComparison", DataType: "string", Value: "ordinalIgnoreCase"}}}
	cts := map[string]*policy.ClaimsTransformation{assertBool.ID: assertBool, assertStrings.ID: assertStrings}
	tests := []struct {
		name     string
		body     string
		claims   map[string]string
		metadata policy.Metadata // the self-asserted profile's
		want     string          // "" means the profile passes
	}{
		{
			name: "CTP-03 boolean false vs true, no message configured",
			body: `<OutputClaims><OutputClaim ClaimTypeReferenceId="ComparisonResult" DefaultValue="false" /></OutputClaims>` +
				`<OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="AssertAccountEnabledIsTrue" /></OutputClaimsTransformations>`,
			claims: map[string]string{"accountEnabled": "false"},
			want:   `Boolean claim value comparison failed for claim type "inputClaim".`,
		},
		{
			name: "boolean with the pack's message",
			body: `<OutputClaims><OutputClaim ClaimTypeReferenceId="ComparisonResult" DefaultValue="false" /></OutputClaims>` +
				`<OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="AssertAccountEnabledIsTrue" /></OutputClaimsTransformations>`,
			claims:   map[string]string{"accountEnabled": "false"},
			metadata: policy.Metadata{{Key: "UserMessageIfClaimsTransformationBooleanValueIsNotEqual", Value: "Your account has been locked."}},
			want:     "Your account has been locked.",
		},
		{
			name: "boolean equal passes",
			body: `<OutputClaims><OutputClaim ClaimTypeReferenceId="ComparisonResult" DefaultValue="false" /></OutputClaims>` +
				`<OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="AssertAccountEnabledIsTrue" /></OutputClaimsTransformations>`,
			claims: map[string]string{"accountEnabled": "true"},
		},
		{
			name: "CTP-02 strings differ, message configured",
			body: `<InputClaims><InputClaim ClaimTypeReferenceId="emailRepeat" /></InputClaims><OutputClaims><OutputClaim ClaimTypeReferenceId="email" /></OutputClaims>` +
				`<OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="AssertEmailAreEqual" /></OutputClaimsTransformations>`,
			claims:   map[string]string{"email": "a@contoso.com", "emailRepeat": "b@contoso.com"},
			metadata: policy.Metadata{{Key: "UserMessageIfClaimsTransformationStringsAreNotEqual", Value: "The email addresses you provided are not the same"}},
			want:     "The email addresses you provided are not the same",
		},
		{
			name: "CTP-02 strings differ, default text",
			body: `<InputClaims><InputClaim ClaimTypeReferenceId="emailRepeat" /></InputClaims><OutputClaims><OutputClaim ClaimTypeReferenceId="email" /></OutputClaims>` +
				`<OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="AssertEmailAreEqual" /></OutputClaimsTransformations>`,
			claims: map[string]string{"email": "a@contoso.com", "emailRepeat": "b@contoso.com"},
			want:   `Claim value comparison failed using StringComparison "OrdinalIgnoreCase".`,
		},
		{
			name: "strings equal ignoring case pass",
			body: `<InputClaims><InputClaim ClaimTypeReferenceId="emailRepeat" /></InputClaims><OutputClaims><OutputClaim ClaimTypeReferenceId="email" /></OutputClaims>` +
				`<OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="AssertEmailAreEqual" /></OutputClaimsTransformations>`,
			claims: map[string]string{"email": "A@contoso.com", "emailRepeat": "a@Contoso.com"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := profiletest.ParseTechnicalProfile(t, "p", tpXML("Validate", tt.body))
			env := profiletest.NewEnv(nil)
			for k, v := range tt.claims {
				env.Claims.Set(k, v)
			}
			err := run(t, tp, cts, env)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want no error, got %v", err)
				}
				return
			}
			var ae *claims.AssertionError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v: want a *claims.AssertionError", err)
			}
			if got := ae.UserMessage(tt.metadata); got != tt.want {
				t.Errorf("user message = %q, want %q", got, tt.want)
			}
			// In an orchestration step the failure ends the journey with AADB2C90255.
			if pe := profile.AsError(err); pe.Code != profile.CodeServerError {
				t.Errorf("AsError code = %q, want %q", pe.Code, profile.CodeServerError)
			}
		})
	}
}
