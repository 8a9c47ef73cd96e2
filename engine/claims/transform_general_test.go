package claims

import (
	"errors"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestDoesClaimExist(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "email")}
	outs := []policy.TransformClaim{in("outputClaim", "isEmailPresent")}
	runCases(t, "DoesClaimExist", []ctCase{
		{name: "doc example", claims: map[string]any{"email": "someone@contoso.com"}, ins: ins, outs: outs,
			want: map[string]any{"isEmailPresent": "true"}},
		{name: "absent", ins: ins, outs: outs, want: map[string]any{"isEmailPresent": "false"}},
		{name: "empty counts as absent", claims: map[string]any{"email": ""}, ins: ins, outs: outs, want: map[string]any{"isEmailPresent": "false"}},
		{name: "collection", claims: map[string]any{"email": []string{"a"}}, ins: ins, outs: outs, want: map[string]any{"isEmailPresent": "true"}},
		{name: "empty collection", claims: map[string]any{"email": []string{}}, ins: ins, outs: outs, want: map[string]any{"isEmailPresent": "false"}},
		{name: "no inputClaim slot", outs: outs, wantErr: errAny},
		{name: "no outputClaim", claims: map[string]any{"email": "x"}, ins: ins, wantErr: errAny},
	})
}

func TestHash(t *testing.T) {
	ins := []policy.TransformClaim{in("plaintext", "email"), in("salt", "mySalt")}
	outs := []policy.TransformClaim{in("hash", "hashedEmail")}
	secret := func(v string) []policy.InputParameter { return []policy.InputParameter{param("randomizerSecret", v)} }
	doc := map[string]any{"email": "someone@contoso.com", "mySalt": "487624568"}
	runCases(t, "Hash", []ctCase{
		// The article's output was made with a secret it does not give; this
		// vector is HMAC-SHA256 with the secret 1234567890 computed elsewhere.
		{name: "doc example inputs", claims: doc, ins: ins, params: secret("B2C_1A_AccountTransformSecret"), outs: outs,
			want: map[string]any{"hashedEmail": "8IQwuy3d9HTElJ+jWDUobUkq1F/GvfWtjiqj1hALMbs="}},
		{name: "empty salt", claims: map[string]any{"email": "someone@contoso.com", "mySalt": ""}, ins: ins,
			params: secret("B2C_1A_AccountTransformSecret"), outs: outs,
			want: map[string]any{"hashedEmail": "IqsRY0h8T5tGA8rgQc3hlONpsQZtaWIroyo+jMauWy4="}},
		{name: "absent salt leaves output unset", claims: map[string]any{"email": "someone@contoso.com"}, ins: ins,
			params: secret("B2C_1A_AccountTransformSecret"), outs: outs, want: map[string]any{"hashedEmail": nil}},
		{name: "absent plaintext leaves output unset", claims: map[string]any{"mySalt": "1"}, ins: ins,
			params: secret("B2C_1A_AccountTransformSecret"), outs: outs, want: map[string]any{"hashedEmail": nil}},
		{name: "unknown policy key", claims: doc, ins: ins, params: secret("B2C_1A_Missing"), outs: outs, wantErr: errAny,
			want: map[string]any{"hashedEmail": nil}},
		{name: "no randomizerSecret", claims: doc, ins: ins, outs: outs, wantErr: errAny},
		{name: "no salt slot", claims: doc, ins: ins[:1], params: secret("B2C_1A_AccountTransformSecret"), outs: outs, wantErr: errAny},
		{name: "no hash output", claims: doc, ins: ins, params: secret("B2C_1A_AccountTransformSecret"), wantErr: errAny},
	})

	ct := &policy.ClaimsTransformation{ID: "HashPasswordWithEmail", TransformationMethod: "Hash", InputClaims: ins,
		InputParameters: secret("B2C_1A_AccountTransformSecret"), OutputClaims: outs}
	bag := NewBag()
	bag.Set("email", "someone@contoso.com")
	bag.Set("mySalt", "487624568")
	if err := Transform(ct, bag); !errors.Is(err, ErrNoPolicyKeys) {
		t.Errorf("Hash without Env.Secret: error %v, want ErrNoPolicyKeys", err)
	}
}
