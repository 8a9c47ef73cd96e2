package aad_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
	"github.com/iefconform/iefconform/engine/profile/aad"
	"github.com/iefconform/iefconform/engine/profile/profiletest"
)

// protocol is what AAD-Common gives the pack's directory profiles.
const protocol = `<Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.AzureActiveDirectoryProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />`

// The starter pack's directory profiles (SocialAndLocalAccounts/TrustFrameworkBase.xml
// at fc39b7d), with AAD-Common's Protocol inlined in place of IncludeTechnicalProfile.
const (
	userWriteUsingLogonEmail = `<TechnicalProfile Id="AAD-UserWriteUsingLogonEmail">` + protocol + `
  <Metadata>
    <Item Key="Operation">Write</Item>
    <Item Key="RaiseErrorIfClaimsPrincipalAlreadyExists">true</Item>
  </Metadata>
  <InputClaims>
    <InputClaim ClaimTypeReferenceId="email" PartnerClaimType="signInNames.emailAddress" Required="true" />
  </InputClaims>
  <PersistedClaims>
    <PersistedClaim ClaimTypeReferenceId="email" PartnerClaimType="signInNames.emailAddress" />
    <PersistedClaim ClaimTypeReferenceId="newPassword" PartnerClaimType="password" />
    <PersistedClaim ClaimTypeReferenceId="displayName" DefaultValue="unknown" />
    <PersistedClaim ClaimTypeReferenceId="passwordPolicies" DefaultValue="DisablePasswordExpiration" />
    <PersistedClaim ClaimTypeReferenceId="givenName" />
    <PersistedClaim ClaimTypeReferenceId="surname" />
  </PersistedClaims>
  <OutputClaims>
    <OutputClaim ClaimTypeReferenceId="objectId" />
    <OutputClaim ClaimTypeReferenceId="newUser" PartnerClaimType="newClaimsPrincipalCreated" />
    <OutputClaim ClaimTypeReferenceId="authenticationSource" DefaultValue="localAccountAuthentication" />
    <OutputClaim ClaimTypeReferenceId="userPrincipalName" />
    <OutputClaim ClaimTypeReferenceId="signInNames.emailAddress" />
  </OutputClaims>
</TechnicalProfile>`
	userReadUsingEmailAddress = `<TechnicalProfile Id="AAD-UserReadUsingEmailAddress">` + protocol + `
  <Metadata>
    <Item Key="Operation">Read</Item>
    <Item Key="RaiseErrorIfClaimsPrincipalDoesNotExist">true</Item>
  </Metadata>
  <InputClaims>
    <InputClaim ClaimTypeReferenceId="email" PartnerClaimType="signInNames.emailAddress" Required="true" />
  </InputClaims>
  <OutputClaims>
    <OutputClaim ClaimTypeReferenceId="objectId" />
    <OutputClaim ClaimTypeReferenceId="authenticationSource" DefaultValue="localAccountAuthentication" />
    <OutputClaim ClaimTypeReferenceId="userPrincipalName" />
    <OutputClaim ClaimTypeReferenceId="displayName" />
    <OutputClaim ClaimTypeReferenceId="accountEnabled" />
    <OutputClaim ClaimTypeReferenceId="otherMails" />
    <OutputClaim ClaimTypeReferenceId="signInNames.emailAddress" />
  </OutputClaims>
</TechnicalProfile>`
	userWritePasswordUsingObjectID = `<TechnicalProfile Id="AAD-UserWritePasswordUsingObjectId">` + protocol + `
  <Metadata>
    <Item Key="Operation">Write</Item>
    <Item Key="RaiseErrorIfClaimsPrincipalDoesNotExist">true</Item>
  </Metadata>
  <InputClaims>
    <InputClaim ClaimTypeReferenceId="objectId" Required="true" />
  </InputClaims>
  <PersistedClaims>
    <PersistedClaim ClaimTypeReferenceId="objectId" />
    <PersistedClaim ClaimTypeReferenceId="newPassword" PartnerClaimType="password" />
  </PersistedClaims>
</TechnicalProfile>`
	userWriteProfileUsingObjectID = `<TechnicalProfile Id="AAD-UserWriteProfileUsingObjectId">` + protocol + `
  <Metadata>
    <Item Key="Operation">Write</Item>
    <Item Key="RaiseErrorIfClaimsPrincipalAlreadyExists">false</Item>
    <Item Key="RaiseErrorIfClaimsPrincipalDoesNotExist">true</Item>
  </Metadata>
  <InputClaims>
    <InputClaim ClaimTypeReferenceId="objectId" Required="true" />
  </InputClaims>
  <PersistedClaims>
    <PersistedClaim ClaimTypeReferenceId="objectId" />
    <PersistedClaim ClaimTypeReferenceId="givenName" />
    <PersistedClaim ClaimTypeReferenceId="surname" />
  </PersistedClaims>
</TechnicalProfile>`
	userWriteUsingAlternativeSecurityID = `<TechnicalProfile Id="AAD-UserWriteUsingAlternativeSecurityId">` + protocol + `
  <Metadata>
    <Item Key="Operation">Write</Item>
    <Item Key="RaiseErrorIfClaimsPrincipalAlreadyExists">true</Item>
  </Metadata>
  <InputClaims>
    <InputClaim ClaimTypeReferenceId="alternativeSecurityId" PartnerClaimType="alternativeSecurityId" Required="true" />
  </InputClaims>
  <PersistedClaims>
    <PersistedClaim ClaimTypeReferenceId="alternativeSecurityId" />
    <PersistedClaim ClaimTypeReferenceId="userPrincipalName" />
    <PersistedClaim ClaimTypeReferenceId="mailNickName" DefaultValue="unknown" />
    <PersistedClaim ClaimTypeReferenceId="displayName" DefaultValue="unknown" />
    <PersistedClaim ClaimTypeReferenceId="otherMails" />
    <PersistedClaim ClaimTypeReferenceId="givenName" />
    <PersistedClaim ClaimTypeReferenceId="surname" />
  </PersistedClaims>
  <OutputClaims>
    <OutputClaim ClaimTypeReferenceId="objectId" />
    <OutputClaim ClaimTypeReferenceId="newUser" PartnerClaimType="newClaimsPrincipalCreated" />
    <OutputClaim ClaimTypeReferenceId="otherMails" />
  </OutputClaims>
</TechnicalProfile>`
	userReadUsingAlternativeSecurityIDNoError = `<TechnicalProfile Id="AAD-UserReadUsingAlternativeSecurityId-NoError">` + protocol + `
  <Metadata>
    <Item Key="Operation">Read</Item>
    <Item Key="RaiseErrorIfClaimsPrincipalDoesNotExist">false</Item>
  </Metadata>
  <InputClaims>
    <InputClaim ClaimTypeReferenceId="alternativeSecurityId" PartnerClaimType="alternativeSecurityId" Required="true" />
  </InputClaims>
  <OutputClaims>
    <OutputClaim ClaimTypeReferenceId="objectId" />
    <OutputClaim ClaimTypeReferenceId="userPrincipalName" />
    <OutputClaim ClaimTypeReferenceId="displayName" />
  </OutputClaims>
</TechnicalProfile>`
)

func newProfile(t *testing.T, xml string) *aad.Profile {
	t.Helper()
	p, probs := aad.New(nil, profiletest.ParseTechnicalProfile(t, "Azure Active Directory", xml))
	if len(probs) > 0 {
		t.Fatalf("New: unexpected problems: %v", probs)
	}
	return p
}

func newEnv(dir directory.Store, claims map[string]any) *profile.Env {
	env := profiletest.NewEnv(nil)
	env.Directory = dir
	for k, v := range claims {
		env.Claims.Set(k, v)
	}
	return env
}

// wantUserError checks that err ends the journey with code and message and
// shows userMessage on a self-asserted page.
func wantUserError(t *testing.T, err error, message, userMessage string) {
	t.Helper()
	var pe *profile.Error
	var ue *profile.UserError
	if !errors.As(err, &pe) || !errors.As(err, &ue) {
		t.Fatalf("err %v: want a *profile.Error wrapping a *profile.UserError", err)
	}
	if pe.Code != profile.CodeServerError || pe.Message != message {
		t.Errorf("orchestration error %s %q, want server_error %q", pe.Code, pe.Message, message)
	}
	if ue.UserMessage != userMessage {
		t.Errorf("page message %q, want %q", ue.UserMessage, userMessage)
	}
}

// DIR-01, DIR-02, DIR-03, DIR-04: local sign-up, then sign-in discovery.
func TestLocalSignUp(t *testing.T) {
	ctx := context.Background()
	dir := directory.New()
	write := newProfile(t, userWriteUsingLogonEmail)
	env := newEnv(dir, map[string]any{"email": "Alice@Example.com", "newPassword": "Passw0rd!", "displayName": "", "givenName": "Alice", "surname": "Smith"})
	if err := write.Call(ctx, env); err != nil {
		t.Fatalf("sign-up: %v", err)
	}
	users := dir.Users()
	if len(users) != 1 {
		t.Fatalf("%d accounts, want 1", len(users))
	}
	u := users[0]
	// DIR-01
	if id, ok := u.Identity("emailAddress"); !ok || id.Issuer != profiletest.Tenant || id.IssuerAssignedID != "Alice@Example.com" {
		t.Errorf("identity %+v, want emailAddress/%s/Alice@Example.com", id, profiletest.Tenant)
	}
	for name, want := range map[string]any{"givenName": "Alice", "surname": "Smith", "passwordPolicies": "DisablePasswordExpiration",
		"accountEnabled": "True", "creationType": "LocalAccount",
		"displayName": "unknown", // DIR-02
	} {
		if got, _ := u.Get(name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if !strings.HasSuffix(u.UserPrincipalName, "@"+profiletest.Tenant) || !u.CheckPassword("Passw0rd!") {
		t.Errorf("UPN %q or password not stored", u.UserPrincipalName)
	}
	profiletest.WantClaims(t, env.Claims, map[string]string{"objectId": u.ObjectID, "newUser": "true",
		"authenticationSource": "localAccountAuthentication", "userPrincipalName": u.UserPrincipalName,
		"signInNames.emailAddress": "Alice@Example.com"}, nil)

	// DIR-03: the same address in another case creates nothing.
	err := write.Call(ctx, newEnv(dir, map[string]any{"email": "alice@EXAMPLE.com", "newPassword": "x"}))
	wantUserError(t, err, "AADB2C99001: This user already exists, and profile 'AAD-UserWriteUsingLogonEmail' does not allow the same user to be created again.",
		"A user with the specified ID already exists. Please choose a different one.")
	if n := len(dir.Users()); n != 1 {
		t.Errorf("%d accounts after a duplicate sign-up, want 1", n)
	}

	// DIR-04: discovery in another case finds the account.
	read := newProfile(t, userReadUsingEmailAddress)
	env = newEnv(dir, map[string]any{"email": "alice@example.com"})
	if err := read.Call(ctx, env); err != nil {
		t.Fatalf("read: %v", err)
	}
	profiletest.WantClaims(t, env.Claims, map[string]string{"objectId": u.ObjectID, "displayName": "unknown", "accountEnabled": "True",
		"signInNames.emailAddress": "Alice@Example.com"}, []string{"otherMails"})
}

// DIR-06, DIR-09: no account.
func TestReadMissing(t *testing.T) {
	ctx := context.Background()
	dir := directory.New()
	err := newProfile(t, userReadUsingEmailAddress).Call(ctx, newEnv(dir, map[string]any{"email": "nobody@example.com"}))
	wantUserError(t, err, "AADB2C99002: User does not exist. Please sign up before you can sign in.", "We can't seem to find your account.")

	err = newProfile(t, userWritePasswordUsingObjectID).Call(ctx, newEnv(dir, map[string]any{"objectId": "a0000000-0000-0000-0000-000000000009", "newPassword": "x"}))
	wantUserError(t, err, aad.MessageDoesNotExist, aad.DefaultUserMessageIfClaimsPrincipalDoesNotExist)
	if n := len(dir.Users()); n != 0 {
		t.Errorf("%d accounts, want the directory unchanged", n)
	}

	// The NoError read succeeds without directory claims (SocialAccounts step 3).
	env := newEnv(dir, map[string]any{"alternativeSecurityId": directory.Identity{Issuer: "facebook.com", IssuerAssignedID: "1"}.AlternativeSecurityID()})
	if err := newProfile(t, userReadUsingAlternativeSecurityIDNoError).Call(ctx, env); err != nil {
		t.Fatalf("NoError read: %v", err)
	}
	profiletest.WantClaims(t, env.Claims, nil, []string{"objectId", "userPrincipalName"})
}

// DIR-05: first social sign-in creates a federated account; DIR-07: a profile
// update changes only givenName and surname; DIR-08: a password write.
func TestSocialAccountAndUpdates(t *testing.T) {
	ctx := context.Background()
	dir := directory.New()
	altSecID := `{"issuer":"facebook.com","issuerUserId":"MTIzNDU="}` // "12345"
	env := newEnv(dir, map[string]any{"alternativeSecurityId": altSecID, "userPrincipalName": "cpim_0f1e@" + profiletest.Tenant,
		"otherMails": []string{"bob@example.com"}, "givenName": "Bob"})
	if err := newProfile(t, userWriteUsingAlternativeSecurityID).Call(ctx, env); err != nil {
		t.Fatalf("social write: %v", err)
	}
	u := dir.Users()[0]
	if id, ok := u.Identity("federated"); !ok || id.Issuer != "facebook.com" || id.IssuerAssignedID != "12345" {
		t.Errorf("identity %+v, want federated facebook.com 12345", id)
	}
	if got, _ := u.Get("mailNickName"); got != "unknown" {
		t.Errorf("mailNickName %v", got)
	}
	if got, ok := u.Get("creationType"); ok {
		t.Errorf("creationType %v, want none for a social account", got)
	}
	profiletest.WantClaims(t, env.Claims, map[string]string{"objectId": u.ObjectID, "newUser": "true", "otherMails": "bob@example.com"}, nil)

	env = newEnv(dir, map[string]any{"objectId": u.ObjectID, "givenName": "Robert", "surname": "Jones"})
	if err := newProfile(t, userWriteProfileUsingObjectID).Call(ctx, env); err != nil {
		t.Fatalf("profile update: %v", err)
	}
	after := dir.Users()[0]
	for _, name := range []string{"displayName", "mailNickName", "otherMails", "userPrincipalName", "alternativeSecurityId", "createdDateTime"} {
		b, _ := u.Get(name)
		a, _ := after.Get(name)
		if strings.Join(toStrings(b), ",") != strings.Join(toStrings(a), ",") {
			t.Errorf("%s changed from %v to %v", name, b, a)
		}
	}
	if g, _ := after.Get("givenName"); g != "Robert" {
		t.Errorf("givenName %v", g)
	}

	if err := newProfile(t, userWritePasswordUsingObjectID).Call(ctx, newEnv(dir, map[string]any{"objectId": u.ObjectID, "newPassword": "N3w!pass"})); err != nil {
		t.Fatal(err)
	}
	if got := dir.Users()[0]; !got.CheckPassword("N3w!pass") || got.LastPasswordChangeDateTime != profiletest.Now() {
		t.Errorf("password not written at %v: %v", profiletest.Now(), got.LastPasswordChangeDateTime)
	}
}

func toStrings(v any) []string {
	switch t := v.(type) {
	case []string:
		return t
	case string:
		return []string{t}
	}
	return nil
}

// DIR-12: extension attributes take the b2c-extensions-app's client id.
func TestExtensionAttribute(t *testing.T) {
	ctx := context.Background()
	dir := directory.New()
	md := `<Item Key="ApplicationObjectId">22222222-2222-2222-2222-222222222222</Item><Item Key="ClientId">11111111-1111-1111-1111-111111111111</Item>`
	write := newProfile(t, `<TechnicalProfile Id="W">`+protocol+`<Metadata><Item Key="Operation">Write</Item>`+md+`</Metadata>
  <InputClaims><InputClaim ClaimTypeReferenceId="email" PartnerClaimType="signInNames.emailAddress" /></InputClaims>
  <PersistedClaims><PersistedClaim ClaimTypeReferenceId="email" PartnerClaimType="signInNames.emailAddress" /><PersistedClaim ClaimTypeReferenceId="extension_loyaltyId" /></PersistedClaims>
  <OutputClaims><OutputClaim ClaimTypeReferenceId="objectId" /></OutputClaims></TechnicalProfile>`)
	read := newProfile(t, `<TechnicalProfile Id="R">`+protocol+`<Metadata><Item Key="Operation">Read</Item>`+md+`</Metadata>
  <InputClaims><InputClaim ClaimTypeReferenceId="objectId" /></InputClaims>
  <OutputClaims><OutputClaim ClaimTypeReferenceId="extension_loyaltyId" /></OutputClaims></TechnicalProfile>`)
	env := newEnv(dir, map[string]any{"email": "c@example.com", "extension_loyaltyId": "L-42"})
	if err := write.Call(ctx, env); err != nil {
		t.Fatal(err)
	}
	u := dir.Users()[0]
	if got := u.Attributes["extension_11111111111111111111111111111111_loyaltyId"]; got != "L-42" {
		t.Errorf("stored attributes %v, want extension_11111111111111111111111111111111_loyaltyId", u.Attributes)
	}
	oid, _ := env.Claims.Get("objectId")
	env = newEnv(dir, map[string]any{"objectId": oid})
	if err := read.Call(ctx, env); err != nil {
		t.Fatal(err)
	}
	profiletest.WantClaims(t, env.Claims, map[string]string{"extension_loyaltyId": "L-42"}, nil)
}

// DIR-14: a Write by sign-in name without the raise flag updates; DeleteClaims
// clears; DeleteClaimsPrincipal removes the account.
func TestUpdateAndDelete(t *testing.T) {
	ctx := context.Background()
	dir := directory.New()
	if err := dir.Seed(directory.User{AccountEnabled: true, Identities: []directory.Identity{{SignInType: "emailAddress", Issuer: profiletest.Tenant, IssuerAssignedID: "d@example.com"}},
		Attributes: map[string]any{"givenName": "Dee", "displayName": "D"}}); err != nil {
		t.Fatal(err)
	}
	key := `<InputClaims><InputClaim ClaimTypeReferenceId="email" PartnerClaimType="signInNames.emailAddress" /></InputClaims>`
	persisted := `<PersistedClaims><PersistedClaim ClaimTypeReferenceId="email" PartnerClaimType="signInNames.emailAddress" /><PersistedClaim ClaimTypeReferenceId="givenName" /></PersistedClaims>`
	tp := func(id, op string) string {
		return `<TechnicalProfile Id="` + id + `">` + protocol + `<Metadata><Item Key="Operation">` + op + `</Item></Metadata>` + key + persisted +
			`<OutputClaims><OutputClaim ClaimTypeReferenceId="newUser" PartnerClaimType="newClaimsPrincipalCreated" /></OutputClaims></TechnicalProfile>`
	}
	env := newEnv(dir, map[string]any{"email": "D@example.com", "givenName": "Deirdre"})
	if err := newProfile(t, tp("W", "Write")).Call(ctx, env); err != nil {
		t.Fatal(err)
	}
	profiletest.WantClaims(t, env.Claims, map[string]string{"newUser": "false"}, nil)
	if g, _ := dir.Users()[0].Get("givenName"); g != "Deirdre" || len(dir.Users()) != 1 {
		t.Errorf("givenName %v, %d accounts: want one updated account", g, len(dir.Users()))
	}
	if err := newProfile(t, tp("DC", "DeleteClaims")).Call(ctx, newEnv(dir, map[string]any{"email": "d@example.com"})); err != nil {
		t.Fatal(err)
	}
	u := dir.Users()[0]
	if _, ok := u.Get("givenName"); ok {
		t.Error("givenName still stored after DeleteClaims")
	}
	if _, ok := u.Get("signInNames.emailAddress"); !ok {
		t.Error("DeleteClaims removed the key")
	}
	if err := newProfile(t, tp("DP", "DeleteClaimsPrincipal")).Call(ctx, newEnv(dir, map[string]any{"email": "d@example.com"})); err != nil {
		t.Fatal(err)
	}
	if n := len(dir.Users()); n != 0 {
		t.Errorf("%d accounts after DeleteClaimsPrincipal, want 0", n)
	}
}

// DIR-13: what validate rejects.
func TestNewProblems(t *testing.T) {
	key := `<InputClaims><InputClaim ClaimTypeReferenceId="objectId" /></InputClaims>`
	tests := []struct {
		name      string
		body      string
		wantCodes []string
		wantText  string
	}{
		{"no operation", key, []string{policy.CodeMissingMetadata}, `A required Metadata item with key "Operation" was not found in the TechnicalProfile with id "T"`},
		{"bad operation", `<Metadata><Item Key="Operation">Upsert</Item></Metadata>` + key, []string{""}, "Upsert"},
		{"bad boolean", `<Metadata><Item Key="Operation">Read</Item><Item Key="RaiseErrorIfClaimsPrincipalDoesNotExist">yes</Item></Metadata>` + key, []string{""}, "invalid boolean"},
		{"two input claims", `<Metadata><Item Key="Operation">Read</Item></Metadata><InputClaims><InputClaim ClaimTypeReferenceId="objectId" /><InputClaim ClaimTypeReferenceId="email" /></InputClaims>`, []string{""}, "2 input claims"},
		{"no input claim", `<Metadata><Item Key="Operation">Read</Item></Metadata>`, []string{""}, "no input claim"},
		{"unsupported key", `<Metadata><Item Key="Operation">Read</Item></Metadata><InputClaims><InputClaim ClaimTypeReferenceId="email" /></InputClaims>`, []string{""}, `by "email"`},
		{"signInNames key on write", `<Metadata><Item Key="Operation">Write</Item></Metadata><InputClaims><InputClaim ClaimTypeReferenceId="n" PartnerClaimType="signInNames" /></InputClaims><PersistedClaims><PersistedClaim ClaimTypeReferenceId="n" PartnerClaimType="signInNames" /></PersistedClaims>`, []string{""}, "cannot Write"},
		{"write key not persisted", `<Metadata><Item Key="Operation">Write</Item></Metadata>` + key, []string{""}, "PersistedClaims"},
		{"extension without the app", `<Metadata><Item Key="Operation">Read</Item></Metadata>` + key + `<OutputClaims><OutputClaim ClaimTypeReferenceId="extension_x" /></OutputClaims>`,
			[]string{policy.CodeMissingMetadata, policy.CodeMissingMetadata}, `key "ApplicationObjectId"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := aad.New(nil, profiletest.ParseTechnicalProfile(t, "AAD", `<TechnicalProfile Id="T">`+protocol+tt.body+`</TechnicalProfile>`))
			profiletest.WantProblems(t, probs, tt.wantCodes, tt.wantText)
		})
	}
}

func TestNoDirectory(t *testing.T) {
	err := newProfile(t, userReadUsingEmailAddress).Call(context.Background(), newEnv(nil, map[string]any{"email": "a@b.c"}))
	if !errors.Is(err, aad.ErrNoDirectory) {
		t.Errorf("err %v, want ErrNoDirectory", err)
	}
}
