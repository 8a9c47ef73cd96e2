package policy_test

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

// doc returns a policy document with the given id, optional base and body.
func doc(id, base, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<TrustFrameworkPolicy xmlns=\"%s\" PolicySchemaVersion=\"0.3.0.0\" TenantId=\"contoso.onmicrosoft.com\" PolicyId=\"%s\">\n", policy.Namespace, id)
	if base != "" {
		fmt.Fprintf(&b, "  <BasePolicy>\n    <TenantId>contoso.onmicrosoft.com</TenantId>\n    <PolicyId>%s</PolicyId>\n  </BasePolicy>\n", base)
	}
	b.WriteString(body)
	b.WriteString("\n</TrustFrameworkPolicy>\n")
	return b.String()
}

// newSet parses the files (name to content, parsed in name order) into a set and
// fails the test on any load problem.
func newSet(t *testing.T, files map[string]string) *policy.Set {
	t.Helper()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var parsed []*policy.File
	for _, name := range names {
		f, err := policy.Parse(name, []byte(files[name]), nil)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		parsed = append(parsed, f)
	}
	s, err := policy.NewSet(parsed...)
	if err != nil {
		t.Fatalf("new set: %v", err)
	}
	return s
}

// lineOf returns the 1-based line of the first occurrence of marker in content.
func lineOf(t *testing.T, content, marker string) int {
	t.Helper()
	i := strings.Index(content, marker)
	if i < 0 {
		t.Fatalf("marker %q not found", marker)
	}
	return strings.Count(content[:i], "\n") + 1
}

// fileLineOf is lineOf for a file on disk.
func fileLineOf(t *testing.T, path, marker string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return lineOf(t, string(data), marker)
}

// asProblems extracts Problems from err, failing the test if err is another kind.
func asProblems(t *testing.T, err error) policy.Problems {
	t.Helper()
	if err == nil {
		return nil
	}
	var ps policy.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error is %T (%v), want policy.Problems", err, err)
	}
	return ps
}

func mustResolve(t *testing.T, s *policy.Set, id string) *policy.Policy {
	t.Helper()
	p, err := s.Resolve(id)
	if err != nil {
		t.Fatalf("resolve %s: %v", id, err)
	}
	return p
}

func claimIDs(claims []policy.ClaimRef) []string {
	var ids []string
	for _, c := range claims {
		ids = append(ids, c.ClaimTypeReferenceID)
	}
	return ids
}

// replaceOnce replaces the first old in s, failing the test when s has none.
func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("test setup: %q not found", old)
	}
	return strings.Replace(s, old, new, 1)
}

// relyingParty is the RelyingParty of a test policy: journey is its
// DefaultUserJourney and outputClaims the OutputClaim elements of its OpenID
// Connect PolicyProfile, whose subject is the claim sub.
func relyingParty(journey, outputClaims string) string {
	return fmt.Sprintf(`
  <RelyingParty>
    <DefaultUserJourney ReferenceId=%q />
    <TechnicalProfile Id="PolicyProfile">
      <Protocol Name="OpenIdConnect" />
      <OutputClaims>%s</OutputClaims>
      <SubjectNamingInfo ClaimType="sub" />
    </TechnicalProfile>
  </RelyingParty>`, journey, outputClaims)
}

// claimsProvider is a ClaimsProviders element holding one ClaimsProvider with
// the given DisplayName and TechnicalProfile elements.
func claimsProvider(displayName, technicalProfiles string) string {
	return fmt.Sprintf(`  <ClaimsProviders>
    <ClaimsProvider>
      <DisplayName>%s</DisplayName>
      <TechnicalProfiles>%s
      </TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>`, displayName, technicalProfiles)
}

// exchangeStep is a ClaimsExchange OrchestrationStep, on lines of its own,
// whose one exchange runs the technical profile profileID.
func exchangeStep(order int, exchangeID, profileID string) string {
	return fmt.Sprintf(`
        <OrchestrationStep Order="%d" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id=%q TechnicalProfileReferenceId=%q /></ClaimsExchanges>
        </OrchestrationStep>`, order, exchangeID, profileID)
}

// metadataProfile is a TechnicalProfile with nothing but Metadata, one Item a
// line: keyValues holds each item's key and value in turn.
func metadataProfile(id string, keyValues ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n        <TechnicalProfile Id=%q>\n          <Metadata>", id)
	for i := 0; i+1 < len(keyValues); i += 2 {
		fmt.Fprintf(&b, "\n            <Item Key=%q>%s</Item>", keyValues[i], keyValues[i+1])
	}
	b.WriteString("\n          </Metadata>\n        </TechnicalProfile>")
	return b.String()
}
