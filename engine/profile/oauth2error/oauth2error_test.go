package oauth2error

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

func tp() *policy.TechnicalProfile {
	return &policy.TechnicalProfile{ID: "ReturnOAuth2Error", OutputTokenFormat: "OAuth2Error",
		CryptographicKeys: []policy.Key{{ID: KeyIssuerSecret, StorageReferenceID: "B2C_1A_TokenSigningKeyContainer"}},
		InputClaims:       []policy.ClaimRef{{ClaimTypeReferenceID: ClaimErrorCode}, {ClaimTypeReferenceID: ClaimErrorMessage}}}
}

// TestSeed000 is ERR-01/ERR-02 at the profile: the description of seed 000's example.
func TestSeed000(t *testing.T) {
	p, probs := New(tp())
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	bag := claims.NewBag()
	bag.Set(ClaimErrorCode, "1234")
	bag.Set(ClaimErrorMessage, "My custom error message")
	at := time.Date(2021, 3, 25, 14, 1, 23, 0, time.UTC)
	out, err := p.Issue(context.Background(), &profile.Env{Claims: bag, CorrelationID: "233bf9bd-747a-4800-9062-6236f3f69a47", Now: func() time.Time { return at }}, profile.IssueRequest{})
	if err != nil {
		t.Fatal(err)
	}
	want := "AAD_Custom_1234: My custom error message\r\nCorrelation ID: 233bf9bd-747a-4800-9062-6236f3f69a47\r\nTimestamp: 2021-03-25 14:01:23Z\r\n"
	if out.Error == nil || out.Error.Code != "access_denied" || out.Error.Message != want || !out.Error.Raw || out.IDToken != "" {
		t.Fatalf("got %+v, want access_denied %q", out, want)
	}
}

func TestNewRequires(t *testing.T) {
	bare := &policy.TechnicalProfile{ID: "E", OutputTokenFormat: "OAuth2Error"}
	_, probs := New(bare)
	text := probs.Error()
	for _, want := range []string{"issuer_secret", "errorCode", "errorMessage"} {
		if !strings.Contains(text, want) {
			t.Errorf("want a problem about %s, got:\n%s", want, text)
		}
	}
}
