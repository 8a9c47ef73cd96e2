package server

import (
	"fmt"
	"net"
	"testing"

	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/engine/policy"
)

// directoryPolicy is a journey that writes an account by its email (Write,
// created on first use), reads it back by email and sends objectId and
// displayName to the relying party. The claims come from DefaultValues.
func directoryPolicy(t *testing.T, withWrite bool) *policy.Set {
	t.Helper()
	write := ""
	if withWrite {
		write = `<OrchestrationStep Order="1" Type="ClaimsExchange"><ClaimsExchanges><ClaimsExchange Id="W" TechnicalProfileReferenceId="AAD-Write" /></ClaimsExchanges></OrchestrationStep>`
	}
	const aad = `<Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.AzureActiveDirectoryProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />`
	body := `<BuildingBlocks><ClaimsSchema>
  <ClaimType Id="email"><DataType>string</DataType></ClaimType>
  <ClaimType Id="objectId"><DataType>string</DataType></ClaimType>
  <ClaimType Id="displayName"><DataType>string</DataType></ClaimType>
  <ClaimType Id="newUser"><DataType>boolean</DataType></ClaimType>
</ClaimsSchema></BuildingBlocks>
<ClaimsProviders><ClaimsProvider><DisplayName>AAD</DisplayName><TechnicalProfiles>
  <TechnicalProfile Id="AAD-Common">` + aad + `</TechnicalProfile>
  <TechnicalProfile Id="AAD-Write"><Metadata><Item Key="Operation">Write</Item></Metadata>
    <InputClaims><InputClaim ClaimTypeReferenceId="email" PartnerClaimType="signInNames.emailAddress" DefaultValue="Alice@Example.com" /></InputClaims>
    <PersistedClaims><PersistedClaim ClaimTypeReferenceId="email" PartnerClaimType="signInNames.emailAddress" DefaultValue="Alice@Example.com" />
      <PersistedClaim ClaimTypeReferenceId="displayName" DefaultValue="Alice" /></PersistedClaims>
    <OutputClaims><OutputClaim ClaimTypeReferenceId="newUser" PartnerClaimType="newClaimsPrincipalCreated" /></OutputClaims>
    <IncludeTechnicalProfile ReferenceId="AAD-Common" /></TechnicalProfile>
  <TechnicalProfile Id="AAD-Read"><Metadata><Item Key="Operation">Read</Item><Item Key="RaiseErrorIfClaimsPrincipalDoesNotExist">true</Item></Metadata>
    <InputClaims><InputClaim ClaimTypeReferenceId="email" PartnerClaimType="signInNames.emailAddress" DefaultValue="alice@example.com" AlwaysUseDefaultValue="true" /></InputClaims>
    <OutputClaims><OutputClaim ClaimTypeReferenceId="objectId" /><OutputClaim ClaimTypeReferenceId="displayName" /></OutputClaims>
    <IncludeTechnicalProfile ReferenceId="AAD-Common" /></TechnicalProfile>
  <TechnicalProfile Id="JwtIssuer"><Protocol Name="OpenIdConnect" /><OutputTokenFormat>JWT</OutputTokenFormat>
    <CryptographicKeys><Key Id="issuer_secret" StorageReferenceId="B2C_1A_TokenSigningKeyContainer" /></CryptographicKeys></TechnicalProfile>
</TechnicalProfiles></ClaimsProvider></ClaimsProviders>
<UserJourneys><UserJourney Id="J"><OrchestrationSteps>
` + write + `
  <OrchestrationStep Order="2" Type="ClaimsExchange"><ClaimsExchanges><ClaimsExchange Id="R" TechnicalProfileReferenceId="AAD-Read" /></ClaimsExchanges></OrchestrationStep>
  <OrchestrationStep Order="3" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
</OrchestrationSteps></UserJourney></UserJourneys>
<RelyingParty><DefaultUserJourney ReferenceId="J" /><TechnicalProfile Id="PolicyProfile"><Protocol Name="OpenIdConnect" />
  <OutputClaims><OutputClaim ClaimTypeReferenceId="objectId" PartnerClaimType="sub" /><OutputClaim ClaimTypeReferenceId="displayName" PartnerClaimType="name" /><OutputClaim ClaimTypeReferenceId="newUser" /></OutputClaims>
  <SubjectNamingInfo ClaimType="sub" /></TechnicalProfile></RelyingParty>`
	src := fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<TrustFrameworkPolicy xmlns="%s" PolicySchemaVersion="0.3.0.0" TenantId="contoso.onmicrosoft.com" PolicyId="B2C_1A_Dir">
%s
</TrustFrameworkPolicy>`, policy.Namespace, body)
	f, err := policy.Parse("B2C_1A_Dir.xml", []byte(src), nil)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	set, err := policy.NewSet(f)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func newDirectoryEmulator(t *testing.T, set *policy.Set, dir directory.Store) *emulator {
	t.Helper()
	e := &emulator{clock: newClock(), keys: loadKeys(t)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.base = "http://" + ln.Addr().String()
	e.start(t, ln, Config{BaseURL: e.base, Policies: set, Keys: e.keys, Now: e.clock.Now, Directory: dir,
		Applications: []Application{{ClientID: rpClientID, RedirectURIs: []string{rpRedirectURI}, Secret: rpSecret, AllowImplicitFlow: true}}})
	return e
}

// TestDirectoryJourney runs a journey that writes an account and reads it
// back (DIR-01, DIR-04 by the server's default directory), then a second
// sign-in that updates the same account (DIR-14).
func TestDirectoryJourney(t *testing.T) {
	e := newDirectoryEmulator(t, directoryPolicy(t, true), nil)
	c := idToken(t, e, signIn(t, e, newBrowser(t), "B2C_1A_Dir", nil, ""), "B2C_1A_Dir")
	users := e.srv.Directory().Users()
	if len(users) != 1 {
		t.Fatalf("%d accounts in the server's directory, want 1", len(users))
	}
	if c["sub"] != users[0].ObjectID || c["name"] != "Alice" || fmt.Sprint(c["newUser"]) != "true" {
		t.Errorf("token claims sub=%v name=%v newUser=%v, want sub=%s name=Alice newUser=true", c["sub"], c["name"], c["newUser"], users[0].ObjectID)
	}
	c = idToken(t, e, signIn(t, e, newBrowser(t), "B2C_1A_Dir", nil, ""), "B2C_1A_Dir")
	if n := len(e.srv.Directory().Users()); n != 1 || c["sub"] != users[0].ObjectID || fmt.Sprint(c["newUser"]) != "false" {
		t.Errorf("second sign-in: %d accounts, sub=%v newUser=%v; want the same account updated", n, c["sub"], c["newUser"])
	}
}

// TestDirectoryReadMissing: a Read step that finds no account ends the
// journey with AADB2C99002 (DIR-06); the directory comes from Config.Directory.
func TestDirectoryReadMissing(t *testing.T) {
	dir := directory.New()
	// Another account: the read by alice@example.com finds nothing.
	if err := dir.Seed(directory.User{Identities: []directory.Identity{{SignInType: "emailAddress", IssuerAssignedID: "bob@example.com"}}}); err != nil {
		t.Fatal(err)
	}
	e := newDirectoryEmulator(t, directoryPolicy(t, false), dir)
	o := signIn(t, e, newBrowser(t), "B2C_1A_Dir", nil, "")
	wantError(t, o, "fragment", "server_error", "AADB2C99002")
	if e.srv.Directory() != directory.Store(dir) {
		t.Error("the server does not use Config.Directory")
	}
}
