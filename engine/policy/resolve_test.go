package policy_test

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestResolveValid(t *testing.T) {
	s := loadValid(t)
	p := mustResolve(t, s, "B2C_1A_signup_signin")
	wantChain := []string{"B2C_1A_TrustFrameworkBase", "B2C_1A_TrustFrameworkExtensions", "B2C_1A_signup_signin"}
	if !reflect.DeepEqual(p.Chain, wantChain) {
		t.Errorf("Chain = %v, want %v", p.Chain, wantChain)
	}
	if p.PolicyID != "B2C_1A_signup_signin" || p.DeploymentMode != "Development" || p.TenantID != "contoso.onmicrosoft.com" {
		t.Errorf("policy attributes = %q %q %q", p.PolicyID, p.DeploymentMode, p.TenantID)
	}
	if p.PublicPolicyURI != "http://contoso.onmicrosoft.com/B2C_1A_signup_signin" {
		t.Errorf("PublicPolicyURI = %q, want the leaf's", p.PublicPolicyURI)
	}
	j, ok := p.Journey()
	if !ok || len(j.Steps) != 3 {
		t.Fatalf("Journey() = %+v, %v", j, ok)
	}
	fb := p.TechnicalProfiles["Facebook-OAUTH"]
	if got, _ := fb.Metadata.Get("client_id"); got != "1234567890" {
		t.Errorf("client_id = %q, want the Extensions value", got)
	}
	if got, _ := fb.Metadata.Get("ClaimsEndpoint"); got != "http://127.0.0.1:7001/me?fields=id,first_name,last_name,name,email&format=json" {
		t.Errorf("ClaimsEndpoint = %q", got)
	}
	if fb.Protocol == nil || fb.Protocol.Name != "OAuth2" || fb.ProviderName != "Facebook" {
		t.Errorf("Facebook-OAUTH protocol %+v, provider %q", fb.Protocol, fb.ProviderName)
	}
	if k, ok := fb.Key("client_secret"); !ok || k.StorageReferenceID != "B2C_1A_FacebookSecret" {
		t.Errorf("client_secret key = %+v, %v", k, ok)
	}
	if !strings.HasSuffix(fb.Pos.File, "TrustFrameworkExtensions.xml") {
		t.Errorf("merged profile Pos = %v, want the most derived definition", fb.Pos)
	}
}

// TestResolveGolden compares the effective valid policy with testdata/valid.golden.json.
func TestResolveGolden(t *testing.T) {
	p := mustResolve(t, loadValid(t), "B2C_1A_signup_signin")
	got, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const golden = "testdata/valid.golden.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("effective policy differs from %s (run go test -update and review the diff)", golden)
	}
}

func TestResolveInheritanceProblems(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		resolve  string
		wantErr  error
		wantFile string
		wantLine string
		wantMsg  string
	}{
		{
			name: "missing base",
			files: map[string]string{
				"ext.xml": doc("B2C_1A_Ext", "B2C_1A_Base", ""),
				"rp.xml":  doc("B2C_1A_RP", "B2C_1A_Ext", ""),
			},
			resolve:  "B2C_1A_RP",
			wantErr:  policy.ErrMissingBase,
			wantFile: "ext.xml",
			wantLine: "<BasePolicy>",
			wantMsg:  `base policy "B2C_1A_Base" is not in the set`,
		},
		{
			name: "cycle",
			files: map[string]string{
				"a.xml": doc("B2C_1A_A", "B2C_1A_C", ""),
				"b.xml": doc("B2C_1A_B", "B2C_1A_A", ""),
				"c.xml": doc("B2C_1A_C", "B2C_1A_B", ""),
				"d.xml": doc("B2C_1A_D", "B2C_1A_C", ""),
			},
			resolve:  "B2C_1A_D",
			wantErr:  policy.ErrCycle,
			wantFile: "a.xml",
			wantLine: "<BasePolicy>",
			wantMsg:  "inheritance cycle: B2C_1A_A -> B2C_1A_C -> B2C_1A_B -> B2C_1A_A",
		},
		{
			name:     "self cycle",
			files:    map[string]string{"a.xml": doc("B2C_1A_A", "B2C_1A_A", "")},
			resolve:  "B2C_1A_A",
			wantErr:  policy.ErrCycle,
			wantFile: "a.xml",
			wantLine: "<BasePolicy>",
			wantMsg:  "inheritance cycle: B2C_1A_A -> B2C_1A_A",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSet(t, tt.files)
			p, err := s.Resolve(tt.resolve)
			if p != nil {
				t.Error("Resolve() returned a policy for a broken chain")
			}
			ps := asProblems(t, err)
			if len(ps) != 1 {
				t.Fatalf("got %d problems, want 1:\n%v", len(ps), err)
			}
			want := lineOf(t, tt.files[tt.wantFile], tt.wantLine)
			if got := ps[0]; got.File != tt.wantFile || got.Line != want || got.Path != "BasePolicy" ||
				!strings.Contains(got.Message, tt.wantMsg) || !errors.Is(got, tt.wantErr) {
				t.Errorf("problem = %v, want %s:%d: BasePolicy: %s (%v)", got, tt.wantFile, want, tt.wantMsg, tt.wantErr)
			}
			// Validate reports it once, even though several files see it.
			if got := s.Validate(nil); len(got) != 1 {
				t.Errorf("Validate() = %d problems, want 1:\n%v", len(got), got)
			}
		})
	}
}

func TestResolveUnknownPolicy(t *testing.T) {
	_, err := loadValid(t).Resolve("B2C_1A_nope")
	if !errors.Is(err, policy.ErrUnknownPolicy) {
		t.Errorf("Resolve() error = %v, want ErrUnknownPolicy", err)
	}
}

var mergeBase = `  <BuildingBlocks>
    <ClaimsSchema>
      <ClaimType Id="a"><DisplayName>A base</DisplayName><DataType>string</DataType></ClaimType>
    </ClaimsSchema>
  </BuildingBlocks>
` + claimsProvider("Facebook", `
        <TechnicalProfile Id="Facebook-OAUTH">
          <DisplayName>Facebook</DisplayName>
          <Protocol Name="OAuth2" />
          <Metadata>
            <Item Key="client_id">base-id</Item>
            <Item Key="scope">email</Item>
            <Item Key="HttpBinding">GET</Item>
          </Metadata>
          <CryptographicKeys>
            <Key Id="client_secret" StorageReferenceId="B2C_1A_Base" />
          </CryptographicKeys>
          <InputClaimsTransformations>
            <InputClaimsTransformation ReferenceId="t1" />
            <InputClaimsTransformation ReferenceId="t2" />
          </InputClaimsTransformations>
          <OutputClaims>
            <OutputClaim ClaimTypeReferenceId="a" />
            <OutputClaim ClaimTypeReferenceId="b" PartnerClaimType="base" />
            <OutputClaim ClaimTypeReferenceId="c" />
          </OutputClaims>
          <ValidationTechnicalProfiles>
            <ValidationTechnicalProfile ReferenceId="v1" />
            <ValidationTechnicalProfile ReferenceId="v2" />
          </ValidationTechnicalProfiles>
        </TechnicalProfile>`) + `
  <UserJourneys>
    <UserJourney Id="J">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="ClaimsProviderSelection" />` + exchangeStep(2, "base", "Facebook-OAUTH") + `
        <OrchestrationStep Order="5" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>`

var mergeExt = `  <BuildingBlocks>
    <ClaimsSchema>
      <ClaimType Id="a"><DisplayName>A ext</DisplayName><DataType>string</DataType></ClaimType>
    </ClaimsSchema>
  </BuildingBlocks>
` + claimsProvider("Facebook (ext)", `
        <TechnicalProfile Id="Facebook-OAUTH">
          <DisplayName>Facebook ext</DisplayName>
          <Metadata>
            <Item Key="client_id">ext-id</Item>
            <Item Key="UsePolicyInRedirectUri">false</Item>
          </Metadata>
          <CryptographicKeys>
            <Key Id="client_secret" StorageReferenceId="B2C_1A_Ext" />
            <Key Id="other" StorageReferenceId="B2C_1A_Other" />
          </CryptographicKeys>
          <InputClaimsTransformations>
            <InputClaimsTransformation ReferenceId="t3" />
            <InputClaimsTransformation ReferenceId="t1" />
          </InputClaimsTransformations>
          <OutputClaims>
            <OutputClaim ClaimTypeReferenceId="d" />
            <OutputClaim ClaimTypeReferenceId="b" PartnerClaimType="ext" />
            <OutputClaim ClaimTypeReferenceId="e" />
          </OutputClaims>
          <ValidationTechnicalProfiles>
            <ValidationTechnicalProfile ReferenceId="v3" />
            <ValidationTechnicalProfile ReferenceId="v1" ContinueOnError="true" />
          </ValidationTechnicalProfiles>
        </TechnicalProfile>`) + `
  <UserJourneys>
    <UserJourney Id="J" DefaultCpimIssuerTechnicalProfileReferenceId="JwtIssuer">
      <OrchestrationSteps>` + exchangeStep(3, "new3", "Facebook-OAUTH") + exchangeStep(2, "ext", "Facebook-OAUTH") + `
        <OrchestrationStep Order="6" Type="Noop" />
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>`

var mergeRP = claimsProvider("Facebook", metadataProfile("Facebook-OAUTH", "client_id", "rp-id")) + `
  <RelyingParty>
    <DefaultUserJourney ReferenceId="J" />
    <TechnicalProfile Id="PolicyProfile"><Protocol Name="OpenIdConnect" /></TechnicalProfile>
  </RelyingParty>`

func mergeSet(t *testing.T) (*policy.Set, map[string]string) {
	files := map[string]string{
		"base.xml": doc("B2C_1A_Base", "", mergeBase),
		"ext.xml":  doc("B2C_1A_Ext", "B2C_1A_Base", mergeExt),
		"rp.xml":   doc("B2C_1A_RP", "B2C_1A_Ext", mergeRP),
	}
	return newSet(t, files), files
}

// TestMergeMetadataByKey is UJ-07: Extensions override Base metadata items by Key and
// the RP file overrides Extensions.
func TestMergeMetadataByKey(t *testing.T) {
	s, files := mergeSet(t)
	tests := []struct {
		policy   string
		wantKeys []string
		wantID   string
		idFile   string
		idMarker string
	}{
		{"B2C_1A_Base", []string{"client_id", "scope", "HttpBinding"}, "base-id", "base.xml", "base-id"},
		{"B2C_1A_Ext", []string{"client_id", "scope", "HttpBinding", "UsePolicyInRedirectUri"}, "ext-id", "ext.xml", "ext-id"},
		{"B2C_1A_RP", []string{"client_id", "scope", "HttpBinding", "UsePolicyInRedirectUri"}, "rp-id", "rp.xml", "rp-id"},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			tp := mustResolve(t, s, tt.policy).TechnicalProfiles["Facebook-OAUTH"]
			var keys []string
			for _, it := range tp.Metadata {
				keys = append(keys, it.Key)
			}
			if !reflect.DeepEqual(keys, tt.wantKeys) {
				t.Errorf("metadata keys = %v, want %v", keys, tt.wantKeys)
			}
			if got, _ := tp.Metadata.Get("client_id"); got != tt.wantID {
				t.Errorf("client_id = %q, want %q", got, tt.wantID)
			}
			if got := tp.Metadata[0].Pos; got.File != tt.idFile || got.Line != lineOf(t, files[tt.idFile], tt.idMarker) {
				t.Errorf("client_id item Pos = %v, want %s line of %q", got, tt.idFile, tt.idMarker)
			}
			if got, _ := tp.Metadata.Get("scope"); got != "email" {
				t.Errorf("inherited scope = %q, want email", got)
			}
		})
	}
}

func TestMergeTechnicalProfile(t *testing.T) {
	s, _ := mergeSet(t)
	p := mustResolve(t, s, "B2C_1A_RP")
	tp := p.TechnicalProfiles["Facebook-OAUTH"]
	if got, want := claimIDs(tp.OutputClaims), []string{"d", "e", "a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("output claims = %v, want %v (new prepended, same id replaced in place)", got, want)
	}
	if got := tp.OutputClaims[3].PartnerClaimType; got != "ext" {
		t.Errorf("replaced claim PartnerClaimType = %q, want ext", got)
	}
	var vtps []string
	for _, v := range tp.ValidationTechnicalProfiles {
		vtps = append(vtps, v.ReferenceID)
	}
	if want := []string{"v3", "v1", "v2"}; !reflect.DeepEqual(vtps, want) {
		t.Errorf("validation profiles = %v, want %v", vtps, want)
	}
	if v := tp.ValidationTechnicalProfiles[1]; v.ContinueOnError == nil || !*v.ContinueOnError {
		t.Errorf("replaced validation profile = %+v, want ContinueOnError", v)
	}
	var refs []string
	for _, r := range tp.InputClaimsTransformations {
		refs = append(refs, r.ReferenceID)
	}
	if want := []string{"t1", "t2", "t3"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("input claims transformations = %v, want %v (new appended, duplicates ignored)", refs, want)
	}
	if k, _ := tp.Key("client_secret"); k.StorageReferenceID != "B2C_1A_Ext" || len(tp.CryptographicKeys) != 2 {
		t.Errorf("keys = %+v, want client_secret from ext plus other", tp.CryptographicKeys)
	}
	if tp.DisplayName != "Facebook ext" || tp.Protocol == nil || tp.Protocol.Name != "OAuth2" {
		t.Errorf("DisplayName %q, Protocol %+v: want the ext name and the inherited protocol", tp.DisplayName, tp.Protocol)
	}
	if got := p.ClaimTypes["a"].DisplayName; got != "A ext" {
		t.Errorf("claim type a DisplayName = %q, want the child's", got)
	}
}

func TestMergeJourneyStepsByOrder(t *testing.T) {
	s, _ := mergeSet(t)
	j := mustResolve(t, s, "B2C_1A_RP").UserJourneys["J"]
	var orders []int
	for _, st := range j.Steps {
		orders = append(orders, st.Order)
	}
	if want := []int{1, 2, 3, 5, 6}; !reflect.DeepEqual(orders, want) {
		t.Fatalf("step orders = %v, want %v", orders, want)
	}
	if got := j.Steps[1].ClaimsExchanges[0].ID; got != "ext" {
		t.Errorf("step 2 exchange = %q, want the child's step", got)
	}
	if got := j.Steps[2].ClaimsExchanges[0].ID; got != "new3" {
		t.Errorf("step 3 exchange = %q, want the inserted step", got)
	}
	if j.DefaultCpimIssuerTechnicalProfileReferenceID != "JwtIssuer" {
		t.Errorf("DefaultCpimIssuer = %q, want the child's", j.DefaultCpimIssuerTechnicalProfileReferenceID)
	}
}

var includeBase = claimsProvider("Azure Active Directory", `
        <TechnicalProfile Id="AAD-Common">
          <DisplayName>Azure Active Directory</DisplayName>
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.AzureActiveDirectoryProvider" />
          <Metadata>
            <Item Key="Operation">Read</Item>
            <Item Key="RaiseErrorIfClaimsPrincipalDoesNotExist">true</Item>
            <Item Key="ApplicationObjectId">base</Item>
          </Metadata>
          <OutputClaims>
            <OutputClaim ClaimTypeReferenceId="objectId" />
          </OutputClaims>
        </TechnicalProfile>
        <TechnicalProfile Id="AAD-UserReadUsingAlternativeSecurityId">
          <Metadata>
            <Item Key="Operation">ReadByAltSecId</Item>
          </Metadata>
          <OutputClaims>
            <OutputClaim ClaimTypeReferenceId="displayName" />
          </OutputClaims>
          <IncludeTechnicalProfile ReferenceId="AAD-Common" />
        </TechnicalProfile>
        <TechnicalProfile Id="AAD-UserReadUsingAlternativeSecurityId-NoError">
          <Metadata>
            <Item Key="RaiseErrorIfClaimsPrincipalDoesNotExist">false</Item>
          </Metadata>
          <IncludeTechnicalProfile ReferenceId="AAD-UserReadUsingAlternativeSecurityId" />
        </TechnicalProfile>
        <TechnicalProfile Id="Loop-A">
          <IncludeTechnicalProfile ReferenceId="Loop-B" />
        </TechnicalProfile>
        <TechnicalProfile Id="Loop-B">
          <IncludeTechnicalProfile ReferenceId="Loop-A" />
        </TechnicalProfile>
        <TechnicalProfile Id="Into-Loop">
          <IncludeTechnicalProfile ReferenceId="Loop-A" />
        </TechnicalProfile>
        <TechnicalProfile Id="Dangling">
          <IncludeTechnicalProfile ReferenceId="Nowhere" />
        </TechnicalProfile>`)

var includeExt = claimsProvider("Azure Active Directory", metadataProfile("AAD-Common", "ApplicationObjectId", "ext"))

func TestIncludeTechnicalProfile(t *testing.T) {
	files := map[string]string{
		"base.xml": doc("B2C_1A_Base", "", includeBase),
		"ext.xml":  doc("B2C_1A_Ext", "B2C_1A_Base", includeExt),
	}
	s := newSet(t, files)
	p, err := s.Resolve("B2C_1A_Ext")
	if p == nil {
		t.Fatalf("Resolve() returned no policy: %v", err)
	}
	ps := asProblems(t, err)
	wantProblems := []struct {
		marker string
		err    error
		msg    string
	}{
		{`<IncludeTechnicalProfile ReferenceId="Loop-B" />`, policy.ErrCycle, "include cycle: Loop-A -> Loop-B -> Loop-A"},
		{`<IncludeTechnicalProfile ReferenceId="Nowhere" />`, policy.ErrUnknownReference, `"Nowhere" is not defined`},
	}
	if len(ps) != len(wantProblems) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(wantProblems), err)
	}
	for i, w := range wantProblems {
		if got := ps[i]; got.File != "base.xml" || got.Line != lineOf(t, files["base.xml"], w.marker) ||
			!errors.Is(got, w.err) || !strings.Contains(got.Message, w.msg) {
			t.Errorf("problem %d = %v, want base.xml line of %s: %s", i, got, w.marker, w.msg)
		}
	}

	tp := p.TechnicalProfiles["AAD-UserReadUsingAlternativeSecurityId-NoError"]
	for key, want := range map[string]string{
		"Operation": "ReadByAltSecId", // from the middle of the chain
		"RaiseErrorIfClaimsPrincipalDoesNotExist": "false", // the including profile wins
		"ApplicationObjectId":                     "ext",   // the included profile after inheritance
	} {
		if got, _ := tp.Metadata.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if got, want := claimIDs(tp.OutputClaims), []string{"displayName", "objectId"}; !reflect.DeepEqual(got, want) {
		t.Errorf("output claims = %v, want %v", got, want)
	}
	if tp.Protocol == nil || tp.Protocol.Name != "Proprietary" {
		t.Errorf("Protocol = %+v, want the included one", tp.Protocol)
	}
	if tp.ID != "AAD-UserReadUsingAlternativeSecurityId-NoError" || tp.IncludeTechnicalProfile.ReferenceID != "AAD-UserReadUsingAlternativeSecurityId" {
		t.Errorf("Id %q include %+v: want the including profile's", tp.ID, tp.IncludeTechnicalProfile)
	}
	if want := lineOf(t, files["base.xml"], `Id="AAD-UserReadUsingAlternativeSecurityId-NoError"`); tp.Pos.Line != want {
		t.Errorf("Pos.Line = %d, want %d (the including profile)", tp.Pos.Line, want)
	}
	if got := p.TechnicalProfiles["Into-Loop"].Protocol; got != nil {
		t.Errorf("profile including a cycle was merged: %+v", got)
	}
	// The included profile itself is unchanged.
	if got, _ := p.TechnicalProfiles["AAD-Common"].Metadata.Get("Operation"); got != "Read" {
		t.Errorf("AAD-Common Operation = %q, want Read", got)
	}
}

// TestResolveParallel resolves one set from many goroutines and changes every
// result; run with -race. The set's files must stay as parsed.
func TestResolveParallel(t *testing.T) {
	s := loadValid(t)
	pristine := loadValid(t)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 20; n++ {
				p, err := s.Resolve("B2C_1A_signup_signin")
				if err != nil {
					t.Error(err)
					return
				}
				for _, tp := range p.TechnicalProfiles {
					for i := range tp.Metadata {
						tp.Metadata[i].Value = "changed"
					}
					for i := range tp.OutputClaims {
						tp.OutputClaims[i].PartnerClaimType = "changed"
						if dv := tp.OutputClaims[i].DefaultValue; dv != nil {
							*dv = "changed"
						}
					}
					for i := range tp.CryptographicKeys {
						tp.CryptographicKeys[i].StorageReferenceID = "changed"
					}
					if tp.Protocol != nil {
						tp.Protocol.Name = "changed"
					}
					if tp.UseTechnicalProfileForSessionManagement != nil {
						tp.UseTechnicalProfileForSessionManagement.ReferenceID = "changed"
					}
					tp.Metadata = append(tp.Metadata, policy.Item{Key: "extra"})
				}
				for _, j := range p.UserJourneys {
					for i := range j.Steps {
						j.Steps[i].Order = -1
						for k := range j.Steps[i].ClaimsExchanges {
							j.Steps[i].ClaimsExchanges[k].TechnicalProfileReferenceID = "changed"
						}
						if sel := j.Steps[i].ClaimsProviderSelections; sel != nil {
							for k := range sel.Selections {
								sel.Selections[k].TargetClaimsExchangeID = "changed"
							}
						}
					}
				}
				for _, ct := range p.ClaimTypes {
					ct.DisplayName = "changed"
					if ct.Restriction != nil && ct.Restriction.Pattern != nil {
						ct.Restriction.Pattern.HelpText = "changed"
					}
				}
				for _, ct := range p.ClaimsTransformations {
					for i := range ct.InputClaims {
						ct.InputClaims[i].ClaimTypeReferenceID = "changed"
					}
				}
				for i := range p.RelyingParty.TechnicalProfile.OutputClaims {
					c := &p.RelyingParty.TechnicalProfile.OutputClaims[i]
					c.ClaimTypeReferenceID = "changed"
					if c.DefaultValue != nil {
						*c.DefaultValue = "changed"
					}
				}
				p.RelyingParty.TechnicalProfile.SubjectNamingInfo.ClaimType = "changed"
				p.RelyingParty.DefaultUserJourney.ReferenceID = "changed"
			}
		}()
	}
	wg.Wait()
	for _, id := range pristine.IDs() {
		want, _ := pristine.File(id)
		got, _ := s.File(id)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Resolve changed file %s", id)
		}
	}
}
