package policy_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

// fuzzSettings has a value for every {Settings:Name} of the feature policies;
// some hold XML specials and line breaks, which substitution must escape and
// which must not shift the lines of problems.
var fuzzSettings = policy.Settings{
	"Tenant":                        "contoso.onmicrosoft.com",
	"FacebookAppId":                 "1234567890",
	"FacebookAuthorizationEndpoint": "http://127.0.0.1:7001/dialog/oauth",
	"FacebookTokenEndpoint":         "http://127.0.0.1:7001/oauth/access_token",
	"FacebookAccessTokenEndpoint":   "http://127.0.0.1:7001/oauth/access_token",
	"FacebookClaimsEndpoint":        "http://127.0.0.1:7001/me?fields=id,first_name,last_name,name,email&format=json",
	"RestApiUrl":                    "https://127.0.0.1:7003/api",
	"ContosoClientId":               "t&<>",
	"LinkedInClientId":              "line\nbreak\r\nand\rreturn",
	"TwitterConsumerKey":            `"quoted" 'key'`,
}

// fuzzChecker is a Checker as a protocol package writes one.
func fuzzChecker(_ *policy.Policy, tp *policy.TechnicalProfile) policy.Problems {
	return append(policy.RequireMetadata(tp, "client_id"), policy.RequireKeys(tp, "client_secret")...)
}

// policyChains returns, for every relying-party policy of the feature
// policies and of testdata, its files from the root base, as seeds.
func policyChains(f *testing.F) [][][]byte {
	dirs, err := filepath.Glob("../../features/policies/*")
	if err != nil {
		f.Fatal(err)
	}
	dirs = append(dirs, "testdata/valid", "testdata/broken")
	var chains [][][]byte
	for _, dir := range dirs {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
		byID := map[string][]byte{}
		var leaves []*policy.File
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			file, _ := policy.Parse(p, data, fuzzSettings)
			if file == nil {
				continue
			}
			byID[strings.ToUpper(file.PolicyID)] = data
			if file.RelyingParty != nil {
				leaves = append(leaves, file)
			}
		}
		for _, leaf := range leaves {
			chain := [][]byte{byID[strings.ToUpper(leaf.PolicyID)]}
			for b := leaf.BasePolicy; b != nil && len(chain) < 3; {
				data, ok := byID[strings.ToUpper(b.PolicyID)]
				if !ok {
					break
				}
				chain = append([][]byte{data}, chain...)
				base, _ := policy.Parse("base.xml", data, fuzzSettings)
				b = base.BasePolicy
			}
			chains = append(chains, chain)
		}
	}
	if len(chains) == 0 {
		f.Fatal("no policy chains found for seeds")
	}
	return chains
}

// checkLocated checks that every problem names one of the files and a line
// in it (line 0 only for a document without a root element), has a
// sentinel error, and prints as file:line.
func checkLocated(t *testing.T, what string, probs policy.Problems, lines map[string]int) {
	t.Helper()
	for _, p := range probs {
		n, ok := lines[p.File]
		switch {
		case !ok:
			t.Errorf("%s: problem %q names file %q, want one of %v", what, p, p.File, lines)
		case p.Err == nil:
			t.Errorf("%s: problem %q has no sentinel error", what, p)
		case p.Line == 0 && !errors.Is(p, policy.ErrNotPolicy):
			t.Errorf("%s: problem %q has no line", what, p)
		case p.Line < 0 || p.Line > n:
			t.Errorf("%s: problem %q is at line %d of a %d-line file", what, p, p.Line, n)
		case p.Line > 0 && !strings.HasPrefix(p.String(), p.File+":"+strconv.Itoa(p.Line)+": "):
			t.Errorf("%s: problem %q does not start with file:line", what, p)
		}
	}
}

// asFuzzProblems is the Problems of an error from Parse, NewSet or Resolve.
func asFuzzProblems(t *testing.T, what string, err error) policy.Problems {
	t.Helper()
	if err == nil {
		return nil
	}
	var ps policy.Problems
	if !errors.As(err, &ps) || len(ps) == 0 {
		t.Fatalf("%s: error %T %v is not a non-empty Problems", what, err, err)
	}
	return ps
}

// FuzzValidate parses a chain of up to three policy files (base, extensions,
// relying party), builds a set, validates it and resolves every relying
// party. Properties: no panic; every problem of Parse, NewSet, Validate and
// Resolve is located at file:line of one of the files; Validate reports
// each problem once, in order, the same on every call, and includes every
// problem Resolve reports.
func FuzzValidate(f *testing.F) {
	for _, chain := range policyChains(f) {
		for len(chain) < 3 {
			chain = append([][]byte{nil}, chain...)
		}
		f.Add(chain[0], chain[1], chain[2])
	}
	f.Add([]byte(doc("B2C_1A_Base", "", "")), []byte(doc("B2C_1A_Ext", "B2C_1A_Base", "")), []byte(everything))
	f.Add([]byte(doc("B2C_1A_A", "B2C_1A_C", "")), []byte(doc("B2C_1A_B", "B2C_1A_A", "")), []byte(doc("B2C_1A_C", "B2C_1A_B", "<RelyingParty/>")))
	f.Add([]byte(nil), []byte("<!-- {Settings:Nope} -->\n{Settings:Nope}"), []byte("<?xml version=\"1.0\"?>\n"))
	names := []string{"TrustFrameworkBase.xml", "TrustFrameworkExtensions.xml", "SignUpOrSignin.xml"}
	f.Fuzz(func(t *testing.T, base, ext, leaf []byte) {
		lines := map[string]int{}
		var files []*policy.File
		for i, data := range [][]byte{base, ext, leaf} {
			if data == nil {
				continue
			}
			lines[names[i]] = bytes.Count(data, []byte("\n")) + 1
			file, err := policy.Parse(names[i], data, fuzzSettings)
			checkLocated(t, "Parse", asFuzzProblems(t, "Parse", err), lines)
			files = append(files, file)
		}
		set, err := policy.NewSet(files...)
		checkLocated(t, "NewSet", asFuzzProblems(t, "NewSet", err), lines)

		probs := set.Validate(fuzzChecker)
		checkLocated(t, "Validate", probs, lines)
		for i := 1; i < len(probs); i++ {
			if probs[i-1].File > probs[i].File || probs[i-1].File == probs[i].File && probs[i-1].Line > probs[i].Line {
				t.Errorf("Validate: %q comes before %q", probs[i-1], probs[i])
			}
			if probs[i-1].String() == probs[i].String() {
				t.Errorf("Validate: %q is reported twice", probs[i])
			}
		}
		if again := set.Validate(fuzzChecker); !reflect.DeepEqual(again, probs) {
			t.Errorf("Validate is not deterministic:\n%v\nthen\n%v", probs, again)
		}

		for _, id := range set.RelyingParties() {
			p, err := set.Resolve(id)
			rprobs := asFuzzProblems(t, "Resolve "+id, err)
			checkLocated(t, "Resolve "+id, rprobs, lines)
			if p == nil && !errors.Is(err, policy.ErrMissingBase) && !errors.Is(err, policy.ErrCycle) {
				t.Errorf("Resolve(%s) = nil, %v: want a policy when the chain is complete", id, err)
			}
			for _, rp := range rprobs {
				if !slices.ContainsFunc(probs, func(v policy.Problem) bool { return v.String() == rp.String() }) {
					t.Errorf("Resolve(%s) reports %q, which Validate does not", id, rp)
				}
			}
		}
	})
}

// mergeFragments are technical profile bodies from the feature policies.
var mergeFragments = []string{
	``,
	`<DisplayName>Facebook</DisplayName><Protocol Name="OAuth2" />`,
	`<Metadata><Item Key="client_id">{Settings:FacebookAppId}</Item><Item Key="scope">email public_profile</Item><Item Key="ClaimsEndpoint">{Settings:FacebookClaimsEndpoint}</Item></Metadata>`,
	`<CryptographicKeys><Key Id="client_secret" StorageReferenceId="B2C_1A_FacebookSecret" /></CryptographicKeys>`,
	`<InputClaims><InputClaim ClaimTypeReferenceId="email" PartnerClaimType="email" Required="true" /></InputClaims><OutputClaims><OutputClaim ClaimTypeReferenceId="identityProvider" DefaultValue="facebook.com" AlwaysUseDefaultValue="true" /></OutputClaims>`,
	`<OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="CreateAlternativeSecurityId" /></OutputClaimsTransformations>`,
	`<IncludeTechnicalProfile ReferenceId="SM-Noop" />`,
	`<UseTechnicalProfileForSessionManagement ReferenceId="SM-SocialLogin" />`,
	`<ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-Validate" ContinueOnError="false"><Preconditions><Precondition Type="ClaimsExist" ExecuteActionsIf="true"><Value>email</Value><Action>SkipThisValidationTechnicalProfile</Action></Precondition></Preconditions></ValidationTechnicalProfile></ValidationTechnicalProfiles>`,
}

// mergeDoc builds a policy whose technical profiles have the ids in ids
// (separated by '|'): each with a metadata item key=value and, the first,
// the fragment frag.
func mergeDoc(id, base, ids, frag, key, value string) string {
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
		return b.String()
	}
	var b strings.Builder
	b.WriteString("  <ClaimsProviders>\n    <ClaimsProvider>\n      <DisplayName>Fuzz</DisplayName>\n      <TechnicalProfiles>\n")
	for i, tpID := range strings.Split(ids, "|") {
		b.WriteString(`        <TechnicalProfile Id="` + esc(tpID) + `">` + "\n")
		b.WriteString(`          <Metadata><Item Key="` + esc(key) + `">` + esc(value) + "</Item></Metadata>\n")
		if i == 0 {
			b.WriteString("          " + frag + "\n")
		}
		b.WriteString("        </TechnicalProfile>\n")
	}
	b.WriteString("      </TechnicalProfiles>\n    </ClaimsProvider>\n  </ClaimsProviders>")
	return doc(id, base, b.String())
}

// ownProfiles groups the technical profiles of files by id, in chain order.
// Ids compare ignoring case, as B2C's do: a group is named by the spelling
// declared first.
func ownProfiles(files ...*policy.File) (map[string][]*policy.TechnicalProfile, []string) {
	byID := map[string][]*policy.TechnicalProfile{}
	declared := map[string]string{} // lower-case id → first spelling
	var ids []string
	for _, f := range files {
		for i := range f.ClaimsProviders {
			for j := range f.ClaimsProviders[i].TechnicalProfiles {
				tp := &f.ClaimsProviders[i].TechnicalProfiles[j]
				id, ok := declared[strings.ToLower(tp.ID)]
				if !ok {
					id = tp.ID
					declared[strings.ToLower(id)] = id
					ids = append(ids, id)
				}
				byID[id] = append(byID[id], tp)
			}
		}
	}
	return byID, ids
}

// FuzzMerge builds a base and an extension policy from fuzzed technical
// profile ids, metadata and fragments, and resolves the extension.
// Properties: no panic; the effective policy has a technical profile for
// every id of both files (ids compared ignoring case) and no other; each keeps the metadata keys and
// claims its own definitions have, with the value of the last definition;
// the base alone resolves to its own profiles; Resolve is deterministic and
// leaves the set's files as parsed.
func FuzzMerge(f *testing.F) {
	f.Add("Facebook-OAUTH|SM-Noop", "Facebook-OAUTH", mergeFragments[1], mergeFragments[2], "client_id", "1234567890")
	f.Add("Facebook-OAUTH|SM-Noop", "Facebook-OAUTH|SelfAsserted-Social", mergeFragments[6], mergeFragments[3], "scope", "email")
	f.Add("SelfAsserted-Social|REST-Validate", "SelfAsserted-Social", mergeFragments[4], mergeFragments[8], "ContentDefinitionReferenceId", "api.selfasserted")
	f.Add("A|B", "B|A", `<IncludeTechnicalProfile ReferenceId="B" />`, `<IncludeTechnicalProfile ReferenceId="A" />`, "k", "v")
	f.Add("Facebook-OAUTH|Facebook-OAUTH", "SM-SocialLogin", mergeFragments[5], mergeFragments[7], "ClaimsEndpoint", "{Settings:FacebookClaimsEndpoint}")
	f.Add("", "", mergeFragments[0], mergeFragments[0], "", "")
	f.Fuzz(func(t *testing.T, baseIDs, extIDs, baseFrag, extFrag, key, value string) {
		baseDoc := []byte(mergeDoc("B2C_1A_Base", "", baseIDs, baseFrag, key, value))
		extDoc := []byte(mergeDoc("B2C_1A_Ext", "B2C_1A_Base", extIDs, extFrag, key, value))
		parse := func() (*policy.File, *policy.File) {
			b, _ := policy.Parse("base.xml", baseDoc, fuzzSettings)
			e, _ := policy.Parse("ext.xml", extDoc, fuzzSettings)
			return b, e
		}
		baseFile, extFile := parse()
		if baseFile == nil || extFile == nil || !strings.EqualFold(baseFile.PolicyID, "B2C_1A_Base") || !strings.EqualFold(extFile.PolicyID, "B2C_1A_Ext") {
			return // a fragment broke the document
		}
		set, err := policy.NewSet(baseFile, extFile)
		if err != nil {
			t.Fatalf("NewSet: %v", err)
		}
		p, err := set.Resolve("B2C_1A_Ext")
		if p == nil {
			t.Fatalf("Resolve(B2C_1A_Ext) = nil, %v: want a policy, the chain is complete", err)
		}
		asFuzzProblems(t, "Resolve", err)

		own, ids := ownProfiles(baseFile, extFile)
		if len(p.TechnicalProfiles) != len(ids) {
			t.Errorf("effective policy has %d technical profiles, want %d (%q)", len(p.TechnicalProfiles), len(ids), ids)
		}
		for _, id := range ids {
			tp, ok := p.TechnicalProfiles[id]
			if !ok {
				t.Errorf("technical profile %q is lost in the merge", id)
				continue
			}
			if tp.ID != id {
				t.Errorf("technical profile %q has Id %q after the merge", id, tp.ID)
			}
			for _, def := range own[id] {
				for _, it := range def.Metadata {
					if _, ok := tp.Metadata.Get(it.Key); !ok {
						t.Errorf("technical profile %q lost metadata key %q", id, it.Key)
					}
				}
				for _, c := range slices.Concat(def.InputClaims, def.PersistedClaims, def.OutputClaims) {
					if !slices.ContainsFunc(slices.Concat(tp.InputClaims, tp.PersistedClaims, tp.OutputClaims), func(m policy.ClaimRef) bool {
						return strings.EqualFold(m.ClaimTypeReferenceID, c.ClaimTypeReferenceID)
					}) {
						t.Errorf("technical profile %q lost claim %q", id, c.ClaimTypeReferenceID)
					}
				}
			}
			var last policy.Metadata // each key's last definition; keys compare ignoring case
			for _, def := range own[id] {
				for _, it := range def.Metadata {
					if i := slices.IndexFunc(last, func(l policy.Item) bool { return strings.EqualFold(l.Key, it.Key) }); i >= 0 {
						last[i].Value = it.Value
					} else {
						last = append(last, it)
					}
				}
			}
			for _, it := range last {
				if got, _ := tp.Metadata.Get(it.Key); got != it.Value {
					t.Errorf("technical profile %q metadata %q = %q, want %q (its last definition)", id, it.Key, got, it.Value)
				}
			}
		}

		_, baseOnly := ownProfiles(baseFile)
		if bp, _ := set.Resolve("B2C_1A_Base"); bp == nil || len(bp.TechnicalProfiles) != len(baseOnly) {
			t.Errorf("Resolve(B2C_1A_Base) = %v, want the %d technical profiles of the base", bp, len(baseOnly))
		}

		if again, _ := set.Resolve("B2C_1A_Ext"); !reflect.DeepEqual(again, p) {
			t.Errorf("Resolve is not deterministic")
		}
		b2, e2 := parse()
		if !reflect.DeepEqual(b2, baseFile) || !reflect.DeepEqual(e2, extFile) {
			t.Errorf("Resolve changed the set's files")
		}
	})
}
