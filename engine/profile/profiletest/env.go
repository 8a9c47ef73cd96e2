package profiletest

import (
	"net/http"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/profile"
)

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
