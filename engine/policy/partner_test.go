package policy_test

import (
	"path/filepath"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

// partnerDoc is a policy whose claim types declare DefaultPartnerClaimTypes; the
// protocol names are written in several cases, as B2C compares them ignoring case.
var partnerDoc = doc("B2C_1A_Partner", "", `
  <BuildingBlocks>
    <ClaimsSchema>
      <ClaimType Id="surname">
        <DataType>string</DataType>
        <DefaultPartnerClaimTypes>
          <Protocol Name="OAuth2" PartnerClaimType="family_name" />
          <Protocol Name="openidconnect" PartnerClaimType="family_name" />
          <Protocol Name="SAML2" PartnerClaimType="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname" />
        </DefaultPartnerClaimTypes>
      </ClaimType>
      <ClaimType Id="displayName">
        <DataType>string</DataType>
        <DefaultPartnerClaimTypes>
          <Protocol Name="OpenIdConnect" PartnerClaimType="name" />
          <Protocol Name="OAuth2" PartnerClaimType="unique_name" />
        </DefaultPartnerClaimTypes>
      </ClaimType>
      <ClaimType Id="email">
        <DataType>string</DataType>
        <DefaultPartnerClaimTypes>
          <Protocol Name="OpenIdConnect" PartnerClaimType="email" />
        </DefaultPartnerClaimTypes>
      </ClaimType>
      <ClaimType Id="newUser">
        <DataType>boolean</DataType>
      </ClaimType>
      <ClaimType Id="twice">
        <DataType>string</DataType>
        <DefaultPartnerClaimTypes>
          <Protocol Name="OAuth2" PartnerClaimType="" />
          <Protocol Name="OAuth2" PartnerClaimType="first" />
          <Protocol Name="oauth2" PartnerClaimType="second" />
        </DefaultPartnerClaimTypes>
      </ClaimType>
    </ClaimsSchema>
  </BuildingBlocks>`)

func TestPartnerClaimType(t *testing.T) {
	p := mustResolve(t, newSet(t, map[string]string{"p.xml": partnerDoc}), "B2C_1A_Partner")
	tests := []struct {
		name     string
		ref      policy.ClaimRef
		protocol string
		want     string
	}{
		{"explicit PartnerClaimType wins over the default", policy.ClaimRef{ClaimTypeReferenceID: "surname", PartnerClaimType: "last_name"}, "OpenIdConnect", "last_name"},
		{"explicit PartnerClaimType without a default", policy.ClaimRef{ClaimTypeReferenceID: "newUser", PartnerClaimType: "isNew"}, "OAuth2", "isNew"},
		{"default for OpenIdConnect", policy.ClaimRef{ClaimTypeReferenceID: "displayName"}, "OpenIdConnect", "name"},
		{"default for OAuth2", policy.ClaimRef{ClaimTypeReferenceID: "displayName"}, "OAuth2", "unique_name"},
		{"default for SAML2", policy.ClaimRef{ClaimTypeReferenceID: "surname"}, "SAML2", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"},
		{"protocol names compare ignoring case", policy.ClaimRef{ClaimTypeReferenceID: "surname"}, "OPENIDCONNECT", "family_name"},
		{"claim type ids compare ignoring case", policy.ClaimRef{ClaimTypeReferenceID: "SurName"}, "OAuth2", "family_name"},
		{"another protocol's default is ignored", policy.ClaimRef{ClaimTypeReferenceID: "email"}, "OAuth2", "email"},
		{"another protocol's default is ignored, id kept as written", policy.ClaimRef{ClaimTypeReferenceID: "displayName"}, "OAuth1", "displayName"},
		{"no defaults: the claim type id", policy.ClaimRef{ClaimTypeReferenceID: "newUser"}, "OpenIdConnect", "newUser"},
		{"undeclared claim type: the id", policy.ClaimRef{ClaimTypeReferenceID: "nowhere"}, "OpenIdConnect", "nowhere"},
		{"Proprietary has no defaults", policy.ClaimRef{ClaimTypeReferenceID: "surname"}, "Proprietary", "surname"},
		{"no protocol: the id", policy.ClaimRef{ClaimTypeReferenceID: "surname"}, "", "surname"},
		{"first non-empty entry of a protocol wins", policy.ClaimRef{ClaimTypeReferenceID: "twice"}, "OAuth2", "first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.PartnerClaimType(tt.ref, tt.protocol); got != tt.want {
				t.Errorf("PartnerClaimType(%s, %q) = %q, want %q", tt.ref.ClaimTypeReferenceID, tt.protocol, got, tt.want)
			}
		})
	}
	t.Run("nil policy: PartnerClaimType else the id", func(t *testing.T) {
		var nilPolicy *policy.Policy
		if got := nilPolicy.PartnerClaimType(policy.ClaimRef{ClaimTypeReferenceID: "surname"}, "OpenIdConnect"); got != "surname" {
			t.Errorf("got %q, want surname", got)
		}
		if got := nilPolicy.PartnerClaimType(policy.ClaimRef{ClaimTypeReferenceID: "surname", PartnerClaimType: "sn"}, "OpenIdConnect"); got != "sn" {
			t.Errorf("got %q, want sn", got)
		}
	})
}

// TestDefaultPartnerClaimTypesOverride: a claim type redeclared in an extension
// file replaces the inherited one, DefaultPartnerClaimTypes included.
func TestDefaultPartnerClaimTypesOverride(t *testing.T) {
	ext := doc("B2C_1A_Ext", "B2C_1A_Partner", `
  <BuildingBlocks>
    <ClaimsSchema>
      <ClaimType Id="displayName">
        <DataType>string</DataType>
        <DefaultPartnerClaimTypes>
          <Protocol Name="OpenIdConnect" PartnerClaimType="display_name" />
        </DefaultPartnerClaimTypes>
      </ClaimType>
    </ClaimsSchema>
  </BuildingBlocks>`)
	p := mustResolve(t, newSet(t, map[string]string{"a.xml": partnerDoc, "b.xml": ext}), "B2C_1A_Ext")
	ref := policy.ClaimRef{ClaimTypeReferenceID: "displayName"}
	if got := p.PartnerClaimType(ref, "OpenIdConnect"); got != "display_name" {
		t.Errorf("OpenIdConnect: got %q, want display_name", got)
	}
	if got := p.PartnerClaimType(ref, "OAuth2"); got != "displayName" {
		t.Errorf("OAuth2: got %q, want displayName (the extension's claim type has no OAuth2 default)", got)
	}
}

// TestStarterPackPartnerClaimTypes loads a starter pack (its TrustFrameworkBase.xml
// declares the claims schema) and checks the names its relying party's claims
// take in the id_token, and the OAuth2 names of the same claim types.
func TestStarterPackPartnerClaimTypes(t *testing.T) {
	root := starterPackDir(t)
	s, err := policy.LoadDir(filepath.Join(root, "SocialAndLocalAccounts"), policy.Settings{})
	if s == nil {
		t.Fatalf("load SocialAndLocalAccounts: %v", err)
	}
	p := mustResolve(t, s, "B2C_1A_signup_signin")
	rp := p.RelyingParty
	if rp == nil {
		t.Fatal("B2C_1A_signup_signin has no RelyingParty")
	}
	protocol := rp.TechnicalProfile.ProtocolName()
	if protocol != "OpenIdConnect" {
		t.Fatalf("relying party protocol = %q, want OpenIdConnect", protocol)
	}
	want := map[string]string{
		"givenName":        "given_name",
		"surname":          "family_name",
		"displayName":      "name",
		"identityProvider": "idp",
		"objectId":         "sub", // the relying party's explicit PartnerClaimType beats the default oid
		"tenantId":         "tid",
		"email":            "email",
	}
	got := map[string]string{}
	for _, ref := range rp.TechnicalProfile.OutputClaims {
		got[ref.ClaimTypeReferenceID] = p.PartnerClaimType(ref, protocol)
	}
	for id, name := range want {
		if got[id] != name {
			t.Errorf("relying party claim %s: partner name %q, want %q (all: %v)", id, got[id], name, got)
		}
	}
	if n, ok := got["newUser"]; ok && n != "newUser" {
		t.Errorf("newUser has no default: partner name %q, want newUser", n)
	}
	oauth2 := map[string]string{"objectId": "oid", "displayName": "unique_name", "givenName": "given_name", "email": "email"}
	for id, name := range oauth2 {
		if got := p.PartnerClaimType(policy.ClaimRef{ClaimTypeReferenceID: id}, "OAuth2"); got != name {
			t.Errorf("OAuth2 partner name of %s = %q, want %q", id, got, name)
		}
	}
}
