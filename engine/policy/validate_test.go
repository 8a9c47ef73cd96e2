package policy_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

// oauth2Check is a Checker like the ones protocol packages supply.
func oauth2Check(_ *policy.Policy, tp *policy.TechnicalProfile) policy.Problems {
	if tp.Protocol == nil || tp.Protocol.Name != "OAuth2" {
		return nil
	}
	return append(policy.RequireMetadata(tp, "client_id", "authorization_endpoint", "AccessTokenEndpoint", "ClaimsEndpoint"),
		policy.RequireKeys(tp, "client_secret")...)
}

func TestValidateValid(t *testing.T) {
	if ps := loadValid(t).Validate(oauth2Check); len(ps) != 0 {
		t.Errorf("Validate() found problems in the valid set:\n%v", ps)
	}
}

// TestValidateBroken checks that the three mistakes planted in three files of
// testdata/broken all come back at once, with their file and line.
func TestValidateBroken(t *testing.T) {
	ps := loadTestdata(t, "testdata/broken").Validate(oauth2Check)
	base := filepath.Join("testdata", "broken", "TrustFrameworkBase.xml")
	ext := filepath.Join("testdata", "broken", "TrustFrameworkExtensions.xml")
	rp := filepath.Join("testdata", "broken", "SignUpOrSignin.xml")
	want := []struct {
		file, marker, path, code string
		err                      error
	}{
		{rp, `ClaimTypeReferenceId="emailAddress"`,
			"RelyingParty/TechnicalProfile[Id=PolicyProfile]/OutputClaim[ClaimTypeReferenceId=emailAddress]", "", policy.ErrUnknownReference},
		{base, `TechnicalProfileReferenceId="Facebook-OAuth2"`,
			"UserJourney[Id=SignUpOrSignIn]/OrchestrationStep[Order=2]/ClaimsExchange[Id=FacebookExchange]", "", policy.ErrUnknownReference},
		{ext, `<UserJourney Id="FacebookOnly">`, "UserJourney[Id=FacebookOnly]", "AADB2C90040", policy.ErrNoSendClaims},
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(want), ps)
	}
	for i, w := range want {
		line := fileLineOf(t, w.file, w.marker)
		if got := ps[i]; got.File != w.file || got.Line != line || got.Path != w.path || got.Code != w.code || !errors.Is(got, w.err) {
			t.Errorf("problem %d = %v\nwant %s:%d: %s: %s (%v)", i, got, w.file, line, w.path, w.code, w.err)
		}
	}
}

// parts are the pieces of a small valid policy pair: base.xml (B2C_1A_Base) with
// the building blocks, profiles and journeys, and rp.xml (B2C_1A_RP) with the relying party.
type parts struct {
	claims, transformations, profiles, journeys, subJourneys, rp string
}

func defaultParts() parts {
	return parts{
		claims: `
      <ClaimType Id="sub"><DataType>string</DataType></ClaimType>
      <ClaimType Id="email"><DataType>string</DataType></ClaimType>
      <ClaimType Id="name"><DataType>string</DataType></ClaimType>`,
		transformations: `
      <ClaimsTransformation Id="CopyEmail" TransformationMethod="CopyClaim">
        <InputClaims><InputClaim ClaimTypeReferenceId="email" TransformationClaimType="inputClaim" /></InputClaims>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="name" TransformationClaimType="outputClaim" /></OutputClaims>
      </ClaimsTransformation>`,
		profiles: `
        <TechnicalProfile Id="IdP">
          <Protocol Name="OAuth2" />
          <Metadata>
            <Item Key="client_id">abc</Item>
            <Item Key="authorization_endpoint">http://idp/authorize</Item>
            <Item Key="AccessTokenEndpoint">http://idp/token</Item>
            <Item Key="ClaimsEndpoint">http://idp/me</Item>
          </Metadata>
          <CryptographicKeys><Key Id="client_secret" StorageReferenceId="B2C_1A_Secret" /></CryptographicKeys>
          <OutputClaims>
            <OutputClaim ClaimTypeReferenceId="sub" PartnerClaimType="id" />
            <OutputClaim ClaimTypeReferenceId="email" />
          </OutputClaims>
          <OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="CopyEmail" /></OutputClaimsTransformations>
        </TechnicalProfile>
        <TechnicalProfile Id="JwtIssuer">
          <Protocol Name="OpenIdConnect" />
          <OutputTokenFormat>JWT</OutputTokenFormat>
        </TechnicalProfile>`,
		journeys: `
    <UserJourney Id="J">
      <OrchestrationSteps>` + exchangeStep(1, "IdPExchange", "IdP") + `
        <OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
    </UserJourney>`,
		rp: relyingParty("J", `<OutputClaim ClaimTypeReferenceId="sub" />`),
	}
}

func (p parts) files() map[string]string {
	body := fmt.Sprintf(`  <BuildingBlocks>
    <ClaimsSchema>%s
    </ClaimsSchema>
    <ClaimsTransformations>%s
    </ClaimsTransformations>
  </BuildingBlocks>
%s
  <UserJourneys>%s
  </UserJourneys>`, p.claims, p.transformations, claimsProvider("Providers", p.profiles), p.journeys)
	if p.subJourneys != "" {
		body += "\n  <SubJourneys>" + p.subJourneys + "\n  </SubJourneys>"
	}
	return map[string]string{
		"base.xml": doc("B2C_1A_Base", "", body),
		"rp.xml":   doc("B2C_1A_RP", "B2C_1A_Base", p.rp),
	}
}

type wantProblem struct {
	file   string
	marker string // the problem is on the line of the first occurrence of marker
	path   string
	code   string
	err    error
	msg    string // substring of the message
}

func TestValidateChecks(t *testing.T) {
	d := defaultParts()
	replace := func(s, old, new string) string {
		if !strings.Contains(s, old) {
			panic("test setup: " + old + " not found")
		}
		return strings.Replace(s, old, new, 1)
	}
	tests := []struct {
		name   string
		modify func(p *parts)
		want   []wantProblem
	}{
		{name: "valid", modify: func(*parts) {}},
		{
			name: "unknown claims exchange profile",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `TechnicalProfileReferenceId="IdP"`, `TechnicalProfileReferenceId="IdPx"`)
			},
			want: []wantProblem{{"base.xml", `"IdPx"`, "UserJourney[Id=J]/OrchestrationStep[Order=1]/ClaimsExchange[Id=IdPExchange]", "",
				policy.ErrUnknownReference, `technical profile "IdPx", which is not defined`}},
		},
		{
			name: "unknown issuer",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `CpimIssuerTechnicalProfileReferenceId="JwtIssuer"`, `CpimIssuerTechnicalProfileReferenceId="Jwt"`)
			},
			want: []wantProblem{{"base.xml", `"Jwt"`, "UserJourney[Id=J]/OrchestrationStep[Order=2]", "", policy.ErrUnknownReference, `"Jwt"`}},
		},
		{
			name: "unknown default issuer",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `<UserJourney Id="J">`, `<UserJourney Id="J" DefaultCpimIssuerTechnicalProfileReferenceId="Nope">`)
			},
			want: []wantProblem{{"base.xml", `<UserJourney Id="J"`, "UserJourney[Id=J]", "", policy.ErrUnknownReference, `"Nope"`}},
		},
		{
			name: "unknown validation profile",
			modify: func(p *parts) {
				p.profiles = replace(p.profiles, `<Protocol Name="OpenIdConnect" />`, `<Protocol Name="OpenIdConnect" />
          <ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-Check" /></ValidationTechnicalProfiles>`)
			},
			want: []wantProblem{{"base.xml", `"REST-Check"`, "TechnicalProfile[Id=JwtIssuer]/ValidationTechnicalProfile[ReferenceId=REST-Check]", "",
				policy.ErrUnknownReference, `"REST-Check"`}},
		},
		{
			name: "unknown include",
			modify: func(p *parts) {
				p.profiles = replace(p.profiles, `<OutputTokenFormat>JWT</OutputTokenFormat>`, `<OutputTokenFormat>JWT</OutputTokenFormat>
          <IncludeTechnicalProfile ReferenceId="Common" />`)
			},
			want: []wantProblem{{"base.xml", `"Common"`, "TechnicalProfile[Id=JwtIssuer]/IncludeTechnicalProfile", "", policy.ErrUnknownReference, `"Common"`}},
		},
		{
			name: "unknown session management profile",
			modify: func(p *parts) {
				p.profiles = replace(p.profiles, `<OutputTokenFormat>JWT</OutputTokenFormat>`, `<OutputTokenFormat>JWT</OutputTokenFormat>
          <UseTechnicalProfileForSessionManagement ReferenceId="SM-Jwt" />`)
			},
			want: []wantProblem{{"base.xml", `"SM-Jwt"`, "TechnicalProfile[Id=JwtIssuer]/UseTechnicalProfileForSessionManagement", "",
				policy.ErrUnknownReference, `"SM-Jwt"`}},
		},
		{
			name: "unknown claim types in a profile",
			modify: func(p *parts) {
				p.profiles = replace(p.profiles, `<OutputClaim ClaimTypeReferenceId="email" />`, `<OutputClaim ClaimTypeReferenceId="mail" />
          </OutputClaims>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="login_hint" />
          </InputClaims>
          <PersistedClaims>
            <PersistedClaim ClaimTypeReferenceId="persisted" />
          </PersistedClaims>
          <OutputClaims>`)
			},
			want: []wantProblem{
				{"base.xml", `"mail"`, "TechnicalProfile[Id=IdP]/OutputClaim[ClaimTypeReferenceId=mail]", "", policy.ErrUnknownReference, `claim type "mail" is not defined`},
				{"base.xml", `"login_hint"`, "TechnicalProfile[Id=IdP]/InputClaim[ClaimTypeReferenceId=login_hint]", "", policy.ErrUnknownReference, `"login_hint"`},
				{"base.xml", `"persisted"`, "TechnicalProfile[Id=IdP]/PersistedClaim[ClaimTypeReferenceId=persisted]", "", policy.ErrUnknownReference, `"persisted"`},
			},
		},
		{
			name: "unknown claim type in the relying party",
			modify: func(p *parts) {
				p.rp = replace(p.rp, `<OutputClaim ClaimTypeReferenceId="sub" />`, `<OutputClaim ClaimTypeReferenceId="sub" /><OutputClaim ClaimTypeReferenceId="objectId" />`)
			},
			want: []wantProblem{{"rp.xml", `"objectId"`, "RelyingParty/TechnicalProfile[Id=PolicyProfile]/OutputClaim[ClaimTypeReferenceId=objectId]", "",
				policy.ErrUnknownReference, `"objectId"`}},
		},
		{
			name: "unknown claim type in a transformation",
			modify: func(p *parts) {
				p.transformations = replace(p.transformations, `<OutputClaim ClaimTypeReferenceId="name"`, `<OutputClaim ClaimTypeReferenceId="fullName"`)
			},
			want: []wantProblem{{"base.xml", `"fullName"`, "ClaimsTransformation[Id=CopyEmail]/OutputClaim[ClaimTypeReferenceId=fullName]", "",
				policy.ErrUnknownReference, `"fullName"`}},
		},
		{
			name: "unknown claim type in a precondition",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `<OrchestrationStep Order="1" Type="ClaimsExchange">`, `<OrchestrationStep Order="1" Type="ClaimsExchange">
          <Preconditions>
            <Precondition Type="ClaimsExist" ExecuteActionsIf="true"><Value>sub</Value><Action>SkipThisOrchestrationStep</Action></Precondition>
            <Precondition Type="ClaimEquals" ExecuteActionsIf="true"><Value>idp</Value><Value>sub</Value><Action>SkipThisOrchestrationStep</Action></Precondition>
          </Preconditions>`)
			},
			want: []wantProblem{{"base.xml", `<Value>idp</Value>`, "UserJourney[Id=J]/OrchestrationStep[Order=1]/Precondition[2]", "",
				policy.ErrUnknownReference, `"idp"`}},
		},
		{
			name: "unknown claims transformation",
			modify: func(p *parts) {
				p.profiles = replace(p.profiles, `ReferenceId="CopyEmail"`, `ReferenceId="CopyMail"`)
			},
			want: []wantProblem{{"base.xml", `"CopyMail"`, "TechnicalProfile[Id=IdP]/OutputClaimsTransformation[ReferenceId=CopyMail]", "",
				policy.ErrUnknownReference, `claims transformation "CopyMail" is not defined`}},
		},
		{
			name: "unknown default journey",
			modify: func(p *parts) {
				p.rp = replace(p.rp, `<DefaultUserJourney ReferenceId="J" />`, `<DefaultUserJourney ReferenceId="K" />`)
			},
			want: []wantProblem{{"rp.xml", `<RelyingParty>`, "RelyingParty/DefaultUserJourney", "AADB2C90031", policy.ErrNoDefaultJourney, `"K" of policy "B2C_1A_RP" is not defined`}},
		},
		{
			name: "no default journey",
			modify: func(p *parts) {
				p.rp = replace(p.rp, `<DefaultUserJourney ReferenceId="J" />`, ``)
			},
			want: []wantProblem{{"rp.xml", `<RelyingParty>`, "RelyingParty/DefaultUserJourney", "AADB2C90031", policy.ErrNoDefaultJourney, "has no DefaultUserJourney"}},
		},
		{
			name: "no SendClaims",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `<OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`, ``)
			},
			want: []wantProblem{{"base.xml", `<UserJourney Id="J">`, "UserJourney[Id=J]", "AADB2C90040", policy.ErrNoSendClaims, `user journey "J" has no SendClaims step`}},
		},
		{
			name: "SendClaims in an invoked sub journey",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `<OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`,
					`<OrchestrationStep Order="2" Type="InvokeSubJourney"><JourneyList><Candidate SubJourneyReferenceId="Issue" /></JourneyList></OrchestrationStep>`)
				p.subJourneys = `
    <SubJourney Id="Issue" Type="Transfer">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
    </SubJourney>`
			},
		},
		{
			name: "unknown sub journey",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `<OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`,
					`<OrchestrationStep Order="2" Type="InvokeSubJourney"><JourneyList><Candidate SubJourneyReferenceId="Issue" /></JourneyList></OrchestrationStep>
        <OrchestrationStep Order="3" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`)
			},
			want: []wantProblem{{"base.xml", `Type="InvokeSubJourney"`, "UserJourney[Id=J]/OrchestrationStep[Order=2]", "", policy.ErrUnknownReference, `sub journey "Issue"`}},
		},
		{
			name: "sub journey invoking itself",
			modify: func(p *parts) {
				p.subJourneys = subJourney("a", "a")
			},
			want: []wantProblem{{"base.xml", `<!--a-->`, "SubJourney[Id=a]/OrchestrationStep[Order=1]", "", policy.ErrCycle,
				`sub journey "a" invokes itself (a -> a); a journey that invokes it would never end`}},
		},
		{
			name: "sub journeys invoking each other, reached from the user journey",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `<OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`,
					`<OrchestrationStep Order="2" Type="InvokeSubJourney"><JourneyList><Candidate SubJourneyReferenceId="a" /></JourneyList></OrchestrationStep>
        <OrchestrationStep Order="3" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`)
				p.subJourneys = subJourney("b", "a") + subJourney("a", "b")
			},
			want: []wantProblem{{"base.xml", `<!--b-->`, "SubJourney[Id=b]/OrchestrationStep[Order=1]", "", policy.ErrCycle,
				`sub journey "a" invokes itself in a loop: a -> b -> a; user journey "J" runs into this loop and would never end`}},
		},
		{
			name: "a loop of three and a self loop, each reported once",
			modify: func(p *parts) {
				p.subJourneys = subJourney("c", "a") + subJourney("a", "b") + subJourney("b", "c") + subJourney("d", "d") + subJourney("e", "a")
			},
			want: []wantProblem{
				{"base.xml", `<!--c-->`, "SubJourney[Id=c]/OrchestrationStep[Order=1]", "", policy.ErrCycle, `in a loop: a -> b -> c -> a;`},
				{"base.xml", `<!--d-->`, "SubJourney[Id=d]/OrchestrationStep[Order=1]", "", policy.ErrCycle, `(d -> d)`},
			},
		},
		{
			name: "sub journeys nested without a loop",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `<OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`,
					`<OrchestrationStep Order="2" Type="InvokeSubJourney"><JourneyList><Candidate SubJourneyReferenceId="a" /></JourneyList></OrchestrationStep>
        <OrchestrationStep Order="3" Type="InvokeSubJourney"><JourneyList><Candidate SubJourneyReferenceId="b" /></JourneyList></OrchestrationStep>
        <OrchestrationStep Order="4" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`)
				p.subJourneys = subJourney("a", "b") + subJourney("b", "c") + `
    <SubJourney Id="c" Type="Call">
      <OrchestrationSteps>` + exchangeStep(1, "Again", "IdP") + `
      </OrchestrationSteps>
    </SubJourney>`
			},
		},
		{
			name: "duplicate step order",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `<OrchestrationStep Order="2" Type="SendClaims"`, `<OrchestrationStep Order="1" Type="SendClaims"`)
			},
			want: []wantProblem{{"base.xml", `Type="SendClaims"`, "UserJourney[Id=J]/OrchestrationStep[Order=1]", "", policy.ErrStepOrder, "used more than once"}},
		},
		{
			name: "descending step order",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `<OrchestrationStep Order="1" Type="ClaimsExchange">`, `<OrchestrationStep Order="3" Type="ClaimsExchange">`)
			},
			want: []wantProblem{{"base.xml", `Type="SendClaims"`, "UserJourney[Id=J]/OrchestrationStep[Order=2]", "", policy.ErrStepOrder, "step Order 2 follows step Order 3"}},
		},
		{
			name: "several exchanges without a selection",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `<ClaimsExchange Id="IdPExchange" TechnicalProfileReferenceId="IdP" />`,
					`<ClaimsExchange Id="IdPExchange" TechnicalProfileReferenceId="IdP" /><ClaimsExchange Id="Other" TechnicalProfileReferenceId="IdP" />`)
			},
			want: []wantProblem{{"base.xml", `<OrchestrationStep Order="1"`, "UserJourney[Id=J]/OrchestrationStep[Order=1]", "", policy.ErrSelection,
				`user journey "J" has step 1 with 2 claims exchanges. It must be preceded by a claims provider selection`}},
		},
		{
			name: "several exchanges after a selection",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `<OrchestrationStep Order="1" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="IdPExchange" TechnicalProfileReferenceId="IdP" /></ClaimsExchanges>`,
					`<OrchestrationStep Order="1" Type="CombinedSignInAndSignUp">
          <ClaimsProviderSelections>
            <ClaimsProviderSelection TargetClaimsExchangeId="IdPExchange" />
            <ClaimsProviderSelection TargetClaimsExchangeId="Other" />
          </ClaimsProviderSelections>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="IdPExchange" TechnicalProfileReferenceId="IdP" /><ClaimsExchange Id="Other" TechnicalProfileReferenceId="IdP" /></ClaimsExchanges>`)
				p.journeys = replace(p.journeys, `<OrchestrationStep Order="2" Type="SendClaims"`, `<OrchestrationStep Order="3" Type="SendClaims"`)
			},
		},
		{
			name: "selection target not in the next step",
			modify: func(p *parts) {
				p.journeys = replace(p.journeys, `<OrchestrationStep Order="1" Type="ClaimsExchange">`, `<OrchestrationStep Order="0" Type="ClaimsProviderSelection">
          <ClaimsProviderSelections>
            <ClaimsProviderSelection TargetClaimsExchangeId="IdPExchange" />
            <ClaimsProviderSelection TargetClaimsExchangeId="GoogleExchange" />
            <ClaimsProviderSelection />
          </ClaimsProviderSelections>
        </OrchestrationStep>
        <OrchestrationStep Order="1" Type="ClaimsExchange">`)
			},
			want: []wantProblem{
				{"base.xml", `TargetClaimsExchangeId="GoogleExchange"`, "UserJourney[Id=J]/OrchestrationStep[Order=0]/ClaimsProviderSelection[TargetClaimsExchangeId=GoogleExchange]", "",
					policy.ErrUnknownReference, "the next step (Order 1) has no such claims exchange"},
				{"base.xml", `<ClaimsProviderSelection />`, "UserJourney[Id=J]/OrchestrationStep[Order=0]/ClaimsProviderSelection", "",
					policy.ErrSelection, "neither"},
			},
		},
		{
			name: "duplicate ids in one file",
			modify: func(p *parts) {
				p.claims += `
      <ClaimType Id="email"><DataType>string</DataType></ClaimType>`
				p.profiles += `
        <TechnicalProfile Id="IdP"><Protocol Name="None" /></TechnicalProfile>`
			},
			want: []wantProblem{
				{"base.xml", `<TechnicalProfile Id="IdP"><Protocol Name="None" />`, "TechnicalProfile[Id=IdP]", "", policy.ErrDuplicateID, `technical profile "IdP" is already defined at line`},
				{"base.xml", `<ClaimType Id="email"><DataType>string</DataType></ClaimType>
    </ClaimsSchema>`, "ClaimType[Id=email]", "", policy.ErrDuplicateID, `claim type "email" is already defined`},
			},
		},
		{
			name: "checker problems",
			modify: func(p *parts) {
				p.profiles = replace(p.profiles, `<Item Key="client_id">abc</Item>`, `<Item Key="client_id"></Item>`)
				p.profiles = replace(p.profiles, `<Item Key="ClaimsEndpoint">http://idp/me</Item>`, ``)
				p.profiles = replace(p.profiles, `<CryptographicKeys><Key Id="client_secret" StorageReferenceId="B2C_1A_Secret" /></CryptographicKeys>`, ``)
			},
			want: []wantProblem{
				{"base.xml", `<Item Key="client_id">`, "TechnicalProfile[Id=IdP]/Metadata/Item[Key=client_id]", "AADB2C99011", policy.ErrMissingMetadata, `no value for required metadata key "client_id"`},
				{"base.xml", `<TechnicalProfile Id="IdP">`, "TechnicalProfile[Id=IdP]/Metadata", "AADB2C90023", policy.ErrMissingMetadata,
					`technical profile "IdP" is missing required metadata key "ClaimsEndpoint"`},
				{"base.xml", `<TechnicalProfile Id="IdP">`, "TechnicalProfile[Id=IdP]/CryptographicKeys", "AADB2C90025", policy.ErrMissingKey,
					`technical profile "IdP" is missing required cryptographic key "client_secret"`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := d
			tt.modify(&p)
			files := p.files()
			s := newSet(t, files)
			got := s.Validate(oauth2Check)
			checkProblems(t, files, got, tt.want)
		})
	}
}

// subJourney is a Call sub journey id whose one step invokes sub journey
// next; the step's line holds the marker <!--id-->.
func subJourney(id, next string) string {
	return fmt.Sprintf(`
    <SubJourney Id="%s" Type="Call">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="InvokeSubJourney"><!--%s-->
          <JourneyList><Candidate SubJourneyReferenceId="%s" /></JourneyList>
        </OrchestrationStep>
      </OrchestrationSteps>
    </SubJourney>`, id, id, next)
}

// checkProblems asserts that got holds exactly the wanted problems, in any order.
func checkProblems(t *testing.T, files map[string]string, got policy.Problems, want []wantProblem) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(got), len(want), got)
	}
	used := make([]bool, len(got))
	for _, w := range want {
		line := lineOf(t, files[w.file], w.marker)
		found := false
		for i, g := range got {
			if !used[i] && g.File == w.file && g.Line == line && g.Path == w.path && g.Code == w.code &&
				errors.Is(g, w.err) && strings.Contains(g.Message, w.msg) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing problem %s:%d: %s: %s: …%s… (%v)\ngot:\n%v", w.file, line, w.path, w.code, w.msg, w.err, got)
		}
	}
}

// TestValidateDeduplicates checks that a problem in a base shared by two relying
// parties is reported once, and that files outside any relying party's chain get
// their inheritance problems reported.
func TestValidateDeduplicates(t *testing.T) {
	p := defaultParts()
	p.journeys = strings.Replace(p.journeys, `TechnicalProfileReferenceId="IdP"`, `TechnicalProfileReferenceId="IdPx"`, 1)
	files := p.files()
	files["rp2.xml"] = strings.Replace(files["rp.xml"], "B2C_1A_RP", "B2C_1A_RP2", 1)
	files["orphan.xml"] = doc("B2C_1A_Orphan", "B2C_1A_Gone", "")
	s := newSet(t, files)
	checkProblems(t, files, s.Validate(nil), []wantProblem{
		{"base.xml", `"IdPx"`, "UserJourney[Id=J]/OrchestrationStep[Order=1]/ClaimsExchange[Id=IdPExchange]", "", policy.ErrUnknownReference, `"IdPx"`},
		{"orphan.xml", `<BasePolicy>`, "BasePolicy", "", policy.ErrMissingBase, `"B2C_1A_Gone"`},
	})
}

// TestValidateCheckerSeesIncludes checks that the Checker runs on profiles after
// IncludeTechnicalProfile resolution.
func TestValidateCheckerSeesIncludes(t *testing.T) {
	p := defaultParts()
	p.profiles += `
        <TechnicalProfile Id="IdP-Other">
          <Metadata><Item Key="client_id">other</Item></Metadata>
          <IncludeTechnicalProfile ReferenceId="IdP" />
        </TechnicalProfile>`
	files := p.files()
	s := newSet(t, files)
	var seen string
	ps := s.Validate(func(_ *policy.Policy, tp *policy.TechnicalProfile) policy.Problems {
		if tp.ID == "IdP-Other" {
			seen, _ = tp.Metadata.Get("ClaimsEndpoint")
		}
		return oauth2Check(nil, tp)
	})
	if len(ps) != 0 {
		t.Errorf("Validate() = %v, want no problems", ps)
	}
	if seen != "http://idp/me" {
		t.Errorf("checker saw ClaimsEndpoint %q, want the included value", seen)
	}
}

func TestRequireMetadataAndKeys(t *testing.T) {
	tp := &policy.TechnicalProfile{
		ID:                "Facebook-OAUTH",
		Pos:               policy.Pos{File: "base.xml", Line: 10},
		Metadata:          policy.Metadata{{Key: "client_id", Value: "x"}, {Key: "scope", Value: " ", Pos: policy.Pos{File: "base.xml", Line: 12}}},
		CryptographicKeys: []policy.Key{{ID: "client_secret", StorageReferenceID: "B2C_1A_S"}},
	}
	tests := []struct {
		name string
		got  policy.Problems
		want []string
	}{
		{"metadata present", policy.RequireMetadata(tp, "client_id"), nil},
		{"metadata missing and empty", policy.RequireMetadata(tp, "client_id", "ClaimsEndpoint", "scope"), []string{
			`base.xml:10: TechnicalProfile[Id=Facebook-OAUTH]/Metadata: AADB2C90023: technical profile "Facebook-OAUTH" is missing required metadata key "ClaimsEndpoint"`,
			`base.xml:12: TechnicalProfile[Id=Facebook-OAUTH]/Metadata/Item[Key=scope]: AADB2C99011: technical profile "Facebook-OAUTH" has no value for required metadata key "scope"`,
		}},
		{"key present", policy.RequireKeys(tp, "client_secret"), nil},
		{"key missing", policy.RequireKeys(tp, "client_secret", "issuer_secret"), []string{
			`base.xml:10: TechnicalProfile[Id=Facebook-OAUTH]/CryptographicKeys: AADB2C90025: technical profile "Facebook-OAUTH" is missing required cryptographic key "issuer_secret"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range tt.got {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
