package policy_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

// caseParts is a policy pair whose references name every kind of element in
// another case than it is declared in.
func caseParts() parts {
	return parts{
		claims: `
      <ClaimType Id="sub"><DataType>string</DataType></ClaimType>
      <ClaimType Id="surname"><DataType>string</DataType></ClaimType>
      <ClaimType Id="displayName"><DataType>string</DataType></ClaimType>`,
		transformations: `
      <ClaimsTransformation Id="CopySurname" TransformationMethod="CopyClaim">
        <InputClaims><InputClaim ClaimTypeReferenceId="SURNAME" TransformationClaimType="inputClaim" /></InputClaims>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="DisplayName" TransformationClaimType="outputClaim" /></OutputClaims>
      </ClaimsTransformation>`,
		profiles: `
        <TechnicalProfile Id="IdP-Common">
          <Metadata><Item Key="client_id">abc</Item></Metadata>
        </TechnicalProfile>
        <TechnicalProfile Id="IdP">
          <Protocol Name="OAuth2" />
          <Metadata><Item Key="Client_ID">xyz</Item></Metadata>
          <InputClaims><InputClaim ClaimTypeReferenceId="Sub" /></InputClaims>
          <PersistedClaims><PersistedClaim ClaimTypeReferenceId="SurName" /></PersistedClaims>
          <OutputClaims>
            <OutputClaim ClaimTypeReferenceId="surName" PartnerClaimType="family_name" />
          </OutputClaims>
          <OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="copysurname" /></OutputClaimsTransformations>
          <ValidationTechnicalProfiles>
            <ValidationTechnicalProfile ReferenceId="rest-check">
              <Preconditions>
                <Precondition Type="ClaimEquals" ExecuteActionsIf="true"><Value>SURNAME</Value><Value>Smith</Value><Action>SkipThisValidationTechnicalProfile</Action></Precondition>
              </Preconditions>
            </ValidationTechnicalProfile>
          </ValidationTechnicalProfiles>
          <IncludeTechnicalProfile ReferenceId="idp-common" />
          <UseTechnicalProfileForSessionManagement ReferenceId="sm-noop" />
        </TechnicalProfile>
        <TechnicalProfile Id="REST-Check">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
        </TechnicalProfile>
        <TechnicalProfile Id="SM-Noop">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.SSO.NoopSSOSessionProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
        </TechnicalProfile>
        <TechnicalProfile Id="JwtIssuer">
          <Protocol Name="None" />
          <OutputTokenFormat>JWT</OutputTokenFormat>
          <CryptographicKeys><Key Id="issuer_secret" StorageReferenceId="B2C_1A_TokenSigningKeyContainer" /></CryptographicKeys>
        </TechnicalProfile>`,
		journeys: `
    <UserJourney Id="SignIn" DefaultCpimIssuerTechnicalProfileReferenceId="jwtissuer">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="ClaimsProviderSelection">
          <ClaimsProviderSelections><ClaimsProviderSelection TargetClaimsExchangeId="IDPEXCHANGE" /></ClaimsProviderSelections>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">
          <Preconditions>
            <Precondition Type="ClaimsExist" ExecuteActionsIf="true"><Value>SUB</Value><Action>SkipThisOrchestrationStep</Action></Precondition>
          </Preconditions>
          <ClaimsExchanges><ClaimsExchange Id="IdPExchange" TechnicalProfileReferenceId="idp" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="3" Type="InvokeSubJourney">
          <JourneyList><Candidate SubJourneyReferenceId="finish" /></JourneyList>
        </OrchestrationStep>
      </OrchestrationSteps>
    </UserJourney>`,
		subJourneys: `
    <SubJourney Id="Finish" Type="Transfer">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JWTISSUER" />
      </OrchestrationSteps>
    </SubJourney>`,
		rp: relyingParty("signin", `<OutputClaim ClaimTypeReferenceId="SUB" /><OutputClaim ClaimTypeReferenceId="Surname" />`),
	}
}

// TestReferencesIgnoreCase: references resolve whatever their case, as B2C's do
// (the starter packs reference ClaimType surname as surName), and the effective
// policy holds the declared spelling in each of them.
func TestReferencesIgnoreCase(t *testing.T) {
	s := newSet(t, caseParts().files())
	if ps := s.Validate(nil); len(ps) != 0 {
		t.Fatalf("Validate() = %v, want no problems", ps)
	}
	p := mustResolve(t, s, "B2C_1A_RP")
	tp := p.TechnicalProfiles["IdP"]
	j := p.UserJourneys["SignIn"]
	if j == nil || tp == nil {
		t.Fatalf("want journey SignIn and profile IdP, got journeys %v, profiles %v", p.UserJourneys, p.TechnicalProfiles)
	}
	ct := p.ClaimsTransformations["CopySurname"]
	tests := []struct {
		name, got, want string
	}{
		{"InputClaim", tp.InputClaims[0].ClaimTypeReferenceID, "sub"},
		{"PersistedClaim", tp.PersistedClaims[0].ClaimTypeReferenceID, "surname"},
		{"OutputClaim", tp.OutputClaims[0].ClaimTypeReferenceID, "surname"},
		{"OutputClaimsTransformation", tp.OutputClaimsTransformations[0].ReferenceID, "CopySurname"},
		{"ValidationTechnicalProfile", tp.ValidationTechnicalProfiles[0].ReferenceID, "REST-Check"},
		{"validation precondition claim", tp.ValidationTechnicalProfiles[0].Preconditions[0].Values[0], "surname"},
		{"validation precondition value stays", tp.ValidationTechnicalProfiles[0].Preconditions[0].Values[1], "Smith"},
		{"IncludeTechnicalProfile", tp.IncludeTechnicalProfile.ReferenceID, "IdP-Common"},
		{"UseTechnicalProfileForSessionManagement", tp.UseTechnicalProfileForSessionManagement.ReferenceID, "SM-Noop"},
		{"transformation InputClaim", ct.InputClaims[0].ClaimTypeReferenceID, "surname"},
		{"transformation OutputClaim", ct.OutputClaims[0].ClaimTypeReferenceID, "displayName"},
		{"DefaultCpimIssuer", j.DefaultCpimIssuerTechnicalProfileReferenceID, "JwtIssuer"},
		{"selection target", j.Steps[0].ClaimsProviderSelections.Selections[0].TargetClaimsExchangeID, "IdPExchange"},
		{"step precondition claim", j.Steps[1].Preconditions[0].Values[0], "sub"},
		{"ClaimsExchange", j.Steps[1].ClaimsExchanges[0].TechnicalProfileReferenceID, "IdP"},
		{"sub journey candidate", j.Steps[2].JourneyList[0].SubJourneyReferenceID, "Finish"},
		{"CpimIssuer", p.SubJourneys["Finish"].Steps[0].CpimIssuerTechnicalProfileReferenceID, "JwtIssuer"},
		{"DefaultUserJourney", p.RelyingParty.DefaultUserJourney.ReferenceID, "SignIn"},
		{"relying party OutputClaim", p.RelyingParty.TechnicalProfile.OutputClaims[1].ClaimTypeReferenceID, "surname"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want the declared spelling %q", tt.got, tt.want)
			}
		})
	}
	// The included profile's client_id and the includer's Client_ID are one metadata key.
	if v, _ := tp.Metadata.Get("client_id"); v != "xyz" || len(tp.Metadata) != 1 {
		t.Errorf("metadata = %v, want one item client_id=xyz (keys match case-insensitively, the includer wins)", tp.Metadata)
	}
	if ps := policy.RequireMetadata(tp, "CLIENT_ID"); len(ps) != 0 {
		t.Errorf("RequireMetadata(CLIENT_ID) = %v, want none", ps)
	}
}

// TestUnknownReferenceStillReported: a reference that matches nothing in any case
// is reported as written.
func TestUnknownReferenceStillReported(t *testing.T) {
	p := caseParts()
	p.profiles = replaceOnce(t, p.profiles, `ClaimTypeReferenceId="surName"`, `ClaimTypeReferenceId="sur_name"`)
	ps := newSet(t, p.files()).Validate(nil)
	if len(ps) != 1 || !errors.Is(ps[0], policy.ErrUnknownReference) || ps[0].Path != "TechnicalProfile[Id=IdP]/OutputClaim[ClaimTypeReferenceId=sur_name]" {
		t.Errorf("Validate() = %v, want one unknown reference to claim type sur_name", ps)
	}
}

// TestIDsDifferingInCase: two declarations whose ids differ only in case are one
// id: a duplicate in one file, an override across the inheritance chain (the
// first declared spelling stays).
func TestIDsDifferingInCase(t *testing.T) {
	t.Run("duplicate in one file", func(t *testing.T) {
		tests := []struct {
			name   string
			modify func(p *parts)
			path   string
		}{
			{"claim type", func(p *parts) { p.claims += `<ClaimType Id="SurName"><DataType>string</DataType></ClaimType>` }, "ClaimType[Id=SurName]"},
			{"claims transformation", func(p *parts) {
				p.transformations += `<ClaimsTransformation Id="copySurname" TransformationMethod="CopyClaim" />`
			}, "ClaimsTransformation[Id=copySurname]"},
			{"technical profile", func(p *parts) {
				p.profiles += `<TechnicalProfile Id="sm-noop"><Protocol Name="None" /></TechnicalProfile>`
			}, "TechnicalProfile[Id=sm-noop]"},
			{"user journey", func(p *parts) {
				p.journeys += `<UserJourney Id="SIGNIN"><OrchestrationSteps><OrchestrationStep Order="1" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" /></OrchestrationSteps></UserJourney>`
			}, "UserJourney[Id=SIGNIN]"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := caseParts()
				tt.modify(&p)
				ps := newSet(t, p.files()).Validate(nil)
				if len(ps) != 1 || !errors.Is(ps[0], policy.ErrDuplicateID) || ps[0].Path != tt.path || ps[0].File != "base.xml" {
					t.Errorf("Validate() = %v, want one duplicate id at base.xml %s", ps, tt.path)
				}
			})
		}
	})
	t.Run("override across files", func(t *testing.T) {
		p := caseParts()
		p.rp = `
  <BuildingBlocks><ClaimsSchema>
    <ClaimType Id="SurName"><DisplayName>Family name</DisplayName><DataType>string</DataType></ClaimType>
  </ClaimsSchema></BuildingBlocks>
  <ClaimsProviders><ClaimsProvider><DisplayName>X</DisplayName><TechnicalProfiles>
    <TechnicalProfile Id="IDP">
      <OutputClaims><OutputClaim ClaimTypeReferenceId="SURNAME" DefaultValue="none" /></OutputClaims>
    </TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>` + p.rp
		s := newSet(t, p.files())
		if ps := s.Validate(nil); len(ps) != 0 {
			t.Fatalf("Validate() = %v, want no problems", ps)
		}
		pol := mustResolve(t, s, "B2C_1A_RP")
		ct, ok := pol.ClaimTypes["surname"]
		if !ok || ct.DisplayName != "Family name" || ct.ID != "surname" || len(pol.ClaimTypes) != 3 {
			t.Errorf("claim types = %v, want the child's SurName merged into surname", pol.ClaimTypes)
		}
		tp := pol.TechnicalProfiles["IdP"]
		if tp == nil || len(pol.TechnicalProfiles) != 5 {
			t.Fatalf("technical profiles = %v, want the child's IDP merged into IdP", pol.TechnicalProfiles)
		}
		if got := claimIDs(tp.OutputClaims); !slices.Equal(got, []string{"surname"}) || tp.OutputClaims[0].DefaultValue == nil {
			t.Errorf("IdP output claims = %v, want the child's SURNAME merged into surName as surname", got)
		}
	})
}
