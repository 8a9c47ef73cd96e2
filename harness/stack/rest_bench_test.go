package stack_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
	"github.com/iefconform/iefconform/engine/profile/restful"
	"github.com/iefconform/iefconform/harness/stack"
	mockrest "github.com/iefconform/iefconform/mocks/rest"
	"github.com/iefconform/iefconform/mocks/rp"
)

// startREST serves the rest policy folder with seed 004's behaviours.
func startREST(tb testing.TB) *stack.Stack {
	tb.Helper()
	s := start(tb)
	for _, r := range []mockrest.Route{
		{Method: http.MethodPost, Path: "/api/validate-email", Behaviour: mockrest.BehaviourEmailExists, Known: []string{"taken@example.com"}},
		{Method: http.MethodPost, Path: "/api/loyalty", Behaviour: mockrest.BehaviourLoyaltyNumber},
		{Method: http.MethodPost, Path: "/api/contacts", Behaviour: mockrest.BehaviourContacts},
	} {
		if err := s.REST.AddRoute(r); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.UsePolicy("rest", nil); err != nil {
		tb.Fatal(err)
	}
	return s
}

// restSignIn runs the rest journey over plain HTTP: the self-asserted page
// (two validation REST calls), then the contacts REST step.
func restSignIn(s *stack.Stack, email string) (rp.Result, error) {
	return httpSignIn(s, "B2C_1A_Rest_Profile", "form_post", "attributeVerification",
		map[string]string{"email": email, "displayName": "Free Person", "language": "en"}, "continue")
}

func TestRESTJourney(t *testing.T) {
	s := startREST(t)
	res, err := restSignIn(s, "free@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if res.IDToken == "" || res.VerifyError != "" || res.Claims["contactEmail"] != "free@example.com" || res.Claims["loyaltyNumber"] == nil {
		t.Fatalf("want a verified id_token with the REST claims, got error=%q %q verify=%q claims=%v", res.Error, res.ErrorDescription, res.VerifyError, res.Claims)
	}
	for path, n := range map[string]int{"/api/validate-email": 1, "/api/loyalty": 1, "/api/contacts": 1} {
		if got := len(s.REST.Calls(path)); got != n {
			t.Errorf("%s: %d calls, want %d", path, got, n)
		}
	}
}

// BenchmarkRESTJourney is the rest journey without a browser: a self-asserted
// page whose Continue runs two REST validation profiles, then a REST
// orchestration step; three HTTPS calls to the REST mock in all.
func BenchmarkRESTJourney(b *testing.B) {
	s := startREST(b)
	benchJourney(b, func() (rp.Result, error) { return restSignIn(s, "free@example.com") })
}

// BenchmarkRESTCall is the emulator's RESTful profile calling the REST mock
// over HTTPS (keep-alive, the stack's CA): seed 004's contacts call with its
// nested JSON response mapped to three claims.
func BenchmarkRESTCall(b *testing.B) {
	s := startREST(b)
	set, err := policy.LoadFS(mustPolicies(b), "rest", s.Settings())
	if err != nil {
		b.Fatal(err)
	}
	pol, err := set.Resolve("B2C_1A_Rest_Profile")
	if err != nil {
		b.Fatal(err)
	}
	prof, probs := restful.New(pol.TechnicalProfiles["REST-GetContacts"], pol.DeploymentMode)
	if len(probs) > 0 {
		b.Fatal(probs)
	}
	env := &profile.Env{Keys: s.Keys, RootCAs: testPKI.CA.Pool(), RESTTimeout: 2 * time.Second, HTTP: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		env.Claims = claims.NewBag()
		env.Claims.Set("email", "free@example.com")
		if err := prof.Call(context.Background(), env); err != nil {
			b.Fatal(err)
		}
		if v, _ := env.Claims.Get("contactEmail"); v != "free@example.com" {
			b.Fatalf("contactEmail = %q", v)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}
