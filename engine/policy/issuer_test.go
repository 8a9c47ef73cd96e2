package policy_test

import (
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

// issuerCheck asks token issuers for their signing key, as the emulator's JWT
// issuer does: the rule under test is which profiles count as issuers.
func issuerCheck(p *policy.Policy, tp *policy.TechnicalProfile) policy.Problems {
	if tp.OutputTokenFormat != "JWT" || !p.IsIssuer(tp) {
		return nil
	}
	return policy.RequireKeys(tp, "issuer_secret")
}

func issuerParts(t *testing.T) parts {
	t.Helper()
	p := defaultParts()
	p.profiles += `
        <TechnicalProfile Id="OIDC-IdP">
          <Protocol Name="OpenIdConnect" />
          <OutputTokenFormat>JWT</OutputTokenFormat>
          <Metadata><Item Key="METADATA">http://idp/.well-known/openid-configuration</Item></Metadata>
        </TechnicalProfile>
        <TechnicalProfile Id="login-NonInteractive">
          <Protocol Name="OpenIdConnect" />
          <OutputTokenFormat>JWT</OutputTokenFormat>
        </TechnicalProfile>
        <TechnicalProfile Id="NoneIssuer">
          <Protocol Name="None" />
          <OutputTokenFormat>JWT</OutputTokenFormat>
        </TechnicalProfile>
        <TechnicalProfile Id="SubIssuer">
          <Protocol Name="OpenIdConnect" />
          <OutputTokenFormat>JWT</OutputTokenFormat>
          <CryptographicKeys><Key Id="issuer_secret" StorageReferenceId="B2C_1A_TokenSigningKeyContainer" /></CryptographicKeys>
        </TechnicalProfile>`
	p.profiles = replaceOnce(t, p.profiles, `<OutputClaimsTransformations>`, `<ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="login-NonInteractive" /></ValidationTechnicalProfiles>
          <OutputClaimsTransformations>`)
	p.journeys = replaceOnce(t, p.journeys, `<ClaimsExchange Id="IdPExchange" TechnicalProfileReferenceId="IdP" />`,
		`<ClaimsExchange Id="IdPExchange" TechnicalProfileReferenceId="IdP" /><ClaimsExchange Id="OIDCExchange" TechnicalProfileReferenceId="OIDC-IdP" />`)
	p.journeys = replaceOnce(t, p.journeys, `<OrchestrationStep Order="1" Type="ClaimsExchange">`, `<OrchestrationStep Order="1" Type="ClaimsProviderSelection">
          <ClaimsProviderSelections><ClaimsProviderSelection TargetClaimsExchangeId="IdPExchange" /><ClaimsProviderSelection TargetClaimsExchangeId="OIDCExchange" /></ClaimsProviderSelections>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">`)
	p.journeys = replaceOnce(t, p.journeys, `<OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`,
		`<OrchestrationStep Order="3" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`)
	p.subJourneys = `
    <SubJourney Id="Other" Type="Transfer" DefaultCpimIssuerTechnicalProfileReferenceId="subissuer">
      <OrchestrationSteps><OrchestrationStep Order="1" Type="SendClaims" /></OrchestrationSteps>
    </SubJourney>`
	return p
}

// TestIsIssuer: only the relying party's issuers are issuers; an OpenIdConnect
// identity provider is not, whatever its OutputTokenFormat.
func TestIsIssuer(t *testing.T) {
	s := newSet(t, issuerParts(t).files())
	p := mustResolve(t, s, "B2C_1A_RP")
	tests := []struct {
		id   string
		want bool
	}{
		{"JwtIssuer", true},             // OpenIdConnect, named by a SendClaims step
		{"NoneIssuer", true},            // Protocol None
		{"SubIssuer", true},             // named as a sub journey's default issuer, in another case
		{"OIDC-IdP", false},             // a claims exchange of the journey
		{"login-NonInteractive", false}, // a validation technical profile
		{"IdP", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			tp, ok := p.TechnicalProfiles[tt.id]
			if !ok {
				t.Fatalf("no technical profile %q", tt.id)
			}
			if got := p.IsIssuer(tp); got != tt.want {
				t.Errorf("IsIssuer(%s) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

// TestIdentityProviderNeedsNoIssuerKey: AADB2C90025 (a missing issuer_secret) is
// reported for the issuers without keys only, not for OpenIdConnect identity
// providers with OutputTokenFormat JWT.
func TestIdentityProviderNeedsNoIssuerKey(t *testing.T) {
	ps := newSet(t, issuerParts(t).files()).Validate(issuerCheck)
	var got []string
	for _, pr := range ps {
		if pr.Code != policy.CodeMissingKey {
			t.Errorf("unexpected problem %v", pr)
			continue
		}
		got = append(got, pr.Path)
	}
	want := []string{"TechnicalProfile[Id=JwtIssuer]/CryptographicKeys", "TechnicalProfile[Id=NoneIssuer]/CryptographicKeys"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("AADB2C90025 at %v, want at %v", got, want)
	}
}
