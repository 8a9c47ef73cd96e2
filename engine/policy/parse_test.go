package policy_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		content   string
		wantErr   error
		wantLine  string // marker on the expected line; "" for line 0
		wantPath  string
		wantMsg   string
		wantFile  bool // Parse still returns the decoded file
		wantCount int
	}{
		{
			name:     "malformed XML",
			content:  doc("B2C_1A_X", "", "  <BuildingBlocks>\n  </ClaimsProviders>"),
			wantErr:  policy.ErrSyntax,
			wantLine: "</ClaimsProviders>",
			wantMsg:  "malformed XML",
		},
		{
			name:     "unclosed root",
			content:  "<TrustFrameworkPolicy xmlns=\"" + policy.Namespace + "\">\n<BuildingBlocks>",
			wantErr:  policy.ErrSyntax,
			wantLine: "<BuildingBlocks>",
		},
		{
			name:     "not a policy",
			content:  "<?xml version=\"1.0\"?>\n<html><body/></html>",
			wantErr:  policy.ErrNotPolicy,
			wantLine: "<html>",
			wantMsg:  "not a TrustFrameworkPolicy: root element is <html>",
		},
		{
			name:     "wrong namespace",
			content:  "<TrustFrameworkPolicy xmlns=\"urn:other\" PolicyId=\"B2C_1A_X\" PolicySchemaVersion=\"0.3.0.0\"/>",
			wantErr:  policy.ErrNotPolicy,
			wantLine: "<TrustFrameworkPolicy",
			wantMsg:  `in namespace "urn:other"`,
		},
		{
			name:     "no namespace",
			content:  "<TrustFrameworkPolicy PolicyId=\"B2C_1A_X\" PolicySchemaVersion=\"0.3.0.0\"/>",
			wantErr:  policy.ErrNotPolicy,
			wantLine: "<TrustFrameworkPolicy",
		},
		{
			name:    "empty document",
			content: "<?xml version=\"1.0\"?>\n",
			wantErr: policy.ErrNotPolicy,
			wantMsg: "no root element",
		},
		{
			name:     "wrong schema version",
			content:  strings.Replace(doc("B2C_1A_X", "", ""), "0.3.0.0", "0.2.0.0", 1),
			wantErr:  policy.ErrSchemaVersion,
			wantLine: "<TrustFrameworkPolicy",
			wantMsg:  `PolicySchemaVersion is "0.2.0.0", want "0.3.0.0"`,
			wantFile: true,
		},
		{
			name:     "policy id prefix",
			content:  doc("signup_signin", "", ""),
			wantErr:  policy.ErrPolicyID,
			wantLine: "<TrustFrameworkPolicy",
			wantMsg:  `must start with "B2C_1A_"`,
			wantFile: true,
		},
		{
			name:     "missing policy id",
			content:  doc("", "", ""),
			wantErr:  policy.ErrPolicyID,
			wantLine: "<TrustFrameworkPolicy",
			wantFile: true,
		},
		{
			name: "bad attribute value",
			content: doc("B2C_1A_X", "", `  <UserJourneys>
    <UserJourney Id="J">
      <OrchestrationSteps>
        <OrchestrationStep Order="two" Type="SendClaims" />
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>`),
			wantErr:  policy.ErrSyntax,
			wantLine: `Order="two"`,
			wantPath: "UserJourney[Id=J]/OrchestrationStep[Order=two]",
			wantMsg:  "invalid policy XML",
		},
		{
			name:     "element after root",
			content:  doc("B2C_1A_X", "", "") + "<Extra/>\n",
			wantErr:  policy.ErrSyntax,
			wantLine: "<Extra/>",
		},
		{
			name:    "unsupported encoding",
			content: "<?xml version=\"1.0\" encoding=\"utf-16\"?>\n<TrustFrameworkPolicy/>",
			wantErr: policy.ErrSyntax,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := policy.Parse("p.xml", []byte(tt.content), nil)
			ps := asProblems(t, err)
			if len(ps) != 1 {
				t.Fatalf("got %d problems, want 1:\n%v", len(ps), err)
			}
			p := ps[0]
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			wantLine := 0
			if tt.wantLine != "" {
				wantLine = lineOf(t, tt.content, tt.wantLine)
			}
			if p.File != "p.xml" || (tt.wantLine != "" && p.Line != wantLine) {
				t.Errorf("problem at %s:%d, want p.xml:%d (%v)", p.File, p.Line, wantLine, p)
			}
			if p.Path != tt.wantPath {
				t.Errorf("path = %q, want %q", p.Path, tt.wantPath)
			}
			if !strings.Contains(p.Message, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", p.Message, tt.wantMsg)
			}
			if (f != nil) != tt.wantFile {
				t.Errorf("file returned = %v, want %v", f != nil, tt.wantFile)
			}
		})
	}
}

// everything has one of each positioned element.
var everything = doc("B2C_1A_Everything", "B2C_1A_Base", `  <BuildingBlocks>
    <ClaimsSchema>
      <ClaimType Id="email"><DataType>string</DataType></ClaimType>
    </ClaimsSchema>
    <ClaimsTransformations>
      <ClaimsTransformation Id="Copy" TransformationMethod="CopyClaim">
        <InputClaims><InputClaim ClaimTypeReferenceId="email" TransformationClaimType="inputClaim" /></InputClaims>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="email" TransformationClaimType="outputClaim" /></OutputClaims>
      </ClaimsTransformation>
    </ClaimsTransformations>
  </BuildingBlocks>
`+claimsProvider("Self Asserted", `
        <TechnicalProfile
            Id="SelfAsserted">
          <Metadata><Item Key="ContentDefinitionReferenceId">api.selfasserted</Item></Metadata>
          <CryptographicKeys><Key Id="k" StorageReferenceId="B2C_1A_K" /></CryptographicKeys>
          <InputClaimsTransformations><InputClaimsTransformation ReferenceId="Copy" /></InputClaimsTransformations>
          <InputClaims><InputClaim ClaimTypeReferenceId="email" DefaultValue="" /></InputClaims>
          <PersistedClaims><PersistedClaim ClaimTypeReferenceId="email" /></PersistedClaims>
          <OutputClaims><OutputClaim ClaimTypeReferenceId="email" Required="true" /></OutputClaims>
          <OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="Copy" /></OutputClaimsTransformations>
          <ValidationTechnicalProfiles>
            <ValidationTechnicalProfile ReferenceId="Rest" ContinueOnError="true">
              <Preconditions>
                <Precondition Type="ClaimsExist" ExecuteActionsIf="true"><Value>email</Value><Action>SkipThisValidationTechnicalProfile</Action></Precondition>
              </Preconditions>
            </ValidationTechnicalProfile>
          </ValidationTechnicalProfiles>
          <IncludeTechnicalProfile ReferenceId="Common" />
          <UseTechnicalProfileForSessionManagement ReferenceId="SM-Noop" />
        </TechnicalProfile>`)+`
  <UserJourneys>
    <UserJourney Id="J" DefaultCpimIssuerTechnicalProfileReferenceId="JwtIssuer">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="ClaimsProviderSelection">
          <Preconditions>
            <Precondition Type="ClaimEquals" ExecuteActionsIf="false"><Value>email</Value><Value>x</Value><Action>SkipThisOrchestrationStep</Action></Precondition>
          </Preconditions>
          <ClaimsProviderSelections DisplayOption="ShowSingleProvider"><ClaimsProviderSelection TargetClaimsExchangeId="X" /></ClaimsProviderSelections>
        </OrchestrationStep>`+exchangeStep(2, "X", "SelfAsserted")+`
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>
  <SubJourneys>
    <SubJourney Id="S" Type="Call">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
    </SubJourney>
  </SubJourneys>`+relyingParty("J", `<OutputClaim ClaimTypeReferenceId="email" />`))

// TestPositions checks that every Pos of a parsed file points at the '<' of an
// element start tag, on the right line, and that every kind of positioned element was seen.
func TestPositions(t *testing.T) {
	// A substitution that changes the length of the text before the elements must not shift offsets.
	content := strings.Replace(everything, `TenantId="contoso.onmicrosoft.com"`, `TenantId="{Settings:Tenant}"`, 1)
	f, err := policy.Parse("everything.xml", []byte(content), policy.Settings{"Tenant": "a-much-longer-tenant-name.onmicrosoft.com"})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem(), path)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), path)
			}
		case reflect.Struct:
			if pv := v.FieldByName("Pos"); pv.IsValid() && pv.Type() == reflect.TypeOf(policy.Pos{}) {
				pos := pv.Interface().(policy.Pos)
				name := v.Type().Name()
				seen[name]++
				if pos.File != "everything.xml" {
					t.Errorf("%s %s: File = %q", name, path, pos.File)
				}
				if pos.Offset < 0 || int(pos.Offset) >= len(content) || content[pos.Offset] != '<' {
					t.Errorf("%s %s: Offset %d does not point at '<'", name, path, pos.Offset)
				} else if want := strings.Count(content[:pos.Offset], "\n") + 1; pos.Line != want {
					t.Errorf("%s %s: Line = %d, want %d", name, path, pos.Line, want)
				}
			}
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i), path+"/"+v.Type().Field(i).Name)
				}
			}
		}
	}
	walk(reflect.ValueOf(f), "")
	for _, name := range []string{"File", "BasePolicy", "ClaimType", "ClaimsTransformation", "TransformClaim", "Item", "Key",
		"ClaimRef", "TransformationRef", "ValidationTechnicalProfile", "IncludeRef", "TechnicalProfile", "UserJourney",
		"OrchestrationStep", "Precondition", "ClaimsProviderSelection", "ClaimsExchange", "RelyingParty"} {
		if seen[name] == 0 {
			t.Errorf("no %s seen", name)
		}
	}
	tp := f.ClaimsProviders[0].TechnicalProfiles[0]
	if want := lineOf(t, content, "<TechnicalProfile\n"); tp.Pos.Line != want {
		t.Errorf("multi-line start tag: Line = %d, want %d (line of '<')", tp.Pos.Line, want)
	}
	if tp.ProviderName != "Self Asserted" {
		t.Errorf("ProviderName = %q, want %q", tp.ProviderName, "Self Asserted")
	}
}

func TestParseModel(t *testing.T) {
	f, err := policy.Parse("everything.xml", []byte(everything), nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.BasePolicy == nil || f.BasePolicy.PolicyID != "B2C_1A_Base" {
		t.Errorf("BasePolicy = %+v", f.BasePolicy)
	}
	tp := f.ClaimsProviders[0].TechnicalProfiles[0]
	if tp.InputClaims[0].DefaultValue == nil || *tp.InputClaims[0].DefaultValue != "" {
		t.Errorf("empty DefaultValue attribute = %v, want pointer to empty string", tp.InputClaims[0].DefaultValue)
	}
	if tp.OutputClaims[0].DefaultValue != nil || !tp.OutputClaims[0].Required {
		t.Errorf("output claim = %+v", tp.OutputClaims[0])
	}
	v := tp.ValidationTechnicalProfiles[0]
	if v.ContinueOnError == nil || !*v.ContinueOnError || v.ContinueOnSuccess != nil {
		t.Errorf("validation profile = %+v", v)
	}
	step := f.UserJourneys[0].Steps[0]
	if pc := step.Preconditions[0]; pc.Type != "ClaimEquals" || pc.ExecuteActionsIf || !reflect.DeepEqual(pc.Values, []string{"email", "x"}) {
		t.Errorf("precondition = %+v", pc)
	}
	if step.ClaimsProviderSelections.DisplayOption != "ShowSingleProvider" {
		t.Errorf("DisplayOption = %q", step.ClaimsProviderSelections.DisplayOption)
	}
	if f.SubJourneys[0].Type != "Call" || f.RelyingParty.DefaultUserJourney.ReferenceID != "J" {
		t.Errorf("sub journey %+v, relying party %+v", f.SubJourneys[0], f.RelyingParty)
	}
}

func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/valid/*.xml")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(everything))
	f.Add([]byte(doc("B2C_1A_X", "B2C_1A_X", "")))
	f.Add([]byte("<TrustFrameworkPolicy xmlns=\"" + policy.Namespace + "\"><BuildingBlocks>{Settings:A}</BuildingBlocks>"))
	f.Add([]byte("<!-- {Settings:A} -->"))
	f.Add([]byte{})
	settings := policy.Settings{"Tenant": "t&<>", "FacebookAppId": "1"}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := map[string]int{"fuzz.xml": bytes.Count(data, []byte("\n")) + 1}
		file, err := policy.Parse("fuzz.xml", data, settings)
		if err != nil {
			var ps policy.Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error %T %v is not a non-empty Problems", err, err)
			}
			checkLocated(t, "Parse", ps, lines)
		}
		if file == nil {
			return
		}
		set, _ := policy.NewSet(file)
		checkLocated(t, "Validate", set.Validate(func(_ *policy.Policy, tp *policy.TechnicalProfile) policy.Problems {
			return append(policy.RequireMetadata(tp, "client_id"), policy.RequireKeys(tp, "client_secret")...)
		}), lines)
		_, _ = set.Resolve(file.PolicyID)
	})
}
