package stack_test

import (
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/iefconform/iefconform/harness/stack"
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
)

// loadResult is what a load run saw.
type loadResult struct {
	latencies []time.Duration // of the journeys that ended with the right token
	errs      []error         // journeys that failed, or got another user's token
}

// userClaims are Facebook's claims of load user i: every value is the user's own.
func userClaims(i int) map[string]any {
	return map[string]any{
		"id":         fmt.Sprintf("load-%d", i),
		"first_name": fmt.Sprintf("First%d", i),
		"last_name":  fmt.Sprintf("Last%d", i),
		"email":      fmt.Sprintf("user%d@example.com", i),
	}
}

// runLoad signs n distinct users in at once against one stack, each with its
// own browserless client (cookie jar), and checks that each gets a verified
// id_token with its own claims (sub and email) for its own state.
func runLoad(s *stack.Stack, n int) loadResult {
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			t0 := time.Now()
			err := loadJourney(s, i)
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errs = append(res.errs, fmt.Errorf("user %d: %w", i, err))
				return
			}
			res.latencies = append(res.latencies, d)
		})
	}
	close(start)
	wg.Wait()
	slices.Sort(res.latencies)
	return res
}

// errCrossTalk marks a journey that received a token made for someone else.
var errCrossTalk = errors.New("cross-talk")

func loadJourney(s *stack.Stack, i int) error {
	got, err := httpSignIn(s, "B2C_1A_signup_signin", "form_post", "login-form",
		map[string]string{"username": fmt.Sprintf("user%d", i), "password": fmt.Sprintf("pass%d", i)}, "signin")
	if err != nil {
		return err
	}
	if got.Error != "" || got.VerifyError != "" || got.IDToken == "" {
		return fmt.Errorf("no verified token: error=%q %q verify=%q", got.Error, got.ErrorDescription, got.VerifyError)
	}
	want := userClaims(i)
	if got.Claims["sub"] != want["id"] || got.Claims["email"] != want["email"] {
		return fmt.Errorf("%w: sub %v email %v, want sub %v email %v",
			errCrossTalk, got.Claims["sub"], got.Claims["email"], want["id"], want["email"])
	}
	return nil
}

// startLoadStack starts a stack with the Facebook policy and n users.
func startLoadStack(tb testing.TB, n int) *stack.Stack {
	tb.Helper()
	s, err := stack.Start(stack.Options{Policies: mustPolicies(tb), SigningKey: signingKey(tb), AssertionKey: signingKey(tb), PKI: testPKI, PartyTimeout: 30 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() }) // Close is safe twice; the tests close it themselves to count goroutines
	if err := s.UsePolicy("facebook", nil); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		u := mockoauth2.User{Username: fmt.Sprintf("user%d", i), Password: fmt.Sprintf("pass%d", i), Claims: userClaims(i)}
		if err := s.Facebook.AddUser(u); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

// waitGoroutines waits until no more than want goroutines run, or fails with
// the goroutines that stayed.
func waitGoroutines(tb testing.TB, want int) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			tb.Fatalf("goroutines: %d after the load, %d before: a leak\n%s", runtime.NumGoroutine(), want, buf)
		}
		<-tick.C
	}
}

// closeIdle drops the keep-alive connections the journeys left, on the
// client side; the servers' connection goroutines end with them.
func closeIdle() {
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

// TestLoadJourneys is the load test at CI size: 50 users sign in at once
// against one stack. Every journey ends with the signing-in user's own token
// (no cross-talk between journeys), none fails, and once the stack is closed
// the goroutines are back to what they were before it started.
// BenchmarkLoadJourneys runs it with 500 users.
func TestLoadJourneys(t *testing.T) {
	closeIdle()
	before := runtime.NumGoroutine()
	s := startLoadStack(t, 50)
	res := runLoad(s, 50)
	if err := s.Close(); err != nil {
		t.Fatalf("close the stack: %v", err)
	}
	if len(res.errs) > 0 {
		t.Fatalf("%d of 50 journeys failed; first: %v", len(res.errs), errors.Join(res.errs[:min(5, len(res.errs))]...))
	}
	if len(res.latencies) != 50 {
		t.Fatalf("%d journeys ended, want 50", len(res.latencies))
	}
	closeIdle()
	waitGoroutines(t, before)
}

// TestCrossTalkIsDetected proves the load check can fail: a journey that
// signs in as another user than the one it checks for is reported.
func TestCrossTalkIsDetected(t *testing.T) {
	s := startLoadStack(t, 2)
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Facebook.AddUser(mockoauth2.User{Username: "user2", Password: "pass2", Claims: userClaims(1)}); err != nil {
		t.Fatal(err)
	}
	err := loadJourney(s, 2) // user2's IdP account carries user1's claims
	if !errors.Is(err, errCrossTalk) {
		t.Fatalf("want a cross-talk error, got %v", err)
	}
}

// BenchmarkLoadJourneys signs 500 distinct users in at once against one
// stack (browserless, harness/httpdriver), as TestLoadJourneys does with 50.
// It reports the median and 99th-percentile journey latency under that load,
// the throughput, and fails on any error or cross-talk.
func BenchmarkLoadJourneys(b *testing.B) {
	const n = 500
	closeIdle()
	before := runtime.NumGoroutine()
	s := startLoadStack(b, n)
	var all []time.Duration
	b.ResetTimer()
	for range b.N {
		res := runLoad(s, n)
		if len(res.errs) > 0 {
			b.Fatalf("%d of %d journeys failed; first: %v", len(res.errs), n, errors.Join(res.errs[:min(5, len(res.errs))]...))
		}
		all = append(all, res.latencies...)
	}
	b.StopTimer()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	closeIdle()
	waitGoroutines(b, before)
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "journeys/s")
}
