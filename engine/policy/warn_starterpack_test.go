package policy_test

import (
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

// TestStarterPackWarnings: the four starter packs, unchanged, have no problems
// and warn of their placeholders, the TokenEncryptionKeyContainer key and the
// AzureActiveDirectory provider the emulator does not implement.
func TestStarterPackWarnings(t *testing.T) {
	root := starterPackDir(t)
	for _, pack := range []string{"LocalAccounts", "SocialAccounts", "SocialAndLocalAccounts", "SocialAndLocalAccountsWithMfa"} {
		t.Run(pack, func(t *testing.T) {
			dir := filepath.Join(root, pack)
			s, err := policy.LoadDir(dir, policy.Settings{})
			if err != nil {
				t.Fatalf("load %s: %v", pack, err)
			}
			if probs := s.Validate(nil); len(probs) > 0 {
				t.Errorf("problems:\n%v", probs)
			}
			aad := func(_ *policy.Policy, tp *policy.TechnicalProfile) bool {
				return tp.Protocol == nil || !strings.Contains(tp.Protocol.Handler, "AzureActiveDirectoryProvider")
			}
			ws := s.Warnings(policy.WarnOptions{Implemented: aad, Read: os.ReadFile})
			base := filepath.Join(dir, "TrustFrameworkBase.xml")
			want := []struct {
				kind        error
				file, path  string
				msg, marker string
			}{
				{policy.ErrPlaceholder, base, "TrustFrameworkPolicy[PolicyId=B2C_1A_TrustFrameworkBase]", `"yourtenant"`, "<TrustFrameworkPolicy"},
				{policy.ErrPolicyKey, base, "TechnicalProfile[Id=JwtIssuer]/CryptographicKeys/Key[Id=issuer_refresh_token_key]", "B2C_1A_TokenEncryptionKeyContainer", `StorageReferenceId="B2C_1A_TokenEncryptionKeyContainer"`},
				{policy.ErrUnsupported, base, "TechnicalProfile[Id=AAD-UserReadUsingObjectId]/Protocol", "handler AzureActiveDirectoryProvider", `<TechnicalProfile Id="AAD-UserReadUsingObjectId">`},
				{policy.ErrUnsupported, base, "TrustFrameworkPolicy/BuildingBlocks/ContentDefinitions", "<ContentDefinitions>", "<ContentDefinitions>"},
			}
			if pack == "SocialAccounts" {
				want[2].path, want[2].marker = "TechnicalProfile[Id=AAD-UserReadUsingAlternativeSecurityId]/Protocol", `<TechnicalProfile Id="AAD-UserReadUsingAlternativeSecurityId">`
				want = append(want, struct {
					kind        error
					file, path  string
					msg, marker string
				}{policy.ErrPlaceholder, filepath.Join(dir, "TrustFrameworkExtensions.xml"), "TechnicalProfile[Id=Facebook-OAUTH]/Metadata/Item[Key=client_id]", `"facebook_clientid"`, ">facebook_clientid<"})
			}
			for _, w := range want {
				got, ok := findWarning(ws, w.path, w.msg)
				if !ok {
					t.Errorf("no warning at %s with %q", w.path, w.msg)
					continue
				}
				if line := fileLineOf(t, w.file, w.marker); got.File != w.file || got.Line != line || !errors.Is(got, w.kind) {
					t.Errorf("%v: want %s:%d and %v", got, w.file, line, w.kind)
				}
			}
			for _, w := range ws {
				if errors.Is(w, policy.ErrUnknownElement) {
					t.Errorf("an unknown element in a starter pack: %v", w)
				}
			}
			t.Logf("%d warnings", len(ws))
		})
	}
}

// TestWarningsFollowSchema derives the element and protocol checks from the
// schema B2C validates uploads against: every child of TrustFrameworkPolicy and
// of BuildingBlocks and every ProtocolName the schema defines is known (at
// most unsupported), and a name it lacks is unknown.
func TestWarningsFollowSchema(t *testing.T) {
	xsd := filepath.Join(starterPackDir(t), "TrustFrameworkPolicy_0.3.0.0.xsd")
	data, err := os.ReadFile(xsd)
	if err != nil {
		t.Fatal(err)
	}
	top, blocks, protocols := schemaNames(t, data)
	if len(top) == 0 || len(blocks) == 0 || len(protocols) == 0 {
		t.Fatalf("read %d, %d and %d names from %s", len(top), len(blocks), len(protocols), xsd)
	}
	var b strings.Builder
	for _, el := range top {
		if el != "BuildingBlocks" && el != "BasePolicy" {
			b.WriteString("  <" + el + "/>\n")
		}
	}
	b.WriteString("  <BuildingBlocks>\n")
	for _, el := range blocks {
		b.WriteString("    <" + el + "/>\n")
	}
	b.WriteString("    <NotInTheSchema/>\n  </BuildingBlocks>\n  <ClaimsProviders><ClaimsProvider><TechnicalProfiles>\n")
	for _, p := range append(protocols, "NotAProtocol") {
		b.WriteString(`    <TechnicalProfile Id="TP-` + p + `"><Protocol Name="` + p + `"/></TechnicalProfile>` + "\n")
	}
	b.WriteString("  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>\n  <UserJourneys><UserJourney Id=\"J\"><OrchestrationSteps>\n")
	for i, p := range append(protocols, "NotAProtocol") {
		b.WriteString(`    <OrchestrationStep Order="` + strconv.Itoa(i+1) + `" Type="ClaimsExchange"><ClaimsExchanges><ClaimsExchange Id="X` + p + `" TechnicalProfileReferenceId="TP-` + p + `"/></ClaimsExchanges></OrchestrationStep>` + "\n")
	}
	b.WriteString("  </OrchestrationSteps></UserJourney></UserJourneys>\n  <RelyingParty><DefaultUserJourney ReferenceId=\"J\"/></RelyingParty>")
	src := doc("B2C_1A_schema", "", b.String())
	f, err := policy.Parse("Schema.xml", []byte(src), nil)
	if f == nil {
		t.Fatalf("parse: %v", err)
	}
	s, _ := policy.NewSet(f)
	ws := s.Warnings(policy.WarnOptions{Read: func(string) ([]byte, error) { return []byte(src), nil }})
	unknown := map[string]bool{}
	for _, w := range ws {
		if errors.Is(w, policy.ErrUnknownElement) {
			unknown[w.Path] = true
		}
	}
	for _, el := range top {
		if unknown["TrustFrameworkPolicy/"+el] {
			t.Errorf("<%s>, a child of TrustFrameworkPolicy in the schema, is reported unknown", el)
		}
	}
	for _, el := range blocks {
		if unknown["TrustFrameworkPolicy/BuildingBlocks/"+el] {
			t.Errorf("<%s>, a child of BuildingBlocks in the schema, is reported unknown", el)
		}
	}
	for _, p := range protocols {
		if unknown["TechnicalProfile[Id=TP-"+p+"]/Protocol"] {
			t.Errorf("protocol %s of the schema is reported unknown", p)
		}
	}
	for _, path := range []string{"TrustFrameworkPolicy/BuildingBlocks/NotInTheSchema", "TechnicalProfile[Id=TP-NotAProtocol]/Protocol"} {
		if !unknown[path] {
			t.Errorf("%s is not reported unknown; warnings:\n%v", path, ws)
		}
	}
}

// schemaNames reads from the XSD the children of TrustFrameworkPolicy and of the
// BuildingBlocks type, and the ProtocolName values.
func schemaNames(t *testing.T, data []byte) (top, blocks, protocols []string) {
	t.Helper()
	type element struct {
		Name string `xml:"name,attr"`
	}
	type schema struct {
		Elements []struct {
			Name     string    `xml:"name,attr"`
			Children []element `xml:"complexType>sequence>element"`
		} `xml:"element"`
		ComplexTypes []struct {
			Name     string    `xml:"name,attr"`
			Children []element `xml:"sequence>element"`
			All      []element `xml:"all>element"`
		} `xml:"complexType"`
		SimpleTypes []struct {
			Name   string `xml:"name,attr"`
			Values []struct {
				Value string `xml:"value,attr"`
			} `xml:"restriction>enumeration"`
		} `xml:"simpleType"`
	}
	var x schema
	if err := xml.Unmarshal(data, &x); err != nil {
		t.Fatalf("parse the schema: %v", err)
	}
	for _, e := range x.Elements {
		if e.Name == "TrustFrameworkPolicy" {
			for _, c := range e.Children {
				top = append(top, c.Name)
			}
		}
	}
	for _, ct := range x.ComplexTypes {
		if ct.Name == "BuildingBlocks" {
			for _, c := range append(ct.Children, ct.All...) {
				blocks = append(blocks, c.Name)
			}
		}
	}
	for _, st := range x.SimpleTypes {
		if st.Name == "ProtocolName" {
			for _, v := range st.Values {
				protocols = append(protocols, v.Value)
			}
		}
	}
	return top, blocks, protocols
}
