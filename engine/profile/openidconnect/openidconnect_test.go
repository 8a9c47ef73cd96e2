package openidconnect_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/iefconform/iefconform/engine/directory"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
	"github.com/iefconform/iefconform/engine/profile/openidconnect"
	"github.com/iefconform/iefconform/engine/profile/profiletest"
)

const (
	aliceID       = "5d8c3bb4-3f7c-4b8b-9d1e-000000000001"
	aliceEmail    = "Alice@Example.com"
	alicePassword = "Passw0rd!"
	aliceUPN      = "5d8c3bb4-3f7c-4b8b-9d1e-000000000001@contoso.onmicrosoft.com"
	bobEmail      = "bob@example.com"
	bobPassword   = "B0bPassw0rd!"
	loginProfile  = "login-NonInteractive"
)

// usernamePassword is the InputClaims of a resource owner password
// credentials login: signInName as username, and password.
const usernamePassword = `
  <InputClaims>
    <InputClaim ClaimTypeReferenceId="signInName" PartnerClaimType="username" />
    <InputClaim ClaimTypeReferenceId="password" />
  </InputClaims>`

// starterPack is the effective policy of the LocalAccounts pack's Base and
// Extensions files as far as login-NonInteractive goes (testdata: copied from
// the starter pack at fc39b7d).
func starterPack(t *testing.T) (*policy.Policy, *policy.TechnicalProfile) {
	t.Helper()
	set, err := policy.LoadFiles(nil, filepath.Join("testdata", "TrustFrameworkBase.xml"), filepath.Join("testdata", "TrustFrameworkExtensions.xml"))
	if err != nil {
		t.Fatalf("load the starter pack's files: %v", err)
	}
	p, err := set.Resolve("B2C_1A_TrustFrameworkExtensions")
	if err != nil {
		t.Fatalf("resolve B2C_1A_TrustFrameworkExtensions: %v", err)
	}
	tp, ok := p.TechnicalProfiles[loginProfile]
	if !ok {
		t.Fatalf("no %s in the merged policy", loginProfile)
	}
	return p, tp
}

// seeded is a directory with Alice (enabled, names set) and Bob (disabled).
func seeded(t *testing.T) *directory.Memory {
	t.Helper()
	alice := directory.User{
		ObjectID: aliceID, UserPrincipalName: aliceUPN, AccountEnabled: true, CreationType: directory.CreationTypeLocalAccount,
		Identities: []directory.Identity{{SignInType: "emailAddress", Issuer: profiletest.Tenant, IssuerAssignedID: aliceEmail}},
		Attributes: map[string]any{"givenName": "Alice", "surname": "Smith", "displayName": "Alice Smith"},
	}
	bob := directory.User{
		ObjectID: "5d8c3bb4-3f7c-4b8b-9d1e-000000000002", UserPrincipalName: "bob@contoso.onmicrosoft.com", AccountEnabled: false,
		Identities: []directory.Identity{{SignInType: "emailAddress", Issuer: profiletest.Tenant, IssuerAssignedID: bobEmail}},
	}
	if err := alice.SetPassword(alicePassword, profiletest.Now()); err != nil {
		t.Fatal(err)
	}
	if err := bob.SetPassword(bobPassword, profiletest.Now()); err != nil {
		t.Fatal(err)
	}
	d := directory.New(directory.WithClock(profiletest.Now))
	if err := d.Seed(alice, bob); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return d
}

// TestStarterPackLoginNonInteractive: the pack's profile, Base and Extensions
// merged, builds without problems and is recognised as the local-account
// login (spec §2.1).
func TestStarterPackLoginNonInteractive(t *testing.T) {
	p, tp := starterPack(t)
	if !openidconnect.IsLocalAccountLogin(p, tp) {
		t.Fatalf("IsLocalAccountLogin(%s) = false, want true", loginProfile)
	}
	prof, probs := openidconnect.New(p, tp)
	if len(probs) > 0 {
		t.Fatalf("New: unexpected problems: %v", probs)
	}
	var ins []string
	for _, r := range prof.Config().InputClaims {
		ins = append(ins, r.ClaimTypeReferenceID)
	}
	// The Extensions file adds client_id and resource_id to the Base's five
	// (in the order the policy merge gives them).
	want := []string{"client_id", "grant_type", "nca", "password", "resource_id", "scope", "signInName"}
	slices.Sort(ins)
	if !slices.Equal(ins, want) {
		t.Errorf("input claims = %q, want %q", ins, want)
	}
}

func TestIsLocalAccountLogin(t *testing.T) {
	p, login := starterPack(t)
	tests := []struct {
		name string
		xml  string
		want bool
	}{
		{name: "federated OpenID Connect identity provider", want: false, xml: `<TechnicalProfile Id="Contoso-OIDC">
  <Protocol Name="OpenIdConnect" />
  <Metadata>
    <Item Key="METADATA">https://login.contoso.example/.well-known/openid-configuration</Item>
    <Item Key="client_id">00000000-0000-0000-0000-000000000002</Item>
    <Item Key="response_types">code</Item>
    <Item Key="scope">openid profile</Item>
  </Metadata>
  <CryptographicKeys>
    <Key Id="client_secret" StorageReferenceId="B2C_1A_ContosoSecret" />
  </CryptographicKeys>
  <OutputClaims>
    <OutputClaim ClaimTypeReferenceId="issuerUserId" PartnerClaimType="sub" />
    <OutputClaim ClaimTypeReferenceId="givenName" PartnerClaimType="given_name" />
  </OutputClaims>
</TechnicalProfile>`},
		{name: "username without password", want: false, xml: `<TechnicalProfile Id="half">
  <Protocol Name="OpenIdConnect" />
  <InputClaims><InputClaim ClaimTypeReferenceId="signInName" PartnerClaimType="username" /></InputClaims>
</TechnicalProfile>`},
		{name: "OAuth2 with username and password", want: false, xml: `<TechnicalProfile Id="oauth2">
  <Protocol Name="OAuth2" />` + usernamePassword + `
</TechnicalProfile>`},
		{name: "issuer with Protocol None", want: false, xml: `<TechnicalProfile Id="issuer">
  <Protocol Name="None" />
  <OutputTokenFormat>JWT</OutputTokenFormat>` + usernamePassword + `
</TechnicalProfile>`},
		{name: "minimal ROPC profile, protocol in another case", want: true, xml: `<TechnicalProfile Id="ropc">
  <Protocol Name="openidconnect" />
  <InputClaims>
    <InputClaim ClaimTypeReferenceId="email" PartnerClaimType="USERNAME" />
    <InputClaim ClaimTypeReferenceId="pwd" PartnerClaimType="password" />
  </InputClaims>
</TechnicalProfile>`},
	}
	if !openidconnect.IsLocalAccountLogin(p, login) {
		t.Errorf("starter pack %s: got false, want true", loginProfile)
	}
	if openidconnect.IsLocalAccountLogin(p, nil) {
		t.Error("nil technical profile: got true, want false")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := profiletest.ParseTechnicalProfile(t, "Test", tt.xml)
			if got := openidconnect.IsLocalAccountLogin(nil, tp); got != tt.want {
				t.Errorf("IsLocalAccountLogin = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewProblems(t *testing.T) {
	tests := []struct {
		name      string
		xml       string
		wantCodes []string
		wantErr   error
		wantText  string
	}{
		{name: "no password input claim", wantCodes: []string{""}, wantErr: openidconnect.ErrInvalidClaims, wantText: `"password"`,
			xml: `<TechnicalProfile Id="login">
  <Protocol Name="OpenIdConnect" />
  <InputClaims><InputClaim ClaimTypeReferenceId="signInName" PartnerClaimType="username" /></InputClaims>
</TechnicalProfile>`},
		{name: "bad IncludeClaimResolvingInClaimsHandling", wantCodes: []string{""}, wantErr: openidconnect.ErrInvalidMetadata, wantText: "IncludeClaimResolvingInClaimsHandling",
			xml: `<TechnicalProfile Id="login">
  <Protocol Name="OpenIdConnect" />
  <Metadata><Item Key="IncludeClaimResolvingInClaimsHandling">yes</Item></Metadata>` + usernamePassword + `
</TechnicalProfile>`},
		{name: "not OpenIdConnect", wantCodes: []string{""}, wantErr: openidconnect.ErrNotLocalAccountLogin, wantText: "OpenIdConnect",
			xml: `<TechnicalProfile Id="login">
  <Protocol Name="OAuth2" />` + usernamePassword + `
</TechnicalProfile>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := profiletest.ParseTechnicalProfile(t, "Local Account SignIn", tt.xml)
			p, probs := openidconnect.New(nil, tp)
			if p == nil {
				t.Fatal("New returned a nil profile")
			}
			profiletest.WantProblems(t, probs, tt.wantCodes, tt.wantText)
			if !errors.Is(probs, tt.wantErr) {
				t.Errorf("problems %v: want errors.Is %v", probs, tt.wantErr)
			}
		})
	}
}

func TestCall(t *testing.T) {
	p, tp := starterPack(t)
	tests := []struct {
		name     string
		check    string // the spec's check id
		metadata map[string]string
		// enableBob turns on the disabled account of a user without names.
		enableBob bool
		username  string
		password  string
		want      map[string]string
		wantNone  []string
		// wantPage is the self-asserted page's text, wantRP the relying
		// party's error description; both empty for success.
		wantPage string
		wantRP   string
	}{
		{name: "right password", check: "LA-07", username: aliceEmail, password: alicePassword,
			want: map[string]string{
				"objectId": aliceID, "tenantId": profiletest.TenantGUID, "givenName": "Alice", "surname": "Smith",
				"displayName": "Alice Smith", "userPrincipalName": aliceUPN, "authenticationSource": "localAccountAuthentication",
			}},
		{name: "sign-in name in another case", check: "DIR-04", username: "alice@example.com", password: alicePassword,
			want: map[string]string{"objectId": aliceID}},
		{name: "user without names", check: "LA-07", username: bobEmail, password: bobPassword,
			enableBob: true,
			want:      map[string]string{"authenticationSource": "localAccountAuthentication"}, wantNone: []string{"givenName", "surname", "displayName"}},
		{name: "wrong password", check: "LA-03", username: aliceEmail, password: "wrong",
			wantPage: "Your password is incorrect.", wantRP: "Your password is incorrect.", wantNone: []string{"objectId", "authenticationSource"}},
		{name: "password of another case", check: "LA-03", username: aliceEmail, password: "passw0rd!",
			wantPage: "Your password is incorrect.", wantRP: "Your password is incorrect."},
		{name: "empty password", check: "LA-03", username: aliceEmail, password: "",
			wantPage: "Your password is incorrect.", wantRP: "Your password is incorrect."},
		{name: "unknown user", check: "LA-04", username: "nobody@example.com", password: alicePassword,
			wantPage: "We can't seem to find your account.", wantRP: "We can't seem to find your account.", wantNone: []string{"objectId"}},
		{name: "no sign-in name", check: "LA-04", username: "", password: alicePassword,
			wantPage: "We can't seem to find your account.", wantRP: "We can't seem to find your account."},
		{name: "disabled account", check: "LA-04", username: bobEmail, password: bobPassword,
			wantPage: "Your account has been locked. Contact your support person to unlock it, then try again.",
			wantRP:   "AADB2C90111: Your account has been locked. Contact your support person to unlock it, then try again."},
		{name: "disabled account, wrong password", check: "LA-04", username: bobEmail, password: "wrong",
			wantPage: "Your password is incorrect.", wantRP: "Your password is incorrect."},
		{name: "messages from metadata", check: "LA-03", username: aliceEmail, password: "wrong",
			metadata: map[string]string{"UserMessageIfInvalidPassword": "Mot de passe incorrect."},
			wantPage: "Mot de passe incorrect.", wantRP: "Mot de passe incorrect."},
	}
	for _, tt := range tests {
		t.Run(tt.check+" "+tt.name, func(t *testing.T) {
			d := seeded(t)
			if tt.enableBob {
				if _, err := d.Update(context.Background(), "5d8c3bb4-3f7c-4b8b-9d1e-000000000002", func(u *directory.User) error {
					u.AccountEnabled = true
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			tpc := *tp
			tpc.Metadata = slices.Clone(tp.Metadata)
			for k, v := range tt.metadata {
				tpc.Metadata = append(tpc.Metadata, policy.Item{Key: k, Value: v})
			}
			prof, probs := openidconnect.New(p, &tpc)
			if len(probs) > 0 {
				t.Fatalf("New: %v", probs)
			}
			env := profiletest.NewEnv(nil)
			env.Policy = p
			env.Directory = d
			if tt.username != "" {
				env.Claims.Set("signInName", tt.username)
			}
			if tt.password != "" {
				env.Claims.Set("password", tt.password)
			}
			err := prof.Call(context.Background(), env)
			if tt.wantPage == "" {
				if err != nil {
					t.Fatalf("Call: %v", err)
				}
				profiletest.WantClaims(t, env.Claims, tt.want, tt.wantNone)
				return
			}
			var pe *profile.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Call: got %v, want a *profile.Error", err)
			}
			if pe.Message != tt.wantRP || pe.Code != profile.CodeServerError {
				t.Errorf("relying party's error: got %s %q, want %s %q", pe.Code, pe.Message, profile.CodeServerError, tt.wantRP)
			}
			var ue *profile.UserError
			if !errors.As(err, &ue) {
				t.Fatalf("Call: got %v, want a *profile.UserError inside", err)
			}
			if ue.UserMessage != tt.wantPage || ue.ProfileID != loginProfile {
				t.Errorf("page error: got %q from %q, want %q from %q", ue.UserMessage, ue.ProfileID, tt.wantPage, loginProfile)
			}
			profiletest.WantClaims(t, env.Claims, nil, tt.wantNone)
		})
	}
}

// TestCallCannotRun: without a directory the login fails as a claims exchange
// that did not complete, not as the user's mistake.
func TestCallCannotRun(t *testing.T) {
	p, tp := starterPack(t)
	prof, _ := openidconnect.New(p, tp)
	env := profiletest.NewEnv(nil)
	env.Claims.Set("signInName", aliceEmail)
	env.Claims.Set("password", alicePassword)
	err := prof.Call(context.Background(), env)
	var pe *profile.Error
	if !errors.As(err, &pe) || !errors.Is(err, openidconnect.ErrNoDirectory) {
		t.Fatalf("Call: got %v, want a *profile.Error wrapping ErrNoDirectory", err)
	}
	if want := "AADB2C90255: The claims exchange specified did not complete as expected."; pe.Message != want {
		t.Errorf("message = %q, want %q", pe.Message, want)
	}
	var ue *profile.UserError
	if errors.As(err, &ue) {
		t.Errorf("got a user error %v, want none", ue)
	}
	if err := prof.Call(context.Background(), nil); err == nil {
		t.Error("Call(nil env): got nil, want an error")
	}
}
