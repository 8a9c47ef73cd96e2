package claims

import (
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestCreateAlternativeSecurityID(t *testing.T) {
	ins := []policy.TransformClaim{in("key", "issuerUserId"), in("identityProvider", "identityProvider")}
	outs := []policy.TransformClaim{in("alternativeSecurityId", "alternativeSecurityId")}
	idp := func(key, provider string) map[string]any {
		return map[string]any{"issuerUserId": key, "identityProvider": provider}
	}
	runCases(t, "CreateAlternativeSecurityId", []ctCase{
		{name: "doc example: key 12334 from Facebook.com", claims: idp("12334", "Facebook.com"), ins: ins, outs: outs,
			want: map[string]any{"alternativeSecurityId": `{"issuer":"Facebook.com","issuerUserId":"MTIzMzQ="}`}},
		{name: "doc alternativeSecurityIds: google.com", claims: idp("108146082927052563270", "google.com"), ins: ins, outs: outs,
			want: map[string]any{"alternativeSecurityId": `{"issuer":"google.com","issuerUserId":"MTA4MTQ2MDgyOTI3MDUyNTYzMjcw"}`}},
		{name: "doc alternativeSecurityIds: facebook.com", claims: idp("12345", "facebook.com"), ins: ins, outs: outs,
			want: map[string]any{"alternativeSecurityId": `{"issuer":"facebook.com","issuerUserId":"MTIzNDU="}`}},
		{name: "no HTML escaping", claims: idp("a&b", "https://idp.example/<x>"), ins: ins, outs: outs,
			want: map[string]any{"alternativeSecurityId": `{"issuer":"https://idp.example/<x>","issuerUserId":"YSZi"}`}},
		{name: "absent key leaves output unset", claims: map[string]any{"identityProvider": "facebook.com"}, ins: ins, outs: outs,
			want: map[string]any{"alternativeSecurityId": nil}},
		{name: "absent identityProvider leaves output unset", claims: map[string]any{"issuerUserId": "1"}, ins: ins, outs: outs,
			want: map[string]any{"alternativeSecurityId": nil}},
		{name: "no identityProvider input", claims: idp("1", "x"), ins: ins[:1], outs: outs, wantErr: errAny},
		{name: "no output", claims: idp("1", "x"), ins: ins, wantErr: errAny},
	})
}
