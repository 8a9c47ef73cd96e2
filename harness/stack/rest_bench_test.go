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
	"github.com/iefconform/iefconform/harness/httpdriver"
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
	u, state, err := s.BeginSignIn("B2C_1A_Rest_Profile", rp.AuthorizeRequest{ResponseType: "id_token", ResponseMode: "form_post"})
	if err != nil {
		return rp.Result{}, err
	}
	c, err := httpdriver.New(5 * time.Second)
	if err != nil {
		return rp.Result{}, err
	}
	page, err := c.Get(u)
	if err != nil {
		return rp.Result{}, err
	}
	f, err := page.Form("attributeVerification")
	if err != nil {
		return rp.Result{}, err
	}
	f.Fields.Set("email", email)
	f.Fields.Set("displayName", "Free Person")
	f.Fields.Set("language", "en")
	if _, err := c.Submit(f, "action", "continue"); err != nil {
		return rp.Result{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.RP.Wait(ctx, state)
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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := restSignIn(s, "free@example.com")
		if err != nil {
			b.Fatal(err)
		}
		if res.IDToken == "" || res.VerifyError != "" {
			b.Fatalf("no verified token: %s %s", res.Error, res.VerifyError)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/journey")
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
