package oauth2

import (
	"context"
	"net/url"
	"testing"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// TestExchangeStateIsFreshAndBound: each authorization request carries its own
// state, bound to the journey, so a replayed answer cannot reach a later step.
func TestExchangeStateIsFreshAndBound(t *testing.T) {
	tp := &policy.TechnicalProfile{ID: "IdP", Metadata: policy.Metadata{
		{Key: KeyClientID, Value: "c"}, {Key: KeyAuthorizationEndpoint, Value: "https://idp.example/authorize"},
		{Key: KeyAccessTokenEndpoint, Value: "https://idp.example/token"}, {Key: KeyClaimsEndpoint, Value: "https://idp.example/me"},
	}, CryptographicKeys: []policy.Key{{ID: KeyClientSecret, StorageReferenceID: "B2C_1A_S"}}}
	p, probs := New(tp)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	var bound []string
	env := &profile.Env{BaseURL: "https://b2c.example", Tenant: "t", PolicyID: "B2C_1A_P", State: "journey-state", Claims: claims.NewBag(),
		Bind: func(k string) { bound = append(bound, k) }}
	var sent []string
	for i := 0; i < 2; i++ {
		u, err := p.Start(context.Background(), env)
		if err != nil {
			t.Fatal(err)
		}
		pu, _ := url.Parse(u)
		sent = append(sent, pu.Query().Get("state"))
	}
	if sent[0] == sent[1] || sent[0] == "journey-state" || sent[0] == "" {
		t.Fatalf("want two fresh states, got %q", sent)
	}
	if len(bound) != 2 || bound[0] != sent[0] || bound[1] != sent[1] {
		t.Fatalf("want each state bound to the journey, bound %q sent %q", bound, sent)
	}
	env.Bind = nil
	u, _ := p.Start(context.Background(), env)
	if pu, _ := url.Parse(u); pu.Query().Get("state") != "journey-state" {
		t.Errorf("without Bind the journey's state is sent, got %q", pu.Query().Get("state"))
	}
}
