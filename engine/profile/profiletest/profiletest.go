// Package profiletest holds what the tests of the technical-profile packages
// share: a technical profile parsed from its XML alone and built by its
// package's New, the check of the problems a constructor reports, a journey's
// Env, the check of the claims a profile wrote, and an address nothing
// listens on.
package profiletest

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
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

// The journey NewEnv describes.
const (
	Tenant     = "contoso.onmicrosoft.com"
	TenantGUID = "00000000-0000-0000-0000-000000000001"
	BaseURL    = "https://contoso.b2clogin.com"
	// PolicyID is in mixed case on purpose: callback URLs carry it in lowercase.
	PolicyID      = "B2C_1A_Signup_Signin"
	CorrelationID = "233bf9bd-747a-4800-9062-6236f3f69a47"
	State         = "state-123"
)

// Now is the journey's clock: always 2024-05-01 12:00 UTC.
func Now() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }

// NewEnv is the Env of a journey of PolicyID in Tenant at BaseURL, clocked by
// Now, with an empty claims bag, an empty key store, an empty data store and
// hc (nil: the profile's default client) for calls to parties.
func NewEnv(hc *http.Client) *profile.Env {
	bag := claims.NewBag()
	return &profile.Env{
		Tenant:        Tenant,
		TenantGUID:    TenantGUID,
		PolicyID:      PolicyID,
		BaseURL:       BaseURL,
		CorrelationID: CorrelationID,
		State:         State,
		Claims:        bag,
		Resolver:      &claims.Context{PolicyID: PolicyID, CorrelationID: CorrelationID, Now: Now, Claims: bag},
		Keys:          keys.NewStore(),
		HTTP:          hc,
		Now:           Now,
		Data:          map[string]string{},
	}
}

// WantClaims checks that bag holds each claim of want with its value and
// none of wantNone.
func WantClaims(t testing.TB, bag *claims.Bag, want map[string]string, wantNone []string) {
	t.Helper()
	for k, v := range want {
		if got, ok := bag.Get(k); !ok || got != v {
			t.Errorf("claim %s = %q (present %v), want %q", k, got, ok, v)
		}
	}
	for _, k := range wantNone {
		if got, ok := bag.Value(k); ok {
			t.Errorf("claim %s = %v, want it absent", k, got)
		}
	}
}
