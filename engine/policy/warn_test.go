package policy_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

// warnPolicy is a relying-party policy with one instance of each warning kind.
var warnPolicy = strings.Replace(doc("B2C_1A_warn", "", `
  <Contacts/>
  <Frobnicate/>
  <BuildingBlocks>
    <ClaimsSchema>
      <ClaimType Id="objectId"><DataType>string</DataType></ClaimType>
    </ClaimsSchema>
    <ContentDefinitions/>
    <InputValidations/>
    <Gadgets/>
  </BuildingBlocks>
`+claimsProvider("Facebook", `
        <TechnicalProfile Id="Facebook-OAUTH">
          <Protocol Name="OAuth2"/>
          <Metadata>
            <Item Key="client_id">facebook_clientid</Item>
            <Item Key="resource">IdentityExperienceFrameworkAppId</Item>
          </Metadata>
          <CryptographicKeys>
            <Key Id="client_secret" StorageReferenceId="B2C_1A_FacebookSecret"/>
          </CryptographicKeys>
        </TechnicalProfile>
        <TechnicalProfile Id="AAD-Read">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.AzureActiveDirectoryProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"/>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="objectId" DefaultValue="ProxyIdentityExperienceFrameworkAppId"/>
          </InputClaims>
        </TechnicalProfile>
        <TechnicalProfile Id="Carrier-Pigeon">
          <Protocol Name="Pigeon"/>
        </TechnicalProfile>
        <TechnicalProfile Id="Unused-AAD">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.AzureActiveDirectoryProvider, Web.TPEngine"/>
        </TechnicalProfile>
        <TechnicalProfile Id="JwtIssuer">
          <Protocol Name="None"/>
          <OutputTokenFormat>JWT</OutputTokenFormat>
          <CryptographicKeys>
            <Key Id="issuer_secret" StorageReferenceId="B2C_1A_TokenSigningKeyContainer"/>
          </CryptographicKeys>
        </TechnicalProfile>`)+`
  <UserJourneys>
    <UserJourney Id="SignIn">
      <OrchestrationSteps>`+exchangeStep(1, "Facebook", "Facebook-OAUTH")+exchangeStep(2, "Read", "AAD-Read")+exchangeStep(3, "Pigeon", "Carrier-Pigeon")+`
        <OrchestrationStep Order="4" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer"/>
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>`+relyingParty("SignIn", `<OutputClaim ClaimTypeReferenceId="objectId" PartnerClaimType="sub"/>`)), `TenantId="contoso.onmicrosoft.com"`, `TenantId="yourtenant.onmicrosoft.com"`, 1)

// notProprietary stands in for the emulator's registry: it implements every
// protocol but Proprietary ones.
func notProprietary(_ *policy.Policy, tp *policy.TechnicalProfile) bool {
	return tp.Protocol != nil && tp.Protocol.Name != "Proprietary"
}

func warnSet(t *testing.T) (*policy.Set, func(string) ([]byte, error)) {
	t.Helper()
	const name = "Warn.xml"
	read := func(n string) ([]byte, error) {
		if n != name {
			return nil, fmt.Errorf("open %s: %w", n, os.ErrNotExist)
		}
		return []byte(warnPolicy), nil
	}
	return newSet(t, map[string]string{name: warnPolicy}), read
}

// findWarning returns the warning at path whose message contains msg.
func findWarning(ws policy.Warnings, path, msg string) (policy.Warning, bool) {
	for _, w := range ws {
		if w.Path == path && strings.Contains(w.Message, msg) {
			return w, true
		}
	}
	return policy.Warning{}, false
}

func TestWarnings(t *testing.T) {
	s, read := warnSet(t)
	ws := s.Warnings(policy.WarnOptions{Implemented: notProprietary, Read: read})
	if errs := s.Validate(nil); len(errs) > 0 {
		t.Fatalf("the policy has problems, want warnings only:\n%v", errs)
	}
	tests := []struct {
		name    string
		kind    error
		marker  string // the line of the warning is the line of its first occurrence
		path    string
		message string
	}{
		{"placeholder tenant", policy.ErrPlaceholder, "<TrustFrameworkPolicy", "TrustFrameworkPolicy[PolicyId=B2C_1A_warn]", `TenantId is "yourtenant.onmicrosoft.com", the starter pack's placeholder "yourtenant"`},
		{"placeholder Facebook client id", policy.ErrPlaceholder, ">facebook_clientid<", "TechnicalProfile[Id=Facebook-OAUTH]/Metadata/Item[Key=client_id]", `"facebook_clientid"`},
		{"placeholder IEF app id", policy.ErrPlaceholder, ">IdentityExperienceFrameworkAppId<", "TechnicalProfile[Id=Facebook-OAUTH]/Metadata/Item[Key=resource]", `placeholder "IdentityExperienceFrameworkAppId"`},
		{"placeholder proxy IEF app id in a DefaultValue", policy.ErrPlaceholder, `DefaultValue="ProxyIdentityExperienceFrameworkAppId"`, "TechnicalProfile[Id=AAD-Read]/InputClaim[ClaimTypeReferenceId=objectId]", `DefaultValue of objectId is "ProxyIdentityExperienceFrameworkAppId"`},
		{"key needed, no key store", policy.ErrPolicyKey, `StorageReferenceId="B2C_1A_FacebookSecret"`, "TechnicalProfile[Id=Facebook-OAUTH]/CryptographicKeys/Key[Id=client_secret]", "the policies need policy key B2C_1A_FacebookSecret"},
		{"unsupported top-level element", policy.ErrUnsupported, "<Contacts/>", "TrustFrameworkPolicy/Contacts", "<Contacts> is not supported by the emulator yet"},
		{"unknown top-level element", policy.ErrUnknownElement, "<Frobnicate/>", "TrustFrameworkPolicy/Frobnicate", "<Frobnicate> is not an element of TrustFrameworkPolicy in the TrustFrameworkPolicy schema"},
		{"unsupported ContentDefinitions", policy.ErrUnsupported, "<ContentDefinitions/>", "TrustFrameworkPolicy/BuildingBlocks/ContentDefinitions", "not supported by the emulator yet"},
		{"unsupported InputValidations", policy.ErrUnsupported, "<InputValidations", "TrustFrameworkPolicy/BuildingBlocks/InputValidations", "not supported by the emulator yet"},
		{"unknown BuildingBlocks element", policy.ErrUnknownElement, "<Gadgets/>", "TrustFrameworkPolicy/BuildingBlocks/Gadgets", "is not an element of BuildingBlocks"},
		{"unsupported handler", policy.ErrUnsupported, `<TechnicalProfile Id="AAD-Read">`, "TechnicalProfile[Id=AAD-Read]/Protocol", "(Protocol Proprietary, handler AzureActiveDirectoryProvider) is not supported by the emulator yet; policy B2C_1A_warn reaches it"},
		{"unknown protocol", policy.ErrUnknownElement, `<TechnicalProfile Id="Carrier-Pigeon">`, "TechnicalProfile[Id=Carrier-Pigeon]/Protocol", `Protocol Name "Pigeon", which is not in the TrustFrameworkPolicy schema`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, ok := findWarning(ws, tt.path, tt.message)
			if !ok {
				t.Fatalf("no warning at %s with %q; got:\n%v", tt.path, tt.message, ws)
			}
			if !errors.Is(w, tt.kind) {
				t.Errorf("%v: is not %v", w, tt.kind)
			}
			if line := lineOf(t, warnPolicy, tt.marker); w.File != "Warn.xml" || w.Line != line {
				t.Errorf("%v: at %s:%d, want Warn.xml:%d", w, w.File, w.Line, line)
			}
			if s := w.String(); !strings.HasPrefix(s, fmt.Sprintf("Warn.xml:%d: %s: warning: ", w.Line, tt.path)) {
				t.Errorf("String() = %q, want file:line: path: warning: message", s)
			}
		})
	}
	if _, ok := findWarning(ws, "TechnicalProfile[Id=Unused-AAD]/Protocol", ""); ok {
		t.Error("a technical profile no journey reaches is reported as unsupported")
	}
	if _, ok := findWarning(ws, "TrustFrameworkPolicy/BuildingBlocks/ClaimsSchema", ""); ok {
		t.Error("ClaimsSchema, which the emulator implements, is reported")
	}
}

func TestWarningsKeyStore(t *testing.T) {
	s, _ := warnSet(t)
	tests := []struct {
		name   string
		store  []string
		want   []string // messages of the key warnings, in order
		substr string
	}{
		{"no key store: each key once", nil, []string{"B2C_1A_FacebookSecret", "B2C_1A_TokenSigningKeyContainer"}, "no key store was given"},
		{"a store with one of the keys", []string{"B2C_1A_TokenSigningKeyContainer"}, []string{"B2C_1A_FacebookSecret"}, "is not in the key store"},
		{"a store with every key", []string{"B2C_1A_TokenSigningKeyContainer", "B2C_1A_FacebookSecret"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o policy.WarnOptions
			if tt.store != nil {
				o.HasKey = func(name string) bool {
					for _, k := range tt.store {
						if k == name {
							return true
						}
					}
					return false
				}
			}
			var got []string
			for _, w := range s.Warnings(o) {
				if errors.Is(w, policy.ErrPolicyKey) {
					if !strings.Contains(w.Message, tt.substr) {
						t.Errorf("%v: want %q in the message", w, tt.substr)
					}
					got = append(got, strings.Fields(strings.SplitAfter(w.Message, "policy key ")[1])[0])
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("keys reported = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestWarningsUnreadable: a file that cannot be read for the element checks is
// a warning, not a panic or a silent pass.
func TestWarningsUnreadable(t *testing.T) {
	s, _ := warnSet(t)
	ws := s.Warnings(policy.WarnOptions{Read: func(string) ([]byte, error) { return nil, os.ErrPermission }})
	w, ok := findWarning(ws, "", "cannot read the file")
	if !ok || !errors.Is(w, os.ErrPermission) || w.File != "Warn.xml" {
		t.Errorf("got %v (found %v), want a warning for Warn.xml wrapping the read error", w, ok)
	}
}
