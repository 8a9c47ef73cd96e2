// Package profiletest holds what the tests of the technical-profile packages
// share: a technical profile parsed from its XML alone and built by its
// package's New, the check of the problems a constructor reports, a journey's
// Env, the check of the claims a profile wrote, and an address nothing
// listens on.
package profiletest

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

// File is the file name ParseTechnicalProfile gives its policy: problems
// point into it.
const File = "test.xml"

// ParseTechnicalProfile parses one TechnicalProfile element inside a minimal
// policy file (File) of tenant contoso.onmicrosoft.com, in a ClaimsProvider
// whose DisplayName is provider.
func ParseTechnicalProfile(t testing.TB, provider, tpXML string) *policy.TechnicalProfile {
	t.Helper()
	doc := fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<TrustFrameworkPolicy xmlns="%s" PolicySchemaVersion="0.3.0.0" TenantId="contoso.onmicrosoft.com" PolicyId="B2C_1A_Test">
  <ClaimsProviders>
    <ClaimsProvider>
      <DisplayName>%s</DisplayName>
      <TechnicalProfiles>
%s
      </TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>
</TrustFrameworkPolicy>
`, policy.Namespace, provider, tpXML)
	f, err := policy.Parse(File, []byte(doc), nil)
	if err != nil {
		t.Fatalf("parse policy: %v", err)
	}
	if len(f.ClaimsProviders) != 1 || len(f.ClaimsProviders[0].TechnicalProfiles) != 1 {
		t.Fatalf("want one technical profile in the test policy")
	}
	return &f.ClaimsProviders[0].TechnicalProfiles[0]
}

// New parses tpXML as ParseTechnicalProfile does and builds its profile with
// newProfile (a profile package's New); a nil profile fails the test.
func New[P any](t testing.TB, newProfile func(*policy.TechnicalProfile) (*P, policy.Problems), provider, tpXML string) (*P, policy.Problems) {
	t.Helper()
	p, probs := newProfile(ParseTechnicalProfile(t, provider, tpXML))
	if p == nil {
		t.Fatal("New returned a nil profile")
	}
	return p, probs
}

// MustNew is New for a profile that must have no problems.
func MustNew[P any](t testing.TB, newProfile func(*policy.TechnicalProfile) (*P, policy.Problems), provider, tpXML string) *P {
	t.Helper()
	p, probs := New(t, newProfile, provider, tpXML)
	if len(probs) > 0 {
		t.Fatalf("New: unexpected problems: %v", probs)
	}
	return p
}

// WantProblems checks that probs has exactly the codes wantCodes, in any
// order ("" for a problem without a B2C code), each with a position in File,
// and, unless wantText is empty, that one of them mentions wantText.
func WantProblems(t testing.TB, probs policy.Problems, wantCodes []string, wantText string) {
	t.Helper()
	if len(probs) != len(wantCodes) {
		t.Fatalf("got %d problems %v, want codes %q", len(probs), probs, wantCodes)
	}
	want := map[string]int{}
	for _, c := range wantCodes {
		want[c]++
	}
	for _, pr := range probs {
		want[pr.Code]--
		if pr.File != File || pr.Line == 0 {
			t.Errorf("problem %v: want a position in %s", pr, File)
		}
	}
	for c, n := range want {
		if n != 0 {
			t.Errorf("problem codes: got %v, want %q (code %q off by %d)", probs, wantCodes, c, -n)
		}
	}
	if wantText != "" && !strings.Contains(probs.Error(), wantText) {
		t.Errorf("problems %q: want a mention of %q", probs.Error(), wantText)
	}
}

// ClosedURL is the base URL of a loopback listener that has been closed:
// connecting to it is refused.
func ClosedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	_ = ln.Close()
	return u
}
